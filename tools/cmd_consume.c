/*
 * cmd_consume.c: `kafkit consume`, records of topics to stdout.
 *
 * Without -G the partitions are assigned directly (kcat -C); with -G the
 * consumer joins that group and subscribes (kcat -G). Records arrive in
 * batches (kafkit_consumer_poll_batch) and are rendered with a format
 * compiled once (fmt.c) into a large output buffer written with write(2)
 * when it fills up and whenever the consumer has caught up, so a fast
 * stream costs few syscalls and a slow one still shows each record at once.
 * As kcat, the default start offset is the beginning of each partition, a
 * null key or value prints nothing, and -c stops after COUNT records. With
 * -G the start is the group's committed offset, and for a partition without
 * one the beginning (or the end with -o end).
 *
 * With --key-format/--value-format avro each key and value is decoded from
 * Confluent's wire format through the Schema Registry and printed as JSON
 * (codec.c); json checks the text. A record that cannot be decoded is
 * reported on stderr with its topic, partition and offset and skipped (it
 * still counts for -c), and the exit status is 1 at the end.
 */
#include "cli.h"
#include "codec.h"
#include "fmt.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 1024                      /* events per poll */
#define POLL_MS 100                     /* poll timeout: signal latency */
#define OUT_BUF (4 * 1024 * 1024)

typedef struct consume_opts_s {
        cli_common_t common;
        const char **topics;
        size_t topic_cnt;
        const char *group;
        int32_t partition;              /* -1: every partition */
        const char *offset_text;        /* -o as given, or NULL */
        kafkit_offset_t offset;
        int64_t count;                  /* -c, 0: no limit */
        int exit_at_end;                /* -e */
        int keep_going;                 /* -E */
        const char *format;             /* -f */
        char *delim;                    /* -D, default \n */
        size_t delim_len;
        char *key_delim;                /* -K, or NULL */
        size_t key_delim_len;
        codec_t codec;                  /* --key-format, --value-format... */
        progress_opts_t progress;       /* --progress, --stats... */
} consume_opts_t;

typedef struct consume_state_s {
        consume_opts_t *opts;
        kafkit_consumer_t *consumer;
        fmt_t *fmt;
        fmt_out_t out;
        progress_t *progress;
        kafkit_message_t *msgs[BATCH];
        uint64_t records;
        uint64_t batch_records;         /* for the progress line */
        uint64_t batch_bytes;
        uint64_t undecodable;           /* records skipped: key/value bad */
        int done;
        int at_end;     /* -e: every partition reached its end in this batch */
        int rc;
} consume_state_t;

static void usage(FILE *out)
{
        fputs("Usage: kafkit consume -t TOPIC [options]\n"
              "\n"
              "Prints records of TOPIC (or, with -G, of every -t topic or ^regex).\n"
              "\n"
              "  -t TOPIC          topic (repeatable with -G; ^regex with -G)\n"
              "  -G GROUP          consume as member of GROUP (commits offsets)\n"
              "  -p PARTITION      only this partition (not with -G)\n"
              "  -o OFFSET         beginning (default) | end | stored | N | -N (last N)\n"
              "                    | s@MS (first at or after time MS); with -G only\n"
              "                    beginning | end | stored, for partitions with no\n"
              "                    committed offset (default beginning)\n"
              "  -c COUNT          exit after COUNT records\n"
              "  -e                exit when every partition reached its end\n"
              "  -E                do not exit on non-fatal consumer errors\n"
              "  -f FORMAT         output format, tokens: %t topic, %p partition,\n"
              "                    %o offset, %k key, %s value, %K key size, %S value\n"
              "                    size (-1: null), %R value size as a 4-byte\n"
              "                    big-endian int, %T timestamp ms, %h headers\n"
              "                    (name=value,...), %% percent; escapes \\n \\t \\r\n"
              "                    \\0 \\\\ \\xHH\n"
              "  -D DELIM          without -f: written after each value (default \\n)\n"
              "  -K DELIM          without -f: print the key and DELIM before the value\n"
              "  --key-format FMT, --value-format FMT\n"
              "                    string (default: bytes as they are), json (checked\n"
              "                    JSON text) or avro (Confluent's wire format, printed\n"
              "                    as JSON; %k and %s print the JSON)\n"
              "  --value-schema FILE.avsc | --value-schema-id ID | --value-subject SUBJECT\n"
              "                    optional reader schema: values are resolved to it\n"
              "                    (Avro's rules) instead of printed as written\n"
              "  --key-schema FILE.avsc | --key-schema-id ID | --key-subject SUBJECT\n"
              "                    the same for keys\n"
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
              "  -q / -v           quieter / more verbose (-v: end-of-partition notes)\n"
              "  -h, --help        this help\n"
              "\n"
              "Null keys and values print as nothing. SIGINT/SIGTERM stop cleanly\n"
              "(offsets committed with -G). A record that cannot be decoded is\n"
              "reported on stderr (topic, partition, offset, why) and skipped.\n"
              "Exits 0, 1 on errors (or skipped records), 2 on usage errors.\n"
              "Example:\n"
              "  kafkit consume -t users -e --value-format avro --json-style plain \\\n"
              "      -r http://127.0.0.1:8081 -f '%k %s\\n'\n",
              out);
}

/* ----------------------------------------------------------------- options */

static int parse_count(consume_opts_t *o, const char *arg)
{
        if (cli_parse_i64(arg, 1, INT64_MAX, &o->count) == 0)
                return 0;
        cli_usage_err("consume", "-c \"%s\": not a positive count", arg);
        return -1;
}

static int parse_partition(consume_opts_t *o, const char *arg)
{
        int64_t v;

        if (cli_parse_i64(arg, 0, INT32_MAX, &v) == 0) {
                o->partition = (int32_t)v;
                return 0;
        }
        cli_usage_err("consume", "-p \"%s\": not a partition", arg);
        return -1;
}

static int parse_offset(consume_opts_t *o, const char *arg)
{
        kafkit_error_t err;

        if (kafkit_offset_parse(arg, &o->offset, &err) == KAFKIT_OK) {
                o->offset_text = arg;
                return 0;
        }
        cli_usage_err("consume", "-o: %s", err.message[0] ? err.message : arg);
        return -1;
}

/* One option; 0, -1 for a usage error already printed, 1 for --help. */
static int take_opt(void *opts, int opt, const char *arg)
{
        consume_opts_t *o = opts;
        int r;

        if (cli_common_opt(&o->common, opt, arg)) {
                if (opt == 'q')
                        progress_opts_quiet(&o->progress);
                return 0;
        }
        if ((r = codec_opt(&o->codec, opt, arg)) != 0 ||
            (r = cli_progress_opt("consume", &o->progress, opt, arg)) != 0)
                return r == 1 ? 0 : -1;
        switch (opt) {
        case 't': o->topics[o->topic_cnt++] = arg; return 0;
        case 'G': o->group = arg; return 0;
        case 'p': return parse_partition(o, arg);
        case 'o': return parse_offset(o, arg);
        case 'c': return parse_count(o, arg);
        case 'e': o->exit_at_end = 1; return 0;
        case 'E': o->keep_going = 1; return 0;
        case 'f': o->format = arg; return 0;
        case 'D':
                return cli_parse_delim("consume", "-D", arg, &o->delim, &o->delim_len);
        case 'K':
                return cli_parse_delim("consume", "-K", arg, &o->key_delim,
                                       &o->key_delim_len);
        case 'h': return 1;
        default:
                cli_usage_err("consume", "unknown option");
                return -1;
        }
}

/* Combinations getopt cannot check. Returns -1 if fine, else an exit code. */
static int check_opts(consume_opts_t *o)
{
        size_t i;
        int rc;

        if (o->topic_cnt == 0)
                return cli_usage_err("consume", "-t TOPIC is required");
        if ((rc = codec_check(&o->codec)) >= 0)
                return rc;
        if (o->group) {
                if (o->partition >= 0)
                        return cli_usage_err("consume", "-p cannot be used with -G: "
                                             "the group assigns partitions");
                if (o->offset_text && o->offset.kind != KAFKIT_OFFSET_BEGINNING &&
                    o->offset.kind != KAFKIT_OFFSET_END &&
                    o->offset.kind != KAFKIT_OFFSET_STORED)
                        return cli_usage_err("consume", "-o %s: with -G only beginning, "
                                             "end or stored", o->offset_text);
                return -1;
        }
        if (o->topic_cnt > 1)
                return cli_usage_err("consume", "several -t need -G GROUP");
        for (i = 0; i < o->topic_cnt; i++)
                if (o->topics[i][0] == '^')
                        return cli_usage_err("consume", "-t %s: a regex needs -G GROUP",
                                             o->topics[i]);
        return -1;
}

/* Parses argv; returns -1 to go on, or an exit code. */
static int parse_args(consume_opts_t *o, int argc, char **argv)
{
        static const struct option longopts[] = {
                { "help", no_argument, NULL, 'h' },
                PROGRESS_LONGOPTS,
                CODEC_LONGOPTS,
                { NULL, 0, NULL, 0 }
        };
        int rc = cli_parse_opts("consume", argc, argv, ":t:G:p:o:c:eEf:D:K:r:h" CLI_COMMON_OPTS,
                                longopts, take_opt, o, usage);

        if (rc != -1)
                return rc;
        if (optind < argc)
                return cli_usage_err("consume", "unexpected argument \"%s\"", argv[optind]);
        return check_opts(o);
}

static int opts_alloc(consume_opts_t *o, int argc)
{
        memset(o, 0, sizeof(*o));
        o->partition = -1;
        o->offset.kind = KAFKIT_OFFSET_BEGINNING;
        progress_opts_init(&o->progress);
        codec_init(&o->codec, "consume", 0);
        if (cli_common_init(&o->common, "consume", argc))
                return -1;
        o->topics = calloc((size_t)argc, sizeof(*o->topics));
        if (!o->topics) {
                cli_err("out of memory");
                return -1;
        }
        return 0;
}

static void opts_free(consume_opts_t *o)
{
        free(o->topics);
        free(o->delim);
        free(o->key_delim);
        codec_close(&o->codec);
        cli_common_free(&o->common);
}

/* ------------------------------------------------------------------- setup */

/*
 * librdkafka's consumer defaults favour memory over speed: 1 MB fetched per
 * partition per request. Bigger fetches and a deeper local queue let one
 * consumer keep up with a fast topic. The partition lookup before reading
 * waits up to socket.timeout.ms (60 s by default): a command line tool
 * should give up sooner on an unreachable cluster, as kcat does after 5 s.
 * Explicit settings still win.
 */
static kafkit_err_t set_cli_defaults(kafkit_conf_t *conf, kafkit_error_t *err)
{
        if (cli_conf_default(conf, "socket.timeout.ms", NULL, "10000", err) ||
            cli_conf_default(conf, "max.partition.fetch.bytes", "fetch.message.max.bytes",
                             "8388608", err) ||
            cli_conf_default(conf, "queued.min.messages", NULL, "1000000", err) ||
            cli_conf_default(conf, "queued.max.messages.kbytes", NULL, "262144", err) ||
            cli_conf_default(conf, "fetch.wait.max.ms", NULL, "100", err))
                return err->code;
        return KAFKIT_OK;
}

/* -G: the group, and where partitions without a committed offset start. */
static kafkit_err_t set_group(const consume_opts_t *o, kafkit_conf_t *conf,
                              kafkit_error_t *err)
{
        const char *reset = "earliest";

        if (kafkit_conf_set(conf, "group.id", o->group, err))
                return err->code;
        /* commit only what was printed (see on_written) */
        if (cli_conf_default(conf, "kafkit.commit.mode", NULL, "marked", err))
                return err->code;
        if (o->offset_text && o->offset.kind == KAFKIT_OFFSET_END)
                reset = "latest";
        if (o->offset_text && o->offset.kind != KAFKIT_OFFSET_STORED)
                return kafkit_conf_set(conf, "auto.offset.reset", reset, err);
        return cli_conf_default(conf, "auto.offset.reset", "topic.auto.offset.reset", reset,
                                err);
}

static kafkit_consumer_t *make_consumer(consume_opts_t *o, int *rc)
{
        kafkit_conf_t *conf = cli_conf_build(&o->common, rc);
        kafkit_consumer_t *c = NULL;
        kafkit_error_t err;

        if (!conf)
                return NULL;
        if ((*rc = codec_open(&o->codec, conf)) != 0) {
                kafkit_conf_destroy(conf);
                return NULL;
        }
        kafkit_error_clear(&err);
        if (set_cli_defaults(conf, &err) ||
            (o->group && set_group(o, conf, &err))) {
                *rc = CLI_EXIT_USAGE;
                goto fail;
        }
        c = kafkit_consumer_new(conf, &err);
        if (c)
                return c;
        *rc = err.code == KAFKIT_ERR_CONF ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
fail:
        cli_err_kafkit(&err);
        kafkit_conf_destroy(conf);
        return NULL;
}

static int start(consume_state_t *st)
{
        const consume_opts_t *o = st->opts;
        kafkit_error_t err;
        kafkit_err_t code;

        if (o->group)
                code = kafkit_consumer_subscribe(st->consumer, o->topics, o->topic_cnt,
                                                 &err);
        else
                code = kafkit_consumer_assign_topic(st->consumer, o->topics[0],
                                                    o->partition, &o->offset, &err);
        if (code == KAFKIT_OK)
                return 0;
        cli_err_kafkit(&err);
        return -1;
}

static int make_format(consume_state_t *st)
{
        const consume_opts_t *o = st->opts;
        char errbuf[512];

        if (o->format) {
                st->fmt = fmt_compile(o->format, errbuf, sizeof(errbuf));
                if (!st->fmt) {
                        cli_usage_err("consume", "-f: %s", errbuf);
                        return CLI_EXIT_USAGE;
                }
        } else {
                st->fmt = fmt_new_default(NULL, 0, o->key_delim, o->key_delim_len,
                                          o->delim ? o->delim : "\n",
                                          o->delim ? o->delim_len : 1);
                if (!st->fmt) {
                        cli_err("out of memory");
                        return CLI_EXIT_FAILURE;
                }
        }
        return CLI_EXIT_OK;
}

/* -------------------------------------------------------------------- loop */

static void output_failed(consume_state_t *st)
{
        if (st->out.err && st->out.err != EPIPE) {
                cli_err("stdout: %s", strerror(st->out.err));
                st->rc = CLI_EXIT_FAILURE;
        } else if (!st->out.err) {
                cli_err("out of memory for output");
                st->rc = CLI_EXIT_FAILURE;
        }
        /* EPIPE: the reader went away (| head); stop quietly. */
        st->done = 1;
}

static void on_error(consume_state_t *st, const kafkit_message_t *msg)
{
        kafkit_error_t err;

        kafkit_error_clear(&err);
        kafkit_message_error(msg, &err);
        cli_err_kafkit(&err);
        if (!st->opts->keep_going || err.code == KAFKIT_ERR_FATAL) {
                st->rc = CLI_EXIT_FAILURE;
                st->done = 1;
        }
}

static void on_eof(consume_state_t *st, const kafkit_message_t *msg)
{
        if (cli_verbosity >= 2)
                fprintf(stderr, "%% Reached end of topic %s [%d] at offset %lld\n",
                        kafkit_message_topic(msg), (int)kafkit_message_partition(msg),
                        (long long)kafkit_message_offset(msg));
        /* at_end() already counts every event of the current batch, so
         * records after this EOF in the batch are still to be printed:
         * stop once the batch is done, not here. */
        if (st->opts->exit_at_end && kafkit_consumer_at_end(st->consumer))
                st->at_end = 1;
}

/*
 * The decoded key and value of a record, when a format asks for decoding.
 * Returns 0, or -1 after reporting a record that cannot be decoded.
 */
static int decode(consume_state_t *st, const kafkit_message_t *msg, fmt_view_t *view)
{
        codec_t *c = &st->opts->codec;
        kafkit_error_t err;

        fmt_view_init(view);
        kafkit_error_clear(&err);
        if (c->key.format != CODEC_STRING) {
                view->has_key = 1;
                if (codec_decode(c, &c->key, msg, &view->key, &view->key_len, &err))
                        goto bad;
        }
        if (c->value.format != CODEC_STRING) {
                view->has_value = 1;
                if (codec_decode(c, &c->value, msg, &view->value, &view->value_len, &err))
                        goto bad;
        }
        return 0;
bad:
        /* What is printed so far goes first, so the report lands after the
         * records before it. */
        if (fmt_out_flush(&st->out))
                output_failed(st);
        if (err.code != KAFKIT_ERR_PARSE && err.code != KAFKIT_ERR_NOT_FOUND) {
                /* Not the record's fault (the registry is down): every
                 * next record would fail the same way. */
                cli_err("%s", err.message);
                st->rc = CLI_EXIT_FAILURE;
                st->done = 1;
                return -1;
        }
        cli_err("%s; skipped", err.message);
        st->undecodable++;
        progress_add_errors(st->progress, 1);
        return -1;
}

/* -G: records whose output has been written (and skipped ones reported
 * before them) are marked for commit; ones still in the buffer when a
 * write fails never are. */
static void on_written(void *opaque, const char *topic, int32_t partition, int64_t offset)
{
        consume_state_t *st = opaque;
        kafkit_error_t err;

        kafkit_consumer_mark_offset(st->consumer, topic, partition, offset, &err);
}

static void on_record(consume_state_t *st, const kafkit_message_t *msg)
{
        size_t klen = 0, vlen = 0;
        fmt_view_t view;

        if (decode(st, msg, &view) == 0 && fmt_render_view(st->fmt, msg, &view, &st->out)) {
                output_failed(st);
                return;
        }
        if (st->done)
                return;
        if (st->opts->group && fmt_out_track(&st->out, msg)) {
                output_failed(st);
                return;
        }
        st->records++;
        st->batch_records++;
        kafkit_message_key(msg, &klen);
        kafkit_message_value(msg, &vlen);
        st->batch_bytes += klen + vlen;
        if (st->opts->count > 0 && (int64_t)st->records >= st->opts->count)
                st->done = 1;
}

static void handle(consume_state_t *st, const kafkit_message_t *msg)
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

/* Never asks for more records than -c still allows, so that with -G no
 * record is committed that was not printed. */
static size_t batch_size(const consume_state_t *st)
{
        int64_t left;

        if (st->opts->count <= 0)
                return BATCH;
        left = st->opts->count - (int64_t)st->records;
        return left < BATCH ? (size_t)left : BATCH;
}

static void loop(consume_state_t *st)
{
        kafkit_error_t err;
        size_t n, i, max;

        while (!st->done && !cli_stop) {
                max = batch_size(st);
                kafkit_error_clear(&err);
                n = kafkit_consumer_poll_batch(st->consumer, POLL_MS, st->msgs, max, &err);
                if (n == 0 && err.code != KAFKIT_OK) {
                        /* A client error (say, all brokers down): with -E
                         * only a fatal one stops the run. */
                        cli_err_kafkit(&err);
                        if (!st->opts->keep_going || err.code == KAFKIT_ERR_FATAL) {
                                st->rc = CLI_EXIT_FAILURE;
                                break;
                        }
                        continue;
                }
                st->batch_records = st->batch_bytes = 0;
                for (i = 0; i < n; i++) {
                        if (!st->done)
                                handle(st, st->msgs[i]);
                        kafkit_message_destroy(st->msgs[i]);
                }
                progress_add(st->progress, st->batch_records, st->batch_bytes);
                progress_tick(st->progress);
                if (st->at_end)
                        st->done = 1;
                /* Caught up (or idle): show what we have now. */
                if (n < max && st->out.len > 0 && fmt_out_flush(&st->out))
                        output_failed(st);
        }
        if (fmt_out_flush(&st->out) && st->rc == CLI_EXIT_OK)
                output_failed(st);
}

static int run(consume_state_t *st)
{
        kafkit_error_t err;
        int rc = CLI_EXIT_OK;

        if (fmt_out_init(&st->out, STDOUT_FILENO, OUT_BUF)) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        st->out.written = on_written;
        st->out.written_opaque = st;
        st->progress = progress_start("consumed", &st->opts->progress);
        if (!st->progress) {
                rc = CLI_EXIT_FAILURE;
                goto out;
        }
        st->consumer = make_consumer(st->opts, &rc);
        if (!st->consumer)
                goto out;
        if (start(st) == 0)
                loop(st);
        else
                st->rc = CLI_EXIT_FAILURE;
        rc = st->rc;
        if (rc == CLI_EXIT_OK && st->undecodable > 0) {
                cli_err("%llu record%s could not be decoded and %s skipped",
                        (unsigned long long)st->undecodable,
                        st->undecodable == 1 ? "" : "s",
                        st->undecodable == 1 ? "was" : "were");
                rc = CLI_EXIT_FAILURE;
        }
        if (kafkit_consumer_close(st->consumer, &err) != KAFKIT_OK) {
                cli_err_kafkit(&err);
                rc = CLI_EXIT_FAILURE;
        }
out:
        progress_finish(st->progress);
        fmt_out_free(&st->out);
        return rc;
}

int cmd_consume(int argc, char **argv)
{
        consume_opts_t o;
        consume_state_t *st = NULL;
        int rc;

        if (opts_alloc(&o, argc)) {
                opts_free(&o);
                return CLI_EXIT_FAILURE;
        }
        rc = parse_args(&o, argc, argv);
        if (rc != -1)
                goto out;
        st = calloc(1, sizeof(*st));
        if (!st) {
                cli_err("out of memory");
                rc = CLI_EXIT_FAILURE;
                goto out;
        }
        st->opts = &o;
        rc = make_format(st);
        if (rc != CLI_EXIT_OK)
                goto out;
        cli_install_signals();
        rc = run(st);
out:
        if (st)
                fmt_destroy(st->fmt);
        free(st);
        opts_free(&o);
        return rc;
}
