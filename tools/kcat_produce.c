/*
 * kcat_produce.c: kcat mode -P, records from stdin, a -l file or whole
 * files to a topic, as kcat 1.7.1's producer does it.
 *
 * What lands on the topic is kcat's: input split on -D (a last record
 * needs no delimiter, empty records are skipped, CR bytes stay), -K splits
 * key from value at the first key delimiter, -k is the key of records
 * without one, -Z turns an empty key or value after -K into null, -H adds
 * headers, and without -p records are placed by librdkafka's default
 * partitioner (consistent_random: CRC32 of the key, a null or empty key at
 * random), as kcat leaves it. FILE operands without -l are one record each.
 * The messages on stderr and the exit codes are kcat's.
 *
 * Where kcat contradicts its usage text kafkit follows the text (README.md
 * lists each case): -p -1 uses the random partitioner; -T writes each sent
 * record followed by the delimiter; Ctrl-C/SIGTERM stops reading at once
 * and aborts a transaction.
 *
 * Speed: input is read with 1 MB read(2) calls into one reusable buffer and
 * split with memchr/memmem (input.c); a record costs no allocation and no
 * copy here (the producer copies it), and delivery results are served
 * every KP_POLL_EVERY records, not after each one as kcat does.
 *
 * kafkit extension: -s value=avro / key=avro with --value-schema /
 * --key-schema FILE.avsc encodes each JSON text to Confluent-framed Avro
 * through the Schema Registry (codec.c), as `kafkit produce --value-format
 * avro` does; a bad line is reported with its line number and JSON path and
 * not produced, the others are, and the exit code is 1.
 */
#define _GNU_SOURCE /* memmem */
#include "kcat.h"
#include "cli.h"
#include "codec.h"
#include "input.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define KP_POLL_EVERY 1024              /* sends between delivery polls */
#define KP_MSG_SIZE_DEFAULT 1000000     /* librdkafka's message.max.bytes */
#define KP_FLUSH_SLICE_MS 200           /* final wait, per round */
#define KP_TEE_BUF (1024 * 1024)
#define KP_LOOKUP_SLICE_MS 100          /* topic lookup, per attempt */

typedef struct kp_state_s {
        kc_opts_t *o;
        kafkit_producer_t *producer;
        kafkit_record_t rec;            /* template: topic, partition, headers, -k */
        kafkit_header_t *headers;
        char **header_names;            /* copies: names end at '=' */
        size_t msg_size;                /* longest record read: message.max.bytes */
        int txn;                        /* -X transactional.id */
        codec_t codec;
        int avro;                       /* a side is avro */
        progress_t *progress;
        input_t in;                     /* stdin / -l input */
        const char *source;             /* "stdin" or the -l path, for messages */
        uint64_t recno;                 /* record number in source, from 1 */
        uint64_t tx;                    /* records handed to the producer */
        uint64_t dr_failed;             /* failed delivery reports */
        uint64_t bad;                   /* avro: lines not produced */
        unsigned since_poll;
        int stop;                       /* stop reading input */
        int failed;                     /* exit 1 at the end */
        int terminate;                  /* kcat would exit(1) now */
        int say_offset_once;
        char log_name[160];             /* "rdkafka#producer-1" */
} kp_state_t;

/* ------------------------------------------------------------- callbacks */

static void kp_on_delivery(kafkit_producer_t *producer, const kafkit_delivery_t *d,
                           void *opaque)
{
        kp_state_t *st = opaque;

        (void)producer;
        if (d->code != KAFKIT_OK) {
                st->dr_failed++;
                progress_add_errors(st->progress, 1);
                if (!st->terminate)
                        kc_info(st->o, 1, "Delivery failed for message: %s\n",
                                d->kafka_code ? kafkit_kafka_err_str(d->kafka_code)
                                              : d->message);
                return;
        }
        kc_info(st->o, 3, "Message delivered to partition %d (offset %lld) on broker %d\n",
                (int)d->partition, (long long)d->offset, (int)d->broker_id);
        if (d->offset == 0 && st->say_offset_once) {
                kc_info(st->o, 3, "Enable message offset reporting with "
                                  "'-X topic.produce.offset.report=true'\n");
                st->say_offset_once = 0;
        }
}

/* kcat's error_cb: a fatal error ends the input; all brokers down ends the
 * run (unless -E); anything else is reported. */
static void kp_on_error(kafkit_producer_t *producer, const kafkit_error_t *e, void *opaque)
{
        kp_state_t *st = opaque;
        const char *what = kafkit_kafka_err_str(e->kafka_code);

        (void)producer;
        if (st->terminate)
                return;
        if (e->code == KAFKIT_ERR_FATAL) {
                kc_info(st->o, 0, "FATAL CLIENT ERROR: %s: %s: terminating\n", what,
                        e->message);
                st->stop = 1;
        } else if (!strcmp(kafkit_kafka_err_name(e->kafka_code), "_ALL_BROKERS_DOWN")) {
                fprintf(stderr, "%% ERROR: %s: %s%s\n", what, e->message,
                        st->o->exit_on_error ? ": terminating" : "");
                if (st->o->exit_on_error)
                        st->terminate = st->stop = st->failed = 1;
        } else {
                kc_info(st->o, 1, "ERROR: %s: %s\n", what, e->message);
        }
}

/*
 * Log lines as librdkafka's default logger prints them for kcat
 * ("%3|1700000000.123|FAIL|rdkafka#producer-1| ..."); libkafkit's own
 * producer notes have no kcat counterpart and are left out.
 */
static void kp_on_log(void *opaque, int level, const char *fac, const char *msg)
{
        const kp_state_t *st = opaque;
        struct timeval tv;

        /* kcat has exited by now */
        if (st->terminate || !strcmp(fac, "PRODUCER"))
                return;
        gettimeofday(&tv, NULL);
        fprintf(stderr, "%%%i|%u.%03u|%s|%s| %s\n", level, (unsigned)tv.tv_sec,
                (unsigned)(tv.tv_usec / 1000), fac, st->log_name, msg);
}

/* ----------------------------------------------------------------- send */

/* Hands one record to the producer, retrying while the local queue is full
 * as kcat does; 0, or -1 when the run must stop (reported). */
static int kp_send(kp_state_t *st, const kafkit_record_t *rec)
{
        kafkit_error_t err;

        for (;;) {
                if (kafkit_producer_send(st->producer, rec, NULL, &err) == KAFKIT_OK)
                        break;
                if (err.code == KAFKIT_ERR_QUEUE_FULL && !cli_stop && !st->terminate) {
                        kafkit_producer_poll(st->producer, 5);
                        continue;
                }
                if (err.code == KAFKIT_ERR_QUEUE_FULL)
                        kc_fatal("Program terminated while producing message of %zd bytes",
                                 (ssize_t)rec->value_len);
                else
                        kc_fatal("Failed to produce message (%zd bytes): %s",
                                 (ssize_t)rec->value_len,
                                 err.kafka_code ? kafkit_kafka_err_str(err.kafka_code)
                                                : err.message);
                st->failed = st->stop = 1;
                return -1;
        }
        st->tx++;
        progress_add(st->progress, 1, rec->key_len + rec->value_len);
        if (++st->since_poll >= KP_POLL_EVERY) {
                st->since_poll = 0;
                kafkit_producer_poll(st->producer, 0);
        }
        return 0;
}

/*
 * Avro: encodes the key and value of `rec` in place. 0 to send it; -1 when
 * it must not be sent: a bad line (reported, counted, the run goes on) or
 * a failure that stops the run (the registry is down).
 */
static int kp_encode(kp_state_t *st, kafkit_record_t *rec)
{
        kafkit_error_t err;

        if (codec_encode_record(&st->codec, rec, &err) == KAFKIT_OK)
                return 0;
        fprintf(stderr, "%% ERROR: %s:%llu: %s\n", st->source, (unsigned long long)st->recno,
                err.message);
        if (err.code == KAFKIT_ERR_PARSE) {
                st->bad++;
                progress_add_errors(st->progress, 1);
        } else {
                st->failed = st->stop = 1;
        }
        return -1;
}

/* -T: the record as read (key, key delimiter and value) and the delimiter. */
static void kp_tee(kp_state_t *st, const char *data, size_t len)
{
        if (fwrite(data, 1, len, stdout) != len ||
            fwrite(st->o->delim, 1, st->o->delim_len, stdout) != st->o->delim_len) {
                kc_fatal("Tee write error for message of %zd bytes: %s", (ssize_t)len,
                         strerror(errno));
                st->failed = st->stop = 1;
        }
}

/* One record of delimited input (stdin or -l); nonzero to stop reading. */
static int kp_record(void *opaque, const char *data, size_t len)
{
        kp_state_t *st = opaque;
        const kc_opts_t *o = st->o;
        kafkit_record_t rec = st->rec;
        const char *kd;

        st->recno++;
        if (len == 0 || st->stop)
                return st->stop;
        rec.value = data;
        rec.value_len = len;
        if (o->key_delim_len > 0 && len >= o->key_delim_len &&
            (kd = memmem(data, len, o->key_delim, o->key_delim_len))) {
                rec.key = data;
                rec.key_len = (size_t)(kd - data);
                rec.value = kd + o->key_delim_len;
                rec.value_len = len - rec.key_len - o->key_delim_len;
                if (o->null_mode) {
                        if (rec.value_len == 0)
                                rec.value = NULL;
                        if (rec.key_len == 0)
                                rec.key = NULL;
                }
                if (!rec.key) {
                        rec.key = st->rec.key;
                        rec.key_len = st->rec.key_len;
                }
        }
        if (st->avro && kp_encode(st, &rec))
                return st->stop;
        if (kp_send(st, &rec))
                return st->stop;
        if (o->tee)
                kp_tee(st, data, len);
        if (o->msg_cnt > 0 && st->tx == (uint64_t)o->msg_cnt)
                st->stop = 1;
        return st->stop;
}

/* ----------------------------------------------------------------- input */

static int kp_too_large(kp_state_t *st)
{
        kc_fatal("Input is too large, maximum size is %zu", st->msg_size + st->o->delim_len);
        st->failed = st->stop = 1;
        return -1;
}

/* After each read: delivery results and the progress line. */
static int kp_chunk(void *opaque)
{
        kp_state_t *st = opaque;

        kafkit_producer_poll(st->producer, 0);
        progress_tick(st->progress);
        return st->stop;
}

/* Reads `fd` to its end (or until stopped), sending its records. */
static int kp_read_fd(kp_state_t *st, int fd)
{
        if (st->stop)
                return 0;
        switch (input_read(&st->in, fd)) {
        case INPUT_EOF:
        case INPUT_STOPPED:
                return 0;
        case INPUT_READ_ERROR:
                kc_fatal("Unable to read message: %s", strerror(errno));
                st->failed = 1;
                return -1;
        case INPUT_TOO_LARGE:
                return kp_too_large(st);
        case INPUT_NO_MEMORY:
                kc_fatal("Failed to allocate input buffer of %zu bytes: %s", st->in.cap * 2,
                         strerror(errno));
                break;
        case INPUT_BUFFER_LIMIT:
                kc_fatal("Input is too large: out of memory");
                break;
        }
        st->failed = st->stop = 1;
        return -1;
}

/* A FILE operand without -l: its whole content is one record. Returns
 * 0, or -1 when the file could not be read (reported, kcat-style). */
static int kp_file(kp_state_t *st, const char *path)
{
        kafkit_record_t rec = st->rec;
        struct stat sb;
        void *map;
        int fd;

        if ((fd = open(path, O_RDONLY)) == -1) {
                kc_info(st->o, 1, "Failed to open %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (fstat(fd, &sb) == -1) {
                kc_info(st->o, 1, "Failed to stat %s: %s\n", path, strerror(errno));
                close(fd);
                return -1;
        }
        if (sb.st_size == 0) {
                kc_info(st->o, 3, "Skipping empty file %s\n", path);
                close(fd);
                return 0;
        }
        map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
                kc_info(st->o, 1, "Failed to mmap %s: %s\n", path, strerror(errno));
                close(fd);
                return -1;
        }
        kc_info(st->o, 4, "Producing file %s (%jd bytes)\n", path, (intmax_t)sb.st_size);
        rec.value = map;
        rec.value_len = (size_t)sb.st_size;
        st->source = path;
        st->recno = 1;
        if (!st->avro || !kp_encode(st, &rec))
                kp_send(st, &rec);
        munmap(map, (size_t)sb.st_size);
        close(fd);
        return 0;
}

static void kp_files(kp_state_t *st)
{
        int i, good = 0, cnt = st->o->operand_cnt;

        for (i = 0; i < cnt && !st->stop && !cli_stop; i++) {
                if (kp_file(st, st->o->operands[i]) == 0)
                        good++;
                progress_tick(st->progress);
        }
        if (st->stop || cli_stop)
                return;
        if (!good)
                st->failed = 1;
        else if (good < cnt)
                kc_info(st->o, 1, "Failed to produce from %i/%i files\n", cnt - good, cnt);
}

/* ------------------------------------------------------------ transaction */

/* kcat names the librdkafka call; the library's message starts with the
 * operation ("commit transaction: ..."): print it kcat's way. */
static void kp_txn_fatal(const char *call, const char *op, const kafkit_error_t *err)
{
        size_t n = strlen(op);
        const char *msg = err->message;

        if (!strncmp(msg, op, n) && !strncmp(msg + n, ": ", 2))
                msg += n + 2;
        kc_fatal("%s: %s", call, msg);
}

static int kp_txn_start(kp_state_t *st)
{
        kafkit_error_t err;

        if (kafkit_producer_init_transactions(st->producer, st->o->metadata_timeout_s * 1000,
                                              &err)) {
                kp_txn_fatal("init_transactions()", "init transactions", &err);
                return -1;
        }
        if (kafkit_producer_begin_transaction(st->producer, &err)) {
                kp_txn_fatal("begin_transaction()", "begin transaction", &err);
                return -1;
        }
        return 0;
}

/* Commits, or aborts after a signal; -1 on failure (reported). */
static int kp_txn_end(kp_state_t *st)
{
        int timeout_ms = st->o->metadata_timeout_s * 1000;
        kafkit_error_t err;

        if (cli_stop) {
                kc_info(st->o, 0, "Aborting transaction due to termination signal\n");
                if (kafkit_producer_abort_transaction(st->producer, timeout_ms, &err)) {
                        kp_txn_fatal("abort_transaction()", "abort transaction", &err);
                        return -1;
                }
                /* nothing of the input is committed */
                st->failed = 1;
                return 0;
        }
        kc_info(st->o, 1, "Committing transaction\n");
        if (kafkit_producer_commit_transaction(st->producer, timeout_ms, &err)) {
                kp_txn_fatal("commit_transaction()", "commit transaction", &err);
                return -1;
        }
        kc_info(st->o, 1, "Transaction successfully committed\n");
        return 0;
}

/* --------------------------------------------------------------- set up */

/* -H name=value / -H name, as kcat takes them. */
static int kp_headers(kp_state_t *st)
{
        const kc_opts_t *o = st->o;
        size_t i;

        if (!o->header_cnt)
                return 0;
        st->headers = calloc(o->header_cnt, sizeof(*st->headers));
        st->header_names = calloc(o->header_cnt, sizeof(*st->header_names));
        if (!st->headers || !st->header_names)
                return kc_fatal("out of memory"), -1;
        for (i = 0; i < o->header_cnt; i++) {
                const char *h = o->headers[i], *eq = strchr(h, '=');
                kafkit_header_t *kh = &st->headers[i];

                if (!*h || eq == h)
                        return kc_fatal("Expected -H \"name=value..\" or -H \"name\""), -1;
                st->header_names[i] = eq ? strndup(h, (size_t)(eq - h)) : strdup(h);
                if (!st->header_names[i])
                        return kc_fatal("out of memory"), -1;
                kh->name = st->header_names[i];
                if (eq) {
                        kh->value = eq + 1;
                        kh->value_len = strlen(eq + 1);
                }
        }
        st->rec.headers = st->headers;
        st->rec.header_cnt = o->header_cnt;
        return 0;
}

/*
 * The producer's conf: kcat's (librdkafka's defaults, not libkafkit's
 * safety defaults) unless -X says otherwise: the consistent_random
 * partitioner (random for -p -1), no idempotence unless transactional, and
 * librdkafka's log silenced by -q. The send wait is short so that a
 * signal is seen while the queue is full.
 */
static kafkit_conf_t *kp_conf(kp_state_t *st)
{
        const kc_opts_t *o = st->o;
        kafkit_conf_t *conf = kafkit_conf_dup(o->conf);

        if (!conf)
                return kc_fatal("out of memory"), NULL;
        if (kc_conf_default(conf, "partitioner",
                            o->partition == -1 ? "random" : "consistent_random") ||
            (!st->txn && kc_conf_default(conf, "enable.idempotence", "false")) ||
            kc_conf_default(conf, "kafkit.produce.block.ms", "100") ||
            (o->verbosity == 0 && !o->debug && kc_conf_default(conf, "log_level", "0")))
                goto fail;
        kafkit_conf_set_delivery_cb(conf, kp_on_delivery, st);
        snprintf(st->log_name, sizeof(st->log_name), "%s#producer-1",
                 kafkit_conf_get(conf, "client.id") ? kafkit_conf_get(conf, "client.id")
                                                     : "rdkafka");
        kafkit_conf_set_log_cb(conf, kp_on_log, st);
        return conf;
fail:
        kafkit_conf_destroy(conf);
        return NULL;
}

/* -s value=avro / key=avro: the codec, as `kafkit produce` sets it up. */
static int kp_codec(kp_state_t *st, kafkit_conf_t *conf)
{
        const kc_opts_t *o = st->o;

        codec_init(&st->codec, "produce", 1);
        st->codec.url = o->registry_url;
        st->codec.style = o->style;
        if (o->pack[KC_VALUE] && !strcmp(o->pack[KC_VALUE], "avro"))
                st->codec.value.format = CODEC_AVRO;
        if (o->pack[KC_KEY] && !strcmp(o->pack[KC_KEY], "avro"))
                st->codec.key.format = CODEC_AVRO;
        st->codec.value.schema_file = o->schema_file[KC_VALUE];
        st->codec.key.schema_file = o->schema_file[KC_KEY];
        st->avro = codec_uses_registry(&st->codec);
        if (!st->avro && !o->schema_file[KC_VALUE] && !o->schema_file[KC_KEY])
                return 0;
        if (st->codec.value.format == CODEC_AVRO && !st->codec.value.schema_file)
                return kc_fatal("-s value=avro needs --value-schema FILE.avsc"), -1;
        if (st->codec.key.format == CODEC_AVRO && !st->codec.key.schema_file)
                return kc_fatal("-s key=avro needs --key-schema FILE.avsc"), -1;
        if (codec_check(&st->codec) >= 0)
                return -1;
        return codec_open(&st->codec, conf) ? -1 : 0;
}

static size_t kp_msg_size(const kc_opts_t *o)
{
        const char *v = kafkit_conf_get(o->conf, "message.max.bytes");
        int64_t n;

        if (v && cli_parse_i64(v, 1, INT32_MAX, &n) == 0)
                return (size_t)n;
        return KP_MSG_SIZE_DEFAULT;
}

/*
 * Looks the topic up before the first record, as `kafkit produce` does:
 * records sent while its partitions are unknown wait in librdkafka's
 * unassigned queue, which made a 1M-record run ~40% slower. kcat does not
 * look, so nothing visible may change: the lookup gives up silently after
 * -m seconds or on any answer (a missing topic then fails per record, as
 * with kcat), and it runs in short attempts with the client's errors
 * served in between, so an unreachable cluster still ends the run at once.
 */
static void kp_prepare(kp_state_t *st)
{
        kafkit_error_t err;
        struct timespec now;
        time_t deadline;

        clock_gettime(CLOCK_MONOTONIC, &now);
        deadline = now.tv_sec + st->o->metadata_timeout_s;
        for (;;) {
                if (kafkit_producer_prepare_topic(st->producer, st->o->topic, KP_LOOKUP_SLICE_MS,
                                                  NULL, &err) == KAFKIT_OK)
                        return;
                kafkit_producer_poll(st->producer, 0);
                if (err.code != KAFKIT_ERR_TIMEOUT && err.code != KAFKIT_ERR_KAFKA)
                        return;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (st->terminate || st->stop || cli_stop || now.tv_sec >= deadline)
                        return;
        }
}

/* Waits until every record has its delivery result, as kcat does: a first
 * signal already ended the input, a new one ends the wait. */
static void kp_drain(kp_state_t *st)
{
        kafkit_error_t err;
        size_t remaining = 1;

        cli_stop = 0;
        while (remaining > 0 && !cli_stop && !st->terminate) {
                if (kafkit_producer_flush(st->producer, KP_FLUSH_SLICE_MS, &remaining, &err) !=
                            KAFKIT_OK &&
                    err.code != KAFKIT_ERR_TIMEOUT)
                        break;
                progress_tick(st->progress);
        }
}

static int kp_input(kp_state_t *st)
{
        int fd = STDIN_FILENO, rc;

        if (st->o->operand_cnt > 0 && !st->o->line_mode) {
                kp_files(st);
                return 0;
        }
        if (input_init(&st->in, st->o->delim, st->o->delim_len))
                return kc_fatal("out of memory"), -1;
        st->in.max_record = st->msg_size;
        st->in.on_record = kp_record;
        st->in.on_chunk = kp_chunk;
        st->in.opaque = st;
        st->source = "stdin";
        /* -l without a file reads stdin, as kcat does */
        if (st->o->line_mode && st->o->operand_cnt > 0) {
                st->source = st->o->operands[0];
                if ((fd = open(st->source, O_RDONLY)) == -1)
                        return kc_fatal("Cannot open %s: %s", st->source, strerror(errno)), -1;
        }
        rc = kp_read_fd(st, fd);
        if (fd != STDIN_FILENO)
                close(fd);
        return rc;
}

static void kp_free(kp_state_t *st)
{
        size_t i;

        for (i = 0; st->header_names && i < st->o->header_cnt; i++)
                free(st->header_names[i]);
        free(st->header_names);
        free(st->headers);
        input_free(&st->in);
        codec_close(&st->codec);
}

static int kp_run(kp_state_t *st)
{
        kafkit_conf_t *conf;
        kafkit_error_t err;
        uint64_t lost;

        if (!(conf = kp_conf(st)))
                return 1;
        if (kp_codec(st, conf)) {
                kafkit_conf_destroy(conf);
                return 1;
        }
        if (!(st->producer = kafkit_producer_new(conf, &err))) {
                kafkit_conf_destroy(conf);
                return kc_fatal("Failed to create producer: %s",
                                strncmp(err.message, "producer: ", 10) ? err.message
                                                                       : err.message + 10);
        }
        kafkit_producer_set_error_cb(st->producer, kp_on_error, st);
        if (st->txn && kp_txn_start(st)) {
                kafkit_producer_close(st->producer, 0);
                return 1;
        }
        if (!(st->progress = progress_start("produced", &st->o->progress))) {
                kafkit_producer_close(st->producer, 0);
                return 1;
        }
        kp_prepare(st);
        if (!st->terminate && kp_input(st))
                st->failed = 1;
        if (!st->terminate && fflush(stdout) == EOF) {
                kc_fatal("Tee write error: %s", strerror(errno));
                st->failed = 1;
        }
        if (st->txn && !st->terminate && kp_txn_end(st))
                st->failed = st->terminate = 1;
        if (!st->terminate)
                kp_drain(st);
        lost = kafkit_producer_close(st->producer, 0);
        st->producer = NULL;
        progress_finish(st->progress);
        if (st->dr_failed > 0 || lost > 0 || st->failed)
                return 1;
        if (st->bad > 0) {
                fprintf(stderr, "%% ERROR: %llu of %llu records not produced: their JSON "
                                "does not fit the schema (see above)\n",
                        (unsigned long long)st->bad,
                        (unsigned long long)(st->tx + st->bad));
                return 1;
        }
        return 0;
}

int kc_produce(kc_opts_t *o)
{
        kp_state_t st;
        int rc;

        memset(&st, 0, sizeof(st));
        st.o = o;
        st.say_offset_once = 1;
        codec_init(&st.codec, "produce", 1);
        st.rec = (kafkit_record_t)KAFKIT_RECORD_INIT;
        st.rec.topic = o->topic;
        st.rec.partition = o->partition >= 0 ? o->partition : KAFKIT_PARTITION_ANY;
        if (o->fixed_key) {
                st.rec.key = o->fixed_key;
                st.rec.key_len = strlen(o->fixed_key);
        }
        st.txn = o->transactional_id && *o->transactional_id;
        st.msg_size = kp_msg_size(o);
        if (kp_headers(&st)) {
                kp_free(&st);
                return 1;
        }
        /* kcat opens the -l file before anything else */
        if (o->line_mode && o->operand_cnt == 1 && access(o->operands[0], R_OK) != 0) {
                kc_fatal("Cannot open %s: %s", o->operands[0], strerror(errno));
                kp_free(&st);
                return 1;
        }
        if (st.txn)
                kc_info(o, 1, "Using transactional producer\n");
        kc_info(o, 3, "Setting producer input buffer max size to message.max.bytes value %zu\n",
                st.msg_size);
        if (o->tee) {
                if (o->unbuffered)
                        setvbuf(stdout, NULL, _IONBF, 0);
                else
                        setvbuf(stdout, NULL, _IOFBF, KP_TEE_BUF);
        }
        rc = kp_run(&st);
        kp_free(&st);
        return rc;
}
