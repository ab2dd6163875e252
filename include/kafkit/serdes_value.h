/*
 * kafkit/serdes_value.h: the Avro serdes (serdes.h) with avro-c's generic
 * values (avro_value_t) in place of JSON text.
 *
 * This header includes <avro.h> (avro-c 1.10 or later), so kafkit.h does
 * not include it: include it explicitly and compile and link against
 * avro-c too:
 *     #include <kafkit/kafkit.h>
 *     #include <kafkit/serdes_value.h>
 *     cc app.c $(pkg-config --cflags --libs kafkit avro-c)
 *
 * Safety: avro-c's decoder trusts the lengths and indexes in its input. A
 * framed record is therefore checked in full by kafkit's own decoder
 * (every length, union and enum index, int range, nesting depth, trailing
 * bytes) before avro-c reads a byte of it, so bad input gives the same
 * errors as kafkit_serdes_deserialize_json() and never reaches avro-c.
 *
 * avro-c has no logical types: a decimal is its bytes or fixed, a date an
 * int, a timestamp a long, a uuid a string. The avro-c schema of a value
 * is built from the Parsing Canonical Form of kafkit's schema (named
 * types of references written out), so its names, fields, symbols and
 * sizes are the registered schema's; docs, defaults, aliases and logical
 * types are not in it.
 *
 * Caching: the avro-c schema and generic value class (avro_value_iface_t)
 * of each schema are made once per serdes and kept with its other caches
 * (one mutex, never held while the registry is asked; at most
 * KAFKIT_SERDES_VALUE_MAX_CLASSES schemas, past which a class is made per
 * call). Values hold their own reference to their class, so a value stays
 * usable after the serdes is destroyed.
 */
#ifndef KAFKIT_SERDES_VALUE_H
#define KAFKIT_SERDES_VALUE_H

#include <avro.h>

#include "serdes.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most distinct schemas whose avro-c class a serdes keeps. */
#define KAFKIT_SERDES_VALUE_MAX_CLASSES 1024

/**
 * Deserializes one framed key or value (`data`, `len` bytes, with the
 * record's `headers`, as for kafkit_serdes_deserialize_json()) into an
 * avro-c generic value of the schema that call would print: the reader
 * schema (kafkit_serdes_set_reader() or use.latest.version), its data
 * resolved by Avro's rules, else the writer's. *schema_id (may be NULL)
 * gets the writer schema's id.
 *
 * `value` must point to a zeroed avro_value_t ({NULL, NULL}) on first use;
 * kafkit then makes a generic value of the cached class. Pass the same
 * value again for the next record: if it is of the class this record
 * needs it is reset and refilled (no new value), else kafkit releases it
 * (avro_value_decref()) and makes a new one. The caller owns the value
 * and releases it with avro_value_decref() when done. A NULL `data` (a
 * null Kafka value) leaves *value alone and sets *schema_id to 0.
 *
 * Allocation per call, once warm: only what avro-c allocates for
 * strings, bytes, arrays and maps. avro-c's memory reader and writer and
 * the scratch buffers of the reader-schema path are kept per thread
 * (freed when the thread exits). Map keys are C
 * strings in avro-c: a key holding a NUL byte is refused
 * (KAFKIT_ERR_PARSE) rather than cut short.
 *
 * Errors are those of kafkit_serdes_deserialize_json() (KAFKIT_ERR_PARSE
 * for a bad magic byte, shown in hex, a truncated or malformed body with
 * the byte offset and path, trailing bytes; KAFKIT_ERR_NOT_FOUND for an
 * unknown id; the registry's codes), plus KAFKIT_ERR_INVALID_ARG for a
 * NULL `sd` or `value` and KAFKIT_ERR_PARSE when avro-c cannot take the
 * schema. On failure *value is still the caller's to release (it may be
 * reset, or {NULL, NULL} if none could be made). Other arguments are
 * borrowed. Thread-safe for distinct values; must not race with
 * kafkit_serdes_set_reader().
 */
kafkit_err_t kafkit_serdes_deserialize_value(kafkit_serdes_t *sd,
                                             const kafkit_serdes_ctx_t *ctx,
                                             const void *data,
                                             size_t len,
                                             const kafkit_header_t *headers,
                                             size_t header_cnt,
                                             avro_value_t *value,
                                             int32_t *schema_id,
                                             kafkit_error_t *err);

/**
 * Serializes an avro-c value written with the Avro schema `schema` (text,
 * with `ref_cnt` registered `refs`, as for kafkit_serdes_serialize_json())
 * and APPENDS the framed bytes (0x00, id, body) to `out`: the body is what
 * avro-c writes for the value, framed as kafkit_serdes_serialize_binary()
 * does. `schema` is required unless use.schema.id or use.latest.version
 * selects the registered schema (avro-c's own schema text lacks logical
 * types and defaults, so it is not used); with those set, a `schema`
 * given must have the same Parsing Canonical Form as the one selected.
 * *schema_id (may be NULL) gets the id written.
 *
 * The body avro-c writes is decoded with kafkit's decoder under the
 * schema selected before the call succeeds: a value whose bytes do not
 * read as that schema, or one avro-c cannot write (a union without a
 * branch set), is KAFKIT_ERR_INVALID_ARG saying where. A value of another
 * schema with the same encoding (an int where a long is expected) cannot
 * be told apart and is framed as the schema selected. Other errors as for
 * kafkit_serdes_serialize_json(); all prefixed with the ctx and
 * "key"/"value". On failure `out` keeps its previous length. All
 * arguments are borrowed; `value` is only read. Thread-safe for distinct
 * `out` buffers (and values not changed meanwhile).
 */
kafkit_err_t kafkit_serdes_serialize_value(kafkit_serdes_t *sd,
                                           const kafkit_serdes_ctx_t *ctx,
                                           const char *schema,
                                           const kafkit_registry_ref_t *refs,
                                           size_t ref_cnt,
                                           avro_value_t *value,
                                           kafkit_buf_t *out,
                                           int32_t *schema_id,
                                           kafkit_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_SERDES_VALUE_H */
