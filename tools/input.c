/*
 * input.c: delimited input read in large chunks and split in place (see
 * input.h). The buffer holds at most one incomplete record after each
 * read: complete records are handed on and the rest is moved to the front,
 * so it grows only for a record longer than what is left of it.
 */
#define _GNU_SOURCE /* memmem */
#include "input.h"
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INPUT_READ_CHUNK (1024 * 1024)          /* bytes asked of each read(2) */
#define INPUT_INITIAL_BUF (4 * 1024 * 1024)     /* doubles for longer records */

int input_init(input_t *in, const char *delim, size_t delim_len)
{
        memset(in, 0, sizeof(*in));
        in->delim = delim;
        in->delim_len = delim_len;
        in->cap = INPUT_INITIAL_BUF;
        if (!(in->buf = malloc(in->cap))) {
                in->cap = 0;
                return -1;
        }
        return 0;
}

void input_free(input_t *in)
{
        free(in->buf);
        in->buf = NULL;
        in->cap = 0;
}

/*
 * Hands on every complete record in buf[0..len), searching for delimiters
 * from `from` on (bytes before it were searched already). Sets *used to
 * the bytes consumed (the rest is an incomplete record) and *stop when the
 * record callback asked to stop; INPUT_TOO_LARGE for a record past
 * max_record, else INPUT_EOF.
 */
static input_result_t split(input_t *in, size_t from, size_t len, size_t *used, int *stop)
{
        const char *p = in->buf, *end = in->buf + len, *q = in->buf + from, *d;

        while (q < end && !*stop) {
                if (in->delim_len == 1)
                        d = memchr(q, in->delim[0], (size_t)(end - q));
                else
                        d = memmem(q, (size_t)(end - q), in->delim, in->delim_len);
                if (!d)
                        break;
                if (in->max_record && (size_t)(d - p) > in->max_record)
                        return INPUT_TOO_LARGE;
                if (in->on_record(in->opaque, p, (size_t)(d - p)))
                        *stop = 1;
                p = q = d + in->delim_len;
        }
        *used = (size_t)(p - in->buf);
        return INPUT_EOF;
}

/* Doubles the buffer; the old one stays on failure. */
static input_result_t grow(input_t *in)
{
        char *nbuf;

        if (in->cap > SIZE_MAX / 2)
                return INPUT_BUFFER_LIMIT;
        if (!(nbuf = realloc(in->buf, in->cap * 2)))
                return INPUT_NO_MEMORY;
        in->buf = nbuf;
        in->cap *= 2;
        return INPUT_EOF;
}

/* An undelimited rest longer than the longest record plus the start of a
 * delimiter can only end in a record too large. */
static int rest_too_large(const input_t *in, size_t len)
{
        return in->max_record && len > in->max_record &&
               len - in->max_record > in->delim_len - 1;
}

input_result_t input_read(input_t *in, int fd)
{
        size_t len = 0, from = 0, used, want, dl = in->delim_len;
        input_result_t res;
        int stop = 0;
        ssize_t r;

        while (!stop && !cli_stop) {
                if (len == in->cap && (res = grow(in)) != INPUT_EOF)
                        return res;
                want = in->cap - len < INPUT_READ_CHUNK ? in->cap - len : INPUT_READ_CHUNK;
                r = read(fd, in->buf + len, want);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return INPUT_READ_ERROR;
                if (r == 0) {
                        if (cli_stop || len == 0)
                                break;
                        if (in->max_record && len > in->max_record)
                                return INPUT_TOO_LARGE;
                        in->on_record(in->opaque, in->buf, len);
                        return INPUT_EOF;
                }
                len += (size_t)r;
                if ((res = split(in, from, len, &used, &stop)) != INPUT_EOF)
                        return res;
                if (used > 0) {
                        memmove(in->buf, in->buf + used, len - used);
                        len -= used;
                }
                /* stopped (-c reached): the rest is not a record */
                if (!stop && rest_too_large(in, len))
                        return INPUT_TOO_LARGE;
                /* a delimiter may straddle the end of what was read */
                from = len >= dl ? len - dl + 1 : 0;
                if (in->on_chunk && in->on_chunk(in->opaque))
                        stop = 1;
        }
        return cli_stop || stop ? INPUT_STOPPED : INPUT_EOF;
}
