/*
 * cmd_produce.c: `kafkit produce`, records from stdin or files to a topic.
 *
 * Input is split on a delimiter (newline by default) read with large read(2)
 * calls into one reusable buffer and searched with memchr/memmem (input.c),
 * so a record costs no allocation and no copy in the tool: the producer
 * copies it. As kcat does, empty records are skipped, a final record without
 * a trailing delimiter is still sent, CR bytes are kept, and with -K a record
 * without the key delimiter is sent whole as the value with a null key.
 * Every delivery is awaited; failures are counted by the delivery callback.
 *
 * With --key-format/--value-format json or avro each key and value is JSON
 * text, checked (json) or encoded to Confluent-framed Avro through the
 * Schema Registry (avro; codec.c). A record whose text is bad is reported
 * with its source and record number (the line number with the default
 * delimiter) and the JSON path, and is not produced; the run goes on and
 * exits 1 at the end. Any other encoding failure (the registry is down)
 * stops the run.
 */
#define _GNU_SOURCE /* memmem */
#include "cli.h"
#include "codec.h"
#include "input.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POLL_EVERY 1024                /* sends between delivery polls */
#define TOPIC_LOOKUP_S 10              /* default -m: the first topic lookup */

typedef struct produce_opts_s {
        cli_common_t common;
        const char *topic;
        int32_t partition;
        int64_t count;                 /* -c, 0: no limit */
        int lookup_ms;                 /* -m, in ms */
        const char *fixed_key;         /* -k */
        char *delim;
        size_t delim_len;
        char *key_delim;               /* -K, or NULL */
        size_t key_delim_len;
        kafkit_header_t *headers;
        char **header_bufs;            /* strdup'ed -H arguments */
        size_t header_cnt;
        codec_t codec;                 /* --key-format, --value-format... */
        progress_opts_t progress;      /* --progress, --stats... */
} produce_opts_t;

typedef struct produce_state_s {
        produce_opts_t *opts;
        kafkit_producer_t *producer;
        progress_t *progress;          /* --progress, --stats */
        kafkit_record_t rec;           /* template: topic, partition, headers */
        input_t in;                    /* the input buffer, reused */
        uint64_t records;              /* handed to the producer */
        uint64_t bytes;
        uint64_t send_failed;          /* refused by kafkit_producer_send() */
        uint64_t delivery_failed;      /* seen failing in the delivery cb */
        uint64_t bad_records;          /* input the codec refused, not sent */
        const char *source;            /* input being read: "stdin" or a path */
        uint64_t recno;                /* record number in `source`, from 1 */
        unsigned since_poll;
        int stop;                      /* fatal send error or -c reached */
        int failed_input;              /* an input could not be read */
        char first_err[KAFKIT_ERRSTR_SIZE + 64];
} produce_state_t;

static void usage(FILE *out)
{
        fputs("Usage: kafkit produce -t TOPIC [options] [FILE...]\n"
              "\n"
              "Sends records read from FILEs (or stdin, also as '-'), one per line.\n"
              "Empty records are skipped; the last record needs no delimiter.\n"
              "\n"
              "  -t TOPIC          topic to produce to (required)\n"
              "  -p PARTITION      partition (default: by key, murmur2 like Java)\n"
              "  -D DELIM          record delimiter (default \\n)\n"
              "  -K DELIM          split key from value at the first DELIM; a record\n"
              "                    without DELIM is sent whole as value, null key\n"
              "  -k KEY            key of every record (-K keys take precedence)\n"
              "  -H NAME=VALUE     add a header (repeatable; NAME alone: null value)\n"
              "  -c COUNT          stop after COUNT records\n"
              "  -m SECONDS        how long the topic lookup may take (default 10)\n"
              "  --key-format FMT, --value-format FMT\n"
              "                    string (default: bytes as they are), json (one JSON\n"
              "                    value, checked) or avro (JSON text encoded as Avro\n"
              "                    in Confluent's wire format, via the Schema Registry)\n"
              "  --value-schema FILE.avsc | --value-schema-id ID | --value-subject SUBJECT\n"
              "                    the Avro schema of values: a file (registered under\n"
              "                    TOPIC-value unless -X auto.register.schemas=false),\n"
              "                    a registered id, or a subject's latest version\n"
              "  --key-schema FILE.avsc | --key-schema-id ID | --key-subject SUBJECT\n"
              "                    the same for keys (TOPIC-key)\n"
              "  --json-style STYLE  avro (default: unions as {\"type\": value}) or\n"
              "                    plain (unions as bare values, decimals as text)\n"
              "  --decimal FORM    decimals as text (\"12.34\") or bytes (Avro's JSON:\n"
              "                    code points of the two's-complement bytes); default\n"
              "                    text with --json-style plain, else bytes\n"
              "  -r URL            Schema Registry (default: schema.registry.url from\n"
              "                    -X/-F/$KAFKIT_CONF_SCHEMA_REGISTRY_URL, else\n"
              "                    http://localhost:8081)\n"
              "  -b BROKERS        bootstrap brokers (default $KAFKIT_BROKERS,\n"
              "                    else localhost:9092)\n"
              "  -X PROP=VALUE     set a configuration property (repeatable)\n"
              "  -F FILE           read properties from FILE\n"
              "  --progress        show a progress line on stderr even when it is not\n"
              "                    a terminal (-q hides it)\n"
              "  --stats FILE      append JSON statistics lines to FILE (records,\n"
              "                    bytes, rates) every --stats-interval MS (1000)\n"
              "  -q / -v           quieter / more verbose\n"
              "  -h, --help        this help\n"
              "\n"
              "Delimiters take the escapes \\n \\t \\r \\0 \\\\ \\xHH.\n"
              "The topic is looked up first (at most -m SECONDS, default 10), so an\n"
              "unreachable cluster, a missing topic or a bad -p fails at once.\n"
              "With json or avro, a bad record is reported with its input and record\n"
              "number and the JSON path (\"stdin:3: ... $.price: expected double, got\n"
              "string\") and skipped; the others are still sent, and the exit status\n"
              "is 1. A registry that cannot be reached stops the run.\n"
              "Examples:\n"
              "  printf 'k1:v1\\nk2:v2\\n' | kafkit produce -t demo -K :\n"
              "  kafkit produce -t users --value-format avro \\\n"
              "      --value-schema schemas/user_event.avsc < events.jsonl\n"
              "Exits 0 when every record was delivered, 1 if any failed or was bad,\n"
              "2 on usage errors.\n",
              out);
}

/* ------------------------------------------------------------------ delivery */

static void remember_error(produce_state_t *st, const char *what)
{
        if (!st->first_err[0])
                snprintf(st->first_err, sizeof(st->first_err), "%s", what);
}

static void on_delivery(kafkit_producer_t *producer,
                        const kafkit_delivery_t *d,
                        void *opaque)
{
        produce_state_t *st = opaque;

        (void)producer;
        if (d->code == KAFKIT_OK)
                return;
        st->delivery_failed++;
        progress_add_errors(st->progress, 1);
        remember_error(st, d->message && d->message[0]
                                   ? d->message
                                   : kafkit_err_str(d->code));
}

/* --------------------------------------------------------------------- send */

/*
 * Looks the topic up through the producer before the first record: records
 * are then partitioned at once (not piled onto one partition when metadata
 * arrives), and an unreachable cluster, a missing topic or a -p past the
 * last partition fail now, not after message.timeout.ms.
 */
static int prepare(produce_state_t *st)
{
        kafkit_error_t err;
        int32_t cnt = 0;

        if (kafkit_producer_prepare_topic(st->producer, st->opts->topic, st->opts->lookup_ms, &cnt,
                                          &err) != KAFKIT_OK) {
                cli_err_kafkit(&err);
                return -1;
        }
        if (st->opts->partition != KAFKIT_PARTITION_ANY && st->opts->partition >= cnt) {
                cli_err("partition %d does not exist: topic %s has %d partition%s",
                        (int)st->opts->partition, st->opts->topic, (int)cnt, cnt == 1 ? "" : "s");
                return -1;
        }
        return 0;
}

/*
 * Encodes the record's key and value in place (codec.c). Returns 0 to send
 * it, or -1 when it must not be sent: a bad record (reported, counted, the
 * run goes on) or a failure that stops the run.
 */
static int encode_record(produce_state_t *st, kafkit_record_t *rec)
{
        kafkit_error_t err;

        if (codec_encode_record(&st->opts->codec, rec, &err) == KAFKIT_OK)
                return 0;
        cli_err("%s:%llu: %s", st->source, (unsigned long long)st->recno, err.message);
        if (err.code == KAFKIT_ERR_PARSE) {
                st->bad_records++;
                progress_add_errors(st->progress, 1);
        } else {
                remember_error(st, err.message);
                st->failed_input = 1;
                st->stop = 1;
        }
        return -1;
}

/* One record of the input; nonzero to stop reading. */
static int send_record(void *opaque, const char *data, size_t len)
{
        produce_state_t *st = opaque;
        const produce_opts_t *o = st->opts;
        kafkit_record_t rec = st->rec;
        const char *kd;
        kafkit_error_t err;

        st->recno++;
        if (len == 0 || st->stop)
                return st->stop;
        rec.value = data;
        rec.value_len = len;
        if (o->key_delim && len >= o->key_delim_len &&
            (kd = memmem(data, len, o->key_delim, o->key_delim_len))) {
                rec.key = data;
                rec.key_len = (size_t)(kd - data);
                rec.value = kd + o->key_delim_len;
                rec.value_len = len - rec.key_len - o->key_delim_len;
        }
        if (encode_record(st, &rec))
                return st->stop;
        if (kafkit_producer_send(st->producer, &rec, NULL, &err) != KAFKIT_OK) {
                st->send_failed++;
                progress_add_errors(st->progress, 1);
                remember_error(st, err.message[0] ? err.message
                                                  : kafkit_err_str(err.code));
                /* A full queue after kafkit.produce.block.ms or a fatal
                 * client will not get better: stop reading. */
                if (err.code == KAFKIT_ERR_FATAL || err.code == KAFKIT_ERR_QUEUE_FULL)
                        st->stop = 1;
        }
        st->records++;
        st->bytes += len;
        progress_add(st->progress, 1, rec.key_len + rec.value_len);
        if (o->count > 0 && (int64_t)st->records >= o->count)
                st->stop = 1;
        if (++st->since_poll >= POLL_EVERY) {
                st->since_poll = 0;
                kafkit_producer_poll(st->producer, 0);
        }
        return st->stop;
}

/* After each read: the progress line. */
static int after_read(void *opaque)
{
        produce_state_t *st = opaque;

        progress_tick(st->progress);
        return st->stop;
}

/* Reads `fd` to its end (or until stopped), sending its records. */
static int produce_fd(produce_state_t *st, int fd, const char *source)
{
        switch (input_read(&st->in, fd)) {
        case INPUT_EOF:
        case INPUT_STOPPED:
                return 0;
        case INPUT_READ_ERROR:
                cli_err("%s: %s", source, strerror(errno));
                break;
        case INPUT_NO_MEMORY:
                cli_err("%s: out of memory for a record longer than %zu bytes", source,
                        st->in.cap);
                break;
        case INPUT_TOO_LARGE: /* no max_record */
        case INPUT_BUFFER_LIMIT:
                cli_err("%s: record too long", source);
                break;
        }
        return -1;
}

static int produce_input(produce_state_t *st, const char *path)
{
        int fd, rc;

        st->recno = 0;
        st->source = strcmp(path, "-") ? path : "stdin";
        if (!strcmp(path, "-"))
                return produce_fd(st, STDIN_FILENO, "stdin");
        fd = open(path, O_RDONLY);
        if (fd == -1) {
                cli_err("%s: %s", path, strerror(errno));
                return -1;
        }
        rc = produce_fd(st, fd, path);
        close(fd);
        return rc;
}

/* ----------------------------------------------------------------- options */

static int add_header(produce_opts_t *o, const char *arg)
{
        char *copy = strdup(arg), *eq;
        kafkit_header_t *h = &o->headers[o->header_cnt];

        if (!copy) {
                cli_err("out of memory");
                return -1;
        }
        o->header_bufs[o->header_cnt++] = copy;
        eq = strchr(copy, '=');
        h->name = copy;
        h->value = NULL; /* "name" alone: a null header, as kcat */
        h->value_len = 0;
        if (eq) {
                *eq = '\0';
                h->value = eq + 1;
                h->value_len = strlen(eq + 1);
        }
        if (!*copy) {
                cli_usage_err("produce", "-H \"%s\": empty header name", arg);
                return -1;
        }
        return 0;
}

static void opts_free(produce_opts_t *o)
{
        size_t i;

        for (i = 0; i < o->header_cnt; i++)
                free(o->header_bufs[i]);
        free(o->header_bufs);
        free(o->headers);
        free(o->delim);
        free(o->key_delim);
        codec_close(&o->codec);
        cli_common_free(&o->common);
}

static int opts_alloc(produce_opts_t *o, int argc)
{
        memset(o, 0, sizeof(*o));
        o->partition = KAFKIT_PARTITION_ANY;
        o->lookup_ms = TOPIC_LOOKUP_S * 1000;
        progress_opts_init(&o->progress);
        codec_init(&o->codec, "produce", 1);
        if (cli_common_init(&o->common, "produce", argc))
                return -1;
        o->headers = calloc((size_t)argc, sizeof(*o->headers));
        o->header_bufs = calloc((size_t)argc, sizeof(*o->header_bufs));
        if (!o->headers || !o->header_bufs) {
                cli_err("out of memory");
                return -1;
        }
        return 0;
}

/* One option; 0, -1 for a usage error already printed, 1 for --help. */
static int take_opt(void *opts, int opt, const char *arg)
{
        produce_opts_t *o = opts;
        int64_t v;
        int r;

        if (cli_common_opt(&o->common, opt, arg)) {
                if (opt == 'q')
                        progress_opts_quiet(&o->progress);
                return 0;
        }
        if ((r = codec_opt(&o->codec, opt, arg)) != 0 ||
            (r = cli_progress_opt("produce", &o->progress, opt, arg)) != 0)
                return r == 1 ? 0 : -1;
        switch (opt) {
        case 't':
                o->topic = arg;
                return 0;
        case 'p':
                if (cli_parse_i64(arg, -1, INT32_MAX, &v)) {
                        cli_usage_err("produce", "-p \"%s\": not a partition", arg);
                        return -1;
                }
                o->partition = (int32_t)v;
                return 0;
        case 'c':
                if (cli_parse_i64(arg, 1, INT64_MAX, &v)) {
                        cli_usage_err("produce", "-c \"%s\": not a positive count", arg);
                        return -1;
                }
                o->count = v;
                return 0;
        case 'k':
                o->fixed_key = arg;
                return 0;
        case 'm':
                if (cli_parse_i64(arg, 1, 86400, &v)) {
                        cli_usage_err("produce", "-m \"%s\": not a number of seconds (1-86400)",
                                      arg);
                        return -1;
                }
                o->lookup_ms = (int)v * 1000;
                return 0;
        case 'D':
                return cli_parse_delim("produce", "-D", arg, &o->delim, &o->delim_len);
        case 'K':
                return cli_parse_delim("produce", "-K", arg, &o->key_delim,
                                       &o->key_delim_len);
        case 'H':
                return add_header(o, arg);
        case 'h':
                return 1;
        default:
                cli_usage_err("produce", "unknown option");
                return -1;
        }
}

/* Parses argv; returns -1 to go on, or an exit code. */
static int parse_args(produce_opts_t *o, int argc, char **argv)
{
        static const struct option longopts[] = {
                { "help", no_argument, NULL, 'h' },
                PROGRESS_LONGOPTS,
                CODEC_LONGOPTS,
                { NULL, 0, NULL, 0 }
        };
        int rc = cli_parse_opts("produce", argc, argv, ":t:p:c:k:m:D:K:H:r:h" CLI_COMMON_OPTS,
                                longopts, take_opt, o, usage);

        if (rc != -1)
                return rc;
        if (!o->topic)
                return cli_usage_err("produce", "-t TOPIC is required");
        if ((rc = codec_check(&o->codec)) >= 0)
                return rc;
        if (!o->delim && cli_parse_delim("produce", "-D", "\\n", &o->delim, &o->delim_len))
                return CLI_EXIT_FAILURE;
        return -1;
}

/* ------------------------------------------------------------------- main */

static kafkit_producer_t *make_producer(produce_state_t *st, int *rc)
{
        produce_opts_t *o = st->opts;
        kafkit_conf_t *conf = cli_conf_build(&o->common, rc);
        kafkit_producer_t *p;
        kafkit_error_t err;

        if (!conf)
                return NULL;
        if ((*rc = codec_open(&o->codec, conf)) != 0) {
                kafkit_conf_destroy(conf);
                return NULL;
        }
        kafkit_conf_set_delivery_cb(conf, on_delivery, st);
        p = kafkit_producer_new(conf, &err);
        if (!p) {
                cli_err_kafkit(&err);
                kafkit_conf_destroy(conf);
                *rc = err.code == KAFKIT_ERR_CONF ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
        }
        return p;
}

/* Waits for every delivery, then closes; returns records not delivered. */
static uint64_t finish(produce_state_t *st)
{
        kafkit_error_t err;
        size_t remaining = 1;
        uint64_t lost;

        while (remaining > 0 && !cli_stop) {
                if (kafkit_producer_flush(st->producer, 200, &remaining, &err) !=
                            KAFKIT_OK &&
                    err.code != KAFKIT_ERR_TIMEOUT) {
                        remember_error(st, err.message);
                        break;
                }
                progress_tick(st->progress);
        }
        /* Interrupted: give in-flight records a moment, then give up. */
        lost = kafkit_producer_close(st->producer, remaining ? 3000 : 1000);
        st->producer = NULL;
        return lost;
}

static int run(produce_state_t *st, char **inputs, int input_cnt)
{
        const produce_opts_t *o = st->opts;
        uint64_t lost, failed;
        struct timespec t0, t1;
        int i;

        if (prepare(st)) {
                kafkit_producer_close(st->producer, 0);
                st->producer = NULL;
                return CLI_EXIT_FAILURE;
        }
        st->progress = progress_start("produced", &o->progress);
        if (!st->progress) {
                kafkit_producer_close(st->producer, 0);
                st->producer = NULL;
                return CLI_EXIT_FAILURE;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (input_cnt == 0 && produce_input(st, "-"))
                st->failed_input = 1;
        for (i = 0; i < input_cnt && !st->stop && !cli_stop; i++)
                if (produce_input(st, inputs[i]))
                        st->failed_input = 1;
        lost = finish(st);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        progress_finish(st->progress);
        st->progress = NULL;
        failed = st->send_failed + (lost > st->delivery_failed ? lost : st->delivery_failed);
        if (st->bad_records > 0)
                cli_err("%llu of %llu records not produced: their text does not "
                        "fit the format (see above)", (unsigned long long)st->bad_records,
                        (unsigned long long)(st->records + st->bad_records));
        if (failed > 0)
                cli_err("%llu of %llu records failed; first error: %s",
                        (unsigned long long)failed, (unsigned long long)st->records,
                        st->first_err[0] ? st->first_err : "not delivered in time");
        else if (cli_verbosity >= 2)
                fprintf(stderr, "%% Produced %llu records (%llu bytes) to %s in %.3fs\n",
                        (unsigned long long)st->records, (unsigned long long)st->bytes,
                        o->topic,
                        (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
        return failed > 0 || st->failed_input || st->bad_records ? CLI_EXIT_FAILURE
                                                                 : CLI_EXIT_OK;
}

int cmd_produce(int argc, char **argv)
{
        produce_opts_t o;
        produce_state_t st;
        int rc;

        if (opts_alloc(&o, argc)) {
                opts_free(&o);
                return CLI_EXIT_FAILURE;
        }
        rc = parse_args(&o, argc, argv);
        if (rc != -1)
                goto out;
        memset(&st, 0, sizeof(st));
        st.opts = &o;
        st.rec = (kafkit_record_t)KAFKIT_RECORD_INIT;
        st.rec.topic = o.topic;
        st.rec.partition = o.partition;
        st.rec.headers = o.header_cnt ? o.headers : NULL;
        st.rec.header_cnt = o.header_cnt;
        if (o.fixed_key) {
                st.rec.key = o.fixed_key;
                st.rec.key_len = strlen(o.fixed_key);
        }
        if (input_init(&st.in, o.delim, o.delim_len)) {
                cli_err("out of memory");
                rc = CLI_EXIT_FAILURE;
                goto out;
        }
        st.in.on_record = send_record;
        st.in.on_chunk = after_read;
        st.in.opaque = &st;
        cli_install_signals();
        st.producer = make_producer(&st, &rc);
        if (st.producer)
                rc = run(&st, argv + optind, argc - optind);
        input_free(&st.in);
out:
        opts_free(&o);
        return rc;
}
