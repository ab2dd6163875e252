/*
 * it_produce_consume.c: integration test of the produce/consume round trip,
 * through the public API only, against an in-process dev cluster.
 *
 * 100,000 keyed records with headers go out through one producer and come
 * back through a group consumer. The test proves what a user relies on:
 * every record is acknowledged exactly once, comes back exactly once with
 * the same key, value, headers and a timestamp, at the partition and offset
 * its delivery report named, in production order within each partition, and
 * on the partition Java's default partitioner would pick for its key.
 */
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_RECORDS 100000
#define N_PARTS 8
#define N_KEYS 1000
#define VALUE_MAX 128
/* Whole-run deadlines: generous for sanitizer builds, still never a hang. */
#define PRODUCE_CLOSE_MS 60000
#define CONSUME_DEADLINE_MS 120000

/* ------------------------------------------------------------ the records */

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t make_key(int seq, char *buf, size_t size)
{
        return (size_t)snprintf(buf, size, "k%d", seq % N_KEYS);
}

/* "SEQ:PAYLOAD:SUM": an 8-digit sequence number, a payload of 16 to 79
 * letters derived from it, and a checksum of the two, so that the consumer
 * can rebuild the exact expected bytes from the sequence number alone. */
static size_t make_value(int seq, char *buf, size_t size)
{
        size_t len, plen = 16 + (size_t)(seq % 64), i;
        uint32_t sum = 2166136261u;

        len = (size_t)snprintf(buf, size, "%08d:", seq);
        for (i = 0; i < plen; i++)
                buf[len + i] = (char)('a' + (seq * 7 + (int)i) % 26);
        len += plen;
        for (i = 0; i < len; i++)
                sum = (sum ^ (unsigned char)buf[i]) * 16777619u;
        len += (size_t)snprintf(buf + len, size - len, ":%08x", sum);
        return len;
}

/* The sequence number a value starts with, or -1. */
static int value_seq(const char *value, size_t len)
{
        char digits[9];
        char *end;
        long seq;

        if (len < 9 || value[8] != ':')
                return -1;
        memcpy(digits, value, 8);
        digits[8] = '\0';
        seq = strtol(digits, &end, 10);
        if (*end || seq < 0 || seq >= N_RECORDS)
                return -1;
        return (int)seq;
}

/* --------------------------------------------------------------- producer */

/* What the delivery reports said, per sequence number. */
typedef struct dr_state_s {
        int32_t *partition;
        int64_t *offset;
        unsigned char *reports;
        size_t ok, failed, duplicates, bad_opaque, bad_key;
        char first_error[KAFKIT_ERRSTR_SIZE];
} dr_state_t;

static void dr_cb(kafkit_producer_t *producer,
                  const kafkit_delivery_t *d,
                  void *opaque)
{
        dr_state_t *st = opaque;
        intptr_t seq = (intptr_t)d->record_opaque - 1;
        char key[16];
        size_t klen;

        if (seq < 0 || seq >= N_RECORDS) {
                st->bad_opaque++;
                return;
        }
        if (st->reports[seq]++) {
                st->duplicates++;
                return;
        }
        if (d->code != KAFKIT_OK) {
                if (!st->failed++)
                        snprintf(st->first_error, sizeof(st->first_error),
                                 "record %d: %s: %s", (int)seq,
                                 kafkit_err_name(d->code), d->message);
                return;
        }
        klen = make_key((int)seq, key, sizeof(key));
        if (d->key_len != klen || memcmp(d->key, key, klen))
                st->bad_key++;
        st->partition[seq] = d->partition;
        st->offset[seq] = d->offset;
        st->ok++;
}

static void dr_state_init(dr_state_t *st)
{
        memset(st, 0, sizeof(*st));
        st->partition = calloc(N_RECORDS, sizeof(*st->partition));
        st->offset = calloc(N_RECORDS, sizeof(*st->offset));
        st->reports = calloc(N_RECORDS, 1);
        ck_assert(st->partition && st->offset && st->reports);
}

static void dr_state_free(dr_state_t *st)
{
        free(st->partition);
        free(st->offset);
        free(st->reports);
}

static void produce_all(kafkit_dev_cluster_t *dc, const char *topic, dr_state_t *st)
{
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_t *p;
        kafkit_producer_stats_t stats;
        kafkit_error_t err;
        char key[16], value[VALUE_MAX], seqh[16];
        kafkit_header_t hdrs[2];
        size_t undelivered;
        int i;

        tu_set(conf, "message.timeout.ms", "60000");
        tu_set(conf, "linger.ms", "5");
        kafkit_conf_set_delivery_cb(conf, dr_cb, st);
        p = kafkit_producer_new(conf, &err);
        if (!p) {
                kafkit_conf_destroy(conf);
                ck_abort_msg("producer_new: %s", err.message);
        }

        for (i = 0; i < N_RECORDS; i++) {
                kafkit_record_t rec = KAFKIT_RECORD_INIT;

                rec.topic = topic;
                rec.key = key;
                rec.key_len = make_key(i, key, sizeof(key));
                rec.value = value;
                rec.value_len = make_value(i, value, sizeof(value));
                hdrs[0].name = "seq";
                hdrs[0].value = seqh;
                hdrs[0].value_len = (size_t)snprintf(seqh, sizeof(seqh), "%d", i);
                hdrs[1].name = "nullh";
                hdrs[1].value = NULL;
                hdrs[1].value_len = 0;
                rec.headers = hdrs;
                rec.header_cnt = 2;
                if (kafkit_producer_send(p, &rec, (void *)(intptr_t)(i + 1), &err))
                        ck_abort_msg("send of record %d: %s", i, err.message);
                if (i % 1000 == 999)
                        kafkit_producer_poll(p, 0);
        }

        ck_assert_int_eq(kafkit_producer_flush(p, PRODUCE_CLOSE_MS, &undelivered, &err),
                         KAFKIT_OK);
        ck_assert_uint_eq(undelivered, 0);
        kafkit_producer_stats(p, &stats);
        ck_assert_uint_eq(stats.sent, N_RECORDS);
        ck_assert_uint_eq(stats.delivered, N_RECORDS);
        ck_assert_uint_eq(stats.failed, 0);
        ck_assert_uint_eq(kafkit_producer_close(p, PRODUCE_CLOSE_MS), 0);

        ck_assert_msg(st->failed == 0, "%zu failed deliveries, first: %s",
                      st->failed, st->first_error);
        ck_assert_uint_eq(st->duplicates, 0);
        ck_assert_uint_eq(st->bad_opaque, 0);
        ck_assert_uint_eq(st->bad_key, 0);
        ck_assert_uint_eq(st->ok, N_RECORDS);
}

/* --------------------------------------------------------------- consumer */

/* What the consumer saw, checked record by record against the reports. */
typedef struct seen_state_s {
        const dr_state_t *dr;
        const char *topic;
        unsigned char *seen;
        size_t count;
        int last_seq[N_PARTS];
        int64_t t_start, t_end;
} seen_state_t;

static void check_headers(const kafkit_message_t *m, int seq)
{
        const char *name;
        const void *val;
        size_t len;
        char expect[16];
        size_t elen = (size_t)snprintf(expect, sizeof(expect), "%d", seq);

        ck_assert_uint_eq(kafkit_message_header_count(m), 2);
        ck_assert(kafkit_message_header(m, 0, &name, &val, &len));
        ck_assert_str_eq(name, "seq");
        ck_assert_msg(val && len == elen && !memcmp(val, expect, len),
                      "record %d: header seq has the wrong value", seq);
        ck_assert(kafkit_message_header(m, 1, &name, &val, &len));
        ck_assert_str_eq(name, "nullh");
        ck_assert_msg(val == NULL && len == 0,
                      "record %d: null header came back non-null", seq);
        ck_assert(!kafkit_message_header(m, 2, &name, &val, &len));
}

static void check_record(seen_state_t *ss, const kafkit_message_t *m)
{
        const char *key, *value;
        size_t klen, vlen, elen;
        char ekey[16], evalue[VALUE_MAX];
        int32_t part = kafkit_message_partition(m);
        int64_t off = kafkit_message_offset(m), ts;
        int seq, type = -1;

        ck_assert_str_eq(kafkit_message_topic(m), ss->topic);
        value = kafkit_message_value(m, &vlen);
        ck_assert_ptr_nonnull(value);
        seq = value_seq(value, vlen);
        ck_assert_msg(seq >= 0, "[%d] offset %" PRId64 ": unparsable value",
                      (int)part, off);
        ck_assert_msg(!ss->seen[seq], "record %d seen twice (at [%d] %" PRId64 ")",
                      seq, (int)part, off);
        ss->seen[seq] = 1;
        ss->count++;

        elen = make_value(seq, evalue, sizeof(evalue));
        ck_assert_msg(vlen == elen && !memcmp(value, evalue, elen),
                      "record %d: value differs", seq);
        key = kafkit_message_key(m, &klen);
        elen = make_key(seq, ekey, sizeof(ekey));
        ck_assert_msg(key && klen == elen && !memcmp(key, ekey, elen),
                      "record %d: key differs", seq);
        check_headers(m, seq);

        ts = kafkit_message_timestamp(m, &type);
        ck_assert_int_eq(type, 1);
        ck_assert_msg(ts >= ss->t_start - 1000 && ts <= ss->t_end + 1000,
                      "record %d: timestamp %" PRId64 " outside the run", seq, ts);

        /* Where the delivery report put it, and where Java would put it. */
        ck_assert_msg(part == ss->dr->partition[seq] && off == ss->dr->offset[seq],
                      "record %d at [%d] %" PRId64 ", reported at [%d] %" PRId64,
                      seq, (int)part, off, (int)ss->dr->partition[seq],
                      ss->dr->offset[seq]);
        ck_assert_int_eq(part, kafkit_partition_for_key(key, klen, N_PARTS));

        /* Production order within the partition. */
        ck_assert(part >= 0 && part < N_PARTS);
        ck_assert_msg(seq > ss->last_seq[part],
                      "[%d]: record %d after record %d", (int)part, seq,
                      ss->last_seq[part]);
        ss->last_seq[part] = seq;
}

static void handle_message(seen_state_t *ss, kafkit_message_t *m)
{
        kafkit_error_t err;

        switch (kafkit_message_kind(m)) {
        case KAFKIT_MESSAGE_RECORD:
                check_record(ss, m);
                break;
        case KAFKIT_MESSAGE_EOF:
                break;
        case KAFKIT_MESSAGE_ERROR:
                kafkit_message_error(m, &err);
                ck_abort_msg("consumer error: %s", err.message);
                break;
        }
}

static void consume_all(kafkit_dev_cluster_t *dc, const char *topic, seen_state_t *ss)
{
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_consumer_t *c;
        kafkit_error_t err;
        kafkit_message_t *msgs[500];
        const char *topics[1] = { topic };
        int64_t deadline = now_ms() + CONSUME_DEADLINE_MS;
        size_t n, i, batches = 0;
        char group[128];

        /* Not tu_topic(): its static buffer holds `topic`. */
        snprintf(group, sizeof(group), "%s-group", topic);
        tu_set(conf, "group.id", group);
        tu_set(conf, "auto.offset.reset", "earliest");
        c = kafkit_consumer_new(conf, &err);
        if (!c) {
                kafkit_conf_destroy(conf);
                ck_abort_msg("consumer_new: %s", err.message);
        }
        ck_assert_int_eq(kafkit_consumer_subscribe(c, topics, 1, &err), KAFKIT_OK);

        while (ss->count < N_RECORDS) {
                ck_assert_msg(now_ms() < deadline,
                              "deadline: only %zu of %d records consumed",
                              ss->count, N_RECORDS);
                kafkit_error_clear(&err);
                n = kafkit_consumer_poll_batch(c, 500, msgs, 500, &err);
                ck_assert_msg(err.code == KAFKIT_OK, "poll_batch: %s", err.message);
                ck_assert_uint_le(n, 500);
                if (n)
                        batches++;
                for (i = 0; i < n; i++) {
                        ck_assert_ptr_nonnull(msgs[i]);
                        handle_message(ss, msgs[i]);
                        kafkit_message_destroy(msgs[i]);
                }
        }
        /* 100,000 records in batches of at most 500 need at least 200. */
        ck_assert_uint_ge(batches, N_RECORDS / 500);
        ck_assert_int_eq(kafkit_consumer_close(c, &err), KAFKIT_OK);
}

START_TEST(test_100k_keyed_records_round_trip_once_in_order)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        const char *topic = tu_topic("it-pc");
        kafkit_error_t err;
        dr_state_t dr;
        seen_state_t ss;
        int i;

        ck_assert_int_eq(kafkit_dev_cluster_create_topic(dc, topic, N_PARTS, &err),
                         KAFKIT_OK);
        dr_state_init(&dr);
        memset(&ss, 0, sizeof(ss));
        ss.t_start = now_ms();
        produce_all(dc, topic, &dr);
        ss.t_end = now_ms();

        ss.dr = &dr;
        ss.topic = topic;
        ss.seen = calloc(N_RECORDS, 1);
        ck_assert_ptr_nonnull(ss.seen);
        for (i = 0; i < N_PARTS; i++)
                ss.last_seq[i] = -1;
        consume_all(dc, topic, &ss);

        for (i = 0; i < N_RECORDS; i++)
                ck_assert_msg(ss.seen[i], "record %d never consumed", i);
        /* Every partition got records: the keys did spread. */
        for (i = 0; i < N_PARTS; i++)
                ck_assert_msg(ss.last_seq[i] >= 0, "partition %d got nothing", i);

        free(ss.seen);
        dr_state_free(&dr);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

/*
 * Null keys and values (tombstones) and an explicit partition survive the
 * round trip, read with single polls and a manual assignment.
 */
START_TEST(test_null_key_and_value_and_explicit_partition)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        const char *topic = tu_topic("it-pc-null");
        kafkit_conf_t *conf;
        kafkit_producer_t *p;
        kafkit_consumer_t *c;
        kafkit_message_t *m;
        kafkit_error_t err;
        kafkit_record_t rec = KAFKIT_RECORD_INIT;
        kafkit_offset_t beginning = { KAFKIT_OFFSET_BEGINNING, 0 };
        const void *ptr;
        size_t len;
        int got = 0;
        int64_t deadline;

        ck_assert_int_eq(kafkit_dev_cluster_create_topic(dc, topic, 3, &err), KAFKIT_OK);
        conf = tu_conf(dc);
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer_new: %s", err.message);
        rec.topic = topic;
        rec.partition = 2;
        ck_assert_int_eq(kafkit_producer_send(p, &rec, NULL, &err), KAFKIT_OK);
        rec.key = "only-key";
        rec.key_len = 8;
        ck_assert_int_eq(kafkit_producer_send(p, &rec, NULL, &err), KAFKIT_OK);
        ck_assert_uint_eq(kafkit_producer_close(p, 30000), 0);

        conf = tu_conf(dc);
        c = kafkit_consumer_new(conf, &err);
        ck_assert_msg(c != NULL, "consumer_new: %s", err.message);
        ck_assert_int_eq(kafkit_consumer_assign_topic(c, topic, 2, &beginning, &err),
                         KAFKIT_OK);
        ck_assert_uint_eq(kafkit_consumer_assignment_count(c), 1);
        deadline = now_ms() + 30000;
        while (got < 2 && now_ms() < deadline) {
                m = kafkit_consumer_poll(c, 200, &err);
                if (!m || kafkit_message_kind(m) != KAFKIT_MESSAGE_RECORD) {
                        kafkit_message_destroy(m);
                        continue;
                }
                ck_assert_int_eq(kafkit_message_partition(m), 2);
                ck_assert_int_eq(kafkit_message_offset(m), got);
                ptr = kafkit_message_value(m, &len);
                ck_assert_ptr_null(ptr);
                ck_assert_uint_eq(len, 0);
                ptr = kafkit_message_key(m, &len);
                if (got == 0) {
                        ck_assert_ptr_null(ptr);
                        ck_assert_uint_eq(len, 0);
                } else {
                        ck_assert(ptr && len == 8 && !memcmp(ptr, "only-key", 8));
                }
                ck_assert_uint_eq(kafkit_message_header_count(m), 0);
                kafkit_message_destroy(m);
                got++;
        }
        ck_assert_int_eq(got, 2);
        ck_assert_int_eq(kafkit_consumer_close(c, &err), KAFKIT_OK);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("it_produce_consume");
        TCase *tc = tcase_create("round_trip");

        tcase_set_timeout(tc, 240);
        tcase_add_test(tc, test_100k_keyed_records_round_trip_once_in_order);
        tcase_add_test(tc, test_null_key_and_value_and_explicit_partition);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(suite());
}
