/*
 * kcat_consume.c: kcat mode -C (the partitions of one topic, assigned
 * directly) and -G (a balanced consumer group over topics and ^regexes),
 * with kcat 1.7.1's output bytes, stderr messages and exit codes.
 *
 * Records arrive in batches and are rendered into one big output buffer
 * (fmt.c), written when it fills up, when the consumer has caught up, and
 * after each record with -u. -f and the default format are compiled once;
 * -J writes kcat's JSON envelope directly into the buffer. Neither
 * allocates per record once the buffers have grown.
 *
 * kcat's rules, kept here: -C -e stops each partition at its end (records
 * of a stopped partition are dropped) and exits when all are stopped; -o
 * e@TS stops a partition at its first record stamped TS or later; -G -e
 * exits when every assigned partition is at its end; -G -o starts every
 * assigned partition at that offset whatever the group committed; a
 * consumer error ends the run with exit 1; a record that cannot be
 * rendered (a pack-format or Avro error) ends it too, or with -E is
 * reported and consuming goes on. -G commits exactly the records handled
 * (a record printed only once its output is written: after a failed
 * write nothing more is committed); -C commits nothing, as kcat (its -o stored, with -X group.id, starts
 * where a group committed).
 *
 * Where kafkit deviates (README "kcat mode: deviations"): -s applies with
 * -J, '<' in pack-formats means little-endian, -Z prints NULL only for
 * null keys and values (not for empty ones), -O prints offsets, -f's \x00
 * and NUL delimiters are printed, and -C on a topic that does not exist
 * fails instead of creating it.
 */
#include "kcat.h"
#include "cli.h"
#include "codec.h"
#include "fmt.h"
#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KC_BATCH 1024                   /* events per poll */
#define KC_POLL_MS 100                  /* poll timeout: signal latency */
#define KC_OUT_BUF (4 * 1024 * 1024)

/* librdkafka's error codes that kcat's messages name. */
#define KC_ERR_INVALID_ARG (-186)       /* Local: Invalid argument or configuration */
#define KC_ERR_ALL_BROKERS_DOWN (-187)
#define KC_ERR_UNKNOWN_TOPIC 3          /* Broker: Unknown topic or partition */

/* A partition: -C indexes them by partition id, -G lists the assignment. */
typedef struct kc_part_s {
        char *topic;            /* -G only */
        int32_t partition;
        int wanted;             /* -C: being read */
        int at_eof;             /* -G -e: at its end */
        int stopped;            /* -C: stopped (end with -e, or e@TS) */
} kc_part_t;

typedef struct kc_state_s {
        kc_opts_t *o;
        kafkit_consumer_t *c;
        fmt_t *fmt;                     /* -f or the default (not with -J) */
        const char *trailer;            /* -J: text after each object */
        size_t trailer_len;
        fmt_t *trailer_fmt;             /* owns trailer when from -f */
        int avro[KC_FIELD_CNT];         /* -s ...=avro */
        const char *pack[KC_FIELD_CNT]; /* -s pack-format (not avro) */
        int decode[KC_FIELD_CNT];       /* -f: decode Avro (the format prints it) */
        codec_t codec;
        char field_err[KC_FIELD_CNT][512];
        fmt_out_t out;
        fmt_out_t scratch;              /* -J: unpacked text before escaping */
        progress_t *progress;
        kafkit_message_t *msgs[KC_BATCH];
        uint64_t rx;                    /* records handled (-c) */
        uint64_t batch_records;
        uint64_t batch_bytes;
        int run;
        int rc;
        int mark;                       /* -G: mark each handled record */
        int has_group;                  /* group.id is set */
        char member[256];               /* -G: the member id last seen */
        char member_now[256];
        kc_part_t *parts;
        size_t part_cnt;
        size_t eof_cnt;                 /* -G -e */
        size_t stop_cnt;                /* -C */
        size_t stop_thres;              /* -C: exit when stop_cnt reaches it */
} kc_state_t;

/* ---------------------------------------------------------------- messages */

/* kcat's KC_ERROR: "% ERROR: ...", plus ": terminating" (and the end of
 * the run, exit 1) unless -E. */
static void kc_error(kc_state_t *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kc_error(kc_state_t *st, const char *fmt, ...)
{
        va_list ap;

        /* what was printed before goes first (its errors show later) */
        if (st->out.len > 0)
                fmt_out_flush(&st->out);
        fputs("% ERROR: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs(st->o->exit_on_error ? ": terminating\n" : "\n", stderr);
        if (st->o->exit_on_error) {
                st->rc = 1;
                st->run = 0;
        }
}

/* The text of a kafkit error without kafkit's "where: " prefix (topic,
 * partition, offset or "consumer"), which kcat's messages put elsewhere. */
static const char *err_reason(const kafkit_error_t *err)
{
        const char *p = strstr(err->message, ": ");

        return p ? p + 2 : err->message;
}

/* librdkafka's text for a Kafka error code, else kafkit's message. */
static const char *err_text(const kafkit_error_t *err)
{
        return err->kafka_code ? kafkit_kafka_err_str(err->kafka_code) : err->message;
}

/* "t [0], t [1]\n" as kcat prints assignments. */
static void print_parts(const kafkit_partition_t *parts, size_t cnt)
{
        size_t i;

        for (i = 0; i < cnt; i++)
                fprintf(stderr, "%s%s [%d]", i > 0 ? ", " : "", parts[i].topic,
                        (int)parts[i].partition);
        fputc('\n', stderr);
}

/* -------------------------------------------------------------- partitions */

static void parts_clear(kc_state_t *st)
{
        size_t i;

        for (i = 0; i < st->part_cnt; i++)
                free(st->parts[i].topic);
        free(st->parts);
        st->parts = NULL;
        st->part_cnt = 0;
        st->eof_cnt = 0;
}

/* -C: partition `id`, or NULL when it is not read. */
static kc_part_t *part_by_id(kc_state_t *st, int32_t id)
{
        if (id < 0 || (size_t)id >= st->part_cnt || !st->parts[id].wanted)
                return NULL;
        return &st->parts[id];
}

/* -G: the assigned partition, or NULL. */
static kc_part_t *part_find(kc_state_t *st, const char *topic, int32_t partition)
{
        size_t i;

        for (i = 0; i < st->part_cnt; i++)
                if (st->parts[i].partition == partition && !strcmp(st->parts[i].topic, topic))
                        return &st->parts[i];
        return NULL;
}

/* -G: adds partitions to the assignment list. */
static void parts_add(kc_state_t *st, const kafkit_partition_t *parts, size_t cnt)
{
        kc_part_t *np;
        size_t i;

        np = realloc(st->parts, (st->part_cnt + cnt + 1) * sizeof(*np));
        if (!np) {
                kc_fatal("out of memory tracking the assignment");
                st->rc = 1;
                st->run = 0;
                return;
        }
        st->parts = np;
        for (i = 0; i < cnt; i++) {
                if (part_find(st, parts[i].topic, parts[i].partition))
                        continue;
                np = &st->parts[st->part_cnt];
                memset(np, 0, sizeof(*np));
                np->partition = parts[i].partition;
                if (!(np->topic = strdup(parts[i].topic))) {
                        kc_fatal("out of memory tracking the assignment");
                        st->rc = 1;
                        st->run = 0;
                        return;
                }
                st->part_cnt++;
        }
}

/* -G, cooperative: takes partitions off the assignment list. */
static void parts_remove(kc_state_t *st, const kafkit_partition_t *parts, size_t cnt)
{
        kc_part_t *p;
        size_t i;

        for (i = 0; i < cnt; i++) {
                if (!(p = part_find(st, parts[i].topic, parts[i].partition)))
                        continue;
                if (p->at_eof)
                        st->eof_cnt--;
                free(p->topic);
                *p = st->parts[--st->part_cnt];
        }
}

/* -C: stops reading a partition (end reached with -e, or e@TS). */
static void stop_partition(kc_state_t *st, kc_part_t *p)
{
        kafkit_error_t err;

        if (p->stopped)
                return;
        p->stopped = 1;
        kafkit_consumer_pause(st->c, st->o->topic, p->partition, &err);
        if (++st->stop_cnt >= st->stop_thres)
                st->run = 0;
}

/* ------------------------------------------------------------------ decode */

/*
 * Avro key (field KC_KEY) or value of `msg` (non-NULL `data`) as JSON text
 * in the codec's buffer. 0, or -1 with the reason in st->field_err[field].
 */
static int decode_avro(kc_state_t *st, int field, const kafkit_message_t *msg,
                       const void *data, size_t len, const void **json, size_t *json_len,
                       int32_t *schema_id)
{
        codec_role_t *r = field == KC_KEY ? &st->codec.key : &st->codec.value;
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_error_t err;
        size_t hcnt;

        const char *why;
        char prefix[300];
        size_t n;

        /* no partition and offset: kcat's messages name them already */
        ctx.topic = kafkit_message_topic(msg);
        if (codec_headers(&st->codec, msg, &hcnt))
                hcnt = 0;
        kafkit_buf_reset(&r->buf);
        kafkit_error_clear(&err);
        if (kafkit_serdes_deserialize_json(r->serdes, &ctx, data, len,
                                           hcnt ? st->codec.headers : NULL, hcnt, st->o->style,
                                           &r->buf, schema_id, &err)) {
                /* "topic 'T': value: why" -> "why" */
                why = err.message;
                n = (size_t)snprintf(prefix, sizeof(prefix), "topic '%s': %s: ", ctx.topic,
                                     r->name);
                if (n < sizeof(prefix) && !strncmp(why, prefix, n))
                        why += n;
                snprintf(st->field_err[field], sizeof(st->field_err[field]), "%s", why);
                return -1;
        }
        *json = r->buf.data ? (const void *)r->buf.data : "";
        *json_len = r->buf.len;
        return 0;
}

/* ------------------------------------------------------------------- JSON */

static int out_str(fmt_out_t *o, const char *s)
{
        return fmt_out_write(o, s, strlen(s));
}

/*
 * ,"key":... or ,"payload":... of kcat's envelope: a JSON string, null, or
 * with -s the decoded JSON (Avro, plus its schema id) or the unpacked text
 * as a string. FMT_EFIELD when it cannot be decoded (the reason in
 * st->field_err[field]).
 */
static int json_field(kc_state_t *st, int field, const kafkit_message_t *msg)
{
        fmt_out_t *o = &st->out;
        const void *data, *json;
        size_t len, json_len;
        int32_t id = -1;
        int r;

        data = field == KC_KEY ? kafkit_message_key(msg, &len) : kafkit_message_value(msg, &len);
        if (out_str(o, field == KC_KEY ? ",\"key\":" : ",\"payload\":"))
                return FMT_EOUT;
        if (!data)
                return out_str(o, "null") ? FMT_EOUT : 0;
        if (st->avro[field]) {
                if (decode_avro(st, field, msg, data, len, &json, &json_len, &id) == 0) {
                        if (fmt_out_write(o, json, json_len) ||
                            out_str(o, field == KC_KEY ? ",\"key_schema_id\":"
                                                       : ",\"value_schema_id\":") ||
                            fmt_out_int(o, id))
                                return FMT_EOUT;
                        return 0;
                }
        } else if (st->pack[field]) {
                st->scratch.len = 0;
                r = fmt_unpack(&st->scratch, field == KC_KEY ? "key" : "value",
                               st->pack[field], data, len, st->field_err[field],
                               sizeof(st->field_err[field]));
                if (r == FMT_EOUT)
                        return FMT_EOUT;
                if (r == 0)
                        return fmt_out_json_str(o, st->scratch.buf, st->scratch.len) ? FMT_EOUT
                                                                                     : 0;
        } else {
                return fmt_out_json_str(o, data, len) ? FMT_EOUT : 0;
        }
        return FMT_EFIELD;
}

/*
 * A key or value of a -J record could not be decoded: reported as kcat
 * does. Without -E the run ends and nothing of the record is printed
 * (returns FMT_EFIELD); with -E the field is null followed by
 * "key_error"/"payload_error" and the record goes on (returns 0).
 */
static int json_failed(kc_state_t *st, int field, const kafkit_message_t *msg, size_t start)
{
        fmt_out_t *o = &st->out;
        const char *why = st->field_err[field];

        if (st->o->exit_on_error)
                o->len = start;
        kc_error(st, "Failed to deserialize %s in message in %s [%d] at offset %lld: %s",
                 field == KC_KEY ? "key" : "value", kafkit_message_topic(msg),
                 (int)kafkit_message_partition(msg), (long long)kafkit_message_offset(msg), why);
        progress_add_errors(st->progress, 1);
        if (st->o->exit_on_error)
                return FMT_EFIELD;
        if (out_str(o, field == KC_KEY ? "null,\"key_error\":" : "null,\"payload_error\":") ||
            fmt_out_json_str(o, why, strlen(why)))
                return FMT_EOUT;
        return 0;
}

/* kcat -J: one envelope and the trailer (the -D delimiter by default). */
static int render_json(kc_state_t *st, const kafkit_message_t *msg)
{
        fmt_out_t *o = &st->out;
        size_t start = o->len, i, cnt, hlen;
        const char *topic = kafkit_message_topic(msg), *hname;
        const void *hvalue;
        int64_t ts;
        int type, r;

        if (out_str(o, "{\"topic\":") || fmt_out_json_str(o, topic, strlen(topic)) ||
            out_str(o, ",\"partition\":") || fmt_out_int(o, kafkit_message_partition(msg)) ||
            out_str(o, ",\"offset\":") || fmt_out_int(o, kafkit_message_offset(msg)))
                return FMT_EOUT;
        ts = kafkit_message_timestamp(msg, &type);
        if (type != 0 &&
            (out_str(o, type == 1 ? ",\"tstype\":\"create\",\"ts\":"
                                  : type == 2 ? ",\"tstype\":\"logappend\",\"ts\":"
                                              : ",\"tstype\":\"unknown\",\"ts\":") ||
             fmt_out_int(o, ts)))
                return FMT_EOUT;
        if (out_str(o, ",\"broker\":") || fmt_out_int(o, kafkit_message_broker_id(msg)))
                return FMT_EOUT;
        if ((cnt = kafkit_message_header_count(msg)) > 0) {
                if (out_str(o, ",\"headers\":["))
                        return FMT_EOUT;
                for (i = 0; i < cnt && kafkit_message_header(msg, i, &hname, &hvalue, &hlen);
                     i++) {
                        if ((i > 0 && out_str(o, ",")) ||
                            fmt_out_json_str(o, hname, strlen(hname)) || out_str(o, ",") ||
                            (hvalue ? fmt_out_json_str(o, hvalue, hlen) : out_str(o, "null")))
                                return FMT_EOUT;
                }
                if (out_str(o, "]"))
                        return FMT_EOUT;
        }
        if ((r = json_field(st, KC_KEY, msg)) == FMT_EFIELD)
                r = json_failed(st, KC_KEY, msg, start);
        if (r != 0)
                return r;
        if ((r = json_field(st, KC_VALUE, msg)) == FMT_EFIELD)
                r = json_failed(st, KC_VALUE, msg, start);
        if (r != 0)
                return r;
        if (out_str(o, "}") || fmt_out_write(o, st->trailer, st->trailer_len))
                return FMT_EOUT;
        if (o->len >= o->flush_at && fmt_out_flush(o))
                return FMT_EOUT;
        return 0;
}

/* --------------------------------------------------------------- records */

/* -f / default format: Avro keys and values the format prints are decoded
 * first (non-empty ones, as kcat does); a failure is reported when the
 * rendering reaches its token. */
static int render_fmt(kc_state_t *st, const kafkit_message_t *msg)
{
        fmt_view_t view;
        const void *data;
        size_t len;
        int32_t id;
        int field, r;

        fmt_view_init(&view);
        for (field = 0; field < KC_FIELD_CNT; field++) {
                const void **out = field == KC_KEY ? &view.key : &view.value;
                size_t *out_len = field == KC_KEY ? &view.key_len : &view.value_len;
                const char **error = field == KC_KEY ? &view.key_error : &view.value_error;
                char why[512];

                if (!st->decode[field])
                        continue;
                data = field == KC_KEY ? kafkit_message_key(msg, &len)
                                       : kafkit_message_value(msg, &len);
                if (!data || len == 0)
                        continue;
                if (field == KC_KEY)
                        view.has_key = 1;
                else
                        view.has_value = 1;
                if (decode_avro(st, field, msg, data, len, out, out_len, &id) == 0)
                        continue;
                snprintf(why, sizeof(why), "%s", st->field_err[field]);
                snprintf(st->field_err[field], sizeof(st->field_err[field]),
                         "Avro/Schema-registry %s deserialization: %.400s",
                         field == KC_KEY ? "key" : "message", why);
                *error = st->field_err[field];
        }
        r = fmt_render_view(st->fmt, msg, &view, &st->out);
        if (r == FMT_EFIELD) {
                progress_add_errors(st->progress, 1);
                kc_error(st, "Failed to format message in %s [%d] at offset %lld: %s",
                         kafkit_message_topic(msg), (int)kafkit_message_partition(msg),
                         (long long)kafkit_message_offset(msg), view.error);
        }
        return r;
}

static void output_failed(kc_state_t *st)
{
        st->run = 0;
        if (st->out.err == EPIPE)
                return; /* the reader went away (| head): stop quietly */
        if (st->out.err)
                kc_fatal("Output write error: %s", strerror(st->out.err));
        else
                kc_fatal("Output write error: out of memory");
        st->rc = 1;
}

/* -G: records whose output has been written are marked for commit; ones
 * still in the buffer when a write fails never are. */
static void on_written(void *opaque, const char *topic, int32_t partition, int64_t offset)
{
        kc_state_t *st = opaque;
        kafkit_error_t err;

        kafkit_consumer_mark_offset(st->c, topic, partition, offset, &err);
}

static void on_record(kc_state_t *st, const kafkit_message_t *msg)
{
        const kc_opts_t *o = st->o;
        kc_part_t *p = NULL;
        size_t klen, vlen;
        int r;

        if (o->mode == 'C') {
                p = part_by_id(st, kafkit_message_partition(msg));
                if (!p || p->stopped)
                        return; /* kcat stopped it: what was fetched is dropped */
        } else if (st->eof_cnt > 0) {
                p = part_find(st, kafkit_message_topic(msg), kafkit_message_partition(msg));
                if (p && p->at_eof) {
                        p->at_eof = 0;
                        st->eof_cnt--;
                }
        }
        if (o->stop_ts > 0 && p && kafkit_message_timestamp(msg, NULL) >= o->stop_ts) {
                stop_partition(st, p);
                kc_info(o, 1, "Reached stop timestamp for topic %s [%d] at offset %lld%s\n",
                        kafkit_message_topic(msg), (int)kafkit_message_partition(msg),
                        (long long)kafkit_message_offset(msg), st->run ? "" : ": exiting");
                return;
        }
        r = o->json ? render_json(st, msg) : render_fmt(st, msg);
        if (r == FMT_EOUT) {
                output_failed(st);
                return;
        }
        if (!st->run)
                return; /* a rendering error ended the run */
        /* -G: marked once its bytes are written (on_written) */
        if (st->mark && fmt_out_track(&st->out, msg)) {
                output_failed(st);
                return;
        }
        if (o->unbuffered && fmt_out_flush(&st->out))
                output_failed(st);
        kafkit_message_key(msg, &klen);
        kafkit_message_value(msg, &vlen);
        st->batch_records++;
        st->batch_bytes += klen + vlen;
        if (++st->rx == (uint64_t)o->msg_cnt)
                st->run = 0;
}

static void on_eof(kc_state_t *st, const kafkit_message_t *msg)
{
        const kc_opts_t *o = st->o;
        const char *topic = kafkit_message_topic(msg);
        int32_t partition = kafkit_message_partition(msg);
        kc_part_t *p;

        if (o->mode == 'C') {
                if (!(p = part_by_id(st, partition)) || p->stopped)
                        return;
                if (o->exit_eof)
                        stop_partition(st, p);
        } else if (o->exit_eof && (p = part_find(st, topic, partition)) && !p->at_eof) {
                p->at_eof = 1;
                if (++st->eof_cnt == st->part_cnt)
                        st->run = 0;
        }
        if (o->verbosity >= 1 && st->out.len > 0 && fmt_out_flush(&st->out))
                output_failed(st);
        kc_info(o, 1, "Reached end of topic %s [%d] at offset %lld%s\n", topic, (int)partition,
                (long long)kafkit_message_offset(msg), st->run ? "" : ": exiting");
}

/* A consumer error event: kcat ends the run (even with -E). */
static void on_error(kc_state_t *st, const kafkit_message_t *msg)
{
        kafkit_error_t err;

        kafkit_error_clear(&err);
        kafkit_message_error(msg, &err);
        if (*kafkit_message_topic(msg))
                kc_fatal("Topic %s [%d] error: %s", kafkit_message_topic(msg),
                         (int)kafkit_message_partition(msg), err_reason(&err));
        else
                kc_fatal("Consumer error: %s", err_reason(&err));
        st->rc = 1;
        st->run = 0;
}

/* A client-level error from poll, as kcat's error callback reports it. */
static void on_client_error(kc_state_t *st, const kafkit_error_t *err)
{
        const char *what = err->kafka_code ? kafkit_kafka_err_str(err->kafka_code)
                                           : kafkit_err_str(err->code);

        if (err->code == KAFKIT_ERR_FATAL) {
                kc_info(st->o, 0, "FATAL CLIENT ERROR: %s: %s: terminating\n", what,
                        err_reason(err));
                st->rc = 1;
                st->run = 0;
        } else if (err->kafka_code == KC_ERR_ALL_BROKERS_DOWN) {
                kc_error(st, "%s: %s", what, err_reason(err));
        } else {
                kc_info(st->o, 1, "ERROR: %s: %s\n", what, err_reason(err));
        }
}

static void handle(kc_state_t *st, const kafkit_message_t *msg)
{
        switch (kafkit_message_kind(msg)) {
        case KAFKIT_MESSAGE_RECORD:
                on_record(st, msg);
                break;
        case KAFKIT_MESSAGE_EOF:
                on_eof(st, msg);
                break;
        case KAFKIT_MESSAGE_ERROR:
                on_error(st, msg);
                break;
        }
}

static void loop(kc_state_t *st)
{
        kafkit_error_t err;
        size_t n, i, max;
        int64_t left;

        while (st->run && !cli_stop) {
                max = KC_BATCH;
                left = st->o->msg_cnt - (int64_t)st->rx;
                if (st->o->msg_cnt > 0 && left < KC_BATCH)
                        max = (size_t)left;
                kafkit_error_clear(&err);
                n = kafkit_consumer_poll_batch(st->c, KC_POLL_MS, st->msgs, max, &err);
                if (n == 0 && err.code != KAFKIT_OK)
                        on_client_error(st, &err);
                st->batch_records = st->batch_bytes = 0;
                for (i = 0; i < n; i++) {
                        if (st->run && !cli_stop)
                                handle(st, st->msgs[i]);
                        kafkit_message_destroy(st->msgs[i]);
                }
                progress_add(st->progress, st->batch_records, st->batch_bytes);
                progress_tick(st->progress);
                /* Caught up (or idle): show what we have now. */
                if (n < max && st->out.len > 0 && fmt_out_flush(&st->out))
                        output_failed(st);
        }
        /* (with nothing buffered it only hands on_written what is due) */
        if (fmt_out_flush(&st->out) && st->rc == 0)
                output_failed(st);
}

/* ------------------------------------------------------------- rebalance */

static void on_rebalance(kafkit_consumer_t *c, int assigned, const kafkit_partition_t *parts,
                         size_t cnt, void *opaque)
{
        kc_state_t *st = opaque;
        const kc_opts_t *o = st->o;
        const char *proto = kafkit_consumer_rebalance_protocol(c);
        char *member = st->member;

        /* leaving the group on close clears the id before the revoke */
        if (*kafkit_consumer_member_id(c, st->member_now, sizeof(st->member_now)))
                memcpy(st->member, st->member_now, sizeof(st->member));
        if (!strcmp(proto, "COOPERATIVE")) {
                kc_info(o, 1, "Group %s rebalanced: incremental %s of %d partition(s) "
                              "(memberid %s, %s rebalance protocol): ",
                        o->group, assigned ? "assignment" : "revoke", (int)cnt, member, proto);
                if (o->verbosity >= 1)
                        print_parts(parts, cnt);
                if (assigned)
                        parts_add(st, parts, cnt);
                else
                        parts_remove(st, parts, cnt);
                return;
        }
        kc_info(o, 1, "Group %s rebalanced (memberid %s): ", o->group, member);
        if (o->verbosity >= 1) {
                fputs(assigned ? "assigned: " : "revoked: ", stderr);
                print_parts(parts, cnt);
        }
        parts_clear(st);
        if (assigned)
                parts_add(st, parts, cnt);
}

/* ------------------------------------------------------------------ setup */

/*
 * The consumer's configuration: a copy of kcat mode's, with bigger
 * fetches than librdkafka's defaults (explicit settings win), no
 * librdkafka log lines with -q (as kcat), and with -G "marked" commits so
 * that exactly the records handled get committed. -C never commits (kcat
 * -C stores offsets but switches their committing off): "manual" mode
 * with nothing marked.
 */
static kafkit_conf_t *make_conf(kc_state_t *st)
{
        kc_opts_t *o = st->o;
        kafkit_conf_t *conf = kafkit_conf_dup(o->conf);
        kafkit_error_t err;
        const char *group;

        if (!conf) {
                kc_fatal("out of memory");
                return NULL;
        }
        if ((!kafkit_conf_get(conf, "fetch.message.max.bytes") &&
             kc_conf_default(conf, "max.partition.fetch.bytes", "8388608")) ||
            kc_conf_default(conf, "queued.min.messages", "1000000") ||
            kc_conf_default(conf, "queued.max.messages.kbytes", "262144") ||
            kc_conf_default(conf, "fetch.wait.max.ms", "100") ||
            (o->verbosity == 0 && !o->debug && kc_conf_default(conf, "log_level", "0")))
                goto fail;
        group = kafkit_conf_get(conf, "group.id");
        st->has_group = group && *group;
        if (o->mode == 'G') {
                if (kc_conf_default(conf, "kafkit.commit.mode", "marked"))
                        goto fail;
                st->mark = 1;
        } else if (st->has_group &&
                   kafkit_conf_set(conf, "kafkit.commit.mode", "manual", &err) != KAFKIT_OK) {
                kc_fatal("%s", err.message);
                goto fail;
        }
        if (o->mode == 'G')
                kafkit_conf_set_rebalance_cb(conf, on_rebalance, st);
        return conf;
fail:
        kafkit_conf_destroy(conf);
        return NULL;
}

/* The output format (-f, the default, or -J's trailer); 0 or exit code. */
static int make_format(kc_state_t *st)
{
        kc_opts_t *o = st->o;
        char errbuf[256];
        fmt_t *f;
        int i;

        for (i = 0; i < KC_FIELD_CNT; i++) {
                if (o->pack[i] && !strcmp(o->pack[i], "avro"))
                        st->avro[i] = 1;
                else
                        st->pack[i] = o->pack[i];
        }
        if (o->format) {
                if (!(f = fmt_compile_kcat(o->format, errbuf, sizeof(errbuf))))
                        return kc_fatal("%s", errbuf);
        } else {
                /* -O (as kcat's usage says): the offset and the -K
                 * delimiter, a tab without -K, before each record. */
                const char *od = o->key_delim ? o->key_delim : "\t";
                size_t od_len = o->key_delim ? o->key_delim_len : 1;

                f = fmt_new_default(o->print_offset ? od : NULL, od_len, o->key_delim,
                                    o->key_delim_len, o->delim, o->delim_len);
                if (!f)
                        return kc_fatal("out of memory");
        }
        if (o->json) {
                /* kcat writes the text before -f's first token (or the
                 * -D delimiter) after each object */
                st->trailer_fmt = f;
                st->trailer = fmt_leading_text(f, &st->trailer_len);
                if (!o->format) {
                        st->trailer = o->delim;
                        st->trailer_len = o->delim_len;
                }
                return 0;
        }
        st->fmt = f;
        for (i = 0; i < KC_FIELD_CNT; i++)
                st->decode[i] = st->avro[i] && (i == KC_KEY ? fmt_uses_key(f)
                                                            : fmt_uses_value(f));
        if (fmt_set_kcat(f, o->null_mode ? "NULL" : NULL, 4, st->pack[KC_KEY],
                         st->pack[KC_VALUE]))
                return kc_fatal("out of memory");
        return 0;
}

/* -s avro: the registry client and serdes (codec.c); 0 or exit code. */
static int open_codec(kc_state_t *st, kafkit_conf_t *conf)
{
        kc_opts_t *o = st->o;

        codec_init(&st->codec, "kcat", 0);
        if (!st->avro[KC_KEY] && !st->avro[KC_VALUE])
                return 0;
        st->codec.url = o->registry_url;
        st->codec.style = o->style;
        if (st->avro[KC_KEY]) {
                st->codec.key.format = CODEC_AVRO;
                st->codec.key.schema_file = o->schema_file[KC_KEY];
        }
        if (st->avro[KC_VALUE]) {
                st->codec.value.format = CODEC_AVRO;
                st->codec.value.schema_file = o->schema_file[KC_VALUE];
        }
        return codec_open(&st->codec, conf) ? 1 : 0;
}

/* -C: every partition of the topic (or -p) from the start offset. */
static int start_assign(kc_state_t *st)
{
        kc_opts_t *o = st->o;
        const kafkit_topic_info_t *t = NULL;
        kafkit_partition_t *parts = NULL;
        kafkit_metadata_t *md;
        kafkit_error_t err;
        size_t i, n = 0, max_id = 0;
        int rc = 1;

        kafkit_error_clear(&err);
        md = kafkit_consumer_metadata(st->c, NULL, o->metadata_timeout_s * 1000, &err);
        if (!md)
                return kc_fatal("Failed to query metadata for topic %s: %s", o->topic,
                                err_text(&err));
        for (i = 0; i < md->topic_cnt && !t; i++)
                if (!strcmp(md->topics[i].name, o->topic))
                        t = &md->topics[i];
        /* kafkit asks for every topic, which never creates one: a topic
         * that does not exist is reported as a broker reports it. */
        if (!t || t->kafka_code) {
                kc_fatal("Topic %s error: %s", o->topic,
                         kafkit_kafka_err_str(t ? t->kafka_code : KC_ERR_UNKNOWN_TOPIC));
                goto out;
        }
        if (t->partition_cnt == 0) {
                kc_fatal("Topic %s has no partitions", o->topic);
                goto out;
        }
        for (i = 0; i < t->partition_cnt; i++)
                if ((size_t)t->partitions[i].id > max_id)
                        max_id = (size_t)t->partitions[i].id;
        parts = calloc(t->partition_cnt, sizeof(*parts));
        st->parts = calloc(max_id + 1, sizeof(*st->parts));
        if (!parts || !st->parts) {
                kc_fatal("out of memory");
                goto out;
        }
        st->part_cnt = max_id + 1;
        for (i = 0; i < t->partition_cnt; i++) {
                int32_t id = t->partitions[i].id;

                if (o->partition >= 0 && id != o->partition)
                        continue;
                st->parts[id].partition = id;
                st->parts[id].wanted = 1;
                parts[n].topic = o->topic;
                parts[n].partition = id;
                parts[n].offset = o->offset;
                if (o->start_ts > 0) {
                        parts[n].offset.kind = KAFKIT_OFFSET_TIMESTAMP;
                        parts[n].offset.value = o->start_ts;
                }
                n++;
        }
        if (n == 0) {
                kc_fatal("Topic %s (with partitions 0..%d): partition %d does not exist",
                         o->topic, (int)t->partition_cnt - 1, (int)o->partition);
                goto out;
        }
        st->stop_thres = n;
        if (o->offset.kind == KAFKIT_OFFSET_STORED && o->start_ts <= 0 && !st->has_group) {
                /* no group.id: librdkafka's legacy consumer kcat uses says */
                kc_fatal("Failed to start consuming topic %s [%d]: %s", o->topic,
                         (int)parts[0].partition, kafkit_kafka_err_str(KC_ERR_INVALID_ARG));
                goto out;
        }
        if (kafkit_consumer_assign(st->c, parts, n, &err) != KAFKIT_OK) {
                if (o->start_ts > 0)
                        kc_fatal("offsets_for_times failed: %s", err_text(&err));
                else
                        kc_fatal("Failed to start consuming topic %s [%d]: %s", o->topic,
                                 (int)parts[0].partition, err_text(&err));
                goto out;
        }
        rc = 0;
out:
        free(parts);
        kafkit_metadata_destroy(md);
        return rc;
}

/* -G: joins the group for the operand topics. */
static int start_subscribe(kc_state_t *st)
{
        kc_opts_t *o = st->o;
        kafkit_error_t err;

        kafkit_error_clear(&err);
        if (o->operand_cnt == 0)
                return kc_fatal("Failed to subscribe to 0 topics: %s\n",
                                kafkit_kafka_err_str(KC_ERR_INVALID_ARG));
        if (o->offset_set && kafkit_consumer_set_assign_offset(st->c, &o->offset, &err))
                return kc_fatal("%s", err.message);
        if (kafkit_consumer_subscribe(st->c, (const char *const *)o->operands,
                                      (size_t)o->operand_cnt, &err) != KAFKIT_OK)
                return kc_fatal("Failed to subscribe to %d topics: %s\n", o->operand_cnt,
                                err_text(&err));
        kc_info(o, 1, "Waiting for group rebalance\n");
        return 0;
}

static int run(kc_state_t *st)
{
        kafkit_conf_t *conf;
        kafkit_error_t err;
        int rc;

        if ((rc = make_format(st)) != 0)
                return rc;
        if (!(conf = make_conf(st)))
                return 1;
        if ((rc = open_codec(st, conf)) != 0) {
                kafkit_conf_destroy(conf);
                return rc;
        }
        kafkit_error_clear(&err);
        if (!(st->c = kafkit_consumer_new(conf, &err))) {
                kafkit_conf_destroy(conf);
                return kc_fatal("Failed to create consumer: %s", err.message);
        }
        rc = st->o->mode == 'C' ? start_assign(st) : start_subscribe(st);
        if (rc == 0) {
                st->run = 1;
                loop(st);
                rc = st->rc;
        }
        progress_finish(st->progress);
        st->progress = NULL;
        if (kafkit_consumer_close(st->c, &err) != KAFKIT_OK && rc == 0)
                rc = kc_fatal("Failed to close consumer: %s\n", err_reason(&err));
        st->c = NULL;
        return rc;
}

int kc_consume(kc_opts_t *o)
{
        kc_state_t *st = calloc(1, sizeof(*st));
        int rc;

        if (!st)
                return kc_fatal("out of memory");
        st->o = o;
        codec_init(&st->codec, "kcat", 0);
        if (fmt_out_init(&st->out, STDOUT_FILENO, KC_OUT_BUF) ||
            fmt_out_init(&st->scratch, -1, 4096)) {
                rc = kc_fatal("out of memory");
                goto out;
        }
        st->out.written = on_written;
        st->out.written_opaque = st;
        st->progress = progress_start("consumed", &o->progress);
        if (!st->progress) {
                rc = 1;
                goto out;
        }
        rc = run(st);
out:
        progress_finish(st->progress);
        codec_close(&st->codec);
        fmt_destroy(st->fmt);
        fmt_destroy(st->trailer_fmt);
        fmt_out_free(&st->out);
        fmt_out_free(&st->scratch);
        parts_clear(st);
        free(st);
        return rc;
}
