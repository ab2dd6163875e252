/*
 * kafkit/consumer.h: a consumer for group subscriptions and manual
 * assignments, with start offsets, end-of-partition events, commit modes
 * and pause/resume.
 *
 * Commit modes, property "kafkit.commit.mode":
 *   auto    (default) a record's offset is stored when poll returns it and
 *           committed in the background (auto.commit.interval.ms);
 *   marked  only offsets the application marked processed with
 *           kafkit_consumer_mark() are committed, in the background;
 *   manual  marked offsets are committed only by kafkit_consumer_commit()
 *           (sync or async).
 * In every mode kafkit_consumer_close() commits what is due and leaves the
 * group. End-of-partition events are on by default (enable.partition.eof).
 * Cooperative rebalancing is chosen with
 * partition.assignment.strategy=cooperative-sticky.
 */
#ifndef KAFKIT_CONSUMER_H
#define KAFKIT_CONSUMER_H

#include "common.h"
#include "conf.h"
#include "metadata.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_consumer_s kafkit_consumer_t;
typedef struct kafkit_message_s kafkit_message_t;

/** Where to start reading a partition. */
typedef enum kafkit_offset_kind_e {
        KAFKIT_OFFSET_BEGINNING,  /**< oldest retained record */
        KAFKIT_OFFSET_END,        /**< only records produced from now on */
        KAFKIT_OFFSET_STORED,     /**< the group's committed offset */
        KAFKIT_OFFSET_ABSOLUTE,   /**< value is the offset */
        KAFKIT_OFFSET_FROM_END,   /**< value N: the last N records */
        KAFKIT_OFFSET_TIMESTAMP   /**< value: first record at or after ms */
} kafkit_offset_kind_t;

typedef struct kafkit_offset_s {
        kafkit_offset_kind_t kind;
        int64_t value;
} kafkit_offset_t;

/**
 * Parses an offset as the CLI takes it: "beginning", "end", "stored", "N"
 * (absolute), "-N" (N from the end) or "s@MS" (timestamp in ms).
 * KAFKIT_ERR_PARSE names the bad text. Thread-safe.
 */
kafkit_err_t kafkit_offset_parse(const char *text,
                                 kafkit_offset_t *offset,
                                 kafkit_error_t *err);

/** A partition with a start offset, for kafkit_consumer_assign(). */
typedef struct kafkit_partition_s {
        const char *topic;
        int32_t partition;
        kafkit_offset_t offset;
} kafkit_partition_t;

/**
 * Told of each group rebalance after kafkit applied it. `assigned` is 1 for
 * partitions added to this consumer and 0 for partitions taken away;
 * `parts` (offsets unset) is valid only during the call. Runs inside
 * kafkit_consumer_poll().
 */
typedef void(kafkit_rebalance_cb_t)(kafkit_consumer_t *consumer,
                                    int assigned,
                                    const kafkit_partition_t *parts,
                                    size_t cnt,
                                    void *opaque);

/** Sets the rebalance callback for consumers created from this conf. */
void kafkit_conf_set_rebalance_cb(kafkit_conf_t *conf,
                                  kafkit_rebalance_cb_t *cb,
                                  void *opaque);

/**
 * Creates a consumer. group.id is needed for kafkit_consumer_subscribe() and
 * for committing; without it kafkit uses no group (manual assignment only).
 * On success takes ownership of `conf`; on failure the caller still owns it.
 * Thread-safe.
 */
kafkit_consumer_t *kafkit_consumer_new(kafkit_conf_t *conf, kafkit_error_t *err);

/**
 * Joins the group for `topics` (names, or regex patterns starting with '^').
 * Replaces any previous subscription. Strings are borrowed.
 */
kafkit_err_t kafkit_consumer_subscribe(kafkit_consumer_t *consumer,
                                       const char *const *topics,
                                       size_t cnt,
                                       kafkit_error_t *err);

/**
 * Reads exactly these partitions from their start offsets, outside any
 * group balancing (commits still go to group.id if set). Resolves
 * timestamp and from-end offsets with the broker first (up to
 * "socket.timeout.ms"). Replaces any previous assignment. Borrowed input.
 */
kafkit_err_t kafkit_consumer_assign(kafkit_consumer_t *consumer,
                                    const kafkit_partition_t *parts,
                                    size_t cnt,
                                    kafkit_error_t *err);

/**
 * Assigns every partition of `topic` (or only `partition` if >= 0) from
 * `offset`, looking the partitions up in the cluster's metadata.
 * KAFKIT_ERR_NOT_FOUND if the topic or partition does not exist.
 */
kafkit_err_t kafkit_consumer_assign_topic(kafkit_consumer_t *consumer,
                                          const char *topic,
                                          int32_t partition,
                                          const kafkit_offset_t *offset,
                                          kafkit_error_t *err);

/**
 * Waits up to timeout_ms for the next event: a record, an end-of-partition
 * event or a consumer error (see kafkit_message_kind()). Returns NULL on
 * timeout (err->code KAFKIT_OK), or with err set when the call failed or the
 * client reported an error since the last poll (all brokers down, failed
 * authentication, ...: err->code KAFKIT_ERR_KAFKA with err->kafka_code, or
 * KAFKIT_ERR_FATAL when the consumer cannot go on and must be closed).
 * librdkafka keeps retrying after non-fatal errors, so polling may go on.
 * The caller owns the result and frees it with kafkit_message_destroy().
 * Not thread-safe for the same consumer.
 */
kafkit_message_t *kafkit_consumer_poll(kafkit_consumer_t *consumer,
                                       int timeout_ms,
                                       kafkit_error_t *err);

/**
 * As kafkit_consumer_poll() for up to `max` events at once into msgs[];
 * returns how many (0 on timeout). The caller owns each message. Failure of
 * the call itself returns 0 with err set (err->code != KAFKIT_OK).
 */
size_t kafkit_consumer_poll_batch(kafkit_consumer_t *consumer,
                                  int timeout_ms,
                                  kafkit_message_t **msgs,
                                  size_t max,
                                  kafkit_error_t *err);

/**
 * Marks a record processed: its offset + 1 becomes the partition's offset to
 * commit (modes marked and manual; harmless in auto). `msg` is borrowed.
 */
kafkit_err_t kafkit_consumer_mark(kafkit_consumer_t *consumer,
                                  const kafkit_message_t *msg,
                                  kafkit_error_t *err);

/**
 * Marks the record at `offset` of topic/partition processed, as
 * kafkit_consumer_mark() does with the record itself (offset + 1 becomes
 * the partition's offset to commit): for applications that mark records
 * after the messages are gone, say once their output was written.
 */
kafkit_err_t kafkit_consumer_mark_offset(kafkit_consumer_t *consumer,
                                         const char *topic,
                                         int32_t partition,
                                         int64_t offset,
                                         kafkit_error_t *err);

/**
 * Commits the offsets due (marked, or all consumed in auto mode). With
 * async != 0 it returns at once and failures are logged; otherwise it waits
 * for the broker's answer. Nothing to commit is KAFKIT_OK.
 */
kafkit_err_t kafkit_consumer_commit(kafkit_consumer_t *consumer,
                                    int async,
                                    kafkit_error_t *err);

/**
 * The group's committed offset for a partition (-1 if none), asking the
 * broker, waiting up to timeout_ms.
 */
kafkit_err_t kafkit_consumer_committed(kafkit_consumer_t *consumer,
                                       const char *topic,
                                       int32_t partition,
                                       int timeout_ms,
                                       int64_t *offset,
                                       kafkit_error_t *err);

/** Stops (pause) or restarts (resume) fetching one assigned partition. */
kafkit_err_t kafkit_consumer_pause(kafkit_consumer_t *consumer,
                                   const char *topic,
                                   int32_t partition,
                                   kafkit_error_t *err);
kafkit_err_t kafkit_consumer_resume(kafkit_consumer_t *consumer,
                                    const char *topic,
                                    int32_t partition,
                                    kafkit_error_t *err);

/**
 * 1 when the consumer has at least one assigned partition and every assigned
 * partition reported end-of-partition with no record since; else 0. It counts
 * every event poll has returned, including the whole of the last batch from
 * kafkit_consumer_poll_batch(): records after an EOF event in that batch
 * still need handling before the application stops.
 */
int kafkit_consumer_at_end(const kafkit_consumer_t *consumer);

/** Number of partitions currently assigned. */
size_t kafkit_consumer_assignment_count(const kafkit_consumer_t *consumer);

/**
 * Group mode: where the partitions of later assignments start. By default
 * each starts at the group's committed offset (else per auto.offset.reset);
 * with `offset` of kind BEGINNING, END, ABSOLUTE or FROM_END every
 * partition assigned from now on starts there instead, whatever was
 * committed (as kcat -G -o does). NULL or STORED restores the default;
 * TIMESTAMP is KAFKIT_ERR_INVALID_ARG. `offset` is copied. Not thread-safe
 * against poll on the same consumer.
 */
kafkit_err_t kafkit_consumer_set_assign_offset(kafkit_consumer_t *consumer,
                                               const kafkit_offset_t *offset,
                                               kafkit_error_t *err);

/**
 * Copies the member id the group coordinator gave this consumer into
 * `buf` (`size` bytes, NUL-terminated, truncated to fit); "" when not in a
 * group. During kafkit_consumer_close() (e.g. in the final revoke
 * callback) it answers the id last read, without asking librdkafka.
 * Returns `buf`. Thread-safe.
 */
const char *kafkit_consumer_member_id(kafkit_consumer_t *consumer, char *buf, size_t size);

/**
 * The group's current rebalance protocol: "EAGER", "COOPERATIVE", or
 * "NONE" (no group joined yet). A static string. During
 * kafkit_consumer_close() it answers the protocol last read, as
 * kafkit_consumer_member_id() does. Thread-safe.
 */
const char *kafkit_consumer_rebalance_protocol(kafkit_consumer_t *consumer);

/**
 * Cluster metadata through the consumer's own connections: as
 * kafkit_metadata_fetch() (topic NULL: every topic, and asking for all
 * topics never auto-creates one), waiting up to timeout_ms. The caller
 * owns the result (kafkit_metadata_destroy()). Not thread-safe against
 * close.
 */
kafkit_metadata_t *kafkit_consumer_metadata(kafkit_consumer_t *consumer,
                                            const char *topic,
                                            int timeout_ms,
                                            kafkit_error_t *err);

/**
 * Commits what is due, leaves the group (revoking partitions cleanly) and
 * destroys the consumer, which is freed even when the commit fails (then
 * the error is returned). NULL is KAFKIT_OK.
 */
kafkit_err_t kafkit_consumer_close(kafkit_consumer_t *consumer, kafkit_error_t *err);

/* ---------------------------------------------------------------- messages */

typedef enum kafkit_message_kind_e {
        KAFKIT_MESSAGE_RECORD,     /**< a record */
        KAFKIT_MESSAGE_EOF,        /**< topic/partition/offset: end reached */
        KAFKIT_MESSAGE_ERROR       /**< consumer error: see kafkit_message_error() */
} kafkit_message_kind_t;

/*
 * Accessors. Every pointer returned belongs to the message and is valid
 * until kafkit_message_destroy(). A message may be read from any one thread.
 */
kafkit_message_kind_t kafkit_message_kind(const kafkit_message_t *msg);
const char *kafkit_message_topic(const kafkit_message_t *msg);
int32_t kafkit_message_partition(const kafkit_message_t *msg);
int64_t kafkit_message_offset(const kafkit_message_t *msg);
/** The id of the broker the record was fetched from, -1 if unknown. */
int32_t kafkit_message_broker_id(const kafkit_message_t *msg);
/** NULL for a null key/value (then *len is 0); len may be NULL. */
const void *kafkit_message_key(const kafkit_message_t *msg, size_t *len);
const void *kafkit_message_value(const kafkit_message_t *msg, size_t *len);
/**
 * Timestamp in ms, or -1 if none; *type (if not NULL) is 0 none,
 * 1 create time, 2 log-append time.
 */
int64_t kafkit_message_timestamp(const kafkit_message_t *msg, int *type);
size_t kafkit_message_header_count(const kafkit_message_t *msg);
/**
 * The idx-th header: returns 1 and fills *name, *value (NULL for a null
 * header) and *len, or 0 if idx is out of range.
 */
int kafkit_message_header(const kafkit_message_t *msg,
                          size_t idx,
                          const char **name,
                          const void **value,
                          size_t *len);
/**
 * For KAFKIT_MESSAGE_ERROR: fills *err (code, kafka_code, message naming
 * topic/partition where known) and returns its code; KAFKIT_OK otherwise.
 */
kafkit_err_t kafkit_message_error(const kafkit_message_t *msg, kafkit_error_t *err);
/** Frees a message. NULL is ignored. */
void kafkit_message_destroy(kafkit_message_t *msg);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_CONSUMER_H */
