/*
 * cmd_list.c: `kafkit list`, the brokers, topics and partitions of a
 * cluster, as text laid out like `kcat -L` or as JSON (-J) shaped like
 * `kcat -L -J`. The JSON is written by hand with every string escaped, so
 * the tool needs no JSON library.
 */
#include "cli.h"

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

/* --------------------------------------------------------------------- text */

static void print_ids(const int32_t *ids, size_t cnt)
{
        size_t i;

        for (i = 0; i < cnt; i++)
                printf("%s%d", i ? "," : "", (int)ids[i]);
}

static void print_partition_text(const kafkit_partition_info_t *p)
{
        printf("    partition %d, leader %d, replicas: ", (int)p->id, (int)p->leader);
        print_ids(p->replicas, p->replica_cnt);
        printf(", isrs: ");
        print_ids(p->isrs, p->isr_cnt);
        if (p->kafka_code)
                printf(", %s", kafkit_kafka_err_str(p->kafka_code));
        putchar('\n');
}

static void print_text(const kafkit_metadata_t *md, const char *topic)
{
        size_t i, j;

        printf("Metadata for %s (from broker %d: %s):\n", topic ? topic : "all topics",
               (int)md->orig_broker_id,
               md->orig_broker_name ? md->orig_broker_name : "?");
        printf(" %zu brokers:\n", md->broker_cnt);
        for (i = 0; i < md->broker_cnt; i++)
                printf("  broker %d at %s:%d\n", (int)md->brokers[i].id,
                       md->brokers[i].host, md->brokers[i].port);
        printf(" %zu topics:\n", md->topic_cnt);
        for (i = 0; i < md->topic_cnt; i++) {
                const kafkit_topic_info_t *t = &md->topics[i];

                printf("  topic \"%s\" with %zu partitions:", t->name, t->partition_cnt);
                if (t->kafka_code)
                        printf(" %s", kafkit_kafka_err_str(t->kafka_code));
                putchar('\n');
                for (j = 0; j < t->partition_cnt; j++)
                        print_partition_text(&t->partitions[j]);
        }
}

/* --------------------------------------------------------------------- json */

/* A JSON string literal: quotes, backslash and control bytes escaped. Other
 * bytes pass through (broker and topic names are ASCII in practice). */
static void json_str(const char *s)
{
        const unsigned char *p = (const unsigned char *)(s ? s : "");

        putchar('"');
        for (; *p; p++) {
                if (*p == '"' || *p == '\\')
                        printf("\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", stdout);
                else if (*p == '\t')
                        fputs("\\t", stdout);
                else if (*p == '\r')
                        fputs("\\r", stdout);
                else if (*p < 0x20 || *p == 0x7f)
                        printf("\\u%04x", *p);
                else
                        putchar(*p);
        }
        putchar('"');
}

static void json_ids(const char *name, const int32_t *ids, size_t cnt)
{
        size_t i;

        printf(",\"%s\":[", name);
        for (i = 0; i < cnt; i++)
                printf("%s{\"id\":%d}", i ? "," : "", (int)ids[i]);
        putchar(']');
}

static void json_partition(const kafkit_partition_info_t *p)
{
        printf("{\"partition\":%d", (int)p->id);
        if (p->kafka_code) {
                fputs(",\"error\":", stdout);
                json_str(kafkit_kafka_err_str(p->kafka_code));
        }
        printf(",\"leader\":%d", (int)p->leader);
        json_ids("replicas", p->replicas, p->replica_cnt);
        json_ids("isrs", p->isrs, p->isr_cnt);
        putchar('}');
}

static void json_topic(const kafkit_topic_info_t *t)
{
        size_t j;

        fputs("{\"topic\":", stdout);
        json_str(t->name);
        if (t->kafka_code) {
                fputs(",\"error\":", stdout);
                json_str(kafkit_kafka_err_str(t->kafka_code));
        }
        fputs(",\"partitions\":[", stdout);
        for (j = 0; j < t->partition_cnt; j++) {
                if (j)
                        putchar(',');
                json_partition(&t->partitions[j]);
        }
        fputs("]}", stdout);
}

static void print_json(const kafkit_metadata_t *md, const char *topic)
{
        char name[1024];
        size_t i;

        printf("{\"originating_broker\":{\"id\":%d,\"name\":", (int)md->orig_broker_id);
        json_str(md->orig_broker_name);
        fputs("},\"query\":{\"topic\":", stdout);
        json_str(topic ? topic : "*");
        fputs("},\"brokers\":[", stdout);
        for (i = 0; i < md->broker_cnt; i++) {
                snprintf(name, sizeof(name), "%s:%d", md->brokers[i].host,
                         md->brokers[i].port);
                printf("%s{\"id\":%d,\"name\":", i ? "," : "", (int)md->brokers[i].id);
                json_str(name);
                putchar('}');
        }
        fputs("],\"topics\":[", stdout);
        for (i = 0; i < md->topic_cnt; i++) {
                if (i)
                        putchar(',');
                json_topic(&md->topics[i]);
        }
        fputs("]}\n", stdout);
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
        if (o->json)
                print_json(md, o->topic);
        else
                print_text(md, o->topic);
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
