/*
 * input.h: delimited input for the producers (`kafkit produce` and kcat
 * mode -P): a file descriptor read to its end and split into records.
 *
 * Input is read with 1 MB read(2) calls into one reusable buffer (4 MB at
 * first, doubled only when a record does not fit) and split with memchr
 * (a one-byte delimiter) or memmem; a delimiter may straddle two reads.
 * Each record is handed to a callback as a pointer into the buffer, so a
 * record costs no allocation and no copy. A last record without a trailing
 * delimiter is handed on at the end of the input. The reader prints
 * nothing: it returns what went wrong and each tool words it its own way.
 */
#ifndef KAFKIT_INPUT_H
#define KAFKIT_INPUT_H

#include <stddef.h>

typedef enum input_result_e {
        INPUT_EOF = 0,          /* the input ended; its last record was handed on */
        INPUT_STOPPED,          /* a callback returned nonzero, or cli_stop was set */
        INPUT_READ_ERROR,       /* read(2) failed: errno says why */
        INPUT_TOO_LARGE,        /* a record is longer than max_record */
        INPUT_NO_MEMORY,        /* the buffer could not grow past `cap` bytes:
                                 * errno says why */
        INPUT_BUFFER_LIMIT      /* doubling `cap` would overflow size_t */
} input_result_t;

/* One record, [data, data + len) (may be empty; without the delimiter;
 * valid only during the call). Nonzero stops the reading. */
typedef int (*input_record_cb_t)(void *opaque, const char *data, size_t len);

/* Called after each read(2) once its complete records were handed on (to
 * serve a client, tick a progress line). Nonzero stops the reading. */
typedef int (*input_chunk_cb_t)(void *opaque);

typedef struct input_s {
        const char *delim;              /* not owned; at least one byte */
        size_t delim_len;
        size_t max_record;              /* longest record allowed; 0: no limit */
        input_record_cb_t on_record;
        input_chunk_cb_t on_chunk;      /* or NULL */
        void *opaque;                   /* passed to both callbacks */
        char *buf;                      /* owned; kept from one input to the next */
        size_t cap;
} input_t;

/*
 * Sets `in` up to split on `delim` (not copied: it must outlive `in`), with
 * no size limit and no callbacks (set on_record, on_chunk, opaque and
 * max_record next). Returns 0, or -1 when the buffer cannot be allocated
 * (nothing to free then).
 */
int input_init(input_t *in, const char *delim, size_t delim_len);

/*
 * Reads `fd` to its end, handing each record to on_record and calling
 * on_chunk after each read. Stops at once when a callback returns nonzero
 * or cli_stop is set (the records read but not handed on are dropped).
 * A record longer than max_record ends the reading with INPUT_TOO_LARGE,
 * as does an undelimited rest that can no longer be short enough. `fd` is
 * not closed. May be called again for another input.
 */
input_result_t input_read(input_t *in, int fd);

/* Frees the buffer; `in` may be zeroed or initialized. */
void input_free(input_t *in);

#endif /* KAFKIT_INPUT_H */
