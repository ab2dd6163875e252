/*
 * test_partitioner.c: keys land on the partitions Java clients pick.
 *
 * Checks kafkit_murmur2()/kafkit_partition_for_key() against independent
 * vectors (kafka-python's port of Java's murmur2), then that a producer
 * with kafkit's DEFAULT conf really sends each vector key to that partition
 * of a dev cluster topic. Also a producer -> consumer smoke test of record
 * fields (headers, null value, timestamps) and end-of-partition tracking.
 */
#include "testutil.h"
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- vectors */

#define MAX_VECTORS 64
#define MAX_COUNTS 16

typedef struct vector_s {
        unsigned char key[512];
        size_t key_len;
        uint32_t murmur2;
        int counts[MAX_COUNTS];     /* partition counts... */
        int partitions[MAX_COUNTS]; /* ...and the expected partition for each */
        size_t count_cnt;
} vector_t;

static int hex_nibble(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static void decode_hex(const char *hex, vector_t *v)
{
        size_t n = strlen(hex), i;

        ck_assert_msg(n % 2 == 0 && n / 2 <= sizeof(v->key), "bad key_hex \"%s\"", hex);
        for (i = 0; i < n / 2; i++) {
                int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

                ck_assert_msg(hi >= 0 && lo >= 0, "bad key_hex \"%s\"", hex);
                v->key[i] = (unsigned char)(hi << 4 | lo);
        }
        v->key_len = n / 2;
}

static void parse_vector(json_t *obj, size_t line, vector_t *v)
{
        json_t *hex = json_object_get(obj, "key_hex");
        json_t *h = json_object_get(obj, "murmur2");
        json_t *parts = json_object_get(obj, "partition");
        const char *cnt;
        json_t *p;

        ck_assert_msg(json_is_string(hex) && json_is_integer(h) && json_is_object(parts),
                      "vector line %zu: missing key_hex, murmur2 or partition", line);
        memset(v, 0, sizeof(*v));
        decode_hex(json_string_value(hex), v);
        v->murmur2 = (uint32_t)json_integer_value(h);
        json_object_foreach(parts, cnt, p) {
                ck_assert_int_lt(v->count_cnt, MAX_COUNTS);
                v->counts[v->count_cnt] = atoi(cnt);
                v->partitions[v->count_cnt] = (int)json_integer_value(p);
                ck_assert_int_gt(v->counts[v->count_cnt], 0);
                v->count_cnt++;
        }
}

/* Loads every vector; fails the test on an unreadable or empty file. */
static size_t load_vectors(vector_t *vs)
{
        const char *path = tu_vector_path("murmur2-partitions.jsonl");
        FILE *fp = fopen(path, "r");
        char line[8192];
        size_t n = 0, lineno = 0;

        ck_assert_msg(fp != NULL, "cannot open %s", path);
        while (fgets(line, sizeof(line), fp)) {
                json_error_t jerr;
                json_t *obj;

                lineno++;
                if (line[strspn(line, " \t\r\n")] == '\0')
                        continue;
                obj = json_loads(line, 0, &jerr);
                ck_assert_msg(obj != NULL, "%s:%zu: %s", path, lineno, jerr.text);
                ck_assert_int_lt(n, MAX_VECTORS);
                parse_vector(obj, lineno, &vs[n++]);
                json_decref(obj);
        }
        fclose(fp);
        ck_assert_msg(n > 0, "%s: no vectors", path);
        return n;
}

/* Every distinct partition count the vectors mention. */
static size_t vector_counts(const vector_t *vs, size_t n, int *counts)
{
        size_t cnt = 0, i, j, k;

        for (i = 0; i < n; i++)
                for (j = 0; j < vs[i].count_cnt; j++) {
                        for (k = 0; k < cnt && counts[k] != vs[i].counts[j]; k++)
                                ;
                        if (k == cnt && cnt < MAX_COUNTS)
                                counts[cnt++] = vs[i].counts[j];
                }
        return cnt;
}

static int expected_partition(const vector_t *v, int count)
{
        size_t j;

        for (j = 0; j < v->count_cnt; j++)
                if (v->counts[j] == count)
                        return v->partitions[j];
        return -1;
}

START_TEST(murmur2_equals_vectors)
{
        static vector_t vs[MAX_VECTORS];
        size_t n = load_vectors(vs), i, j;

        for (i = 0; i < n; i++) {
                ck_assert_msg(kafkit_murmur2(vs[i].key, vs[i].key_len) == vs[i].murmur2,
                              "vector %zu: murmur2 %u, expected %u", i,
                              kafkit_murmur2(vs[i].key, vs[i].key_len), vs[i].murmur2);
                for (j = 0; j < vs[i].count_cnt; j++)
                        ck_assert_msg(kafkit_partition_for_key(vs[i].key, vs[i].key_len,
                                                               vs[i].counts[j]) ==
                                              vs[i].partitions[j],
                                      "vector %zu, %d partitions: got %d, expected %d", i,
                                      vs[i].counts[j],
                                      kafkit_partition_for_key(vs[i].key, vs[i].key_len,
                                                               vs[i].counts[j]),
                                      vs[i].partitions[j]);
        }
}
END_TEST

START_TEST(partition_for_key_edge_cases)
{
        ck_assert_int_eq(kafkit_partition_for_key("a", 1, 0), -1);
        ck_assert_int_eq(kafkit_partition_for_key("a", 1, -3), -1);
        /* a NULL key hashes as the empty key: pure, never crashes */
        ck_assert(kafkit_murmur2(NULL, 5) == kafkit_murmur2("", 0));
        ck_assert(kafkit_partition_for_key("", 0, 100) >= 0);
}
END_TEST

/* -------------------------------------------------------------- end to end */

typedef struct result_s {
        int done;
        kafkit_err_t code;
        int32_t partition;
        int64_t offset;
} result_t;

static void record_result(kafkit_producer_t *p, const kafkit_delivery_t *d, void *opaque)
{
        result_t *r = d->record_opaque;

        (void)p;
        (void)opaque;
        r->done++;
        r->code = d->code;
        r->partition = d->partition;
        r->offset = d->offset;
}

START_TEST(default_producer_partitions_like_java)
{
        static vector_t vs[MAX_VECTORS];
        static result_t res[MAX_COUNTS][MAX_VECTORS];
        static const char empty[1] = "";
        char topics[MAX_COUNTS][128];
        size_t n = load_vectors(vs), i, c, remaining;
        int counts[MAX_COUNTS];
        size_t ncounts = vector_counts(vs, n, counts);
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_t *p;
        kafkit_error_t err;

        kafkit_conf_set_delivery_cb(conf, record_result, NULL);
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer: %s", err.message);
        for (c = 0; c < ncounts; c++) {
                snprintf(topics[c], sizeof(topics[c]), "%s", tu_topic("murmur2"));
                ck_assert_msg(kafkit_dev_cluster_create_topic(dc, topics[c], counts[c], &err) ==
                                      KAFKIT_OK,
                              "create %s: %s", topics[c], err.message);
                for (i = 0; i < n; i++) {
                        kafkit_record_t rec = KAFKIT_RECORD_INIT;

                        rec.topic = topics[c];
                        /* the empty key is a key (hashed), not a null key (random) */
                        rec.key = vs[i].key_len ? (const void *)vs[i].key : (const void *)empty;
                        rec.key_len = vs[i].key_len;
                        rec.value = "v";
                        rec.value_len = 1;
                        ck_assert_msg(kafkit_producer_send(p, &rec, &res[c][i], &err) == KAFKIT_OK,
                                      "send: %s", err.message);
                }
        }
        ck_assert_msg(kafkit_producer_flush(p, 10000, &remaining, &err) == KAFKIT_OK,
                      "flush: %s", err.message);
        ck_assert_int_eq(remaining, 0);
        for (c = 0; c < ncounts; c++)
                for (i = 0; i < n; i++) {
                        ck_assert_int_eq(res[c][i].done, 1);
                        ck_assert_int_eq(res[c][i].code, KAFKIT_OK);
                        ck_assert_msg(res[c][i].partition == expected_partition(&vs[i], counts[c]),
                                      "vector %zu (%zu-byte key), %d partitions: landed on %d, "
                                      "Java picks %d",
                                      i, vs[i].key_len, counts[c], (int)res[c][i].partition,
                                      expected_partition(&vs[i], counts[c]));
                }
        ck_assert_uint_eq(kafkit_producer_close(p, 5000), 0);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

/* ------------------------------------------------------------------ smoke */

#define SMOKE_RECORDS 10
#define SMOKE_TS 1700000000000LL

static void produce_smoke(kafkit_dev_cluster_t *dc, const char *topic)
{
        static result_t res[SMOKE_RECORDS];
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_stats_t st;
        kafkit_producer_t *p;
        kafkit_error_t err;
        char key[32];
        int i;

        kafkit_conf_set_delivery_cb(conf, record_result, NULL);
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer: %s", err.message);
        for (i = 0; i < SMOKE_RECORDS; i++) {
                kafkit_header_t hdrs[2] = { { "trace", "abc", 3 }, { "nothing", NULL, 0 } };
                kafkit_record_t rec = KAFKIT_RECORD_INIT;

                snprintf(key, sizeof(key), "key-%d", i);
                rec.topic = topic;
                rec.key = key;
                rec.key_len = strlen(key);
                rec.headers = hdrs;
                rec.header_cnt = 2;
                rec.timestamp_ms = SMOKE_TS + i;
                ck_assert_msg(kafkit_producer_send(p, &rec, &res[i], &err) == KAFKIT_OK,
                              "send: %s", err.message);
        }
        ck_assert_int_eq(kafkit_producer_flush(p, 10000, NULL, &err), KAFKIT_OK);
        for (i = 0; i < SMOKE_RECORDS; i++) {
                ck_assert_int_eq(res[i].done, 1);
                ck_assert_int_eq(res[i].code, KAFKIT_OK);
                ck_assert_int_ge(res[i].offset, 0);
        }
        kafkit_producer_stats(p, &st);
        ck_assert_uint_eq(st.sent, SMOKE_RECORDS);
        ck_assert_uint_eq(st.delivered, SMOKE_RECORDS);
        ck_assert_uint_eq(st.failed, 0);
        ck_assert_uint_eq(kafkit_producer_close(p, 5000), 0);
}

static void check_smoke_record(const kafkit_message_t *m, int *seen)
{
        const char *name;
        const void *val;
        size_t len;
        int ts_type, i;
        char want[32];
        kafkit_error_t err;

        ck_assert_int_eq(kafkit_message_error(m, &err), KAFKIT_OK);
        val = kafkit_message_key(m, &len);
        ck_assert_ptr_nonnull(val);
        ck_assert_msg(len > 4 && len < sizeof(want) && memcmp(val, "key-", 4) == 0, "key");
        i = atoi((const char *)val + 4);
        ck_assert(i >= 0 && i < SMOKE_RECORDS);
        snprintf(want, sizeof(want), "key-%d", i);
        ck_assert_uint_eq(len, strlen(want));
        ck_assert(memcmp(val, want, len) == 0);
        seen[i]++;

        ck_assert_ptr_null(kafkit_message_value(m, &len));
        ck_assert_uint_eq(len, 0);
        ck_assert(kafkit_message_timestamp(m, &ts_type) == SMOKE_TS + i);
        ck_assert_int_eq(ts_type, 1);
        ck_assert_int_ge(kafkit_message_offset(m), 0);

        ck_assert_uint_eq(kafkit_message_header_count(m), 2);
        ck_assert_int_eq(kafkit_message_header(m, 0, &name, &val, &len), 1);
        ck_assert_str_eq(name, "trace");
        ck_assert_uint_eq(len, 3);
        ck_assert(memcmp(val, "abc", 3) == 0);
        ck_assert_int_eq(kafkit_message_header(m, 1, &name, &val, &len), 1);
        ck_assert_str_eq(name, "nothing");
        ck_assert_ptr_null(val);
        ck_assert_uint_eq(len, 0);
        ck_assert_int_eq(kafkit_message_header(m, 2, &name, &val, &len), 0);
}

START_TEST(smoke_produce_then_consume_to_end)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        char topic[128];
        kafkit_offset_t from = { KAFKIT_OFFSET_BEGINNING, 0 };
        kafkit_consumer_t *c;
        kafkit_error_t err;
        int seen[SMOKE_RECORDS] = { 0 }, records = 0, eofs = 0, i;
        int64_t deadline;

        snprintf(topic, sizeof(topic), "%s", tu_topic("smoke"));
        ck_assert_int_eq(kafkit_dev_cluster_create_topic(dc, topic, 2, &err), KAFKIT_OK);
        produce_smoke(dc, topic);

        c = kafkit_consumer_new(tu_conf(dc), &err);
        ck_assert_msg(c != NULL, "consumer: %s", err.message);
        ck_assert_int_eq(kafkit_consumer_at_end(c), 0);
        ck_assert_msg(kafkit_consumer_assign_topic(c, topic, -1, &from, &err) == KAFKIT_OK,
                      "assign: %s", err.message);
        ck_assert_uint_eq(kafkit_consumer_assignment_count(c), 2);
        deadline = kafkit_now_ms() + 15000;
        while (!kafkit_consumer_at_end(c) && kafkit_now_ms() < deadline) {
                kafkit_message_t *m = kafkit_consumer_poll(c, 200, &err);

                if (!m)
                        continue;
                switch (kafkit_message_kind(m)) {
                case KAFKIT_MESSAGE_RECORD:
                        ck_assert_str_eq(kafkit_message_topic(m), topic);
                        check_smoke_record(m, seen);
                        /* no group: marking and committing are harmless no-ops */
                        ck_assert_int_eq(kafkit_consumer_mark(c, m, &err), KAFKIT_OK);
                        records++;
                        break;
                case KAFKIT_MESSAGE_EOF:
                        ck_assert_int_eq(kafkit_consumer_mark(c, m, &err),
                                         KAFKIT_ERR_INVALID_ARG);
                        eofs++;
                        break;
                default:
                        kafkit_message_error(m, &err);
                        ck_abort_msg("consumer error: %s", err.message);
                }
                kafkit_message_destroy(m);
        }
        ck_assert_msg(kafkit_consumer_at_end(c), "not at end after 15 s (%d records)", records);
        ck_assert_int_eq(records, SMOKE_RECORDS);
        ck_assert_int_ge(eofs, 2);
        for (i = 0; i < SMOKE_RECORDS; i++)
                ck_assert_int_eq(seen[i], 1);
        ck_assert_int_eq(kafkit_consumer_commit(c, 0, &err), KAFKIT_OK);
        ck_assert_int_eq(kafkit_consumer_close(c, &err), KAFKIT_OK);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

START_TEST(assign_topic_names_what_is_missing)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        kafkit_consumer_t *c;
        kafkit_error_t err;
        char topic[128];

        snprintf(topic, sizeof(topic), "%s", tu_topic("three"));
        ck_assert_int_eq(kafkit_dev_cluster_create_topic(dc, topic, 3, &err), KAFKIT_OK);
        c = kafkit_consumer_new(tu_conf(dc), &err);
        ck_assert_msg(c != NULL, "consumer: %s", err.message);

        ck_assert_int_eq(kafkit_consumer_assign_topic(c, "no-such-topic", -1, NULL, &err),
                         KAFKIT_ERR_NOT_FOUND);
        ck_assert_msg(strstr(err.message, "no-such-topic"), "message: %s", err.message);

        ck_assert_int_eq(kafkit_consumer_assign_topic(c, topic, 7, NULL, &err),
                         KAFKIT_ERR_NOT_FOUND);
        ck_assert_msg(strstr(err.message, topic) && strstr(err.message, "7"), "message: %s",
                      err.message);
        ck_assert_uint_eq(kafkit_consumer_assignment_count(c), 0);

        ck_assert_int_eq(kafkit_consumer_assign_topic(c, topic, 2, NULL, &err), KAFKIT_OK);
        ck_assert_uint_eq(kafkit_consumer_assignment_count(c), 1);
        /* without group.id there is nothing to subscribe with or look up */
        ck_assert_int_eq(kafkit_consumer_subscribe(c, (const char *const[]){ topic }, 1, &err),
                         KAFKIT_ERR_STATE);
        ck_assert_int_eq(kafkit_consumer_close(c, &err), KAFKIT_OK);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

/* acks=1 without enable.idempotence must not get idempotence forced on. */
START_TEST(explicit_acks_keeps_producer_usable)
{
        kafkit_dev_cluster_t *dc = tu_cluster(1);
        kafkit_conf_t *conf = tu_conf(dc);
        kafkit_producer_t *p;
        kafkit_error_t err;

        tu_set(conf, "acks", "1");
        p = kafkit_producer_new(conf, &err);
        ck_assert_msg(p != NULL, "producer with acks=1: %s", err.message);
        ck_assert_uint_eq(kafkit_producer_close(p, 1000), 0);

        /* asking for both is a contradiction librdkafka reports */
        conf = tu_conf(dc);
        tu_set(conf, "acks", "1");
        tu_set(conf, "enable.idempotence", "true");
        p = kafkit_producer_new(conf, &err);
        ck_assert_ptr_null(p);
        ck_assert_int_eq(err.code, KAFKIT_ERR_CONF);
        kafkit_conf_destroy(conf);
        kafkit_dev_cluster_destroy(dc);
}
END_TEST

static Suite *partitioner_suite(void)
{
        Suite *s = suite_create("partitioner");
        TCase *tc = tcase_create("murmur2");

        tcase_add_test(tc, murmur2_equals_vectors);
        tcase_add_test(tc, partition_for_key_edge_cases);
        suite_add_tcase(s, tc);

        tc = tcase_create("cluster");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, default_producer_partitions_like_java);
        tcase_add_test(tc, smoke_produce_then_consume_to_end);
        tcase_add_test(tc, assign_topic_names_what_is_missing);
        tcase_add_test(tc, explicit_acks_keeps_producer_usable);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(partitioner_suite());
}
