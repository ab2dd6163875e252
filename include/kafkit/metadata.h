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

/** A snapshot of cluster metadata; read-only, one allocation tree. */
typedef struct kafkit_metadata_s {
        int32_t orig_broker_id;      /**< broker that answered */
        const char *orig_broker_name;
        const kafkit_broker_info_t *brokers;
        size_t broker_cnt;
        const kafkit_topic_info_t *topics;
        size_t topic_cnt;
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

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_METADATA_H */
