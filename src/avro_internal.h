/*
 * avro_internal.h: the compact Avro schema model shared by the schema
 * parser, the canonical form, the codec and the resolver.
 *
 * A schema is a graph of av_node_t: named types are referenced by pointer
 * wherever they are used (so recursive types are cycles), and every node
 * is owned once, by the schema's `nodes` list. Everything the hot paths
 * need is precomputed at parse time: JSON keys of fields ("\"name\":"),
 * quoted enum symbols, union wrapper prefixes ("{\"long\":"), the minimum
 * encoded size of each type, and field defaults pre-encoded to binary.
 */
#ifndef KAFKIT_AVRO_INTERNAL_H
#define KAFKIT_AVRO_INTERNAL_H

#include "internal.h"

#include <string.h>
#include <jansson.h>

/* Everything declared from here on is internal: hidden from libkafkit.so's
 * exports even though its name starts with kafkit_. */
#pragma GCC visibility push(hidden)

typedef enum av_type_e {
        AV_NULL,
        AV_BOOLEAN,
        AV_INT,
        AV_LONG,
        AV_FLOAT,
        AV_DOUBLE,
        AV_BYTES,
        AV_STRING,
        AV_RECORD,
        AV_ENUM,
        AV_ARRAY,
        AV_MAP,
        AV_UNION,
        AV_FIXED,
        AV__COUNT
} av_type_t;

typedef enum av_logical_e {
        AV_LT_NONE,
        AV_LT_DECIMAL,
        AV_LT_UUID,
        AV_LT_DATE,
        AV_LT_TIME_MILLIS,
        AV_LT_TIME_MICROS,
        AV_LT_TIMESTAMP_MILLIS,
        AV_LT_TIMESTAMP_MICROS,
        AV_LT_LOCAL_TIMESTAMP_MILLIS,
        AV_LT_LOCAL_TIMESTAMP_MICROS,
        AV_LT_DURATION
} av_logical_t;

typedef struct av_node_s av_node_t;

typedef struct av_field_s {
        char *name;
        char *key;              /* "\"name\":" for JSON output */
        size_t key_len;
        av_node_t *type;
        json_t *def;            /* default as written, or NULL */
        char *def_bin;          /* default pre-encoded with `type` */
        size_t def_bin_len;
        char **aliases;
        size_t n_aliases;
} av_field_t;

struct av_node_s {
        av_type_t type;
        av_logical_t logical;
        int precision, scale;   /* decimal */
        size_t min_size;        /* fewest bytes a value of this type takes */
        int state;              /* parse-time only: min_size walk marker */

        /* named types (record, enum, fixed) */
        char *fullname;         /* "shop.Order" */
        const char *name;       /* points into fullname: "Order" */
        char *ns;               /* namespace, "" for none */
        char **aliases;         /* full names */
        size_t n_aliases;

        /* record */
        av_field_t *fields;
        size_t n_fields;

        /* enum */
        char **symbols;
        char **sym_json;        /* "\"SYM\"" */
        size_t *sym_json_len;
        size_t n_symbols;
        int enum_default;       /* index, or -1 */

        /* array items, map values */
        av_node_t *items;

        /* union */
        av_node_t **branches;
        char **wrap;            /* "{\"long\":" for AVRO style JSON */
        size_t *wrap_len;
        size_t n_branches;

        /* fixed */
        size_t size;
};

struct kafkit_avro_schema_s {
        char *text;             /* as given */
        char *canonical;        /* Parsing Canonical Form */
        uint64_t fingerprint;   /* CRC-64-AVRO of canonical */
        av_node_t *root;
        av_node_t **nodes;      /* owns every node */
        size_t n_nodes, cap_nodes;
};

/* Static node of a primitive type (no logical type), shared by all. */
const av_node_t *av_primitive(av_type_t type);

/* Avro's name of a type: "int", "record"... */
const char *av_type_name(av_type_t type);

/* Name of a branch in AVRO-style JSON: primitive name or full name. */
const char *av_branch_name(const av_node_t *n);

/* Avro's resolution rules, shared by the resolver and the compatibility
 * check (avro_resolve.c): may a writer's `w` be read as `r` (int->long,
 * string<->bytes...); do named types match (full name, unqualified name or
 * a reader alias of the writer's full name)? */
int av_can_promote(av_type_t w, av_type_t r);
int av_names_match(const av_node_t *w, const av_node_t *r);

/* ------------------------------------------------------------ error paths */

/*
 * A path being built in `path` (`size` bytes, `*len` used) while walking a
 * schema, for error messages ("$.items[]"): av_path_vpush() appends a
 * segment, cut short at the end of the buffer, and returns the length that
 * av_path_pop() restores.
 */
size_t av_path_vpush(char *path, size_t size, size_t *len, const char *fmt, va_list ap);

static inline void av_path_pop(char *path, size_t *len, size_t old)
{
        *len = old;
        path[old] = '\0';
}

/* --------------------------------------------------------- canonical form */

/* Builds the Parsing Canonical Form of `root` into *out (malloc'd). */
kafkit_err_t av_canonical(const av_node_t *root, char **out, kafkit_error_t *err);

/* CRC-64-AVRO fingerprint of `len` bytes. */
uint64_t av_fingerprint64(const void *data, size_t len);

/* ---------------------------------------------------------- JSON output */

/* Room for `extra` more bytes; 0 or -1 on allocation failure. */
static inline int av_buf_need(kafkit_buf_t *b, size_t extra)
{
        if (b->cap - b->len > extra)
                return 0;
        return kafkit_buf_reserve(b, extra) == KAFKIT_OK ? 0 : -1;
}

static inline int av_buf_put(kafkit_buf_t *b, const void *p, size_t n)
{
        if (av_buf_need(b, n))
                return -1;
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return 0;
}

static inline int av_buf_putc(kafkit_buf_t *b, char c)
{
        if (av_buf_need(b, 1))
                return -1;
        b->data[b->len++] = c;
        return 0;
}

/* Writes `v` in decimal to `dst` (room for 20 bytes); returns its length. */
size_t av_fmt_int64(char *dst, int64_t v);

/* Shortest text that reads back to `v` ("0.1", "1e21", "3.0"); NaN and
 * infinities as the JSON strings "NaN", "Infinity", "-Infinity".
 * `dst` needs 32 bytes; returns the length. */
size_t av_fmt_double(char *dst, double v);
size_t av_fmt_float(char *dst, float v);

/* Appends a JSON string of UTF-8 text (bad bytes become U+FFFD). */
int av_json_put_utf8(kafkit_buf_t *b, const char *s, size_t len);

/* Appends a JSON string of code points 0-255, one per byte. */
int av_json_put_bytes(kafkit_buf_t *b, const unsigned char *s, size_t len);

/* Quoted, escaped JSON of a UTF-8 string, malloc'd (parse-time helper). */
char *av_json_quote(const char *s, size_t *lenp);

/* ------------------------------------------------------------------ codec */

/* The kinds of JSON value PLAIN style ranks union branches by. */
typedef enum av_json_kind_e {
        AV_JK_NULL,
        AV_JK_BOOL,
        AV_JK_ARRAY,
        AV_JK_INTEGER,
        AV_JK_REAL,
        AV_JK_STRING,
        AV_JK_OBJECT,
        AV_JK_BAD
} av_json_kind_t;

/* Ranks av_plain_rank() gives: 0 to AV_PLAIN_RANKS - 1 (a string's six). */
#define AV_PLAIN_RANKS 6

/*
 * PLAIN style: the rank of a union branch of type `t` for a JSON value of
 * kind `k`: lower is tried first, -1 never. Both encoders (the jansson
 * walk and the streaming fast path) must choose alike, so both use this.
 */
static inline int av_plain_rank(av_json_kind_t k, av_type_t t)
{
        static const av_type_t integer[] = { AV_INT, AV_LONG, AV_DOUBLE, AV_FLOAT };
        static const av_type_t real[] = { AV_DOUBLE, AV_FLOAT, AV_INT, AV_LONG };
        static const av_type_t string[] = { AV_ENUM,  AV_STRING, AV_BYTES,
                                            AV_FIXED, AV_DOUBLE, AV_FLOAT };
        static const av_type_t object[] = { AV_RECORD, AV_MAP };
        const av_type_t *order = NULL;
        int i, cnt = 0;

        switch (k) {
        case AV_JK_NULL: return t == AV_NULL ? 0 : -1;
        case AV_JK_BOOL: return t == AV_BOOLEAN ? 0 : -1;
        case AV_JK_ARRAY: return t == AV_ARRAY ? 0 : -1;
        case AV_JK_INTEGER: order = integer; cnt = 4; break;
        case AV_JK_REAL: order = real; cnt = 4; break;
        case AV_JK_STRING: order = string; cnt = 6; break;
        case AV_JK_OBJECT: order = object; cnt = 2; break;
        default: return -1;
        }
        for (i = 0; i < cnt; i++)
                if (order[i] == t)
                        return i;
        return -1;
}

/* Encodes a parsed JSON value with node `n` into `out` (PLAIN or AVRO
 * style); `what` prefixes error paths ("$" or "$.fields[1].default"). */
kafkit_err_t av_encode_value(const av_node_t *n,
                             json_t *value,
                             kafkit_avro_json_style_t style,
                             const char *what,
                             kafkit_buf_t *out,
                             kafkit_error_t *err);

/*
 * The streaming fast path of kafkit_avro_encode_json() (avro_json_stream.c):
 * encodes `len` bytes of JSON text with node `root` in one pass, without a
 * tree. Returns 0 on success (out NUL-terminated, as av_encode_value()), or
 * -1, with out->len restored, for any error or construct it leaves to the
 * jansson path (duplicate keys, escaped field names...); the caller
 * then reruns the text through jansson, which also words the errors. A
 * success gives the same bytes as the jansson path. Exposed for tests.
 */
int av_encode_json_stream(const av_node_t *root,
                          const char *json,
                          size_t len,
                          kafkit_avro_json_style_t style,
                          kafkit_buf_t *out);

/* ------------------------------------------------------- decode internals */

/* Decoder state, shared with the resolver (which reuses its readers). */
typedef struct av_path_seg_s {
        const char *s;          /* field name / map key / branch; or NULL */
        size_t len;
        int64_t idx;            /* array index when s is NULL */
        int kind;               /* 0 field, 1 index, 2 map key */
} av_path_seg_t;

#define AV_PATH_MAX 48

typedef struct av_dec_s {
        const unsigned char *start, *p, *end;
        kafkit_buf_t *out;
        kafkit_avro_json_style_t style; /* AVRO or PLAIN, flags removed */
        int decimal_text;               /* KAFKIT_AVRO_JSON_DECIMAL_TEXT */
        int64_t empty_budget;           /* KAFKIT_AVRO_MAX_EMPTY_ITEMS left */
        int c_string_keys;              /* av_skip_value(): a NUL in a map key
                                         * is an error (avro-c values) */
        /* error: message, failing offset, and the path collected while
         * unwinding (innermost first) */
        int failed;
        int nomem;
        size_t err_off;
        char msg[256];
        av_path_seg_t path[AV_PATH_MAX];
        int n_path;
        int path_truncated;
} av_dec_t;

void av_dec_init(av_dec_t *d, const void *data, size_t len,
                 kafkit_avro_json_style_t style, kafkit_buf_t *out);
/* Records the first failure, at input position `at`; returns -1. */
int av_dec_fail(av_dec_t *d, const unsigned char *at, const char *fmt, ...)
        KAFKIT_PRINTF(3, 4);
int av_dec_oom(av_dec_t *d);
void av_dec_push_field(av_dec_t *d, const char *name);
void av_dec_push_index(av_dec_t *d, int64_t idx);
void av_dec_push_key(av_dec_t *d, const char *key, size_t len);
/* Appends root and the collected path ("$.items[3]"), NUL-terminated. */
void av_path_render(const av_dec_t *d, const char *root, kafkit_buf_t *b);
/* Turns a failed decode into err; restores out->len to `saved_len`. */
kafkit_err_t av_dec_error(av_dec_t *d, size_t saved_len, kafkit_error_t *err);
/*
 * Ends a top-level decode whose walk returned `rc`: trailing bytes are an
 * error, the output is NUL-terminated, and on failure it is cut back to
 * saved_len and *err says what and where.
 */
kafkit_err_t av_dec_finish(av_dec_t *d, int rc, size_t saved_len, kafkit_error_t *err);

int av_read_long(av_dec_t *d, int64_t *v);
int av_read_len(av_dec_t *d, size_t *len, const char *what);
/* Block header of an array/map: items in the next block (0 = end). */
int av_read_block(av_dec_t *d, const av_node_t *item, int64_t *count);
/* Decodes a value of `n` to JSON. */
int av_dec_value(av_dec_t *d, const av_node_t *n, int depth);
/* Skips a value of `n`, checking it as av_dec_value() does (the same
 * errors and JSON path) but writing nothing. */
int av_skip_value(av_dec_t *d, const av_node_t *n, int depth);

/* Reads the branch index of a union (`is_union`) or the symbol index of an
 * enum, and checks it against their count `cnt`. */
static inline int av_read_index(av_dec_t *d, int is_union, size_t cnt, int64_t *idx)
{
        const unsigned char *at = d->p;

        if (av_read_long(d, idx))
                return -1;
        if (*idx < 0 || (uint64_t)*idx >= cnt)
                return av_dec_fail(d, at, "%s index %lld out of range (%zu %s)",
                                   is_union ? "union" : "enum", (long long)*idx, cnt,
                                   is_union ? "branches" : "symbols");
        return 0;
}

/* Writes the `len` bytes at d->p as a JSON string (UTF-8 text when
 * `is_text`, else bytes as code points 0-255) and steps past them. */
static inline int av_dec_put_str(av_dec_t *d, int is_text, size_t len)
{
        if (is_text ? av_json_put_utf8(d->out, (const char *)d->p, len)
                    : av_json_put_bytes(d->out, d->p, len))
                return av_dec_oom(d);
        d->p += len;
        return 0;
}

/* Reads a map key and writes it as JSON, with its ':'; *key points into
 * the input, for the error path. */
static inline int av_dec_map_key(av_dec_t *d, const char **key, size_t *klen)
{
        if (av_read_len(d, klen, "map key"))
                return -1;
        *key = (const char *)d->p;
        if (av_dec_put_str(d, 1, *klen))
                return -1;
        return av_buf_putc(d->out, ':') ? av_dec_oom(d) : 0;
}

/* ------------------------------------------------------ decimals as text */

/* Longest decimal (bytes or fixed) the text form handles. */
#define AV_DEC_MAX_BYTES 512

/* Appends the quoted text of the big-endian two's-complement unscaled
 * value `b` (n bytes) with `scale`: "-12.34". 0, -1 out of memory, -2 when
 * longer than AV_DEC_MAX_BYTES. */
int av_decimal_to_text(const unsigned char *b, size_t n, int scale, kafkit_buf_t *out);

/* Parses decimal text ("-12.34", "7", "+0.5"; no exponent) into the
 * shortest two's-complement bytes (or exactly `fixed_size` bytes when not
 * 0) in `out` (room for AV_DEC_MAX_BYTES). More fraction digits than
 * `scale`, more significant digits than `precision` or too many bytes for
 * the fixed are errors. 0, or -1 with what was expected in `why`
 * ("decimal as text like ..."), for an "expected ..., got ..." message. */
int av_decimal_from_text(const char *s, size_t len, int precision, int scale, size_t fixed_size,
                         unsigned char *out, size_t *out_len, char *why, size_t why_size);

#pragma GCC visibility pop

#endif /* KAFKIT_AVRO_INTERNAL_H */
