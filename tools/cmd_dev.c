/*
 * cmd_dev.c: `kafkit dev`, a Kafka cluster for development on loopback.
 *
 * Starts the library's dev cluster (librdkafka's mock brokers), creates the
 * topics asked for, forwards a fixed address to broker 1 so the usual
 * "-b localhost:9092" works, starts a development Schema Registry beside it
 * (127.0.0.1:8081 unless told otherwise), announces the brokers as a
 * "bootstrap.servers=..." line followed by a "schema.registry.url=..." line
 * (stdout and optionally a file, for scripts: the first line stays the
 * bootstrap.servers one), and runs until SIGINT or SIGTERM.
 *
 * Each service the command runs starts in dev_start() and stops in
 * dev_stop(), in reverse order; the announcement comes only once all are
 * up.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEV_CMD "dev"
#define DEV_DEFAULT_BROKERS 1
#define DEV_MAX_BROKERS 32            /* kafkit_dev_cluster_new()'s limit */
#define DEV_MAX_PARTITIONS 100000
#define DEV_DEFAULT_LISTEN "localhost:9092"
#define DEV_DEFAULT_REGISTRY KAFKIT_REGISTRY_SERVER_DEFAULT_LISTEN
#define DEV_REGISTRY_BUSY_HINT                                                   \
        "is another 'kafkit dev' or a Schema Registry running there? Choose "    \
        "another address with --registry HOST:PORT (port 0 picks a free one), " \
        "or --registry none"

typedef struct dev_topic_s {
        const char *spec;       /* "NAME:PARTITIONS" as given, for messages */
        char *name;
        int partitions;
} dev_topic_t;

typedef struct dev_opts_s {
        int brokers;
        const char *listen;             /* NULL: --listen none */
        const char *registry;           /* NULL: --registry none */
        const char *registry_data;      /* NULL: registry in memory */
        const char *bootstrap_file;     /* NULL: none */
        dev_topic_t *topics;
        size_t topic_cnt;
        const char **props;             /* -X pairs, borrowed from argv */
        size_t prop_cnt;
        int quiet;
} dev_opts_t;

/* What is running; dev_stop() undoes dev_start() from any point. */
typedef struct dev_state_s {
        kafkit_conf_t *conf;
        kafkit_dev_cluster_t *cluster;
        kafkit_registry_server_t *registry;
        int wrote_bootstrap_file;
} dev_state_t;

static void usage(FILE *out)
{
        fputs("Usage: kafkit dev [--brokers N] [--topic NAME:PARTITIONS]...\n"
              "                  [--listen HOST:PORT|none] [--bootstrap-file FILE]\n"
              "                  [--registry HOST:PORT|none] [--registry-data DIR]\n"
              "                  [-X prop=value]... [-q]\n"
              "\n"
              "Runs a Kafka cluster for development on loopback (librdkafka's mock\n"
              "brokers) until interrupted (Ctrl-C, SIGINT or SIGTERM), then exits 0.\n"
              "A development Schema Registry runs beside it. Once both are ready it\n"
              "prints on stdout the brokers' own addresses (random ports), then the\n"
              "registry's URL:\n"
              "  bootstrap.servers=127.0.0.1:PORT,...\n"
              "  schema.registry.url=http://127.0.0.1:8081\n"
              "\n"
              "  --brokers N            number of brokers, 1..32 (default 1)\n"
              "  --topic NAME:PARTS     create topic NAME with PARTS partitions\n"
              "                         (1..100000); repeatable. Other topics are\n"
              "                         created on first use with 4 partitions.\n"
              "  --listen HOST:PORT     also accept clients on this address and\n"
              "                         forward them to broker 1 (default\n"
              "                         localhost:9092, every address localhost has);\n"
              "                         port 0 picks a free port; 'none' turns it off.\n"
              "                         Clients bootstrap there, then connect to the\n"
              "                         brokers' own ports.\n"
              "  --registry HOST:PORT   address of the Schema Registry (default\n"
              "                         " DEV_DEFAULT_REGISTRY "); port 0 picks a free\n"
              "                         port; 'none' runs no registry (and prints no\n"
              "                         schema.registry.url line)\n"
              "  --registry-data DIR    keep the registry's schemas in DIR (created if\n"
              "                         missing) so ids survive restarts; default:\n"
              "                         in memory\n"
              "  --bootstrap-file FILE  also write both lines to FILE (atomically,\n"
              "                         once ready; bootstrap.servers first); removed\n"
              "                         at exit\n"
              "  -X prop=value          logging: log_level=0..7 (other properties\n"
              "                         are accepted and ignored)\n"
              "  -q, --quiet            no startup message on stderr\n"
              "  -h, --help             this help\n"
              "\n"
              "Limits: no CreateTopics, DescribeConfigs or group listing; at most\n"
              "100,000 records or 5 MB kept per partition; everything is lost at exit\n"
              "(registry schemas too, unless --registry-data).\n"
              "\n"
              "Exit status: 0 after SIGINT/SIGTERM, 1 if the cluster or the registry\n"
              "cannot start (for example an address is taken), 2 for a bad command\n"
              "line.\n"
              "\n"
              "Example:\n"
              "  kafkit dev --brokers 3 --topic orders:6 &\n"
              "  kafkit list -b localhost:9092\n"
              "  kcat -b localhost:9092 -t orders -P <<< 'hello'\n"
              "  kafkit schema list -r http://127.0.0.1:8081\n"
              "  kafkit dev --listen 127.0.0.1:0 --registry 127.0.0.1:0 \\\n"
              "             --bootstrap-file dev.properties &   # free ports\n",
              out);
}

/* ---------------------------------------------------------------- options */

/* "NAME:PARTITIONS" into a new topic entry. Returns 0 or an exit code. */
static int parse_topic(dev_opts_t *o, const char *spec)
{
        const char *colon = strrchr(spec, ':');
        dev_topic_t *t = &o->topics[o->topic_cnt];
        int64_t parts;
        size_t i;

        if (!colon || colon == spec)
                return cli_usage_err(DEV_CMD, "--topic \"%s\": expected "
                                     "NAME:PARTITIONS, for example orders:3",
                                     spec);
        if (cli_parse_i64(colon + 1, 1, DEV_MAX_PARTITIONS, &parts) == -1)
                return cli_usage_err(DEV_CMD, "--topic \"%s\": partition count "
                                     "\"%s\" is not a number in 1..%d",
                                     spec, colon + 1, DEV_MAX_PARTITIONS);
        t->name = strndup(spec, (size_t)(colon - spec));
        if (!t->name) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        t->spec = spec;
        t->partitions = (int)parts;
        for (i = 0; i < o->topic_cnt; i++)
                if (!strcmp(o->topics[i].name, t->name)) {
                        free(t->name);
                        return cli_usage_err(DEV_CMD, "--topic: topic \"%.*s\" "
                                             "given twice", (int)(colon - spec),
                                             spec);
                }
        o->topic_cnt++;
        return 0;
}

/* HOST:PORT with a port in 0..65535, or "none" (*out = NULL), for option
 * `opt` (whose example address is `example`). Returns 0 or an exit code. */
static int parse_addr(const char *opt, const char *example, const char *addr,
                      const char **out)
{
        const char *colon = strrchr(addr, ':');
        int64_t port;

        if (!strcmp(addr, "none")) {
                *out = NULL;
                return 0;
        }
        if (!colon || colon == addr ||
            (colon == addr + 2 && !strncmp(addr, "[]", 2)))
                return cli_usage_err(DEV_CMD, "%s \"%s\": expected "
                                     "HOST:PORT (like %s) or none",
                                     opt, addr, example);
        if (cli_parse_i64(colon + 1, 0, 65535, &port) == -1)
                return cli_usage_err(DEV_CMD, "%s \"%s\": port \"%s\" is "
                                     "not a number in 0..65535", opt, addr, colon + 1);
        *out = addr;
        return 0;
}

static int parse_brokers(dev_opts_t *o, const char *text)
{
        int64_t n;

        if (cli_parse_i64(text, 1, DEV_MAX_BROKERS, &n) == -1)
                return cli_usage_err(DEV_CMD, "--brokers \"%s\": expected a "
                                     "number in 1..%d", text, DEV_MAX_BROKERS);
        o->brokers = (int)n;
        return 0;
}

static void opts_free(dev_opts_t *o)
{
        size_t i;

        for (i = 0; i < o->topic_cnt; i++)
                free(o->topics[i].name);
        free(o->topics);
        free(o->props);
}

enum {
        OPT_BROKERS = 256,
        OPT_TOPIC,
        OPT_LISTEN,
        OPT_BOOTSTRAP_FILE,
        OPT_REGISTRY,
        OPT_REGISTRY_DATA
};

/* Fills `o` from argv. Returns -1 to go on, or an exit code (--help: 0). */
static int parse_args(dev_opts_t *o, int argc, char **argv)
{
        static const struct option longopts[] = {
                { "brokers", required_argument, NULL, OPT_BROKERS },
                { "topic", required_argument, NULL, OPT_TOPIC },
                { "listen", required_argument, NULL, OPT_LISTEN },
                { "bootstrap-file", required_argument, NULL, OPT_BOOTSTRAP_FILE },
                { "registry", required_argument, NULL, OPT_REGISTRY },
                { "registry-data", required_argument, NULL, OPT_REGISTRY_DATA },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        size_t n = argc > 0 ? (size_t)argc : 1;
        int opt, rc = 0;

        o->brokers = DEV_DEFAULT_BROKERS;
        o->listen = DEV_DEFAULT_LISTEN;
        o->registry = DEV_DEFAULT_REGISTRY;
        o->topics = calloc(n, sizeof(*o->topics));
        o->props = calloc(n, sizeof(*o->props));
        if (!o->topics || !o->props) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        optind = 1;
        while (rc == 0 &&
               (opt = getopt_long(argc, argv, ":X:qh", longopts, NULL)) != -1) {
                switch (opt) {
                case OPT_BROKERS:
                        rc = parse_brokers(o, optarg);
                        break;
                case OPT_TOPIC:
                        rc = parse_topic(o, optarg);
                        break;
                case OPT_LISTEN:
                        rc = parse_addr("--listen", "127.0.0.1:9092", optarg,
                                        &o->listen);
                        break;
                case OPT_REGISTRY:
                        rc = parse_addr("--registry", "127.0.0.1:8081", optarg,
                                        &o->registry);
                        break;
                case OPT_REGISTRY_DATA:
                        if (!*optarg)
                                rc = cli_usage_err(DEV_CMD, "--registry-data: "
                                                   "empty directory name");
                        o->registry_data = optarg;
                        break;
                case OPT_BOOTSTRAP_FILE:
                        if (!*optarg)
                                rc = cli_usage_err(DEV_CMD, "--bootstrap-file: "
                                                   "empty file name");
                        o->bootstrap_file = optarg;
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
                        return cli_bad_opt(DEV_CMD, opt, argv);
                }
        }
        if (rc != 0)
                return rc;
        if (optind < argc)
                return cli_usage_err(DEV_CMD, "unexpected argument \"%s\"",
                                     argv[optind]);
        if (o->registry_data && !o->registry)
                return cli_usage_err(DEV_CMD, "--registry-data needs a registry: "
                                     "drop --registry none");
        return -1;
}

/* ------------------------------------------------------------- services */

static int dev_topics(const dev_opts_t *o, dev_state_t *st)
{
        kafkit_error_t err;
        size_t i;

        kafkit_error_clear(&err);
        for (i = 0; i < o->topic_cnt; i++) {
                const dev_topic_t *t = &o->topics[i];

                if (kafkit_dev_cluster_create_topic(st->cluster, t->name,
                                                    t->partitions, &err)) {
                        if (err.code == KAFKIT_ERR_INVALID_ARG)
                                return cli_usage_err(DEV_CMD, "--topic \"%s\": %s",
                                                     t->spec, err.message);
                        cli_err_kafkit(&err);
                        return CLI_EXIT_FAILURE;
                }
        }
        return 0;
}

static int dev_listen(const dev_opts_t *o, dev_state_t *st)
{
        kafkit_error_t err;

        if (!o->listen)
                return 0;
        kafkit_error_clear(&err);
        if (kafkit_dev_cluster_listen(st->cluster, o->listen, &err) == KAFKIT_OK)
                return 0;
        if (err.code == KAFKIT_ERR_INVALID_ARG)
                return cli_usage_err(DEV_CMD, "--listen: %s", err.message);
        cli_err_kafkit(&err);
        cli_err("is another 'kafkit dev' or a Kafka broker running there? "
                "Choose another address with --listen HOST:PORT (port 0 picks "
                "a free one), or --listen none");
        return CLI_EXIT_FAILURE;
}

/* The Schema Registry beside the cluster, unless --registry none. */
static int dev_registry(const dev_opts_t *o, dev_state_t *st)
{
        if (!o->registry)
                return 0;
        return cli_registry_server_start(DEV_CMD, st->conf, o->registry, o->registry_data,
                                         "--registry", DEV_REGISTRY_BUSY_HINT,
                                         &st->registry);
}

/* Writes `text` to FILE through a temporary file and rename(), so a
 * script polling for FILE never reads half of it. */
static int write_file_atomic(const char *path, const char *text)
{
        size_t len = strlen(path) + 32;
        char *tmp = malloc(len);
        FILE *f = NULL;
        int ok;

        if (!tmp) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
        f = fopen(tmp, "w");
        ok = f && fputs(text, f) != EOF;
        if (f && fclose(f) != 0)
                ok = 0;
        if (ok && rename(tmp, path) == 0) {
                free(tmp);
                return 0;
        }
        cli_err("cannot write the bootstrap file %s: %s", ok ? path : tmp,
                strerror(errno));
        unlink(tmp);
        free(tmp);
        return CLI_EXIT_FAILURE;
}

/* The bootstrap.servers line, then the schema.registry.url line (when a
 * registry runs), on stdout and in --bootstrap-file. */
static int dev_announce(const dev_opts_t *o, dev_state_t *st)
{
        const char *bs = kafkit_dev_cluster_bootstraps(st->cluster);
        const char *addr = kafkit_dev_cluster_listen_address(st->cluster);
        const char *url = st->registry ? kafkit_registry_server_url(st->registry) : NULL;
        size_t len = strlen(bs) + sizeof("bootstrap.servers=\n") +
                     (url ? strlen(url) + sizeof("schema.registry.url=\n") : 0);
        char *line = malloc(len);
        int rc = 0;

        if (!line) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        if (url)
                snprintf(line, len, "bootstrap.servers=%s\nschema.registry.url=%s\n",
                         bs, url);
        else
                snprintf(line, len, "bootstrap.servers=%s\n", bs);
        if (o->bootstrap_file) {
                rc = write_file_atomic(o->bootstrap_file, line);
                st->wrote_bootstrap_file = rc == 0;
        }
        if (rc == 0 && (fputs(line, stdout) == EOF || fflush(stdout) == EOF)) {
                cli_err("cannot write to stdout: %s", strerror(errno));
                rc = CLI_EXIT_FAILURE;
        }
        free(line);
        if (rc == 0 && !o->quiet)
                fprintf(stderr, "kafkit dev: %d broker%s up%s%s%s%s%s; Ctrl-C stops\n",
                        o->brokers, o->brokers == 1 ? "" : "s",
                        addr ? ", " : "", addr ? addr : "",
                        addr ? " forwards to broker 1" : "",
                        url ? ", schema registry at " : "", url ? url : "");
        return rc;
}

/* Starts every service, then announces. Returns 0 or an exit code. */
static int dev_start(const dev_opts_t *o, dev_state_t *st)
{
        kafkit_error_t err;
        int rc;

        rc = cli_conf_from_props(DEV_CMD, o->props, o->prop_cnt, &st->conf);
        if (rc)
                return rc;
        kafkit_error_clear(&err);
        st->cluster = kafkit_dev_cluster_new(st->conf, o->brokers, &err);
        if (!st->cluster) {
                cli_err_kafkit(&err);
                return CLI_EXIT_FAILURE;
        }
        rc = dev_topics(o, st);
        if (!rc)
                rc = dev_listen(o, st);
        if (!rc)
                rc = dev_registry(o, st);
        if (!rc)
                rc = dev_announce(o, st);
        return rc;
}

static void dev_stop(const dev_opts_t *o, dev_state_t *st)
{
        if (st->wrote_bootstrap_file)
                unlink(o->bootstrap_file);
        kafkit_registry_server_destroy(st->registry);
        kafkit_dev_cluster_destroy(st->cluster);
        kafkit_conf_destroy(st->conf);
}

int cmd_dev(int argc, char **argv)
{
        dev_opts_t opts;
        dev_state_t st;
        int rc;

        memset(&opts, 0, sizeof(opts));
        memset(&st, 0, sizeof(st));
        rc = parse_args(&opts, argc, argv);
        if (rc >= 0)
                goto out;
        cli_install_signals();
        rc = dev_start(&opts, &st);
        if (rc == 0)
                cli_wait_stop();
        dev_stop(&opts, &st);
out:
        opts_free(&opts);
        return rc;
}
