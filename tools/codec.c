/*
 * codec.c: record keys and values as strings, JSON or Avro for `kafkit
 * produce` and `kafkit consume` (see codec.h).
 *
 * Avro goes through libkafkit's serdes, one per side, sharing one registry
 * client. Producing, a side's schema is a file (registered under the
 * topic's subject unless auto.register.schemas=false), a registered id, or
 * a subject's latest version (resolved to its id at start). Consuming, the
 * writer's schema comes from each record's id, and the same options name
 * an optional reader schema the data is resolved to. Whatever can fail
 * before the first record (a registry that is down, an unknown id, a bad
 * schema file) fails in codec_open(), so per-record errors are about the
 * records.
 */
#include "codec.h"
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CODEC_DEFAULT_URL "http://localhost:8081"
#define CODEC_SCHEMA_MAX (16 * 1024 * 1024)

/* ---------------------------------------------------------------- options */

void codec_init(codec_t *c, const char *cmd, int producing)
{
        memset(c, 0, sizeof(*c));
        c->cmd = cmd;
        c->producing = producing;
        c->style = KAFKIT_AVRO_JSON_AVRO;
        c->decimal_text = -1;
        c->key.name = "key";
        c->key.role = KAFKIT_SERDES_KEY;
        c->key.schema_id = -1;
        c->value.name = "value";
        c->value.role = KAFKIT_SERDES_VALUE;
        c->value.schema_id = -1;
}

static int parse_format(codec_t *c, codec_role_t *r, const char *arg)
{
        if (!strcmp(arg, "string"))
                r->format = CODEC_STRING;
        else if (!strcmp(arg, "json"))
                r->format = CODEC_JSON;
        else if (!strcmp(arg, "avro"))
                r->format = CODEC_AVRO;
        else {
                cli_usage_err(c->cmd, "--%s-format \"%s\": expected string, json or avro",
                              r->name, arg);
                return -1;
        }
        return 1;
}

static int parse_schema_id(codec_t *c, codec_role_t *r, const char *arg)
{
        int64_t v;

        if (cli_parse_i64(arg, 0, INT32_MAX, &v) == 0) {
                r->schema_id = (int32_t)v;
                return 1;
        }
        cli_usage_err(c->cmd, "--%s-schema-id \"%s\": expected a schema id (0..%d)",
                      r->name, arg, INT32_MAX);
        return -1;
}

static int parse_style(codec_t *c, const char *arg)
{
        if (!strcmp(arg, "avro"))
                c->style = KAFKIT_AVRO_JSON_AVRO;
        else if (!strcmp(arg, "plain"))
                c->style = KAFKIT_AVRO_JSON_PLAIN;
        else {
                cli_usage_err(c->cmd, "--json-style \"%s\": expected avro or plain", arg);
                return -1;
        }
        return 1;
}

/* A required non-empty value. */
static int nonempty(codec_t *c, const char *opt, const char *arg, const char **out)
{
        if (!*arg) {
                cli_usage_err(c->cmd, "%s: empty value", opt);
                return -1;
        }
        *out = arg;
        return 1;
}

int codec_opt(codec_t *c, int opt, const char *arg)
{
        switch (opt) {
        case 'r':
        case CODEC_OPT_REGISTRY:
                return nonempty(c, "-r", arg, &c->url);
        case CODEC_OPT_KEY_FORMAT: return parse_format(c, &c->key, arg);
        case CODEC_OPT_VALUE_FORMAT: return parse_format(c, &c->value, arg);
        case CODEC_OPT_KEY_SCHEMA:
                return nonempty(c, "--key-schema", arg, &c->key.schema_file);
        case CODEC_OPT_VALUE_SCHEMA:
                return nonempty(c, "--value-schema", arg, &c->value.schema_file);
        case CODEC_OPT_KEY_SCHEMA_ID: return parse_schema_id(c, &c->key, arg);
        case CODEC_OPT_VALUE_SCHEMA_ID: return parse_schema_id(c, &c->value, arg);
        case CODEC_OPT_KEY_SUBJECT:
                return nonempty(c, "--key-subject", arg, &c->key.subject);
        case CODEC_OPT_VALUE_SUBJECT:
                return nonempty(c, "--value-subject", arg, &c->value.subject);
        case CODEC_OPT_JSON_STYLE: return parse_style(c, arg);
        case CODEC_OPT_DECIMAL:
                if (strcmp(arg, "text") && strcmp(arg, "bytes")) {
                        cli_usage_err(c->cmd, "--decimal \"%s\": expected text or bytes", arg);
                        return -1;
                }
                c->decimal_text = !strcmp(arg, "text");
                return 1;
        default: return 0;
        }
}

static int check_role(codec_t *c, codec_role_t *r)
{
        int sources = !!r->schema_file + (r->schema_id >= 0) + !!r->subject;

        if (sources > 1)
                return cli_usage_err(c->cmd, "give one of --%s-schema, --%s-schema-id "
                                     "and --%s-subject", r->name, r->name, r->name);
        if (sources == 1 && r->format != CODEC_AVRO)
                return cli_usage_err(c->cmd, "a %s schema needs --%s-format avro",
                                     r->name, r->name);
        if (c->producing && r->format == CODEC_AVRO && sources == 0)
                return cli_usage_err(c->cmd, "--%s-format avro needs the schema: "
                                     "--%s-schema FILE.avsc, --%s-schema-id ID or "
                                     "--%s-subject SUBJECT", r->name, r->name,
                                     r->name, r->name);
        return -1;
}

int codec_uses_registry(const codec_t *c)
{
        return c->key.format == CODEC_AVRO || c->value.format == CODEC_AVRO;
}

int codec_check(codec_t *c)
{
        int rc;

        if ((rc = check_role(c, &c->key)) >= 0 || (rc = check_role(c, &c->value)) >= 0)
                return rc;
        if (c->decimal_text == 1 ||
            (c->decimal_text == -1 && c->style == KAFKIT_AVRO_JSON_PLAIN))
                c->style |= KAFKIT_AVRO_JSON_DECIMAL_TEXT;
        return -1;
}

/* ---------------------------------------------------------------- opening */

/*
 * A registry that is down should be reported in a second or two, not
 * after the library's patient defaults (3 retries with backoff from 1 s,
 * 30 s per attempt). Explicit settings still win.
 */
kafkit_err_t codec_registry_conf(kafkit_conf_t *conf, const char *url, kafkit_error_t *err)
{
        if (url && kafkit_conf_set(conf, "schema.registry.url", url, err))
                return err->code;
        if (cli_conf_default(conf, "schema.registry.url", NULL, CODEC_DEFAULT_URL, err) ||
            cli_conf_default(conf, "schema.registry.connect.timeout.ms", NULL, "5000", err) ||
            cli_conf_default(conf, "schema.registry.request.timeout.ms", NULL, "15000", err) ||
            cli_conf_default(conf, "schema.registry.max.retries", NULL, "2", err) ||
            cli_conf_default(conf, "schema.registry.retries.wait.ms", NULL, "200", err))
                return err->code;
        return KAFKIT_OK;
}

/* Reads a schema file into r->schema_text and checks it parses. */
static int read_schema(codec_role_t *r)
{
        FILE *f = fopen(r->schema_file, "rb");
        kafkit_avro_schema_t *s;
        kafkit_error_t err;
        size_t len = 0, cap = 2048, n = 0;
        char *buf;

        if (!f) {
                cli_err("%s: %s", r->schema_file, strerror(errno));
                return -1;
        }
        do {
                if (cap - len < 2 && cap >= CODEC_SCHEMA_MAX) {
                        cli_err("%s: too large for a schema", r->schema_file);
                        goto fail;
                }
                if (cap - len < 2)
                        cap *= 2;
                if (!(buf = realloc(r->schema_text, cap))) {
                        cli_err("%s: out of memory", r->schema_file);
                        goto fail;
                }
                r->schema_text = buf;
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        if (ferror(f)) {
                cli_err("%s: %s", r->schema_file, strerror(errno));
                goto fail;
        }
        fclose(f);
        r->schema_text[len] = '\0';
        kafkit_error_clear(&err);
        s = kafkit_avro_schema_new(r->schema_text, len, &err);
        if (!s) {
                cli_err("%s: %s", r->schema_file, err.message);
                return -1;
        }
        kafkit_avro_schema_destroy(s);
        return 0;
fail:
        fclose(f);
        return -1;
}

/* r->schema_text from the registry: schema `id`, or the latest version of
 * r->subject. With *id_out (may be NULL) the id. */
static int fetch_schema(codec_t *c, codec_role_t *r, int32_t *id_out)
{
        const kafkit_registry_schema_t *s = NULL;
        kafkit_registry_error_t rerr;
        kafkit_err_t code;

        kafkit_registry_error_clear(&rerr);
        if (r->subject)
                code = kafkit_registry_get_version(c->registry, r->subject,
                                                   KAFKIT_REGISTRY_LATEST, &s, &rerr);
        else
                code = kafkit_registry_get_by_id(c->registry, r->schema_id, &s, &rerr);
        if (code != KAFKIT_OK) {
                cli_err("%s schema: %s", r->name, rerr.error.message);
                return -1;
        }
        r->schema_text = strdup(s->schema);
        if (id_out)
                *id_out = s->id;
        kafkit_registry_schema_destroy(s);
        if (!r->schema_text) {
                cli_err("out of memory");
                return -1;
        }
        return 0;
}

/*
 * Producing: the serdes writes with r->schema_text (a file), or with the
 * registered schema use.schema.id names (an id, or a subject's latest).
 * Consuming: the schema, if any, is the reader schema.
 */
static int open_role(codec_t *c, codec_role_t *r, const kafkit_conf_t *base)
{
        kafkit_conf_t *conf = NULL;
        kafkit_error_t err;
        int32_t id = r->schema_id;
        char idtext[16];
        int rc = -1;

        if (r->format != CODEC_AVRO)
                return 0;
        if (r->schema_file ? read_schema(r)
                           : (r->subject || r->schema_id >= 0) && fetch_schema(c, r, &id))
                return -1;
        kafkit_error_clear(&err);
        if (!(conf = kafkit_conf_dup(base))) {
                cli_err("out of memory");
                return -1;
        }
        snprintf(idtext, sizeof(idtext), "%d", (int)id);
        if (c->producing && !r->schema_file &&
            kafkit_conf_set(conf, "use.schema.id", idtext, &err))
                goto fail;
        if (!(r->serdes = kafkit_serdes_new(conf, r->role, c->registry, &err)))
                goto fail;
        if (!c->producing && r->schema_text &&
            kafkit_serdes_set_reader(r->serdes, r->schema_text, NULL, 0, &err))
                goto fail;
        rc = 0;
        goto out;
fail:
        cli_err("%s: %s", r->name, err.message);
out:
        kafkit_conf_destroy(conf);
        return rc;
}

int codec_open(codec_t *c, kafkit_conf_t *conf)
{
        kafkit_registry_error_t rerr;

        if (!codec_uses_registry(c))
                return 0;
        kafkit_registry_error_clear(&rerr);
        if (codec_registry_conf(conf, c->url, &rerr.error)) {
                cli_err_kafkit(&rerr.error);
                return CLI_EXIT_USAGE;
        }
        c->registry = kafkit_registry_new(conf, &rerr);
        if (!c->registry) {
                cli_err_kafkit(&rerr.error);
                return rerr.error.code == KAFKIT_ERR_CONF ? CLI_EXIT_USAGE
                                                          : CLI_EXIT_FAILURE;
        }
        if (open_role(c, &c->key, conf) || open_role(c, &c->value, conf))
                return CLI_EXIT_FAILURE;
        return 0;
}

static void close_role(codec_role_t *r)
{
        kafkit_serdes_destroy(r->serdes);
        r->serdes = NULL;
        free(r->schema_text);
        r->schema_text = NULL;
        kafkit_buf_free(&r->buf);
}

void codec_close(codec_t *c)
{
        close_role(&c->key);
        close_role(&c->value);
        kafkit_registry_destroy(c->registry);
        c->registry = NULL;
        free(c->headers);
        c->headers = NULL;
        c->header_cap = 0;
}

/* ------------------------------------------------------------ per record */

kafkit_err_t codec_encode(codec_t *c, codec_role_t *r, const kafkit_serdes_ctx_t *ctx,
                          const char *data, size_t len,
                          const void **out, size_t *out_len, kafkit_error_t *err)
{
        char why[256];

        *out = data;
        *out_len = len;
        kafkit_error_clear(err);
        switch (r->format) {
        case CODEC_STRING:
                return KAFKIT_OK;
        case CODEC_JSON:
                if (kafkit_json_validate(data, len, err) == KAFKIT_OK)
                        return KAFKIT_OK;
                snprintf(why, sizeof(why), "%.200s", err->message);
                snprintf(err->message, sizeof(err->message), "%s: not JSON: %s",
                         r->name, why);
                return err->code;
        case CODEC_AVRO:
                break;
        }
        kafkit_buf_reset(&r->buf);
        if (kafkit_serdes_serialize_json(r->serdes, ctx,
                                         r->schema_file ? r->schema_text : NULL, NULL, 0,
                                         data, len, c->style, &r->buf, NULL, err))
                return err->code;
        *out = r->buf.data;
        *out_len = r->buf.len;
        return KAFKIT_OK;
}

/* One side of a record, in place: a null one and a string one stay. */
static kafkit_err_t encode_side(codec_t *c, codec_role_t *r, const kafkit_serdes_ctx_t *ctx,
                                const void **data, size_t *len, kafkit_error_t *err)
{
        if (!*data || r->format == CODEC_STRING)
                return KAFKIT_OK;
        return codec_encode(c, r, ctx, *data, *len, data, len, err);
}

kafkit_err_t codec_encode_record(codec_t *c, kafkit_record_t *rec, kafkit_error_t *err)
{
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_err_t e;

        ctx.topic = rec->topic;
        ctx.partition = rec->partition;
        kafkit_error_clear(err);
        e = encode_side(c, &c->key, &ctx, &rec->key, &rec->key_len, err);
        if (e == KAFKIT_OK)
                e = encode_side(c, &c->value, &ctx, &rec->value, &rec->value_len, err);
        return e;
}

int codec_headers(codec_t *c, const kafkit_message_t *msg, size_t *cnt)
{
        size_t n = kafkit_message_header_count(msg), i;
        kafkit_header_t *h;

        if (n > c->header_cap) {
                h = realloc(c->headers, n * sizeof(*h));
                if (!h)
                        return -1;
                c->headers = h;
                c->header_cap = n;
        }
        for (i = 0; i < n; i++) {
                h = &c->headers[i];
                if (!kafkit_message_header(msg, i, &h->name, &h->value, &h->value_len))
                        break;
        }
        *cnt = i;
        return 0;
}

/* "topic 'T' partition P offset O: ROLE: not JSON: ..." */
static kafkit_err_t json_failed(const codec_role_t *r, const kafkit_message_t *msg,
                                const char *why, kafkit_error_t *err)
{
        snprintf(err->message, sizeof(err->message),
                 "topic '%s' partition %d offset %lld: %s: not JSON: %s",
                 kafkit_message_topic(msg), (int)kafkit_message_partition(msg),
                 (long long)kafkit_message_offset(msg), r->name, why);
        return err->code = KAFKIT_ERR_PARSE;
}

kafkit_err_t codec_decode(codec_t *c, codec_role_t *r, const kafkit_message_t *msg,
                          const void **out, size_t *out_len, kafkit_error_t *err)
{
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        size_t len = 0, hcnt = 0;
        const void *data;
        char why[256];

        kafkit_error_clear(err);
        data = r->role == KAFKIT_SERDES_KEY ? kafkit_message_key(msg, &len)
                                            : kafkit_message_value(msg, &len);
        *out = data;
        *out_len = len;
        if (!data || r->format == CODEC_STRING)
                return KAFKIT_OK;
        if (r->format == CODEC_JSON) {
                if (kafkit_json_validate(data, len, err) == KAFKIT_OK)
                        return KAFKIT_OK;
                snprintf(why, sizeof(why), "%.200s", err->message);
                return json_failed(r, msg, why, err);
        }
        ctx.topic = kafkit_message_topic(msg);
        ctx.partition = kafkit_message_partition(msg);
        ctx.offset = kafkit_message_offset(msg);
        if (codec_headers(c, msg, &hcnt)) {
                snprintf(err->message, sizeof(err->message), "out of memory");
                return err->code = KAFKIT_ERR_NOMEM;
        }
        kafkit_buf_reset(&r->buf);
        if (kafkit_serdes_deserialize_json(r->serdes, &ctx, data, len,
                                           hcnt ? c->headers : NULL, hcnt, c->style,
                                           &r->buf, NULL, err))
                return err->code;
        *out = r->buf.data ? r->buf.data : "";
        *out_len = r->buf.len;
        return KAFKIT_OK;
}
