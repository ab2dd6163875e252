/*
 * internal.h: what libkafkit's modules share and the public API hides.
 *
 * Nothing here is installed. Tests may include it (they link the
 * convenience library), tools never do.
 */
#ifndef KAFKIT_INTERNAL_H
#define KAFKIT_INTERNAL_H

#include "config.h"

#include <stdarg.h>
#include <librdkafka/rdkafka.h>

#include "kafkit/kafkit.h"

/* Everything declared from here on is internal: hidden from libkafkit.so's
 * exports even though its name starts with kafkit_. */
#pragma GCC visibility push(hidden)

#if defined(__GNUC__)
#define KAFKIT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KAFKIT_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------ errors */

/*
 * Fills *err (if not NULL) and returns `code`, so failures read
 *   return kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "...", ...);
 */
kafkit_err_t kafkit_err_set(kafkit_error_t *err,
                            kafkit_err_t code,
                            int kafka_code,
                            const char *fmt,
                            ...) KAFKIT_PRINTF(4, 5);

/* Maps a librdkafka error to a kafkit code (TIMEOUT, QUEUE_FULL, FATAL...). */
kafkit_err_t kafkit_err_from_rd(rd_kafka_resp_err_t rerr);

/* ----------------------------------------------------------------- logging */

/* A log sink with its level filter; copied into every client. */
typedef struct kafkit_logger_s {
        kafkit_log_cb_t *cb;   /* never NULL once resolved: default stderr */
        void *opaque;
        int level;             /* lines with level > this are dropped */
} kafkit_logger_t;

void kafkit_log(const kafkit_logger_t *lg,
                int level,
                const char *facility,
                const char *fmt,
                ...) KAFKIT_PRINTF(4, 5);

/* ------------------------------------------------------------------- conf */

typedef struct kafkit_conf_entry_s {
        char *name;
        char *value;
        int is_kafkit;          /* kafkit's own property, not librdkafka's */
} kafkit_conf_entry_t;

struct kafkit_conf_s {
        kafkit_conf_entry_t *entries;   /* in order first set */
        size_t cnt, cap;

        kafkit_log_cb_t *log_cb;
        void *log_opaque;

        /* producer */
        kafkit_delivery_cb_t *delivery_cb;
        void *delivery_opaque;

        /* consumer */
        kafkit_rebalance_cb_t *rebalance_cb;
        void *rebalance_opaque;
};

/* The logger a client built from `conf` uses (callback, opaque, log_level). */
void kafkit_conf_logger(const kafkit_conf_t *conf, kafkit_logger_t *lg);

/*
 * Builds a librdkafka conf from `conf`: first `defaults` (a NULL-terminated
 * list of name, value, name, value... applied only where the user set
 * nothing), then every librdkafka property the user set, then `overrides`
 * (same form, may be NULL, always win). Installs kafkit_rd_log_cb as the log
 * callback; the caller must set the rd conf's opaque (rd_kafka_conf_set_opaque)
 * to its client struct, whose FIRST member is a kafkit_logger_t.
 * Returns NULL with err set on failure; the caller owns the result.
 */
rd_kafka_conf_t *kafkit_conf_to_rd(const kafkit_conf_t *conf,
                                   const char *const *defaults,
                                   const char *const *overrides,
                                   kafkit_error_t *err);

/*
 * librdkafka log callback used by every kafkit client: the rd handle's
 * opaque points at a struct whose first member is a kafkit_logger_t.
 */
void kafkit_rd_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/*
 * 1 if the user set `name` or one of librdkafka's aliases for it
 * (acks / request.required.acks, bootstrap.servers / metadata.broker.list,
 * linger.ms / queue.buffering.max.ms, ...), else 0.
 */
int kafkit_conf_has(const kafkit_conf_t *conf, const char *name);

/* Integer value of a property (explicit or `def`); errors are caught at set. */
long long kafkit_conf_get_int(const kafkit_conf_t *conf, const char *name, long long def);

/* ---------------------------------------------------------------- messages */

/*
 * A kafkit_message_t IS an rd_kafka_message_t: the opaque public type is the
 * librdkafka message itself, so polling allocates nothing of kafkit's own.
 * These two casts are the only place that relies on it.
 */
static inline kafkit_message_t *kafkit_message_wrap(rd_kafka_message_t *rkm)
{
        return (kafkit_message_t *)rkm;
}
static inline const rd_kafka_message_t *kafkit_message_rd(const kafkit_message_t *msg)
{
        return (const rd_kafka_message_t *)msg;
}

/* --------------------------------------------------------------- metadata */

/* Metadata through an existing client handle (borrowed). */
kafkit_metadata_t *kafkit_metadata_from_rd(rd_kafka_t *rk,
                                           const char *topic,
                                           int timeout_ms,
                                           kafkit_error_t *err);

/* ------------------------------------------------------------------ offset */

/* The librdkafka logical offset for BEGINNING/END/STORED/ABSOLUTE/FROM_END;
 * TIMESTAMP must be resolved with the broker first. */
int64_t kafkit_offset_to_rd(const kafkit_offset_t *off);

/* -------------------------------------------------------------- dev proxy */

/* The dev cluster's fixed address: a TCP forwarder to broker 1 (dev_proxy.c). */
typedef struct kafkit_dev_proxy_s kafkit_dev_proxy_t;

/*
 * Listens on `listen_addr` ("HOST:PORT", "[v6]:PORT"; port 0 picks a free
 * one; a name is bound on each address it resolves to) and relays every
 * connection to the first entry of `bootstraps`, on one background thread. Both strings are borrowed; `lg` is borrowed and
 * must outlive the proxy. NULL with err set on failure: KAFKIT_ERR_IO
 * "cannot listen on ADDR: <strerror>", KAFKIT_ERR_INVALID_ARG for a
 * malformed address. The caller owns the result.
 */
kafkit_dev_proxy_t *kafkit_dev_proxy_new(const char *listen_addr,
                                         const char *bootstraps,
                                         const kafkit_logger_t *lg,
                                         kafkit_error_t *err);

/* The numeric "HOST:PORT" listened on. Owned by the proxy. */
const char *kafkit_dev_proxy_address(const kafkit_dev_proxy_t *px);

/* Stops the thread, closes every connection, frees. NULL ignored. */
void kafkit_dev_proxy_destroy(kafkit_dev_proxy_t *px);

/* ------------------------------------------------------------------- util */

/* Monotonic clock in milliseconds. */
int64_t kafkit_now_ms(void);

#pragma GCC visibility pop

#endif /* KAFKIT_INTERNAL_H */
