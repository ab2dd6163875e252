/*
 * metadata_offsets.c: offset queries that need no subscription: offsets
 * by timestamp, watermarks (both ListOffsets) and a group's committed
 * offsets (OffsetFetch).
 *
 * Each call copies the caller's array into a librdkafka partition list in
 * the same order, lets librdkafka batch the requests per leader, and copies
 * the answers back by index: librdkafka answers a list in place and keeps
 * its order, so entry i of the list is always entry i of the caller's
 * array, duplicates included.
 */
#include "internal.h"

#include <limits.h>
#include <string.h>

/* The client's opaque: kafkit_rd_log_cb wants a logger first. */
typedef struct kafkit_oq_client_s {
        kafkit_logger_t lg;
        rd_kafka_t *rk;
        rd_kafka_type_t type;
} kafkit_oq_client_t;

static kafkit_err_t kafkit_oq_open(kafkit_oq_client_t *c,
                                   const kafkit_conf_t *conf,
                                   rd_kafka_type_t type,
                                   const char *const *defaults,
                                   const char *const *overrides,
                                   const char *what,
                                   kafkit_error_t *err)
{
        rd_kafka_conf_t *rdc;
        char errstr[256];

        memset(c, 0, sizeof(*c));
        c->type = type;
        kafkit_conf_logger(conf, &c->lg);
        if (!(rdc = kafkit_conf_to_rd(conf, defaults, overrides, err)))
                return err ? err->code : KAFKIT_ERR_CONF;
        rd_kafka_conf_set_opaque(rdc, c);
        if (!(c->rk = rd_kafka_new(type, rdc, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(rdc);
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "%s: cannot create client: %s",
                                      what, errstr);
        }
        return KAFKIT_OK;
}

static void kafkit_oq_close(kafkit_oq_client_t *c)
{
        if (!c->rk)
                return;
        /* a consumer here never joined a group: nothing to leave */
        if (c->type == RD_KAFKA_CONSUMER)
                rd_kafka_destroy_flags(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        else
                rd_kafka_destroy(c->rk);
        c->rk = NULL;
}

/* Checks the arguments every call shares. */
static kafkit_err_t kafkit_oq_check(const kafkit_conf_t *conf, const void *parts, size_t cnt,
                                    const char *what, kafkit_error_t *err)
{
        if (!conf)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "%s: NULL conf", what);
        if (cnt && !parts)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "%s: NULL array", what);
        if (cnt > (size_t)INT_MAX)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "%s: %zu partitions is too many", what, cnt);
        return KAFKIT_OK;
}

static kafkit_err_t kafkit_oq_null_topic(kafkit_error_t *err, const char *what, size_t i)
{
        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "%s: entry %zu has a NULL topic",
                              what, i);
}

/* kafkit_oq_check() plus every entry has a topic. */
static kafkit_err_t kafkit_oq_check_po(const kafkit_conf_t *conf,
                                       const kafkit_partition_offset_t *parts, size_t cnt,
                                       const char *what, kafkit_error_t *err)
{
        kafkit_err_t rc;
        size_t i;

        if ((rc = kafkit_oq_check(conf, parts, cnt, what, err)))
                return rc;
        for (i = 0; i < cnt; i++)
                if (!parts[i].topic)
                        return kafkit_oq_null_topic(err, what, i);
        return KAFKIT_OK;
}

/* A list of the entries' topics/partitions with `offset` in each. */
static rd_kafka_topic_partition_list_t *kafkit_oq_list(const kafkit_partition_offset_t *parts,
                                                       size_t cnt, kafkit_error_t *err)
{
        rd_kafka_topic_partition_list_t *list;
        size_t i;

        if (!(list = rd_kafka_topic_partition_list_new((int)(cnt ? cnt : 1)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        for (i = 0; i < cnt; i++)
                rd_kafka_topic_partition_list_add(list, parts[i].topic, parts[i].partition)
                        ->offset = parts[i].offset;
        return list;
}

/* Copies the answers of `list` back into `parts` (same order). */
static void kafkit_oq_answer(kafkit_partition_offset_t *parts, size_t cnt,
                             const rd_kafka_topic_partition_list_t *list)
{
        size_t i;

        for (i = 0; i < cnt && (int)i < list->cnt; i++) {
                parts[i].offset = list->elems[i].offset;
                parts[i].kafka_code = list->elems[i].err;
        }
}

static kafkit_err_t kafkit_oq_fail(kafkit_error_t *err, rd_kafka_resp_err_t rerr,
                                   const char *what, size_t cnt, int timeout_ms)
{
        return kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                              "%s for %zu partition%s: %s (waited up to %d ms)", what, cnt,
                              cnt == 1 ? "" : "s", rd_kafka_err2str(rerr), timeout_ms);
}

kafkit_err_t kafkit_offsets_for_times(const kafkit_conf_t *conf,
                                      kafkit_partition_offset_t *parts,
                                      size_t cnt,
                                      int timeout_ms,
                                      kafkit_error_t *err)
{
        static const char what[] = "offsets by timestamp";
        rd_kafka_topic_partition_list_t *list;
        kafkit_oq_client_t c;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t rc;

        if ((rc = kafkit_oq_check_po(conf, parts, cnt, what, err)))
                return rc;
        if (!cnt)
                return KAFKIT_OK;
        if ((rc = kafkit_oq_open(&c, conf, RD_KAFKA_PRODUCER, NULL, NULL, what, err)))
                return rc;
        if (!(list = kafkit_oq_list(parts, cnt, err))) {
                kafkit_oq_close(&c);
                return KAFKIT_ERR_NOMEM;
        }
        rerr = rd_kafka_offsets_for_times(c.rk, list, timeout_ms);
        if (rerr)
                rc = kafkit_oq_fail(err, rerr, what, cnt, timeout_ms);
        else
                kafkit_oq_answer(parts, cnt, list);
        rd_kafka_topic_partition_list_destroy(list);
        kafkit_oq_close(&c);
        return rc;
}

/* One ListOffsets round for every entry of `wm`: `which` is -2 (low) or
 * -1 (high). Fills the field, or the entry's error. */
static rd_kafka_resp_err_t kafkit_wm_round(rd_kafka_t *rk, kafkit_watermark_t *wm, size_t cnt,
                                           int64_t which, int timeout_ms)
{
        rd_kafka_topic_partition_list_t *list;
        rd_kafka_resp_err_t rerr;
        size_t i;

        if (!(list = rd_kafka_topic_partition_list_new((int)cnt)))
                return RD_KAFKA_RESP_ERR__FAIL; /* out of memory */
        for (i = 0; i < cnt; i++)
                rd_kafka_topic_partition_list_add(list, wm[i].topic, wm[i].partition)->offset =
                        which;
        rerr = rd_kafka_offsets_for_times(rk, list, timeout_ms);
        for (i = 0; !rerr && i < cnt && (int)i < list->cnt; i++) {
                const rd_kafka_topic_partition_t *p = &list->elems[i];

                if (p->err) {
                        if (!wm[i].kafka_code)
                                wm[i].kafka_code = p->err;
                } else if (which == RD_KAFKA_OFFSET_BEGINNING) {
                        wm[i].low = p->offset;
                } else {
                        wm[i].high = p->offset;
                }
        }
        rd_kafka_topic_partition_list_destroy(list);
        return rerr;
}

kafkit_err_t kafkit_watermarks(const kafkit_conf_t *conf,
                               kafkit_watermark_t *parts,
                               size_t cnt,
                               int timeout_ms,
                               kafkit_error_t *err)
{
        static const char what[] = "watermarks";
        static const char *const defaults[] = { "isolation.level", "read_uncommitted", NULL };
        kafkit_oq_client_t c;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t rc;
        int64_t deadline;
        size_t i;
        int left;

        if ((rc = kafkit_oq_check(conf, parts, cnt, what, err)))
                return rc;
        for (i = 0; i < cnt; i++)
                if (!parts[i].topic)
                        return kafkit_oq_null_topic(err, what, i);
        for (i = 0; i < cnt; i++) {
                parts[i].low = parts[i].high = -1;
                parts[i].kafka_code = 0;
        }
        if (!cnt)
                return KAFKIT_OK;
        /* a consumer client: isolation.level is a consumer property */
        if ((rc = kafkit_oq_open(&c, conf, RD_KAFKA_CONSUMER, defaults, NULL, what, err)))
                return rc;
        deadline = kafkit_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
        rerr = kafkit_wm_round(c.rk, parts, cnt, RD_KAFKA_OFFSET_BEGINNING, timeout_ms);
        if (!rerr) {
                left = (int)(deadline - kafkit_now_ms());
                rerr = kafkit_wm_round(c.rk, parts, cnt, RD_KAFKA_OFFSET_END,
                                       left > 100 ? left : 100);
        }
        if (rerr)
                rc = kafkit_oq_fail(err, rerr, what, cnt, timeout_ms);
        for (i = 0; i < cnt; i++)
                if (parts[i].kafka_code || rerr)
                        parts[i].low = parts[i].high = -1;
        kafkit_oq_close(&c);
        return rc;
}

kafkit_err_t kafkit_group_committed(const kafkit_conf_t *conf,
                                    const char *group,
                                    kafkit_partition_offset_t *parts,
                                    size_t cnt,
                                    int timeout_ms,
                                    kafkit_error_t *err)
{
        static const char what[] = "committed offsets";
        const char *overrides[] = { "group.id", group, "enable.auto.commit", "false", NULL };
        rd_kafka_topic_partition_list_t *list;
        kafkit_oq_client_t c;
        rd_kafka_resp_err_t rerr;
        kafkit_err_t rc;
        size_t i;

        if ((rc = kafkit_oq_check_po(conf, parts, cnt, what, err)))
                return rc;
        if (!group || !*group)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "%s: empty group id", what);
        for (i = 0; i < cnt; i++) {
                parts[i].offset = RD_KAFKA_OFFSET_INVALID;
                parts[i].kafka_code = 0;
        }
        if (!cnt)
                return KAFKIT_OK;
        if ((rc = kafkit_oq_open(&c, conf, RD_KAFKA_CONSUMER, NULL, overrides, what, err)))
                return rc;
        if (!(list = kafkit_oq_list(parts, cnt, err))) {
                kafkit_oq_close(&c);
                return KAFKIT_ERR_NOMEM;
        }
        rerr = rd_kafka_committed(c.rk, list, timeout_ms);
        if (rerr)
                rc = kafkit_err_set(err, kafkit_err_from_rd(rerr), rerr,
                                    "%s of group \"%s\" for %zu partition%s: %s "
                                    "(waited up to %d ms)",
                                    what, group, cnt, cnt == 1 ? "" : "s",
                                    rd_kafka_err2str(rerr), timeout_ms);
        else
                kafkit_oq_answer(parts, cnt, list);
        for (i = 0; i < cnt; i++)
                if (rerr || parts[i].offset < 0)
                        parts[i].offset = -1;
        rd_kafka_topic_partition_list_destroy(list);
        kafkit_oq_close(&c);
        return rc;
}
