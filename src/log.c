/*
 * log.c: kafkit's logging: a level-filtered call into the sink of a
 * kafkit_logger_t, the default stderr sink, and the bridge that routes
 * librdkafka's own log lines to the same sink.
 *
 * The library never writes anywhere itself; the only output is through the
 * sink, which the application picks with kafkit_conf_set_log_cb().
 */
#include "internal.h"

#include <stdio.h>

/* Longer lines are truncated: a log line is one line, not a dump. */
#define KAFKIT_LOG_LINE_SIZE 1024

void kafkit_log(const kafkit_logger_t *lg,
                int level,
                const char *facility,
                const char *fmt,
                ...)
{
        char buf[KAFKIT_LOG_LINE_SIZE];
        kafkit_log_cb_t *cb;
        va_list ap;

        if (!lg || level > lg->level || !fmt)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        cb = lg->cb ? lg->cb : kafkit_log_stderr;
        cb(lg->opaque, level, facility ? facility : "", buf);
}

/* One fprintf call, so stdio's stream lock keeps concurrent lines whole. */
void kafkit_log_stderr(void *opaque,
                       int level,
                       const char *facility,
                       const char *message)
{
        (void)opaque;
        fprintf(stderr, "%%%d|%s| %s\n", level, facility ? facility : "",
                message ? message : "");
}

/*
 * librdkafka may log from rd_kafka_new() on, and from its own threads. The
 * handle's opaque is the client struct, whose first member is its logger.
 * Without an opaque (a handle not built by a kafkit client) the line goes to
 * the default sink rather than being lost; librdkafka already applied its
 * log_level.
 */
void kafkit_rd_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
        const kafkit_logger_t *lg = rk ? rd_kafka_opaque(rk) : NULL;

        if (!lg) {
                kafkit_log_stderr(NULL, level, fac, buf);
                return;
        }
        if (level > lg->level)
                return;
        (lg->cb ? lg->cb : kafkit_log_stderr)(lg->opaque, level, fac ? fac : "",
                                              buf ? buf : "");
}
