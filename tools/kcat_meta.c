/*
 * kcat_meta.c: kcat mode -L (metadata listing) and -Q (offsets by
 * timestamp), with kcat 1.7.1's bytes: the text layout, the -J documents
 * (one line, no trailing newline, strings escaped as kcat's JSON writer
 * does), the "% ERROR: ..." messages and exit codes.
 *
 * Brokers, topics and partitions are printed in the order the cluster
 * listed them, as kcat does; -Q answers are sorted by topic, then
 * partition, as kcat sorts them.
 */
#include "kcat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string as kcat's JSON writer escapes it: \" \\ \b \f \n \r \t,
 * other bytes below 0x20 as \u00XX; everything else verbatim. Without the
 * quotes. */
static void kc_json_chars(FILE *out, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        const unsigned char *p = (const unsigned char *)(s ? s : "");

        for (; *p; p++) {
                switch (*p) {
                case '"': fputs("\\\"", out); break;
                case '\\': fputs("\\\\", out); break;
                case '\b': fputs("\\b", out); break;
                case '\f': fputs("\\f", out); break;
                case '\n': fputs("\\n", out); break;
                case '\r': fputs("\\r", out); break;
                case '\t': fputs("\\t", out); break;
                default:
                        if (*p < 0x20)
                                fprintf(out, "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
                        else
                                putc(*p, out);
                }
        }
}

static void kc_json_str(FILE *out, const char *s)
{
        putc('"', out);
        kc_json_chars(out, s);
        putc('"', out);
}

/* Flushes stdout; kcat's message and 1 on a write error, else `rc`. */
static int kc_flush(int rc)
{
        errno = 0;
        if (fflush(stdout) == EOF || ferror(stdout))
                return kc_fatal("Output write error: %s", strerror(errno ? errno : EIO));
        return rc;
}

/* -q without -d silences the client's log lines, as kcat does. */
static int kc_quiet_logs(kc_opts_t *o)
{
        kafkit_error_t err;

        if (o->debug || o->verbosity > 0)
                return 0;
        if (kafkit_conf_set(o->conf, "log_level", "0", &err) != KAFKIT_OK)
                return kc_fatal("%s", err.message);
        return 0;
}

/* ------------------------------------------------------------------ -L text */

static void kc_ids_text(const int32_t *ids, size_t cnt)
{
        size_t i;

        for (i = 0; i < cnt; i++)
                printf("%s%d", i ? "," : "", (int)ids[i]);
}

static void kc_md_text(const kc_opts_t *o, const kafkit_metadata_t *md)
{
        size_t i, j;

        printf("Metadata for %s (from broker %d: %s):\n", o->topic ? o->topic : "all topics",
               (int)md->orig_broker_id, md->orig_broker_name);
        printf(" %zu brokers:\n", md->broker_cnt);
        for (i = 0; i < md->broker_cnt; i++)
                printf("  broker %d at %s:%d%s\n", (int)md->brokers[i].id, md->brokers[i].host,
                       md->brokers[i].port,
                       md->brokers[i].id == md->controller_id ? " (controller)" : "");
        printf(" %zu topics:\n", md->topic_cnt);
        for (i = 0; i < md->topic_cnt; i++) {
                const kafkit_topic_info_t *t = &md->topics[i];

                printf("  topic \"%s\" with %zu partitions:", t->name, t->partition_cnt);
                if (t->kafka_code) {
                        printf(" %s", kafkit_kafka_err_str(t->kafka_code));
                        if (!strcmp(kafkit_kafka_err_name(t->kafka_code),
                                    "LEADER_NOT_AVAILABLE"))
                                fputs(" (try again)", stdout);
                }
                putchar('\n');
                for (j = 0; j < t->partition_cnt; j++) {
                        const kafkit_partition_info_t *p = &t->partitions[j];

                        printf("    partition %d, leader %d, replicas: ", (int)p->id,
                               (int)p->leader);
                        kc_ids_text(p->replicas, p->replica_cnt);
                        fputs(", isrs: ", stdout);
                        kc_ids_text(p->isrs, p->isr_cnt);
                        if (p->kafka_code)
                                printf(", %s", kafkit_kafka_err_str(p->kafka_code));
                        putchar('\n');
                }
        }
}

/* ------------------------------------------------------------------ -L JSON */

static void kc_ids_json(const char *name, const int32_t *ids, size_t cnt)
{
        size_t i;

        printf(",\"%s\":[", name);
        for (i = 0; i < cnt; i++)
                printf("%s{\"id\":%d}", i ? "," : "", (int)ids[i]);
        putchar(']');
}

static void kc_topic_json(const kafkit_topic_info_t *t)
{
        size_t j;

        fputs("{\"topic\":", stdout);
        kc_json_str(stdout, t->name);
        if (t->kafka_code) {
                fputs(",\"error\":", stdout);
                kc_json_str(stdout, kafkit_kafka_err_str(t->kafka_code));
        }
        fputs(",\"partitions\":[", stdout);
        for (j = 0; j < t->partition_cnt; j++) {
                const kafkit_partition_info_t *p = &t->partitions[j];

                printf("%s{\"partition\":%d", j ? "," : "", (int)p->id);
                if (p->kafka_code) {
                        fputs(",\"error\":", stdout);
                        kc_json_str(stdout, kafkit_kafka_err_str(p->kafka_code));
                }
                printf(",\"leader\":%d", (int)p->leader);
                kc_ids_json("replicas", p->replicas, p->replica_cnt);
                kc_ids_json("isrs", p->isrs, p->isr_cnt);
                putchar('}');
        }
        fputs("]}", stdout);
}

static void kc_md_json(const kc_opts_t *o, const kafkit_metadata_t *md)
{
        size_t i;

        printf("{\"originating_broker\":{\"id\":%d,\"name\":", (int)md->orig_broker_id);
        kc_json_str(stdout, md->orig_broker_name);
        fputs("},\"query\":{\"topic\":", stdout);
        kc_json_str(stdout, o->topic ? o->topic : "*");
        printf("},\"controllerid\":%d,\"brokers\":[", (int)md->controller_id);
        for (i = 0; i < md->broker_cnt; i++) {
                printf("%s{\"id\":%d,\"name\":", i ? "," : "", (int)md->brokers[i].id);
                /* "host:port": the port needs no escaping */
                putchar('"');
                kc_json_chars(stdout, md->brokers[i].host);
                printf(":%d\"", md->brokers[i].port);
                putchar('}');
        }
        fputs("],\"topics\":[", stdout);
        for (i = 0; i < md->topic_cnt; i++) {
                if (i)
                        putchar(',');
                kc_topic_json(&md->topics[i]);
        }
        fputs("]}", stdout);
}

int kc_metadata(kc_opts_t *o)
{
        kafkit_metadata_t *md;
        kafkit_error_t err;

        if (kc_quiet_logs(o))
                return 1;
        kafkit_error_clear(&err);
        md = kafkit_metadata_fetch(o->conf, o->topic, o->metadata_timeout_s * 1000, &err);
        if (!md) {
                if (!err.kafka_code)
                        return kc_fatal("Failed to create producer: %s", err.message);
                return kc_fatal("Failed to acquire metadata: %s%s",
                                kafkit_kafka_err_str(err.kafka_code),
                                !strcmp(kafkit_kafka_err_name(err.kafka_code), "_TRANSPORT")
                                        ? " (Are the brokers reachable? Also try increasing "
                                          "the metadata timeout with -m <timeout>?)"
                                        : "");
        }
        if (o->json)
                kc_md_json(o, md);
        else
                kc_md_text(o, md);
        kafkit_metadata_destroy(md);
        return kc_flush(0);
}

/* ----------------------------------------------------------------------- -Q */

static int kc_part_cmp(const void *a, const void *b)
{
        const kafkit_partition_offset_t *x = a, *y = b;
        int r = strcmp(x->topic, y->topic);

        if (r)
                return r;
        return x->partition < y->partition ? -1 : x->partition > y->partition;
}

static void kc_query_text(const kafkit_partition_offset_t *parts, size_t cnt)
{
        size_t i;

        for (i = 0; i < cnt; i++) {
                printf("%s [%d] offset %lld", parts[i].topic, (int)parts[i].partition,
                       (long long)parts[i].offset);
                if (parts[i].kafka_code)
                        printf(": %s", kafkit_kafka_err_str(parts[i].kafka_code));
                putchar('\n');
        }
}

/* {"<topic>":{"topic":"<topic>","<partition>":{"partition":P,"offset":O
 * [,"error":"..."]},...},...} */
static void kc_query_json(const kafkit_partition_offset_t *parts, size_t cnt)
{
        const char *last = NULL;
        size_t i;

        putchar('{');
        for (i = 0; i < cnt; i++) {
                const kafkit_partition_offset_t *p = &parts[i];

                if (!last || strcmp(last, p->topic)) {
                        if (last)
                                fputs("},", stdout);
                        kc_json_str(stdout, p->topic);
                        fputs(":{\"topic\":", stdout);
                        kc_json_str(stdout, p->topic);
                        last = p->topic;
                }
                printf(",\"%d\":{\"partition\":%d,\"offset\":%lld", (int)p->partition,
                       (int)p->partition, (long long)p->offset);
                if (p->kafka_code) {
                        fputs(",\"error\":", stdout);
                        kc_json_str(stdout, kafkit_kafka_err_str(p->kafka_code));
                }
                putchar('}');
        }
        if (last)
                putchar('}');
        putchar('}');
}

int kc_query(kc_opts_t *o)
{
        kafkit_partition_offset_t *parts;
        kafkit_error_t err;
        size_t i;
        int rc;

        if (kc_quiet_logs(o))
                return 1;
        if (!(parts = calloc(o->query_cnt ? o->query_cnt : 1, sizeof(*parts))))
                return kc_fatal("out of memory");
        for (i = 0; i < o->query_cnt; i++) {
                parts[i].topic = o->queries[i].topic;
                parts[i].partition = o->queries[i].partition;
                parts[i].offset = o->queries[i].timestamp;
        }
        kafkit_error_clear(&err);
        if (kafkit_offsets_for_times(o->conf, parts, o->query_cnt,
                                     o->metadata_timeout_s * 1000, &err) != KAFKIT_OK) {
                if (err.kafka_code)
                        rc = kc_fatal("offsets_for_times failed: %s",
                                      kafkit_kafka_err_str(err.kafka_code));
                else
                        rc = kc_fatal("Failed to create producer: %s", err.message);
                free(parts);
                return rc;
        }
        qsort(parts, o->query_cnt, sizeof(*parts), kc_part_cmp);
        if (o->json)
                kc_query_json(parts, o->query_cnt);
        else
                kc_query_text(parts, o->query_cnt);
        free(parts);
        return kc_flush(0);
}
