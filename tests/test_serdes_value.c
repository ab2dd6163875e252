/*
 * test_serdes_value.c: the Avro serdes with avro-c generic values
 * (kafkit/serdes_value.h), against an in-process development Schema
 * Registry on 127.0.0.1: a record of every Avro type round-trips value ->
 * framed bytes -> value, with the same bytes as the JSON serializer; v1
 * data read with a v2 reader schema gets the default; a reused value keeps
 * its class over 1000 records and changes class with the schema; malformed
 * payloads fail with the JSON path's codes and messages before avro-c sees
 * them; a value of another schema cannot be serialized.
 */
#include "testutil.h"

#include <kafkit/serdes_value.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kafkit_registry_server_t *srv;
static kafkit_conf_t *conf;

#define ALL_SCHEMA                                                                        \
        "{\"type\":\"record\",\"name\":\"All\",\"namespace\":\"t\",\"fields\":["           \
        "{\"name\":\"n\",\"type\":\"null\"},{\"name\":\"b\",\"type\":\"boolean\"},"        \
        "{\"name\":\"i\",\"type\":\"int\"},{\"name\":\"l\",\"type\":\"long\"},"            \
        "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\"},"        \
        "{\"name\":\"by\",\"type\":\"bytes\"},{\"name\":\"s\",\"type\":\"string\"},"       \
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Color\","                 \
        "\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"]}},"                                       \
        "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"int\"}},"                \
        "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},"                \
        "{\"name\":\"u\",\"type\":[\"null\",\"string\",\"Color\"]},"                        \
        "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"Four\",\"size\":4}},"   \
        "{\"name\":\"sub\",\"type\":{\"type\":\"record\",\"name\":\"Sub\","                \
        "\"namespace\":\"other\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},"           \
        "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}" \
        "]}}]}"
/* the value tests build, in AVRO-style JSON (map keys in insertion order) */
#define ALL_JSON                                                                          \
        "{\"n\":null,\"b\":true,\"i\":-42,\"l\":1234567890123,\"f\":1.5,\"d\":-2.25,"     \
        "\"by\":\"a\\u0000b\",\"s\":\"h\\u00e9llo\",\"e\":\"GREEN\",\"a\":[1,2,3],"       \
        "\"m\":{\"k1\":7,\"k2\":-8},\"u\":{\"t.Color\":\"BLUE\"},"                         \
        "\"fx\":\"\\u0001\\u0002\\u0003\\u0004\",\"sub\":{\"x\":5,\"ts\":1700000000000}}"

#define USER_V1                                                                        \
        "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"shop\",\"fields\":["   \
        "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"name\",\"type\":\"string\"}]}"
#define USER_V2                                                                        \
        "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"shop\",\"fields\":["   \
        "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"name\",\"type\":\"string\"},"  \
        "{\"name\":\"country\",\"type\":\"string\",\"default\":\"NL\"}]}"

static void setup(void)
{
        kafkit_error_t err;

        srv = kafkit_registry_server_new(NULL, "127.0.0.1:0", NULL, &err);
        ck_assert_msg(srv, "%s", err.message);
        conf = kafkit_conf_new();
        ck_assert_ptr_nonnull(conf);
        tu_set(conf, "log_level", "3");
        tu_set(conf, "schema.registry.url", kafkit_registry_server_url(srv));
        tu_set(conf, "schema.registry.max.retries", "0");
}

static void teardown(void)
{
        kafkit_conf_destroy(conf);
        kafkit_registry_server_destroy(srv);
        srv = NULL;
}

static kafkit_serdes_t *serdes(void)
{
        kafkit_error_t err;
        kafkit_serdes_t *sd = kafkit_serdes_new(conf, KAFKIT_SERDES_VALUE, NULL, &err);

        ck_assert_msg(sd, "%s", err.message);
        return sd;
}

/* A fresh avro-c value of `schema` (the caller's own class). */
static avro_value_t new_value(const char *schema)
{
        avro_value_iface_t *cls;
        avro_schema_t s;
        avro_value_t v;

        ck_assert_msg(!avro_schema_from_json_length(schema, strlen(schema), &s), "%s",
                      avro_strerror());
        cls = avro_generic_class_from_schema(s);
        ck_assert_ptr_nonnull(cls);
        ck_assert_int_eq(avro_generic_value_new(cls, &v), 0);
        avro_value_iface_decref(cls);
        avro_schema_decref(s);
        return v;
}

static avro_value_t field(avro_value_t *rec, const char *name)
{
        avro_value_t f;

        ck_assert_msg(!avro_value_get_by_name(rec, name, &f, NULL), "no field %s", name);
        return f;
}

/* Fills an ALL_SCHEMA value with what ALL_JSON says, `i` as given. */
static void fill_all(avro_value_t *v, int32_t i)
{
        avro_value_t f, item, br;
        char fx[4] = { 1, 2, 3, 4 };

        f = field(v, "n");
        ck_assert_int_eq(avro_value_set_null(&f), 0);
        f = field(v, "b");
        avro_value_set_boolean(&f, 1);
        f = field(v, "i");
        avro_value_set_int(&f, i);
        f = field(v, "l");
        avro_value_set_long(&f, 1234567890123LL);
        f = field(v, "f");
        avro_value_set_float(&f, 1.5f);
        f = field(v, "d");
        avro_value_set_double(&f, -2.25);
        f = field(v, "by");
        avro_value_set_bytes(&f, "a\0b", 3);
        f = field(v, "s");
        avro_value_set_string(&f, "h\xc3\xa9llo");
        f = field(v, "e");
        avro_value_set_enum(&f, 1);
        f = field(v, "a");
        for (int k = 1; k <= 3; k++) {
                ck_assert_int_eq(avro_value_append(&f, &item, NULL), 0);
                avro_value_set_int(&item, k);
        }
        f = field(v, "m");
        ck_assert_int_eq(avro_value_add(&f, "k1", &item, NULL, NULL), 0);
        avro_value_set_long(&item, 7);
        ck_assert_int_eq(avro_value_add(&f, "k2", &item, NULL, NULL), 0);
        avro_value_set_long(&item, -8);
        f = field(v, "u");
        ck_assert_int_eq(avro_value_set_branch(&f, 2, &br), 0);
        avro_value_set_enum(&br, 2);
        f = field(v, "fx");
        avro_value_set_fixed(&f, fx, 4);
        f = field(v, "sub");
        item = field(&f, "x");
        avro_value_set_int(&item, 5);
        item = field(&f, "ts");
        avro_value_set_long(&item, 1700000000000LL);
}

/* Checks every field of an ALL_SCHEMA value read back. */
static void check_all(avro_value_t *v, int32_t want_i)
{
        avro_value_t f, item, br, sub;
        const char *s;
        const void *p;
        size_t n, sz;
        int32_t i32;
        int64_t i64;
        float fl;
        double d;
        int b, e, disc;

        ck_assert_int_eq(avro_value_get_type(v), AVRO_RECORD);
        ck_assert_int_eq(avro_value_get_size(v, &n), 0);
        ck_assert_uint_eq(n, 14);
        f = field(v, "n");
        ck_assert_int_eq(avro_value_get_type(&f), AVRO_NULL);
        f = field(v, "b");
        avro_value_get_boolean(&f, &b);
        ck_assert_int_eq(b, 1);
        f = field(v, "i");
        avro_value_get_int(&f, &i32);
        ck_assert_int_eq(i32, want_i);
        f = field(v, "l");
        avro_value_get_long(&f, &i64);
        ck_assert(i64 == 1234567890123LL);
        f = field(v, "f");
        avro_value_get_float(&f, &fl);
        ck_assert(fl == 1.5f);
        f = field(v, "d");
        avro_value_get_double(&f, &d);
        ck_assert(d == -2.25);
        f = field(v, "by");
        avro_value_get_bytes(&f, &p, &sz);
        ck_assert_uint_eq(sz, 3);
        ck_assert(!memcmp(p, "a\0b", 3));
        f = field(v, "s");
        avro_value_get_string(&f, &s, &sz);
        ck_assert_str_eq(s, "h\xc3\xa9llo");
        f = field(v, "e");
        avro_value_get_enum(&f, &e);
        ck_assert_int_eq(e, 1);
        f = field(v, "a");
        avro_value_get_size(&f, &n);
        ck_assert_uint_eq(n, 3);
        avro_value_get_by_index(&f, 2, &item, NULL);
        avro_value_get_int(&item, &i32);
        ck_assert_int_eq(i32, 3);
        f = field(v, "m");
        avro_value_get_size(&f, &n);
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(avro_value_get_by_name(&f, "k2", &item, NULL), 0);
        avro_value_get_long(&item, &i64);
        ck_assert(i64 == -8);
        f = field(v, "u");
        avro_value_get_discriminant(&f, &disc);
        ck_assert_int_eq(disc, 2);
        avro_value_get_current_branch(&f, &br);
        avro_value_get_enum(&br, &e);
        ck_assert_int_eq(e, 2);
        f = field(v, "fx");
        avro_value_get_fixed(&f, &p, &sz);
        ck_assert_uint_eq(sz, 4);
        ck_assert(!memcmp(p, "\1\2\3\4", 4));
        sub = field(v, "sub");
        item = field(&sub, "ts");
        avro_value_get_long(&item, &i64);
        ck_assert(i64 == 1700000000000LL);
        ck_assert_str_eq(avro_schema_name(avro_value_get_schema(&sub)), "Sub");
}

static void ser_value(kafkit_serdes_t *sd, const char *topic, const char *schema,
                      avro_value_t *v, kafkit_buf_t *out, int32_t *id)
{
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_error_t err;

        ctx.topic = topic;
        kafkit_buf_reset(out);
        ck_assert_msg(kafkit_serdes_serialize_value(sd, &ctx, schema, NULL, 0, v, out, id,
                                                    &err) == KAFKIT_OK,
                      "%s", err.message);
}

static void deser_value(kafkit_serdes_t *sd, const kafkit_buf_t *in, avro_value_t *v,
                        int32_t *id)
{
        kafkit_error_t err;

        ck_assert_msg(kafkit_serdes_deserialize_value(sd, NULL, in->data, in->len, NULL, 0, v,
                                                      id, &err) == KAFKIT_OK,
                      "%s", err.message);
}

/* ------------------------------------------------------------ round trip */

START_TEST(test_every_type_round_trips_with_the_json_serializers_bytes)
{
        kafkit_serdes_t *sd = serdes();
        avro_value_t v = new_value(ALL_SCHEMA), got = { NULL, NULL };
        kafkit_buf_t out = { 0 }, json = { 0 }, again = { 0 };
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_error_t err;
        int32_t id = 0, id2 = 0, rid = 0;

        fill_all(&v, -42);
        ser_value(sd, "all", ALL_SCHEMA, &v, &out, &id);
        ck_assert_int_gt(id, 0);
        ck_assert_int_eq((unsigned char)out.data[0], 0);

        /* the same bytes as the JSON serializer writes for the same data */
        ctx.topic = "all";
        ck_assert_msg(kafkit_serdes_serialize_json(sd, &ctx, ALL_SCHEMA, NULL, 0, ALL_JSON,
                                                   (size_t)-1, KAFKIT_AVRO_JSON_AVRO, &json,
                                                   &id2, &err) == KAFKIT_OK,
                      "%s", err.message);
        ck_assert_int_eq(id2, id);
        ck_assert_uint_eq(json.len, out.len);
        ck_assert(!memcmp(json.data, out.data, out.len));

        /* and back: every field, then the same bytes again */
        deser_value(sd, &out, &got, &rid);
        ck_assert_int_eq(rid, id);
        check_all(&got, -42);
        ser_value(sd, "all", ALL_SCHEMA, &got, &again, NULL);
        ck_assert_uint_eq(again.len, out.len);
        ck_assert(!memcmp(again.data, out.data, out.len));

        /* a null Kafka value leaves the value alone */
        ck_assert_int_eq(kafkit_serdes_deserialize_value(sd, NULL, NULL, 0, NULL, 0, &got,
                                                         &rid, &err),
                         KAFKIT_OK);
        ck_assert_int_eq(rid, 0);
        check_all(&got, -42);

        avro_value_decref(&got);
        avro_value_decref(&v);
        kafkit_buf_free(&out);
        kafkit_buf_free(&json);
        kafkit_buf_free(&again);
        kafkit_serdes_destroy(sd);
}
END_TEST

START_TEST(test_v1_data_read_with_v2_reader_gets_the_default)
{
        kafkit_serdes_t *sd = serdes(), *rd = serdes();
        avro_value_t v = new_value(USER_V1), got = { NULL, NULL }, f;
        kafkit_buf_t out = { 0 };
        kafkit_error_t err;
        const char *s;
        size_t n;
        int64_t id64;
        int32_t id = 0, rid = 0;

        f = field(&v, "id");
        avro_value_set_long(&f, 300);
        f = field(&v, "name");
        avro_value_set_string(&f, "Ada");
        ser_value(sd, "users", USER_V1, &v, &out, &id);

        ck_assert_int_eq(kafkit_serdes_set_reader(rd, USER_V2, NULL, 0, &err), KAFKIT_OK);
        deser_value(rd, &out, &got, &rid);
        ck_assert_int_eq(rid, id);
        ck_assert_int_eq(avro_value_get_size(&got, &n), 0);
        ck_assert_uint_eq(n, 3);
        f = field(&got, "id");
        avro_value_get_long(&f, &id64);
        ck_assert(id64 == 300);
        f = field(&got, "name");
        avro_value_get_string(&f, &s, NULL);
        ck_assert_str_eq(s, "Ada");
        f = field(&got, "country");
        avro_value_get_string(&f, &s, NULL);
        ck_assert_str_eq(s, "NL");

        /* without the reader: the writer's two fields */
        deser_value(sd, &out, &got, NULL);
        ck_assert_int_eq(avro_value_get_size(&got, &n), 0);
        ck_assert_uint_eq(n, 2);

        avro_value_decref(&got);
        avro_value_decref(&v);
        kafkit_buf_free(&out);
        kafkit_serdes_destroy(rd);
        kafkit_serdes_destroy(sd);
}
END_TEST

START_TEST(test_reused_value_keeps_its_class_over_1000_records)
{
        kafkit_serdes_t *sd = serdes();
        avro_value_t v = new_value(ALL_SCHEMA), got = { NULL, NULL }, u, f;
        avro_value_iface_t *cls = NULL;
        kafkit_buf_t out = { 0 };
        int64_t id64;
        int32_t i;

        fill_all(&v, 0);
        for (i = 0; i < 1000; i++) {
                f = field(&v, "i");
                avro_value_set_int(&f, i);
                ser_value(sd, "reuse", ALL_SCHEMA, &v, &out, NULL);
                deser_value(sd, &out, &got, NULL);
                if (!cls)
                        cls = got.iface;
                ck_assert_ptr_eq(got.iface, cls);
                check_all(&got, i);
        }

        /* a record of another schema: the value changes class (the old
         * one is released: the sanitizer build checks for leaks) */
        u = new_value(USER_V1);
        f = field(&u, "id");
        avro_value_set_long(&f, 7);
        f = field(&u, "name");
        avro_value_set_string(&f, "x");
        ser_value(sd, "reuse-users", USER_V1, &u, &out, NULL);
        deser_value(sd, &out, &got, NULL);
        ck_assert_ptr_ne(got.iface, cls);
        f = field(&got, "id");
        avro_value_get_long(&f, &id64);
        ck_assert(id64 == 7);

        avro_value_decref(&u);
        avro_value_decref(&got);
        avro_value_decref(&v);
        kafkit_buf_free(&out);
        kafkit_serdes_destroy(sd);
}
END_TEST

/* ------------------------------------------------------------- malformed */

#define SMALL_SCHEMA                                                                     \
        "{\"type\":\"record\",\"name\":\"Small\",\"fields\":["                           \
        "{\"name\":\"u\",\"type\":[\"null\",\"string\"]},"                               \
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}}," \
        "{\"name\":\"s\",\"type\":\"string\"}]}"

/* Frames `body` with SMALL_SCHEMA's id (the body is not checked). */
static void frame(kafkit_serdes_t *sd, const char *body, size_t len, kafkit_buf_t *out)
{
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_error_t err;

        ctx.topic = "small";
        kafkit_buf_reset(out);
        ck_assert_msg(kafkit_serdes_serialize_binary(sd, &ctx, SMALL_SCHEMA, NULL, 0, body, len,
                                                     out, NULL, &err) == KAFKIT_OK,
                      "%s", err.message);
}

/* Both deserializers fail on `data` with `code`, the same message,
 * containing `what`; no value was made, so avro-c never saw the bytes. */
static void both_fail(kafkit_serdes_t *sd, const void *data, size_t len, kafkit_err_t code,
                      const char *what)
{
        kafkit_serdes_ctx_t ctx = { "small", 1, 9 };
        avro_value_t v = { NULL, NULL };
        kafkit_error_t e1, e2;
        kafkit_buf_t json = { 0 };

        ck_assert_int_eq(kafkit_serdes_deserialize_value(sd, &ctx, data, len, NULL, 0, &v, NULL,
                                                         &e1),
                         code);
        ck_assert_ptr_null(v.iface);
        ck_assert_msg(strstr(e1.message, what), "'%s' lacks '%s'", e1.message, what);
        ck_assert_int_eq(kafkit_serdes_deserialize_json(sd, &ctx, data, len, NULL, 0,
                                                        KAFKIT_AVRO_JSON_AVRO, &json, NULL,
                                                        &e2),
                         code);
        ck_assert_str_eq(e1.message, e2.message);
        kafkit_buf_free(&json);
}

START_TEST(test_malformed_payloads_fail_before_avro_c_reads_them)
{
        kafkit_serdes_t *sd = serdes();
        kafkit_buf_t in = { 0 };
        avro_value_t v = { NULL, NULL };
        const char good[] = "\x02\x02x\x02\x04hi"; /* u="x", e=B, s="hi" */
        const char bad_magic[] = "{\"a\":1}";
        char body[32];

        /* the good body reads */
        frame(sd, good, sizeof(good) - 1, &in);
        deser_value(sd, &in, &v, NULL);
        avro_value_decref(&v);

        frame(sd, good, sizeof(good) - 2, &in);
        both_fail(sd, in.data, in.len, KAFKIT_ERR_PARSE, "past the end");
        frame(sd, good, sizeof(good) - 1, &in);
        ck_assert_int_eq(kafkit_buf_append(&in, "\0", 1), KAFKIT_OK);
        both_fail(sd, in.data, in.len, KAFKIT_ERR_PARSE, "1 trailing bytes");
        memcpy(body, good, sizeof(good));
        body[0] = 0x0a; /* union index 5 */
        frame(sd, body, sizeof(good) - 1, &in);
        both_fail(sd, in.data, in.len, KAFKIT_ERR_PARSE, "union index 5 out of range");
        memcpy(body, good, sizeof(good));
        body[3] = 0x06; /* enum index 3 */
        frame(sd, body, sizeof(good) - 1, &in);
        both_fail(sd, in.data, in.len, KAFKIT_ERR_PARSE, "enum index 3 out of range");
        /* s declares 2^62 bytes */
        frame(sd, "\x00\x02\xfe\xff\xff\xff\xff\xff\xff\xff\x7f", 11, &in);
        both_fail(sd, in.data, in.len, KAFKIT_ERR_PARSE, "string length");
        frame(sd, "\x00\x02", 2, &in);
        both_fail(sd, in.data, in.len, KAFKIT_ERR_PARSE, "truncated");
        both_fail(sd, bad_magic, strlen(bad_magic), KAFKIT_ERR_PARSE, "first bytes 7b 22");
        both_fail(sd, "\x00\x00\x00\x7f\x00\x00", 6, KAFKIT_ERR_NOT_FOUND, "32512");

        kafkit_buf_free(&in);
        kafkit_serdes_destroy(sd);
}
END_TEST

/* avro-c map keys are C strings: a key with a NUL byte would be cut and
 * two such keys merged, so the value call refuses what the JSON call can
 * print. */
START_TEST(test_map_key_with_nul_is_refused_not_cut)
{
        kafkit_serdes_t *sd = serdes();
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        const char *schema = "{\"type\":\"map\",\"values\":\"long\"}";
        /* {"k\0a":1,"k\0b":2} */
        const char body[] = "\x04\x06k\0a\x02\x06k\0b\x04\x00";
        avro_value_t v = { NULL, NULL };
        kafkit_buf_t in = { 0 }, json = { 0 };
        kafkit_error_t err;

        ctx.topic = "maps";
        ck_assert_msg(kafkit_serdes_serialize_binary(sd, &ctx, schema, NULL, 0, body,
                                                     sizeof(body) - 1, &in, NULL, &err) ==
                              KAFKIT_OK,
                      "%s", err.message);
        ck_assert_int_eq(kafkit_serdes_deserialize_json(sd, &ctx, in.data, in.len, NULL, 0,
                                                        KAFKIT_AVRO_JSON_AVRO, &json, NULL, &err),
                         KAFKIT_OK);
        ck_assert_str_eq(json.data, "{\"k\\u0000a\":1,\"k\\u0000b\":2}");
        ck_assert_int_eq(kafkit_serdes_deserialize_value(sd, &ctx, in.data, in.len, NULL, 0, &v,
                                                         NULL, &err),
                         KAFKIT_ERR_PARSE);
        ck_assert_msg(strstr(err.message, "map key with a NUL byte"), "%s", err.message);
        ck_assert_ptr_null(v.iface);
        kafkit_buf_free(&in);
        kafkit_buf_free(&json);
        kafkit_serdes_destroy(sd);
}
END_TEST

/* ------------------------------------------------------------ bad values */

START_TEST(test_value_of_another_schema_is_invalid_arg)
{
        kafkit_serdes_t *sd = serdes();
        avro_value_t other = new_value(USER_V1), all = new_value(ALL_SCHEMA), f;
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_buf_t out = { 0 };
        kafkit_error_t err;

        ctx.topic = "mix";
        f = field(&other, "id");
        avro_value_set_long(&f, 1);
        f = field(&other, "name");
        avro_value_set_string(&f, "abc");
        ck_assert_int_eq(kafkit_buf_append(&out, "keep", 4), KAFKIT_OK);
        ck_assert_int_eq(kafkit_serdes_serialize_value(sd, &ctx, ALL_SCHEMA, NULL, 0, &other,
                                                       &out, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_msg(strstr(err.message, "topic 'mix': value: the value does not match"),
                      "%s", err.message);
        ck_assert_uint_eq(out.len, 4);

        /* a union with no branch set cannot be written */
        ck_assert_int_eq(kafkit_serdes_serialize_value(sd, &ctx, ALL_SCHEMA, NULL, 0, &all,
                                                       &out, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_uint_eq(out.len, 4);

        /* no schema and no use.schema.id / use.latest.version */
        fill_all(&all, 1);
        ck_assert_int_eq(kafkit_serdes_serialize_value(sd, &ctx, NULL, NULL, 0, &all, &out,
                                                       NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_msg(strstr(err.message, "no schema given"), "%s", err.message);

        /* NULL arguments */
        ck_assert_int_eq(kafkit_serdes_serialize_value(NULL, &ctx, ALL_SCHEMA, NULL, 0, &all,
                                                       &out, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(kafkit_serdes_serialize_value(sd, &ctx, ALL_SCHEMA, NULL, 0, NULL,
                                                       &out, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(kafkit_serdes_serialize_value(sd, &ctx, ALL_SCHEMA, NULL, 0, &all,
                                                       NULL, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(kafkit_serdes_deserialize_value(sd, &ctx, "x", 1, NULL, 0, NULL, NULL,
                                                         &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(kafkit_serdes_deserialize_value(NULL, &ctx, "x", 1, NULL, 0, &other,
                                                         NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);

        avro_value_decref(&all);
        avro_value_decref(&other);
        kafkit_buf_free(&out);
        kafkit_serdes_destroy(sd);
}
END_TEST

START_TEST(test_use_latest_version_serializes_without_a_schema)
{
        kafkit_serdes_t *sd = serdes(), *latest;
        avro_value_t v = new_value(USER_V2), got = { NULL, NULL }, f;
        kafkit_serdes_ctx_t ctx = KAFKIT_SERDES_CTX_INIT;
        kafkit_buf_t out = { 0 };
        kafkit_error_t err;
        kafkit_conf_t *c2;
        int32_t id = 0, id2 = 0;

        f = field(&v, "id");
        avro_value_set_long(&f, 5);
        f = field(&v, "name");
        avro_value_set_string(&f, "n");
        f = field(&v, "country");
        avro_value_set_string(&f, "DE");
        ser_value(sd, "latest", USER_V2, &v, &out, &id);

        c2 = kafkit_conf_dup(conf);
        ck_assert_ptr_nonnull(c2);
        tu_set(c2, "use.latest.version", "true");
        latest = kafkit_serdes_new(c2, KAFKIT_SERDES_VALUE, NULL, &err);
        ck_assert_msg(latest, "%s", err.message);
        ser_value(latest, "latest", NULL, &v, &out, &id2);
        ck_assert_int_eq(id2, id);
        ctx.topic = "latest";
        ck_assert_msg(kafkit_serdes_deserialize_value(latest, &ctx, out.data, out.len, NULL, 0,
                                                      &got, NULL, &err) == KAFKIT_OK,
                      "%s", err.message);
        f = field(&got, "country");
        {
                const char *s;

                avro_value_get_string(&f, &s, NULL);
                ck_assert_str_eq(s, "DE");
        }
        avro_value_decref(&got);
        avro_value_decref(&v);
        kafkit_buf_free(&out);
        kafkit_serdes_destroy(latest);
        kafkit_conf_destroy(c2);
        kafkit_serdes_destroy(sd);
}
END_TEST

static Suite *serdes_value_suite(void)
{
        Suite *s = suite_create("serdes_value");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_every_type_round_trips_with_the_json_serializers_bytes);
        tcase_add_test(tc, test_v1_data_read_with_v2_reader_gets_the_default);
        tcase_add_test(tc, test_reused_value_keeps_its_class_over_1000_records);
        tcase_add_test(tc, test_malformed_payloads_fail_before_avro_c_reads_them);
        tcase_add_test(tc, test_map_key_with_nul_is_refused_not_cut);
        tcase_add_test(tc, test_value_of_another_schema_is_invalid_arg);
        tcase_add_test(tc, test_use_latest_version_serializes_without_a_schema);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(serdes_value_suite());
}
