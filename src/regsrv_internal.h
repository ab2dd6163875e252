/*
 * regsrv_internal.h: the development Schema Registry's two halves.
 *
 * regsrv_store.c is the registry itself: subjects, versions, global schema
 * ids, compatibility levels and the durable write-ahead log, behind one
 * mutex, answering in Schema Registry's own terms (JSON bodies and
 * Confluent error codes such as 40401). regsrv_http.c is only transport:
 * libmicrohttpd, routing of paths and query parameters to the store, and
 * turning error codes into HTTP statuses. Each store call takes the parsed
 * request and fills either *out (a JSON answer the caller owns) or *e.
 */
#ifndef KAFKIT_REGSRV_INTERNAL_H
#define KAFKIT_REGSRV_INTERNAL_H

#include "internal.h"

#include <jansson.h>
#include <pthread.h>

#pragma GCC visibility push(hidden)

/* Confluent error codes; the HTTP status is the first three digits (409
 * stands for itself). */
enum {
        RS_E_INCOMPATIBLE = 409,
        RS_E_SUBJECT_NOT_FOUND = 40401,
        RS_E_VERSION_NOT_FOUND = 40402,
        RS_E_SCHEMA_NOT_FOUND = 40403,
        RS_E_SUBJECT_SOFT_DELETED = 40404,
        RS_E_SUBJECT_NOT_SOFT_DELETED = 40405,
        RS_E_VERSION_SOFT_DELETED = 40406,
        RS_E_VERSION_NOT_SOFT_DELETED = 40407,
        RS_E_NO_SUBJECT_CONFIG = 40408,
        RS_E_INVALID_SCHEMA = 42201,
        RS_E_INVALID_VERSION = 42202,
        RS_E_INVALID_LEVEL = 42203,
        RS_E_REFERENCE_EXISTS = 42206,
        RS_E_STORE = 50001
};

typedef struct rs_err_s {
        int code;               /* one of RS_E_*, 0 when fine */
        char msg[2048];
} rs_err_t;

/* HTTP status of an error code: 40401 -> 404, 409 -> 409. */
int rs_http_status(int code);

/* ------------------------------------------------ write-ahead log (wal.c) */

typedef struct rs_wal_s rs_wal_t;

/* Applies one replayed change; non-zero with `why` filled to reject it. */
typedef int(rs_wal_apply_cb)(void *opaque, json_t *op, char *why, size_t why_size);

/* Opens (creating) DIR/registry.log, locks it and replays it through `cb`.
 * `lg` is borrowed. NULL with err set on failure. */
rs_wal_t *rs_wal_open(const char *dir, const kafkit_logger_t *lg, rs_wal_apply_cb *cb,
                      void *opaque, kafkit_error_t *err);
/* Appends `op` as one line and syncs it to disk. */
kafkit_err_t rs_wal_append(rs_wal_t *w, json_t *op, kafkit_error_t *err);
void rs_wal_close(rs_wal_t *w);

/* --------------------------------------------------------- store (store.c) */

typedef struct rs_store_s rs_store_t;

/* Opens a store: in memory when `dir` is NULL, else DIR/registry.log is
 * created or replayed. `lg` is borrowed and must outlive the store. */
rs_store_t *rs_store_open(const char *dir, const kafkit_logger_t *lg, kafkit_error_t *err);
void rs_store_close(rs_store_t *st);

/* The request options that change a call's meaning. */
typedef struct rs_opts_s {
        int normalize;          /* ?normalize=true */
        int deleted;            /* ?deleted=true: include soft-deleted */
        int permanent;          /* ?permanent=true */
        int verbose;            /* ?verbose=true */
        int default_to_global;  /* ?defaultToGlobal=true */
} rs_opts_t;

/* POST /subjects/{s}/versions: body {schema, schemaType?, references?}. */
int rs_register(rs_store_t *st, const char *subject, json_t *body, const rs_opts_t *o,
                json_t **out, rs_err_t *e);
/* POST /subjects/{s}: the version of `subject` holding the schema. */
int rs_lookup(rs_store_t *st, const char *subject, json_t *body, const rs_opts_t *o,
              json_t **out, rs_err_t *e);
/* GET /schemas/ids/{id} and /schemas/ids/{id}/versions. */
int rs_schema_get(rs_store_t *st, const char *id, json_t **out, rs_err_t *e);
int rs_schema_versions(rs_store_t *st, const char *id, const rs_opts_t *o,
                       json_t **out, rs_err_t *e);
/* GET /schemas/guids/{guid} (newer Confluent API); answers carry "guid". */
int rs_schema_get_guid(rs_store_t *st, const char *guid, json_t **out, rs_err_t *e);
/* GET /subjects, /subjects/{s}/versions, /subjects/{s}/versions/{v}. */
int rs_subjects(rs_store_t *st, const rs_opts_t *o, json_t **out, rs_err_t *e);
int rs_versions(rs_store_t *st, const char *subject, const rs_opts_t *o,
                json_t **out, rs_err_t *e);
int rs_version_get(rs_store_t *st, const char *subject, const char *version,
                   const rs_opts_t *o, json_t **out, rs_err_t *e);
/* DELETE /subjects/{s}/versions/{v} and /subjects/{s}. */
int rs_delete_version(rs_store_t *st, const char *subject, const char *version,
                      const rs_opts_t *o, json_t **out, rs_err_t *e);
int rs_delete_subject(rs_store_t *st, const char *subject, const rs_opts_t *o,
                      json_t **out, rs_err_t *e);
/* POST /compatibility/subjects/{s}/versions[/{v}]; version NULL checks
 * against the existing versions the subject's level names. */
int rs_compat(rs_store_t *st, const char *subject, const char *version, json_t *body,
              const rs_opts_t *o, json_t **out, rs_err_t *e);
/* GET, PUT, DELETE /config and /config/{s} (subject NULL: global). */
int rs_config_get(rs_store_t *st, const char *subject, const rs_opts_t *o,
                  json_t **out, rs_err_t *e);
int rs_config_put(rs_store_t *st, const char *subject, json_t *body,
                  json_t **out, rs_err_t *e);
int rs_config_delete(rs_store_t *st, const char *subject, json_t **out, rs_err_t *e);

/* ------------------------------------- store internals (store, schema, api) */

typedef struct rs_schema_s rs_schema_t;

struct rs_schema_s {
        int id;
        char *text;                     /* as registered */
        json_t *refs;                   /* [{name, subject, version}] */
        rs_schema_t **deps;             /* the schemas `refs` name */
        size_t n_deps;
        char *key, *nkey;               /* identity, normalized identity */
        kafkit_avro_schema_t *avro;
};

typedef struct rs_version_s {
        int version;
        int deleted;
        rs_schema_t *schema;
} rs_version_t;

typedef struct rs_subject_s {
        char *name;
        rs_version_t *v;                /* ascending versions */
        size_t n, cap;
        int has_level;
        kafkit_avro_compat_level_t level;
} rs_subject_t;

struct rs_store_s {
        pthread_mutex_t lock;
        const kafkit_logger_t *lg;
        rs_wal_t *wal;                  /* NULL: in memory */
        rs_schema_t **schemas;
        size_t n_schemas, cap_schemas;
        rs_subject_t **subjects;
        size_t n_subjects, cap_subjects;
        kafkit_avro_compat_level_t level;
        int max_id;
};

/* The GUID of a schema, 36 characters and a NUL (regsrv_api.c). */
void rs_schema_guid(const rs_schema_t *sc, char text[37]);

/* A parsed request schema, before it becomes a record. */
typedef struct rs_req_s {
        const char *text;
        json_t *refs;                   /* new reference, normalized */
        rs_schema_t **deps;
        size_t n_deps;
        kafkit_avro_schema_t *avro;
        char *key, *nkey;
} rs_req_t;

/* Error answers: fill *e and return its code. */
int rs_fail(rs_err_t *e, int code, const char *fmt, ...) KAFKIT_PRINTF(3, 4);
int rs_nomem(rs_err_t *e);
int rs_subject_missing(rs_err_t *e, const char *subject);

/* Lookups (the caller holds st->lock). A version number 0 means the latest;
 * soft-deleted versions count only when `deleted`. */
rs_subject_t *rs_subject_find(rs_store_t *st, const char *name);
size_t rs_live_count(const rs_subject_t *s);
rs_version_t *rs_version_find(rs_subject_t *s, int v, int deleted);
rs_schema_t *rs_schema_by_id(rs_store_t *st, int id);
rs_schema_t *rs_schema_by_key(rs_store_t *st, const rs_req_t *q, int normalize);
int rs_schema_used(rs_store_t *st, const rs_schema_t *sc);
int rs_version_referenced(rs_store_t *st, const char *subject, int v);
/* "latest", "-1" (0) or 1..2^31-1, else 42202. */
int rs_parse_version(const char *text, int *v, rs_err_t *e);

/* A request body {schema, schemaType?, references?} parsed, with its
 * references resolved and its identity keys (regsrv_schema.c). */
int rs_req_parse(rs_store_t *st, json_t *body, rs_req_t *q, rs_err_t *e);
void rs_req_free(rs_req_t *q);

/* {subject, version, id, schema[, references]} */
json_t *rs_version_json(const rs_subject_t *s, const rs_version_t *v);
/* *out = o, or a memory error when o is NULL. */
int rs_answer(json_t *o, json_t **out, rs_err_t *e);
/* Logs the change `op` (taking it) and applies it. */
int rs_commit(rs_store_t *st, json_t *op, rs_err_t *e);

#pragma GCC visibility pop

#endif /* KAFKIT_REGSRV_INTERNAL_H */
