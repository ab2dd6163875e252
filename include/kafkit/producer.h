/*
 * kafkit/producer.h: a producer with safe defaults and per-record results.
 *
 * Defaults that protect data (each can be overridden in the conf):
 * enable.idempotence=true, acks=all, and partitioner=murmur2_random so keyed
 * records land on the same partitions as with Java clients (a NULL key is
 * spread at random; an empty key is hashed like any other).
 *
 * Records are copied on send. Results arrive through the delivery callback,
 * which runs inside kafkit_producer_poll(), _flush(), _close() and,
 * when the local queue is full, _send() itself, always on the caller's
 * thread.
 */
#ifndef KAFKIT_PRODUCER_H
#define KAFKIT_PRODUCER_H

#include "common.h"
#include "conf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_producer_s kafkit_producer_t;

/** Let the partitioner choose (murmur2 of the key by default). */
#define KAFKIT_PARTITION_ANY (-1)

/** A record header. A NULL value is a null header (distinct from ""). */
typedef struct kafkit_header_s {
        const char *name;
        const void *value;
        size_t value_len;
} kafkit_header_t;

/**
 * A record to produce. Everything is borrowed for the duration of
 * kafkit_producer_send(), which copies what it needs. Start from
 * KAFKIT_RECORD_INIT so that fields added later get their defaults.
 */
typedef struct kafkit_record_s {
        const char *topic;               /**< required */
        int32_t partition;               /**< or KAFKIT_PARTITION_ANY */
        const void *key;                 /**< NULL: null key */
        size_t key_len;
        const void *value;               /**< NULL: null value (tombstone) */
        size_t value_len;
        const kafkit_header_t *headers;  /**< header_cnt entries, or NULL */
        size_t header_cnt;
        int64_t timestamp_ms;            /**< 0: now */
} kafkit_record_t;

#define KAFKIT_RECORD_INIT                                                     \
        { NULL, KAFKIT_PARTITION_ANY, NULL, 0, NULL, 0, NULL, 0, 0 }

/**
 * The result of one record. All pointers are valid only during the
 * callback. On success code is KAFKIT_OK and offset is the record's offset;
 * on failure code/kafka_code/message say why.
 */
typedef struct kafkit_delivery_s {
        kafkit_err_t code;
        int kafka_code;
        const char *message;    /**< "" on success */
        const char *topic;
        int32_t partition;      /**< -1 if never assigned */
        int64_t offset;         /**< -1 on failure */
        int64_t timestamp_ms;
        const void *key;
        size_t key_len;
        const void *value;
        size_t value_len;
        void *record_opaque;    /**< as given to kafkit_producer_send() */
        int32_t broker_id;      /**< broker that acknowledged it, or -1 */
} kafkit_delivery_t;

typedef void(kafkit_delivery_cb_t)(kafkit_producer_t *producer,
                                   const kafkit_delivery_t *delivery,
                                   void *opaque);

/**
 * Sets the delivery callback used by producers created from this conf; its
 * `opaque` is the third argument. Not thread-safe for the conf.
 */
void kafkit_conf_set_delivery_cb(kafkit_conf_t *conf,
                                 kafkit_delivery_cb_t *cb,
                                 void *opaque);

/**
 * A client-level error, not about one record: brokers unreachable ("all
 * broker connections are down"), authentication, a fatal idempotence or
 * transaction error. err->kafka_code is librdkafka's code (its name:
 * kafkit_kafka_err_name()) and err->message librdkafka's reason. When the
 * producer can no longer be used, err->code is KAFKIT_ERR_FATAL and
 * kafka_code/message describe the underlying fatal error; otherwise
 * librdkafka keeps retrying and err->code is the code's kafkit class
 * (KAFKIT_ERR_KAFKA, KAFKIT_ERR_TIMEOUT...). `err` is valid only during
 * the callback.
 */
typedef void(kafkit_producer_error_cb_t)(kafkit_producer_t *producer,
                                         const kafkit_error_t *err,
                                         void *opaque);

/** Counters of a producer's life so far. */
typedef struct kafkit_producer_stats_s {
        uint64_t sent;       /**< accepted by kafkit_producer_send() */
        uint64_t delivered;  /**< acknowledged by the broker */
        uint64_t failed;     /**< permanently failed (callback saw an error) */
} kafkit_producer_stats_t;

/**
 * Creates a producer. On success it takes ownership of `conf`; on failure
 * the caller still owns `conf` and must destroy it. Returns NULL on error,
 * with err set. Thread-safe.
 */
kafkit_producer_t *kafkit_producer_new(kafkit_conf_t *conf, kafkit_error_t *err);

/**
 * Queues one record; its result comes to the delivery callback with
 * `record_opaque`. Copies the record. When the local queue is full it serves
 * delivery callbacks and waits, up to "kafkit.produce.block.ms" (default
 * 60000), before failing with KAFKIT_ERR_QUEUE_FULL. Returns
 * KAFKIT_ERR_FATAL once the client is in a fatal state. Thread-safe, but
 * callbacks run on whichever thread serves them.
 */
kafkit_err_t kafkit_producer_send(kafkit_producer_t *producer,
                                  const kafkit_record_t *record,
                                  void *record_opaque,
                                  kafkit_error_t *err);

/**
 * Looks `topic` up in the cluster through this producer, waiting up to
 * timeout_ms, and sets *partition_cnt (if not NULL). Call it before a burst
 * of sends: records sent before the producer knows a topic's partitions are
 * held back and then all given one partition by the sticky partitioner, and
 * an unreachable cluster would only show up as delivery timeouts
 * (message.timeout.ms, 5 minutes by default). Errors: KAFKIT_ERR_TIMEOUT or
 * KAFKIT_ERR_KAFKA when the cluster did not answer, KAFKIT_ERR_NOT_FOUND when
 * the topic does not exist (and the cluster does not create it). `topic` is
 * borrowed. Thread-safe.
 */
kafkit_err_t kafkit_producer_prepare_topic(kafkit_producer_t *producer,
                                           const char *topic,
                                           int timeout_ms,
                                           int32_t *partition_cnt,
                                           kafkit_error_t *err);

/**
 * Serves queued delivery callbacks, waiting up to timeout_ms for the first.
 * Returns how many were served. Call it regularly while producing.
 */
int kafkit_producer_poll(kafkit_producer_t *producer, int timeout_ms);

/**
 * Waits up to timeout_ms for every queued record to get its result,
 * serving callbacks. Sets *remaining (if not NULL) to the records still
 * without a result. KAFKIT_ERR_TIMEOUT if some remain. Not thread-safe
 * with other calls that serve callbacks.
 */
kafkit_err_t kafkit_producer_flush(kafkit_producer_t *producer,
                                   int timeout_ms,
                                   size_t *remaining,
                                   kafkit_error_t *err);

/**
 * Flushes for up to timeout_ms, fails whatever is still queued (their
 * callbacks run with KAFKIT_ERR_TIMEOUT), and destroys the producer.
 * Returns the number of records sent in the producer's life that were not
 * delivered (failed, or cut off by the timeout): 0 means every record
 * landed. NULL returns 0. The producer must not be used by other threads.
 */
size_t kafkit_producer_close(kafkit_producer_t *producer, int timeout_ms);

/**
 * Routes client-level errors to `cb` (NULL: back to the log, the default,
 * where they are logged at error level). Errors are served by the calls
 * that serve delivery callbacks, so set it right after
 * kafkit_producer_new(), before any of them, to miss none. Not
 * thread-safe with those calls.
 */
void kafkit_producer_set_error_cb(kafkit_producer_t *producer,
                                  kafkit_producer_error_cb_t *cb,
                                  void *opaque);

/*
 * Transactions. A producer whose conf sets "transactional.id" calls
 * kafkit_producer_init_transactions() once, then for each transaction
 * begin, sends, and commit (or abort). Commit flushes every record first;
 * abort drops the records not yet sent (their delivery callbacks report
 * errors). On failure err->code is KAFKIT_ERR_FATAL when the producer can
 * only be closed, KAFKIT_ERR_TIMEOUT when the call may be retried, and
 * KAFKIT_ERR_STATE when the producer is not transactional or the call comes
 * in the wrong order; after any other commit failure, abort. err->message
 * starts with the operation ("commit transaction: ..."), followed by
 * librdkafka's description. Not thread-safe with each other.
 */

/** Registers the transactional.id with the cluster, waiting up to
 * timeout_ms (fences older producers with the same id). */
kafkit_err_t kafkit_producer_init_transactions(kafkit_producer_t *producer,
                                               int timeout_ms,
                                               kafkit_error_t *err);

/** Starts a transaction: the records sent next belong to it. */
kafkit_err_t kafkit_producer_begin_transaction(kafkit_producer_t *producer,
                                               kafkit_error_t *err);

/** Flushes and commits the transaction, waiting up to timeout_ms. */
kafkit_err_t kafkit_producer_commit_transaction(kafkit_producer_t *producer,
                                                int timeout_ms,
                                                kafkit_error_t *err);

/** Aborts the transaction, waiting up to timeout_ms. */
kafkit_err_t kafkit_producer_abort_transaction(kafkit_producer_t *producer,
                                               int timeout_ms,
                                               kafkit_error_t *err);

/** Copies the counters into *stats. Thread-safe. */
void kafkit_producer_stats(const kafkit_producer_t *producer,
                           kafkit_producer_stats_t *stats);

/**
 * Java's murmur2 of `key` (as kafka-clients' Utils.murmur2) and the partition
 * the Java default partitioner picks among partition_cnt partitions
 * ((murmur2 & 0x7fffffff) % partition_cnt). Pure functions; thread-safe.
 */
uint32_t kafkit_murmur2(const void *key, size_t len);
int32_t kafkit_partition_for_key(const void *key, size_t len, int32_t partition_cnt);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_PRODUCER_H */
