/*
 * kafkit/serdes.h: Avro serializer/deserializer in Confluent's wire format,
 * byte for byte what Confluent's Java, Python and Go clients write and read.
 *
 * Wire format. A serialized key or value is
 *     0x00 | schema id (4 bytes, big-endian) | Avro binary body
 * On read the newer forms are accepted too: a record header
 * "__key_schema_id" / "__value_schema_id" (the last one of that name wins,
 * as in Java) holding 0x01 + a 16-byte schema GUID (or 0x00 + a 4-byte id),
 * in which case the whole payload is the Avro body; and a payload prefix
 * 0x01 + 16-byte GUID. A GUID is resolved with GET /schemas/guids/{guid}
 * (kafkit_registry_get_by_guid()).
 *
 * One serdes serves one role, key or value, as Confluent's serializers are
 * configured separately for each. Properties (Confluent's names; kafkit's
 * conf table validates them):
 *   auto.register.schemas        true (default): register the schema under
 *                                its subject; false: look it up, and an
 *                                unregistered schema is an error
 *   use.schema.id                N: serialize with the registered schema N
 *                                (default -1, unused)
 *   use.latest.version           true: serialize with the subject's latest
 *                                version, and deserialize with it as the
 *                                reader schema (default false)
 *   latest.compatibility.strict  true (default): with use.latest.version, a
 *                                schema given to serialize must be one the
 *                                latest version can read (Avro resolution,
 *                                latest as reader), else an error
 *   id.compatibility.strict      the same check for use.schema.id (default
 *                                true)
 *   normalize.schemas            register/look up with ?normalize=true
 *   key.subject.name.strategy / value.subject.name.strategy
 *                                topic (default, "<topic>-key" /
 *                                "<topic>-value"), record ("<full name>"),
 *                                topic_record ("<topic>-<full name>"), or
 *                                Confluent's class names
 *                                io.confluent.kafka.serializers.subject.
 *                                TopicNameStrategy, RecordNameStrategy,
 *                                TopicRecordNameStrategy
 * With use.latest.version (or use.schema.id) the JSON value is encoded
 * with the registered schema, as Confluent writes the object with it.
 * The registry client's own properties (schema.registry.url, ...) are in
 * registry.h; latest.cache.ttl.sec also bounds how long the serdes keeps
 * a subject's latest version.
 *
 * Schema references ({name, subject, version}) are fetched from the
 * registry recursively; a dependency shared by several references is
 * included once, and a cycle is an error.
 *
 * Caching and threads: parsed schemas, registered ids, GUIDs and resolvers
 * are cached in the serdes for its lifetime, keyed by (schema text and
 * references, topic) for serializing and by (writer id, reader) for
 * deserializing. After warm-up a record costs no registry call and no
 * allocation besides growing the caller's buffer (use.latest.version
 * re-asks the registry for the latest version once per latest.cache.ttl.sec).
 * A serdes is safe to use from several threads at once: one mutex guards
 * its caches and is never held during a registry call (two threads missing
 * the same entry may both fetch it; one result is kept).
 * kafkit_serdes_set_reader() must not race with deserialization.
 */
#ifndef KAFKIT_SERDES_H
#define KAFKIT_SERDES_H

#include "common.h"
#include "conf.h"
#include "avro.h"
#include "producer.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_serdes_s kafkit_serdes_t;

/** Which part of a record a serdes handles. */
typedef enum kafkit_serdes_role_e {
        KAFKIT_SERDES_KEY = 0,
        KAFKIT_SERDES_VALUE = 1
} kafkit_serdes_role_t;

/** Header names of the header form of the schema id. */
#define KAFKIT_SERDES_KEY_SCHEMA_ID_HEADER "__key_schema_id"
#define KAFKIT_SERDES_VALUE_SCHEMA_ID_HEADER "__value_schema_id"

/**
 * Where a record goes or comes from: the topic names the subject (topic
 * strategies) and, with partition and offset, prefixes every error
 * ("topic 'orders' partition 2 offset 17: value: ..."). `partition` and
 * `offset` below 0 are unknown and left out. Borrowed for one call.
 * Start from KAFKIT_SERDES_CTX_INIT.
 */
typedef struct kafkit_serdes_ctx_s {
        const char *topic;      /**< may be NULL for the record strategy */
        int32_t partition;      /**< -1: unknown */
        int64_t offset;         /**< -1: unknown */
} kafkit_serdes_ctx_t;

#define KAFKIT_SERDES_CTX_INIT { NULL, -1, -1 }

/**
 * A serdes for `role` configured from `conf`, which is BORROWED (read
 * during the call only; the caller keeps and destroys it). `registry` is
 * borrowed and must outlive the serdes; NULL makes one from `conf`
 * (schema.registry.url must then be set) that the serdes owns.
 * Returns NULL with err set on failure (KAFKIT_ERR_CONF naming the
 * property). The caller owns the result. Thread-safe.
 */
kafkit_serdes_t *kafkit_serdes_new(const kafkit_conf_t *conf,
                                   kafkit_serdes_role_t role,
                                   kafkit_registry_t *registry,
                                   kafkit_error_t *err);

/** Frees the serdes, its caches and its registry if it made one. No call
 *  on it may still be running. NULL is ignored. */
void kafkit_serdes_destroy(kafkit_serdes_t *sd);

/**
 * Serializes one JSON value (`json`, `len` bytes or up to the NUL when
 * `len` is (size_t)-1; `style` as for kafkit_avro_encode_json()) written
 * with the Avro schema `schema` (text; it may use named types of the
 * `ref_cnt` registered `refs`), and APPENDS the framed bytes (0x00, id,
 * body) to `out`. `schema` may be NULL with use.schema.id or
 * use.latest.version (the registered schema is used). *schema_id (may be
 * NULL) gets the id written.
 *
 * Errors (err message prefixed with the ctx and "key"/"value"):
 * KAFKIT_ERR_PARSE for a bad schema or a value that does not match it
 * (JSON path included), KAFKIT_ERR_NOT_FOUND when auto.register.schemas
 * is false and the schema is not registered under the subject,
 * KAFKIT_ERR_INVALID_ARG for a schema the latest version / use.schema.id
 * cannot read under the strict checks or a record strategy with an
 * unnamed schema, and the registry's codes. On failure `out` keeps its
 * previous length. All arguments are borrowed. Thread-safe for distinct
 * `out` buffers.
 */
kafkit_err_t kafkit_serdes_serialize_json(kafkit_serdes_t *sd,
                                          const kafkit_serdes_ctx_t *ctx,
                                          const char *schema,
                                          const kafkit_registry_ref_t *refs,
                                          size_t ref_cnt,
                                          const char *json,
                                          size_t len,
                                          kafkit_avro_json_style_t style,
                                          kafkit_buf_t *out,
                                          int32_t *schema_id,
                                          kafkit_error_t *err);

/**
 * As kafkit_serdes_serialize_json() for a body already Avro-encoded with
 * `schema` (`body`, `len` bytes): only the header is added. The body is
 * trusted, not decoded. With use.schema.id / use.latest.version a
 * non-NULL `schema` must have the same Parsing Canonical Form as the
 * schema selected (the body cannot be re-encoded), else
 * KAFKIT_ERR_INVALID_ARG. Same ownership and threading.
 */
kafkit_err_t kafkit_serdes_serialize_binary(kafkit_serdes_t *sd,
                                            const kafkit_serdes_ctx_t *ctx,
                                            const char *schema,
                                            const kafkit_registry_ref_t *refs,
                                            size_t ref_cnt,
                                            const void *body,
                                            size_t len,
                                            kafkit_buf_t *out,
                                            int32_t *schema_id,
                                            kafkit_error_t *err);

/**
 * Sets the reader schema deserialization resolves to (Avro's rules), with
 * `refs` fetched from the registry; NULL clears it (then the writer's
 * schema, or the latest version with use.latest.version, is used). A
 * reader set here takes precedence over use.latest.version. Call before
 * deserializing: not thread-safe against kafkit_serdes_deserialize_json().
 * Arguments are borrowed.
 */
kafkit_err_t kafkit_serdes_set_reader(kafkit_serdes_t *sd,
                                      const char *schema,
                                      const kafkit_registry_ref_t *refs,
                                      size_t ref_cnt,
                                      kafkit_error_t *err);

/**
 * Deserializes one framed key or value (`data`, `len` bytes; the record's
 * `headers`, may be NULL when `header_cnt` is 0) and APPENDS its JSON
 * text in `style` to `out`. *schema_id (may be NULL) gets the writer
 * schema's id (-1 if a GUID's id is unknown). A NULL `data` (a null
 * Kafka value, as a tombstone) appends nothing and sets *schema_id to 0.
 *
 * Errors, prefixed with the ctx and "key"/"value": KAFKIT_ERR_PARSE for a
 * first byte that is neither 0x00 nor 0x01 (the first up to 8 bytes shown
 * in hex), a payload shorter than its header, a bad schema-id header, and
 * body errors from the codec (truncated, trailing bytes, union/enum index
 * out of range, length past the end, with the byte offset and JSON path);
 * KAFKIT_ERR_NOT_FOUND for an id or GUID the registry does not know
 * (40403); the registry's codes otherwise. On failure `out` keeps its
 * previous length. All arguments are borrowed. Thread-safe for distinct
 * `out` buffers.
 */
kafkit_err_t kafkit_serdes_deserialize_json(kafkit_serdes_t *sd,
                                            const kafkit_serdes_ctx_t *ctx,
                                            const void *data,
                                            size_t len,
                                            const kafkit_header_t *headers,
                                            size_t header_cnt,
                                            kafkit_avro_json_style_t style,
                                            kafkit_buf_t *out,
                                            int32_t *schema_id,
                                            kafkit_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_SERDES_H */
