/*
 * avro_decode.c: Avro binary -> JSON text, walking the parsed schema.
 *
 * The input is untrusted (records from Kafka), so nothing in it is
 * believed before it is checked: varints stop at 10 bytes, every length is
 * checked against the bytes left, union and enum indexes against the
 * schema, block item counts against what the remaining bytes could hold,
 * nesting against KAFKIT_AVRO_MAX_DEPTH. Nothing is allocated except by
 * growing the caller's output buffer.
 *
 * Errors: the failing call records what and the byte offset; each
 * enclosing record/array/map adds its path segment while unwinding, so the
 * happy path pays nothing for error paths: "at byte 17 ($.items[3]): ...".
 */
#include "avro_internal.h"

#include <stdio.h>

void av_dec_init(av_dec_t *d, const void *data, size_t len, kafkit_avro_json_style_t style,
                 kafkit_buf_t *out)
{
        d->start = d->p = data;
        d->end = d->start + len;
        d->out = out;
        d->style = (kafkit_avro_json_style_t)(style & KAFKIT_AVRO_JSON_STYLE_MASK);
        d->decimal_text = (style & KAFKIT_AVRO_JSON_DECIMAL_TEXT) != 0;
        d->empty_budget = KAFKIT_AVRO_MAX_EMPTY_ITEMS;
        d->c_string_keys = 0;
        d->failed = 0;
        d->nomem = 0;
        d->err_off = 0;
        d->msg[0] = '\0';
        d->n_path = 0;
        d->path_truncated = 0;
}

int av_dec_fail(av_dec_t *d, const unsigned char *at, const char *fmt, ...)
{
        va_list ap;

        if (d->failed)
                return -1;
        d->failed = 1;
        d->err_off = (size_t)(at - d->start);
        va_start(ap, fmt);
        vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
        va_end(ap);
        return -1;
}

int av_dec_oom(av_dec_t *d)
{
        if (!d->failed)
                d->nomem = 1;
        return av_dec_fail(d, d->p, "out of memory");
}

static av_path_seg_t *push_seg(av_dec_t *d)
{
        if (d->n_path == AV_PATH_MAX) {
                d->path_truncated = 1;
                return NULL;
        }
        return &d->path[d->n_path++];
}

void av_dec_push_field(av_dec_t *d, const char *name)
{
        av_path_seg_t *s = push_seg(d);

        if (s)
                *s = (av_path_seg_t){ name, strlen(name), 0, 0 };
}

void av_dec_push_index(av_dec_t *d, int64_t idx)
{
        av_path_seg_t *s = push_seg(d);

        if (s)
                *s = (av_path_seg_t){ NULL, 0, idx, 1 };
}

void av_dec_push_key(av_dec_t *d, const char *key, size_t len)
{
        av_path_seg_t *s = push_seg(d);

        if (s)
                *s = (av_path_seg_t){ key, len > 40 ? 40 : len, 0, 2 };
}

/* root + ".a[3][\"k\"]": segments were collected innermost first. */
void av_path_render(const av_dec_t *d, const char *root, kafkit_buf_t *b)
{
        char num[24];
        int i;

        av_buf_put(b, root, strlen(root));
        if (d->path_truncated)
                av_buf_put(b, "...", 3);
        for (i = d->n_path - 1; i >= 0; i--) {
                const av_path_seg_t *s = &d->path[i];

                if (s->kind == 0) {
                        av_buf_putc(b, '.');
                        av_buf_put(b, s->s, s->len);
                } else if (s->kind == 1) {
                        av_buf_putc(b, '[');
                        av_buf_put(b, num, av_fmt_int64(num, s->idx));
                        av_buf_putc(b, ']');
                } else {
                        av_buf_putc(b, '[');
                        av_json_put_utf8(b, s->s, s->len);
                        av_buf_putc(b, ']');
                }
        }
        av_buf_putc(b, '\0');
}

kafkit_err_t av_dec_error(av_dec_t *d, size_t saved_len, kafkit_error_t *err)
{
        kafkit_buf_t path = { NULL, 0, 0 };
        kafkit_err_t code = d->nomem ? KAFKIT_ERR_NOMEM : KAFKIT_ERR_PARSE;

        d->out->len = saved_len;
        if (d->out->data)
                d->out->data[saved_len] = '\0';
        av_path_render(d, "$", &path);
        kafkit_err_set(err, code, 0, "at byte %zu (%s): %s", d->err_off,
                       path.data ? path.data : "$", d->msg);
        kafkit_buf_free(&path);
        return code;
}

/* ---------------------------------------------------------------- readers */

int av_read_long(av_dec_t *d, int64_t *v)
{
        const unsigned char *p = d->p, *end = d->end;
        uint64_t u = 0;
        int i;

        if (p < end && !(*p & 0x80)) {
                u = *p;
                d->p = p + 1;
                *v = (int64_t)((u >> 1) ^ (0 - (u & 1)));
                return 0;
        }
        for (i = 0;; i++) {
                unsigned char b;

                if (p >= end)
                        return av_dec_fail(d, d->p, "truncated: varint runs past the end");
                b = *p++;
                if (i == 9 && b > 1)
                        return av_dec_fail(d, d->p, "varint longer than 64 bits");
                u |= (uint64_t)(b & 0x7f) << (7 * i);
                if (!(b & 0x80))
                        break;
        }
        d->p = p;
        *v = (int64_t)((u >> 1) ^ (0 - (u & 1)));
        return 0;
}

int av_read_len(av_dec_t *d, size_t *len, const char *what)
{
        const unsigned char *at = d->p;
        int64_t v;

        if (av_read_long(d, &v))
                return -1;
        if (v < 0)
                return av_dec_fail(d, at, "negative %s length %lld", what, (long long)v);
        if ((uint64_t)v > (uint64_t)(d->end - d->p))
                return av_dec_fail(d, at, "%s length %lld runs past the end (%zu bytes left)",
                                   what, (long long)v, (size_t)(d->end - d->p));
        *len = (size_t)v;
        return 0;
}

int av_read_block(av_dec_t *d, const av_node_t *item, int64_t *count)
{
        const unsigned char *at = d->p;
        size_t left;
        int64_t c, size;

        if (av_read_long(d, &c))
                return -1;
        if (c < 0) {
                if (c == INT64_MIN)
                        return av_dec_fail(d, at, "invalid block count %lld", (long long)c);
                c = -c;
                if (av_read_long(d, &size))
                        return -1;
                if (size < 0 || (uint64_t)size > (uint64_t)(d->end - d->p))
                        return av_dec_fail(d, at, "block byte size %lld invalid (%zu bytes left)",
                                           (long long)size, (size_t)(d->end - d->p));
        }
        left = (size_t)(d->end - d->p);
        if (item->min_size > 0) {
                if ((uint64_t)c > left / item->min_size)
                        return av_dec_fail(d, at,
                                           "block of %lld items cannot fit in the %zu bytes left",
                                           (long long)c, left);
        } else {
                if (c > d->empty_budget)
                        return av_dec_fail(d, at, "more than %d empty items",
                                           KAFKIT_AVRO_MAX_EMPTY_ITEMS);
                d->empty_budget -= c;
        }
        *count = c;
        return 0;
}

static int need(av_dec_t *d, size_t n, const char *what)
{
        if ((size_t)(d->end - d->p) < n)
                return av_dec_fail(d, d->p, "truncated: %s needs %zu bytes, %zu left", what, n,
                                   (size_t)(d->end - d->p));
        return 0;
}

static uint64_t load_le(const unsigned char *p, int n)
{
        uint64_t v = 0;
        int i;

        for (i = n - 1; i >= 0; i--)
                v = (v << 8) | p[i];
        return v;
}

/* ---------------------------------------------------------------- values */

static int put(av_dec_t *d, const char *s, size_t n)
{
        return av_buf_put(d->out, s, n) ? av_dec_oom(d) : 0;
}

/* A decimal's `len` bytes at d->p as text (KAFKIT_AVRO_JSON_DECIMAL_TEXT). */
static int dec_decimal(av_dec_t *d, const av_node_t *n, size_t len)
{
        int r = av_decimal_to_text(d->p, len, n->scale, d->out);

        if (r == -1)
                return av_dec_oom(d);
        if (r == -2)
                return av_dec_fail(d, d->p, "decimal of %zu bytes is longer than the %d "
                                            "bytes decimal text allows",
                                   len, AV_DEC_MAX_BYTES);
        d->p += len;
        return 0;
}

static int dec_number(av_dec_t *d, const av_node_t *n)
{
        const unsigned char *at = d->p;
        char num[40];
        int64_t v;

        switch (n->type) {
        case AV_INT:
        case AV_LONG:
                if (av_read_long(d, &v))
                        return -1;
                if (n->type == AV_INT && (v < INT32_MIN || v > INT32_MAX))
                        return av_dec_fail(d, at, "int %lld out of range", (long long)v);
                return put(d, num, av_fmt_int64(num, v));
        case AV_FLOAT: {
                uint32_t u;
                float f;

                if (need(d, 4, "float"))
                        return -1;
                u = (uint32_t)load_le(d->p, 4);
                memcpy(&f, &u, 4);
                d->p += 4;
                return put(d, num, av_fmt_float(num, f));
        }
        default: {
                uint64_t u;
                double f;

                if (need(d, 8, "double"))
                        return -1;
                u = load_le(d->p, 8);
                memcpy(&f, &u, 8);
                d->p += 8;
                return put(d, num, av_fmt_double(num, f));
        }
        }
}

static int dec_record(av_dec_t *d, const av_node_t *n, int depth)
{
        size_t i;

        if (put(d, "{", 1))
                return -1;
        for (i = 0; i < n->n_fields; i++) {
                const av_field_t *f = &n->fields[i];

                if ((i && put(d, ",", 1)) || put(d, f->key, f->key_len))
                        return -1;
                if (av_dec_value(d, f->type, depth)) {
                        av_dec_push_field(d, f->name);
                        return -1;
                }
        }
        return put(d, "}", 1);
}

static int dec_array(av_dec_t *d, const av_node_t *n, int depth)
{
        int64_t count, idx = 0;

        if (put(d, "[", 1))
                return -1;
        for (;;) {
                if (av_read_block(d, n->items, &count))
                        goto fail;
                if (count == 0)
                        break;
                for (; count > 0; count--, idx++) {
                        if (idx && put(d, ",", 1))
                                return -1;
                        if (av_dec_value(d, n->items, depth))
                                goto fail;
                }
        }
        return put(d, "]", 1);
fail:
        av_dec_push_index(d, idx);
        return -1;
}

static int dec_map(av_dec_t *d, const av_node_t *n, int depth)
{
        int64_t count, idx = 0;
        const char *key;
        size_t klen;

        if (put(d, "{", 1))
                return -1;
        for (;;) {
                if (av_read_block(d, n->items, &count))
                        return -1;
                if (count == 0)
                        break;
                for (; count > 0; count--, idx++) {
                        if (idx && put(d, ",", 1))
                                return -1;
                        if (av_dec_map_key(d, &key, &klen))
                                return -1;
                        if (av_dec_value(d, n->items, depth)) {
                                av_dec_push_key(d, key, klen);
                                return -1;
                        }
                }
        }
        return put(d, "}", 1);
}

static int dec_union(av_dec_t *d, const av_node_t *n, int depth)
{
        const av_node_t *b;
        int64_t idx;

        if (av_read_index(d, 1, n->n_branches, &idx))
                return -1;
        b = n->branches[idx];
        if (d->style == KAFKIT_AVRO_JSON_PLAIN || b->type == AV_NULL)
                return av_dec_value(d, b, depth);
        if (put(d, n->wrap[idx], n->wrap_len[idx]) || av_dec_value(d, b, depth))
                return -1;
        return put(d, "}", 1);
}

static int dec_enum(av_dec_t *d, const av_node_t *n)
{
        int64_t idx;

        if (av_read_index(d, 0, n->n_symbols, &idx))
                return -1;
        return put(d, n->sym_json[idx], n->sym_json_len[idx]);
}

int av_dec_value(av_dec_t *d, const av_node_t *n, int depth)
{
        size_t len;

        switch (n->type) {
        case AV_NULL:
                return put(d, "null", 4);
        case AV_BOOLEAN:
                if (need(d, 1, "boolean"))
                        return -1;
                if (*d->p > 1)
                        return av_dec_fail(d, d->p, "invalid boolean byte 0x%02x", *d->p);
                return *d->p++ ? put(d, "true", 4) : put(d, "false", 5);
        case AV_INT:
        case AV_LONG:
        case AV_FLOAT:
        case AV_DOUBLE:
                return dec_number(d, n);
        case AV_STRING:
        case AV_BYTES:
        case AV_FIXED:
                if (n->type == AV_FIXED) {
                        if (need(d, n->size, "fixed"))
                                return -1;
                        len = n->size;
                } else if (av_read_len(d, &len, av_type_name(n->type))) {
                        return -1;
                }
                if (n->logical == AV_LT_DECIMAL && d->decimal_text)
                        return dec_decimal(d, n, len);
                return av_dec_put_str(d, n->type == AV_STRING, len);
        case AV_ENUM:
                return dec_enum(d, n);
        default:
                break;
        }
        if (++depth > KAFKIT_AVRO_MAX_DEPTH)
                return av_dec_fail(d, d->p, "nesting deeper than %d", KAFKIT_AVRO_MAX_DEPTH);
        switch (n->type) {
        case AV_RECORD:
                return dec_record(d, n, depth);
        case AV_ARRAY:
                return dec_array(d, n, depth);
        case AV_MAP:
                return dec_map(d, n, depth);
        default:
                return dec_union(d, n, depth);
        }
}

/* ------------------------------------------------------------------ skip */

/* need() and step over the bytes. */
static int skip_need(av_dec_t *d, size_t n, const char *what)
{
        if (need(d, n, what))
                return -1;
        d->p += n;
        return 0;
}

/* Array and map blocks; error path segments as the decoder adds them. */
static int skip_blocks(av_dec_t *d, const av_node_t *n, int depth)
{
        int64_t count, idx = 0;
        const char *key = NULL;
        size_t klen = 0;

        for (;;) {
                if (av_read_block(d, n->items, &count))
                        goto fail;
                if (count == 0)
                        return 0;
                for (; count > 0; count--, idx++) {
                        if (n->type == AV_MAP) {
                                if (av_read_len(d, &klen, "map key"))
                                        return -1;
                                key = (const char *)d->p;
                                if (d->c_string_keys && memchr(key, 0, klen))
                                        return av_dec_fail(d, d->p, "map key with a NUL byte: "
                                                                    "avro-c map keys end at the "
                                                                    "first NUL");
                                d->p += klen;
                        }
                        if (av_skip_value(d, n->items, depth)) {
                                if (n->type == AV_MAP)
                                        av_dec_push_key(d, key, klen);
                                else
                                        av_dec_push_index(d, idx);
                                return -1;
                        }
                }
        }
fail:
        if (n->type == AV_ARRAY)
                av_dec_push_index(d, idx);
        return -1;
}

int av_skip_value(av_dec_t *d, const av_node_t *n, int depth)
{
        const unsigned char *at = d->p;
        size_t i, len;
        int64_t v;

        switch (n->type) {
        case AV_NULL:
                return 0;
        case AV_BOOLEAN:
                if (d->p < d->end && *d->p > 1)
                        return av_dec_fail(d, d->p, "invalid boolean byte 0x%02x", *d->p);
                return skip_need(d, 1, "boolean");
        case AV_INT:
        case AV_LONG:
                if (av_read_long(d, &v))
                        return -1;
                if (n->type == AV_INT && (v < INT32_MIN || v > INT32_MAX))
                        return av_dec_fail(d, at, "int %lld out of range", (long long)v);
                return 0;
        case AV_FLOAT:
                return skip_need(d, 4, "float");
        case AV_DOUBLE:
                return skip_need(d, 8, "double");
        case AV_FIXED:
                return skip_need(d, n->size, "fixed");
        case AV_STRING:
        case AV_BYTES:
                if (av_read_len(d, &len, av_type_name(n->type)))
                        return -1;
                d->p += len;
                return 0;
        case AV_ENUM:
                return av_read_index(d, 0, n->n_symbols, &v);
        default:
                break;
        }
        if (++depth > KAFKIT_AVRO_MAX_DEPTH)
                return av_dec_fail(d, d->p, "nesting deeper than %d", KAFKIT_AVRO_MAX_DEPTH);
        if (n->type == AV_RECORD) {
                for (i = 0; i < n->n_fields; i++)
                        if (av_skip_value(d, n->fields[i].type, depth)) {
                                av_dec_push_field(d, n->fields[i].name);
                                return -1;
                        }
                return 0;
        }
        if (n->type != AV_UNION)
                return skip_blocks(d, n, depth);
        if (av_read_index(d, 1, n->n_branches, &v))
                return -1;
        return av_skip_value(d, n->branches[v], depth);
}

/* ------------------------------------------------------------------ API */

kafkit_err_t kafkit_avro_decode_json(const kafkit_avro_schema_t *schema,
                                     const void *data,
                                     size_t len,
                                     kafkit_avro_json_style_t style,
                                     kafkit_buf_t *out,
                                     kafkit_error_t *err)
{
        size_t saved;
        av_dec_t d;

        if (!schema || !out || (!data && len))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "avro decode: schema, data and out are required");
        saved = out->len;
        av_dec_init(&d, data ? data : "", len, style, out);
        return av_dec_finish(&d, av_dec_value(&d, schema->root, 0), saved, err);
}

kafkit_err_t av_dec_finish(av_dec_t *d, int rc, size_t saved_len, kafkit_error_t *err)
{
        if (rc == 0 && d->p != d->end)
                av_dec_fail(d, d->p, "%zu trailing bytes after the value",
                            (size_t)(d->end - d->p));
        if (!d->failed && av_buf_need(d->out, 1))
                av_dec_oom(d);
        if (d->failed)
                return av_dec_error(d, saved_len, err);
        d->out->data[d->out->len] = '\0';
        return KAFKIT_OK;
}
