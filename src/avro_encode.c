/*
 * avro_encode.c: JSON text -> Avro binary, walking the parsed schema and a
 * jansson tree together.
 *
 * jansson parses integers as json_int_t (long long), so longs are exact and
 * anything past int64 is a parse error. Values are checked against their
 * type (int32 range, fixed size, enum symbols, bytes code points <= 0xFF);
 * missing record fields take their pre-encoded default.
 *
 * PLAIN style has no union wrappers, so a branch is picked by trying the
 * candidates for the JSON value's kind in a fixed order (see avro.h) and
 * keeping the first that encodes. Errors reuse the decoder's error state:
 * what failed, plus the JSON path collected while unwinding.
 *
 * kafkit_avro_encode_json() first tries the one-pass streaming reader of
 * avro_json_stream.c; this tree walk runs only on what that one leaves
 * (errors, duplicate keys, ...), so it stays the reference for the
 * output bytes and for the wording of every error.
 */
#include "avro_internal.h"

#include <math.h>
#include <stdio.h>

typedef struct av_enc_s {
        av_dec_t st;            /* error state and path; input fields unused */
        kafkit_buf_t *out;
        kafkit_avro_json_style_t style;
} av_enc_t;

static int enc_value(av_enc_t *e, const av_node_t *n, json_t *v, int depth);

static int oom(av_enc_t *e)
{
        return av_dec_oom(&e->st);
}

/* "string \"abc\"", "integer 5", "object"... for error messages. */
static void describe(json_t *v, char *buf, size_t size)
{
        switch (json_typeof(v)) {
        case JSON_STRING: {
                const char *s = json_string_value(v);
                size_t len = json_string_length(v);

                snprintf(buf, size, "string \"%.*s%s\"", (int)(len > 40 ? 40 : len), s,
                         len > 40 ? "..." : "");
                break;
        }
        case JSON_INTEGER:
                snprintf(buf, size, "integer %lld", (long long)json_integer_value(v));
                break;
        case JSON_REAL:
                snprintf(buf, size, "number %.17g", json_real_value(v));
                break;
        case JSON_OBJECT: snprintf(buf, size, "object"); break;
        case JSON_ARRAY: snprintf(buf, size, "array"); break;
        case JSON_TRUE: snprintf(buf, size, "true"); break;
        case JSON_FALSE: snprintf(buf, size, "false"); break;
        default: snprintf(buf, size, "null"); break;
        }
}

static int expected(av_enc_t *e, const char *what, json_t *v)
{
        char got[80];

        describe(v, got, sizeof(got));
        return av_dec_fail(&e->st, e->st.start, "expected %s, got %s", what, got);
}

/* --------------------------------------------------------------- writers */

static int put_long(av_enc_t *e, int64_t v)
{
        uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        char *o;

        if (av_buf_need(e->out, 10))
                return oom(e);
        o = e->out->data + e->out->len;
        while (u >= 0x80) {
                *o++ = (char)(u | 0x80);
                u >>= 7;
        }
        *o++ = (char)u;
        e->out->len = (size_t)(o - e->out->data);
        return 0;
}

static int put_le(av_enc_t *e, uint64_t u, int n)
{
        int i;

        if (av_buf_need(e->out, 8))
                return oom(e);
        for (i = 0; i < n; i++, u >>= 8)
                e->out->data[e->out->len++] = (char)(u & 0xff);
        return 0;
}

static int put_raw(av_enc_t *e, const void *p, size_t n)
{
        return av_buf_put(e->out, p, n) ? oom(e) : 0;
}

/* ---------------------------------------------------------------- scalars */

/* An integer, or a real with an integral value in range. */
static int json_to_int64(json_t *v, int64_t *out)
{
        double d;

        if (json_is_integer(v)) {
                *out = json_integer_value(v);
                return 0;
        }
        if (!json_is_real(v))
                return -1;
        d = json_real_value(v);
        if (d != floor(d) || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                return -1;
        *out = (int64_t)d;
        return 0;
}

/* A number, or "NaN" / "Infinity" / "-Infinity". */
static int json_to_double(json_t *v, double *out)
{
        const char *s = json_string_value(v);

        if (json_is_number(v)) {
                *out = json_number_value(v);
                return 0;
        }
        if (!s)
                return -1;
        if (!strcmp(s, "NaN"))
                *out = NAN;
        else if (!strcmp(s, "Infinity"))
                *out = INFINITY;
        else if (!strcmp(s, "-Infinity"))
                *out = -INFINITY;
        else
                return -1;
        return 0;
}

static int enc_number(av_enc_t *e, const av_node_t *n, json_t *v)
{
        int64_t i;
        double d;

        switch (n->type) {
        case AV_INT:
                if (json_to_int64(v, &i) || i < INT32_MIN || i > INT32_MAX)
                        return expected(e, "int (32-bit integer)", v);
                return put_long(e, i);
        case AV_LONG:
                if (json_to_int64(v, &i))
                        return expected(e, "long (64-bit integer)", v);
                return put_long(e, i);
        case AV_FLOAT: {
                uint32_t u;
                float f;

                if (json_to_double(v, &d))
                        return expected(e, "float", v);
                f = (float)d;
                memcpy(&u, &f, 4);
                return put_le(e, u, 4);
        }
        default: {
                uint64_t u;

                if (json_to_double(v, &d))
                        return expected(e, "double", v);
                memcpy(&u, &d, 8);
                return put_le(e, u, 8);
        }
        }
}

/* KAFKIT_AVRO_JSON_DECIMAL_TEXT: "-12.34" to the decimal's bytes. */
static int enc_decimal(av_enc_t *e, const av_node_t *n, json_t *v)
{
        unsigned char b[AV_DEC_MAX_BYTES];
        char why[160];
        size_t len;

        if (av_decimal_from_text(json_string_value(v), json_string_length(v), n->precision,
                                 n->scale, n->type == AV_FIXED ? n->size : 0, b, &len, why,
                                 sizeof(why)))
                return expected(e, why, v);
        if (n->type == AV_BYTES && put_long(e, (int64_t)len))
                return -1;
        return put_raw(e, b, len);
}

/*
 * A JSON string of code points 0-255 back to bytes, written in place after
 * the length (bytes) or checked against the size (fixed). jansson has
 * validated the UTF-8, so only 1- and 2-byte sequences up to U+00FF pass.
 */
static int enc_bytes(av_enc_t *e, const av_node_t *n, json_t *v)
{
        const unsigned char *s = (const unsigned char *)json_string_value(v), *end;
        size_t cnt = 0, i;
        char *o;

        if (n->logical == AV_LT_DECIMAL && e->st.decimal_text)
                return s ? enc_decimal(e, n, v)
                         : expected(e, "decimal as text (a string like \"-12.34\")", v);
        if (!s)
                return expected(e, n->type == AV_FIXED ? "fixed (string)" : "bytes (string)",
                                v);
        end = s + json_string_length(v);
        for (i = 0; s + i < end; cnt++) {
                if (s[i] < 0x80) {
                        i++;
                } else if ((s[i] == 0xc2 || s[i] == 0xc3) && s + i + 1 < end) {
                        i += 2;
                } else {
                        char what[64];

                        snprintf(what, sizeof(what), "code points 0-255 (bytes), char %zu is not",
                                 cnt);
                        return expected(e, what, v);
                }
        }
        if (n->type == AV_FIXED && cnt != n->size) {
                char what[64];

                snprintf(what, sizeof(what), "fixed of %zu bytes (%zu here)", n->size, cnt);
                return expected(e, what, v);
        }
        if ((n->type == AV_BYTES && put_long(e, (int64_t)cnt)) || av_buf_need(e->out, cnt))
                return oom(e);
        o = e->out->data + e->out->len;
        while (s < end) {
                if (*s < 0x80) {
                        *o++ = (char)*s++;
                } else {
                        *o++ = (char)(((s[0] & 0x03) << 6) | (s[1] & 0x3f));
                        s += 2;
                }
        }
        e->out->len = (size_t)(o - e->out->data);
        return 0;
}

static int enc_enum(av_enc_t *e, const av_node_t *n, json_t *v)
{
        const char *s = json_string_value(v);
        size_t i;

        if (!s)
                return expected(e, "enum symbol (string)", v);
        for (i = 0; i < n->n_symbols; i++)
                if (!strcmp(n->symbols[i], s))
                        return put_long(e, (int64_t)i);
        return av_dec_fail(&e->st, e->st.start, "unknown symbol \"%.60s\" for enum %s", s,
                           n->fullname);
}

/* ------------------------------------------------------------- containers */

static int enc_record(av_enc_t *e, const av_node_t *n, json_t *v, int depth)
{
        size_t i, used = 0;
        const char *key;
        json_t *fv;

        if (!json_is_object(v))
                return expected(e, n->fullname, v);
        for (i = 0; i < n->n_fields; i++) {
                const av_field_t *f = &n->fields[i];

                fv = json_object_get(v, f->name);
                if (!fv) {
                        if (!f->def_bin)
                                return av_dec_fail(&e->st, e->st.start,
                                                   "missing field \"%s\" of %s (no default)",
                                                   f->name, n->fullname);
                        if (put_raw(e, f->def_bin, f->def_bin_len))
                                return -1;
                        continue;
                }
                used++;
                if (enc_value(e, f->type, fv, depth)) {
                        av_dec_push_field(&e->st, f->name);
                        return -1;
                }
        }
        if (used == json_object_size(v))
                return 0;
        json_object_foreach(v, key, fv) {
                for (i = 0; i < n->n_fields && strcmp(n->fields[i].name, key); i++)
                        ;
                if (i == n->n_fields)
                        break;
        }
        return av_dec_fail(&e->st, e->st.start, "unknown field \"%.60s\" for %s", key,
                           n->fullname);
}

static int enc_array(av_enc_t *e, const av_node_t *n, json_t *v, int depth)
{
        size_t i;
        json_t *item;

        if (!json_is_array(v))
                return expected(e, "array", v);
        if (json_array_size(v) && put_long(e, (int64_t)json_array_size(v)))
                return -1;
        json_array_foreach(v, i, item) {
                if (enc_value(e, n->items, item, depth)) {
                        av_dec_push_index(&e->st, (int64_t)i);
                        return -1;
                }
        }
        return put_long(e, 0);
}

static int enc_map(av_enc_t *e, const av_node_t *n, json_t *v, int depth)
{
        const char *key;
        json_t *item;

        if (!json_is_object(v))
                return expected(e, "map (object)", v);
        if (json_object_size(v) && put_long(e, (int64_t)json_object_size(v)))
                return -1;
        json_object_foreach(v, key, item) {
                size_t klen = strlen(key);

                if (put_long(e, (int64_t)klen) || put_raw(e, key, klen))
                        return -1;
                if (enc_value(e, n->items, item, depth)) {
                        av_dec_push_key(&e->st, key, klen);
                        return -1;
                }
        }
        return put_long(e, 0);
}

/* ------------------------------------------------------------------ unions */

/* AVRO style: null, or {"branch": value} naming a branch. */
static int enc_union_avro(av_enc_t *e, const av_node_t *n, json_t *v, int depth)
{
        const char *key;
        json_t *inner;
        size_t i;

        for (i = 0; json_is_null(v) && i < n->n_branches; i++)
                if (n->branches[i]->type == AV_NULL)
                        return put_long(e, (int64_t)i);
        if (!json_is_object(v) || json_object_size(v) != 1)
                return expected(e, "union value {\"branch\": value} or null", v);
        key = json_object_iter_key(json_object_iter(v));
        inner = json_object_get(v, key);
        for (i = 0; i < n->n_branches; i++) {
                const av_node_t *b = n->branches[i];

                if (strcmp(av_branch_name(b), key) && !(b->name && !strcmp(b->name, key)))
                        continue;
                if (put_long(e, (int64_t)i))
                        return -1;
                if (enc_value(e, b, inner, depth)) {
                        av_dec_push_key(&e->st, key, strlen(key));
                        return -1;
                }
                return 0;
        }
        return av_dec_fail(&e->st, e->st.start, "union has no branch \"%.60s\"", key);
}

/* The kind of a JSON value, as av_plain_rank() ranks branches by it. */
static av_json_kind_t plain_kind(json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_NULL: return AV_JK_NULL;
        case JSON_TRUE:
        case JSON_FALSE: return AV_JK_BOOL;
        case JSON_ARRAY: return AV_JK_ARRAY;
        case JSON_INTEGER: return AV_JK_INTEGER;
        case JSON_REAL: return AV_JK_REAL;
        case JSON_STRING: return AV_JK_STRING;
        case JSON_OBJECT: return AV_JK_OBJECT;
        }
        return AV_JK_BAD;
}

static int enc_union_plain(av_enc_t *e, const av_node_t *n, json_t *v, int depth)
{
        size_t saved_len = e->out->len, i, tried = 0;
        int saved_path = e->st.n_path, rank;
        av_json_kind_t k = plain_kind(v);

        for (rank = 0; rank < AV_PLAIN_RANKS; rank++) {
                for (i = 0; i < n->n_branches; i++) {
                        if (av_plain_rank(k, n->branches[i]->type) != rank)
                                continue;
                        if (tried++) {  /* forget the previous attempt */
                                e->st.failed = 0;
                                e->st.n_path = saved_path;
                                e->st.path_truncated = 0;
                                e->out->len = saved_len;
                        }
                        if (put_long(e, (int64_t)i))
                                return -1;
                        if (enc_value(e, n->branches[i], v, depth) == 0)
                                return 0;
                        if (e->st.nomem)
                                return -1;
                }
        }
        if (tried == 1)
                return -1;      /* the only candidate's own error says most */
        e->st.failed = 0;
        e->st.n_path = saved_path;
        e->out->len = saved_len;
        return expected(e, "a value of one of the union's branches", v);
}

static int enc_value(av_enc_t *e, const av_node_t *n, json_t *v, int depth)
{
        switch (n->type) {
        case AV_NULL:
                return json_is_null(v) ? 0 : expected(e, "null", v);
        case AV_BOOLEAN:
                if (!json_is_boolean(v))
                        return expected(e, "boolean", v);
                return put_raw(e, json_is_true(v) ? "\1" : "\0", 1);
        case AV_INT:
        case AV_LONG:
        case AV_FLOAT:
        case AV_DOUBLE:
                return enc_number(e, n, v);
        case AV_STRING:
                if (!json_is_string(v))
                        return expected(e, "string", v);
                if (put_long(e, (int64_t)json_string_length(v)))
                        return -1;
                return put_raw(e, json_string_value(v), json_string_length(v));
        case AV_BYTES:
        case AV_FIXED:
                return enc_bytes(e, n, v);
        case AV_ENUM:
                return enc_enum(e, n, v);
        default:
                break;
        }
        if (++depth > KAFKIT_AVRO_MAX_DEPTH)
                return av_dec_fail(&e->st, e->st.start, "nesting deeper than %d",
                                   KAFKIT_AVRO_MAX_DEPTH);
        switch (n->type) {
        case AV_RECORD:
                return enc_record(e, n, v, depth);
        case AV_ARRAY:
                return enc_array(e, n, v, depth);
        case AV_MAP:
                return enc_map(e, n, v, depth);
        default:
                return e->style == KAFKIT_AVRO_JSON_PLAIN ? enc_union_plain(e, n, v, depth)
                                                          : enc_union_avro(e, n, v, depth);
        }
}

/* ------------------------------------------------------------------- API */

kafkit_err_t av_encode_value(const av_node_t *n,
                             json_t *value,
                             kafkit_avro_json_style_t style,
                             const char *what,
                             kafkit_buf_t *out,
                             kafkit_error_t *err)
{
        size_t saved = out->len;
        kafkit_buf_t path = { NULL, 0, 0 };
        kafkit_err_t code;
        av_enc_t e;

        av_dec_init(&e.st, "", 0, style, out);
        e.out = out;
        e.style = e.st.style;   /* flags removed */
        if (enc_value(&e, n, value, 0) == 0 && av_buf_need(out, 1) == 0) {
                out->data[out->len] = '\0';
                return KAFKIT_OK;
        }
        if (!e.st.failed)
                oom(&e);
        out->len = saved;
        if (out->data)
                out->data[saved] = '\0';
        code = e.st.nomem ? KAFKIT_ERR_NOMEM : KAFKIT_ERR_PARSE;
        av_path_render(&e.st, what, &path);
        kafkit_err_set(err, code, 0, "%s: %s", path.data ? path.data : what, e.st.msg);
        kafkit_buf_free(&path);
        return code;
}

kafkit_err_t kafkit_avro_encode_json(const kafkit_avro_schema_t *schema,
                                     const char *json,
                                     size_t len,
                                     kafkit_avro_json_style_t style,
                                     kafkit_buf_t *out,
                                     kafkit_error_t *err)
{
        json_error_t jerr;
        kafkit_err_t r;
        json_t *v;

        if (!schema || !json || !out)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "avro encode: schema, json and out are required");
        if (len == (size_t)-1)
                len = strlen(json);
        if (av_encode_json_stream(schema->root, json, len, style, out) == 0)
                return KAFKIT_OK;       /* the fast path; else the tree walk */
        v = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!v)
                return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                      "invalid JSON at line %d column %d: %s", jerr.line,
                                      jerr.column, jerr.text);
        r = av_encode_value(schema->root, v, style, "$", out, err);
        json_decref(v);
        return r;
}
