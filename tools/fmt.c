/*
 * fmt.c: kcat-style consumer output formats and the output buffer.
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
        free(o->buf);
        o->buf = NULL;
        o->len = o->cap = 0;
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
        return o->err ? -1 : 0;
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

/* Decimal text of v, without stdio. */
static int out_int(fmt_out_t *o, int64_t v)
{
        char tmp[24];
        char *p = tmp + sizeof(tmp);
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

        do {
                *--p = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                *--p = '-';
        return fmt_out_write(o, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* ------------------------------------------------------------------ compile */

static int add_tok(fmt_t *f, fmt_kind_t kind, size_t off, size_t len)
{
        fmt_tok_t *t;

        /* Adjacent literal bytes extend the previous run. */
        if (kind == FMT_LITERAL && f->tok_cnt > 0) {
                t = &f->toks[f->tok_cnt - 1];
                if (t->kind == FMT_LITERAL && t->off + t->len == off) {
                        t->len += len;
                        return 0;
                }
        }
        t = &f->toks[f->tok_cnt++];
        t->kind = kind;
        t->off = off;
        t->len = len;
        return 0;
}

static int add_literal(fmt_t *f, const void *data, size_t len)
{
        memcpy(f->lit + f->lit_len, data, len);
        add_tok(f, FMT_LITERAL, f->lit_len, len);
        f->lit_len += len;
        return 0;
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

        f = fmt_alloc(strlen(spec));
        if (!f) {
                snprintf(errbuf, errsize, "out of memory");
                return NULL;
        }
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
                 "(known: %%t %%p %%o %%k %%s %%K %%S %%T %%h %%%%)",
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

fmt_t *fmt_new_default(const char *key_delim, size_t key_delim_len,
                       const char *delim, size_t delim_len)
{
        size_t kd = key_delim ? key_delim_len : 0;
        fmt_t *f;

        if (kd > SIZE_MAX / 2 - delim_len - 4)
                return NULL;
        f = fmt_alloc(kd + delim_len + 4);
        if (!f)
                return NULL;
        if (key_delim) {
                add_tok(f, FMT_KEY, 0, 0);
                add_literal(f, key_delim, key_delim_len);
        }
        add_tok(f, FMT_VALUE, 0, 0);
        add_literal(f, delim, delim_len);
        return f;
}

void fmt_destroy(fmt_t *f)
{
        if (!f)
                return;
        free(f->toks);
        free(f->lit);
        free(f);
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

static int render_tok(const fmt_t *f, const fmt_tok_t *t, const kafkit_message_t *msg,
                      const fmt_view_t *view, fmt_out_t *o)
{
        const void *data;
        const char *topic;
        size_t len;

        switch (t->kind) {
        case FMT_LITERAL:
                return fmt_out_write(o, f->lit + t->off, t->len);
        case FMT_TOPIC:
                topic = kafkit_message_topic(msg);
                return topic ? fmt_out_write(o, topic, strlen(topic)) : 0;
        case FMT_PARTITION:
                return out_int(o, kafkit_message_partition(msg));
        case FMT_OFFSET:
                return out_int(o, kafkit_message_offset(msg));
        case FMT_KEY:
                if (view && view->has_key)
                        return view->key ? fmt_out_write(o, view->key, view->key_len) : 0;
                data = kafkit_message_key(msg, &len);
                return data ? fmt_out_write(o, data, len) : 0;
        case FMT_VALUE:
                if (view && view->has_value)
                        return view->value ? fmt_out_write(o, view->value, view->value_len)
                                           : 0;
                data = kafkit_message_value(msg, &len);
                return data ? fmt_out_write(o, data, len) : 0;
        case FMT_KEY_SIZE:
                data = kafkit_message_key(msg, &len);
                return out_int(o, data ? (int64_t)len : -1);
        case FMT_VALUE_SIZE:
                data = kafkit_message_value(msg, &len);
                return out_int(o, data ? (int64_t)len : -1);
        case FMT_TIMESTAMP:
                return out_int(o, kafkit_message_timestamp(msg, NULL));
        case FMT_HEADERS:
                return render_headers(msg, o);
        }
        return 0;
}

int fmt_render_view(const fmt_t *f, const kafkit_message_t *msg, const fmt_view_t *view,
                    fmt_out_t *o)
{
        size_t i;

        for (i = 0; i < f->tok_cnt; i++)
                if (render_tok(f, &f->toks[i], msg, view, o))
                        return -1;
        if (o->len >= o->flush_at)
                return fmt_out_flush(o);
        return 0;
}

int fmt_render(const fmt_t *f, const kafkit_message_t *msg, fmt_out_t *o)
{
        return fmt_render_view(f, msg, NULL, o);
}
