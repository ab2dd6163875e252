/*
 * producer.c: a librdkafka producer with safe defaults, per-record delivery
 * results and counters.
 *
 * Safety first: idempotence and acks=all are on unless the user chose
 * otherwise, and Java-compatible key partitioning (murmur2_random) is the
 * default. Throughput comes from batching (linger.ms, a deep local queue)
 * rather than from weaker guarantees. send() copies the record, so callers
 * may reuse their buffers at once; when the local queue is full it serves
 * delivery callbacks until there is room or kafkit.produce.block.ms passes.
 * The counters are updated with atomics because delivery callbacks may run
 * on any thread that polls while stats() reads from another.
 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KAFKIT_PRODUCE_BLOCK_MS_DEFAULT 60000
/* How long send() waits for room per round while the queue is full. */
#define KAFKIT_PRODUCE_FULL_POLL_MS 10
/* How long close() serves the callbacks of purged records. */
#define KAFKIT_PRODUCE_PURGE_DRAIN_MS 1000
/* Topic handles kept per producer; sends to further topics go by name. */
#define KAFKIT_PRODUCER_TOPICS 8

/* A topic handle kept for the producer's life (see kafkit_producer_rkt). */
typedef struct kafkit_producer_topic_s {
        char *name;
        rd_kafka_topic_t *rkt;
} kafkit_producer_topic_t;

struct kafkit_producer_s {
        kafkit_logger_t lg; /* first: kafkit_rd_log_cb reads it via the opaque */
        rd_kafka_t *rk;
        kafkit_delivery_cb_t *dr_cb;
        void *dr_opaque;
        kafkit_producer_error_cb_t *err_cb;
        void *err_opaque;
        long long block_ms;
        uint64_t sent;      /* __atomic */
        uint64_t delivered; /* __atomic */
        uint64_t failed;    /* __atomic */
        /* topics[0..topic_cnt) never change once published (__atomic
         * release/acquire on topic_cnt); topics_lock serializes adding */
        kafkit_producer_topic_t topics[KAFKIT_PRODUCER_TOPICS];
        size_t topic_cnt;
        pthread_mutex_t topics_lock;
};

/* ------------------------------------------------------------ defaults */

/* The first property of `names` the user set, or NULL. */
static const char *kafkit_producer_user_value(const kafkit_conf_t *conf, const char *const *names)
{
        const char *v;

        for (; *names; names++)
                if ((v = kafkit_conf_get(conf, *names)))
                        return v;
        return NULL;
}

/*
 * Whether defaulting enable.idempotence=true is safe: librdkafka refuses to
 * start an idempotent producer with acks other than all, retries=0 or more
 * than 5 requests in flight. If the user asked for one of those (and did not
 * ask for idempotence), the user's explicit choice wins over our default.
 */
static int kafkit_producer_idempotence_ok(const kafkit_conf_t *conf)
{
        static const char *const acks_names[] = { "acks", "request.required.acks", NULL };
        static const char *const retries_names[] = { "retries", "message.send.max.retries",
                                                     NULL };
        const char *acks = kafkit_producer_user_value(conf, acks_names);
        const char *retries = kafkit_producer_user_value(conf, retries_names);

        if (acks && strcmp(acks, "all") != 0 && strcmp(acks, "-1") != 0)
                return 0;
        if (retries && strtoll(retries, NULL, 10) <= 0)
                return 0;
        if (kafkit_conf_has(conf, "max.in.flight.requests.per.connection") &&
            kafkit_conf_get_int(conf, "max.in.flight.requests.per.connection", 5) > 5)
                return 0;
        return 1;
}

/*
 * linger.ms=10 lets batches fill under load at a negligible latency cost;
 * a local queue of 500k records keeps send() from blocking on bursts while
 * queue.buffering.max.kbytes still bounds memory.
 */
static rd_kafka_conf_t *kafkit_producer_rd_conf(const kafkit_conf_t *conf, kafkit_error_t *err)
{
        static const char *const base[] = {
                "acks", "all",
                "partitioner", "murmur2_random",
                "linger.ms", "10",
                NULL
        };
        const char *defaults[sizeof(base) / sizeof(base[0]) + 2];
        size_t n = 0, i;

        if (!kafkit_conf_has(conf, "enable.idempotence") &&
            kafkit_producer_idempotence_ok(conf)) {
                defaults[n++] = "enable.idempotence";
                defaults[n++] = "true";
        }
        for (i = 0; base[i]; i++)
                defaults[n++] = base[i];
        defaults[n] = NULL;
        return kafkit_conf_to_rd(conf, defaults, NULL, err);
}

/* ------------------------------------------------------------ delivery */

/* Purged records (close) are reported as timeouts, as producer.h says. */
static kafkit_err_t kafkit_producer_dr_code(rd_kafka_resp_err_t rerr)
{
        if (rerr == RD_KAFKA_RESP_ERR__PURGE_QUEUE || rerr == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
                return KAFKIT_ERR_TIMEOUT;
        return kafkit_err_from_rd(rerr);
}

static void kafkit_producer_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *rkm, void *opaque)
{
        kafkit_producer_t *p = opaque;
        kafkit_delivery_t d;
        char msg[KAFKIT_ERRSTR_SIZE];

        (void)rk;
        __atomic_add_fetch(rkm->err ? &p->failed : &p->delivered, 1, __ATOMIC_RELAXED);
        if (!p->dr_cb)
                return;
        memset(&d, 0, sizeof(d));
        d.code = kafkit_producer_dr_code(rkm->err);
        d.kafka_code = rkm->err;
        d.topic = rkm->rkt ? rd_kafka_topic_name(rkm->rkt) : "";
        d.partition = rkm->partition;
        d.offset = rkm->err ? -1 : rkm->offset;
        d.timestamp_ms = rd_kafka_message_timestamp(rkm, NULL);
        d.key = rkm->key;
        d.key_len = rkm->key_len;
        d.value = rkm->payload;
        d.value_len = rkm->len;
        d.record_opaque = rkm->_private;
        d.broker_id = rkm->err ? -1 : rd_kafka_message_broker_id(rkm);
        d.message = "";
        if (rkm->err) {
                /* not rd_kafka_message_errstr(): for a DR, payload is the value */
                if (d.partition >= 0)
                        snprintf(msg, sizeof(msg), "delivery to %s [%d] failed: %s", d.topic,
                                 (int)d.partition, rd_kafka_err2str(rkm->err));
                else
                        snprintf(msg, sizeof(msg), "delivery to %s failed: %s", d.topic,
                                 rd_kafka_err2str(rkm->err));
                d.message = msg;
        }
        p->dr_cb(p, &d, p->dr_opaque);
}

/*
 * Client-level errors (brokers unreachable, authentication) are logged once
 * through kafkit's logger; librdkafka keeps retrying, and a record that
 * cannot be delivered in time gets a failed delivery report. A fatal error
 * makes the next send fail with KAFKIT_ERR_FATAL.
 */
static void kafkit_producer_error_cb(rd_kafka_t *rk, int rerr, const char *reason, void *opaque)
{
        kafkit_producer_t *p = opaque;
        kafkit_error_t e;
        char fatal[512];

        if (!p->err_cb) {
                /* librdkafka already logged the disconnect itself */
                if (rerr != RD_KAFKA_RESP_ERR__TRANSPORT)
                        kafkit_log(&p->lg, KAFKIT_LOG_ERR, "PRODUCER", "%s", reason);
                return;
        }
        memset(&e, 0, sizeof(e));
        if (rerr == RD_KAFKA_RESP_ERR__FATAL) {
                e.code = KAFKIT_ERR_FATAL;
                e.kafka_code = rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
                if (e.kafka_code)
                        reason = fatal;
                else
                        e.kafka_code = rerr;
        } else {
                e.code = kafkit_err_from_rd(rerr);
                if (e.code == KAFKIT_OK)
                        e.code = KAFKIT_ERR_KAFKA;
                e.kafka_code = rerr;
        }
        snprintf(e.message, sizeof(e.message), "%s", reason ? reason : "");
        p->err_cb(p, &e, p->err_opaque);
}

void kafkit_producer_set_error_cb(kafkit_producer_t *p, kafkit_producer_error_cb_t *cb,
                                  void *opaque)
{
        if (!p)
                return;
        p->err_cb = cb;
        p->err_opaque = opaque;
}

/* ---------------------------------------------------------------- topics */

kafkit_err_t kafkit_producer_prepare_topic(kafkit_producer_t *p,
                                           const char *topic,
                                           int timeout_ms,
                                           int32_t *partition_cnt,
                                           kafkit_error_t *err)
{
        kafkit_metadata_t *md;
        const kafkit_topic_info_t *t;
        kafkit_err_t code = KAFKIT_OK;

        if (!p || !topic || !*topic)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "prepare topic: %s", !p ? "NULL producer" : "no topic name");
        /* Through the producer's own handle: the answer also updates the
         * partition count its partitioner uses. */
        if (!(md = kafkit_metadata_from_rd(p->rk, topic, timeout_ms, err)))
                return err ? err->code : KAFKIT_ERR_KAFKA;
        t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
        if (!t)
                code = kafkit_err_set(err, KAFKIT_ERR_NOT_FOUND, 0,
                                      "topic \"%s\": not in the cluster's metadata", topic);
        else if (t->kafka_code)
                code = kafkit_err_set(err, kafkit_err_from_rd(t->kafka_code), t->kafka_code,
                                      "topic \"%s\": %s", topic,
                                      rd_kafka_err2str(t->kafka_code));
        else if (partition_cnt)
                *partition_cnt = (int32_t)t->partition_cnt;
        kafkit_metadata_destroy(md);
        return code;
}

/* ------------------------------------------------------------ lifecycle */

kafkit_producer_t *kafkit_producer_new(kafkit_conf_t *conf, kafkit_error_t *err)
{
        kafkit_producer_t *p;
        rd_kafka_conf_t *rdc;
        char errstr[512];

        if (!conf) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "producer: NULL conf");
                return NULL;
        }
        if (!(p = calloc(1, sizeof(*p)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "producer: out of memory");
                return NULL;
        }
        kafkit_conf_logger(conf, &p->lg);
        pthread_mutex_init(&p->topics_lock, NULL);
        p->dr_cb = conf->delivery_cb;
        p->dr_opaque = conf->delivery_opaque;
        p->block_ms = kafkit_conf_get_int(conf, "kafkit.produce.block.ms",
                                          KAFKIT_PRODUCE_BLOCK_MS_DEFAULT);
        if (!(rdc = kafkit_producer_rd_conf(conf, err)))
                goto fail;
        rd_kafka_conf_set_opaque(rdc, p);
        rd_kafka_conf_set_dr_msg_cb(rdc, kafkit_producer_dr_cb);
        rd_kafka_conf_set_error_cb(rdc, kafkit_producer_error_cb);
        if (!(p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, rdc, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(rdc);
                kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "producer: %s", errstr);
                goto fail;
        }
        kafkit_conf_destroy(conf); /* taken on success; nothing in it is kept */
        return p;
fail:
        pthread_mutex_destroy(&p->topics_lock);
        free(p);
        return NULL;
}

void kafkit_producer_stats(const kafkit_producer_t *p, kafkit_producer_stats_t *stats)
{
        if (!stats)
                return;
        memset(stats, 0, sizeof(*stats));
        if (!p)
                return;
        stats->sent = __atomic_load_n(&p->sent, __ATOMIC_RELAXED);
        stats->delivered = __atomic_load_n(&p->delivered, __ATOMIC_RELAXED);
        stats->failed = __atomic_load_n(&p->failed, __ATOMIC_RELAXED);
}

/* Records sent whose result the callback has not seen yet. */
static size_t kafkit_producer_pending(const kafkit_producer_t *p)
{
        kafkit_producer_stats_t st;

        kafkit_producer_stats(p, &st);
        return st.sent > st.delivered + st.failed ? (size_t)(st.sent - st.delivered - st.failed)
                                                  : 0;
}

int kafkit_producer_poll(kafkit_producer_t *p, int timeout_ms)
{
        return p ? rd_kafka_poll(p->rk, timeout_ms) : 0;
}

kafkit_err_t kafkit_producer_flush(kafkit_producer_t *p,
                                   int timeout_ms,
                                   size_t *remaining,
                                   kafkit_error_t *err)
{
        rd_kafka_resp_err_t rerr;
        size_t left;

        if (remaining)
                *remaining = 0;
        if (!p)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "flush: NULL producer");
        rerr = rd_kafka_flush(p->rk, timeout_ms);
        left = kafkit_producer_pending(p);
        if (remaining)
                *remaining = left;
        if (rerr)
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "flush: %zu record(s) still without a result after %d ms",
                                      left, timeout_ms);
        kafkit_error_clear(err);
        return KAFKIT_OK;
}

size_t kafkit_producer_close(kafkit_producer_t *p, int timeout_ms)
{
        kafkit_producer_stats_t st;
        size_t left, i;

        if (!p)
                return 0;
        rd_kafka_flush(p->rk, timeout_ms);
        if ((left = kafkit_producer_pending(p)) > 0) {
                kafkit_log(&p->lg, KAFKIT_LOG_WARNING, "PRODUCER",
                           "close: %zu record(s) undelivered after %d ms; failing them",
                           left, timeout_ms);
                rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
                /* purged records get their callbacks (with an error) here */
                rd_kafka_flush(p->rk, KAFKIT_PRODUCE_PURGE_DRAIN_MS);
        }
        kafkit_producer_stats(p, &st);
        for (i = 0; i < p->topic_cnt; i++) {
                rd_kafka_topic_destroy(p->topics[i].rkt);
                free(p->topics[i].name);
        }
        rd_kafka_destroy(p->rk);
        pthread_mutex_destroy(&p->topics_lock);
        free(p);
        return st.sent > st.delivered ? (size_t)(st.sent - st.delivered) : 0;
}

/* ------------------------------------------------------------------ send */

/* Builds librdkafka headers for `rec` into *out (the caller frees them). */
static kafkit_err_t kafkit_producer_headers(const kafkit_record_t *rec,
                                            rd_kafka_headers_t **out,
                                            kafkit_error_t *err)
{
        rd_kafka_headers_t *hdrs;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code;
        size_t i;

        if (!(hdrs = rd_kafka_headers_new(rec->header_cnt)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "send to %s: out of memory for headers", rec->topic);
        for (i = 0; i < rec->header_cnt; i++) {
                const kafkit_header_t *h = &rec->headers[i];

                if (!h->name) {
                        code = kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "send to %s: header %zu has no name",
                                              rec->topic, i);
                        goto fail;
                }
                rerr = rd_kafka_header_add(hdrs, h->name, -1, h->value,
                                           h->value ? (ssize_t)h->value_len : 0);
                if (rerr) {
                        code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                              "send to %s: header \"%s\": %s", rec->topic,
                                              h->name, rd_kafka_err2str(rerr));
                        goto fail;
                }
        }
        *out = hdrs;
        return KAFKIT_OK;
fail:
        rd_kafka_headers_destroy(hdrs);
        return code;
}

/*
 * The producer's handle for `topic`, or NULL (send by name then). A send
 * by name makes librdkafka look the topic up under its handle's write lock
 * for every record; a kept handle skips that (about 5% of a small record's
 * cost). The first KAFKIT_PRODUCER_TOPICS topics get one, kept until
 * close(); lookups take no lock.
 */
static rd_kafka_topic_t *kafkit_producer_rkt(kafkit_producer_t *p, const char *topic)
{
        size_t n = __atomic_load_n(&p->topic_cnt, __ATOMIC_ACQUIRE), i;
        rd_kafka_topic_t *rkt = NULL;
        char *name;

        for (i = 0; i < n; i++)
                if (!strcmp(p->topics[i].name, topic))
                        return p->topics[i].rkt;
        if (n == KAFKIT_PRODUCER_TOPICS)
                return NULL;
        pthread_mutex_lock(&p->topics_lock);
        n = p->topic_cnt;
        for (i = 0; i < n; i++)
                if (!strcmp(p->topics[i].name, topic)) {
                        rkt = p->topics[i].rkt;
                        goto out;
                }
        if (n == KAFKIT_PRODUCER_TOPICS || !(name = strdup(topic)))
                goto out;
        if (!(rkt = rd_kafka_topic_new(p->rk, topic, NULL))) {
                free(name);
                goto out;
        }
        p->topics[n].name = name;
        p->topics[n].rkt = rkt;
        __atomic_store_n(&p->topic_cnt, n + 1, __ATOMIC_RELEASE);
out:
        pthread_mutex_unlock(&p->topics_lock);
        return rkt;
}

/* One attempt; librdkafka takes `hdrs` only on success. */
static rd_kafka_resp_err_t kafkit_producer_produce(kafkit_producer_t *p,
                                                   const kafkit_record_t *rec,
                                                   rd_kafka_headers_t *hdrs,
                                                   void *record_opaque)
{
        rd_kafka_topic_t *rkt = kafkit_producer_rkt(p, rec->topic);

        if (rkt && hdrs)
                return rd_kafka_producev(
                        p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(rec->partition),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_KEY(rec->key, rec->key ? rec->key_len : 0),
                        RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
                        RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms), RD_KAFKA_V_HEADERS(hdrs),
                        RD_KAFKA_V_OPAQUE(record_opaque), RD_KAFKA_V_END);
        if (rkt)
                return rd_kafka_producev(
                        p->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(rec->partition),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_KEY(rec->key, rec->key ? rec->key_len : 0),
                        RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
                        RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms),
                        RD_KAFKA_V_OPAQUE(record_opaque), RD_KAFKA_V_END);
        if (hdrs)
                return rd_kafka_producev(
                        p->rk, RD_KAFKA_V_TOPIC(rec->topic), RD_KAFKA_V_PARTITION(rec->partition),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_KEY(rec->key, rec->key ? rec->key_len : 0),
                        RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
                        RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms), RD_KAFKA_V_HEADERS(hdrs),
                        RD_KAFKA_V_OPAQUE(record_opaque), RD_KAFKA_V_END);
        return rd_kafka_producev(
                p->rk, RD_KAFKA_V_TOPIC(rec->topic), RD_KAFKA_V_PARTITION(rec->partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(rec->key, rec->key ? rec->key_len : 0),
                RD_KAFKA_V_VALUE((void *)rec->value, rec->value ? rec->value_len : 0),
                RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms), RD_KAFKA_V_OPAQUE(record_opaque),
                RD_KAFKA_V_END);
}

static kafkit_err_t kafkit_producer_send_error(kafkit_producer_t *p,
                                               const kafkit_record_t *rec,
                                               rd_kafka_resp_err_t rerr,
                                               kafkit_error_t *err)
{
        char fatal[512];
        rd_kafka_resp_err_t ferr;

        if (rerr == RD_KAFKA_RESP_ERR__FATAL) {
                ferr = rd_kafka_fatal_error(p->rk, fatal, sizeof(fatal));
                return kafkit_err_set(err, KAFKIT_ERR_FATAL, ferr ? ferr : rerr,
                                      "send to %s: producer failed fatally: %s", rec->topic,
                                      ferr ? fatal : rd_kafka_err2str(rerr));
        }
        if (rerr == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                return kafkit_err_set(err, KAFKIT_ERR_QUEUE_FULL, rerr,
                                      "send to %s: local queue still full after %lld ms "
                                      "(kafkit.produce.block.ms)",
                                      rec->topic, p->block_ms);
        if (rec->partition != KAFKIT_PARTITION_ANY)
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "send to %s [%d]: %s", rec->topic, (int)rec->partition,
                                      rd_kafka_err2str(rerr));
        return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr, "send to %s: %s", rec->topic,
                              rd_kafka_err2str(rerr));
}

/*
 * Retries while the local queue is full, serving delivery callbacks in
 * between so the queue drains, until block_ms runs out.
 */
static rd_kafka_resp_err_t kafkit_producer_produce_blocking(kafkit_producer_t *p,
                                                            const kafkit_record_t *rec,
                                                            rd_kafka_headers_t *hdrs,
                                                            void *record_opaque)
{
        rd_kafka_resp_err_t rerr;
        int64_t deadline = -1, left;

        while ((rerr = kafkit_producer_produce(p, rec, hdrs, record_opaque)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                if (deadline < 0)
                        deadline = kafkit_now_ms() + (p->block_ms > 0 ? p->block_ms : 0);
                if ((left = deadline - kafkit_now_ms()) <= 0)
                        break;
                rd_kafka_poll(p->rk, left < KAFKIT_PRODUCE_FULL_POLL_MS
                                             ? (int)left
                                             : KAFKIT_PRODUCE_FULL_POLL_MS);
        }
        return rerr;
}

kafkit_err_t kafkit_producer_send(kafkit_producer_t *p,
                                  const kafkit_record_t *rec,
                                  void *record_opaque,
                                  kafkit_error_t *err)
{
        rd_kafka_headers_t *hdrs = NULL;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code;

        if (!p || !rec || !rec->topic || !*rec->topic)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "send: %s",
                                      !p ? "NULL producer" : !rec ? "NULL record"
                                                                  : "record has no topic");
        if (rec->header_cnt > 0 && !rec->headers)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "send to %s: header_cnt %zu but headers is NULL",
                                      rec->topic, rec->header_cnt);
        if (rec->header_cnt > 0 && (code = kafkit_producer_headers(rec, &hdrs, err)))
                return code;
        rerr = kafkit_producer_produce_blocking(p, rec, hdrs, record_opaque);
        if (rerr) {
                if (hdrs)
                        rd_kafka_headers_destroy(hdrs);
                return kafkit_producer_send_error(p, rec, rerr, err);
        }
        __atomic_add_fetch(&p->sent, 1, __ATOMIC_RELAXED);
        kafkit_error_clear(err);
        return KAFKIT_OK;
}

/* ----------------------------------------------------------- transactions */

/* Turns a transactional API result into kafkit's error (see producer.h). */
static kafkit_err_t kafkit_producer_txn_result(rd_kafka_error_t *error, const char *what,
                                               kafkit_error_t *err)
{
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code;

        if (!error) {
                kafkit_error_clear(err);
                return KAFKIT_OK;
        }
        rerr = rd_kafka_error_code(error);
        if (rd_kafka_error_is_fatal(error))
                code = KAFKIT_ERR_FATAL;
        else if (rerr == RD_KAFKA_RESP_ERR__NOT_CONFIGURED || rerr == RD_KAFKA_RESP_ERR__STATE)
                code = KAFKIT_ERR_STATE;
        else if (rd_kafka_error_is_retriable(error))
                code = KAFKIT_ERR_TIMEOUT;
        else
                code = kafkit_err_from_rd(rerr);
        if (code == KAFKIT_OK)
                code = KAFKIT_ERR_KAFKA;
        kafkit_err_set(err, code, rerr, "%s: %s", what, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        return code;
}

kafkit_err_t kafkit_producer_init_transactions(kafkit_producer_t *p, int timeout_ms,
                                               kafkit_error_t *err)
{
        if (!p)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "init transactions: NULL producer");
        return kafkit_producer_txn_result(rd_kafka_init_transactions(p->rk, timeout_ms),
                                          "init transactions", err);
}

kafkit_err_t kafkit_producer_begin_transaction(kafkit_producer_t *p, kafkit_error_t *err)
{
        if (!p)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "begin transaction: NULL producer");
        return kafkit_producer_txn_result(rd_kafka_begin_transaction(p->rk),
                                          "begin transaction", err);
}

kafkit_err_t kafkit_producer_commit_transaction(kafkit_producer_t *p, int timeout_ms,
                                                kafkit_error_t *err)
{
        if (!p)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "commit transaction: NULL producer");
        return kafkit_producer_txn_result(rd_kafka_commit_transaction(p->rk, timeout_ms),
                                          "commit transaction", err);
}

kafkit_err_t kafkit_producer_abort_transaction(kafkit_producer_t *p, int timeout_ms,
                                               kafkit_error_t *err)
{
        if (!p)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "abort transaction: NULL producer");
        return kafkit_producer_txn_result(rd_kafka_abort_transaction(p->rk, timeout_ms),
                                          "abort transaction", err);
}
