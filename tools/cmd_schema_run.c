/*
 * cmd_schema_run.c: the actions of `kafkit schema` once its options are
 * parsed (cmd_schema.c): schema files read and checked with kafkit's Avro
 * parser, registry calls, and output for scripts (an id, a level, one
 * subject or version per line; schemas pretty-printed unless --raw).
 * Registry errors come from the client already formatted with the URL,
 * HTTP status, error_code and message.
 */
#include "cmd_schema.h"
#include "codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_FILE_MAX (16 * 1024 * 1024)   /* a schema file larger is an error */

int schema_want_args(const schema_opts_t *o, int want, int at_least, const char *what)
{
        if (o->arg_cnt == want || (at_least && o->arg_cnt > want))
                return -1;
        if (o->arg_cnt > want)
                return cli_usage_err(o->sub, "unexpected argument \"%s\"",
                                     o->args[want]);
        return cli_usage_err(o->sub, "missing %s", what);
}

static int need_subject(const schema_opts_t *o)
{
        if (o->subject && *o->subject)
                return -1;
        return cli_usage_err(o->sub, "-s SUBJECT is required");
}

/* ----------------------------------------------------------------- inputs */

/* Reads all of `path` ("-": stdin) into a new NUL-terminated string. */
static char *read_file(const char *path)
{
        FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
        const char *name = strcmp(path, "-") ? path : "stdin";
        size_t len = 0, cap = 4096, n;
        char *buf = NULL, *nbuf;

        if (!f) {
                cli_err("%s: %s", name, strerror(errno));
                return NULL;
        }
        do {
                if (cap - len < 2) {
                        if (cap >= SCHEMA_FILE_MAX) {
                                cli_err("%s: larger than %d bytes, not a schema", name,
                                        SCHEMA_FILE_MAX);
                                goto fail;
                        }
                        cap *= 2;
                }
                nbuf = realloc(buf, cap);
                if (!nbuf) {
                        cli_err("%s: out of memory", name);
                        goto fail;
                }
                buf = nbuf;
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        if (ferror(f)) {
                cli_err("%s: %s", name, strerror(errno));
                goto fail;
        }
        buf[len] = '\0';
        if (f != stdin)
                fclose(f);
        return buf;
fail:
        free(buf);
        if (f != stdin)
                fclose(f);
        return NULL;
}

/* Parses the `text` of schema file `path`; prints "FILE: error" on
 * failure. */
static kafkit_avro_schema_t *parse_schema(const char *path, const char *text)
{
        kafkit_avro_schema_t *s;
        kafkit_error_t err;

        kafkit_error_clear(&err);
        s = kafkit_avro_schema_new(text, (size_t)-1, &err);
        if (!s)
                cli_err("%s: %s", strcmp(path, "-") ? path : "stdin", err.message);
        return s;
}

/* Reads and parses a schema file. */
static kafkit_avro_schema_t *load_schema(const char *path)
{
        kafkit_avro_schema_t *s;
        char *text = read_file(path);

        if (!text)
                return NULL;
        s = parse_schema(path, text);
        free(text);
        return s;
}

/* ------------------------------------------------------------- registry */

kafkit_registry_t *schema_open_registry(const schema_opts_t *o, int *rc)
{
        kafkit_conf_t *conf = cli_conf_build(&o->common, rc);
        kafkit_registry_error_t rerr;
        kafkit_registry_t *r = NULL;

        if (!conf)
                return NULL;
        kafkit_registry_error_clear(&rerr);
        if (codec_registry_conf(conf, o->url, &rerr.error)) {
                cli_err_kafkit(&rerr.error);
                *rc = CLI_EXIT_USAGE;
                goto out;
        }
        r = kafkit_registry_new(conf, &rerr);
        if (!r) {
                cli_err_kafkit(&rerr.error);
                *rc = rerr.error.code == KAFKIT_ERR_CONF ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
        }
out:
        kafkit_conf_destroy(conf);
        return r;
}

static int registry_failed(const kafkit_registry_error_t *rerr)
{
        cli_err_kafkit(&rerr->error);
        return CLI_EXIT_FAILURE;
}

/* ----------------------------------------------------------------- output */

static void put_indent(FILE *out, int depth)
{
        fputc('\n', out);
        while (depth-- > 0)
                fputs("  ", out);
}

/* Skips JSON whitespace. */
static const char *skip_ws(const char *p)
{
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        return p;
}

/*
 * Prints valid JSON text indented by two spaces per level. Strings are
 * copied as they are (escapes included); only whitespace between tokens
 * changes, so the result parses to the same value.
 */
static void print_pretty(FILE *out, const char *json)
{
        const char *p = skip_ws(json);
        int depth = 0, in_str = 0;

        for (; *p; p++) {
                if (in_str) {
                        fputc(*p, out);
                        if (*p == '\\' && p[1])
                                fputc(*++p, out);
                        else if (*p == '"')
                                in_str = 0;
                        continue;
                }
                switch (*p) {
                case ' ': case '\t': case '\n': case '\r':
                        break;
                case '"':
                        in_str = 1;
                        fputc('"', out);
                        break;
                case '{': case '[':
                        fputc(*p, out);
                        if (*skip_ws(p + 1) == (*p == '{' ? '}' : ']')) {
                                p = skip_ws(p + 1);
                                fputc(*p, out);
                        } else {
                                put_indent(out, ++depth);
                        }
                        break;
                case '}': case ']':
                        put_indent(out, --depth);
                        fputc(*p, out);
                        break;
                case ',':
                        fputc(',', out);
                        put_indent(out, depth);
                        break;
                case ':':
                        fputs(": ", out);
                        break;
                default:
                        fputc(*p, out);
                }
        }
        fputc('\n', out);
}

/* Flushes stdout; a failed write is a failure. */
int schema_finish_output(int rc)
{
        if (fflush(stdout) == EOF || ferror(stdout)) {
                cli_err("stdout: %s", strerror(errno));
                return CLI_EXIT_FAILURE;
        }
        return rc;
}

static void print_reasons(char *const *msgs)
{
        size_t i;

        for (i = 0; msgs && msgs[i]; i++)
                printf("  - %s\n", msgs[i]);
}

/* ------------------------------------------------------------ subcommands */

int schema_run_register(schema_opts_t *o, kafkit_registry_t *r)
{
        kafkit_registry_error_t rerr;
        kafkit_avro_schema_t *parsed;
        int32_t id = 0;
        char *text;
        int rc;

        if ((rc = need_subject(o)) >= 0 || (rc = schema_want_args(o, 1, 0, "FILE.avsc")) >= 0)
                return rc;
        if (!(text = read_file(o->args[0])))
                return CLI_EXIT_FAILURE;
        /* Without references the schema stands alone: check it here first,
         * for an error naming the file and the JSON path. */
        if (o->ref_cnt == 0) {
                parsed = parse_schema(o->args[0], text);
                if (!parsed) {
                        free(text);
                        return CLI_EXIT_FAILURE;
                }
                kafkit_avro_schema_destroy(parsed);
        }
        kafkit_registry_error_clear(&rerr);
        if (kafkit_registry_register(r, o->subject, text, NULL, o->refs, o->ref_cnt,
                                     !!(o->given & O_NORMALIZE), &id, &rerr) != KAFKIT_OK)
                rc = registry_failed(&rerr);
        else
                printf("%d\n", (int)id);
        free(text);
        return rc >= 0 ? rc : CLI_EXIT_OK;
}

int schema_run_get(schema_opts_t *o, kafkit_registry_t *r)
{
        const kafkit_registry_schema_t *s = NULL;
        kafkit_registry_error_t rerr;
        kafkit_err_t code;
        int rc;

        if ((o->given & O_ID) && (o->given & (O_SUBJECT | O_VERSION)))
                return cli_usage_err(o->sub, "--id cannot be used with -s or --version");
        if (!(o->given & O_ID) && (!o->subject || !*o->subject))
                return cli_usage_err(o->sub, "--id ID or -s SUBJECT is required");
        if ((rc = schema_want_args(o, 0, 0, "")) >= 0)
                return rc;
        kafkit_registry_error_clear(&rerr);
        if (o->given & O_ID)
                code = kafkit_registry_get_by_id(r, o->id, &s, &rerr);
        else
                code = kafkit_registry_get_version(r, o->subject, o->version, &s, &rerr);
        if (code != KAFKIT_OK)
                return registry_failed(&rerr);
        if (cli_verbosity >= 2)
                fprintf(stderr, "%% id %d%s%s, version %d, type %s\n", (int)s->id,
                        s->subject ? ", subject " : "", s->subject ? s->subject : "",
                        s->version, s->schema_type);
        if (o->given & O_RAW)
                printf("%s%s", s->schema,
                       *s->schema && s->schema[strlen(s->schema) - 1] == '\n' ? "" : "\n");
        else
                print_pretty(stdout, s->schema);
        kafkit_registry_schema_destroy(s);
        return CLI_EXIT_OK;
}

static int list_versions(schema_opts_t *o, kafkit_registry_t *r)
{
        kafkit_registry_error_t rerr;
        int *versions = NULL;
        size_t cnt = 0, i;

        kafkit_registry_error_clear(&rerr);
        if (kafkit_registry_list_versions(r, o->subject, &versions, &cnt, &rerr))
                return registry_failed(&rerr);
        for (i = 0; i < cnt; i++)
                printf("%d\n", versions[i]);
        kafkit_registry_free(versions);
        return CLI_EXIT_OK;
}

int schema_run_list(schema_opts_t *o, kafkit_registry_t *r)
{
        kafkit_registry_error_t rerr;
        char **subjects = NULL;
        size_t i;
        int rc;

        if ((rc = schema_want_args(o, 0, 0, "")) >= 0)
                return rc;
        if (o->given & O_SUBJECT)
                return need_subject(o) >= 0 ? CLI_EXIT_USAGE : list_versions(o, r);
        kafkit_registry_error_clear(&rerr);
        if (kafkit_registry_list_subjects(r, &subjects, NULL, &rerr))
                return registry_failed(&rerr);
        for (i = 0; subjects[i]; i++)
                printf("%s\n", subjects[i]);
        kafkit_registry_strings_free(subjects);
        return CLI_EXIT_OK;
}

/* The verdict of a check, on stdout. Returns the exit code. */
static int verdict(int compatible, const char *against)
{
        printf("%s%s%s\n", compatible ? "compatible" : "incompatible",
               against ? " with " : "", against ? against : "");
        return compatible ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static void free_schemas(kafkit_avro_schema_t **schemas, int n)
{
        int i;

        for (i = 0; i < n; i++)
                kafkit_avro_schema_destroy(schemas[i]);
        free(schemas);
}

/* --offline OLD... NEW: kafkit_avro_compat_check_level() on files. */
int schema_check_offline(schema_opts_t *o)
{
        kafkit_avro_compat_reasons_t *why = kafkit_avro_compat_reasons_new();
        kafkit_avro_schema_t **schemas = calloc((size_t)o->arg_cnt, sizeof(*schemas));
        int n = o->arg_cnt, i, ok = 0, rc = CLI_EXIT_FAILURE;
        kafkit_error_t err;
        size_t k;

        if (!why || !schemas) {
                cli_err("out of memory");
                goto out;
        }
        for (i = 0; i < n; i++)
                if (!(schemas[i] = load_schema(o->args[i])))
                        goto out;
        kafkit_error_clear(&err);
        if (kafkit_avro_compat_check_level(o->level, schemas[n - 1],
                                           (const kafkit_avro_schema_t *const *)schemas,
                                           (const char *const *)o->args, (size_t)n - 1, &ok,
                                           why, &err) != KAFKIT_OK) {
                cli_err_kafkit(&err);
                goto out;
        }
        printf("%s (%s)\n", ok ? "compatible" : "incompatible",
               kafkit_avro_compat_level_name(o->level));
        for (k = 0; k < kafkit_avro_compat_reasons_count(why); k++)
                printf("  - %s\n", kafkit_avro_compat_reasons_get(why, k));
        rc = ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
out:
        free_schemas(schemas, n);
        kafkit_avro_compat_reasons_destroy(why);
        return rc;
}

static int check_server(schema_opts_t *o, kafkit_registry_t *r)
{
        kafkit_registry_error_t rerr;
        char **msgs = NULL;
        char against[64];
        int ok = 0, rc;
        char *text;

        if (!(text = read_file(o->args[0])))
                return CLI_EXIT_FAILURE;
        kafkit_registry_error_clear(&rerr);
        if (kafkit_registry_check_compatibility(r, o->subject, o->version, text, NULL,
                                                o->refs, o->ref_cnt, &ok, &msgs,
                                                &rerr) != KAFKIT_OK) {
                free(text);
                return registry_failed(&rerr);
        }
        if (o->version == KAFKIT_REGISTRY_LATEST)
                snprintf(against, sizeof(against), "the latest version");
        else
                snprintf(against, sizeof(against), "version %d", o->version);
        rc = verdict(ok, against);
        if (!ok)
                print_reasons(msgs);
        kafkit_registry_strings_free(msgs);
        free(text);
        return rc;
}

int schema_run_check(schema_opts_t *o, kafkit_registry_t *r)
{
        int rc;

        if (o->given & O_LEVEL)
                return cli_usage_err(o->sub, "--level needs --offline (a registry "
                                     "applies the subject's own level)");
        if ((rc = need_subject(o)) >= 0 || (rc = schema_want_args(o, 1, 0, "FILE.avsc")) >= 0)
                return rc;
        return check_server(o, r);
}

int schema_run_delete(schema_opts_t *o, kafkit_registry_t *r)
{
        int permanent = !!(o->given & O_PERMANENT), deleted = 0, rc;
        kafkit_registry_error_t rerr;
        int *versions = NULL;
        size_t cnt = 0, i;

        if ((rc = need_subject(o)) >= 0 || (rc = schema_want_args(o, 0, 0, "")) >= 0)
                return rc;
        kafkit_registry_error_clear(&rerr);
        if (o->given & O_VERSION) {
                if (kafkit_registry_delete_version(r, o->subject, o->version, permanent,
                                                   &deleted, &rerr))
                        return registry_failed(&rerr);
                printf("%d\n", deleted);
                return CLI_EXIT_OK;
        }
        if (kafkit_registry_delete_subject(r, o->subject, permanent, &versions, &cnt,
                                           &rerr))
                return registry_failed(&rerr);
        for (i = 0; i < cnt; i++)
                printf("%d\n", versions[i]);
        kafkit_registry_free(versions);
        return CLI_EXIT_OK;
}

int schema_run_config(schema_opts_t *o, kafkit_registry_t *r)
{
        const char *subject = (o->given & O_SUBJECT) ? o->subject : NULL;
        kafkit_registry_error_t rerr;
        char *level = NULL;
        int rc;

        if ((subject && (rc = need_subject(o)) >= 0) || (rc = schema_want_args(o, 0, 0, "")) >= 0)
                return rc;
        kafkit_registry_error_clear(&rerr);
        if (o->set_level) {
                if (kafkit_registry_set_config(r, subject, o->set_level, &rerr))
                        return registry_failed(&rerr);
                printf("%s\n", o->set_level);
                return CLI_EXIT_OK;
        }
        if (kafkit_registry_get_config(r, subject, 1, &level, &rerr))
                return registry_failed(&rerr);
        printf("%s\n", level);
        kafkit_registry_free(level);
        return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------- main */

