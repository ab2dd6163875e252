/*
 * it_broker_down.c: integration tests of delivery through broker failures,
 * through the public API only, against an in-process dev cluster.
 *
 * kafkit's producer defaults (idempotence, acks=all) promise that a broker
 * going away for a while, or answering Produce with retriable errors, costs
 * time but no records and no duplicates. These tests take a partition
 * leader down in the middle of a run, or inject errors, then read the topic
 * back and check that every sequence number is there exactly once and in
 * production order within each partition.
 */
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_PARTS 9
#define N_KEYS 97
#define DOWN_MS 2000
#define DEADLINE_MS 90000

/* Kafka protocol error codes (stable by protocol definition). */
#define KERR_NOT_LEADER_FOR_PARTITION 6
#define KERR_REQUEST_TIMED_OUT 7
#define KERR_NOT_ENOUGH_REPLICAS 19
#define KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND 20

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ producing */

typedef struct run_s {
        kafkit_dev_cluster_t *dc;
        const char *topic;
        int n;
        unsigned char *reports;      /* delivery reports per sequence number */
        int ok, failed, duplicates;
        char first_error[KAFKIT_ERRSTR_SIZE];
        /* broker fault: taken down at record `down_at`, up DOWN_MS later */
        int32_t victim;
        int down_at;
        int64_t down_since;          /* 0: up */
        int was_down;
} run_t;

static void dr_cb(kafkit_producer_t *p, const kafkit_delivery_t *d, void *opaque)
{
        run_t *run = opaque;
        intptr_t seq = (intptr_t)d->record_opaque - 1;

        ck_assert(seq >= 0 && seq < run->n);
        if (run->reports[seq]++) {
                run->duplicates++;
                return;
        }
        if (d->code == KAFKIT_OK) {
                run->ok++;
                return;
        }
        if (!run->failed++)
                snprintf(run->first_error, sizeof(run->first_error),
                         "record %d: %s (%s): %s", (int)seq, kafkit_err_name(d->code),
                         kafkit_kafka_err_name(d->kafka_code), d->message);
}

static void broker_fault(run_t *run, int i)
{
        kafkit_error_t err;

        if (run->victim < 0)
                return;
        if (i == run->down_at) {
                ck_assert_msg(kafkit_dev_cluster_broker_down(run->dc, run->victim, &err) ==
                              KAFKIT_OK, "broker_down: %s", err.message);
                run->down_since = now_ms();
                run->was_down = 1;
        } else if (run->down_since && now_ms() - run->down_since >= DOWN_MS) {
                ck_assert_msg(kafkit_dev_cluster_broker_up(run->dc, run->victim, &err) ==
                              KAFKIT_OK, "broker_up: %s", err.message);
                run->down_since = 0;
        }
}

/* Sends run->n records, about 2 ms apart per ten, calling broker_fault()
 * along the way; every record must be delivered exactly once. */
static void produce(run_t *run)
{
        kafkit_conf_t *conf = tu_conf(run->dc);
        kafkit_producer_t *p;
        kafkit_producer_stats_t stats;
        kafkit_error_t err;
        char key[16], value[16];
        int i;

        /* The faults make librdkafka log connection errors: expected here,
         * and the assertions below judge the outcome. */
        tu_set(conf, "log_level", "2");
        tu_set(conf, "message.timeout.ms", "120000");
        tu_set(conf, "linger.ms", "5");
        tu_set(conf, "reconnect.backoff.ms", "50");
        tu_set(conf, "reconnect.backoff.max.ms", "500");
        kafkit_conf_set_delivery_cb(conf, dr_cb, run);
        p = kafkit_producer_new(conf, &err);
        if (!p) {
                kafkit_conf_destroy(conf);
                ck_abort_msg("producer_new: %s", err.message);
        }
        for (i = 0; i < run->n; i++) {
                kafkit_record_t rec = KAFKIT_RECORD_INIT;

                rec.topic = run->topic;
                rec.key = key;
                rec.key_len = (size_t)snprintf(key, sizeof(key), "k%d", i % N_KEYS);
                rec.value = value;
                rec.value_len = (size_t)snprintf(value, sizeof(value), "%08d", i);
                ck_assert_msg(kafkit_producer_send(p, &rec, (void *)(intptr_t)(i + 1), &err) ==
                              KAFKIT_OK, "send of record %d: %s", i, err.message);
                broker_fault(run, i);
                if (i % 100 == 99) {
                        kafkit_producer_poll(p, 0);
                        usleep(20 * 1000);
                }
        }
        while (run->down_since) {
                usleep(50 * 1000);
                kafkit_producer_poll(p, 0);
                broker_fault(run, -1);
        }

        ck_assert_uint_eq(kafkit_producer_flush(p, DEADLINE_MS, NULL, &err), KAFKIT_OK);
        kafkit_producer_stats(p, &stats);
        ck_assert_uint_eq(stats.sent, (uint64_t)run->n);
        ck_assert_uint_eq(stats.delivered, (uint64_t)run->n);
        ck_assert_uint_eq(stats.failed, 0);
        ck_assert_uint_eq(kafkit_producer_close(p, DEADLINE_MS), 0);
        ck_assert_msg(run->failed == 0, "%d records failed, first: %s", run->failed,
                      run->first_error);
        ck_assert_int_eq(run->duplicates, 0);
        ck_assert_int_eq(run->ok, run->n);
}

/* ------------------------------------------------------------ consuming */

/* Reads every partition from the beginning to its end; each sequence
 * number must be there once, on its key's partition, in order. */
static void consume_check(run_t *run)
{
        kafkit_conf_t *conf = tu_conf(run->dc);
        kafkit_consumer_t *c;
        kafkit_message_t *m;
        kafkit_error_t err;
        kafkit_offset_t beginning = { KAFKIT_OFFSET_BEGINNING, 0 };
        unsigned char *seen = calloc((size_t)run->n, 1);
        int last[N_PARTS], count = 0, p, seq;
        int64_t deadline = now_ms() + DEADLINE_MS;
        const char *value, *key;
        size_t vlen, klen;
        char buf[16];

        ck_assert_ptr_nonnull(seen);
        for (p = 0; p < N_PARTS; p++)
                last[p] = -1;
        c = kafkit_consumer_new(conf, &err);
        if (!c) {
                kafkit_conf_destroy(conf);
                ck_abort_msg("consumer_new: %s", err.message);
        }
        ck_assert_msg(kafkit_consumer_assign_topic(c, run->topic, -1, &beginning, &err) ==
                      KAFKIT_OK, "assign_topic: %s", err.message);
        ck_assert_uint_eq(kafkit_consumer_assignment_count(c), N_PARTS);

        while (count < run->n || !kafkit_consumer_at_end(c)) {
                ck_assert_msg(now_ms() < deadline, "read %d of %d records", count, run->n);
                m = kafkit_consumer_poll(c, 100, &err);
                if (!m || kafkit_message_kind(m) == KAFKIT_MESSAGE_EOF) {
                        kafkit_message_destroy(m);
                        continue;
                }
                if (kafkit_message_kind(m) == KAFKIT_MESSAGE_ERROR) {
                        kafkit_message_error(m, &err);
                        ck_abort_msg("consumer error: %s", err.message);
                }
                p = kafkit_message_partition(m);
                ck_assert(p >= 0 && p < N_PARTS);
                value = kafkit_message_value(m, &vlen);
                ck_assert(value && vlen == 8);
                memcpy(buf, value, 8);
                buf[8] = '\0';
                seq = atoi(buf);
                ck_assert(seq >= 0 && seq < run->n);
                ck_assert_msg(!seen[seq], "record %d read twice (duplicate)", seq);
                seen[seq] = 1;
                count++;
                ck_assert_msg(seq > last[p], "[%d] record %d after %d: out of order",
                              p, seq, last[p]);
                last[p] = seq;
                key = kafkit_message_key(m, &klen);
                ck_assert_int_eq(p, kafkit_partition_for_key(key, klen, N_PARTS));
                kafkit_message_destroy(m);
        }
        ck_assert_int_eq(count, run->n);
        ck_assert_int_eq(kafkit_consumer_close(c, &err), KAFKIT_OK);
        free(seen);
}

static void run_init(run_t *run, int brokers, int n)
{
        kafkit_error_t err;

        memset(run, 0, sizeof(*run));
        run->dc = tu_cluster(brokers);
        run->topic = tu_topic("it-bd");
        run->n = n;
        run->victim = -1;
        run->reports = calloc((size_t)n, 1);
        ck_assert_ptr_nonnull(run->reports);
        ck_assert_msg(kafkit_dev_cluster_create_topic(run->dc, run->topic, N_PARTS, &err) ==
                      KAFKIT_OK, "create_topic: %s", err.message);
}

static void run_free(run_t *run)
{
        free(run->reports);
        kafkit_dev_cluster_destroy(run->dc);
}

/* The leader of partition 0, after checking that the partitions are led by
 * more than one broker (else a broker down stops everything). */
static int32_t pick_victim(run_t *run)
{
        kafkit_conf_t *conf = tu_conf(run->dc);
        kafkit_metadata_t *md;
        kafkit_error_t err;
        const kafkit_topic_info_t *t;
        int32_t victim;
        size_t i, others = 0;

        md = kafkit_metadata_fetch(conf, run->topic, 10000, &err);
        kafkit_conf_destroy(conf);
        ck_assert_msg(md != NULL, "metadata: %s", err.message);
        ck_assert_uint_eq(md->topic_cnt, 1);
        t = &md->topics[0];
        ck_assert_int_eq(t->kafka_code, 0);
        ck_assert_uint_eq(t->partition_cnt, N_PARTS);
        victim = t->partitions[0].leader;
        for (i = 0; i < t->partition_cnt; i++) {
                ck_assert_int_ge(t->partitions[i].leader, 1);
                others += t->partitions[i].leader != victim;
        }
        kafkit_metadata_destroy(md);
        ck_assert_msg(others > 0, "all %d partitions are led by broker %d", N_PARTS,
                      (int)victim);
        return victim;
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_leader_down_mid_run_loses_and_duplicates_nothing)
{
        run_t run;

        run_init(&run, 3, 20000);
        run.victim = pick_victim(&run);
        run.down_at = 5000;
        produce(&run);
        ck_assert(run.was_down);
        consume_check(&run);
        run_free(&run);
}
END_TEST

START_TEST(test_retriable_produce_errors_still_exactly_once)
{
        static const int codes[] = {
                KERR_NOT_LEADER_FOR_PARTITION, KERR_REQUEST_TIMED_OUT,
                KERR_NOT_ENOUGH_REPLICAS,      KERR_REQUEST_TIMED_OUT,
                KERR_NOT_LEADER_FOR_PARTITION, KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        };
        run_t run;
        kafkit_error_t err;

        run_init(&run, 1, 5000);
        /* Produce is Kafka API key 0. */
        ck_assert_msg(kafkit_dev_cluster_push_request_errors(run.dc, 0,
                                                             sizeof(codes) / sizeof(codes[0]),
                                                             codes, &err) == KAFKIT_OK,
                      "push_request_errors: %s", err.message);
        produce(&run);
        consume_check(&run);
        run_free(&run);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("it_broker_down");
        TCase *tc = tcase_create("faults");

        tcase_set_timeout(tc, 240);
        tcase_add_test(tc, test_leader_down_mid_run_loses_and_duplicates_nothing);
        tcase_add_test(tc, test_retriable_produce_errors_still_exactly_once);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(suite());
}
