/*
 * serdes_internal.h: what the Avro serdes' modules share: serdes_wire.c
 * (Confluent framing: magic byte, schema id or GUID, headers),
 * serdes_map.c (the small hash map the caches use), serdes_schema.c
 * (registered schemas parsed with their references resolved),
 * serdes.c (the object, its caches, serializing) and serdes_read.c
 * (deserializing).
 */
#ifndef KAFKIT_SERDES_INTERNAL_H
#define KAFKIT_SERDES_INTERNAL_H

#include "internal.h"
#include "kafkit/serdes.h"

#include <pthread.h>

#pragma GCC visibility push(hidden)

/* ------------------------------------------------------------------ wire */

#define KAFKIT_WIRE_MAGIC_ID 0x00   /* 0x00 + 4-byte big-endian id */
#define KAFKIT_WIRE_MAGIC_GUID 0x01 /* 0x01 + 16-byte GUID */
#define KAFKIT_WIRE_ID_SIZE 5
#define KAFKIT_WIRE_GUID_SIZE 17

/* Where a payload's schema is named and where its Avro body is. */
typedef struct kafkit_wire_s {
        int has_guid;                   /* 1: `guid` names it, 0: `id` */
        int32_t id;
        unsigned char guid[16];
        const unsigned char *body;
        size_t body_len;
        size_t body_off;                /* payload bytes before the body */
        const char *header;             /* header it came from, or NULL */
} kafkit_wire_t;

/*
 * Finds the schema of a payload: the LAST header named `header_name`
 * when there is one (its value 0x01+GUID or 0x00+id, and the whole
 * payload is the body), else the payload's prefix. KAFKIT_ERR_PARSE with
 * a message without prefix ("unknown magic byte 0x7b ...") on failure.
 */
kafkit_err_t kafkit_wire_parse(const void *data,
                               size_t len,
                               const kafkit_header_t *headers,
                               size_t header_cnt,
                               const char *header_name,
                               kafkit_wire_t *w,
                               kafkit_error_t *err);

/* Appends 0x00 and `id` big-endian. */
kafkit_err_t kafkit_wire_put_id(kafkit_buf_t *out, int32_t id);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case) and a NUL. */
void kafkit_wire_guid_text(const unsigned char guid[16], char text[37]);

/* Parses GUID text; 0 on success, -1 if it is not one. */
int kafkit_wire_guid_parse(const char *text, unsigned char guid[16]);

/* The first up to 8 bytes of data as "7b 22 61" (and "..." if longer). */
void kafkit_wire_hex(const void *data, size_t len, char *out, size_t size);

/* ------------------------------------------------------------------- map */

/*
 * A chained hash map of pointers to items the caller owns and compares:
 * the caller computes the hash and passes an equality test, so one map
 * type serves every cache key shape without building key bytes.
 */
typedef struct kafkit_smap_node_s kafkit_smap_node_t;

typedef struct kafkit_smap_s {
        kafkit_smap_node_t **buckets;
        size_t n_buckets;
        size_t cnt;
} kafkit_smap_t;

/* 1 when `item` has key `key`. */
typedef int(kafkit_smap_eq_t)(const void *item, const void *key);

#define KAFKIT_HASH_INIT 0xcbf29ce484222325ULL

/* FNV-1a over n bytes, continuing from h. */
uint64_t kafkit_hash(uint64_t h, const void *p, size_t n);

/* The item with key `key`, or NULL. */
void *kafkit_smap_get(const kafkit_smap_t *m, uint64_t hash, kafkit_smap_eq_t *eq,
                      const void *key);

/* Adds an item (the caller checked it is absent). KAFKIT_ERR_NOMEM. */
kafkit_err_t kafkit_smap_put(kafkit_smap_t *m, uint64_t hash, void *item);

/* Calls free_item (may be NULL) on each item and empties the map. */
void kafkit_smap_clear(kafkit_smap_t *m, void (*free_item)(void *));

/* ----------------------------------------------------------------- schema */

/*
 * Parses `text` whose named types may come from `refs`: each reference is
 * fetched from `reg` (subject, version; version <= 0 means the latest),
 * with its own references, depth first, so that every dependency comes
 * before the schemas using it and a dependency shared by several appears
 * once. A cycle is KAFKIT_ERR_INVALID_ARG naming the subjects. NULL with
 * err set on failure; the caller owns the result.
 */
kafkit_avro_schema_t *kafkit_serdes_schema_parse(kafkit_registry_t *reg,
                                                 const char *text,
                                                 const kafkit_registry_ref_t *refs,
                                                 size_t ref_cnt,
                                                 kafkit_error_t *err);

/* Copies a registry error's code and message into err; returns the code. */
kafkit_err_t kafkit_serdes_rerr(kafkit_error_t *err, const kafkit_registry_error_t *re);

/* ---------------------------------------------------------------- object
 * serdes.c: the object, errors, registered-schema caches, serializing;
 * serdes_read.c: deserializing. */

typedef enum kafkit_strategy_e {
        KAFKIT_STRATEGY_TOPIC,
        KAFKIT_STRATEGY_RECORD,
        KAFKIT_STRATEGY_TOPIC_RECORD
} kafkit_strategy_t;

/* A caller's schema text with its references, parsed. */
typedef struct sd_text_s {
        char *text;
        kafkit_registry_ref_t *refs;    /* copies, strings included */
        size_t ref_cnt;
        kafkit_avro_schema_t *avro;
} sd_text_t;

/* A registered schema, parsed with its references. */
typedef struct sd_id_s {
        int32_t id;                     /* -1: known only by GUID */
        unsigned char guid[16];
        kafkit_avro_schema_t *avro;
} sd_id_t;

/* Which schema a (text, topic) is written with, or which schema is the
 * latest for a (writer, topic); `latest` items expire. */
typedef struct sd_target_s {
        const void *owner;              /* sd_text_t or sd_id_t; NULL allowed */
        char *topic;                    /* "" when the ctx has none */
        int32_t id;
        const kafkit_avro_schema_t *avro;
        int64_t fetched_ms;             /* for the latest version's TTL */
} sd_target_t;

typedef struct sd_resolver_s {
        const void *writer, *reader;
        kafkit_avro_resolver_t *res;
} sd_resolver_t;

struct kafkit_serdes_s {
        kafkit_logger_t lg;
        kafkit_serdes_role_t role;
        kafkit_registry_t *reg;
        int own_reg;

        int auto_register, use_latest, latest_strict, id_strict, normalize;
        int32_t use_schema_id;          /* -1: not set */
        kafkit_strategy_t strategy;
        int64_t latest_ttl_ms;          /* < 0 forever, 0 ask each time */

        pthread_mutex_t lock;
        kafkit_smap_t texts, targets, ids, guids, latest, resolvers;
        kafkit_smap_t classes;          /* serdes_value.c: avro-c classes */
        kafkit_avro_schema_t *reader;   /* kafkit_serdes_set_reader() */
};

typedef struct sd_target_key_s {
        const void *owner;
        const char *topic;
} sd_target_key_t; /* a target's key */

/* "key" or "value". */
const char *kafkit_sd_role(const kafkit_serdes_t *sd);

/* Prefixes err's message (err not NULL) with the ctx and role, sets its
 * code to `code` and returns it. */
kafkit_err_t kafkit_sd_fail(const kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                            kafkit_error_t *err, kafkit_err_t code);

/* Hands an internal error to the caller's (may be NULL); returns code. */
kafkit_err_t kafkit_sd_done(kafkit_err_t code, const kafkit_error_t *e, kafkit_error_t *err);

/* The subject for `topic` and `schema`'s name by the strategy; malloc'ed,
 * NULL with err set. */
char *kafkit_sd_subject(const kafkit_serdes_t *sd, const char *topic,
                        const kafkit_avro_schema_t *schema, kafkit_error_t *err);

/* Inserts `item` unless an equal one is in `m`; returns the one kept (the
 * other freed), NULL on NOMEM. The caller holds sd->lock. */
void *kafkit_sd_insert(kafkit_smap_t *m, uint64_t hash, kafkit_smap_eq_t *eq, const void *key,
                       void *item, void (*free_item)(void *), kafkit_error_t *err);

/* Registered schemas by id, by GUID, and a subject's latest: cached; NULL
 * with err set. Items live as long as the serdes. */
const sd_id_t *kafkit_sd_id_get(kafkit_serdes_t *sd, int32_t id, kafkit_error_t *err);
const sd_id_t *kafkit_sd_guid_get(kafkit_serdes_t *sd, const unsigned char guid[16],
                                  kafkit_error_t *err);
const sd_id_t *kafkit_sd_latest_fetch(kafkit_serdes_t *sd, const char *subject,
                                      kafkit_error_t *err);

/* Target maps (sd->targets, sd->latest): find (1 when found and fresh;
 * `is_latest` items expire after latest.cache.ttl.sec) and store. */
int kafkit_sd_target_find(kafkit_serdes_t *sd, kafkit_smap_t *m, const sd_target_key_t *k,
                          int is_latest, int32_t *id, const kafkit_avro_schema_t **avro);
kafkit_err_t kafkit_sd_target_store(kafkit_serdes_t *sd, kafkit_smap_t *m,
                                    const sd_target_key_t *k, int32_t id,
                                    const kafkit_avro_schema_t *avro, kafkit_error_t *err);

void kafkit_sd_resolver_free(void *p);

/* What to serialize: JSON text to encode, an Avro body to frame as is, or
 * (`write` set) a body that `write` appends to `out` given the id and
 * schema selected (serdes_value.c). */
typedef struct sd_body_s {
        int is_json;
        const void *data;
        size_t len;
        kafkit_avro_json_style_t style; /* of the JSON */
        kafkit_err_t (*write)(void *arg, int32_t id, const kafkit_avro_schema_t *avro,
                              kafkit_buf_t *out, kafkit_error_t *err);
        void *arg;
} sd_body_t;

/* Serializes `b` (serdes.c): selects the schema and id, appends the
 * framing and the body; errors prefixed, `out` restored on failure. */
kafkit_err_t kafkit_sd_serialize(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                                 const char *schema, const kafkit_registry_ref_t *refs,
                                 size_t ref_cnt, const sd_body_t *b, kafkit_buf_t *out,
                                 int32_t *schema_id, kafkit_error_t *err);

/* Deserializing (serdes_read.c), in steps the value reader shares: the
 * writer of a payload (framing parsed into *wire; errors prefixed), the
 * schema its data is read as (the reader set, the latest version with
 * use.latest.version, else the writer's own; NULL with err), the cached
 * resolution plan between them, and the rewording of a body error. */
const sd_id_t *kafkit_sd_writer_get(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                                    const void *data, size_t len,
                                    const kafkit_header_t *headers, size_t header_cnt,
                                    kafkit_wire_t *wire, kafkit_error_t *err);
const kafkit_avro_schema_t *kafkit_sd_reader_for(kafkit_serdes_t *sd, const sd_id_t *w,
                                                 const kafkit_serdes_ctx_t *ctx,
                                                 kafkit_error_t *err);
const kafkit_avro_resolver_t *kafkit_sd_resolver_get(kafkit_serdes_t *sd, const sd_id_t *w,
                                                     const kafkit_avro_schema_t *reader,
                                                     kafkit_error_t *err);
kafkit_err_t kafkit_sd_body_fail(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                                 const sd_id_t *w, const kafkit_wire_t *wire,
                                 kafkit_err_t code, kafkit_error_t *err);

/* Frees a class cache item (serdes_value.c). */
void kafkit_sd_class_free(void *p);

#pragma GCC visibility pop

#endif /* KAFKIT_SERDES_INTERNAL_H */
