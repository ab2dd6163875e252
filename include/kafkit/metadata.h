/*
 * kafkit/metadata.h: brokers, topics, partitions and leaders of a cluster.
 */
#ifndef KAFKIT_METADATA_H
#define KAFKIT_METADATA_H

#include "common.h"
#include "conf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_broker_info_s {
        int32_t id;
        const char *host;
        int port;
} kafkit_broker_info_t;

typedef struct kafkit_partition_info_s {
        int32_t id;
        int kafka_code;          /**< per-partition error, 0 if none */
        int32_t leader;          /**< broker id, -1 if none */
        const int32_t *replicas;
        size_t replica_cnt;
        const int32_t *isrs;
        size_t isr_cnt;
} kafkit_partition_info_t;

typedef struct kafkit_topic_info_s {
        const char *name;
        int kafka_code;          /**< per-topic error, 0 if none */
        const kafkit_partition_info_t *partitions;
        size_t partition_cnt;
} kafkit_topic_info_t;

/** A snapshot of cluster metadata; read-only, one allocation tree.
 * Brokers and topics are in the order the cluster listed them. */
typedef struct kafkit_metadata_s {
        int32_t orig_broker_id;      /**< broker that answered */
        const char *orig_broker_name;
        const kafkit_broker_info_t *brokers;
        size_t broker_cnt;
        const kafkit_topic_info_t *topics;
        size_t topic_cnt;
        int32_t controller_id;       /**< controller broker as last known, -1 if
                                      *   unknown */
} kafkit_metadata_t;

/**
 * Asks the cluster of `conf` (bootstrap.servers, security settings) for
 * metadata of `topic`, or of every topic when `topic` is NULL, waiting up to
 * timeout_ms. `conf` is borrowed, not taken. A topic that does not exist is
 * reported in its kafka_code, not as a failure (unless the cluster
 * auto-creates it). The caller owns the result: kafkit_metadata_destroy().
 * Thread-safe.
 */
kafkit_metadata_t *kafkit_metadata_fetch(const kafkit_conf_t *conf,
                                         const char *topic,
                                         int timeout_ms,
                                         kafkit_error_t *err);

/** Frees a metadata snapshot. NULL is ignored. */
void kafkit_metadata_destroy(kafkit_metadata_t *md);

/* ------------------------------------------------------------------------
 * Offset queries: each call makes a short-lived client from `conf`
 * (borrowed), sends its requests to the partitions' leaders (one request
 * per leader) and waits up to timeout_ms in all. A failure of the whole
 * call (no broker reachable, timeout before any answer, or not a single
 * entry answerable, e.g. every partition unknown) is the return value
 * with `err` filled and no entry answered; a failure of some partitions
 * only (unknown topic or partition, no leader...) is those entries'
 * kafka_code, and the call returns KAFKIT_OK. Entries may repeat and come
 * in any order; each is answered in place. The arrays and their topic
 * strings are the caller's. Thread-safe.
 */

/** A partition and an offset for kafkit_offsets_for_times() and
 * kafkit_group_committed(). */
typedef struct kafkit_partition_offset_s {
        const char *topic;       /**< borrowed */
        int32_t partition;
        int64_t offset;          /**< in and/or out: see each call */
        int kafka_code;          /**< out: this entry's error, 0 if none */
} kafkit_partition_offset_t;

/** Offset "timestamps" with a special meaning in kafkit_offsets_for_times(). */
#define KAFKIT_OFFSET_QUERY_END       (-1)  /**< the end (next offset) */
#define KAFKIT_OFFSET_QUERY_BEGINNING (-2)  /**< the first offset kept */

/**
 * For each entry, replaces `offset` (on input a timestamp in milliseconds
 * since the epoch, or KAFKIT_OFFSET_QUERY_END / _BEGINNING) with the
 * earliest offset whose record timestamp is at or after it; -1 when no such
 * record exists (every record is older). An entry with an error keeps its
 * input value. The client is a producer with exactly the settings of
 * `conf`, as kcat -Q uses. Returns KAFKIT_OK, or an error (kafka_code set
 * when librdkafka reported one) when no entry could be answered at all.
 */
kafkit_err_t kafkit_offsets_for_times(const kafkit_conf_t *conf,
                                      kafkit_partition_offset_t *parts,
                                      size_t cnt,
                                      int timeout_ms,
                                      kafkit_error_t *err);

/** A partition's low and high watermarks, for kafkit_watermarks(). */
typedef struct kafkit_watermark_s {
        const char *topic;       /**< in, borrowed */
        int32_t partition;       /**< in */
        int64_t low;             /**< out: first offset kept, -1 on error */
        int64_t high;            /**< out: offset the next record gets, -1
                                  *   on error */
        int kafka_code;          /**< out: this entry's error, 0 if none */
} kafkit_watermark_t;

/**
 * Fills the low and high watermarks of each entry (ListOffsets, batched
 * per leader). The high watermark counts every record written, committed
 * or not (isolation.level defaults to read_uncommitted here; set
 * isolation.level=read_committed in `conf` for the last stable offset).
 * Returns as kafkit_offsets_for_times().
 */
kafkit_err_t kafkit_watermarks(const kafkit_conf_t *conf,
                               kafkit_watermark_t *parts,
                               size_t cnt,
                               int timeout_ms,
                               kafkit_error_t *err);

/**
 * Fills `offset` of each entry with consumer group `group`'s committed
 * offset (OffsetFetch), or -1 when the group committed none there (an
 * unknown group has none anywhere). The client never joins the group, so
 * a running group is not disturbed; group.id in `conf` is ignored.
 * Returns as kafkit_offsets_for_times() (e.g. KAFKIT_ERR_TIMEOUT when no
 * coordinator answered).
 */
kafkit_err_t kafkit_group_committed(const kafkit_conf_t *conf,
                                    const char *group,
                                    kafkit_partition_offset_t *parts,
                                    size_t cnt,
                                    int timeout_ms,
                                    kafkit_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_METADATA_H */
