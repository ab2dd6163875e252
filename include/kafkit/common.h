/*
 * kafkit/common.h: errors, logging and versions shared by every kafkit module.
 *
 * Every fallible call takes a `kafkit_error_t *err` (may be NULL) that it
 * fills on failure with a code from kafkit_err_t and a message naming what
 * went wrong and where (file:line, topic/partition/offset, property name).
 * The library never prints and never exits: log lines go to the callback
 * set with kafkit_conf_set_log_cb(), which defaults to stderr.
 */
#ifndef KAFKIT_COMMON_H
#define KAFKIT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KAFKIT_VERSION_MAJOR 0
#define KAFKIT_VERSION_MINOR 1
#define KAFKIT_VERSION_PATCH 0
/** 0xMMmmpp00, comparable like librdkafka's RD_KAFKA_VERSION. */
#define KAFKIT_VERSION 0x00010000

/** Error codes. KAFKIT_OK is 0; every other value is a failure. */
typedef enum kafkit_err_e {
        KAFKIT_OK = 0,
        KAFKIT_ERR_INVALID_ARG,  /**< an argument is unusable (NULL, range) */
        KAFKIT_ERR_NOMEM,        /**< allocation failed */
        KAFKIT_ERR_CONF,         /**< unknown or invalid configuration */
        KAFKIT_ERR_IO,           /**< file or socket error (errno text in message) */
        KAFKIT_ERR_PARSE,        /**< malformed input text */
        KAFKIT_ERR_KAFKA,        /**< error from Kafka/librdkafka: see kafka_code */
        KAFKIT_ERR_TIMEOUT,      /**< the operation did not finish in time */
        KAFKIT_ERR_QUEUE_FULL,   /**< the local producer queue stayed full */
        KAFKIT_ERR_NOT_FOUND,    /**< unknown topic, partition or item */
        KAFKIT_ERR_STATE,        /**< call not valid in the object's state */
        KAFKIT_ERR_FATAL,        /**< the client hit a fatal error and must be closed */
        KAFKIT_ERR__COUNT        /**< number of codes, not an error */
} kafkit_err_t;

#define KAFKIT_ERRSTR_SIZE 512

/**
 * An error: code, the librdkafka error code where one applies, and a
 * message. Plain struct, owned by the caller (usually on the stack).
 */
typedef struct kafkit_error_s {
        kafkit_err_t code;
        int kafka_code;                   /**< rd_kafka_resp_err_t, or 0 */
        char message[KAFKIT_ERRSTR_SIZE]; /**< NUL-terminated, "" when OK */
} kafkit_error_t;

/**
 * Short symbolic name of a code ("KAFKIT_ERR_CONF").
 * Returns a static string; never NULL. Thread-safe.
 */
const char *kafkit_err_name(kafkit_err_t code);

/**
 * Human description of a code ("invalid configuration").
 * Returns a static string; never NULL. Thread-safe.
 */
const char *kafkit_err_str(kafkit_err_t code);

/**
 * Resets an error to KAFKIT_OK with an empty message. NULL is ignored.
 * Thread-safe for distinct errors.
 */
void kafkit_error_clear(kafkit_error_t *err);

/**
 * librdkafka's description of a Kafka error code (rd_kafka_err2str), and its
 * symbolic name without the RD_KAFKA_RESP_ERR_ prefix (rd_kafka_err2name).
 * Return static strings; thread-safe.
 */
const char *kafkit_kafka_err_str(int kafka_code);
const char *kafkit_kafka_err_name(int kafka_code);

/** kafkit's version, "0.1.0". Static string; thread-safe. */
const char *kafkit_version_str(void);

/** The linked librdkafka's version string, "2.0.2". Static; thread-safe. */
const char *kafkit_rdkafka_version_str(void);

/** Log levels, syslog numbering as librdkafka uses it. */
typedef enum kafkit_log_level_e {
        KAFKIT_LOG_EMERG = 0,
        KAFKIT_LOG_ALERT = 1,
        KAFKIT_LOG_CRIT = 2,
        KAFKIT_LOG_ERR = 3,
        KAFKIT_LOG_WARNING = 4,
        KAFKIT_LOG_NOTICE = 5,
        KAFKIT_LOG_INFO = 6,
        KAFKIT_LOG_DEBUG = 7
} kafkit_log_level_t;

/**
 * A log sink. `facility` is a short tag ("PRODUCER", or librdkafka's own);
 * `message` is one line without a trailing newline. Both strings are only
 * valid during the call. May be called from librdkafka's internal threads,
 * so the callback must be thread-safe.
 */
typedef void(kafkit_log_cb_t)(void *opaque,
                              int level,
                              const char *facility,
                              const char *message);

/**
 * The default sink: writes "%LEVEL|FACILITY| message\n" to stderr.
 * Usable from a custom callback that wants to chain to it. Thread-safe.
 */
void kafkit_log_stderr(void *opaque,
                       int level,
                       const char *facility,
                       const char *message);

/**
 * Checks that text[0..len) is exactly one JSON value (RFC 8259, with
 * whitespace around it allowed), in one pass without allocating.
 * KAFKIT_ERR_PARSE says "at byte N: what was wrong". `text` is borrowed.
 * Thread-safe.
 */
kafkit_err_t kafkit_json_validate(const char *text, size_t len, kafkit_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_COMMON_H */
