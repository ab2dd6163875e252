/*
 * it_transactions.c: integration tests of the producer's transaction API,
 * its client error callback and the broker id of delivery results, through
 * the public API only, against an in-process dev cluster.
 *
 * The dev cluster (librdkafka's mock) accepts transactions but does not
 * hide aborted records from read_committed consumers, so these tests check
 * what the API promises on the producer side: committed records are
 * delivered and readable, an abort fails the records it drops, the calls
 * refuse the wrong order or a producer without transactional.id.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define TXN_TIMEOUT_MS 10000

typedef struct dr_count_s {
        int ok;
        int failed;
        int32_t broker_id;      /* of the last success */
} dr_count_t;

static void dr_cb(kafkit_producer_t *p, const kafkit_delivery_t *d, void *opaque)
{
        dr_count_t *c = opaque;

        (void)p;
        if (d->code == KAFKIT_OK) {
                c->ok++;
                c->broker_id = d->broker_id;
        } else {
                c->failed++;
                ck_assert_int_eq(d->broker_id, -1);
        }
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_n(kafkit_producer_t *p, const char *topic, int first, int n)
{
        kafkit_record_t rec = KAFKIT_RECORD_INIT;
        kafkit_error_t err;
        char value[32];
        int i;

        rec.topic = topic;
        rec.partition = 0;
        for (i = first; i < first + n; i++) {
                rec.value = value;
                rec.value_len = (size_t)snprintf(value, sizeof(value), "txn-%d", i);
                ck_assert_msg(kafkit_producer_send(p, &rec, NULL, &err) == KAFKIT_OK,
                              "send %d: %s", i, err.message);
        }
}

/* Reads partition 0 of `topic` from the beginning until `want` records. */
static int read_back(kafkit_dev_cluster_t *dc, const char *topic, int want)
{
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_offset_t beginning = { KAFKIT_OFFSET_BEGINNING, 0 };
        kafkit_consumer_t *c;
        kafkit_message_t *m;
        kafkit_error_t err;
        int64_t deadline = now_ms() + 20000;
        int got = 0;

        c = kafkit_consumer_new(conf, &err);
        ck_assert_msg(c != NULL, "consumer_new: %s", err.message);
        ck_assert_int_eq(kafkit_consumer_assign_topic(c, topic, 0, &beginning, &err),
                         KAFKIT_OK);
        while (got < want && now_ms() < deadline) {
                m = kafkit_consumer_poll(c, 200, &err);
                if (m && kafkit_message_kind(m) == KAFKIT_MESSAGE_RECORD) {
                        size_t len;
                        const char *v = kafkit_message_value(m, &len);
                        char expect[32];

                        snprintf(expect, sizeof(expect), "txn-%d", got);
                        ck_assert(v && len == strlen(expect) && !memcmp(v, expect, len));
                        got++;
                }
                kafkit_message_destroy(m);
        }
        ck_assert_int_eq(kafkit_consumer_close(c, &err), KAFKIT_OK);
        return got;
}

/*
 * init, begin, send, commit: every record is delivered by the time commit
 * returns (commit flushes), with the acknowledging broker's id, and reads
 * back; a second transaction works the same way.
 */
START_TEST(test_commit_delivers_every_record_before_returning)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        const char *topic = tu_topic("it-txn-commit");
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_t *p;
        kafkit_error_t err;
        dr_count_t dr = { 0, 0, -1 };

        tu_set(conf, "transactional.id", "it-txn-commit");
        kafkit_conf_set_delivery_cb(conf, dr_cb, &dr);
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer_new: %s", err.message);
        ck_assert_msg(kafkit_producer_init_transactions(p, TXN_TIMEOUT_MS, &err) == KAFKIT_OK,
                      "init: %s", err.message);
        ck_assert_int_eq(kafkit_producer_begin_transaction(p, &err), KAFKIT_OK);
        send_n(p, topic, 0, 50);
        ck_assert_msg(kafkit_producer_commit_transaction(p, TXN_TIMEOUT_MS, &err) == KAFKIT_OK,
                      "commit: %s", err.message);
        ck_assert_int_eq(dr.ok, 50);
        ck_assert_int_eq(dr.failed, 0);
        ck_assert_int_eq(dr.broker_id, 1);
        ck_assert_int_eq(kafkit_producer_begin_transaction(p, &err), KAFKIT_OK);
        send_n(p, topic, 50, 10);
        ck_assert_int_eq(kafkit_producer_commit_transaction(p, TXN_TIMEOUT_MS, &err), KAFKIT_OK);
        ck_assert_int_eq(dr.ok, 60);
        ck_assert_uint_eq(kafkit_producer_close(p, 5000), 0);
        ck_assert_int_eq(read_back(dc, topic, 60), 60);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

/*
 * An abort right after the sends drops what was not yet sent: no record
 * is both acknowledged and failed, every record gets one result, and the
 * producer can run the next transaction.
 */
START_TEST(test_abort_gives_every_record_one_result_and_allows_the_next)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        const char *topic = tu_topic("it-txn-abort");
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_t *p;
        kafkit_error_t err;
        dr_count_t dr = { 0, 0, -1 };

        tu_set(conf, "transactional.id", "it-txn-abort");
        kafkit_conf_set_delivery_cb(conf, dr_cb, &dr);
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer_new: %s", err.message);
        ck_assert_int_eq(kafkit_producer_init_transactions(p, TXN_TIMEOUT_MS, &err), KAFKIT_OK);
        ck_assert_int_eq(kafkit_producer_begin_transaction(p, &err), KAFKIT_OK);
        send_n(p, topic, 0, 1000);
        ck_assert_msg(kafkit_producer_abort_transaction(p, TXN_TIMEOUT_MS, &err) == KAFKIT_OK,
                      "abort: %s", err.message);
        kafkit_producer_poll(p, 100);
        ck_assert_int_eq(dr.ok + dr.failed, 1000);
        ck_assert_int_eq(kafkit_producer_begin_transaction(p, &err), KAFKIT_OK);
        ck_assert_int_eq(kafkit_producer_commit_transaction(p, TXN_TIMEOUT_MS, &err), KAFKIT_OK);
        kafkit_producer_close(p, 5000);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

/* Wrong order and a producer without transactional.id: KAFKIT_ERR_STATE,
 * with the operation named in the message. */
START_TEST(test_wrong_order_and_non_transactional_producer_are_state_errors)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_t *p;
        kafkit_error_t err;

        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer_new: %s", err.message);
        ck_assert_int_eq(kafkit_producer_init_transactions(p, 1000, &err), KAFKIT_ERR_STATE);
        ck_assert_msg(!strncmp(err.message, "init transactions: ", 19), "%s", err.message);
        ck_assert_int_eq(kafkit_producer_begin_transaction(p, &err), KAFKIT_ERR_STATE);
        ck_assert_msg(!strncmp(err.message, "begin transaction: ", 19), "%s", err.message);
        kafkit_producer_close(p, 1000);

        conf = tu_conf(dc);
        tu_set(conf, "transactional.id", "it-txn-order");
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer_new: %s", err.message);
        /* begin and commit before init */
        ck_assert_int_eq(kafkit_producer_begin_transaction(p, &err), KAFKIT_ERR_STATE);
        ck_assert_int_eq(kafkit_producer_init_transactions(p, TXN_TIMEOUT_MS, &err), KAFKIT_OK);
        ck_assert_int_ne(kafkit_producer_commit_transaction(p, 1000, &err), KAFKIT_OK);
        ck_assert_msg(!strncmp(err.message, "commit transaction: ", 20), "%s", err.message);
        ck_assert_int_eq(kafkit_producer_init_transactions(NULL, 1, &err), KAFKIT_ERR_INVALID_ARG);
        kafkit_producer_close(p, 1000);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

typedef struct errs_s {
        int n;
        int all_down;
        char first[KAFKIT_ERRSTR_SIZE];
} errs_t;

static void err_cb(kafkit_producer_t *p, const kafkit_error_t *e, void *opaque)
{
        errs_t *errs = opaque;

        (void)p;
        ck_assert_int_ne(e->code, KAFKIT_OK);
        ck_assert_int_ne(e->kafka_code, 0);
        if (!errs->n++)
                snprintf(errs->first, sizeof(errs->first), "%s", e->message);
        if (!strcmp(kafkit_kafka_err_name(e->kafka_code), "_ALL_BROKERS_DOWN"))
                errs->all_down++;
}

/* A cluster that is not there: the error callback (set after new) hears
 * "all broker connections are down" from the polling calls. */
START_TEST(test_error_cb_reports_all_brokers_down)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_producer_t *p;
        kafkit_error_t err;
        errs_t errs;
        int64_t deadline = now_ms() + 10000;

        memset(&errs, 0, sizeof(errs));
        ck_assert_ptr_nonnull(conf);
        tu_set(conf, "bootstrap.servers", "127.0.0.1:1");
        tu_set(conf, "log_level", "0");
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer_new: %s", err.message);
        kafkit_producer_set_error_cb(p, err_cb, &errs);
        while (!errs.all_down && now_ms() < deadline)
                kafkit_producer_poll(p, 100);
        ck_assert_msg(errs.all_down >= 1, "no all-brokers-down error; first: %s", errs.first);
        ck_assert_msg(strstr(errs.first, "127.0.0.1:1") != NULL, "%s", errs.first);
        kafkit_producer_close(p, 0);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("it_transactions");
        TCase *tc = tcase_create("transactions");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_commit_delivers_every_record_before_returning);
        tcase_add_test(tc, test_abort_gives_every_record_one_result_and_allows_the_next);
        tcase_add_test(tc, test_wrong_order_and_non_transactional_producer_are_state_errors);
        tcase_add_test(tc, test_error_cb_reports_all_brokers_down);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(suite());
}
