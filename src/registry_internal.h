/*
 * registry_internal.h: what the Schema Registry client's three modules
 * share: registry_http.c (transport, retries, failover), registry_cache.c
 * (bounded caches with single-flight loading) and registry.c (endpoints).
 */
#ifndef KAFKIT_REGISTRY_INTERNAL_H
#define KAFKIT_REGISTRY_INTERNAL_H

#include "internal.h"
#include "kafkit/registry.h"

#include <stdatomic.h>
#include <jansson.h>

#pragma GCC visibility push(hidden)

#define KAFKIT_REGISTRY_FAC "REGISTRY"

/* ---------------------------------------------------------------- errors */

/*
 * Fills *err (if not NULL): code and message in err->error, the HTTP
 * details in the other fields (`url`, `reason` may be NULL). Returns code.
 */
kafkit_err_t kafkit_rerr_set(kafkit_registry_error_t *err,
                             kafkit_err_t code,
                             int http_status,
                             int error_code,
                             const char *url,
                             const char *reason,
                             const char *fmt,
                             ...) KAFKIT_PRINTF(7, 8);

/* A local error (no request involved): only code and message. */
#define kafkit_rerr_local(err, code, ...) \
        kafkit_rerr_set(err, code, 0, 0, NULL, NULL, __VA_ARGS__)

/* ---------------------------------------------------------------- schemas */

/*
 * A schema result: the public struct first, a reference count, and its
 * strings and references in the same allocation.
 */
typedef struct kafkit_rschema_s {
        kafkit_registry_schema_t pub;
        atomic_int refcnt;
} kafkit_rschema_t;

/* A new schema with one reference; every string is copied (subject may be
 * NULL, schema_type NULL means "AVRO"). NULL when out of memory. */
const kafkit_registry_schema_t *kafkit_rschema_new(int32_t id,
                                                   const char *subject,
                                                   int version,
                                                   const char *schema,
                                                   const char *schema_type,
                                                   const kafkit_registry_ref_t *refs,
                                                   size_t ref_cnt);

/* One more reference to s (returned). */
const kafkit_registry_schema_t *kafkit_rschema_ref(const kafkit_registry_schema_t *s);

/* ------------------------------------------------------------- transport */

typedef struct kafkit_rhttp_s kafkit_rhttp_t;

/* Reads every schema.registry.* / auth / TLS / header property of `conf`
 * (borrowed). `lg` is borrowed and must outlive the transport. */
kafkit_rhttp_t *kafkit_rhttp_new(const kafkit_conf_t *conf,
                                 const kafkit_logger_t *lg,
                                 kafkit_registry_error_t *err);

void kafkit_rhttp_destroy(kafkit_rhttp_t *h);

/*
 * One REST call with retries and failover. `path` starts with '/' and is
 * already URL-encoded (query included); `body` (borrowed, may be NULL) is
 * sent as JSON. On a 2xx answer *resp gets the parsed JSON (owned by the
 * caller; JSON null for an empty body). No lock is held while waiting for
 * the network. Thread-safe.
 */
kafkit_err_t kafkit_rhttp_call(kafkit_rhttp_t *h,
                               const char *method,
                               const char *path,
                               const json_t *body,
                               json_t **resp,
                               kafkit_registry_error_t *err);

/* ---------------------------------------------------------------- caches */

typedef struct kafkit_rcache_s kafkit_rcache_t;

/* A cache of at most `capacity` entries (least recently used evicted). */
kafkit_rcache_t *kafkit_rcache_new(size_t capacity);

/* Frees the cache; no call may be in flight. */
void kafkit_rcache_destroy(kafkit_rcache_t *c);

typedef enum kafkit_rcache_res_e {
        KAFKIT_RCACHE_HIT,     /* *out holds a new reference */
        KAFKIT_RCACHE_FAILED,  /* *err holds the error (cached miss, or the
                                * failure of the flight this call joined) */
        KAFKIT_RCACHE_LOAD     /* the caller must load the value and then
                                * call kafkit_rcache_done() with this key */
} kafkit_rcache_res_t;

/*
 * Looks `key` (len bytes, any bytes) up. When another thread is already
 * loading it, waits for that thread's result instead of loading it again
 * (single flight). The cache lock is never held while the caller loads.
 */
kafkit_rcache_res_t kafkit_rcache_get(kafkit_rcache_t *c,
                                      const void *key,
                                      size_t len,
                                      const kafkit_registry_schema_t **out,
                                      kafkit_registry_error_t *err);

/*
 * Ends the load of `key` begun by a KAFKIT_RCACHE_LOAD answer: `s` (the
 * caller keeps its reference; NULL on failure with `e` set) is handed to
 * the waiting threads and, when ttl_ms != 0, stored: ttl_ms < 0 keeps it
 * until evicted, > 0 for that long. A failure is stored only if
 * ttl_ms > 0 (a negative entry).
 */
void kafkit_rcache_done(kafkit_rcache_t *c,
                        const void *key,
                        size_t len,
                        const kafkit_registry_schema_t *s,
                        const kafkit_registry_error_t *e,
                        int64_t ttl_ms);

/* Drops every stored entry whose key starts with prefix[0..len). */
void kafkit_rcache_drop_prefix(kafkit_rcache_t *c, const void *prefix, size_t len);

/* Number of stored entries (tests). */
size_t kafkit_rcache_count(kafkit_rcache_t *c);

#pragma GCC visibility pop

#endif /* KAFKIT_REGISTRY_INTERNAL_H */
