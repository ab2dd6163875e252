/*
 * cmd_lag.c: `kafkit lag`, how far a consumer group is behind: per
 * partition its committed offset, the low and high watermarks and the lag,
 * then the total, as a text table or JSON (-J).
 *
 * The group is only read: its committed offsets come from OffsetFetch by a
 * client that never joins it (kafkit_group_committed), so a running group
 * is not disturbed, and no ListGroups/DescribeGroups support is needed. The
 * topics are the -t ones, else every topic of the cluster's metadata (all
 * topics metadata never auto-creates one); without -t only the partitions
 * where the group committed an offset are shown.
 *
 * Lag is high watermark - committed offset (never below 0); a partition
 * without a committed offset shows "-" and lag = high - low: a new member
 * starting from the beginning would have every kept record to read.
 */
#include "cli.h"
#include "fmt.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LAG_TIMEOUT_S 10

typedef struct lag_opts_s {
        cli_common_t common;
        const char *group;
        const char **topics;           /* -t in order, duplicates dropped */
        size_t topic_cnt;
        int json;
        int timeout_ms;
} lag_opts_t;

/* One output row. */
typedef struct lag_row_s {
        const char *topic;             /* points into the metadata */
        int32_t partition;
        int64_t committed;             /* -1: none */
        int64_t low, high;             /* -1: unknown (error) */
        int64_t lag;                   /* -1: unknown (error) */
        int kafka_code;                /* first error of this partition */
} lag_row_t;

static void usage(FILE *out)
{
        fputs("Usage: kafkit lag -G GROUP [-t TOPIC]... [-J] [options]\n"
              "\n"
              "Shows how far consumer group GROUP is behind, per partition: its\n"
              "committed offset, the partition's low and high watermarks and the lag\n"
              "(high watermark - committed offset), then the total lag. The group is\n"
              "only read (OffsetFetch), never joined: running members are not disturbed.\n"
              "\n"
              "  -G GROUP          the consumer group (required)\n"
              "  -t TOPIC          only this topic (repeatable). Every partition of it\n"
              "                    is shown; one without a committed offset shows \"-\"\n"
              "                    and lag = high - low watermark (all records kept).\n"
              "                    Without -t: every topic of the cluster, and only the\n"
              "                    partitions where the group has a committed offset.\n"
              "  -J                JSON output (one line)\n"
              "  -m SECONDS        timeout of each request round (default 10)\n"
              "  -b BROKERS        bootstrap brokers (default $KAFKIT_BROKERS,\n"
              "                    else localhost:9092)\n"
              "  -X PROP=VALUE     set a configuration property (repeatable);\n"
              "                    isolation.level=read_committed measures the lag to\n"
              "                    the last stable offset instead of the high watermark\n"
              "  -F FILE           read properties from FILE\n"
              "  -q / -v           quieter / more verbose\n"
              "  -h, --help        this help\n"
              "\n"
              "Text output: columns TOPIC PARTITION COMMITTED LOW HIGH LAG, sorted by\n"
              "topic and partition, then a TOTAL line with the summed lag. JSON:\n"
              "  {\"group\":G,\"partitions\":[{\"topic\":T,\"partition\":P,\"committed\":C|null,\n"
              "   \"low\":L,\"high\":H,\"lag\":N[,\"error\":E]},...],\"total_lag\":N}\n"
              "\n"
              "A group that has committed nothing (or does not exist: Kafka cannot tell\n"
              "the two apart without the group APIs) has no committed offsets: the\n"
              "table is empty (or all \"-\" with -t), a note says so on stderr, and the\n"
              "exit code is 0, as kafka-consumer-groups --describe does.\n"
              "\n"
              "Exit codes: 0 success, 1 the cluster could not be read, a -t topic does\n"
              "not exist, or a partition's offsets could not be read (its row says\n"
              "why), 2 usage error.\n",
              out);
}

static int take_opt(void *opts, int opt, const char *arg)
{
        lag_opts_t *o = opts;
        int64_t secs;
        size_t i;

        if (cli_common_opt(&o->common, opt, arg))
                return 0;
        switch (opt) {
        case 'G':
                if (!*arg) {
                        cli_usage_err("lag", "-G: empty group id");
                        return -1;
                }
                o->group = arg;
                return 0;
        case 't':
                if (!*arg) {
                        cli_usage_err("lag", "-t: empty topic name");
                        return -1;
                }
                for (i = 0; i < o->topic_cnt; i++)
                        if (!strcmp(o->topics[i], arg))
                                return 0;
                o->topics[o->topic_cnt++] = arg;
                return 0;
        case 'J':
                o->json = 1;
                return 0;
        case 'm':
                if (cli_parse_i64(arg, 1, 86400, &secs)) {
                        cli_usage_err("lag", "-m \"%s\": not a number of seconds (1-86400)",
                                      arg);
                        return -1;
                }
                o->timeout_ms = (int)secs * 1000;
                return 0;
        case 'h':
                return 1;
        default:
                return -1;
        }
}

/* ----------------------------------------------------------------- rows */

static int row_cmp(const void *a, const void *b)
{
        const lag_row_t *x = a, *y = b;
        int r = strcmp(x->topic, y->topic);

        if (r)
                return r;
        return x->partition < y->partition ? -1 : x->partition > y->partition;
}

/* The metadata topic called `name`, or NULL. */
static const kafkit_topic_info_t *find_topic(const kafkit_metadata_t *md, const char *name)
{
        size_t i;

        for (i = 0; i < md->topic_cnt; i++)
                if (!strcmp(md->topics[i].name, name))
                        return &md->topics[i];
        return NULL;
}

/* The topics to look at: the -t ones (each must exist), else all. Fills
 * sel[] and returns their count, or -1 after an error message. */
static long pick_topics(const lag_opts_t *o, const kafkit_metadata_t *md,
                        const kafkit_topic_info_t **sel)
{
        const kafkit_topic_info_t *t;
        size_t i, n = 0;

        if (!o->topic_cnt) {
                for (i = 0; i < md->topic_cnt; i++)
                        if (!md->topics[i].kafka_code)
                                sel[n++] = &md->topics[i];
                return (long)n;
        }
        for (i = 0; i < o->topic_cnt; i++) {
                if (!(t = find_topic(md, o->topics[i]))) {
                        cli_err("topic %s: not in the cluster", o->topics[i]);
                        return -1;
                }
                if (t->kafka_code) {
                        cli_err("topic %s: %s", t->name, kafkit_kafka_err_str(t->kafka_code));
                        return -1;
                }
                sel[n++] = t;
        }
        return (long)n;
}

/* Every partition of the selected topics, sorted; NULL when out of memory. */
static lag_row_t *make_rows(const kafkit_topic_info_t **sel, size_t sel_cnt, size_t *cnt)
{
        lag_row_t *rows;
        size_t i, j, n = 0;

        for (i = 0; i < sel_cnt; i++)
                n += sel[i]->partition_cnt;
        if (!(rows = calloc(n ? n : 1, sizeof(*rows))))
                return NULL;
        n = 0;
        for (i = 0; i < sel_cnt; i++) {
                for (j = 0; j < sel[i]->partition_cnt; j++, n++) {
                        rows[n].topic = sel[i]->name;
                        rows[n].partition = sel[i]->partitions[j].id;
                        rows[n].committed = rows[n].low = rows[n].high = rows[n].lag = -1;
                }
        }
        qsort(rows, n, sizeof(*rows), row_cmp);
        *cnt = n;
        return rows;
}

/* Committed offsets of every row; without -t, drops the rows without one
 * (errors stay). Returns 0, or -1 after an error message. */
static int fetch_committed(const lag_opts_t *o, const kafkit_conf_t *conf,
                           lag_row_t *rows, size_t *cnt)
{
        kafkit_partition_offset_t *po;
        kafkit_error_t err;
        size_t i, n = 0;

        if (!*cnt)
                return 0;
        if (!(po = calloc(*cnt, sizeof(*po)))) {
                cli_err("out of memory");
                return -1;
        }
        for (i = 0; i < *cnt; i++) {
                po[i].topic = rows[i].topic;
                po[i].partition = rows[i].partition;
        }
        kafkit_error_clear(&err);
        if (kafkit_group_committed(conf, o->group, po, *cnt, o->timeout_ms, &err) != KAFKIT_OK) {
                cli_err_kafkit(&err);
                free(po);
                return -1;
        }
        for (i = 0; i < *cnt; i++) {
                if (!o->topic_cnt && po[i].offset < 0 && !po[i].kafka_code)
                        continue;
                rows[n] = rows[i];
                rows[n].committed = po[i].offset;
                rows[n].kafka_code = po[i].kafka_code;
                n++;
        }
        *cnt = n;
        free(po);
        return 0;
}

/* Watermarks and lag of every row; 0, or -1 after an error message. */
static int fetch_watermarks(const lag_opts_t *o, const kafkit_conf_t *conf,
                            lag_row_t *rows, size_t cnt)
{
        kafkit_watermark_t *wm;
        kafkit_error_t err;
        size_t i;

        if (!cnt)
                return 0;
        if (!(wm = calloc(cnt, sizeof(*wm)))) {
                cli_err("out of memory");
                return -1;
        }
        for (i = 0; i < cnt; i++) {
                wm[i].topic = rows[i].topic;
                wm[i].partition = rows[i].partition;
        }
        kafkit_error_clear(&err);
        if (kafkit_watermarks(conf, wm, cnt, o->timeout_ms, &err) != KAFKIT_OK) {
                cli_err_kafkit(&err);
                free(wm);
                return -1;
        }
        for (i = 0; i < cnt; i++) {
                lag_row_t *r = &rows[i];

                if (!r->kafka_code)
                        r->kafka_code = wm[i].kafka_code;
                if (r->kafka_code)
                        continue;
                r->low = wm[i].low;
                r->high = wm[i].high;
                if (r->committed >= 0)
                        r->lag = r->high > r->committed ? r->high - r->committed : 0;
                else
                        r->lag = r->high > r->low ? r->high - r->low : 0;
        }
        free(wm);
        return 0;
}

/* ---------------------------------------------------------------- output */

/* "-" for a missing number, else the number. */
static const char *num(char *buf, size_t size, int64_t v)
{
        if (v < 0)
                return "-";
        snprintf(buf, size, "%" PRId64, v);
        return buf;
}

static size_t num_len(int64_t v)
{
        char buf[24];

        return strlen(num(buf, sizeof(buf), v));
}

static size_t max_sz(size_t a, size_t b)
{
        return a > b ? a : b;
}

static void print_text(const lag_row_t *rows, size_t cnt, int64_t total)
{
        size_t w[6] = { 5, 9, 9, 3, 4, 3 };   /* TOPIC PARTITION COMMITTED LOW HIGH LAG */
        char b[5][24];
        size_t i;

        for (i = 0; i < cnt; i++) {
                w[0] = max_sz(w[0], strlen(rows[i].topic));
                w[1] = max_sz(w[1], num_len(rows[i].partition));
                w[2] = max_sz(w[2], num_len(rows[i].committed));
                w[3] = max_sz(w[3], num_len(rows[i].low));
                w[4] = max_sz(w[4], num_len(rows[i].high));
                w[5] = max_sz(w[5], num_len(rows[i].lag));
        }
        w[5] = max_sz(w[5], num_len(total));
        printf("%-*s  %*s  %*s  %*s  %*s  %*s\n", (int)w[0], "TOPIC", (int)w[1], "PARTITION",
               (int)w[2], "COMMITTED", (int)w[3], "LOW", (int)w[4], "HIGH", (int)w[5], "LAG");
        for (i = 0; i < cnt; i++) {
                const lag_row_t *r = &rows[i];

                printf("%-*s  %*s  %*s  %*s  %*s  %*s", (int)w[0], r->topic, (int)w[1],
                       num(b[0], sizeof(b[0]), r->partition), (int)w[2],
                       num(b[1], sizeof(b[1]), r->committed), (int)w[3],
                       num(b[2], sizeof(b[2]), r->low), (int)w[4],
                       num(b[3], sizeof(b[3]), r->high), (int)w[5],
                       num(b[4], sizeof(b[4]), r->lag));
                if (r->kafka_code)
                        printf("  error: %s", kafkit_kafka_err_str(r->kafka_code));
                putchar('\n');
        }
        printf("%-*s  %*s\n", (int)(w[0] + w[1] + w[2] + w[3] + w[4] + 8), "TOTAL", (int)w[5],
               num(b[0], sizeof(b[0]), total));
}

static void json_num(const char *name, int64_t v)
{
        if (v < 0)
                printf(",\"%s\":null", name);
        else
                printf(",\"%s\":%" PRId64, name, v);
}

static void print_json(const lag_opts_t *o, const lag_row_t *rows, size_t cnt, int64_t total)
{
        size_t i;

        fputs("{\"group\":", stdout);
        fmt_json_str(stdout, o->group);
        fputs(",\"partitions\":[", stdout);
        for (i = 0; i < cnt; i++) {
                const lag_row_t *r = &rows[i];

                fputs(i ? ",{\"topic\":" : "{\"topic\":", stdout);
                fmt_json_str(stdout, r->topic);
                printf(",\"partition\":%d", (int)r->partition);
                json_num("committed", r->committed);
                json_num("low", r->low);
                json_num("high", r->high);
                json_num("lag", r->lag);
                if (r->kafka_code) {
                        fputs(",\"error\":", stdout);
                        fmt_json_str(stdout, kafkit_kafka_err_str(r->kafka_code));
                }
                putchar('}');
        }
        printf("],\"total_lag\":%" PRId64 "}\n", total);
}

/* ------------------------------------------------------------------- main */

static int report(const lag_opts_t *o, lag_row_t *rows, size_t cnt)
{
        int64_t total = 0;
        size_t i, errors = 0, committed = 0;

        for (i = 0; i < cnt; i++) {
                if (rows[i].kafka_code)
                        errors++;
                else
                        total += rows[i].lag;
                if (rows[i].committed >= 0)
                        committed++;
        }
        if (o->json)
                print_json(o, rows, cnt, total);
        else
                print_text(rows, cnt, total);
        if (fflush(stdout) == EOF || ferror(stdout)) {
                cli_err("stdout: write error");
                return CLI_EXIT_FAILURE;
        }
        if (!committed && !errors && cli_verbosity > 0)
                fprintf(stderr, "kafkit lag: group \"%s\" has no committed offsets %s "
                                "(an unknown group, or one that has committed nothing yet)\n",
                        o->group, o->topic_cnt ? "on these topics" : "on any topic");
        if (errors) {
                cli_err("%zu partition%s could not be read (see the error column)", errors,
                        errors == 1 ? "" : "s");
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

static int run(const lag_opts_t *o)
{
        const kafkit_topic_info_t **sel = NULL;
        kafkit_metadata_t *md;
        kafkit_conf_t *conf;
        kafkit_error_t err;
        lag_row_t *rows = NULL;
        size_t cnt = 0;
        long sel_cnt;
        int rc = CLI_EXIT_FAILURE;

        if (!(conf = cli_conf_build(&o->common, &rc)))
                return rc;
        rc = CLI_EXIT_FAILURE;
        kafkit_error_clear(&err);
        /* all topics: asking for one by name could auto-create it */
        if (!(md = kafkit_metadata_fetch(conf, NULL, o->timeout_ms, &err))) {
                cli_err_kafkit(&err);
                goto out;
        }
        if (!(sel = calloc(md->topic_cnt + o->topic_cnt + 1, sizeof(*sel)))) {
                cli_err("out of memory");
                goto out;
        }
        if ((sel_cnt = pick_topics(o, md, sel)) < 0)
                goto out;
        if (!(rows = make_rows(sel, (size_t)sel_cnt, &cnt))) {
                cli_err("out of memory");
                goto out;
        }
        if (fetch_committed(o, conf, rows, &cnt) || fetch_watermarks(o, conf, rows, cnt))
                goto out;
        rc = report(o, rows, cnt);
out:
        free(rows);
        free(sel);
        kafkit_metadata_destroy(md);
        kafkit_conf_destroy(conf);
        return rc;
}

int cmd_lag(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 }
        };
        lag_opts_t o;
        int rc;

        memset(&o, 0, sizeof(o));
        o.timeout_ms = LAG_TIMEOUT_S * 1000;
        if (cli_common_init(&o.common, "lag", argc))
                return CLI_EXIT_FAILURE;
        if (!(o.topics = calloc((size_t)argc + 1, sizeof(*o.topics)))) {
                cli_common_free(&o.common);
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        rc = cli_parse_opts("lag", argc, argv, ":G:t:Jm:h" CLI_COMMON_OPTS, longopts, take_opt,
                            &o, usage);
        if (rc == -1) {
                if (optind < argc)
                        rc = cli_usage_err("lag", "unexpected argument \"%s\"", argv[optind]);
                else if (!o.group)
                        rc = cli_usage_err("lag", "-G GROUP is required");
                else
                        rc = run(&o);
        }
        free(o.topics);
        cli_common_free(&o.common);
        return rc;
}
