/*
 * avro_json_stream.c: the fast path of JSON text -> Avro binary. It walks
 * the schema and the JSON text together in one pass with a small
 * tokenizer: no tree, no allocation beyond growing `out`; strings are
 * decoded straight into the output after their length.
 *
 * It is deliberately partial. It succeeds only where the jansson path
 * (avro_encode.c) would succeed with the same bytes; on anything it does
 * not handle (duplicate keys, escaped record keys, records of over 64
 * fields out of schema order, a PLAIN union whose first candidate branch
 * does not fit, numbers it cannot read exactly) and on every error it gives up, and the caller
 * reruns the record through the jansson path, which also writes the error
 * messages. So the invariant to keep is: a success here implies jansson
 * accepts the same text (strict JSON grammar, strict UTF-8, escapes,
 * integers within int64, reals that do not overflow) and the jansson walk
 * encodes it to the same bytes.
 */
#include "avro_internal.h"

#include <math.h>
#include <stdlib.h>

/* Map keys remembered at once (all open maps) to spot duplicates. */
#define JS_MAX_KEYS 256

typedef struct js_key_s {
        size_t off, len;        /* key bytes in out->data */
} js_key_t;

typedef struct js_s {
        const unsigned char *p, *end;
        kafkit_buf_t *out;
        kafkit_avro_json_style_t style;
        int decimal_text;
        js_key_t keys[JS_MAX_KEYS];
        int n_keys;
} js_t;

/* A scanned JSON string: the text between the quotes and what it decodes to. */
typedef struct js_str_s {
        const unsigned char *s, *q;     /* first byte, closing quote */
        size_t len;                     /* decoded UTF-8 length */
        size_t n_cp;                    /* code points */
        int esc;                        /* has escapes */
        int wide;                       /* a code point above U+00FF */
        int nul;                        /* a U+0000 */
} js_str_t;

static int js_value(js_t *j, const av_node_t *n, int depth);

/* ------------------------------------------------------------- tokenizer */

static inline int js_peek(js_t *j)
{
        while (j->p < j->end &&
               (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
                j->p++;
        return j->p < j->end ? *j->p : -1;
}

static inline int js_eat(js_t *j, int c)
{
        if (js_peek(j) != c)
                return 0;
        j->p++;
        return 1;
}

static int js_lit(js_t *j, const char *w, size_t n)
{
        if (js_peek(j) < 0 || (size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
                return -1;
        j->p += n;
        return 0;
}

static int js_hex4(const unsigned char *p, const unsigned char *end, uint32_t *v)
{
        int i;

        if (end - p < 4)
                return -1;
        *v = 0;
        for (i = 0; i < 4; i++) {
                unsigned char c = p[i];

                if (c >= '0' && c <= '9')
                        *v = (*v << 4) | (uint32_t)(c - '0');
                else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                        *v = (*v << 4) | (uint32_t)((c | 0x20) - 'a' + 10);
                else
                        return -1;
        }
        return 0;
}

/* Length of the strict UTF-8 sequence at p (no overlongs, surrogates or
 * code points past U+10FFFF), its code point in *cp; 0 if invalid. */
static int js_utf8(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
        int n, i;
        uint32_t v;

        if (p[0] < 0xc2 || p[0] > 0xf4)
                return 0;
        n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
        if (end - p < n)
                return 0;
        v = p[0] & (0x7fu >> n);
        for (i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                v = (v << 6) | (p[i] & 0x3fu);
        }
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || (n == 3 && v < 0x800) ||
            (n == 4 && v < 0x10000))
                return 0;
        *cp = v;
        return n;
}

/* A \uXXXX escape at p (after the backslash), with its low surrogate if it
 * is a high one; returns the bytes taken (5 or 11), or 0 if invalid. */
static int js_uescape(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
        uint32_t hi, lo;

        if (js_hex4(p + 1, end, &hi))
                return 0;
        if (hi >= 0xdc00 && hi <= 0xdfff)
                return 0;
        if (hi < 0xd800 || hi > 0xdbff) {
                *cp = hi;
                return 5;
        }
        if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || js_hex4(p + 7, end, &lo) ||
            lo < 0xdc00 || lo > 0xdfff)
                return 0;
        *cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
        return 11;
}

static inline size_t js_utf8_size(uint32_t cp)
{
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static char js_simple_escape(unsigned char c)
{
        switch (c) {
        case '"': return '"';
        case '\\': return '\\';
        case '/': return '/';
        case 'b': return '\b';
        case 'f': return '\f';
        case 'n': return '\n';
        case 'r': return '\r';
        case 't': return '\t';
        default: return 0;
        }
}

/* Scans the string at j->p (its opening quote) and moves past it. */
static int js_str_scan(js_t *j, js_str_t *st)
{
        const unsigned char *p, *end = j->end;
        uint32_t cp;
        int n;

        if (js_peek(j) != '"')
                return -1;
        memset(st, 0, sizeof(*st));
        p = st->s = j->p + 1;
        for (;;) {
                if (p >= end)
                        return -1;
                if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
                        p++;
                        st->len++;
                        st->n_cp++;
                        continue;
                }
                if (*p == '"')
                        break;
                if (*p < 0x20)
                        return -1;
                if (*p == '\\') {
                        st->esc = 1;
                        if (p + 1 >= end)
                                return -1;
                        if (p[1] != 'u') {
                                if (!js_simple_escape(p[1]))
                                        return -1;
                                p += 2;
                                st->len++;
                                st->n_cp++;
                                continue;
                        }
                        n = js_uescape(p + 1, end, &cp);
                        if (!n)
                                return -1;
                        p += 1 + n;
                } else {
                        n = js_utf8(p, end, &cp);
                        if (!n)
                                return -1;
                        p += n;
                }
                st->len += js_utf8_size(cp);
                st->n_cp++;
                st->wide |= cp > 0xff;
                st->nul |= cp == 0;
        }
        st->q = p;
        j->p = p + 1;
        return 0;
}

/* Writes the decoded UTF-8 of a scanned string to o; returns the end. */
static char *js_str_utf8(const js_str_t *st, char *o)
{
        const unsigned char *p = st->s;
        uint32_t cp;
        int n;

        if (!st->esc) {
                memcpy(o, p, st->len);
                return o + st->len;
        }
        while (p < st->q) {
                if (*p != '\\') {
                        *o++ = (char)*p++;
                        continue;
                }
                if (p[1] != 'u') {
                        *o++ = js_simple_escape(p[1]);
                        p += 2;
                        continue;
                }
                n = js_uescape(p + 1, st->q, &cp);
                p += 1 + n;
                if (cp < 0x80) {
                        *o++ = (char)cp;
                } else if (cp < 0x800) {
                        *o++ = (char)(0xc0 | (cp >> 6));
                        *o++ = (char)(0x80 | (cp & 0x3f));
                } else if (cp < 0x10000) {
                        *o++ = (char)(0xe0 | (cp >> 12));
                        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                        *o++ = (char)(0x80 | (cp & 0x3f));
                } else {
                        *o++ = (char)(0xf0 | (cp >> 18));
                        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
                        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                        *o++ = (char)(0x80 | (cp & 0x3f));
                }
        }
        return o;
}

/* Writes a scanned string of code points 0-255 as one byte each. */
static char *js_str_latin1(const js_str_t *st, char *o)
{
        const unsigned char *p = st->s;
        uint32_t cp;

        while (p < st->q) {
                if (*p >= 0xc2 && *p <= 0xc3) {
                        *o++ = (char)(((p[0] & 0x03) << 6) | (p[1] & 0x3f));
                        p += 2;
                } else if (*p != '\\') {
                        *o++ = (char)*p++;
                } else if (p[1] != 'u') {
                        *o++ = js_simple_escape(p[1]);
                        p += 2;
                } else {
                        p += 1 + js_uescape(p + 1, st->q, &cp);
                        *o++ = (char)cp;
                }
        }
        return o;
}

/* A string without escapes or non-ASCII bytes (record keys, union
 * branches, enum symbols): its text in *s, *len. */
static int js_ascii(js_t *j, const char **s, size_t *len)
{
        const unsigned char *p;

        if (js_peek(j) != '"')
                return -1;
        for (p = j->p + 1; p < j->end && *p != '"'; p++)
                if (*p < 0x20 || *p >= 0x80 || *p == '\\')
                        return -1;
        if (p >= j->end)
                return -1;
        *s = (const char *)j->p + 1;
        *len = (size_t)(p - j->p - 1);
        j->p = p + 1;
        return 0;
}

static inline int js_is(const char *name, const char *s, size_t len)
{
        return !strncmp(name, s, len) && name[len] == '\0';
}

/* ---------------------------------------------------------------- numbers */

static inline int js_digit(const unsigned char *p, const unsigned char *end)
{
        return p < end && *p >= '0' && *p <= '9';
}

/*
 * A JSON number by jansson's rules: an integer (no '.', 'e' or 'E') must
 * fit int64; a real is read by strtod and must not overflow. *is_int says
 * which; the value is in *iv or *dv.
 */
static int js_number(js_t *j, int *is_int, int64_t *iv, double *dv)
{
        const unsigned char *p = j->p, *end = j->end, *start = j->p;
        uint64_t u = 0;
        int neg = 0, ovf = 0;
        char buf[128], *e;
        size_t n;

        if (p < end && *p == '-') {
                neg = 1;
                p++;
        }
        if (!js_digit(p, end))
                return -1;
        if (*p == '0') {
                if (js_digit(++p, end))
                        return -1;
        } else {
                for (; js_digit(p, end); p++) {
                        unsigned d = (unsigned)(*p - '0');

                        if (u > (UINT64_MAX - d) / 10)
                                ovf = 1;
                        u = u * 10 + d;
                }
        }
        if (p >= end || (*p != '.' && *p != 'e' && *p != 'E')) {
                if (ovf || u > (uint64_t)INT64_MAX + (uint64_t)neg)
                        return -1;
                *iv = neg ? (int64_t)(0 - u) : (int64_t)u;
                *is_int = 1;
                j->p = p;
                return 0;
        }
        if (*p == '.') {
                if (!js_digit(++p, end))
                        return -1;
                while (js_digit(p, end))
                        p++;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
                p++;
                if (p < end && (*p == '+' || *p == '-'))
                        p++;
                if (!js_digit(p, end))
                        return -1;
                while (js_digit(p, end))
                        p++;
        }
        n = (size_t)(p - start);
        if (n >= sizeof(buf))
                return -1;
        memcpy(buf, start, n);
        buf[n] = '\0';
        *dv = strtod(buf, &e);
        if (e != buf + n || isinf(*dv))   /* another locale's point; overflow */
                return -1;
        *is_int = 0;
        j->p = p;
        return 0;
}

/* ---------------------------------------------------------------- writers */

static inline size_t js_varint(char *o, int64_t v)
{
        uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        size_t n = 0;

        while (u >= 0x80) {
                o[n++] = (char)(u | 0x80);
                u >>= 7;
        }
        o[n++] = (char)u;
        return n;
}

static inline int js_put_long(js_t *j, int64_t v)
{
        if (av_buf_need(j->out, 10))
                return -1;
        j->out->len += js_varint(j->out->data + j->out->len, v);
        return 0;
}

static int js_put_le(js_t *j, uint64_t u, int n)
{
        int i;

        if (av_buf_need(j->out, 8))
                return -1;
        for (i = 0; i < n; i++, u >>= 8)
                j->out->data[j->out->len++] = (char)(u & 0xff);
        return 0;
}

/* The count of a block whose items follow a 1-byte placeholder at `at`. */
static int js_patch_count(js_t *j, size_t at, size_t count)
{
        char tmp[10];
        size_t n = js_varint(tmp, (int64_t)count);
        kafkit_buf_t *o = j->out;

        if (n > 1) {
                if (av_buf_need(o, n - 1))
                        return -1;
                memmove(o->data + at + n, o->data + at + 1, o->len - at - 1);
                o->len += n - 1;
        }
        memcpy(o->data + at, tmp, n);
        return 0;
}

/* ---------------------------------------------------------------- scalars */

/* "NaN", "Infinity", "-Infinity" for float and double. */
static int js_special(js_t *j, double *d)
{
        const char *s;
        size_t len;

        if (js_ascii(j, &s, &len))
                return -1;
        if (js_is("NaN", s, len))
                *d = NAN;
        else if (js_is("Infinity", s, len))
                *d = INFINITY;
        else if (js_is("-Infinity", s, len))
                *d = -INFINITY;
        else
                return -1;
        return 0;
}

static int js_numeric(js_t *j, const av_node_t *n)
{
        int64_t i = 0;
        double d = 0;
        int is_int = 0;

        if (js_peek(j) == '"') {
                if (n->type == AV_INT || n->type == AV_LONG || js_special(j, &d))
                        return -1;
        } else if (js_number(j, &is_int, &i, &d)) {
                return -1;
        }
        if (n->type == AV_INT || n->type == AV_LONG) {
                if (!is_int) {
                        if (d != floor(d) ||
                            !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                                return -1;
                        i = (int64_t)d;
                }
                if (n->type == AV_INT && (i < INT32_MIN || i > INT32_MAX))
                        return -1;
                return js_put_long(j, i);
        }
        if (is_int)
                d = (double)i;
        if (n->type == AV_FLOAT) {
                float f = (float)d;
                uint32_t u;

                memcpy(&u, &f, 4);
                return js_put_le(j, u, 4);
        } else {
                uint64_t u;

                memcpy(&u, &d, 8);
                return js_put_le(j, u, 8);
        }
}

static int js_string(js_t *j)
{
        js_str_t st;
        kafkit_buf_t *o = j->out;

        if (js_str_scan(j, &st) || av_buf_need(o, 10 + st.len))
                return -1;
        o->len += js_varint(o->data + o->len, (int64_t)st.len);
        o->len = (size_t)(js_str_utf8(&st, o->data + o->len) - o->data);
        return 0;
}

static int js_bytes(js_t *j, const av_node_t *n)
{
        js_str_t st;
        kafkit_buf_t *o = j->out;

        /* decimals as text: the jansson path does them */
        if ((j->decimal_text && n->logical == AV_LT_DECIMAL) || js_str_scan(j, &st) ||
            st.wide || av_buf_need(o, 10 + st.n_cp))
                return -1;
        if (n->type == AV_FIXED) {
                if (st.n_cp != n->size)
                        return -1;
        } else {
                o->len += js_varint(o->data + o->len, (int64_t)st.n_cp);
        }
        o->len = (size_t)(js_str_latin1(&st, o->data + o->len) - o->data);
        return 0;
}

static int js_enum(js_t *j, const av_node_t *n)
{
        const char *s;
        size_t len, i;

        if (js_ascii(j, &s, &len))
                return -1;
        for (i = 0; i < n->n_symbols; i++)
                if (js_is(n->symbols[i], s, len))
                        return js_put_long(j, (int64_t)i);
        return -1;
}

/* ------------------------------------------------------------- containers */

static int js_default(js_t *j, const av_field_t *f)
{
        return f->def_bin ? av_buf_put(j->out, f->def_bin, f->def_bin_len) : -1;
}

/*
 * Fields in any order: each value is encoded where it comes, its place
 * noted by field; at the end they are copied in schema order (defaults
 * for the missing) past the scattered ones and moved down. Records of
 * more than JS_MAX_SLOTS fields are left to the jansson path. Kept out of
 * line so the slots stay off the stack of the in-order path.
 */
#define JS_MAX_SLOTS 64

__attribute__((noinline)) static int js_record_any_order(js_t *j, const av_node_t *n,
                                                         int depth)
{
        struct {
                size_t off, len;
                int set;
        } slot[JS_MAX_SLOTS];
        kafkit_buf_t *o = j->out;
        size_t base = o->len, total, asm_len = 0, i, klen;
        const char *k;

        if (n->n_fields > JS_MAX_SLOTS || !js_eat(j, '{'))
                return -1;
        for (i = 0; i < n->n_fields; i++)
                slot[i].set = 0;
        if (!js_eat(j, '}')) {
                for (;;) {
                        if (js_ascii(j, &k, &klen))
                                return -1;
                        for (i = 0; i < n->n_fields && !js_is(n->fields[i].name, k, klen); i++)
                                ;
                        if (i == n->n_fields || slot[i].set || !js_eat(j, ':'))
                                return -1;      /* unknown or duplicate */
                        slot[i].off = o->len;
                        if (js_value(j, n->fields[i].type, depth))
                                return -1;
                        slot[i].len = o->len - slot[i].off;
                        slot[i].set = 1;
                        if (js_eat(j, ','))
                                continue;
                        if (js_eat(j, '}'))
                                break;
                        return -1;
                }
        }
        for (i = 0; i < n->n_fields; i++) {
                if (!slot[i].set && !n->fields[i].def_bin)
                        return -1;
                asm_len += slot[i].set ? slot[i].len : n->fields[i].def_bin_len;
        }
        total = o->len - base;
        if (av_buf_need(o, asm_len))
                return -1;
        for (i = 0; i < n->n_fields; i++) {
                if (slot[i].set)
                        memcpy(o->data + o->len, o->data + slot[i].off, slot[i].len);
                else
                        memcpy(o->data + o->len, n->fields[i].def_bin,
                               n->fields[i].def_bin_len);
                o->len += slot[i].set ? slot[i].len : n->fields[i].def_bin_len;
        }
        memmove(o->data + base, o->data + base + total, asm_len);
        o->len = base + asm_len;
        return 0;
}

/* Fields in schema order (gaps take defaults) are encoded as they come;
 * at the first one out of order the record starts over in
 * js_record_any_order(). */
static int js_record(js_t *j, const av_node_t *n, int depth)
{
        size_t next = 0, i, base = j->out->len;
        const unsigned char *start;
        const char *k;
        size_t klen;

        if (!js_eat(j, '{'))
                return -1;
        start = j->p - 1;
        if (!js_eat(j, '}')) {
                for (;;) {
                        if (js_ascii(j, &k, &klen))
                                return -1;
                        for (i = next; i < n->n_fields && !js_is(n->fields[i].name, k, klen);
                             i++)
                                ;
                        for (; next < i; next++)     /* a gap: defaults */
                                if (js_default(j, &n->fields[next]))
                                        break;
                        if (i == n->n_fields || next < i) {     /* may come later */
                                j->p = start;
                                j->out->len = base;
                                return js_record_any_order(j, n, depth);
                        }
                        if (!js_eat(j, ':') || js_value(j, n->fields[i].type, depth))
                                return -1;
                        next = i + 1;
                        if (js_eat(j, ','))
                                continue;
                        if (js_eat(j, '}'))
                                break;
                        return -1;
                }
        }
        for (; next < n->n_fields; next++)
                if (js_default(j, &n->fields[next]))
                        return -1;
        return 0;
}

/* Opens an array or a map: 1 when it closes at once (written as the 0
 * that ends a list), else 0 with room for a 1-byte block count at *at. */
static int js_block_open(js_t *j, int open, int close, size_t *at)
{
        if (!js_eat(j, open))
                return -1;
        if (js_eat(j, close))
                return js_put_long(j, 0) ? -1 : 1;
        *at = j->out->len;
        if (av_buf_need(j->out, 1))
                return -1;
        j->out->len++;
        return 0;
}

static int js_array(js_t *j, const av_node_t *n, int depth)
{
        size_t at, count = 0;
        int r = js_block_open(j, '[', ']', &at);

        if (r)
                return r < 0 ? -1 : 0;
        for (;;) {
                if (js_value(j, n->items, depth))
                        return -1;
                count++;
                if (js_eat(j, ','))
                        continue;
                if (js_eat(j, ']'))
                        break;
                return -1;
        }
        return js_patch_count(j, at, count) ? -1 : js_put_long(j, 0);
}

/* Writes a map key; fails on U+0000 (jansson rejects it in keys) and on a
 * key seen before in this map (jansson would keep the last value). */
static int js_map_key(js_t *j, int first)
{
        js_str_t st;
        kafkit_buf_t *o = j->out;
        size_t off;
        int i;

        if (js_str_scan(j, &st) || st.nul || j->n_keys == JS_MAX_KEYS ||
            av_buf_need(o, 10 + st.len))
                return -1;
        o->len += js_varint(o->data + o->len, (int64_t)st.len);
        off = o->len;
        o->len = (size_t)(js_str_utf8(&st, o->data + off) - o->data);
        for (i = first; i < j->n_keys; i++)
                if (j->keys[i].len == st.len &&
                    !memcmp(o->data + j->keys[i].off, o->data + off, st.len))
                        return -1;
        j->keys[j->n_keys].off = off;
        j->keys[j->n_keys++].len = st.len;
        return 0;
}

static int js_map(js_t *j, const av_node_t *n, int depth)
{
        size_t at, count = 0;
        int first = j->n_keys, rc = js_block_open(j, '{', '}', &at);

        if (rc)
                return rc < 0 ? -1 : 0;
        rc = -1;
        for (;;) {
                if (js_map_key(j, first) || !js_eat(j, ':') || js_value(j, n->items, depth))
                        goto out;
                count++;
                if (js_eat(j, ','))
                        continue;
                if (js_eat(j, '}'))
                        break;
                goto out;
        }
        rc = js_patch_count(j, at, count) ? -1 : js_put_long(j, 0);
out:
        j->n_keys = first;
        return rc;
}

/* ------------------------------------------------------------------ unions */

/* AVRO style: null, or {"branch": value}. */
static int js_union_avro(js_t *j, const av_node_t *n, int depth)
{
        const char *k;
        size_t klen, i;

        if (js_peek(j) == 'n') {
                if (js_lit(j, "null", 4))
                        return -1;
                for (i = 0; i < n->n_branches; i++)
                        if (n->branches[i]->type == AV_NULL)
                                return js_put_long(j, (int64_t)i);
                return -1;
        }
        if (!js_eat(j, '{') || js_ascii(j, &k, &klen) || !js_eat(j, ':'))
                return -1;
        for (i = 0; i < n->n_branches; i++) {
                const av_node_t *b = n->branches[i];

                if (js_is(av_branch_name(b), k, klen) || (b->name && js_is(b->name, k, klen)))
                        break;
        }
        if (i == n->n_branches || js_put_long(j, (int64_t)i) ||
            js_value(j, n->branches[i], depth) || !js_eat(j, '}'))
                return -1;
        return 0;
}

/* The kind of the next JSON value, as av_plain_rank() ranks branches by it. */
static av_json_kind_t js_kind(js_t *j)
{
        const unsigned char *p;

        switch (js_peek(j)) {
        case 'n': return AV_JK_NULL;
        case 't':
        case 'f': return AV_JK_BOOL;
        case '[': return AV_JK_ARRAY;
        case '"': return AV_JK_STRING;
        case '{': return AV_JK_OBJECT;
        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
                for (p = j->p + 1; js_digit(p, j->end); p++)
                        ;
                return p < j->end && (*p == '.' || *p == 'e' || *p == 'E') ? AV_JK_REAL
                                                                           : AV_JK_INTEGER;
        default: return AV_JK_BAD;
        }
}

/*
 * PLAIN style: the jansson path tries candidates in rank order and keeps
 * the first that encodes. Only the first candidate is tried here: if it
 * encodes, jansson would keep it too; if not, the record goes to jansson.
 */
static int js_union_plain(js_t *j, const av_node_t *n, int depth)
{
        av_json_kind_t k = js_kind(j);
        int best = -1, r;
        size_t i, pick = 0;

        for (i = 0; i < n->n_branches; i++) {
                r = av_plain_rank(k, n->branches[i]->type);
                if (r >= 0 && (best < 0 || r < best)) {
                        best = r;
                        pick = i;
                }
        }
        if (best < 0 || js_put_long(j, (int64_t)pick))
                return -1;
        return js_value(j, n->branches[pick], depth);
}

static int js_value(js_t *j, const av_node_t *n, int depth)
{
        switch (n->type) {
        case AV_NULL:
                return js_lit(j, "null", 4);
        case AV_BOOLEAN:
                if (js_peek(j) == 't')
                        return js_lit(j, "true", 4) || av_buf_putc(j->out, 1) ? -1 : 0;
                return js_lit(j, "false", 5) || av_buf_putc(j->out, 0) ? -1 : 0;
        case AV_INT:
        case AV_LONG:
        case AV_FLOAT:
        case AV_DOUBLE:
                return js_numeric(j, n);
        case AV_STRING:
                return js_string(j);
        case AV_BYTES:
        case AV_FIXED:
                return js_bytes(j, n);
        case AV_ENUM:
                return js_enum(j, n);
        default:
                break;
        }
        if (++depth > KAFKIT_AVRO_MAX_DEPTH)
                return -1;
        switch (n->type) {
        case AV_RECORD: return js_record(j, n, depth);
        case AV_ARRAY: return js_array(j, n, depth);
        case AV_MAP: return js_map(j, n, depth);
        default:
                return j->style == KAFKIT_AVRO_JSON_PLAIN ? js_union_plain(j, n, depth)
                                                          : js_union_avro(j, n, depth);
        }
}

/* ------------------------------------------------------------------- API */

int av_encode_json_stream(const av_node_t *root,
                          const char *json,
                          size_t len,
                          kafkit_avro_json_style_t style,
                          kafkit_buf_t *out)
{
        size_t saved = out->len;
        js_t j;

        j.p = (const unsigned char *)json;
        j.end = j.p + len;
        j.out = out;
        j.style = (kafkit_avro_json_style_t)(style & KAFKIT_AVRO_JSON_STYLE_MASK);
        j.decimal_text = (style & KAFKIT_AVRO_JSON_DECIMAL_TEXT) != 0;
        j.n_keys = 0;
        if (js_value(&j, root, 0) == 0 && js_peek(&j) < 0 && av_buf_need(out, 1) == 0) {
                out->data[out->len] = '\0';
                return 0;
        }
        out->len = saved;
        if (out->data && out->cap > saved)
                out->data[saved] = '\0';
        return -1;
}
