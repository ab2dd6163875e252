/*
 * kafkit/avro.h: kafkit's own Avro schema model and a lossless Avro binary
 * <-> JSON codec.
 *
 * A schema is parsed once into a compact immutable model; encoding and
 * decoding walk that model and allocate nothing per record beyond growing
 * the caller's reusable kafkit_buf_t. The decoder treats its input as
 * untrusted: every length, count, union branch and enum index is checked,
 * varints are limited to 10 bytes and nesting to KAFKIT_AVRO_MAX_DEPTH.
 *
 * JSON styles (KAFKIT_AVRO_JSON_*):
 *  - AVRO: Avro's JSON encoding. A non-null union value is wrapped as
 *    {"branch": value} where branch is the primitive type name, "array",
 *    "map", or a named type's full name. bytes and fixed are JSON strings
 *    of code points U+0000..U+00FF, one per byte.
 *  - PLAIN: the same, but union values are bare. On input the branch is
 *    chosen by the value (see kafkit_avro_encode_json()).
 *
 * Logical types print as their underlying type in both styles (a decimal
 * as its two's-complement bytes, a date as its int), as Avro's JSON
 * encoding and the shared test vectors have it. OR-ing the flag
 * KAFKIT_AVRO_JSON_DECIMAL_TEXT into either style makes decimals (bytes
 * and fixed) readable text instead: "-12.34", always with exactly `scale`
 * digits after the point on output; on input a string of digits with an
 * optional sign and point (no exponent, at most `scale` fraction digits,
 * at most `precision` significant digits). JSON numbers are not accepted
 * for decimals: a double cannot carry every decimal exactly.
 *
 * Numbers: longs keep all 64 bits. float and double print in the shortest
 * form that reads back to the same value ("0.1", "1e21", "5e-324"), always
 * with a '.' or an exponent so they stay reals. JSON has no NaN or
 * infinities: they print as the strings "NaN", "Infinity", "-Infinity", and
 * those strings are accepted for float and double on input.
 *
 * Strings: an Avro string holding invalid UTF-8 is printed with each bad
 * byte replaced by U+FFFD (the only lossy case; JSON output must be valid
 * text). Map keys and field names are escaped like any string.
 */
#ifndef KAFKIT_AVRO_H
#define KAFKIT_AVRO_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ buffer */

/**
 * A growable byte buffer owned by the caller, meant to be reused across
 * records: the codec functions APPEND to it and grow it as needed, so reset
 * `len` to 0 (kafkit_buf_reset()) between records to reuse the memory.
 * `data` is NUL-terminated after every successful kafkit call that wrote
 * to it (the NUL is not counted in `len`). Zero-initialise it, or call
 * kafkit_buf_init(). Not thread-safe: one buffer per thread.
 */
typedef struct kafkit_buf_s {
        char *data;
        size_t len;
        size_t cap;
} kafkit_buf_t;

/** Sets an empty buffer (no allocation). */
void kafkit_buf_init(kafkit_buf_t *buf);

/** Empties the buffer, keeping its memory. */
void kafkit_buf_reset(kafkit_buf_t *buf);

/** Frees the buffer's memory and empties it. NULL is ignored. */
void kafkit_buf_free(kafkit_buf_t *buf);

/**
 * Makes room for `extra` more bytes (plus a NUL). Returns KAFKIT_OK or
 * KAFKIT_ERR_NOMEM (buffer unchanged).
 */
kafkit_err_t kafkit_buf_reserve(kafkit_buf_t *buf, size_t extra);

/** Appends `len` bytes. Returns KAFKIT_OK or KAFKIT_ERR_NOMEM. */
kafkit_err_t kafkit_buf_append(kafkit_buf_t *buf, const void *data, size_t len);

/* ------------------------------------------------------------------ schema */

/** A parsed Avro schema: immutable, safe to share between threads. */
typedef struct kafkit_avro_schema_s kafkit_avro_schema_t;

/** Deepest nesting of values (records, arrays, maps, unions) accepted. */
#define KAFKIT_AVRO_MAX_DEPTH 128

/**
 * Most items of a type that encodes to zero bytes (null, empty record)
 * that one decode call accepts: a few header bytes could otherwise claim
 * billions of them.
 */
#define KAFKIT_AVRO_MAX_EMPTY_ITEMS (1 << 20)

/**
 * Parses an Avro schema from JSON text (`len` bytes, or up to the NUL when
 * `len` is (size_t)-1). Supports every Avro type, named types with
 * namespaces, references to named types defined earlier (recursion
 * included), aliases, field defaults (validated against the field's type),
 * enum defaults and the logical types decimal, uuid, date, time-millis,
 * time-micros, timestamp-millis, timestamp-micros, local-timestamp-millis,
 * local-timestamp-micros and duration. An invalid logical type (decimal
 * with a bad precision, date on a string...) is ignored, as the spec says.
 *
 * Returns NULL on failure with err set (KAFKIT_ERR_PARSE), the message
 * naming the JSON path of the problem: `$.fields[2].type: unknown type
 * "Foo"`. The caller owns the result: kafkit_avro_schema_destroy().
 * Thread-safe.
 */
kafkit_avro_schema_t *kafkit_avro_schema_new(const char *text,
                                             size_t len,
                                             kafkit_error_t *err);

/**
 * As kafkit_avro_schema_new(), for a schema that uses named types defined
 * in other schemas (Schema Registry "references"): the `n_refs` texts in
 * `refs` (NUL-terminated) are parsed first, in order, into the same name
 * space, so each may use the types of the ones before it and `text` may
 * use them all. List a reference's own references before it. The result's
 * text, canonical form and fingerprint are those of `text`, with the
 * referenced types written out where the Parsing Canonical Form needs
 * them. An error in a reference says "reference [i]". `refs` is borrowed;
 * the caller owns the result. Thread-safe.
 */
kafkit_avro_schema_t *kafkit_avro_schema_new_with_refs(const char *text,
                                                       size_t len,
                                                       const char *const *refs,
                                                       size_t n_refs,
                                                       kafkit_error_t *err);

/** Frees a schema. NULL is ignored. Not while other threads use it. */
void kafkit_avro_schema_destroy(kafkit_avro_schema_t *schema);

/** The schema text exactly as given to kafkit_avro_schema_new(). Owned by
 *  the schema; thread-safe. */
const char *kafkit_avro_schema_text(const kafkit_avro_schema_t *schema);

/** Avro's Parsing Canonical Form of the schema. Owned by the schema;
 *  thread-safe. */
const char *kafkit_avro_schema_canonical(const kafkit_avro_schema_t *schema);

/** CRC-64-AVRO (Rabin) fingerprint of the Parsing Canonical Form, as the
 *  Avro spec defines it. Thread-safe. */
uint64_t kafkit_avro_schema_fingerprint(const kafkit_avro_schema_t *schema);

/** Type of the top-level schema: "record", "int", "union"... Static or
 *  owned by the schema; thread-safe. */
const char *kafkit_avro_schema_type_name(const kafkit_avro_schema_t *schema);

/** Full name of the top-level named type ("shop.Order"), or NULL if the
 *  top-level type is not named. Owned by the schema; thread-safe. */
const char *kafkit_avro_schema_full_name(const kafkit_avro_schema_t *schema);

/* ------------------------------------------------------------------- codec */

/** JSON styles; see the top of this file. */
typedef enum kafkit_avro_json_style_e {
        KAFKIT_AVRO_JSON_AVRO = 0,
        KAFKIT_AVRO_JSON_PLAIN = 1,
        /** flag: decimals as text "12.34" (see the top of this file) */
        KAFKIT_AVRO_JSON_DECIMAL_TEXT = 0x100
} kafkit_avro_json_style_t;

/** The style without its flags. */
#define KAFKIT_AVRO_JSON_STYLE_MASK 0xff

/**
 * Decodes one Avro binary value (`data`, `len` bytes, no framing) with
 * `schema` and appends its JSON text to `out`. Every byte of input must be
 * used: trailing bytes are an error.
 *
 * Returns KAFKIT_OK, or KAFKIT_ERR_PARSE with a message saying what and
 * where: `at byte 17 ($.items[3].price): union index 5 out of range
 * (2 branches)`, or KAFKIT_ERR_NOMEM. On failure `out` keeps its previous
 * length. The caller owns `data` and `out`. Thread-safe for distinct
 * `out` buffers.
 */
kafkit_err_t kafkit_avro_decode_json(const kafkit_avro_schema_t *schema,
                                     const void *data,
                                     size_t len,
                                     kafkit_avro_json_style_t style,
                                     kafkit_buf_t *out,
                                     kafkit_error_t *err);

/**
 * Encodes one JSON value (`json`, `len` bytes, or up to the NUL when `len`
 * is (size_t)-1) to Avro binary with `schema`, appending to `out`.
 * Integers outside int64 are an error; an int outside int32, a fixed of the
 * wrong size, an unknown enum symbol, a bytes code point above U+00FF or a
 * missing record field without default is an error. A record field absent
 * from the JSON takes its default; JSON members that are not fields are
 * an error.
 *
 * PLAIN style picks a union branch by the JSON value: candidates are tried
 * in this order of kinds, each kind in the union's branch order, and the
 * first that encodes the whole value wins:
 *   null -> null; true/false -> boolean;
 *   integer -> int (if it fits), long, double, float;
 *   real -> double, float, then int, long if integral;
 *   string -> enum (if a symbol), string, bytes, fixed (if the size fits),
 *             then double, float for "NaN"/"Infinity"/"-Infinity";
 *   array -> array; object -> records (fields match), then map.
 * AVRO style requires {"branch": value} for non-null union values, branch
 * being the type name or a named type's full (or short) name.
 *
 * Returns KAFKIT_OK, or KAFKIT_ERR_PARSE with a message naming the JSON
 * path and what was expected: `$.items[3].price: expected double, got
 * string "abc"`, or KAFKIT_ERR_NOMEM. On failure `out` keeps its previous
 * length. Thread-safe for distinct `out` buffers.
 */
kafkit_err_t kafkit_avro_encode_json(const kafkit_avro_schema_t *schema,
                                     const char *json,
                                     size_t len,
                                     kafkit_avro_json_style_t style,
                                     kafkit_buf_t *out,
                                     kafkit_error_t *err);

/* -------------------------------------------------------------- resolution */

/**
 * A plan to read data written with one schema as another (Avro schema
 * resolution): immutable once made, safe to share between threads.
 */
typedef struct kafkit_avro_resolver_s kafkit_avro_resolver_t;

/**
 * Builds the plan to read data written with `writer` as `reader`, by
 * Avro's rules: fields matched by name or reader alias, reader fields
 * missing from the writer take their defaults, writer fields missing from
 * the reader are skipped, promotions int->long->float->double and
 * string<->bytes, enum symbols unknown to the reader take the reader's enum
 * default, named types matched by full name, short name or alias, and
 * unions on either side.
 *
 * Returns NULL with err set (KAFKIT_ERR_PARSE, naming the path) when the
 * schemas cannot be resolved. Both schemas must outlive the resolver; the
 * caller owns the result: kafkit_avro_resolver_destroy(). Thread-safe.
 */
kafkit_avro_resolver_t *kafkit_avro_resolver_new(const kafkit_avro_schema_t *writer,
                                                 const kafkit_avro_schema_t *reader,
                                                 kafkit_error_t *err);

/** Frees a resolver. NULL is ignored. */
void kafkit_avro_resolver_destroy(kafkit_avro_resolver_t *resolver);

/**
 * Decodes `data` (written with the resolver's writer schema) and appends
 * its JSON as the reader schema sees it, record fields in the reader's
 * order. Same errors, ownership and thread-safety
 * as kafkit_avro_decode_json(); a writer union branch or enum symbol the
 * reader cannot take is an error when a record uses it.
 */
kafkit_err_t kafkit_avro_resolver_decode_json(const kafkit_avro_resolver_t *resolver,
                                              const void *data,
                                              size_t len,
                                              kafkit_avro_json_style_t style,
                                              kafkit_buf_t *out,
                                              kafkit_error_t *err);

/* ----------------------------------------------------------- compatibility */

/**
 * Schema Registry compatibility levels: which existing schemas of a subject
 * a new schema is checked against, and in which direction.
 *  - BACKWARD: the new schema reads data written with the latest one;
 *  - FORWARD: the latest reads data written with the new one;
 *  - FULL: both; the _TRANSITIVE forms check every existing schema, not
 *    only the latest; NONE checks nothing.
 */
typedef enum kafkit_avro_compat_level_e {
        KAFKIT_AVRO_COMPAT_NONE = 0,
        KAFKIT_AVRO_COMPAT_BACKWARD,
        KAFKIT_AVRO_COMPAT_BACKWARD_TRANSITIVE,
        KAFKIT_AVRO_COMPAT_FORWARD,
        KAFKIT_AVRO_COMPAT_FORWARD_TRANSITIVE,
        KAFKIT_AVRO_COMPAT_FULL,
        KAFKIT_AVRO_COMPAT_FULL_TRANSITIVE,
        KAFKIT_AVRO_COMPAT__COUNT       /**< number of levels, not a level */
} kafkit_avro_compat_level_t;

/** The level's name as Schema Registry spells it ("BACKWARD"), or "?".
 *  Static string; thread-safe. */
const char *kafkit_avro_compat_level_name(kafkit_avro_compat_level_t level);

/** Parses a level name (exact, upper case as Schema Registry has it) into
 *  *level. Returns KAFKIT_OK or KAFKIT_ERR_INVALID_ARG (err names the
 *  text). Thread-safe. */
kafkit_err_t kafkit_avro_compat_level_parse(const char *name,
                                            kafkit_avro_compat_level_t *level,
                                            kafkit_error_t *err);

/** Why a check failed: a list of messages, one per incompatibility. */
typedef struct kafkit_avro_compat_reasons_s kafkit_avro_compat_reasons_t;

/** An empty list; NULL when out of memory. The caller owns it. */
kafkit_avro_compat_reasons_t *kafkit_avro_compat_reasons_new(void);

/** Frees a list. NULL is ignored. */
void kafkit_avro_compat_reasons_destroy(kafkit_avro_compat_reasons_t *reasons);

/** Number of messages in the list. */
size_t kafkit_avro_compat_reasons_count(const kafkit_avro_compat_reasons_t *reasons);

/** The i-th message, or NULL when i is out of range. Owned by the list,
 *  valid until it is destroyed. Messages read
 *  "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2 (field 'email'): ...",
 *  the kind first (Avro's names: NAME_MISMATCH, FIXED_SIZE_MISMATCH,
 *  MISSING_ENUM_SYMBOLS, READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH,
 *  MISSING_UNION_BRANCH), then the path in the reader schema. */
const char *kafkit_avro_compat_reasons_get(const kafkit_avro_compat_reasons_t *reasons,
                                           size_t i);

/**
 * Can `reader` read data written with `writer`, by Avro's rules? Checks
 * the whole schemas, not only the parts a given record uses: every
 * promotion (int->long/float/double, long->float/double, float->double,
 * string<->bytes), records and other named types matched by name (full or
 * unqualified) or reader alias, every reader field the writer lacks has a
 * default, every writer enum symbol is known to the reader (or the reader
 * enum has a default), fixed sizes agree, every writer union branch is
 * readable, recursion included.
 *
 * Sets *compatible to 1 or 0 and appends one message per problem to
 * `reasons` (may be NULL). Returns KAFKIT_OK, or KAFKIT_ERR_NOMEM /
 * KAFKIT_ERR_INVALID_ARG with err set (then *compatible is 0). The
 * schemas are borrowed. Thread-safe for distinct `reasons`.
 */
kafkit_err_t kafkit_avro_compat_check(const kafkit_avro_schema_t *reader,
                                      const kafkit_avro_schema_t *writer,
                                      int *compatible,
                                      kafkit_avro_compat_reasons_t *reasons,
                                      kafkit_error_t *err);

/**
 * Checks `candidate` against the `n` existing schemas of a subject (oldest
 * first, so existing[n-1] is the latest) under `level`. No existing schema,
 * or NONE, is compatible. `labels` (may be NULL) names each existing schema
 * in the messages ("version 3"); without it they say "existing[i]". Each
 * message ends with the direction and the schema it was checked against:
 * "... (new schema reading version 3)". Same results, ownership and
 * threading as kafkit_avro_compat_check().
 */
kafkit_err_t kafkit_avro_compat_check_level(kafkit_avro_compat_level_t level,
                                            const kafkit_avro_schema_t *candidate,
                                            const kafkit_avro_schema_t *const *existing,
                                            const char *const *labels,
                                            size_t n,
                                            int *compatible,
                                            kafkit_avro_compat_reasons_t *reasons,
                                            kafkit_error_t *err);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_AVRO_H */
