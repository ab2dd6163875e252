/*
 * metadata.c: cluster metadata (brokers, topics, partitions, leaders) as a
 * read-only snapshot.
 *
 * librdkafka's metadata is copied into ONE allocation: the structs first
 * (all pointer-aligned), then the replica/ISR id arrays, then the strings.
 * kafkit_metadata_destroy() is a single free() and a caller can keep the
 * snapshot after the client that fetched it is gone.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Byte counts of the three regions of the single allocation. */
typedef struct kafkit_md_layout_s {
        size_t structs;
        size_t ids;
        size_t chars;
} kafkit_md_layout_t;

/* *acc += cnt * each, failing on overflow (cnt comes from the network). */
static int kafkit_md_add(size_t *acc, long long cnt, size_t each)
{
        size_t n;

        if (cnt < 0 || __builtin_mul_overflow((size_t)cnt, each, &n) ||
            __builtin_add_overflow(*acc, n, acc))
                return -1;
        return 0;
}

static int kafkit_md_add_str(size_t *acc, const char *s)
{
        return kafkit_md_add(acc, 1, (s ? strlen(s) : 0) + 1);
}

static int kafkit_md_measure(const struct rd_kafka_metadata *md, kafkit_md_layout_t *lay)
{
        int i, j;

        memset(lay, 0, sizeof(*lay));
        if (kafkit_md_add(&lay->structs, 1, sizeof(kafkit_metadata_t)) ||
            kafkit_md_add(&lay->structs, md->broker_cnt, sizeof(kafkit_broker_info_t)) ||
            kafkit_md_add(&lay->structs, md->topic_cnt, sizeof(kafkit_topic_info_t)) ||
            kafkit_md_add_str(&lay->chars, md->orig_broker_name))
                return -1;
        for (i = 0; i < md->broker_cnt; i++)
                if (kafkit_md_add_str(&lay->chars, md->brokers[i].host))
                        return -1;
        for (i = 0; i < md->topic_cnt; i++) {
                const rd_kafka_metadata_topic_t *t = &md->topics[i];

                if (kafkit_md_add_str(&lay->chars, t->topic) ||
                    kafkit_md_add(&lay->structs, t->partition_cnt,
                                  sizeof(kafkit_partition_info_t)))
                        return -1;
                for (j = 0; j < t->partition_cnt; j++)
                        if (kafkit_md_add(&lay->ids, t->partitions[j].replica_cnt,
                                          sizeof(int32_t)) ||
                            kafkit_md_add(&lay->ids, t->partitions[j].isr_cnt,
                                          sizeof(int32_t)))
                                return -1;
        }
        return 0;
}

/* Cursors into the three regions while copying. */
typedef struct kafkit_md_cursor_s {
        char *structs;
        int32_t *ids;
        char *chars;
} kafkit_md_cursor_t;

static void *kafkit_md_take(kafkit_md_cursor_t *cur, size_t size)
{
        void *p = cur->structs;

        cur->structs += size;
        return p;
}

static const char *kafkit_md_str(kafkit_md_cursor_t *cur, const char *s)
{
        char *p = cur->chars;
        size_t n = (s ? strlen(s) : 0) + 1;

        memcpy(p, s ? s : "", n);
        cur->chars += n;
        return p;
}

static const int32_t *kafkit_md_ids(kafkit_md_cursor_t *cur, const int32_t *ids, int cnt)
{
        int32_t *p = cur->ids;

        if (cnt > 0)
                memcpy(p, ids, (size_t)cnt * sizeof(int32_t));
        cur->ids += cnt > 0 ? cnt : 0;
        return p;
}

static void kafkit_md_copy_topic(kafkit_md_cursor_t *cur,
                                 kafkit_topic_info_t *t,
                                 const rd_kafka_metadata_topic_t *rt)
{
        kafkit_partition_info_t *parts;
        int j;

        t->name = kafkit_md_str(cur, rt->topic);
        t->kafka_code = rt->err;
        t->partition_cnt = (size_t)rt->partition_cnt;
        parts = kafkit_md_take(cur, t->partition_cnt * sizeof(*parts));
        t->partitions = parts;
        for (j = 0; j < rt->partition_cnt; j++) {
                const rd_kafka_metadata_partition_t *rp = &rt->partitions[j];

                parts[j].id = rp->id;
                parts[j].kafka_code = rp->err;
                parts[j].leader = rp->leader;
                parts[j].replica_cnt = (size_t)rp->replica_cnt;
                parts[j].replicas = kafkit_md_ids(cur, rp->replicas, rp->replica_cnt);
                parts[j].isr_cnt = (size_t)rp->isr_cnt;
                parts[j].isrs = kafkit_md_ids(cur, rp->isrs, rp->isr_cnt);
        }
}

static kafkit_metadata_t *kafkit_md_copy(const struct rd_kafka_metadata *md, kafkit_error_t *err)
{
        kafkit_md_layout_t lay;
        kafkit_md_cursor_t cur;
        kafkit_metadata_t *out;
        kafkit_broker_info_t *brokers;
        kafkit_topic_info_t *topics;
        size_t total;
        char *mem;
        int i;

        if (kafkit_md_measure(md, &lay) ||
            __builtin_add_overflow(lay.structs, lay.ids, &total) ||
            __builtin_add_overflow(total, lay.chars, &total)) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "metadata: snapshot size overflows");
                return NULL;
        }
        if (!(mem = calloc(1, total))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                               "metadata: cannot allocate %zu bytes", total);
                return NULL;
        }
        cur.structs = mem;
        cur.ids = (int32_t *)(void *)(mem + lay.structs);
        cur.chars = mem + lay.structs + lay.ids;

        out = kafkit_md_take(&cur, sizeof(*out));
        brokers = kafkit_md_take(&cur, (size_t)md->broker_cnt * sizeof(*brokers));
        topics = kafkit_md_take(&cur, (size_t)md->topic_cnt * sizeof(*topics));
        out->orig_broker_id = md->orig_broker_id;
        out->orig_broker_name = kafkit_md_str(&cur, md->orig_broker_name);
        out->brokers = brokers;
        out->broker_cnt = (size_t)md->broker_cnt;
        out->topics = topics;
        out->topic_cnt = (size_t)md->topic_cnt;
        for (i = 0; i < md->broker_cnt; i++) {
                brokers[i].id = md->brokers[i].id;
                brokers[i].host = kafkit_md_str(&cur, md->brokers[i].host);
                brokers[i].port = md->brokers[i].port;
        }
        for (i = 0; i < md->topic_cnt; i++)
                kafkit_md_copy_topic(&cur, &topics[i], &md->topics[i]);
        return out;
}

kafkit_metadata_t *kafkit_metadata_from_rd(rd_kafka_t *rk,
                                           const char *topic,
                                           int timeout_ms,
                                           kafkit_error_t *err)
{
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_topic_t *rkt = NULL;
        kafkit_metadata_t *out = NULL;
        rd_kafka_resp_err_t rerr;

        if (!rk) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "metadata: NULL client");
                return NULL;
        }
        if (topic && !(rkt = rd_kafka_topic_new(rk, topic, NULL))) {
                rerr = rd_kafka_last_error();
                kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr, "metadata for topic \"%s\": %s",
                               topic, rd_kafka_err2str(rerr));
                return NULL;
        }
        rerr = rd_kafka_metadata(rk, rkt == NULL, rkt, &md, timeout_ms);
        if (rerr) {
                if (topic)
                        kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                       "metadata for topic \"%s\": %s (waited up to %d ms)",
                                       topic, rd_kafka_err2str(rerr), timeout_ms);
                else
                        kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                       "metadata of all topics: %s (waited up to %d ms)",
                                       rd_kafka_err2str(rerr), timeout_ms);
                goto out;
        }
        out = kafkit_md_copy(md, err);
        /* the controller id came with this answer; 0 ms: no new request */
        if (out)
                out->controller_id = rd_kafka_controllerid(rk, 0);
out:
        if (md)
                rd_kafka_metadata_destroy(md);
        if (rkt)
                rd_kafka_topic_destroy(rkt);
        return out;
}

/* The temporary client's opaque: kafkit_rd_log_cb wants a logger first. */
typedef struct kafkit_md_client_s {
        kafkit_logger_t lg;
} kafkit_md_client_t;

kafkit_metadata_t *kafkit_metadata_fetch(const kafkit_conf_t *conf,
                                         const char *topic,
                                         int timeout_ms,
                                         kafkit_error_t *err)
{
        kafkit_md_client_t client;
        rd_kafka_conf_t *rdc;
        rd_kafka_t *rk;
        kafkit_metadata_t *md;
        char errstr[256];

        if (!conf) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "metadata: NULL conf");
                return NULL;
        }
        kafkit_conf_logger(conf, &client.lg);
        if (!(rdc = kafkit_conf_to_rd(conf, NULL, NULL, err)))
                return NULL;
        rd_kafka_conf_set_opaque(rdc, &client);
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, rdc, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(rdc);
                kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "metadata: cannot create client: %s",
                               errstr);
                return NULL;
        }
        md = kafkit_metadata_from_rd(rk, topic, timeout_ms, err);
        rd_kafka_destroy(rk);
        return md;
}

void kafkit_metadata_destroy(kafkit_metadata_t *md)
{
        free(md);
}
