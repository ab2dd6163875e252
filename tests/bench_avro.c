/*
 * bench_avro.c: single-threaded Avro codec figures for `make bench`, not a
 * test. For a small record of ten fields (longs, ints, strings, a double, a
 * boolean, an enum, a null|string union) it measures, in records/s:
 *  - Avro binary -> JSON with kafkit, in both JSON styles;
 *  - the same bytes through avro-c (avro_value_read + avro_value_to_json),
 *    and the kafkit/avro-c ratio;
 *  - JSON (~150 bytes) -> Avro binary with kafkit, in both styles.
 * Each figure is the best of BENCH_AVRO_RUNS runs (3) of BENCH_AVRO_RECORDS
 * records (2,000,000), cycling through a few dozen distinct records. Output
 * lines read "name value unit", to be appended to bench-results.txt.
 * BENCH_AVRO_ONLY=decode|avro-c|encode runs one part alone, for profiling.
 *
 *   tests/bench_avro [RECORDS [RUNS]]
 */
#include <kafkit/kafkit.h>

#include <avro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_VARIANTS 64

static const char schema_text[] =
        "{\"type\":\"record\",\"name\":\"Click\",\"namespace\":\"bench\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"user\",\"type\":\"string\"},"
        "{\"name\":\"page\",\"type\":\"string\"},{\"name\":\"count\",\"type\":\"int\"},"
        "{\"name\":\"ts\",\"type\":\"long\"},{\"name\":\"score\",\"type\":\"double\"},"
        "{\"name\":\"ok\",\"type\":\"boolean\"},"
        "{\"name\":\"kind\",\"type\":{\"type\":\"enum\",\"name\":\"Kind\","
        "\"symbols\":[\"VIEW\",\"CLICK\",\"BUY\"]}},"
        "{\"name\":\"ref\",\"type\":[\"null\",\"string\"]},"
        "{\"name\":\"session\",\"type\":\"int\"}]}";

typedef struct record_s {
        char json[2][256];      /* AVRO style, PLAIN style */
        kafkit_buf_t bin;
} record_t;

typedef struct bench_s {
        kafkit_avro_schema_t *schema;
        record_t recs[N_VARIANTS];
        long records;
        int runs;
        volatile size_t sink;   /* keeps the work observable */
} bench_t;

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench_avro: %s: %s\n", what, detail);
        exit(1);
}

/* Distinct but typical records: short ids and names, real scores. */
static void make_records(bench_t *b)
{
        static const char *const kinds[] = { "VIEW", "CLICK", "BUY" };
        kafkit_error_t err;
        int i, st;

        for (i = 0; i < N_VARIANTS; i++) {
                record_t *r = &b->recs[i];
                long long id = 1000003LL * (i + 1);

                for (st = 0; st < 2; st++) {
                        char ref[64];

                        if (i % 3 == 0)
                                snprintf(ref, sizeof(ref), "null");
                        else
                                snprintf(ref, sizeof(ref), st ? "\"https://ex.com/%d\""
                                                              : "{\"string\":\"https://ex.com/%d\"}",
                                         i);
                        snprintf(r->json[st], sizeof(r->json[st]),
                                 "{\"id\":%lld,\"user\":\"user-%04d\",\"page\":\"/products/%d\","
                                 "\"count\":%d,\"ts\":%lld,\"score\":%.4f,\"ok\":%s,"
                                 "\"kind\":\"%s\",\"ref\":%s,\"session\":%d}",
                                 id, i * 37, i * 11, i % 17, 1700000000000LL + i * 1234567LL,
                                 i * 0.37 + 0.5, i % 2 ? "true" : "false", kinds[i % 3], ref,
                                 -i * 1000);
                }
                kafkit_buf_init(&r->bin);
                if (kafkit_avro_encode_json(b->schema, r->json[0], (size_t)-1,
                                            KAFKIT_AVRO_JSON_AVRO, &r->bin, &err))
                        die("encode", err.message);
        }
}

static double kafkit_decode(bench_t *b, kafkit_avro_json_style_t style)
{
        kafkit_buf_t out = { NULL, 0, 0 };
        kafkit_error_t err;
        double t0, t;
        long i;

        t0 = now_s();
        for (i = 0; i < b->records; i++) {
                const record_t *r = &b->recs[i % N_VARIANTS];

                kafkit_buf_reset(&out);
                if (kafkit_avro_decode_json(b->schema, r->bin.data, r->bin.len, style, &out, &err))
                        die("kafkit decode", err.message);
                b->sink += out.len;
        }
        t = now_s() - t0;
        kafkit_buf_free(&out);
        return (double)b->records / t;
}

static double avroc_decode(bench_t *b)
{
        avro_value_iface_t *iface;
        avro_schema_t schema;
        avro_reader_t reader;
        avro_value_t value;
        double t0, t;
        long i;

        if (avro_schema_from_json_length(schema_text, sizeof(schema_text) - 1, &schema))
                die("avro-c schema", avro_strerror());
        iface = avro_generic_class_from_schema(schema);
        if (!iface || avro_generic_value_new(iface, &value))
                die("avro-c value", avro_strerror());
        reader = avro_reader_memory(b->recs[0].bin.data, (int64_t)b->recs[0].bin.len);
        t0 = now_s();
        for (i = 0; i < b->records; i++) {
                const record_t *r = &b->recs[i % N_VARIANTS];
                char *json;

                avro_reader_memory_set_source(reader, r->bin.data, (int64_t)r->bin.len);
                if (avro_value_read(reader, &value) || avro_value_to_json(&value, 1, &json))
                        die("avro-c decode", avro_strerror());
                b->sink += strlen(json);
                free(json);
        }
        t = now_s() - t0;
        avro_reader_free(reader);
        avro_value_decref(&value);
        avro_value_iface_decref(iface);
        avro_schema_decref(schema);
        return (double)b->records / t;
}

static double kafkit_encode(bench_t *b, kafkit_avro_json_style_t style)
{
        kafkit_buf_t out = { NULL, 0, 0 };
        kafkit_error_t err;
        double t0, t;
        long i;

        t0 = now_s();
        for (i = 0; i < b->records; i++) {
                const record_t *r = &b->recs[i % N_VARIANTS];

                kafkit_buf_reset(&out);
                if (kafkit_avro_encode_json(b->schema, r->json[style], (size_t)-1, style, &out,
                                            &err))
                        die("kafkit encode", err.message);
                b->sink += out.len;
        }
        t = now_s() - t0;
        kafkit_buf_free(&out);
        return (double)b->records / t;
}

/* Best (highest) rate of b->runs runs. */
static double best_of(bench_t *b, double (*fn)(bench_t *, kafkit_avro_json_style_t),
                      kafkit_avro_json_style_t style)
{
        double best = 0, r;
        int i;

        for (i = 0; i < b->runs; i++)
                if ((r = fn(b, style)) > best)
                        best = r;
        return best;
}

static double avroc_any(bench_t *b, kafkit_avro_json_style_t style)
{
        (void)style;
        return avroc_decode(b);
}

int main(int argc, char **argv)
{
        static bench_t b;
        const char *only = getenv("BENCH_AVRO_ONLY");
        double dec_avro, dec_plain, dec_c, enc_avro, enc_plain;
        kafkit_error_t err;
        size_t bin = 0, json = 0;
        int i;

        b.records = argc > 1 ? atol(argv[1])
                             : getenv("BENCH_AVRO_RECORDS") ? atol(getenv("BENCH_AVRO_RECORDS"))
                                                            : 2000000;
        b.runs = argc > 2 ? atoi(argv[2])
                          : getenv("BENCH_AVRO_RUNS") ? atoi(getenv("BENCH_AVRO_RUNS")) : 3;
        if (b.records <= 0 || b.runs <= 0)
                die("usage", "bench_avro [RECORDS [RUNS]]");
        b.schema = kafkit_avro_schema_new(schema_text, (size_t)-1, &err);
        if (!b.schema)
                die("schema", err.message);
        make_records(&b);
        for (i = 0; i < N_VARIANTS; i++) {
                bin += b.recs[i].bin.len;
                json += strlen(b.recs[i].json[0]);
        }

        if (only && strcmp(only, "decode") && strcmp(only, "avro-c") && strcmp(only, "encode"))
                die("BENCH_AVRO_ONLY", "expected decode, avro-c or encode");
        dec_avro = dec_plain = dec_c = enc_avro = enc_plain = 0;
        if (!only || !strcmp(only, "decode")) {
                dec_avro = best_of(&b, kafkit_decode, KAFKIT_AVRO_JSON_AVRO);
                dec_plain = best_of(&b, kafkit_decode, KAFKIT_AVRO_JSON_PLAIN);
        }
        if (!only || !strcmp(only, "avro-c"))
                dec_c = best_of(&b, avroc_any, KAFKIT_AVRO_JSON_AVRO);
        if (!only || !strcmp(only, "encode")) {
                enc_avro = best_of(&b, kafkit_encode, KAFKIT_AVRO_JSON_AVRO);
                enc_plain = best_of(&b, kafkit_encode, KAFKIT_AVRO_JSON_PLAIN);
        }

        printf("# avro bench: %ld records (%d variants, %.0f bytes binary, %.0f bytes JSON"
               " on average), best of %d runs, one thread\n",
               b.records, N_VARIANTS, (double)bin / N_VARIANTS, (double)json / N_VARIANTS,
               b.runs);
        printf("avro_decode_kafkit_avro_json %.0f records/s\n", dec_avro);
        printf("avro_decode_kafkit_plain_json %.0f records/s\n", dec_plain);
        printf("avro_decode_avro_c %.0f records/s\n", dec_c);
        printf("avro_decode_ratio_kafkit_avro_c %.2f x\n", dec_c > 0 ? dec_avro / dec_c : 0);
        printf("avro_encode_kafkit_avro_json %.0f records/s\n", enc_avro);
        printf("avro_encode_kafkit_plain_json %.0f records/s\n", enc_plain);

        for (i = 0; i < N_VARIANTS; i++)
                kafkit_buf_free(&b.recs[i].bin);
        kafkit_avro_schema_destroy(b.schema);
        return 0;
}
