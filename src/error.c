/*
 * error.c: kafkit's error codes, their names and texts, the helper that
 * fills a kafkit_error_t, the mapping from librdkafka codes, and versions.
 *
 * One enum plus one message (as curl does it): every fallible call fills a
 * caller-owned kafkit_error_t, so nothing here holds state.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct kafkit_err_desc_s {
        const char *name;
        const char *str;
} kafkit_err_desc_t;

/* Indexed by kafkit_err_t; a missing row would show up as NULL in tests. */
static const kafkit_err_desc_t kafkit_err_descs[KAFKIT_ERR__COUNT] = {
        [KAFKIT_OK] = { "KAFKIT_OK", "success" },
        [KAFKIT_ERR_INVALID_ARG] = { "KAFKIT_ERR_INVALID_ARG", "invalid argument" },
        [KAFKIT_ERR_NOMEM] = { "KAFKIT_ERR_NOMEM", "out of memory" },
        [KAFKIT_ERR_CONF] = { "KAFKIT_ERR_CONF", "invalid configuration" },
        [KAFKIT_ERR_IO] = { "KAFKIT_ERR_IO", "input/output error" },
        [KAFKIT_ERR_PARSE] = { "KAFKIT_ERR_PARSE", "malformed input" },
        [KAFKIT_ERR_KAFKA] = { "KAFKIT_ERR_KAFKA", "Kafka error" },
        [KAFKIT_ERR_TIMEOUT] = { "KAFKIT_ERR_TIMEOUT", "timed out" },
        [KAFKIT_ERR_QUEUE_FULL] = { "KAFKIT_ERR_QUEUE_FULL", "local queue full" },
        [KAFKIT_ERR_NOT_FOUND] = { "KAFKIT_ERR_NOT_FOUND", "not found" },
        [KAFKIT_ERR_STATE] = { "KAFKIT_ERR_STATE", "operation not valid in this state" },
        [KAFKIT_ERR_FATAL] = { "KAFKIT_ERR_FATAL", "fatal client error" },
};

static const kafkit_err_desc_t *kafkit_err_desc(kafkit_err_t code)
{
        if ((int)code < 0 || code >= KAFKIT_ERR__COUNT || !kafkit_err_descs[code].name)
                return NULL;
        return &kafkit_err_descs[code];
}

const char *kafkit_err_name(kafkit_err_t code)
{
        const kafkit_err_desc_t *d = kafkit_err_desc(code);

        return d ? d->name : "KAFKIT_ERR_UNKNOWN";
}

const char *kafkit_err_str(kafkit_err_t code)
{
        const kafkit_err_desc_t *d = kafkit_err_desc(code);

        return d ? d->str : "unknown error code";
}

void kafkit_error_clear(kafkit_error_t *err)
{
        if (!err)
                return;
        err->code = KAFKIT_OK;
        err->kafka_code = 0;
        err->message[0] = '\0';
}

const char *kafkit_kafka_err_str(int kafka_code)
{
        return rd_kafka_err2str((rd_kafka_resp_err_t)kafka_code);
}

const char *kafkit_kafka_err_name(int kafka_code)
{
        return rd_kafka_err2name((rd_kafka_resp_err_t)kafka_code);
}

const char *kafkit_version_str(void)
{
        return PACKAGE_VERSION;
}

const char *kafkit_rdkafka_version_str(void)
{
        return rd_kafka_version_str();
}

/*
 * Formats into a local buffer first so that callers may pass err->message
 * itself as an argument (to prefix it with "file:line: ").
 */
kafkit_err_t kafkit_err_set(kafkit_error_t *err,
                            kafkit_err_t code,
                            int kafka_code,
                            const char *fmt,
                            ...)
{
        char buf[KAFKIT_ERRSTR_SIZE];
        va_list ap;

        if (!err)
                return code;
        buf[0] = '\0';
        if (fmt) {
                va_start(ap, fmt);
                vsnprintf(buf, sizeof(buf), fmt, ap);
                va_end(ap);
        }
        err->code = code;
        err->kafka_code = kafka_code;
        memcpy(err->message, buf, sizeof(err->message));
        return code;
}

kafkit_err_t kafkit_err_from_rd(rd_kafka_resp_err_t rerr)
{
        switch (rerr) {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
                return KAFKIT_OK;
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
                return KAFKIT_ERR_TIMEOUT;
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                return KAFKIT_ERR_QUEUE_FULL;
        case RD_KAFKA_RESP_ERR__FATAL:
                return KAFKIT_ERR_FATAL;
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
                return KAFKIT_ERR_NOT_FOUND;
        case RD_KAFKA_RESP_ERR__INVALID_ARG:
                return KAFKIT_ERR_INVALID_ARG;
        case RD_KAFKA_RESP_ERR__STATE:
                return KAFKIT_ERR_STATE;
        case RD_KAFKA_RESP_ERR__FS:
                return KAFKIT_ERR_IO;
        default:
                return KAFKIT_ERR_KAFKA;
        }
}

int64_t kafkit_now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
