/*
 * fmt.h: consumer output formats (kcat's -f tokens) compiled once into a
 * token list, and a big output buffer the records are rendered into, so the
 * per-record path neither parses nor allocates nor makes a syscall.
 */
#ifndef KAFKIT_FMT_H
#define KAFKIT_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <kafkit/kafkit.h>

/* ------------------------------------------------------------ output buffer */

/* Records rendered but not yet written: per partition the highest offset. */
typedef struct fmt_pending_s {
        char *topic;
        int32_t partition;
        int64_t offset;         /* -1: nothing pending */
} fmt_pending_t;

/* Told the topic, partition and highest offset of records now written. */
typedef void (*fmt_written_cb)(void *opaque, const char *topic, int32_t partition,
                               int64_t offset);

/*
 * Bytes waiting for write(2) to `fd`. Grows to hold one record of any size;
 * written out whenever it holds more than `flush_at` bytes and on
 * fmt_out_flush(). After a failed write `err` keeps the errno and further
 * output is dropped.
 *
 * With `written` set, fmt_out_track() notes records rendered into the
 * buffer, and each successful flush hands `written` the records it wrote
 * (so a consumer group commits only records printed); after a failed write
 * it is never called again.
 */
typedef struct fmt_out_s {
        char *buf;
        size_t len;
        size_t cap;
        size_t flush_at;
        int fd;
        int err;
        fmt_written_cb written;
        void *written_opaque;
        fmt_pending_t *pending;         /* one per partition seen */
        size_t pending_cnt;
        size_t pending_last;            /* the last one found */
} fmt_out_t;

/* Sets up `o` for `fd` with a buffer of `cap` bytes; 0, or -1 (no memory). */
int fmt_out_init(fmt_out_t *o, int fd, size_t cap);

/* Writes out what is buffered; 0, or -1 with o->err set. */
int fmt_out_flush(fmt_out_t *o);

/* Frees the buffer (without flushing). */
void fmt_out_free(fmt_out_t *o);

/*
 * Notes that `msg` (a record) has been rendered into `o` (call it after
 * rendering, including any flush the rendering did): once all of `o`'s
 * bytes so far are written, o->written is told. Allocates only for a
 * partition not seen before. 0, or -1 (no memory).
 */
int fmt_out_track(fmt_out_t *o, const kafkit_message_t *msg);

/* Appends bytes; 0, or -1 when out of memory or after a write error. */
int fmt_out_write(fmt_out_t *o, const void *data, size_t len);

/* Decimal text of v. 0, or -1 as fmt_out_write(). */
int fmt_out_int(fmt_out_t *o, int64_t v);

/*
 * `len` bytes as a JSON string, quotes included, escaped as kcat's JSON
 * library (yajl) does: \" \\ \b \f \n \r \t, other bytes below 0x20 as
 * \u00XX (upper-case hex), every other byte as it is (no UTF-8 check, '/'
 * not escaped). 0, or -1 as fmt_out_write().
 */
int fmt_out_json_str(fmt_out_t *o, const void *data, size_t len);

/* The NUL-terminated `s` (NULL: empty) escaped as fmt_out_json_str() does,
 * on `out`: without the quotes (fmt_json_chars) or with them
 * (fmt_json_str). Write errors show in ferror(out). */
void fmt_json_chars(FILE *out, const char *s);
void fmt_json_str(FILE *out, const char *s);

/* ------------------------------------------------------------------ formats */

typedef struct fmt_s fmt_t;

/* What the render functions return besides 0. */
enum {
        FMT_EOUT = -1,          /* out of memory or write error: see o->err */
        FMT_EFIELD = -2         /* a key or value could not be rendered (a
                                 * pack-format or decoding error): the
                                 * record's output so far stays in `o`, the
                                 * reason is in view->error */
};

/*
 * Compiles a kafkit-style format: %t topic, %p partition, %o offset, %k key,
 * %s value, %K key size, %S value size (-1 when null), %R value size as a
 * 4-byte big-endian int (-1 when null), %T timestamp ms (-1 when none), %h
 * headers as name=value,name=value (a null header value prints NULL), %% a
 * percent sign; escapes \n \t \r \0 \\ \xHH. A null key or value prints
 * nothing. Returns NULL with a message in errbuf for a bad token or
 * escape. The caller owns the result.
 */
fmt_t *fmt_compile(const char *spec, char *errbuf, size_t errsize);

/*
 * Compiles a format as kcat 1.7.1's -f reads it: the same tokens, and in
 * the text between them kcat's escapes: \n \t \r, \x followed by hex
 * digits (all of them, the value's low byte; "\x" before a non-digit
 * stands for that character, so "\xff" is "ff"), \ followed by a decimal
 * digit starts a C number (decimal, 0-octal or 0x-hex), and \ before any
 * other character is that character. Unlike kcat, a NUL byte (\x00, \0)
 * is output rather than cutting the text short. Errors (errbuf) are kcat's:
 * "Unsupported formatter: %c", "Empty formatter".
 */
fmt_t *fmt_compile_kcat(const char *spec, char *errbuf, size_t errsize);

/*
 * The format used without -f: [offset, offset_delim,] [key, key_delim,]
 * value, delim. The offset part only when offset_delim is not NULL, the
 * key part only when key_delim is not NULL. Delimiters are copied. NULL
 * when out of memory.
 */
fmt_t *fmt_new_default(const char *offset_delim, size_t offset_delim_len,
                       const char *key_delim, size_t key_delim_len,
                       const char *delim, size_t delim_len);

/*
 * kcat mode: `null` (`len` bytes, copied) printed by %k and %s for a null
 * key or value (kcat -Z), and pack-format strings (kcat -s; NULL: none)
 * the non-empty key and value are unpacked with by %k and %s (see
 * fmt_unpack()). 0, or -1 when out of memory.
 */
int fmt_set_kcat(fmt_t *f, const char *null, size_t len, const char *key_pack,
                 const char *value_pack);

/* 1 if the format prints the key (%k), resp. the value (%s). */
int fmt_uses_key(const fmt_t *f);
int fmt_uses_value(const fmt_t *f);

/* The text before the format's first token (kcat -J writes it after each
 * JSON object): *len 0 when the format starts with a token. */
const char *fmt_leading_text(const fmt_t *f, size_t *len);

void fmt_destroy(fmt_t *f);

/*
 * Appends one record rendered with `f` to `o`, flushing `o` when it is past
 * its threshold. 0, or FMT_EOUT.
 */
int fmt_render(const fmt_t *f, const kafkit_message_t *msg, fmt_out_t *o);

/*
 * What %k and %s print instead of the record's own bytes (decoded JSON of
 * an Avro key or value): with has_key set, %k prints key[0..key_len)
 * (nothing when key is NULL, the null text with fmt_set_kcat()), or when
 * key_error is set, rendering stops there with FMT_EFIELD and key_error
 * copied to `error`; likewise for the value. %K, %S and %R still give the
 * record's own sizes. Borrowed for one fmt_render_view() call.
 */
typedef struct fmt_view_s {
        int has_key;
        const void *key;
        size_t key_len;
        const char *key_error;
        int has_value;
        const void *value;
        size_t value_len;
        const char *value_error;
        char error[512];        /* out: why FMT_EFIELD */
} fmt_view_t;

/* Sets up an empty view (the record's own bytes). */
static inline void fmt_view_init(fmt_view_t *v)
{
        v->has_key = v->has_value = 0;
        v->key = v->value = NULL;
        v->key_len = v->value_len = 0;
        v->key_error = v->value_error = NULL;
        v->error[0] = '\0';
}

/* fmt_render() with `view` (may be NULL: the record's own bytes, and a
 * pack-format error is then reported as FMT_EFIELD without a reason).
 * 0, FMT_EOUT or FMT_EFIELD. */
int fmt_render_view(const fmt_t *f, const kafkit_message_t *msg, fmt_view_t *view,
                    fmt_out_t *o);

/*
 * Unpacks `data` (`len` bytes) with kcat's pack-format `pack` into `o`:
 * b/B signed/unsigned 8-bit, h/H 16-bit, i/I 32-bit, q/Q 64-bit integers
 * printed in decimal (with no separator: a space in `pack` prints a
 * space), c one byte as it is, s the rest up to its first NUL byte, $
 * requires the end of the input, > big-endian (the default) and <
 * little-endian for the integers after it (kcat 1.7.1 ignores '<'). Bytes
 * past the pack-format are ignored. `what` ("key" or "value") names the
 * input in errors, which are kcat's ("value truncated, expected 4 bytes to
 * unpack i but only 3 bytes remaining", "expected value end-of-input, but
 * 2 bytes remaining"); what was unpacked before the error stays in `o`.
 * Returns 0, FMT_EOUT, or FMT_EFIELD with the reason in errbuf.
 */
int fmt_unpack(fmt_out_t *o, const char *what, const char *pack, const void *data,
               size_t len, char *errbuf, size_t errsize);

#endif /* KAFKIT_FMT_H */
