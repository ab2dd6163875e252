/*
 * fmt.c: kcat-style consumer output formats and the output buffer.
 * kcat mode adds its own reading of -f escapes, -Z null text and pack-format
 * deserializers (kcat -s), and the JSON string escaping of kcat -J.
 *
 * A format is parsed once into tokens: literal runs (escapes already
 * decoded, stored in one byte array) and record fields. Rendering walks the
 * tokens and appends to a fmt_out_t, which is written with write(2) in large
 * chunks: no stdio, no per-record allocation once the buffer is big enough.
 */
#include "fmt.h"
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum fmt_kind_e {
        FMT_LITERAL,
        FMT_TOPIC,
        FMT_PARTITION,
        FMT_OFFSET,
        FMT_KEY,
        FMT_VALUE,
        FMT_KEY_SIZE,
        FMT_VALUE_SIZE,
        FMT_VALUE_SIZE_BIN,
        FMT_TIMESTAMP,
        FMT_HEADERS
} fmt_kind_t;

typedef struct fmt_tok_s {
        fmt_kind_t kind;
        size_t off; /* FMT_LITERAL: run in fmt->lit */
        size_t len;
} fmt_tok_t;

struct fmt_s {
        fmt_tok_t *toks;
        size_t tok_cnt;
        char *lit;      /* decoded literal bytes of every run */
        size_t lit_len;
        /* kcat mode (fmt_set_kcat) */
        char *null;     /* printed for a null key/value, or NULL */
        size_t null_len;
        char *pack[2];  /* [0] key, [1] value pack-formats, or NULL */
};

/* ------------------------------------------------------------ output buffer */

int fmt_out_init(fmt_out_t *o, int fd, size_t cap)
{
        memset(o, 0, sizeof(*o));
        o->buf = malloc(cap);
        if (!o->buf)
                return -1;
        o->cap = cap;
        o->flush_at = cap / 2;
        o->fd = fd;
        return 0;
}

void fmt_out_free(fmt_out_t *o)
{
        size_t i;

        free(o->buf);
        o->buf = NULL;
        o->len = o->cap = 0;
        for (i = 0; i < o->pending_cnt; i++)
                free(o->pending[i].topic);
        free(o->pending);
        o->pending = NULL;
        o->pending_cnt = o->pending_last = 0;
}

/* Everything rendered is written: tell o->written what was pending. */
static void out_written(fmt_out_t *o)
{
        fmt_pending_t *p;
        size_t i;

        for (i = 0; i < o->pending_cnt; i++) {
                p = &o->pending[i];
                if (p->offset < 0)
                        continue;
                if (o->written)
                        o->written(o->written_opaque, p->topic, p->partition, p->offset);
                p->offset = -1;
        }
}

int fmt_out_track(fmt_out_t *o, const kafkit_message_t *msg)
{
        const char *topic = kafkit_message_topic(msg);
        int32_t partition = kafkit_message_partition(msg);
        fmt_pending_t *p = NULL, *np;
        size_t i;

        if (o->err)
                return 0; /* never written: never told */
        if (o->pending_last < o->pending_cnt) {
                p = &o->pending[o->pending_last];
                if (p->partition != partition || strcmp(p->topic, topic))
                        p = NULL;
        }
        for (i = 0; !p && i < o->pending_cnt; i++) {
                if (o->pending[i].partition == partition && !strcmp(o->pending[i].topic, topic)) {
                        p = &o->pending[i];
                        o->pending_last = i;
                }
        }
        if (!p) {
                np = realloc(o->pending, (o->pending_cnt + 1) * sizeof(*np));
                if (!np)
                        return -1;
                o->pending = np;
                p = &np[o->pending_cnt];
                if (!(p->topic = strdup(topic)))
                        return -1;
                p->partition = partition;
                p->offset = -1;
                o->pending_last = o->pending_cnt++;
        }
        if (kafkit_message_offset(msg) > p->offset)
                p->offset = kafkit_message_offset(msg);
        /* rendering flushed it (or it printed nothing): written already */
        if (o->len == 0)
                out_written(o);
        return 0;
}

int fmt_out_flush(fmt_out_t *o)
{
        size_t done = 0;
        ssize_t r;

        while (done < o->len && !o->err) {
                r = write(o->fd, o->buf + done, o->len - done);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        o->err = errno;
                else
                        done += (size_t)r;
        }
        o->len = 0;
        if (o->err)
                return -1;
        out_written(o);
        return 0;
}

/* Makes room for `need` more bytes. */
static int out_reserve(fmt_out_t *o, size_t need)
{
        size_t cap = o->cap;
        char *nbuf;

        if (o->err)
                return -1;
        if (need <= o->cap - o->len)
                return 0;
        if (need > SIZE_MAX / 2 - o->len)
                return -1;
        while (cap - o->len < need)
                cap *= 2;
        nbuf = realloc(o->buf, cap);
        if (!nbuf)
                return -1;
        o->buf = nbuf;
        o->cap = cap;
        return 0;
}

int fmt_out_write(fmt_out_t *o, const void *data, size_t len)
{
        if (out_reserve(o, len))
                return -1;
        if (len)
                memcpy(o->buf + o->len, data, len);
        o->len += len;
        return 0;
}

/* Decimal text of u (with a leading '-' if neg), without stdio. */
static int out_u64(fmt_out_t *o, uint64_t u, int neg)
{
        char tmp[24];
        char *p = tmp + sizeof(tmp);

        do {
                *--p = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (neg)
                *--p = '-';
        return fmt_out_write(o, p, (size_t)(tmp + sizeof(tmp) - p));
}

int fmt_out_int(fmt_out_t *o, int64_t v)
{
        return out_u64(o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* The escape of byte c in a JSON string as yajl writes it (\" \\ \b \f
 * \n \r \t, \u00XX for other bytes below 0x20) into esc; its length, or 0
 * when c goes as it is. */
static size_t json_escape(unsigned char c, char esc[6])
{
        static const char hex[] = "0123456789ABCDEF";
        char short_esc;

        switch (c) {
        case '"': short_esc = '"'; break;
        case '\\': short_esc = '\\'; break;
        case '\b': short_esc = 'b'; break;
        case '\f': short_esc = 'f'; break;
        case '\n': short_esc = 'n'; break;
        case '\r': short_esc = 'r'; break;
        case '\t': short_esc = 't'; break;
        default:
                if (c >= 0x20)
                        return 0;
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                return 6;
        }
        esc[0] = '\\';
        esc[1] = short_esc;
        return 2;
}

int fmt_out_json_str(fmt_out_t *o, const void *data, size_t len)
{
        const unsigned char *p = data, *end = p + len, *run;
        char esc[6];

        if (fmt_out_write(o, "\"", 1))
                return -1;
        while (p < end) {
                /* a run of the bytes json_escape() leaves as they are */
                run = p;
                while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
                        p++;
                if (p > run && fmt_out_write(o, run, (size_t)(p - run)))
                        return -1;
                if (p == end)
                        break;
                if (fmt_out_write(o, esc, json_escape(*p++, esc)))
                        return -1;
        }
        return fmt_out_write(o, "\"", 1);
}

void fmt_json_chars(FILE *out, const char *s)
{
        const unsigned char *p = (const unsigned char *)(s ? s : "");
        char esc[6];
        size_t n;

        for (; *p; p++) {
                if ((n = json_escape(*p, esc)) > 0)
                        fwrite(esc, 1, n, out);
                else
                        putc(*p, out);
        }
}

void fmt_json_str(FILE *out, const char *s)
{
        putc('"', out);
        fmt_json_chars(out, s);
        putc('"', out);
}

/* ------------------------------------------------------------------ compile */

static void add_tok(fmt_t *f, fmt_kind_t kind, size_t off, size_t len)
{
        fmt_tok_t *t;

        /* Adjacent literal bytes extend the previous run. */
        if (kind == FMT_LITERAL && f->tok_cnt > 0) {
                t = &f->toks[f->tok_cnt - 1];
                if (t->kind == FMT_LITERAL && t->off + t->len == off) {
                        t->len += len;
                        return;
                }
        }
        t = &f->toks[f->tok_cnt++];
        t->kind = kind;
        t->off = off;
        t->len = len;
}

static void add_literal(fmt_t *f, const void *data, size_t len)
{
        memcpy(f->lit + f->lit_len, data, len);
        add_tok(f, FMT_LITERAL, f->lit_len, len);
        f->lit_len += len;
}

/* A format with room for `n` tokens and `n` literal bytes. */
static fmt_t *fmt_alloc(size_t n)
{
        fmt_t *f = calloc(1, sizeof(*f));

        if (!f)
                return NULL;
        f->toks = calloc(n ? n : 1, sizeof(*f->toks));
        f->lit = malloc(n ? n : 1);
        if (!f->toks || !f->lit) {
                fmt_destroy(f);
                return NULL;
        }
        return f;
}

/* The format for `spec`: room enough for its tokens and literal bytes;
 * NULL with "out of memory" in errbuf. */
static fmt_t *fmt_alloc_spec(const char *spec, char *errbuf, size_t errsize)
{
        fmt_t *f = fmt_alloc(strlen(spec));

        if (!f)
                snprintf(errbuf, errsize, "out of memory");
        return f;
}

static int kind_of(char ch, fmt_kind_t *kind)
{
        switch (ch) {
        case 't': *kind = FMT_TOPIC; return 0;
        case 'p': *kind = FMT_PARTITION; return 0;
        case 'o': *kind = FMT_OFFSET; return 0;
        case 'k': *kind = FMT_KEY; return 0;
        case 's': *kind = FMT_VALUE; return 0;
        case 'K': *kind = FMT_KEY_SIZE; return 0;
        case 'S': *kind = FMT_VALUE_SIZE; return 0;
        case 'R': *kind = FMT_VALUE_SIZE_BIN; return 0;
        case 'T': *kind = FMT_TIMESTAMP; return 0;
        case 'h': *kind = FMT_HEADERS; return 0;
        default: return -1;
        }
}

fmt_t *fmt_compile(const char *spec, char *errbuf, size_t errsize)
{
        const char *p = spec;
        unsigned char byte;
        fmt_kind_t kind;
        fmt_t *f;

        if (!(f = fmt_alloc_spec(spec, errbuf, errsize)))
                return NULL;
        while (*p) {
                if (*p == '%' && p[1] == '%') {
                        add_literal(f, "%", 1);
                        p += 2;
                } else if (*p == '%') {
                        if (kind_of(p[1], &kind) == -1)
                                goto bad_token;
                        add_tok(f, kind, 0, 0);
                        p += 2;
                } else if (*p == '\\') {
                        if (cli_escape_decode(&p, &byte) == -1)
                                goto bad_escape;
                        add_literal(f, &byte, 1);
                } else {
                        add_literal(f, p++, 1);
                }
        }
        return f;

bad_token:
        snprintf(errbuf, errsize,
                 "format \"%s\": unknown token \"%%%.1s\" at position %zu "
                 "(known: %%t %%p %%o %%k %%s %%K %%S %%R %%T %%h %%%%)",
                 spec, p[1] ? p + 1 : "", (size_t)(p - spec) + 1);
        fmt_destroy(f);
        return NULL;
bad_escape:
        snprintf(errbuf, errsize,
                 "format \"%s\": bad escape at position %zu "
                 "(known: \\n \\t \\r \\0 \\\\ \\xHH)",
                 spec, (size_t)(p - spec) + 1);
        fmt_destroy(f);
        return NULL;
}

/*
 * The text [s, e) of a kcat format between two tokens, with kcat's
 * escapes decoded (see fmt_compile_kcat()). The run ends at a '%' or the
 * terminating NUL, neither of which strtoul() takes as a digit, so a
 * number never runs past it.
 */
static void add_kcat_text(fmt_t *f, const char *s, const char *e)
{
        unsigned char byte;
        char *next;
        int base;

        while (s < e) {
                if (*s != '\\' || s + 1 == e) {
                        add_literal(f, s++, 1);
                        continue;
                }
                s++;
                base = 0;
                switch (*s) {
                case 't': byte = '\t'; break;
                case 'n': byte = '\n'; break;
                case 'r': byte = '\r'; break;
                case 'x':
                        if (++s == e)
                                return; /* "\x" ends the text: kcat prints nothing */
                        base = 16;
                        /* fall through */
                default:
                        if (*s >= '0' && *s <= '9') {
                                byte = (unsigned char)strtoul(s, &next, base);
                                if (next > s)
                                        s = next - 1;
                        } else {
                                byte = (unsigned char)*s;
                        }
                        break;
                }
                add_literal(f, &byte, 1);
                s++;
        }
}

fmt_t *fmt_compile_kcat(const char *spec, char *errbuf, size_t errsize)
{
        const char *s = spec, *t;
        fmt_kind_t kind;
        fmt_t *f;

        if (!(f = fmt_alloc_spec(spec, errbuf, errsize)))
                return NULL;
        while (*s) {
                if (!(t = strchr(s, '%'))) {
                        add_kcat_text(f, s, s + strlen(s));
                        break;
                }
                add_kcat_text(f, s, t);
                s = t + 1;
                if (*s == '%') {
                        add_literal(f, "%", 1);
                } else if (*s == '\0') {
                        snprintf(errbuf, errsize, "Empty formatter");
                        goto fail;
                } else if (kind_of(*s, &kind) == -1) {
                        snprintf(errbuf, errsize, "Unsupported formatter: %%%c", *s);
                        goto fail;
                } else {
                        add_tok(f, kind, 0, 0);
                }
                s++;
        }
        return f;
fail:
        fmt_destroy(f);
        return NULL;
}

fmt_t *fmt_new_default(const char *offset_delim, size_t offset_delim_len,
                       const char *key_delim, size_t key_delim_len,
                       const char *delim, size_t delim_len)
{
        size_t od = offset_delim ? offset_delim_len : 0;
        size_t kd = key_delim ? key_delim_len : 0;
        fmt_t *f;

        if (od > SIZE_MAX / 4 || kd > SIZE_MAX / 4 || delim_len > SIZE_MAX / 4)
                return NULL;
        f = fmt_alloc(od + kd + delim_len + 6);
        if (!f)
                return NULL;
        if (offset_delim) {
                add_tok(f, FMT_OFFSET, 0, 0);
                add_literal(f, offset_delim, offset_delim_len);
        }
        if (key_delim) {
                add_tok(f, FMT_KEY, 0, 0);
                add_literal(f, key_delim, key_delim_len);
        }
        add_tok(f, FMT_VALUE, 0, 0);
        add_literal(f, delim, delim_len);
        return f;
}

int fmt_set_kcat(fmt_t *f, const char *null, size_t len, const char *key_pack,
                 const char *value_pack)
{
        if (null) {
                if (!(f->null = malloc(len ? len : 1)))
                        return -1;
                memcpy(f->null, null, len);
                f->null_len = len;
        }
        if ((key_pack && !(f->pack[0] = strdup(key_pack))) ||
            (value_pack && !(f->pack[1] = strdup(value_pack))))
                return -1;
        return 0;
}

static int fmt_uses(const fmt_t *f, fmt_kind_t kind)
{
        size_t i;

        for (i = 0; i < f->tok_cnt; i++)
                if (f->toks[i].kind == kind)
                        return 1;
        return 0;
}

int fmt_uses_key(const fmt_t *f)
{
        return fmt_uses(f, FMT_KEY);
}

int fmt_uses_value(const fmt_t *f)
{
        return fmt_uses(f, FMT_VALUE);
}

const char *fmt_leading_text(const fmt_t *f, size_t *len)
{
        if (f->tok_cnt == 0 || f->toks[0].kind != FMT_LITERAL) {
                *len = 0;
                return "";
        }
        *len = f->toks[0].len;
        return f->lit + f->toks[0].off;
}

void fmt_destroy(fmt_t *f)
{
        if (!f)
                return;
        free(f->toks);
        free(f->lit);
        free(f->null);
        free(f->pack[0]);
        free(f->pack[1]);
        free(f);
}

/* ------------------------------------------------------------------- unpack */

/* `n` bytes at p as an unsigned number, big- or little-endian. */
static uint64_t read_uint(const unsigned char *p, size_t n, int little)
{
        uint64_t v = 0;
        size_t i;

        for (i = 0; i < n; i++)
                v = (v << 8) | p[little ? n - 1 - i : i];
        return v;
}

static int unpack_size(char tok)
{
        switch (tok) {
        case 'b': case 'B': case 'c': return 1;
        case 'h': case 'H': return 2;
        case 'i': case 'I': return 4;
        case 'q': case 'Q': return 8;
        default: return 0;
        }
}

/* Sign-extends the n-byte two's complement number u. */
static int64_t to_signed(uint64_t u, size_t n)
{
        uint64_t sign = (uint64_t)1 << (n * 8 - 1);

        if (n < 8 && (u & sign))
                u |= ~((sign << 1) - 1);
        return (int64_t)u;
}

int fmt_unpack(fmt_out_t *o, const char *what, const char *pack, const void *data,
               size_t len, char *errbuf, size_t errsize)
{
        const unsigned char *b = data, *end = b + len;
        const char *f;
        int little = 0, r = 0;
        size_t remaining, sz;
        uint64_t u;

        for (f = pack; *f && r == 0; f++) {
                remaining = (size_t)(end - b);
                sz = (size_t)unpack_size(*f);
                if (sz > remaining) {
                        snprintf(errbuf, errsize, "%s truncated, expected %d bytes to unpack "
                                 "%c but only %d bytes remaining",
                                 what, (int)sz, *f, (int)remaining);
                        return FMT_EFIELD;
                }
                switch (*f) {
                case ' ':
                        r = fmt_out_write(o, " ", 1);
                        break;
                case '<':
                        little = 1;
                        break;
                case '>':
                        little = 0;
                        break;
                case 'c':
                        r = fmt_out_write(o, b, 1);
                        break;
                case 's':
                        /* kcat prints it with "%.*s": up to a NUL byte */
                        r = fmt_out_write(o, b, strnlen((const char *)b, remaining));
                        b = end;
                        break;
                case '$':
                        if (remaining > 0) {
                                snprintf(errbuf, errsize,
                                         "expected %s end-of-input, but %d bytes remaining",
                                         what, (int)remaining);
                                return FMT_EFIELD;
                        }
                        break;
                case 'b': case 'h': case 'i': case 'q':
                        r = fmt_out_int(o, to_signed(read_uint(b, sz, little), sz));
                        break;
                case 'B': case 'H': case 'I': case 'Q':
                        u = read_uint(b, sz, little);
                        r = out_u64(o, u, 0);
                        break;
                default:
                        snprintf(errbuf, errsize, "Invalid pack-format token '%c'", *f);
                        return FMT_EFIELD;
                }
                if (*f != 's')
                        b += sz;
        }
        return r ? FMT_EOUT : 0;
}

/* ------------------------------------------------------------------- render */

static int render_headers(const kafkit_message_t *msg, fmt_out_t *o)
{
        size_t i, cnt = kafkit_message_header_count(msg);
        const char *name;
        const void *value;
        size_t len;

        for (i = 0; i < cnt; i++) {
                if (!kafkit_message_header(msg, i, &name, &value, &len))
                        break;
                if ((i > 0 && fmt_out_write(o, ",", 1)) ||
                    fmt_out_write(o, name, strlen(name)) ||
                    fmt_out_write(o, "=", 1))
                        return -1;
                if (value ? fmt_out_write(o, value, len)
                          : fmt_out_write(o, "NULL", 4))
                        return -1;
        }
        return 0;
}

/*
 * %k (key != 0) or %s: the view's decoded text, else the record's bytes:
 * nothing (or f->null) for a null one, nothing for an empty one, unpacked
 * with the pack-format if any.
 */
static int render_field(const fmt_t *f, const kafkit_message_t *msg, int key,
                        fmt_view_t *view, fmt_out_t *o)
{
        const char *error = NULL;
        const void *data;
        size_t len;
        int r;

        if (view && (key ? view->has_key : view->has_value)) {
                error = key ? view->key_error : view->value_error;
                if (error) {
                        snprintf(view->error, sizeof(view->error), "%s", error);
                        return FMT_EFIELD;
                }
                data = key ? view->key : view->value;
                len = key ? view->key_len : view->value_len;
                if (!data)
                        return f->null ? fmt_out_write(o, f->null, f->null_len) : 0;
                return fmt_out_write(o, data, len);
        }
        data = key ? kafkit_message_key(msg, &len) : kafkit_message_value(msg, &len);
        if (!data)
                return f->null ? fmt_out_write(o, f->null, f->null_len) : 0;
        if (len == 0)
                return 0;
        if (!f->pack[key ? 0 : 1])
                return fmt_out_write(o, data, len);
        if (view) {
                r = fmt_unpack(o, key ? "key" : "value", f->pack[key ? 0 : 1], data, len,
                               view->error, sizeof(view->error));
        } else {
                char why[256];

                r = fmt_unpack(o, key ? "key" : "value", f->pack[key ? 0 : 1], data, len,
                               why, sizeof(why));
        }
        return r;
}

static int render_tok(const fmt_t *f, const fmt_tok_t *t, const kafkit_message_t *msg,
                      fmt_view_t *view, fmt_out_t *o)
{
        unsigned char be[4];
        const void *data;
        const char *topic;
        size_t len;
        uint32_t v;

        switch (t->kind) {
        case FMT_LITERAL:
                return fmt_out_write(o, f->lit + t->off, t->len);
        case FMT_TOPIC:
                topic = kafkit_message_topic(msg);
                return topic ? fmt_out_write(o, topic, strlen(topic)) : 0;
        case FMT_PARTITION:
                return fmt_out_int(o, kafkit_message_partition(msg));
        case FMT_OFFSET:
                return fmt_out_int(o, kafkit_message_offset(msg));
        case FMT_KEY:
                return render_field(f, msg, 1, view, o);
        case FMT_VALUE:
                return render_field(f, msg, 0, view, o);
        case FMT_KEY_SIZE:
                data = kafkit_message_key(msg, &len);
                return fmt_out_int(o, data ? (int64_t)len : -1);
        case FMT_VALUE_SIZE:
                data = kafkit_message_value(msg, &len);
                return fmt_out_int(o, data ? (int64_t)len : -1);
        case FMT_VALUE_SIZE_BIN:
                data = kafkit_message_value(msg, &len);
                v = data ? (uint32_t)len : UINT32_MAX;
                be[0] = (unsigned char)(v >> 24);
                be[1] = (unsigned char)(v >> 16);
                be[2] = (unsigned char)(v >> 8);
                be[3] = (unsigned char)v;
                return fmt_out_write(o, be, 4);
        case FMT_TIMESTAMP:
                return fmt_out_int(o, kafkit_message_timestamp(msg, NULL));
        case FMT_HEADERS:
                return render_headers(msg, o);
        }
        return 0;
}

int fmt_render_view(const fmt_t *f, const kafkit_message_t *msg, fmt_view_t *view,
                    fmt_out_t *o)
{
        size_t i;
        int r;

        for (i = 0; i < f->tok_cnt; i++)
                if ((r = render_tok(f, &f->toks[i], msg, view, o)) != 0)
                        return r == FMT_EFIELD ? FMT_EFIELD : FMT_EOUT;
        if (o->len >= o->flush_at)
                return fmt_out_flush(o) ? FMT_EOUT : 0;
        return 0;
}

int fmt_render(const fmt_t *f, const kafkit_message_t *msg, fmt_out_t *o)
{
        return fmt_render_view(f, msg, NULL, o);
}
