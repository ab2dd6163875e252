/*
 * consumer.c: librdkafka's high-level consumer with kafkit's commit modes,
 * start offsets, end-of-partition tracking and rebalance handling.
 *
 * The consumer keeps its own list of assigned partitions, each with an
 * "at end" flag set by an end-of-partition event and cleared by the next
 * record, so kafkit_consumer_at_end() answers "has everything been read?"
 * without asking librdkafka. The list is kept by the rebalance callback
 * (group mode) or by assign() (manual mode). Records cost a lookup only
 * while some flag is set.
 *
 * librdkafka 2.0.2 refuses assign() on a consumer without group.id
 * (__UNKNOWN_GROUP), so without one kafkit gives the handle a private,
 * unique group id and switches committing off for good: such a consumer
 * never commits and never joins a group.
 */
#include "internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KAFKIT_CONSUMER_TIMEOUT_DEFAULT 60000

typedef enum kafkit_commit_mode_e {
        KAFKIT_COMMIT_AUTO,
        KAFKIT_COMMIT_MARKED,
        KAFKIT_COMMIT_MANUAL
} kafkit_commit_mode_t;

/* One assigned partition. */
typedef struct kafkit_assigned_s {
        char *topic;
        int32_t partition;
        int at_end;
} kafkit_assigned_t;

struct kafkit_consumer_s {
        kafkit_logger_t lg; /* first: kafkit_rd_log_cb reads it via the opaque */
        rd_kafka_t *rk;
        rd_kafka_queue_t *queue; /* the consumer queue, for poll_batch */
        kafkit_rebalance_cb_t *rb_cb;
        void *rb_opaque;
        kafkit_commit_mode_t mode;
        int has_group;  /* 0: private group id, never commit or subscribe */
        int64_t assign_offset; /* group assignments start here, or INVALID */
        int timeout_ms; /* socket.timeout.ms: for lookups with the broker */

        kafkit_assigned_t *parts;
        size_t cnt, cap;
        size_t at_end_cnt; /* how many parts[] have at_end set */

        /* The first client-level error (all brokers down, authentication,
         * fatal...) not yet reported by poll. Set by the error callback,
         * which librdkafka may run on its own threads: hence the lock. */
        pthread_mutex_t err_lock;
        int err_pending;
        kafkit_error_t client_err;

        /* The member id last read (under err_lock). While closing,
         * rd_kafka_memberid() would wait forever on the group thread, which
         * waits for the revoke callback the caller is in: the cached id is
         * answered instead. */
        char member_id[256];
        const char *protocol;   /* likewise for the rebalance protocol */
        int closing;
};

/* ------------------------------------------------------ assignment list */

static void kafkit_assigned_clear(kafkit_consumer_t *c)
{
        size_t i;

        for (i = 0; i < c->cnt; i++)
                free(c->parts[i].topic);
        c->cnt = 0;
        c->at_end_cnt = 0;
}

static kafkit_assigned_t *kafkit_assigned_find(const kafkit_consumer_t *c,
                                               const char *topic,
                                               int32_t partition)
{
        size_t i;

        for (i = 0; i < c->cnt; i++)
                if (c->parts[i].partition == partition && strcmp(c->parts[i].topic, topic) == 0)
                        return &c->parts[i];
        return NULL;
}

static int kafkit_assigned_add(kafkit_consumer_t *c, const char *topic, int32_t partition)
{
        kafkit_assigned_t *np;
        size_t ncap;
        char *t;

        if (kafkit_assigned_find(c, topic, partition))
                return 0;
        if (c->cnt == c->cap) {
                ncap = c->cap ? c->cap * 2 : 16;
                if (ncap > SIZE_MAX / sizeof(*np) ||
                    !(np = realloc(c->parts, ncap * sizeof(*np))))
                        return -1;
                c->parts = np;
                c->cap = ncap;
        }
        if (!(t = strdup(topic)))
                return -1;
        c->parts[c->cnt].topic = t;
        c->parts[c->cnt].partition = partition;
        c->parts[c->cnt].at_end = 0;
        c->cnt++;
        return 0;
}

static void kafkit_assigned_remove(kafkit_consumer_t *c, const char *topic, int32_t partition)
{
        kafkit_assigned_t *a = kafkit_assigned_find(c, topic, partition);

        if (!a)
                return;
        if (a->at_end)
                c->at_end_cnt--;
        free(a->topic);
        *a = c->parts[--c->cnt];
}

/* Adds (or with `replace`, sets the list to) the partitions of `parts`. */
static int kafkit_assigned_update(kafkit_consumer_t *c,
                                  const rd_kafka_topic_partition_list_t *parts,
                                  int replace)
{
        int i;

        if (replace)
                kafkit_assigned_clear(c);
        for (i = 0; parts && i < parts->cnt; i++)
                if (kafkit_assigned_add(c, parts->elems[i].topic, parts->elems[i].partition))
                        return -1;
        return 0;
}

/* Keeps the at-end flags in step with what poll returns. */
static void kafkit_consumer_track(kafkit_consumer_t *c, const rd_kafka_message_t *rkm)
{
        kafkit_assigned_t *a;

        if (!rkm->rkt)
                return;
        if (!rkm->err) {
                if (c->at_end_cnt == 0)
                        return; /* the common case: no lookup at all */
                a = kafkit_assigned_find(c, rd_kafka_topic_name(rkm->rkt), rkm->partition);
                if (a && a->at_end) {
                        a->at_end = 0;
                        c->at_end_cnt--;
                }
        } else if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                a = kafkit_assigned_find(c, rd_kafka_topic_name(rkm->rkt), rkm->partition);
                if (a && !a->at_end) {
                        a->at_end = 1;
                        c->at_end_cnt++;
                }
        }
}

/* ------------------------------------------------------------ rebalance */

static void kafkit_consumer_notify(kafkit_consumer_t *c,
                                   int assigned,
                                   const rd_kafka_topic_partition_list_t *parts)
{
        kafkit_partition_t *arr;
        size_t n = parts && parts->cnt > 0 ? (size_t)parts->cnt : 0, i;

        if (!c->rb_cb)
                return;
        if (!(arr = calloc(n ? n : 1, sizeof(*arr)))) {
                kafkit_log(&c->lg, KAFKIT_LOG_ERR, "REBALANCE",
                           "out of memory: rebalance callback not called for %zu partition(s)",
                           n);
                return;
        }
        for (i = 0; i < n; i++) {
                arr[i].topic = parts->elems[i].topic;
                arr[i].partition = parts->elems[i].partition;
                arr[i].offset.kind = KAFKIT_OFFSET_STORED;
        }
        c->rb_cb(c, assigned, arr, n, c->rb_opaque);
        free(arr);
}

static int kafkit_consumer_cooperative(rd_kafka_t *rk)
{
        const char *proto = rd_kafka_rebalance_protocol(rk);

        return proto && strcmp(proto, "COOPERATIVE") == 0;
}

/* Applies an (incremental) assign or unassign, logging failures. */
static void kafkit_consumer_apply(kafkit_consumer_t *c,
                                  rd_kafka_topic_partition_list_t *parts,
                                  int assign,
                                  int coop)
{
        rd_kafka_error_t *error = NULL;
        rd_kafka_resp_err_t rerr = RD_KAFKA_RESP_ERR_NO_ERROR;

        if (coop)
                error = assign ? rd_kafka_incremental_assign(c->rk, parts)
                               : rd_kafka_incremental_unassign(c->rk, parts);
        else
                rerr = rd_kafka_assign(c->rk, assign ? parts : NULL);
        if (error) {
                kafkit_log(&c->lg, KAFKIT_LOG_ERR, "REBALANCE", "incremental %s failed: %s",
                           assign ? "assign" : "unassign", rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
        } else if (rerr) {
                kafkit_log(&c->lg, KAFKIT_LOG_ERR, "REBALANCE", "%s failed: %s",
                           assign ? "assign" : "unassign", rd_kafka_err2str(rerr));
        }
}

/* Manual mode: what was marked for partitions being taken away is due now. */
static void kafkit_consumer_commit_before_revoke(kafkit_consumer_t *c)
{
        rd_kafka_resp_err_t rerr;

        if (c->mode != KAFKIT_COMMIT_MANUAL || !c->has_group || rd_kafka_assignment_lost(c->rk))
                return;
        rerr = rd_kafka_commit(c->rk, NULL, 0);
        if (rerr && rerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
                kafkit_log(&c->lg, KAFKIT_LOG_WARNING, "REBALANCE",
                           "commit before revoking partitions failed: %s",
                           rd_kafka_err2str(rerr));
}

static void kafkit_consumer_rebalance_cb(rd_kafka_t *rk,
                                         rd_kafka_resp_err_t rerr,
                                         rd_kafka_topic_partition_list_t *parts,
                                         void *opaque)
{
        kafkit_consumer_t *c = opaque;
        int coop = kafkit_consumer_cooperative(rk);

        kafkit_log(&c->lg, KAFKIT_LOG_DEBUG, "REBALANCE", "%s %d partition(s) (%s)",
                   rerr == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS   ? "assign"
                   : rerr == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS ? "revoke"
                                                                  : "failed to rebalance",
                   parts ? parts->cnt : 0, coop ? "cooperative" : "eager");
        if (rerr == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                if (c->assign_offset != RD_KAFKA_OFFSET_INVALID) {
                        int i;

                        for (i = 0; i < parts->cnt; i++)
                                parts->elems[i].offset = c->assign_offset;
                }
                kafkit_consumer_apply(c, parts, 1, coop);
                if (kafkit_assigned_update(c, parts, !coop))
                        kafkit_log(&c->lg, KAFKIT_LOG_ERR, "REBALANCE",
                                   "out of memory tracking assigned partitions");
                kafkit_consumer_notify(c, 1, parts);
        } else if (rerr == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
                kafkit_consumer_commit_before_revoke(c);
                kafkit_consumer_apply(c, parts, 0, coop);
                if (coop) {
                        int i;

                        for (i = 0; i < parts->cnt; i++)
                                kafkit_assigned_remove(c, parts->elems[i].topic,
                                                       parts->elems[i].partition);
                } else {
                        kafkit_assigned_clear(c);
                }
                kafkit_consumer_notify(c, 0, parts);
        } else {
                kafkit_log(&c->lg, KAFKIT_LOG_ERR, "REBALANCE", "rebalance failed: %s",
                           rd_kafka_err2str(rerr));
                kafkit_consumer_apply(c, NULL, 0, 0);
                kafkit_assigned_clear(c);
        }
}

/* Async and automatic commits report here; failures are logged. */
static void kafkit_consumer_commit_cb(rd_kafka_t *rk,
                                      rd_kafka_resp_err_t rerr,
                                      rd_kafka_topic_partition_list_t *offsets,
                                      void *opaque)
{
        kafkit_consumer_t *c = opaque;
        int i;

        (void)rk;
        if (rerr && rerr != RD_KAFKA_RESP_ERR__NO_OFFSET) {
                kafkit_log(&c->lg, KAFKIT_LOG_WARNING, "COMMIT", "commit failed: %s",
                           rd_kafka_err2str(rerr));
                return;
        }
        for (i = 0; offsets && i < offsets->cnt; i++)
                if (offsets->elems[i].err)
                        kafkit_log(&c->lg, KAFKIT_LOG_WARNING, "COMMIT",
                                   "commit of %s [%d] offset %lld failed: %s",
                                   offsets->elems[i].topic, (int)offsets->elems[i].partition,
                                   (long long)offsets->elems[i].offset,
                                   rd_kafka_err2str(offsets->elems[i].err));
}

/* ------------------------------------------------------------ lifecycle */

/* ------------------------------------------------------- client errors */

/*
 * librdkafka reports client-level trouble (brokers unreachable, failed
 * authentication, a fatal error) to the error callback, not as consumer
 * events. Without this the application would see only a log line and wait
 * forever; with it, the next poll returns NULL with the error set. Plain
 * disconnects (__TRANSPORT) are recovered by librdkafka and only logged.
 */
static void kafkit_consumer_error_cb(rd_kafka_t *rk, int rerr, const char *reason, void *opaque)
{
        kafkit_consumer_t *c = opaque;
        char fatal[512];
        kafkit_err_t code = kafkit_err_from_rd(rerr);

        if (rerr == RD_KAFKA_RESP_ERR__TRANSPORT)
                return; /* librdkafka logged the disconnect and reconnects */
        if (rerr == RD_KAFKA_RESP_ERR__FATAL) {
                rerr = rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
                reason = fatal;
                code = KAFKIT_ERR_FATAL;
        }
        if (code == KAFKIT_OK)
                code = KAFKIT_ERR_KAFKA;
        pthread_mutex_lock(&c->err_lock);
        if (!c->err_pending || code == KAFKIT_ERR_FATAL) {
                kafkit_err_set(&c->client_err, code, rerr, "consumer: %s", reason);
                c->err_pending = 1;
        }
        pthread_mutex_unlock(&c->err_lock);
}

/* Moves a pending client error into *err; returns 1 if there was one. */
static int kafkit_consumer_take_error(kafkit_consumer_t *c, kafkit_error_t *err)
{
        int had;

        if (!__atomic_load_n(&c->err_pending, __ATOMIC_ACQUIRE))
                return 0;
        pthread_mutex_lock(&c->err_lock);
        had = c->err_pending;
        if (had && err)
                *err = c->client_err;
        c->err_pending = 0;
        pthread_mutex_unlock(&c->err_lock);
        return had;
}

static kafkit_err_t kafkit_consumer_mode(const kafkit_conf_t *conf,
                                         kafkit_commit_mode_t *mode,
                                         kafkit_error_t *err)
{
        const char *v = kafkit_conf_get(conf, "kafkit.commit.mode");

        if (!v || strcmp(v, "auto") == 0)
                *mode = KAFKIT_COMMIT_AUTO;
        else if (strcmp(v, "marked") == 0)
                *mode = KAFKIT_COMMIT_MARKED;
        else if (strcmp(v, "manual") == 0)
                *mode = KAFKIT_COMMIT_MANUAL;
        else
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "kafkit.commit.mode: \"%s\" is not auto, marked or manual",
                                      v);
        return KAFKIT_OK;
}

static rd_kafka_conf_t *kafkit_consumer_rd_conf(kafkit_consumer_t *c,
                                                const kafkit_conf_t *conf,
                                                kafkit_error_t *err)
{
        static const char *const defaults[] = { "enable.partition.eof", "true", NULL };
        const char *overrides[11];
        char group[96];
        size_t n = 0;

        if (!c->has_group) {
                snprintf(group, sizeof(group), "kafkit-nogroup-%ld-%lx", (long)getpid(),
                         (unsigned long)(uintptr_t)c);
                overrides[n++] = "group.id";
                overrides[n++] = group;
        }
        if (!c->has_group || c->mode != KAFKIT_COMMIT_AUTO) {
                overrides[n++] = "enable.auto.offset.store";
                overrides[n++] = "false";
        }
        if (!c->has_group || c->mode == KAFKIT_COMMIT_MANUAL) {
                overrides[n++] = "enable.auto.commit";
                overrides[n++] = "false";
        }
        overrides[n] = NULL;
        return kafkit_conf_to_rd(conf, defaults, overrides, err);
}

static void kafkit_consumer_free(kafkit_consumer_t *c)
{
        pthread_mutex_destroy(&c->err_lock);
        kafkit_assigned_clear(c);
        free(c->parts);
        free(c);
}

kafkit_consumer_t *kafkit_consumer_new(kafkit_conf_t *conf, kafkit_error_t *err)
{
        kafkit_consumer_t *c;
        rd_kafka_conf_t *rdc;
        rd_kafka_resp_err_t rerr;
        const char *group;
        char errstr[512];

        if (!conf) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "consumer: NULL conf");
                return NULL;
        }
        if (!(c = calloc(1, sizeof(*c)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "consumer: out of memory");
                return NULL;
        }
        pthread_mutex_init(&c->err_lock, NULL);
        kafkit_conf_logger(conf, &c->lg);
        if (kafkit_consumer_mode(conf, &c->mode, err))
                goto fail;
        group = kafkit_conf_get(conf, "group.id");
        c->has_group = group && *group;
        c->assign_offset = RD_KAFKA_OFFSET_INVALID;
        c->rb_cb = conf->rebalance_cb;
        c->rb_opaque = conf->rebalance_opaque;
        c->timeout_ms = (int)kafkit_conf_get_int(conf, "socket.timeout.ms",
                                                 KAFKIT_CONSUMER_TIMEOUT_DEFAULT);
        if (!(rdc = kafkit_consumer_rd_conf(c, conf, err)))
                goto fail;
        rd_kafka_conf_set_opaque(rdc, c);
        rd_kafka_conf_set_rebalance_cb(rdc, kafkit_consumer_rebalance_cb);
        rd_kafka_conf_set_offset_commit_cb(rdc, kafkit_consumer_commit_cb);
        rd_kafka_conf_set_error_cb(rdc, kafkit_consumer_error_cb);
        if (!(c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, rdc, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(rdc);
                kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "consumer: %s", errstr);
                goto fail;
        }
        if ((rerr = rd_kafka_poll_set_consumer(c->rk)) ||
            !(c->queue = rd_kafka_queue_get_consumer(c->rk))) {
                kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                               "consumer: cannot get the consumer queue: %s",
                               rd_kafka_err2str(rerr));
                rd_kafka_destroy(c->rk);
                goto fail;
        }
        kafkit_conf_destroy(conf); /* taken on success; nothing in it is kept */
        return c;
fail:
        kafkit_consumer_free(c);
        return NULL;
}

kafkit_err_t kafkit_consumer_close(kafkit_consumer_t *c, kafkit_error_t *err)
{
        kafkit_err_t code = KAFKIT_OK;
        rd_kafka_resp_err_t rerr;

        kafkit_error_clear(err);
        if (!c)
                return KAFKIT_OK;
        if (c->has_group && c->mode != KAFKIT_COMMIT_AUTO) {
                rerr = rd_kafka_commit(c->rk, NULL, 0);
                if (rerr && rerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
                        code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                              "close: final commit failed: %s",
                                              rd_kafka_err2str(rerr));
        }
        pthread_mutex_lock(&c->err_lock);
        c->closing = 1;
        pthread_mutex_unlock(&c->err_lock);
        rerr = rd_kafka_consumer_close(c->rk);
        if (rerr && code == KAFKIT_OK)
                code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "close: leaving the group failed: %s",
                                      rd_kafka_err2str(rerr));
        rd_kafka_queue_destroy(c->queue);
        rd_kafka_destroy(c->rk);
        kafkit_consumer_free(c);
        return code;
}

int kafkit_consumer_at_end(const kafkit_consumer_t *c)
{
        return c && c->cnt > 0 && c->at_end_cnt == c->cnt;
}

size_t kafkit_consumer_assignment_count(const kafkit_consumer_t *c)
{
        return c ? c->cnt : 0;
}

kafkit_err_t kafkit_consumer_set_assign_offset(kafkit_consumer_t *c,
                                               const kafkit_offset_t *offset,
                                               kafkit_error_t *err)
{
        int64_t off = RD_KAFKA_OFFSET_INVALID;

        if (!c)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "assign offset: NULL consumer");
        if (offset && offset->kind != KAFKIT_OFFSET_STORED &&
            (off = kafkit_offset_to_rd(offset)) == RD_KAFKA_OFFSET_INVALID)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "assign offset: kind %d value %lld cannot start an "
                                      "assigned partition (timestamps are not supported)",
                                      (int)offset->kind, (long long)offset->value);
        c->assign_offset = off;
        kafkit_error_clear(err);
        return KAFKIT_OK;
}

const char *kafkit_consumer_member_id(kafkit_consumer_t *c, char *buf, size_t size)
{
        char *id;
        int closing;

        if (!buf || size == 0)
                return buf;
        buf[0] = '\0';
        if (!c)
                return buf;
        pthread_mutex_lock(&c->err_lock);
        closing = c->closing;
        pthread_mutex_unlock(&c->err_lock);
        if (!closing && (id = rd_kafka_memberid(c->rk))) {
                pthread_mutex_lock(&c->err_lock);
                snprintf(c->member_id, sizeof(c->member_id), "%s", id);
                pthread_mutex_unlock(&c->err_lock);
                rd_kafka_mem_free(c->rk, id);
        }
        pthread_mutex_lock(&c->err_lock);
        snprintf(buf, size, "%s", c->member_id);
        pthread_mutex_unlock(&c->err_lock);
        return buf;
}

const char *kafkit_consumer_rebalance_protocol(kafkit_consumer_t *c)
{
        const char *proto = NULL, *answer = "NONE";
        int closing;

        if (!c)
                return answer;
        pthread_mutex_lock(&c->err_lock);
        closing = c->closing;
        if (closing && c->protocol)
                answer = c->protocol;
        pthread_mutex_unlock(&c->err_lock);
        if (closing)
                return answer;
        proto = rd_kafka_rebalance_protocol(c->rk);
        if (proto && strcmp(proto, "COOPERATIVE") == 0)
                answer = "COOPERATIVE";
        else if (proto && strcmp(proto, "EAGER") == 0)
                answer = "EAGER";
        pthread_mutex_lock(&c->err_lock);
        c->protocol = answer;
        pthread_mutex_unlock(&c->err_lock);
        return answer;
}

kafkit_metadata_t *kafkit_consumer_metadata(kafkit_consumer_t *c,
                                            const char *topic,
                                            int timeout_ms,
                                            kafkit_error_t *err)
{
        if (!c) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "metadata: NULL consumer");
                return NULL;
        }
        return kafkit_metadata_from_rd(c->rk, topic, timeout_ms, err);
}

/* ------------------------------------------------------- subscribe, assign */

/* "a, b, c" into buf (truncated), to name topics in errors. */
static void kafkit_consumer_topic_list(const char *const *topics, size_t cnt, char *buf, size_t size)
{
        size_t i, len = 0;
        int r;

        buf[0] = '\0';
        for (i = 0; i < cnt && len < size; i++) {
                r = snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : "", topics[i]);
                if (r < 0)
                        break;
                len += (size_t)r;
        }
}

kafkit_err_t kafkit_consumer_subscribe(kafkit_consumer_t *c,
                                       const char *const *topics,
                                       size_t cnt,
                                       kafkit_error_t *err)
{
        rd_kafka_topic_partition_list_t *list;
        rd_kafka_resp_err_t rerr;
        char names[256];
        size_t i;

        if (!c || !topics || cnt == 0 || cnt > INT_MAX)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "subscribe: %s", !c ? "NULL consumer" : "no topics");
        if (!c->has_group)
                return kafkit_err_set(err, KAFKIT_ERR_STATE, 0,
                                      "subscribe: needs group.id (without one, assign partitions)");
        for (i = 0; i < cnt; i++)
                if (!topics[i] || !*topics[i])
                        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "subscribe: topic #%zu is empty", i + 1);
        if (!(list = rd_kafka_topic_partition_list_new((int)cnt)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "subscribe: out of memory");
        for (i = 0; i < cnt; i++)
                rd_kafka_topic_partition_list_add(list, topics[i], RD_KAFKA_PARTITION_UA);
        rerr = rd_kafka_subscribe(c->rk, list);
        rd_kafka_topic_partition_list_destroy(list);
        if (rerr) {
                kafkit_consumer_topic_list(topics, cnt, names, sizeof(names));
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "subscribe to %s: %s%s", names, rd_kafka_err2str(rerr),
                                      rerr == RD_KAFKA_RESP_ERR__INVALID_ARG
                                              ? " (empty, duplicate or bad ^regex topic?)"
                                              : "");
        }
        kafkit_error_clear(err);
        return KAFKIT_OK;
}

/*
 * Replaces the TIMESTAMP offsets of `list` (holding the timestamps) by the
 * first offset at or after them; -1 (none) is librdkafka's END.
 */
static kafkit_err_t kafkit_consumer_resolve_times(kafkit_consumer_t *c,
                                                  rd_kafka_topic_partition_list_t *list,
                                                  const kafkit_partition_t *parts,
                                                  kafkit_error_t *err)
{
        rd_kafka_topic_partition_list_t *ts;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code = KAFKIT_OK;
        int i;

        if (!(ts = rd_kafka_topic_partition_list_new(list->cnt)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "assign: out of memory");
        for (i = 0; i < list->cnt; i++)
                if (parts[i].offset.kind == KAFKIT_OFFSET_TIMESTAMP)
                        rd_kafka_topic_partition_list_add(ts, parts[i].topic, parts[i].partition)
                                ->offset = parts[i].offset.value;
        rerr = rd_kafka_offsets_for_times(c->rk, ts, c->timeout_ms);
        if (rerr) {
                code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "assign: looking up offsets by timestamp (first %s [%d]): %s",
                                      ts->elems[0].topic, (int)ts->elems[0].partition,
                                      rd_kafka_err2str(rerr));
                goto out;
        }
        for (i = 0; i < ts->cnt; i++) {
                const rd_kafka_topic_partition_t *e = &ts->elems[i];

                if (e->err) {
                        code = kafkit_err_set(err, kafkit_err_from_rd(e->err), e->err,
                                              "assign %s [%d]: offset for timestamp: %s",
                                              e->topic, (int)e->partition,
                                              rd_kafka_err2str(e->err));
                        goto out;
                }
        }
        for (i = 0; i < list->cnt; i++) {
                rd_kafka_topic_partition_t *e;

                if (parts[i].offset.kind != KAFKIT_OFFSET_TIMESTAMP)
                        continue;
                e = rd_kafka_topic_partition_list_find(ts, parts[i].topic, parts[i].partition);
                list->elems[i].offset = e && e->offset >= 0 ? e->offset : RD_KAFKA_OFFSET_END;
        }
out:
        rd_kafka_topic_partition_list_destroy(ts);
        return code;
}

/* Checks `parts` and lists them with their librdkafka start offsets. */
static kafkit_err_t kafkit_consumer_assign_list(const kafkit_partition_t *parts,
                                                size_t cnt,
                                                rd_kafka_topic_partition_list_t *list,
                                                int *need_times,
                                                kafkit_error_t *err)
{
        const kafkit_partition_t *p;
        int64_t off;
        size_t i;

        *need_times = 0;
        for (i = 0; i < cnt; i++) {
                p = &parts[i];
                if (!p->topic || !*p->topic || p->partition < 0)
                        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "assign: partition #%zu: %s", i + 1,
                                              p->partition < 0 ? "negative partition"
                                                               : "no topic");
                if (p->offset.kind == KAFKIT_OFFSET_TIMESTAMP && p->offset.value >= 0) {
                        off = RD_KAFKA_OFFSET_END; /* resolved later */
                        *need_times = 1;
                } else if ((off = kafkit_offset_to_rd(&p->offset)) == RD_KAFKA_OFFSET_INVALID) {
                        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "assign %s [%d]: invalid start offset "
                                              "(kind %d, value %lld)",
                                              p->topic, (int)p->partition, (int)p->offset.kind,
                                              (long long)p->offset.value);
                }
                rd_kafka_topic_partition_list_add(list, p->topic, p->partition)->offset = off;
        }
        return KAFKIT_OK;
}

kafkit_err_t kafkit_consumer_assign(kafkit_consumer_t *c,
                                    const kafkit_partition_t *parts,
                                    size_t cnt,
                                    kafkit_error_t *err)
{
        rd_kafka_topic_partition_list_t *list = NULL;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code;
        int need_times;

        if (!c || (cnt > 0 && !parts) || cnt > INT_MAX)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "assign: %s",
                                      !c ? "NULL consumer" : "bad partition array");
        if (!(list = rd_kafka_topic_partition_list_new((int)cnt)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "assign: out of memory");
        if ((code = kafkit_consumer_assign_list(parts, cnt, list, &need_times, err)))
                goto out;
        if (need_times && (code = kafkit_consumer_resolve_times(c, list, parts, err)))
                goto out;
        if ((rerr = rd_kafka_assign(c->rk, cnt > 0 ? list : NULL))) {
                code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "assign %zu partition(s)%s%s: %s", cnt,
                                      cnt ? ", first " : "", cnt ? parts[0].topic : "",
                                      rd_kafka_err2str(rerr));
                goto out;
        }
        if (kafkit_assigned_update(c, list, 1)) {
                code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "assign: out of memory tracking partitions");
                goto out;
        }
        kafkit_error_clear(err);
out:
        rd_kafka_topic_partition_list_destroy(list);
        return code;
}

/* The topic's metadata entry, or an error naming what is missing. */
static kafkit_err_t kafkit_consumer_find_topic(const kafkit_metadata_t *md,
                                               const char *topic,
                                               const kafkit_topic_info_t **out,
                                               kafkit_error_t *err)
{
        const kafkit_topic_info_t *t = NULL;
        size_t i;

        for (i = 0; i < md->topic_cnt && !t; i++)
                if (strcmp(md->topics[i].name, topic) == 0)
                        t = &md->topics[i];
        if (!t || t->kafka_code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            t->kafka_code == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
                return kafkit_err_set(err, KAFKIT_ERR_NOT_FOUND,
                                      t ? t->kafka_code : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                                      "topic \"%s\" not found", topic);
        if (t->partition_cnt == 0 && t->kafka_code)
                return kafkit_err_set(err, kafkit_err_from_rd(t->kafka_code), t->kafka_code,
                                      "topic \"%s\": %s", topic, rd_kafka_err2str(t->kafka_code));
        if (t->partition_cnt == 0)
                return kafkit_err_set(err, KAFKIT_ERR_NOT_FOUND, 0, "topic \"%s\" has no partitions",
                                      topic);
        *out = t;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_consumer_assign_topic(kafkit_consumer_t *c,
                                          const char *topic,
                                          int32_t partition,
                                          const kafkit_offset_t *offset,
                                          kafkit_error_t *err)
{
        const kafkit_offset_t stored = { KAFKIT_OFFSET_STORED, 0 };
        const kafkit_topic_info_t *t = NULL;
        kafkit_partition_t *parts = NULL;
        kafkit_metadata_t *md;
        kafkit_err_t code;
        size_t i, n = 0;

        if (!c || !topic || !*topic)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "assign topic: %s",
                                      !c ? "NULL consumer" : "no topic");
        /*
         * All topics, not just `topic`: asking for one topic by name lets a
         * broker (or the dev cluster, always) auto-create it, and reading a
         * misspelt topic must not create it.
         */
        if (!(md = kafkit_metadata_from_rd(c->rk, NULL, c->timeout_ms, err)))
                return err ? err->code : KAFKIT_ERR_KAFKA;
        if ((code = kafkit_consumer_find_topic(md, topic, &t, err)))
                goto out;
        if (!(parts = calloc(t->partition_cnt, sizeof(*parts)))) {
                code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "assign topic: out of memory");
                goto out;
        }
        for (i = 0; i < t->partition_cnt; i++) {
                if (partition >= 0 && t->partitions[i].id != partition)
                        continue;
                parts[n].topic = topic;
                parts[n].partition = t->partitions[i].id;
                parts[n].offset = offset ? *offset : stored;
                n++;
        }
        if (n == 0) {
                code = kafkit_err_set(err, KAFKIT_ERR_NOT_FOUND,
                                      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                                      "topic \"%s\" has no partition %d (it has %zu)", topic,
                                      (int)partition, t->partition_cnt);
                goto out;
        }
        code = kafkit_consumer_assign(c, parts, n, err);
out:
        free(parts);
        kafkit_metadata_destroy(md);
        return code;
}

/* ------------------------------------------------------------------ poll */

kafkit_message_t *kafkit_consumer_poll(kafkit_consumer_t *c, int timeout_ms, kafkit_error_t *err)
{
        rd_kafka_message_t *rkm;

        if (!c) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "poll: NULL consumer");
                return NULL;
        }
        kafkit_error_clear(err);
        if (kafkit_consumer_take_error(c, err))
                return NULL;
        if (!(rkm = rd_kafka_consumer_poll(c->rk, timeout_ms))) {
                kafkit_consumer_take_error(c, err);
                return NULL;
        }
        kafkit_consumer_track(c, rkm);
        return kafkit_message_wrap(rkm);
}

/* Copies through a local array: no aliasing of the two pointer types. */
#define KAFKIT_BATCH_CHUNK 64

/*
 * The first event is waited for with rd_kafka_consumer_poll(); the rest are
 * taken without waiting from what is already queued, so a batch never
 * holds back events that arrived to wait for more. Rebalance and other
 * callbacks are served by both calls.
 */
size_t kafkit_consumer_poll_batch(kafkit_consumer_t *c,
                                  int timeout_ms,
                                  kafkit_message_t **msgs,
                                  size_t max,
                                  kafkit_error_t *err)
{
        rd_kafka_message_t *chunk[KAFKIT_BATCH_CHUNK];
        kafkit_message_t *first;
        size_t n, want, i;
        ssize_t got;

        if (!c || (max > 0 && !msgs)) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "poll batch: %s",
                               !c ? "NULL consumer" : "NULL message array");
                return 0;
        }
        kafkit_error_clear(err);
        if (max == 0 || !(first = kafkit_consumer_poll(c, timeout_ms, err)))
                return 0;
        msgs[0] = first;
        for (n = 1; n < max; n += (size_t)got) {
                want = max - n < KAFKIT_BATCH_CHUNK ? max - n : KAFKIT_BATCH_CHUNK;
                got = rd_kafka_consume_batch_queue(c->queue, 0, chunk, want);
                if (got <= 0)
                        break;
                for (i = 0; i < (size_t)got; i++) {
                        kafkit_consumer_track(c, chunk[i]);
                        msgs[n + i] = kafkit_message_wrap(chunk[i]);
                }
                if ((size_t)got < want)
                        return n + (size_t)got;
        }
        return n;
}

/* ---------------------------------------------------------------- commit */

/*
 * rd_kafka_offset_store() stores offset + 1 for the message's own topic
 * handle: the same as rd_kafka_offsets_store() but with no list to
 * allocate per record.
 */
kafkit_err_t kafkit_consumer_mark(kafkit_consumer_t *c,
                                  const kafkit_message_t *msg,
                                  kafkit_error_t *err)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);
        rd_kafka_resp_err_t rerr;

        if (!c || !rkm)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "mark: NULL %s",
                                      !c ? "consumer" : "message");
        if (rkm->err || !rkm->rkt)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "mark: only records can be marked, not %s",
                                      rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF
                                              ? "end-of-partition events"
                                              : "errors");
        kafkit_error_clear(err);
        if (!c->has_group || c->mode == KAFKIT_COMMIT_AUTO)
                return KAFKIT_OK; /* stored on poll already, or never committed */
        rerr = rd_kafka_offset_store(rkm->rkt, rkm->partition, rkm->offset);
        if (rerr)
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "mark %s [%d] offset %lld: %s%s",
                                      rd_kafka_topic_name(rkm->rkt), (int)rkm->partition,
                                      (long long)rkm->offset, rd_kafka_err2str(rerr),
                                      rerr == RD_KAFKA_RESP_ERR__STATE
                                              ? " (partition no longer assigned)"
                                              : "");
        return KAFKIT_OK;
}

/* A one-partition list, for the calls that take lists. */
static rd_kafka_topic_partition_list_t *kafkit_consumer_one(const char *topic, int32_t partition);

kafkit_err_t kafkit_consumer_mark_offset(kafkit_consumer_t *c, const char *topic,
                                         int32_t partition, int64_t offset,
                                         kafkit_error_t *err)
{
        rd_kafka_topic_partition_list_t *list;
        rd_kafka_resp_err_t rerr;

        if (!c || !topic)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "mark: NULL %s",
                                      !c ? "consumer" : "topic");
        if (offset < 0 || offset == INT64_MAX)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "mark %s [%d]: bad offset %lld", topic, (int)partition,
                                      (long long)offset);
        kafkit_error_clear(err);
        if (!c->has_group || c->mode == KAFKIT_COMMIT_AUTO)
                return KAFKIT_OK; /* as kafkit_consumer_mark() */
        if (!(list = kafkit_consumer_one(topic, partition)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "mark: out of memory");
        list->elems[0].offset = offset + 1;
        rerr = rd_kafka_offsets_store(c->rk, list);
        if (!rerr && list->elems[0].err)
                rerr = list->elems[0].err;
        rd_kafka_topic_partition_list_destroy(list);
        if (rerr)
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "mark %s [%d] offset %lld: %s%s", topic, (int)partition,
                                      (long long)offset, rd_kafka_err2str(rerr),
                                      rerr == RD_KAFKA_RESP_ERR__STATE
                                              ? " (partition no longer assigned)"
                                              : "");
        return KAFKIT_OK;
}

kafkit_err_t kafkit_consumer_commit(kafkit_consumer_t *c, int async, kafkit_error_t *err)
{
        rd_kafka_resp_err_t rerr;

        if (!c)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "commit: NULL consumer");
        kafkit_error_clear(err);
        if (!c->has_group)
                return KAFKIT_OK; /* without a group nothing is ever due */
        rerr = rd_kafka_commit(c->rk, NULL, async);
        if (rerr && rerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr, "commit%s: %s",
                                      async ? " (async)" : "", rd_kafka_err2str(rerr));
        return KAFKIT_OK;
}

/* A one-partition list, for the calls that take lists. */
static rd_kafka_topic_partition_list_t *kafkit_consumer_one(const char *topic, int32_t partition)
{
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);

        if (list)
                rd_kafka_topic_partition_list_add(list, topic, partition);
        return list;
}

kafkit_err_t kafkit_consumer_committed(kafkit_consumer_t *c,
                                       const char *topic,
                                       int32_t partition,
                                       int timeout_ms,
                                       int64_t *offset,
                                       kafkit_error_t *err)
{
        rd_kafka_topic_partition_list_t *list;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code = KAFKIT_OK;

        if (!c || !topic || !*topic || partition < 0 || !offset)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "committed: bad argument (consumer, topic, partition "
                                      "or result)");
        *offset = -1;
        if (!c->has_group)
                return kafkit_err_set(err, KAFKIT_ERR_STATE, 0,
                                      "committed %s [%d]: no group.id, so no committed offsets",
                                      topic, (int)partition);
        if (!(list = kafkit_consumer_one(topic, partition)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "committed: out of memory");
        rerr = rd_kafka_committed(c->rk, list, timeout_ms);
        if (!rerr)
                rerr = list->elems[0].err;
        if (rerr) {
                code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                      "committed %s [%d]: %s", topic, (int)partition,
                                      rd_kafka_err2str(rerr));
                goto out;
        }
        *offset = list->elems[0].offset >= 0 ? list->elems[0].offset : -1;
        kafkit_error_clear(err);
out:
        rd_kafka_topic_partition_list_destroy(list);
        return code;
}

static kafkit_err_t kafkit_consumer_pause_resume(kafkit_consumer_t *c,
                                                 const char *topic,
                                                 int32_t partition,
                                                 int pause,
                                                 kafkit_error_t *err)
{
        const char *what = pause ? "pause" : "resume";
        rd_kafka_topic_partition_list_t *list;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code = KAFKIT_OK;

        if (!c || !topic || !*topic || partition < 0)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "%s: bad consumer, topic or partition", what);
        if (!kafkit_assigned_find(c, topic, partition))
                return kafkit_err_set(err, KAFKIT_ERR_NOT_FOUND, 0, "%s %s [%d]: not assigned",
                                      what, topic, (int)partition);
        if (!(list = kafkit_consumer_one(topic, partition)))
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "%s: out of memory", what);
        rerr = pause ? rd_kafka_pause_partitions(c->rk, list)
                     : rd_kafka_resume_partitions(c->rk, list);
        if (!rerr)
                rerr = list->elems[0].err;
        if (rerr)
                code = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr, "%s %s [%d]: %s",
                                      what, topic, (int)partition, rd_kafka_err2str(rerr));
        else
                kafkit_error_clear(err);
        rd_kafka_topic_partition_list_destroy(list);
        return code;
}

kafkit_err_t kafkit_consumer_pause(kafkit_consumer_t *c,
                                   const char *topic,
                                   int32_t partition,
                                   kafkit_error_t *err)
{
        return kafkit_consumer_pause_resume(c, topic, partition, 1, err);
}

kafkit_err_t kafkit_consumer_resume(kafkit_consumer_t *c,
                                    const char *topic,
                                    int32_t partition,
                                    kafkit_error_t *err)
{
        return kafkit_consumer_pause_resume(c, topic, partition, 0, err);
}
