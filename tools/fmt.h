/*
 * fmt.h: consumer output formats (kcat's -f tokens) compiled once into a
 * token list, and a big output buffer the records are rendered into, so the
 * per-record path neither parses nor allocates nor makes a syscall.
 */
#ifndef KAFKIT_FMT_H
#define KAFKIT_FMT_H

#include <stddef.h>
#include <kafkit/kafkit.h>

/* ------------------------------------------------------------ output buffer */

/*
 * Bytes waiting for write(2) to `fd`. Grows to hold one record of any size;
 * written out whenever it holds more than `flush_at` bytes and on
 * fmt_out_flush(). After a failed write `err` keeps the errno and further
 * output is dropped.
 */
typedef struct fmt_out_s {
        char *buf;
        size_t len;
        size_t cap;
        size_t flush_at;
        int fd;
        int err;
} fmt_out_t;

/* Sets up `o` for `fd` with a buffer of `cap` bytes; 0, or -1 (no memory). */
int fmt_out_init(fmt_out_t *o, int fd, size_t cap);

/* Writes out what is buffered; 0, or -1 with o->err set. */
int fmt_out_flush(fmt_out_t *o);

/* Frees the buffer (without flushing). */
void fmt_out_free(fmt_out_t *o);

/* Appends bytes; 0, or -1 when out of memory or after a write error. */
int fmt_out_write(fmt_out_t *o, const void *data, size_t len);

/* ------------------------------------------------------------------ formats */

typedef struct fmt_s fmt_t;

/*
 * Compiles a kcat-style format: %t topic, %p partition, %o offset, %k key,
 * %s value, %K key size, %S value size (-1 when null), %T timestamp ms
 * (-1 when none), %h headers as name=value,name=value (a null header value
 * prints NULL), %% a percent sign; escapes \n \t \r \0 \\ \xHH. A null key
 * or value prints nothing. Returns NULL with a message in errbuf for a bad
 * token or escape. The caller owns the result.
 */
fmt_t *fmt_compile(const char *spec, char *errbuf, size_t errsize);

/*
 * The format used without -f: [key, key_delim,] value, delim. The key part
 * only when key_delim is not NULL. Delimiters are copied. NULL when out of
 * memory.
 */
fmt_t *fmt_new_default(const char *key_delim, size_t key_delim_len,
                       const char *delim, size_t delim_len);

void fmt_destroy(fmt_t *f);

/*
 * Appends one record rendered with `f` to `o`, flushing `o` when it is past
 * its threshold. 0, or -1 (out of memory or write error: see o->err).
 */
int fmt_render(const fmt_t *f, const kafkit_message_t *msg, fmt_out_t *o);

/*
 * What %k and %s print instead of the record's own bytes (decoded JSON of
 * an Avro key or value): with has_key set, %k prints key[0..key_len)
 * (nothing when key is NULL); likewise for the value. %K and %S still
 * give the record's own sizes. Borrowed for one fmt_render_view() call.
 */
typedef struct fmt_view_s {
        int has_key;
        const void *key;
        size_t key_len;
        int has_value;
        const void *value;
        size_t value_len;
} fmt_view_t;

/* fmt_render() with `view` (may be NULL: the record's own bytes). */
int fmt_render_view(const fmt_t *f, const kafkit_message_t *msg, const fmt_view_t *view,
                    fmt_out_t *o);

#endif /* KAFKIT_FMT_H */
