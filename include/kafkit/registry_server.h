/*
 * kafkit/registry_server.h: a development Schema Registry server.
 *
 * Speaks the part of Confluent Schema Registry's REST API that serializers,
 * deserializers and everyday tools use, for Avro schemas (schemaType AVRO;
 * JSON and PROTOBUF are refused with 422/42201):
 *
 *   POST   /subjects/{s}/versions[?normalize=true]   register -> {"id"}
 *   POST   /subjects/{s}[?normalize=true&deleted=true] look up
 *   GET    /schemas/ids/{id}, /schemas/ids/{id}/versions, /schemas/types
 *   GET    /schemas/guids/{guid}    (ids and guids answers carry "guid")
 *   GET    /subjects[?deleted=true], /subjects/{s}/versions[?deleted=true]
 *   GET    /subjects/{s}/versions/{v|latest}[/schema]
 *   DELETE /subjects/{s}/versions/{v|latest}[?permanent=true]
 *   DELETE /subjects/{s}[?permanent=true]
 *   POST   /compatibility/subjects/{s}/versions[/{v|latest}][?verbose=true]
 *   GET|PUT /config, GET|PUT|DELETE /config/{s}[?defaultToGlobal=true]
 *
 * Answers are application/vnd.schemaregistry.v1+json; errors are
 * {"error_code": N, "message": "..."} with Confluent's codes (40401 subject
 * not found, 40402 version not found, 40403 schema not found, 40404 subject
 * soft-deleted, 40405 subject not soft-deleted, 40406 version soft-deleted,
 * 40407 version not soft-deleted, 40408 no subject-level config, 42201
 * invalid schema, 42202 invalid version, 42203 invalid compatibility level,
 * 42206 the version is referenced, 409 incompatible schema, 50001 store
 * error). Schema ids are global: the same schema gets the same id in every
 * subject. The default compatibility level is BACKWARD.
 *
 * Storage: in memory, or with a data directory an append-only log
 * (DIR/registry.log, one JSON line per change, fsync'ed before the answer)
 * replayed at start, so ids and versions survive restarts and crashes. Ids
 * are never reused for another schema, even after permanent deletes. A
 * torn last line (a crash while writing) is dropped with a warning; any
 * other bad line stops the start with an error naming the file and line.
 *
 * For development and tests: no authentication, no TLS, no contexts,
 * one process per data directory.
 */
#ifndef KAFKIT_REGISTRY_SERVER_H
#define KAFKIT_REGISTRY_SERVER_H

#include "common.h"
#include "conf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_registry_server_s kafkit_registry_server_t;

/** The address a server listens on when none is given. */
#define KAFKIT_REGISTRY_SERVER_DEFAULT_LISTEN "127.0.0.1:8081"

/**
 * Starts a server listening on `listen` ("HOST:PORT" or "[v6]:PORT"; port 0
 * picks a free one; NULL means KAFKIT_REGISTRY_SERVER_DEFAULT_LISTEN) and
 * storing in `data_dir` (created if missing; NULL keeps everything in
 * memory). Requests are served on the server's own threads.
 *
 * `conf` (may be NULL) is borrowed and only its log callback and log_level
 * are used; the callback must outlive the server. Returns NULL with err
 * set on failure: KAFKIT_ERR_INVALID_ARG for a malformed address,
 * KAFKIT_ERR_IO "cannot listen on ADDR: ..." or naming the data directory,
 * KAFKIT_ERR_PARSE "DIR/registry.log:LINE: ..." for a corrupt log. The
 * caller owns the result. Thread-safe.
 */
kafkit_registry_server_t *kafkit_registry_server_new(const kafkit_conf_t *conf,
                                                     const char *listen,
                                                     const char *data_dir,
                                                     kafkit_error_t *err);

/** The numeric "HOST:PORT" listened on ("[::1]:8081" for IPv6). Owned by
 *  the server; thread-safe. */
const char *kafkit_registry_server_address(const kafkit_registry_server_t *srv);

/** The base URL for clients, "http://HOST:PORT", as schema.registry.url
 *  takes it. Owned by the server; thread-safe. */
const char *kafkit_registry_server_url(const kafkit_registry_server_t *srv);

/** Stops serving (waiting for requests in progress), closes the log and
 *  frees the server. NULL is ignored. */
void kafkit_registry_server_destroy(kafkit_registry_server_t *srv);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_REGISTRY_SERVER_H */
