/*
 * kcat_meta.c: kcat mode -L (metadata listing) and -Q (offsets by
 * timestamp), with kcat 1.7.1's bytes: the text layout, the -J documents
 * (one line, no trailing newline, strings escaped as kcat's JSON writer
 * does), the "% ERROR: ..." messages and exit codes.
 *
 * The -L listing itself is metalist.c's (shared with `kafkit list`); -Q
 * answers are sorted by topic, then partition, as kcat sorts them.
 */
#include "kcat.h"
#include "fmt.h"
#include "metalist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
                metalist_json(md, o->topic, 1);
        else
                metalist_text(md, o->topic, 1);
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
                        fmt_json_str(stdout, p->topic);
                        fputs(":{\"topic\":", stdout);
                        fmt_json_str(stdout, p->topic);
                        last = p->topic;
                }
                printf(",\"%d\":{\"partition\":%d,\"offset\":%lld", (int)p->partition,
                       (int)p->partition, (long long)p->offset);
                if (p->kafka_code) {
                        fputs(",\"error\":", stdout);
                        fmt_json_str(stdout, kafkit_kafka_err_str(p->kafka_code));
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
