/*
 * buf.c: kafkit_buf_t, the caller-owned growable buffer that the Avro codec
 * appends to. Reused across records, so growth is geometric and memory is
 * only given back by kafkit_buf_free().
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void kafkit_buf_init(kafkit_buf_t *buf)
{
        buf->data = NULL;
        buf->len = 0;
        buf->cap = 0;
}

void kafkit_buf_reset(kafkit_buf_t *buf)
{
        buf->len = 0;
        if (buf->data)
                buf->data[0] = '\0';
}

void kafkit_buf_free(kafkit_buf_t *buf)
{
        if (!buf)
                return;
        free(buf->data);
        kafkit_buf_init(buf);
}

/* Keeps cap > len + extra so that a NUL always fits after the data. */
kafkit_err_t kafkit_buf_reserve(kafkit_buf_t *buf, size_t extra)
{
        size_t need, cap;
        char *p;

        if (extra > SIZE_MAX - buf->len - 1)
                return KAFKIT_ERR_NOMEM;
        need = buf->len + extra + 1;
        if (need <= buf->cap)
                return KAFKIT_OK;
        cap = buf->cap ? buf->cap : 256;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        p = realloc(buf->data, cap);
        if (!p)
                return KAFKIT_ERR_NOMEM;
        buf->data = p;
        buf->cap = cap;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_buf_append(kafkit_buf_t *buf, const void *data, size_t len)
{
        if (kafkit_buf_reserve(buf, len) != KAFKIT_OK)
                return KAFKIT_ERR_NOMEM;
        if (len)
                memcpy(buf->data + buf->len, data, len);
        buf->len += len;
        buf->data[buf->len] = '\0';
        return KAFKIT_OK;
}
