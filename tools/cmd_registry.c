/*
 * cmd_registry.c: `kafkit registry`, a development Schema Registry.
 *
 * Starts the library's registry server (Confluent's REST API, Avro
 * schemas), in memory or durable in a data directory, announces its URL as
 * one "schema.registry.url=..." line on stdout (for scripts and -X), and
 * runs until SIGINT or SIGTERM.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define REG_CMD "registry"
#define REG_BUSY_HINT "is another registry running there? Choose another address " \
                      "with --listen HOST:PORT (port 0 picks a free one)"

typedef struct reg_opts_s {
        const char *listen;
        const char *data_dir;           /* NULL: in memory */
        const char **props;             /* -X pairs, borrowed from argv */
        size_t prop_cnt;
        int quiet;
} reg_opts_t;

static void usage(FILE *out)
{
        fputs("Usage: kafkit registry [--listen HOST:PORT] [--data DIR]\n"
              "                       [-X prop=value]... [-q]\n"
              "\n"
              "Runs a Schema Registry for development (Confluent's REST API, Avro\n"
              "schemas) until interrupted (Ctrl-C, SIGINT or SIGTERM), then exits 0.\n"
              "Once it is ready it prints one line on stdout:\n"
              "  schema.registry.url=http://HOST:PORT\n"
              "\n"
              "  --listen HOST:PORT  address to serve on (default "
              KAFKIT_REGISTRY_SERVER_DEFAULT_LISTEN ");\n"
              "                      port 0 picks a free port\n"
              "  --data DIR          keep schemas in DIR (created if missing), in an\n"
              "                      append-only log synced to disk before each\n"
              "                      answer: ids and versions survive restarts and\n"
              "                      crashes. Without it everything is lost at exit.\n"
              "  -X prop=value       logging: log_level=0..7 (7 logs every request)\n"
              "  -q, --quiet         no startup message on stderr\n"
              "  -h, --help          this help\n"
              "\n"
              "Exit status: 0 after SIGINT/SIGTERM, 1 if the registry cannot start\n"
              "(the address is taken, the data directory is unusable or in use),\n"
              "2 for a bad command line.\n"
              "\n"
              "Example:\n"
              "  kafkit registry --data ./registry-data &\n"
              "  curl -s -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' \\\n"
              "       -d '{\"schema\": \"\\\"string\\\"\"}' \\\n"
              "       http://127.0.0.1:8081/subjects/orders-value/versions\n",
              out);
}

enum { OPT_LISTEN = 256, OPT_DATA };

/* Fills `o` from argv. Returns -1 to go on, or an exit code (--help: 0). */
static int parse_args(reg_opts_t *o, int argc, char **argv)
{
        static const struct option longopts[] = {
                { "listen", required_argument, NULL, OPT_LISTEN },
                { "data", required_argument, NULL, OPT_DATA },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        int opt;

        o->listen = KAFKIT_REGISTRY_SERVER_DEFAULT_LISTEN;
        o->props = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*o->props));
        if (!o->props) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        optind = 1;
        while ((opt = getopt_long(argc, argv, ":X:qh", longopts, NULL)) != -1) {
                switch (opt) {
                case OPT_LISTEN:
                        o->listen = optarg;
                        break;
                case OPT_DATA:
                        if (!*optarg)
                                return cli_usage_err(REG_CMD, "--data: empty directory "
                                                     "name");
                        o->data_dir = optarg;
                        break;
                case 'X':
                        o->props[o->prop_cnt++] = optarg;
                        break;
                case 'q':
                        o->quiet = 1;
                        break;
                case 'h':
                        usage(stdout);
                        return CLI_EXIT_OK;
                default:
                        return cli_bad_opt(REG_CMD, opt, argv);
                }
        }
        if (optind < argc)
                return cli_usage_err(REG_CMD, "unexpected argument \"%s\"", argv[optind]);
        return -1;
}

static int reg_announce(const reg_opts_t *o, const kafkit_registry_server_t *srv)
{
        if (printf("schema.registry.url=%s\n", kafkit_registry_server_url(srv)) < 0 ||
            fflush(stdout) == EOF) {
                cli_err("cannot write to stdout");
                return CLI_EXIT_FAILURE;
        }
        if (!o->quiet)
                fprintf(stderr, "kafkit registry: serving on %s, %s%s; Ctrl-C stops\n",
                        kafkit_registry_server_address(srv),
                        o->data_dir ? "data in " : "in memory",
                        o->data_dir ? o->data_dir : "");
        return 0;
}

int cmd_registry(int argc, char **argv)
{
        kafkit_registry_server_t *srv = NULL;
        kafkit_conf_t *conf = NULL;
        reg_opts_t opts;
        int rc;

        memset(&opts, 0, sizeof(opts));
        rc = parse_args(&opts, argc, argv);
        if (rc >= 0)
                goto out;
        cli_install_signals();
        rc = cli_conf_from_props(REG_CMD, opts.props, opts.prop_cnt, &conf);
        if (!rc)
                rc = cli_registry_server_start(REG_CMD, conf, opts.listen, opts.data_dir,
                                               "--listen", REG_BUSY_HINT, &srv);
        if (!rc)
                rc = reg_announce(&opts, srv);
        if (!rc)
                cli_wait_stop();
        kafkit_registry_server_destroy(srv);
        kafkit_conf_destroy(conf);
out:
        free(opts.props);
        return rc;
}
