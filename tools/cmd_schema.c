/*
 * cmd_schema.c: `kafkit schema`, Schema Registry chores from a terminal:
 * register, get, list, check, delete and config, plus an offline check
 * between .avsc files that runs kafkit's compatibility rules (the same the
 * dev registry runs) without any server.
 *
 * Every subcommand parses one shared option set; a table says which options
 * each accepts, so a misplaced one is a usage error rather than silently
 * ignored. Output on stdout is meant for scripts (an id, a level, one
 * subject or version per line); registry errors come from the client
 * already formatted with the URL, HTTP status, error_code and message.
 * Only the public registry client and Avro APIs are used.
 */
#include "cmd_schema.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_CMD "schema"

typedef struct schema_sub_s {
        const char *name;
        int (*run)(schema_opts_t *o, kafkit_registry_t *r);
        unsigned allowed;
        const char *summary;
        const char *help;
} schema_sub_t;

/* ------------------------------------------------------------------ help */

#define HELP_COMMON                                                            \
        "  -r URL            registry URL (default: schema.registry.url from\n" \
        "                    -X/-F/$KAFKIT_CONF_SCHEMA_REGISTRY_URL, else\n"    \
        "                    " SCHEMA_DEFAULT_URL ")\n"                         \
        "  -X PROP=VALUE     a client property (basic.auth.user.info=...,\n"    \
        "                    schema.registry.request.timeout.ms=...)\n"         \
        "  -F FILE           read properties from FILE\n"                       \
        "  -h, --help        this help\n"

static const char help_register[] =
        "Usage: kafkit schema register [-r URL] -s SUBJECT FILE.avsc\n"
        "                              [--normalize] [--reference NAME=SUBJECT:VERSION]...\n"
        "\n"
        "Registers the Avro schema in FILE (- for stdin) under SUBJECT and prints\n"
        "its id. Registering a schema the subject already has returns its id.\n"
        "A schema the subject's compatibility level refuses is an error (HTTP 409)\n"
        "listing the reasons.\n"
        "\n"
        "  -s SUBJECT        subject (for example orders-value)\n"
        "  --normalize       let the registry normalize the schema first\n"
        "  --reference NAME=SUBJECT:VERSION\n"
        "                    the schema uses named type NAME, defined by\n"
        "                    VERSION of SUBJECT (repeatable)\n"
        HELP_COMMON
        "\n"
        "Examples:\n"
        "  kafkit schema register -s users-value schemas/user_event.avsc\n"
        "  kafkit schema register -r http://127.0.0.1:8081 -s orders-value \\\n"
        "      --reference shop.Item=items-value:1 order.avsc\n";

static const char help_get[] =
        "Usage: kafkit schema get [-r URL] (--id ID | -s SUBJECT [--version V|latest])\n"
        "                         [--raw]\n"
        "\n"
        "Prints a schema: the one with global id ID, or version V (default latest)\n"
        "of SUBJECT. The JSON is indented unless --raw, which prints the text as\n"
        "the registry stores it. With -v the id, subject and version go to stderr.\n"
        "\n"
        "  --id ID           global schema id\n"
        "  -s SUBJECT        subject\n"
        "  --version V       version number, or latest (default)\n"
        "  --raw             the text as stored, on one line\n"
        HELP_COMMON
        "\n"
        "Examples:\n"
        "  kafkit schema get --id 1\n"
        "  kafkit schema get -s users-value --version 2 --raw\n";

static const char help_list[] =
        "Usage: kafkit schema list [-r URL] [-s SUBJECT]\n"
        "\n"
        "Prints every subject, one per line, or with -s the versions of SUBJECT.\n"
        "\n"
        "  -s SUBJECT        list the versions of SUBJECT\n"
        HELP_COMMON
        "\n"
        "Examples:\n"
        "  kafkit schema list\n"
        "  kafkit schema list -s users-value\n";

static const char help_check[] =
        "Usage: kafkit schema check [-r URL] -s SUBJECT FILE.avsc [--version V|latest]\n"
        "                           [--reference NAME=SUBJECT:VERSION]...\n"
        "       kafkit schema check --offline OLD.avsc [NEWER.avsc...] NEW.avsc\n"
        "                           [--level LEVEL]\n"
        "\n"
        "Says whether the schema in FILE could be registered: compatible with\n"
        "version V (default latest) of SUBJECT, as the registry judges it.\n"
        "With --offline no registry is asked: NEW.avsc is checked against the\n"
        "older files (oldest first) under LEVEL (default BACKWARD) with kafkit's\n"
        "own rules, the ones `kafkit dev` and `kafkit registry` apply.\n"
        "Prints \"compatible\", or \"incompatible\" and one reason per line.\n"
        "\n"
        "  -s SUBJECT        subject to check against\n"
        "  --version V       version number, or latest (default)\n"
        "  --reference NAME=SUBJECT:VERSION   as for register (repeatable)\n"
        "  --offline         compare files, no registry\n"
        "  --level LEVEL     BACKWARD, BACKWARD_TRANSITIVE, FORWARD,\n"
        "                    FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE\n"
        HELP_COMMON
        "\n"
        "Exit status: 0 compatible, 1 incompatible or an error, 2 usage error.\n"
        "\n"
        "Examples:\n"
        "  kafkit schema check -s users-value schemas/user_event_v2.avsc\n"
        "  kafkit schema check --offline schemas/user_event.avsc \\\n"
        "      schemas/user_event_v2.avsc --level FULL\n";

static const char help_delete[] =
        "Usage: kafkit schema delete [-r URL] -s SUBJECT [--version V|latest]\n"
        "                            [--permanent]\n"
        "\n"
        "Deletes SUBJECT (every version), or one version of it, and prints the\n"
        "deleted version numbers, one per line. Deletes are soft (the ids stay\n"
        "readable) unless --permanent, which the registry accepts only after a\n"
        "soft delete.\n"
        "\n"
        "  -s SUBJECT        subject\n"
        "  --version V       only version V (a number, or latest)\n"
        "  --permanent       hard delete (after a soft one)\n"
        HELP_COMMON
        "\n"
        "Examples:\n"
        "  kafkit schema delete -s users-value --version 1\n"
        "  kafkit schema delete -s users-value && \\\n"
        "      kafkit schema delete -s users-value --permanent\n";

static const char help_config[] =
        "Usage: kafkit schema config [-r URL] [-s SUBJECT] [--set LEVEL]\n"
        "\n"
        "Prints the compatibility level of SUBJECT (its own, else the global\n"
        "one), or the global level without -s. With --set LEVEL, sets it and\n"
        "prints it.\n"
        "\n"
        "  -s SUBJECT        subject (default: the global level)\n"
        "  --set LEVEL       BACKWARD, BACKWARD_TRANSITIVE, FORWARD,\n"
        "                    FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE\n"
        HELP_COMMON
        "\n"
        "Examples:\n"
        "  kafkit schema config\n"
        "  kafkit schema config -s users-value --set FULL\n";


static const schema_sub_t subs[] = {
        { "register", schema_run_register, O_SERVER | O_SUBJECT | O_NORMALIZE | O_REFERENCE,
          "register a schema file under a subject, print its id", help_register },
        { "get", schema_run_get, O_SERVER | O_SUBJECT | O_ID | O_VERSION | O_RAW,
          "print a schema by id or subject and version", help_get },
        { "list", schema_run_list, O_SERVER | O_SUBJECT,
          "list subjects, or the versions of one", help_list },
        { "check", schema_run_check,
          O_SERVER | O_SUBJECT | O_VERSION | O_REFERENCE | O_OFFLINE | O_LEVEL,
          "test a schema file for compatibility (or --offline)", help_check },
        { "delete", schema_run_delete, O_SERVER | O_SUBJECT | O_VERSION | O_PERMANENT,
          "delete a subject or one version", help_delete },
        { "config", schema_run_config, O_SERVER | O_SUBJECT | O_SET,
          "show or set a compatibility level", help_config },
};

#define SUB_CNT (sizeof(subs) / sizeof(subs[0]))

static void usage(FILE *out)
{
        size_t i;

        fputs("Usage: kafkit schema COMMAND [options]\n"
              "\n"
              "Works with a Schema Registry (Confluent's REST API), such as the one\n"
              "`kafkit dev` and `kafkit registry` run.\n"
              "\n"
              "Commands:\n",
              out);
        for (i = 0; i < SUB_CNT; i++)
                fprintf(out, "  %-9s %s\n", subs[i].name, subs[i].summary);
        fputs("\n"
              "The registry is -r URL, else schema.registry.url from -X, -F or\n"
              "$KAFKIT_CONF_SCHEMA_REGISTRY_URL, else " SCHEMA_DEFAULT_URL ".\n"
              "Run 'kafkit schema COMMAND --help' for the options of each.\n"
              "Exit codes: 0 success, 1 failure (or incompatible), 2 usage error.\n"
              "\n"
              "Example:\n"
              "  kafkit schema register -s users-value schemas/user_event.avsc\n"
              "  kafkit schema check --offline schemas/user_event.avsc \\\n"
              "      schemas/user_event_v2.avsc\n",
              out);
}

/* --------------------------------------------------------------- options */

static const char *opt_name(unsigned bit)
{
        switch (bit) {
        case O_REGISTRY: return "-r";
        case O_SUBJECT: return "-s";
        case O_ID: return "--id";
        case O_VERSION: return "--version";
        case O_NORMALIZE: return "--normalize";
        case O_REFERENCE: return "--reference";
        case O_PERMANENT: return "--permanent";
        case O_SET: return "--set";
        case O_OFFLINE: return "--offline";
        case O_LEVEL: return "--level";
        case O_RAW: return "--raw";
        default: return "-X/-F";
        }
}

/* "latest", -1, or a version 1..INT32_MAX. */
static int parse_version(schema_opts_t *o, const char *arg)
{
        int64_t v;

        if (!strcmp(arg, "latest") || !strcmp(arg, "-1")) {
                o->version = KAFKIT_REGISTRY_LATEST;
                return 0;
        }
        if (cli_parse_i64(arg, 1, INT32_MAX, &v) == 0) {
                o->version = (int)v;
                return 0;
        }
        cli_usage_err(o->sub, "--version \"%s\": expected a version number (1, 2...) "
                      "or latest", arg);
        return -1;
}

static int parse_id(schema_opts_t *o, const char *arg)
{
        int64_t v;

        if (cli_parse_i64(arg, 0, INT32_MAX, &v) == 0) {
                o->id = (int32_t)v;
                return 0;
        }
        cli_usage_err(o->sub, "--id \"%s\": expected a schema id (0..%d)", arg,
                      INT32_MAX);
        return -1;
}

/* "NAME=SUBJECT:VERSION" into the next reference. */
static int parse_reference(schema_opts_t *o, const char *arg)
{
        kafkit_registry_ref_t *ref = &o->refs[o->ref_cnt];
        char *copy = strdup(arg), *eq, *colon;
        int64_t v;

        if (!copy) {
                cli_err("out of memory");
                return -1;
        }
        o->ref_bufs[o->ref_cnt] = copy;
        eq = strchr(copy, '=');
        colon = eq ? strrchr(eq + 1, ':') : NULL;
        if (!eq || eq == copy || !colon || colon == eq + 1 ||
            cli_parse_i64(colon + 1, 1, INT32_MAX, &v)) {
                free(copy);
                o->ref_bufs[o->ref_cnt] = NULL;
                cli_usage_err(o->sub, "--reference \"%s\": expected NAME=SUBJECT:VERSION, "
                              "for example shop.Item=items-value:1", arg);
                return -1;
        }
        *eq = '\0';
        *colon = '\0';
        ref->name = copy;
        ref->subject = eq + 1;
        ref->version = (int)v;
        o->ref_cnt++;
        return 0;
}

static int parse_level(schema_opts_t *o, const char *opt, const char *arg,
                       kafkit_avro_compat_level_t *level)
{
        kafkit_error_t err;

        kafkit_error_clear(&err);
        if (kafkit_avro_compat_level_parse(arg, level, &err) == KAFKIT_OK)
                return 0;
        cli_usage_err(o->sub, "%s \"%s\": expected BACKWARD, BACKWARD_TRANSITIVE, "
                      "FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE",
                      opt, arg);
        return -1;
}

enum {
        LO_ID = 256,
        LO_VERSION,
        LO_NORMALIZE,
        LO_REFERENCE,
        LO_PERMANENT,
        LO_SET,
        LO_OFFLINE,
        LO_LEVEL,
        LO_RAW
};

/* One option: 0, -1 for a usage error already printed, 1 for --help. */
static int take_opt(schema_opts_t *o, int opt, const char *arg)
{
        kafkit_avro_compat_level_t ignored;

        switch (opt) {
        case 'r': o->given |= O_REGISTRY; o->url = arg; return 0;
        case 's': o->given |= O_SUBJECT; o->subject = arg; return 0;
        case 'X': case 'F': o->given |= O_CONF; break;
        case 'q': case 'v': break;
        case 'h': return 1;
        case LO_ID: o->given |= O_ID; return parse_id(o, arg);
        case LO_VERSION: o->given |= O_VERSION; return parse_version(o, arg);
        case LO_NORMALIZE: o->given |= O_NORMALIZE; return 0;
        case LO_REFERENCE: o->given |= O_REFERENCE; return parse_reference(o, arg);
        case LO_PERMANENT: o->given |= O_PERMANENT; return 0;
        case LO_SET:
                o->given |= O_SET;
                o->set_level = arg;
                return parse_level(o, "--set", arg, &ignored);
        case LO_OFFLINE: o->given |= O_OFFLINE; return 0;
        case LO_LEVEL: o->given |= O_LEVEL; return parse_level(o, "--level", arg, &o->level);
        case LO_RAW: o->given |= O_RAW; return 0;
        default:
                cli_usage_err(o->sub, "unknown option");
                return -1;
        }
        cli_common_opt(&o->common, opt, arg);
        return 0;
}

/* The first option given that `allowed` does not have, or 0. */
static unsigned stray_option(unsigned given, unsigned allowed)
{
        unsigned bit;

        for (bit = 1; bit <= O_CONF; bit <<= 1)
                if ((given & bit) && !(allowed & bit))
                        return bit;
        return 0;
}

/* Parses argv (argv[0] is the subcommand). -1 to go on, or an exit code. */
static int parse_args(schema_opts_t *o, const schema_sub_t *sub, int argc, char **argv)
{
        static const struct option longopts[] = {
                { "registry", required_argument, NULL, 'r' },
                { "subject", required_argument, NULL, 's' },
                { "id", required_argument, NULL, LO_ID },
                { "version", required_argument, NULL, LO_VERSION },
                { "normalize", no_argument, NULL, LO_NORMALIZE },
                { "reference", required_argument, NULL, LO_REFERENCE },
                { "permanent", no_argument, NULL, LO_PERMANENT },
                { "set", required_argument, NULL, LO_SET },
                { "offline", no_argument, NULL, LO_OFFLINE },
                { "level", required_argument, NULL, LO_LEVEL },
                { "raw", no_argument, NULL, LO_RAW },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        unsigned stray;
        int opt, r;

        opterr = 0;
        optind = 0;
        while ((opt = getopt_long(argc, argv, ":r:s:X:F:qvh", longopts, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_opt(o->sub, opt, argv);
                r = take_opt(o, opt, optarg);
                if (r == 1) {
                        fputs(sub->help, stdout);
                        return CLI_EXIT_OK;
                }
                if (r == -1)
                        return CLI_EXIT_USAGE;
        }
        stray = stray_option(o->given, sub->allowed);
        if (stray)
                return cli_usage_err(o->sub, "%s does not apply to 'kafkit schema %s'",
                                     opt_name(stray), sub->name);
        o->args = argv + optind;
        o->arg_cnt = argc - optind;
        return -1;
}

/* Usage checks of the positional arguments: `want` exactly (or at least
 * `want` when `at_least`). Returns -1 if fine, else CLI_EXIT_USAGE. */
static const schema_sub_t *find_sub(const char *name)
{
        size_t i;

        for (i = 0; i < SUB_CNT; i++)
                if (!strcmp(subs[i].name, name))
                        return &subs[i];
        return NULL;
}

static void opts_free(schema_opts_t *o)
{
        size_t i;

        for (i = 0; i < o->ref_cnt; i++)
                free(o->ref_bufs[i]);
        free(o->ref_bufs);
        free(o->refs);
        cli_common_free(&o->common);
}

static int opts_alloc(schema_opts_t *o, const char *sub, int argc)
{
        size_t n = argc > 0 ? (size_t)argc : 1;

        memset(o, 0, sizeof(*o));
        o->sub = sub;
        o->version = KAFKIT_REGISTRY_LATEST;
        o->level = KAFKIT_AVRO_COMPAT_BACKWARD;
        if (cli_common_init(&o->common, sub, argc))
                return -1;
        o->refs = calloc(n, sizeof(*o->refs));
        o->ref_bufs = calloc(n, sizeof(*o->ref_bufs));
        if (!o->refs || !o->ref_bufs) {
                cli_err("out of memory");
                return -1;
        }
        return 0;
}

/* Runs a parsed subcommand: offline checks need no registry. */
static int dispatch(schema_opts_t *o, const schema_sub_t *sub)
{
        kafkit_registry_t *r;
        int rc = CLI_EXIT_FAILURE;

        if (sub->run == schema_run_check && (o->given & O_OFFLINE)) {
                if (o->given & (O_SERVER | O_SUBJECT | O_VERSION | O_REFERENCE))
                        return cli_usage_err(o->sub, "--offline compares files: no -r, "
                                             "-s, --version, --reference, -X or -F");
                if ((rc = schema_want_args(o, 2, 1, "OLD.avsc and NEW.avsc")) >= 0)
                        return rc;
                return schema_finish_output(schema_check_offline(o));
        }
        r = schema_open_registry(o, &rc);
        if (!r)
                return rc;
        rc = schema_finish_output(sub->run(o, r));
        kafkit_registry_destroy(r);
        return rc;
}

int cmd_schema(int argc, char **argv)
{
        char cmdname[32];
        const schema_sub_t *sub;
        schema_opts_t o;
        int rc;

        if (argc < 2) {
                usage(stderr);
                return CLI_EXIT_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
            !strcmp(argv[1], "help")) {
                usage(stdout);
                return CLI_EXIT_OK;
        }
        sub = find_sub(argv[1]);
        if (!sub)
                return cli_usage_err(SCHEMA_CMD, "unknown command \"%s\" (register, get, "
                                     "list, check, delete or config)", argv[1]);
        snprintf(cmdname, sizeof(cmdname), "schema %s", sub->name);
        if (opts_alloc(&o, cmdname, argc)) {
                opts_free(&o);
                return CLI_EXIT_FAILURE;
        }
        rc = parse_args(&o, sub, argc - 1, argv + 1);
        if (rc == -1)
                rc = dispatch(&o, sub);
        opts_free(&o);
        return rc;
}
