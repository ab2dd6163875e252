/*
 * kafkit/registry.h: a client of the Confluent Schema Registry REST API.
 *
 * One kafkit_registry_t talks to one registry (a cluster of equivalent
 * URLs) and is shared by every thread of the process: all calls are
 * thread-safe. It keeps HTTP connections open between calls, retries
 * transient failures, fails over between URLs, and caches what it can.
 *
 * Properties (kafkit's table, see the README; Confluent's names where they
 * exist):
 *   schema.registry.url                   comma-separated http(s) URLs. Failover
 *                                         is sticky: after a URL fails at the
 *                                         transport level, requests start at the
 *                                         next one until that one fails too.
 *   basic.auth.credentials.source         URL (default: "user:pass@" in the URL)
 *                                         or USER_INFO (basic.auth.user.info)
 *   basic.auth.user.info                  "user:password"
 *                                         (alias schema.registry.basic.auth.user.info)
 *   bearer.auth.credentials.source        STATIC_TOKEN (the only source)
 *   bearer.auth.token                     sent as "Authorization: Bearer TOKEN"
 *   request.header.<Name>                 an extra header "Name: value"
 *   schema.registry.ssl.ca.location       CA bundle (PEM) to verify the server with
 *   schema.registry.ssl.certificate.location  client certificate (PEM)
 *   schema.registry.ssl.key.location      client key (PEM)
 *   schema.registry.ssl.key.password      its passphrase
 *   schema.registry.ssl.endpoint.identification.algorithm
 *                                         "https" (default: host name checked) or
 *                                         "none"/"" (host name NOT checked; the
 *                                         certificate chain still is)
 *   schema.registry.connect.timeout.ms    TCP+TLS connect limit (default 10000)
 *   schema.registry.request.timeout.ms    limit of one HTTP attempt (default 30000)
 *   schema.registry.max.retries           retries after the first attempt (3)
 *   schema.registry.retries.wait.ms       backoff base (default 1000)
 *   schema.registry.retries.max.wait.ms   backoff cap (default 20000)
 *   schema.registry.cache.capacity        entries per cache (default 1000)
 *   latest.cache.ttl.sec                  life of a cached "latest" version
 *                                         (default 60; -1 forever, 0 no caching)
 *   missing.id.cache.ttl.sec              life of a cached "no such id" (default 5;
 *                                         0 disables)
 *
 * Retries (with exponential backoff and full jitter: a random wait in
 * [0, min(cap, base * 2^n)]) happen only on transport errors (refused,
 * reset, timed out) and on HTTP 408, 429 and 5xx; any other 4xx is final.
 * A call therefore lasts at most about (max.retries + 1) times the
 * request timeout plus the backoff.
 */
#ifndef KAFKIT_REGISTRY_H
#define KAFKIT_REGISTRY_H

#include "common.h"
#include "conf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_registry_s kafkit_registry_t;

/** "version" meaning the subject's latest version. */
#define KAFKIT_REGISTRY_LATEST (-1)

/**
 * The error of a registry call: kafkit's code and human message, plus what
 * the registry said. `error.code` is KAFKIT_ERR_NOT_FOUND for HTTP 404,
 * KAFKIT_ERR_TIMEOUT for a timeout or 408, KAFKIT_ERR_INVALID_ARG for the
 * other 4xx (409 incompatible, 422 invalid schema/version/level...),
 * KAFKIT_ERR_CONF for 401/403 and TLS setup/verification failures,
 * KAFKIT_ERR_IO for 5xx and transport errors, KAFKIT_ERR_PARSE for a
 * response that is not the JSON expected. `error.message` reads
 * "registry URL: STATUS error_code CODE: MESSAGE".
 * Plain struct owned by the caller (usually on the stack).
 */
typedef struct kafkit_registry_error_s {
        kafkit_error_t error;            /**< as every kafkit call fills it */
        int http_status;                 /**< 0: no HTTP response (or local error) */
        int error_code;                  /**< registry's error_code (40401...), or 0 */
        char reason[KAFKIT_ERRSTR_SIZE]; /**< registry's "message", or the
                                          *   transport's error text; "" if none */
        char url[KAFKIT_ERRSTR_SIZE];    /**< URL of the failed request, never with
                                          *   credentials; "" for local errors */
} kafkit_registry_error_t;

/** Resets an error to KAFKIT_OK, all fields empty. NULL is ignored. */
void kafkit_registry_error_clear(kafkit_registry_error_t *err);

/** A schema reference: `name` (as the referring schema uses it) is version
 *  `version` of `subject`. */
typedef struct kafkit_registry_ref_s {
        const char *name;
        const char *subject;
        int version;
} kafkit_registry_ref_t;

/**
 * A registered schema, immutable. Fields a response did not carry are
 * NULL/0: `subject` and `version` are unknown for a schema got by id.
 * `schema_type` is "AVRO", "JSON" or "PROTOBUF" (never NULL; AVRO when the
 * registry omits it). Results are reference-counted and shared with the
 * registry's cache: release each with kafkit_registry_schema_destroy(),
 * from any thread.
 */
typedef struct kafkit_registry_schema_s {
        int32_t id;
        const char *subject;
        int version;
        const char *schema;
        const char *schema_type;
        const kafkit_registry_ref_t *refs;
        size_t ref_cnt;
} kafkit_registry_schema_t;

/** Releases a schema result. NULL is ignored. Thread-safe. */
void kafkit_registry_schema_destroy(const kafkit_registry_schema_t *schema);

/**
 * A registry client configured from `conf`, which is BORROWED: it is only
 * read during the call (copy what it needs), and the caller keeps and
 * destroys it. schema.registry.url must be set. Nothing is sent until the
 * first request. NULL with err set on failure (KAFKIT_ERR_CONF names the
 * property). The caller owns the result. Thread-safe.
 */
kafkit_registry_t *kafkit_registry_new(const kafkit_conf_t *conf,
                                       kafkit_registry_error_t *err);

/**
 * Frees the client, its connections and caches. No call on it may still be
 * running. Schemas it returned stay valid until released. NULL ignored.
 */
void kafkit_registry_destroy(kafkit_registry_t *r);

/*
 * Every call below is thread-safe, borrows its string arguments, and
 * returns KAFKIT_OK or the code also stored in err (which may be NULL).
 * `schema_type` NULL means "AVRO" (not sent, as the registry's default).
 * `refs` may be NULL when `ref_cnt` is 0.
 */

/**
 * Registers `schema` under `subject` (POST /subjects/S/versions) and sets
 * *id to its global id. `normalize` non-zero adds ?normalize=true. The
 * answer is cached: registering the same text again asks nothing.
 */
kafkit_err_t kafkit_registry_register(kafkit_registry_t *r,
                                      const char *subject,
                                      const char *schema,
                                      const char *schema_type,
                                      const kafkit_registry_ref_t *refs,
                                      size_t ref_cnt,
                                      int normalize,
                                      int32_t *id,
                                      kafkit_registry_error_t *err);

/**
 * Looks `schema` up in `subject` (POST /subjects/S): *out gets its id,
 * subject and version (KAFKIT_ERR_NOT_FOUND: not registered there).
 * Cached. The caller releases *out.
 */
kafkit_err_t kafkit_registry_lookup(kafkit_registry_t *r,
                                    const char *subject,
                                    const char *schema,
                                    const char *schema_type,
                                    const kafkit_registry_ref_t *refs,
                                    size_t ref_cnt,
                                    int normalize,
                                    const kafkit_registry_schema_t **out,
                                    kafkit_registry_error_t *err);

/**
 * The schema with global id `id` (GET /schemas/ids/ID), with its type and
 * references. Cached for good; a missing id is remembered for
 * missing.id.cache.ttl.sec. Concurrent callers missing the same id share
 * one request. The caller releases *out.
 */
kafkit_err_t kafkit_registry_get_by_id(kafkit_registry_t *r,
                                       int32_t id,
                                       const kafkit_registry_schema_t **out,
                                       kafkit_registry_error_t *err);

/**
 * The schema with GUID `guid` (36-character text, "0f1e...-..."), by the
 * newer Confluent API GET /schemas/guids/GUID. *out's id is the one the
 * registry sent with it, or -1 if it sent none. Cached like ids. The
 * caller releases *out.
 */
kafkit_err_t kafkit_registry_get_by_guid(kafkit_registry_t *r,
                                         const char *guid,
                                         const kafkit_registry_schema_t **out,
                                         kafkit_registry_error_t *err);

/**
 * Version `version` of `subject`, or its latest with KAFKIT_REGISTRY_LATEST
 * (GET /subjects/S/versions/V). Numbered versions are cached for good, the
 * latest for latest.cache.ttl.sec. The caller releases *out.
 */
kafkit_err_t kafkit_registry_get_version(kafkit_registry_t *r,
                                         const char *subject,
                                         int version,
                                         const kafkit_registry_schema_t **out,
                                         kafkit_registry_error_t *err);

/**
 * All subjects (GET /subjects): *subjects gets a NULL-terminated array of
 * *cnt strings (cnt may be NULL). Free it with kafkit_registry_strings_free().
 */
kafkit_err_t kafkit_registry_list_subjects(kafkit_registry_t *r,
                                           char ***subjects,
                                           size_t *cnt,
                                           kafkit_registry_error_t *err);

/**
 * The versions of `subject` (GET /subjects/S/versions), ascending as the
 * registry lists them: *versions gets *cnt ints. Free with
 * kafkit_registry_free().
 */
kafkit_err_t kafkit_registry_list_versions(kafkit_registry_t *r,
                                           const char *subject,
                                           int **versions,
                                           size_t *cnt,
                                           kafkit_registry_error_t *err);

/**
 * Deletes `subject` (DELETE /subjects/S, with ?permanent=true when
 * `permanent`; the registry wants a soft delete first). *versions (may be
 * NULL) gets the *cnt deleted versions; free with kafkit_registry_free().
 * Drops the subject's cached versions.
 */
kafkit_err_t kafkit_registry_delete_subject(kafkit_registry_t *r,
                                            const char *subject,
                                            int permanent,
                                            int **versions,
                                            size_t *cnt,
                                            kafkit_registry_error_t *err);

/**
 * Deletes one version (or the latest) of `subject`; *deleted (may be NULL)
 * gets the version number deleted. Drops the subject's cached versions.
 */
kafkit_err_t kafkit_registry_delete_version(kafkit_registry_t *r,
                                            const char *subject,
                                            int version,
                                            int permanent,
                                            int *deleted,
                                            kafkit_registry_error_t *err);

/**
 * Tests `schema` against `version` (or latest) of `subject`
 * (POST /compatibility/subjects/S/versions/V?verbose=true): *is_compatible
 * gets 1 or 0, and *messages (may be NULL) the registry's reasons as a
 * NULL-terminated array (free with kafkit_registry_strings_free()).
 */
kafkit_err_t kafkit_registry_check_compatibility(kafkit_registry_t *r,
                                                 const char *subject,
                                                 int version,
                                                 const char *schema,
                                                 const char *schema_type,
                                                 const kafkit_registry_ref_t *refs,
                                                 size_t ref_cnt,
                                                 int *is_compatible,
                                                 char ***messages,
                                                 kafkit_registry_error_t *err);

/**
 * The compatibility level (BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
 * FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE) of `subject`, or the
 * global one when `subject` is NULL (GET /config[/S]). With
 * `default_to_global` a subject without its own level reports the global
 * one instead of KAFKIT_ERR_NOT_FOUND. *level is the caller's; free with
 * kafkit_registry_free().
 */
kafkit_err_t kafkit_registry_get_config(kafkit_registry_t *r,
                                        const char *subject,
                                        int default_to_global,
                                        char **level,
                                        kafkit_registry_error_t *err);

/** Sets the compatibility level of `subject`, or the global one when NULL
 *  (PUT /config[/S]). */
kafkit_err_t kafkit_registry_set_config(kafkit_registry_t *r,
                                        const char *subject,
                                        const char *level,
                                        kafkit_registry_error_t *err);

/** Frees memory returned by this module. NULL is ignored. */
void kafkit_registry_free(void *p);

/** Frees a NULL-terminated string array returned by this module. */
void kafkit_registry_strings_free(char **strings);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_REGISTRY_H */
