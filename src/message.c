/*
 * message.c: accessors of consumed messages.
 *
 * A kafkit_message_t is librdkafka's rd_kafka_message_t itself (see
 * kafkit_message_wrap() in internal.h), so a poll allocates nothing of
 * kafkit's and every accessor here is a field read or a librdkafka call.
 * A message is a record, an end-of-partition event or a consumer error,
 * told apart by its error code.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

kafkit_message_kind_t kafkit_message_kind(const kafkit_message_t *msg)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        if (!rkm)
                return KAFKIT_MESSAGE_ERROR;
        if (!rkm->err)
                return KAFKIT_MESSAGE_RECORD;
        if (rkm->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
                return KAFKIT_MESSAGE_EOF;
        return KAFKIT_MESSAGE_ERROR;
}

/* "" rather than NULL for an error that concerns no topic: safe to print. */
const char *kafkit_message_topic(const kafkit_message_t *msg)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        return rkm && rkm->rkt ? rd_kafka_topic_name(rkm->rkt) : "";
}

int32_t kafkit_message_partition(const kafkit_message_t *msg)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        return rkm ? rkm->partition : -1;
}

int64_t kafkit_message_offset(const kafkit_message_t *msg)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        return rkm ? rkm->offset : -1;
}

int32_t kafkit_message_broker_id(const kafkit_message_t *msg)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        return rkm ? rd_kafka_message_broker_id(rkm) : -1;
}

/* For an error message librdkafka puts the error text in payload: no data. */
static const void *kafkit_message_bytes(const rd_kafka_message_t *rkm,
                                        const void *ptr,
                                        size_t n,
                                        size_t *len)
{
        if (!rkm || rkm->err || !ptr)
                ptr = NULL, n = 0;
        if (len)
                *len = n;
        return ptr;
}

const void *kafkit_message_key(const kafkit_message_t *msg, size_t *len)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        return kafkit_message_bytes(rkm, rkm ? rkm->key : NULL,
                                    rkm ? rkm->key_len : 0, len);
}

const void *kafkit_message_value(const kafkit_message_t *msg, size_t *len)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);

        return kafkit_message_bytes(rkm, rkm ? rkm->payload : NULL,
                                    rkm ? rkm->len : 0, len);
}

int64_t kafkit_message_timestamp(const kafkit_message_t *msg, int *type)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);
        rd_kafka_timestamp_type_t tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        int64_t ts = -1;

        if (rkm && !rkm->err)
                ts = rd_kafka_message_timestamp(rkm, &tstype);
        if (ts < 0)
                tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        if (type)
                *type = (int)tstype;
        return ts < 0 ? -1 : ts;
}

/*
 * librdkafka parses headers lazily and caches them in the message, hence
 * the non-const argument; the message is still only read by one thread.
 */
static rd_kafka_headers_t *kafkit_message_hdrs(const kafkit_message_t *msg)
{
        rd_kafka_message_t *rkm = (rd_kafka_message_t *)kafkit_message_rd(msg);
        rd_kafka_headers_t *hdrs = NULL;

        if (!rkm || rkm->err)
                return NULL;
        if (rd_kafka_message_headers(rkm, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
                return NULL;
        return hdrs;
}

size_t kafkit_message_header_count(const kafkit_message_t *msg)
{
        rd_kafka_headers_t *hdrs = kafkit_message_hdrs(msg);

        return hdrs ? rd_kafka_header_cnt(hdrs) : 0;
}

int kafkit_message_header(const kafkit_message_t *msg,
                          size_t idx,
                          const char **name,
                          const void **value,
                          size_t *len)
{
        rd_kafka_headers_t *hdrs = kafkit_message_hdrs(msg);
        const char *n = NULL;
        const void *v = NULL;
        size_t l = 0;

        if (!hdrs || rd_kafka_header_get_all(hdrs, idx, &n, &v, &l) != RD_KAFKA_RESP_ERR_NO_ERROR)
                return 0;
        if (!v)
                l = 0;
        if (name)
                *name = n;
        if (value)
                *value = v;
        if (len)
                *len = l;
        return 1;
}

/* The error text: librdkafka's own detail if any (payload, not NUL-safe). */
static void kafkit_message_errtext(const rd_kafka_message_t *rkm, char *buf, size_t size)
{
        if (rkm->payload && rkm->len > 0)
                snprintf(buf, size, "%.*s",
                         rkm->len > (size_t)INT32_MAX ? INT32_MAX : (int)rkm->len,
                         (const char *)rkm->payload);
        else
                snprintf(buf, size, "%s", rd_kafka_err2str(rkm->err));
}

kafkit_err_t kafkit_message_error(const kafkit_message_t *msg, kafkit_error_t *err)
{
        const rd_kafka_message_t *rkm = kafkit_message_rd(msg);
        char text[KAFKIT_ERRSTR_SIZE];

        if (!rkm)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "message: NULL");
        if (kafkit_message_kind(msg) != KAFKIT_MESSAGE_ERROR) {
                kafkit_error_clear(err);
                return KAFKIT_OK;
        }
        kafkit_message_errtext(rkm, text, sizeof(text));
        if (rkm->rkt && rkm->partition >= 0 && rkm->offset >= 0)
                return kafkit_err_set(err, kafkit_err_from_rd(rkm->err), rkm->err,
                                      "%s [%" PRId32 "] at offset %" PRId64 ": %s",
                                      rd_kafka_topic_name(rkm->rkt), rkm->partition,
                                      rkm->offset, text);
        if (rkm->rkt && rkm->partition >= 0)
                return kafkit_err_set(err, kafkit_err_from_rd(rkm->err), rkm->err,
                                      "%s [%" PRId32 "]: %s", rd_kafka_topic_name(rkm->rkt),
                                      rkm->partition, text);
        if (rkm->rkt)
                return kafkit_err_set(err, kafkit_err_from_rd(rkm->err), rkm->err, "%s: %s",
                                      rd_kafka_topic_name(rkm->rkt), text);
        return kafkit_err_set(err, kafkit_err_from_rd(rkm->err), rkm->err, "consumer: %s", text);
}

void kafkit_message_destroy(kafkit_message_t *msg)
{
        if (msg)
                rd_kafka_message_destroy((rd_kafka_message_t *)kafkit_message_rd(msg));
}
