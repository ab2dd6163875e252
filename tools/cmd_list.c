/*
 * cmd_list.c: `kafkit list`, the brokers, topics and partitions of a
 * cluster, as text laid out like `kcat -L` or as JSON (-J) shaped like
 * `kcat -L -J` (metalist.c, without kcat's controller marks).
 */
#include "cli.h"
#include "metalist.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef struct list_opts_s {
        cli_common_t common;
        const char *topic;
        int json;
        int timeout_ms;
} list_opts_t;

static void usage(FILE *out)
{
        fputs("Usage: kafkit list [-t TOPIC] [-J] [options]\n"
              "\n"
              "Lists the cluster's brokers, topics and partitions (leader, replicas,\n"
              "in-sync replicas, errors).\n"
              "\n"
              "  -t TOPIC          only this topic\n"
              "  -J                JSON output\n"
              "  -m SECONDS        metadata timeout (default 5)\n"
              "  -b BROKERS        bootstrap brokers (default $KAFKIT_BROKERS,\n"
              "                    else localhost:9092)\n"
              "  -X PROP=VALUE     set a configuration property (repeatable)\n"
              "  -F FILE           read properties from FILE\n"
              "  -q / -v           quieter / more verbose\n"
              "  -h, --help        this help\n",
              out);
}

/* ------------------------------------------------------------------- main */

/* Parses argv; returns -1 to go on, or an exit code. */
static int parse_args(list_opts_t *o, int argc, char **argv)
{
        static const struct option longopts[] = {
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        int64_t secs;
        int opt;

        opterr = 0;
        optind = 0;
        while ((opt = getopt_long(argc, argv, ":t:Jm:h" CLI_COMMON_OPTS, longopts,
                                  NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_opt("list", opt, argv);
                if (cli_common_opt(&o->common, opt, optarg))
                        continue;
                switch (opt) {
                case 't':
                        o->topic = optarg;
                        break;
                case 'J':
                        o->json = 1;
                        break;
                case 'm':
                        if (cli_parse_i64(optarg, 1, 86400, &secs))
                                return cli_usage_err("list", "-m \"%s\": not a number "
                                                     "of seconds (1-86400)", optarg);
                        o->timeout_ms = (int)secs * 1000;
                        break;
                case 'h':
                        usage(stdout);
                        return CLI_EXIT_OK;
                }
        }
        if (optind < argc)
                return cli_usage_err("list", "unexpected argument \"%s\"", argv[optind]);
        return -1;
}

static int run(const list_opts_t *o)
{
        kafkit_metadata_t *md;
        kafkit_conf_t *conf;
        kafkit_error_t err;
        int rc = CLI_EXIT_OK;

        conf = cli_conf_build(&o->common, &rc);
        if (!conf)
                return rc;
        kafkit_error_clear(&err);
        md = kafkit_metadata_fetch(conf, o->topic, o->timeout_ms, &err);
        kafkit_conf_destroy(conf);
        if (!md) {
                cli_err_kafkit(&err);
                return CLI_EXIT_FAILURE;
        }
        if (o->json) {
                metalist_json(md, o->topic, 0);
                putchar('\n');
        } else {
                metalist_text(md, o->topic, 0);
        }
        /* An asked-for topic the cluster does not have is a failure. */
        if (o->topic && md->topic_cnt > 0 && md->topics[0].kafka_code) {
                cli_err("topic %s: %s", o->topic,
                        kafkit_kafka_err_str(md->topics[0].kafka_code));
                rc = CLI_EXIT_FAILURE;
        }
        kafkit_metadata_destroy(md);
        if (fflush(stdout) == EOF || ferror(stdout)) {
                cli_err("stdout: write error");
                return CLI_EXIT_FAILURE;
        }
        return rc;
}

int cmd_list(int argc, char **argv)
{
        list_opts_t o;
        int rc;

        memset(&o, 0, sizeof(o));
        o.timeout_ms = 5000;
        if (cli_common_init(&o.common, "list", argc))
                return CLI_EXIT_FAILURE;
        rc = parse_args(&o, argc, argv);
        if (rc == -1)
                rc = run(&o);
        cli_common_free(&o.common);
        return rc;
}
