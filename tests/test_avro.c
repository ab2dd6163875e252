/*
 * test_avro.c: kafkit's Avro schema model and binary <-> JSON codec,
 * against the shared vectors (computed by Apache Avro's Python library and
 * avsc, not by kafkit) and against hand-made malformed input.
 */
#include "testutil.h"

#include "avro_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- helpers */

static kafkit_avro_schema_t *schema_ok(const char *text)
{
        kafkit_error_t err;
        kafkit_avro_schema_t *s = kafkit_avro_schema_new(text, (size_t)-1, &err);

        if (!s)
                ck_abort_msg("schema %s: %s", text, err.message);
        return s;
}

static size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
        size_t n = strlen(hex) / 2, i;

        ck_assert_uint_le(n, cap);
        for (i = 0; i < n; i++) {
                unsigned int b;

                ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
                out[i] = (unsigned char)b;
        }
        return n;
}

static void tohex(const char *data, size_t len, char *out)
{
        size_t i;

        for (i = 0; i < len; i++)
                sprintf(out + 2 * i, "%02x", (unsigned char)data[i]);
        out[2 * len] = '\0';
}

/* Decodes hex with schema text; returns the error message ("" if OK). */
static const char *decode_err(const char *schema, const char *hex)
{
        static kafkit_error_t err;
        unsigned char bin[4096];
        kafkit_avro_schema_t *s = schema_ok(schema);
        kafkit_buf_t out = { 0 };
        size_t n = unhex(hex, bin, sizeof(bin));
        kafkit_err_t r = kafkit_avro_decode_json(s, bin, n, KAFKIT_AVRO_JSON_PLAIN, &out, &err);

        if (r == KAFKIT_OK)
                err.message[0] = '\0';
        else
                ck_assert_uint_eq(out.len, 0);  /* nothing left half-written */
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
        return err.message;
}

/* Encodes JSON with schema text; returns the error message ("" if OK). */
static const char *encode_err(const char *schema, const char *json,
                              kafkit_avro_json_style_t style)
{
        static kafkit_error_t err;
        kafkit_avro_schema_t *s = schema_ok(schema);
        kafkit_buf_t out = { 0 };

        if (kafkit_avro_encode_json(s, json, (size_t)-1, style, &out, &err) == KAFKIT_OK)
                err.message[0] = '\0';
        else
                ck_assert_uint_eq(out.len, 0);
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
        return err.message;
}

#define ck_assert_contains(hay, needle)                                                    \
        ck_assert_msg(strstr((hay), (needle)) != NULL, "\"%s\" does not contain \"%s\"",   \
                      (hay), (needle))

/* JSON -> binary -> JSON in one style; returns the decoded text. */
static const char *roundtrip(const char *schema, const char *json,
                             kafkit_avro_json_style_t style)
{
        static char text[4096];
        kafkit_avro_schema_t *s = schema_ok(schema);
        kafkit_buf_t bin = { 0 }, out = { 0 };
        kafkit_error_t err;

        if (kafkit_avro_encode_json(s, json, (size_t)-1, style, &bin, &err))
                ck_abort_msg("encode %s: %s", json, err.message);
        if (kafkit_avro_decode_json(s, bin.data, bin.len, style, &out, &err))
                ck_abort_msg("decode of %s: %s", json, err.message);
        ck_assert_uint_lt(out.len, sizeof(text));
        memcpy(text, out.data, out.len + 1);
        kafkit_buf_free(&bin);
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
        return text;
}

/* ----------------------------------------------------------- the vectors */

static void check_vector_style(kafkit_avro_schema_t *s, json_t *vec, const char *name,
                               const char *key, kafkit_avro_json_style_t style)
{
        json_t *want = json_object_get(vec, key), *got;
        const char *hex = json_string_value(json_object_get(vec, "hex"));
        char *json = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
        kafkit_buf_t bin = { 0 }, out = { 0 };
        unsigned char expect[4096];
        char gothex[8192];
        kafkit_error_t err;
        json_error_t jerr;
        size_t n;

        ck_assert_ptr_nonnull(json);
        if (kafkit_avro_encode_json(s, json, (size_t)-1, style, &bin, &err))
                ck_abort_msg("%s: encode %s %s: %s", name, key, json, err.message);
        tohex(bin.data, bin.len, gothex);
        ck_assert_msg(!strcmp(gothex, hex), "%s: encode %s gave %s, want %s", name, key,
                      gothex, hex);

        n = unhex(hex, expect, sizeof(expect));
        if (kafkit_avro_decode_json(s, expect, n, style, &out, &err))
                ck_abort_msg("%s: decode to %s: %s", name, key, err.message);
        got = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        ck_assert_msg(got != NULL, "%s: decoded %s is not JSON (%s): %s", name, key, jerr.text,
                      out.data);
        ck_assert_msg(json_equal(got, want), "%s: decoded %s %s, want %s", name, key, out.data,
                      json);
        json_decref(got);
        free(json);
        kafkit_buf_free(&bin);
        kafkit_buf_free(&out);
}

START_TEST(test_vectors_binary_encode_and_decode_both_styles)
{
        FILE *f = fopen(tu_vector_path("avro-binary.jsonl"), "r");
        char line[16384];
        int cases = 0;

        ck_assert_msg(f != NULL, "cannot open %s", tu_vector_path("avro-binary.jsonl"));
        while (fgets(line, sizeof(line), f)) {
                json_error_t jerr;
                json_t *vec = json_loads(line, JSON_ALLOW_NUL, &jerr);
                const char *name;
                kafkit_avro_schema_t *s;
                kafkit_error_t err;
                char *stext;

                if (line[0] == '\n')
                        continue;
                ck_assert_msg(vec != NULL, "vector line: %s", jerr.text);
                name = json_string_value(json_object_get(vec, "name"));
                stext = json_dumps(json_object_get(vec, "schema"), JSON_ENCODE_ANY);
                s = kafkit_avro_schema_new(stext, (size_t)-1, &err);
                ck_assert_msg(s != NULL, "%s: schema: %s", name, err.message);
                ck_assert_str_eq(kafkit_avro_schema_text(s), stext);
                check_vector_style(s, vec, name, "avro_json", KAFKIT_AVRO_JSON_AVRO);
                check_vector_style(s, vec, name, "plain_json", KAFKIT_AVRO_JSON_PLAIN);
                kafkit_avro_schema_destroy(s);
                free(stext);
                json_decref(vec);
                cases++;
        }
        fclose(f);
        ck_assert_int_ge(cases, 34);
}
END_TEST

/* ------------------------------------------------------- malformed binary */

#define ITEMS_SCHEMA                                                                       \
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"items\",\"type\":" \
        "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"I\",\"fields\":"   \
        "[{\"name\":\"price\",\"type\":[\"null\",\"double\"]}]}}}]}"

START_TEST(test_decode_rejects_truncated_input)
{
        ck_assert_str_eq(decode_err("\"string\"", "0a6162"),
                         "at byte 0 ($): string length 5 runs past the end (2 bytes left)");
        ck_assert_str_eq(decode_err("\"double\"", "000000"),
                         "at byte 0 ($): truncated: double needs 8 bytes, 3 left");
        ck_assert_str_eq(decode_err("\"long\"", "8080"),
                         "at byte 0 ($): truncated: varint runs past the end");
        ck_assert_str_eq(decode_err("\"int\"", ""),
                         "at byte 0 ($): truncated: varint runs past the end");
}
END_TEST

START_TEST(test_decode_rejects_bad_union_index_with_path)
{
        ck_assert_str_eq(decode_err("[\"null\",\"string\"]", "06"),
                         "at byte 0 ($): union index 3 out of range (2 branches)");
        ck_assert_str_eq(decode_err("[\"null\",\"string\"]", "01"),
                         "at byte 0 ($): union index -1 out of range (2 branches)");
        /* two items: the first null, the second with branch 5 */
        ck_assert_str_eq(decode_err(ITEMS_SCHEMA, "04000a"),
                         "at byte 2 ($.items[1].price): union index 5 out of range (2 branches)");
}
END_TEST

START_TEST(test_decode_rejects_bad_enum_index)
{
        const char *e = "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\",\"C\"]}";

        ck_assert_str_eq(decode_err(e, "06"),
                         "at byte 0 ($): enum index 3 out of range (3 symbols)");
        ck_assert_str_eq(decode_err(e, "01"),
                         "at byte 0 ($): enum index -1 out of range (3 symbols)");
        ck_assert_str_eq(decode_err(e, "04"), "");
}
END_TEST

START_TEST(test_decode_rejects_lengths_and_counts_past_end)
{
        ck_assert_str_eq(decode_err("\"bytes\"", "1000"),
                         "at byte 0 ($): bytes length 8 runs past the end (1 bytes left)");
        ck_assert_str_eq(decode_err("\"bytes\"", "0100"),
                         "at byte 0 ($): negative bytes length -1");
        /* a huge item count in a handful of bytes must not allocate */
        ck_assert_contains(decode_err("{\"type\":\"array\",\"items\":\"long\"}",
                                      "feffffffffffffffff01"),
                           "cannot fit in the 0 bytes left");
        ck_assert_contains(decode_err("{\"type\":\"array\",\"items\":\"null\"}",
                                      "feffffffffffffffff01"),
                           "more than 1048576 empty items");
        ck_assert_contains(decode_err("{\"type\":\"map\",\"values\":\"int\"}", "02"),
                           "cannot fit");
        /* negative count: then a byte size; -1 items of 1 byte, size 99 */
        ck_assert_contains(decode_err("{\"type\":\"array\",\"items\":\"int\"}", "01c60102"),
                           "block byte size 99 invalid");
}
END_TEST

START_TEST(test_decode_accepts_negative_block_counts)
{
        kafkit_avro_schema_t *s = schema_ok("{\"type\":\"array\",\"items\":\"int\"}");
        unsigned char bin[16];
        kafkit_buf_t out = { 0 };
        kafkit_error_t err;
        size_t n = unhex("0304020400", bin, sizeof(bin)); /* -2 items, 2 bytes: 1, 2 */

        ck_assert_int_eq(kafkit_avro_decode_json(s, bin, n, KAFKIT_AVRO_JSON_PLAIN, &out, &err),
                         KAFKIT_OK);
        ck_assert_str_eq(out.data, "[1,2]");
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
}
END_TEST

START_TEST(test_decode_rejects_trailing_bytes)
{
        ck_assert_str_eq(decode_err("\"int\"", "0200"),
                         "at byte 1 ($): 1 trailing bytes after the value");
        ck_assert_str_eq(decode_err("\"null\"", "00"),
                         "at byte 0 ($): 1 trailing bytes after the value");
}
END_TEST

START_TEST(test_decode_rejects_varint_overflow_and_bad_values)
{
        ck_assert_str_eq(decode_err("\"long\"", "ffffffffffffffffff7f"),
                         "at byte 0 ($): varint longer than 64 bits");
        ck_assert_str_eq(decode_err("\"long\"", "ffffffffffffffffffff01"),
                         "at byte 0 ($): varint longer than 64 bits");
        ck_assert_str_eq(decode_err("\"int\"", "8080808010"),
                         "at byte 0 ($): int 2147483648 out of range");
        ck_assert_str_eq(decode_err("\"boolean\"", "02"),
                         "at byte 0 ($): invalid boolean byte 0x02");
}
END_TEST

START_TEST(test_decode_limits_nesting_depth)
{
        const char *list = "{\"type\":\"record\",\"name\":\"N\",\"fields\":"
                           "[{\"name\":\"next\",\"type\":[\"null\",\"N\"]}]}";
        char hex[1024];
        int i;

        for (i = 0; i < 300; i++)
                memcpy(hex + 2 * i, "02", 2);
        memcpy(hex + 600, "00", 3);
        ck_assert_contains(decode_err(list, hex), "nesting deeper than 128");
        /* a shallow list is fine */
        ck_assert_str_eq(decode_err(list, "020200"), "");
}
END_TEST

START_TEST(test_decode_fuzz_never_crashes)
{
        const char *schemas[] = {
                ITEMS_SCHEMA,
                "{\"type\":\"map\",\"values\":[\"null\",\"string\",{\"type\":\"array\","
                "\"items\":\"bytes\"}]}",
                "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"f\",\"type\":"
                "{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},{\"name\":\"e\",\"type\":"
                "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}},{\"name\":\"d\","
                "\"type\":\"float\"}]}",
        };
        unsigned int seed = 12345;
        kafkit_buf_t out = { 0 };
        size_t si;
        int i, j;

        for (si = 0; si < sizeof(schemas) / sizeof(schemas[0]); si++) {
                kafkit_avro_schema_t *s = schema_ok(schemas[si]);

                for (i = 0; i < 20000; i++) {
                        unsigned char bin[24];
                        size_t n = (size_t)(rand_r(&seed) % sizeof(bin));
                        kafkit_error_t err;

                        for (j = 0; j < (int)n; j++)
                                bin[j] = (unsigned char)rand_r(&seed);
                        kafkit_buf_reset(&out);
                        if (kafkit_avro_decode_json(s, bin, n, KAFKIT_AVRO_JSON_AVRO, &out,
                                                    &err) == KAFKIT_OK) {
                                json_t *j2 = json_loadb(out.data, out.len, JSON_ALLOW_NUL,
                                                        NULL);

                                ck_assert_msg(j2 != NULL, "invalid JSON: %s", out.data);
                                json_decref(j2);
                        } else {
                                ck_assert_str_eq(kafkit_err_name(err.code), "KAFKIT_ERR_PARSE");
                        }
                }
                kafkit_avro_schema_destroy(s);
        }
        kafkit_buf_free(&out);
}
END_TEST

/* --------------------------------------------------------------- bad JSON */

START_TEST(test_encode_errors_name_json_path)
{
        ck_assert_str_eq(encode_err(ITEMS_SCHEMA, "{\"items\":[{\"price\":1.5},"
                                                  "{\"price\":\"abc\"}]}",
                                    KAFKIT_AVRO_JSON_PLAIN),
                         "$.items[1].price: expected double, got string \"abc\"");
        ck_assert_str_eq(encode_err(ITEMS_SCHEMA, "{\"items\":[{\"price\":{\"double\":true}}]}",
                                    KAFKIT_AVRO_JSON_AVRO),
                         "$.items[0].price[\"double\"]: expected double, got true");
        ck_assert_str_eq(encode_err(ITEMS_SCHEMA, "{\"items\":[{\"price\":2.5}]}",
                                    KAFKIT_AVRO_JSON_AVRO),
                         "$.items[0].price: expected union value {\"branch\": value} or null, "
                         "got number 2.5");
        ck_assert_str_eq(encode_err(ITEMS_SCHEMA, "{\"items\":[{\"price\":null,\"x\":1}]}",
                                    KAFKIT_AVRO_JSON_PLAIN),
                         "$.items[0]: unknown field \"x\" for I");
        ck_assert_str_eq(encode_err(ITEMS_SCHEMA, "{\"items\":[{}]}", KAFKIT_AVRO_JSON_PLAIN),
                         "$.items[0]: missing field \"price\" of I (no default)");
        ck_assert_str_eq(encode_err("{\"type\":\"map\",\"values\":\"int\"}", "{\"k\":\"v\"}",
                                    KAFKIT_AVRO_JSON_PLAIN),
                         "$[\"k\"]: expected int (32-bit integer), got string \"v\"");
}
END_TEST

START_TEST(test_encode_checks_ranges_and_symbols)
{
        ck_assert_str_eq(encode_err("\"int\"", "2147483648", KAFKIT_AVRO_JSON_PLAIN),
                         "$: expected int (32-bit integer), got integer 2147483648");
        ck_assert_str_eq(encode_err("\"int\"", "-2147483648", KAFKIT_AVRO_JSON_PLAIN), "");
        ck_assert_str_eq(encode_err("\"long\"", "1.5", KAFKIT_AVRO_JSON_PLAIN),
                         "$: expected long (64-bit integer), got number 1.5");
        ck_assert_contains(encode_err("\"long\"", "9223372036854775808", KAFKIT_AVRO_JSON_PLAIN),
                           "invalid JSON");
        ck_assert_str_eq(encode_err("{\"type\":\"fixed\",\"name\":\"F\",\"size\":4}", "\"abc\"",
                                    KAFKIT_AVRO_JSON_PLAIN),
                         "$: expected fixed of 4 bytes (3 here), got string \"abc\"");
        ck_assert_contains(encode_err("\"bytes\"", "\"\\u0100\"", KAFKIT_AVRO_JSON_PLAIN),
                           "expected code points 0-255 (bytes), char 0 is not");
        ck_assert_str_eq(encode_err("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}",
                                    "\"B\"", KAFKIT_AVRO_JSON_PLAIN),
                         "$: unknown symbol \"B\" for enum E");
        ck_assert_str_eq(encode_err("[\"null\",\"long\"]", "\"x\"", KAFKIT_AVRO_JSON_PLAIN),
                         "$: expected a value of one of the union's branches, got string \"x\"");
}
END_TEST

START_TEST(test_encode_uses_field_defaults)
{
        const char *s = "{\"type\":\"record\",\"name\":\"D\",\"fields\":["
                        "{\"name\":\"a\",\"type\":\"int\",\"default\":7},"
                        "{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null},"
                        "{\"name\":\"c\",\"type\":\"bytes\",\"default\":\"\\u00ff\"}]}";

        ck_assert_str_eq(roundtrip(s, "{}", KAFKIT_AVRO_JSON_PLAIN),
                         "{\"a\":7,\"b\":null,\"c\":\"\xc3\xbf\"}");
        ck_assert_str_eq(roundtrip(s, "{\"b\":{\"string\":\"x\"}}", KAFKIT_AVRO_JSON_AVRO),
                         "{\"a\":7,\"b\":{\"string\":\"x\"},\"c\":\"\xc3\xbf\"}");
}
END_TEST

START_TEST(test_plain_union_branch_choice)
{
        const char *u = "[\"null\",\"int\",\"long\",\"double\",\"string\","
                        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"RED\"]},"
                        "{\"type\":\"map\",\"values\":\"int\"},"
                        "{\"type\":\"record\",\"name\":\"P\",\"fields\":[{\"name\":\"x\","
                        "\"type\":\"int\"}]}]";

        ck_assert_str_eq(roundtrip(u, "{\"int\":5}", KAFKIT_AVRO_JSON_AVRO), "{\"int\":5}");
        /* integer: int first, then long when it does not fit */
        ck_assert_str_eq(roundtrip(u, "5", KAFKIT_AVRO_JSON_PLAIN), "5");
        {
                kafkit_avro_schema_t *s = schema_ok(u);
                kafkit_buf_t bin = { 0 }, out = { 0 };
                kafkit_error_t err;

                ck_assert_int_eq(kafkit_avro_encode_json(s, "5000000000", (size_t)-1,
                                                         KAFKIT_AVRO_JSON_PLAIN, &bin, &err),
                                 KAFKIT_OK);
                ck_assert_int_eq(bin.data[0], 4); /* branch 2: long */
                kafkit_buf_reset(&bin);
                ck_assert_int_eq(kafkit_avro_encode_json(s, "\"RED\"", (size_t)-1,
                                                         KAFKIT_AVRO_JSON_PLAIN, &bin, &err),
                                 KAFKIT_OK);
                ck_assert_int_eq(bin.data[0], 10); /* branch 5: the enum */
                kafkit_buf_reset(&bin);
                ck_assert_int_eq(kafkit_avro_encode_json(s, "{\"x\":1}", (size_t)-1,
                                                         KAFKIT_AVRO_JSON_PLAIN, &bin, &err),
                                 KAFKIT_OK);
                ck_assert_int_eq(bin.data[0], 14); /* branch 7: record before map */
                kafkit_buf_reset(&bin);
                ck_assert_int_eq(kafkit_avro_encode_json(s, "{\"y\":1}", (size_t)-1,
                                                         KAFKIT_AVRO_JSON_PLAIN, &bin, &err),
                                 KAFKIT_OK);
                ck_assert_int_eq(bin.data[0], 12); /* branch 6: the map */
                ck_assert_int_eq(kafkit_avro_decode_json(s, bin.data, bin.len,
                                                         KAFKIT_AVRO_JSON_AVRO, &out, &err),
                                 KAFKIT_OK);
                ck_assert_str_eq(out.data, "{\"map\":{\"y\":1}}");
                kafkit_buf_free(&bin);
                kafkit_buf_free(&out);
                kafkit_avro_schema_destroy(s);
        }
        ck_assert_str_eq(roundtrip(u, "1.5", KAFKIT_AVRO_JSON_PLAIN), "1.5");
        ck_assert_str_eq(roundtrip(u, "\"BLUE\"", KAFKIT_AVRO_JSON_PLAIN), "\"BLUE\"");
}
END_TEST

/* ---------------------------------------------------------------- numbers */

static const char *double_text(const char *json, int is_float)
{
        return roundtrip(is_float ? "\"float\"" : "\"double\"", json, KAFKIT_AVRO_JSON_PLAIN);
}

START_TEST(test_doubles_print_shortest_round_trip)
{
        ck_assert_str_eq(double_text("0.1", 0), "0.1");
        ck_assert_str_eq(double_text("1e21", 0), "1e21");
        ck_assert_str_eq(double_text("5e-324", 0), "5e-324");
        ck_assert_str_eq(double_text("123456789.0", 0), "123456789.0");
        ck_assert_str_eq(double_text("-0.0", 0), "-0.0");
        ck_assert_str_eq(double_text("1e-7", 0), "1e-7");
        ck_assert_str_eq(double_text("0.30000000000000004", 0), "0.30000000000000004");
        ck_assert_str_eq(double_text("1.7976931348623157e308", 0), "1.7976931348623157e308");
        ck_assert_str_eq(double_text("9007199254740993", 0), "9007199254740992.0");
        ck_assert_str_eq(double_text("\"NaN\"", 0), "\"NaN\"");
        ck_assert_str_eq(double_text("\"-Infinity\"", 0), "\"-Infinity\"");
        ck_assert_str_eq(double_text("0.1", 1), "0.1");
        ck_assert_str_eq(double_text("3", 1), "3.0");
        ck_assert_str_eq(double_text("3.4028234663852886e38", 1), "3.4028235e38");
        ck_assert_str_eq(double_text("1e-45", 1), "1e-45");
        ck_assert_str_eq(double_text("\"Infinity\"", 1), "\"Infinity\"");
}
END_TEST

START_TEST(test_random_doubles_read_back_exactly)
{
        kafkit_avro_schema_t *s = schema_ok("\"double\"");
        kafkit_buf_t out = { 0 };
        unsigned int seed = 42;
        int i, k;

        for (i = 0; i < 20000; i++) {
                unsigned char bin[8];
                kafkit_error_t err;
                uint64_t u = 0;
                double want, got;

                for (k = 0; k < 8; k++)
                        bin[k] = (unsigned char)rand_r(&seed);
                for (k = 7; k >= 0; k--)
                        u = (u << 8) | bin[k];
                memcpy(&want, &u, 8);
                kafkit_buf_reset(&out);
                ck_assert_int_eq(kafkit_avro_decode_json(s, bin, 8, KAFKIT_AVRO_JSON_PLAIN, &out,
                                                         &err),
                                 KAFKIT_OK);
                if (want != want) {
                        ck_assert_str_eq(out.data, "\"NaN\"");
                        continue;
                }
                if (out.data[0] == '"')
                        continue;       /* infinities */
                got = strtod(out.data, NULL);
                ck_assert_msg(memcmp(&got, &want, 8) == 0, "%s does not read back", out.data);
                ck_assert_uint_le(out.len, 24);
        }
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
}
END_TEST

START_TEST(test_strings_escape_and_replace_bad_utf8)
{
        kafkit_avro_schema_t *s = schema_ok("\"string\"");
        kafkit_buf_t out = { 0 };
        kafkit_error_t err;
        /* "\x01\n\"\\/" then invalid bytes 0xff and a lone 0xc3 */
        const unsigned char bin[] = { 0x10, 0x01, '\n', '"', '\\', '/', 0xff, 'a', 0xc3 };

        ck_assert_int_eq(kafkit_avro_decode_json(s, bin, sizeof(bin), KAFKIT_AVRO_JSON_PLAIN,
                                                 &out, &err),
                         KAFKIT_OK);
        ck_assert_str_eq(out.data, "\"\\u0001\\n\\\"\\\\/\xef\xbf\xbd" "a\xef\xbf\xbd\"");
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
        ck_assert_str_eq(roundtrip("\"string\"", "\"tab\\there \\u001f \\u2028\"",
                                   KAFKIT_AVRO_JSON_PLAIN),
                         "\"tab\\there \\u001f \xe2\x80\xa8\"");
}
END_TEST

START_TEST(test_longs_keep_64_bits)
{
        ck_assert_str_eq(roundtrip("\"long\"", "-9223372036854775808", KAFKIT_AVRO_JSON_PLAIN),
                         "-9223372036854775808");
        ck_assert_str_eq(roundtrip("\"long\"", "9007199254740993", KAFKIT_AVRO_JSON_PLAIN),
                         "9007199254740993");
}
END_TEST

/* ----------------------------------------------------------------- schema */

/*
 * Expected canonical forms and fingerprints were computed independently
 * with Debian's python3-avro 1.11 (schema.canonical_form) and the spec's
 * CRC-64-AVRO algorithm in a 10-line Python script (table from polynomial
 * 0xc15d213aa4d7a795, fp = (fp >> 8) ^ table[(fp ^ byte) & 0xff]).
 */
START_TEST(test_canonical_form_and_fingerprint)
{
        const char *order =
                "{\"type\": \"record\", \"name\": \"Order\", \"namespace\": \"shop\", "
                "\"doc\": \"an order\", \"fields\": [{\"name\": \"id\", \"type\": "
                "{\"type\": \"long\"}, \"doc\": \"x\"}, {\"name\": \"customer\", \"type\": "
                "{\"fields\": [{\"name\": \"name\", \"type\": \"string\"}, {\"name\": "
                "\"vip\", \"type\": \"boolean\", \"default\": false}], \"name\": "
                "\"Customer\", \"type\": \"record\", \"aliases\": [\"Client\"]}}, "
                "{\"name\": \"status\", \"type\": {\"name\": \"Status\", \"symbols\": "
                "[\"NEW\", \"PAID\", \"SHIPPED\"], \"type\": \"enum\", \"default\": \"NEW\"}}, "
                "{\"name\": \"items\", \"type\": {\"items\": \"int\", \"type\": \"array\"}}, "
                "{\"name\": \"tags\", \"type\": {\"type\": \"map\", \"values\": \"string\"}}, "
                "{\"name\": \"sig\", \"type\": {\"name\": \"Sig\", \"size\": 4, \"type\": "
                "\"fixed\"}}, {\"name\": \"note\", \"type\": [\"null\", \"string\"], "
                "\"default\": null}]}";
        kafkit_avro_schema_t *s = schema_ok("\"int\"");

        ck_assert_str_eq(kafkit_avro_schema_canonical(s), "\"int\"");
        ck_assert_uint_eq(kafkit_avro_schema_fingerprint(s), 0x7275d51a3f395c8fULL);
        ck_assert_str_eq(kafkit_avro_schema_type_name(s), "int");
        ck_assert_ptr_null(kafkit_avro_schema_full_name(s));
        kafkit_avro_schema_destroy(s);

        s = schema_ok(order);
        ck_assert_str_eq(kafkit_avro_schema_text(s), order);
        ck_assert_str_eq(
                kafkit_avro_schema_canonical(s),
                "{\"name\":\"shop.Order\",\"type\":\"record\",\"fields\":[{\"name\":\"id\","
                "\"type\":\"long\"},{\"name\":\"customer\",\"type\":{\"name\":"
                "\"shop.Customer\",\"type\":\"record\",\"fields\":[{\"name\":\"name\","
                "\"type\":\"string\"},{\"name\":\"vip\",\"type\":\"boolean\"}]}},{\"name\":"
                "\"status\",\"type\":{\"name\":\"shop.Status\",\"type\":\"enum\",\"symbols\":"
                "[\"NEW\",\"PAID\",\"SHIPPED\"]}},{\"name\":\"items\",\"type\":{\"type\":"
                "\"array\",\"items\":\"int\"}},{\"name\":\"tags\",\"type\":{\"type\":\"map\","
                "\"values\":\"string\"}},{\"name\":\"sig\",\"type\":{\"name\":\"shop.Sig\","
                "\"type\":\"fixed\",\"size\":4}},{\"name\":\"note\",\"type\":[\"null\","
                "\"string\"]}]}");
        ck_assert_uint_eq(kafkit_avro_schema_fingerprint(s), 0x5e551f13365d84afULL);
        ck_assert_str_eq(kafkit_avro_schema_type_name(s), "record");
        ck_assert_str_eq(kafkit_avro_schema_full_name(s), "shop.Order");
        kafkit_avro_schema_destroy(s);

        s = schema_ok("[\"null\",\"long\",\"string\",{\"fields\":[{\"name\":\"x\",\"type\":"
                      "\"double\"}],\"name\":\"P\",\"namespace\":\"geo\",\"type\":\"record\"}]");
        ck_assert_uint_eq(kafkit_avro_schema_fingerprint(s), 0xe7bcb48b01140e89ULL);
        kafkit_avro_schema_destroy(s);

        /* [PRIMITIVES]: logical attributes go, the primitive stays a name */
        s = schema_ok("{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4}");
        ck_assert_str_eq(kafkit_avro_schema_canonical(s), "\"bytes\"");
        ck_assert_uint_eq(kafkit_avro_schema_fingerprint(s), 0x4fc016dac3201965ULL);
        kafkit_avro_schema_destroy(s);
}
END_TEST

START_TEST(test_schema_recursive_and_references)
{
        const char *list = "{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"ll\","
                           "\"fields\":[{\"name\":\"v\",\"type\":\"int\"},{\"name\":\"next\","
                           "\"type\":[\"null\",\"Node\"],\"default\":null},{\"name\":\"other\","
                           "\"type\":[\"null\",\"ll.Node\"],\"default\":null}]}";
        kafkit_avro_schema_t *s = schema_ok(list);

        ck_assert_str_eq(kafkit_avro_schema_canonical(s),
                         "{\"name\":\"ll.Node\",\"type\":\"record\",\"fields\":[{\"name\":"
                         "\"v\",\"type\":\"int\"},{\"name\":\"next\",\"type\":[\"null\","
                         "\"ll.Node\"]},{\"name\":\"other\",\"type\":[\"null\",\"ll.Node\"]}]}");
        kafkit_avro_schema_destroy(s);
        ck_assert_str_eq(roundtrip(list, "{\"v\":1,\"next\":{\"ll.Node\":{\"v\":2}}}",
                                   KAFKIT_AVRO_JSON_AVRO),
                         "{\"v\":1,\"next\":{\"ll.Node\":{\"v\":2,\"next\":null,\"other\":null}},"
                         "\"other\":null}");
        ck_assert_str_eq(roundtrip(list, "{\"v\":1,\"next\":{\"v\":2}}", KAFKIT_AVRO_JSON_PLAIN),
                         "{\"v\":1,\"next\":{\"v\":2,\"next\":null,\"other\":null},"
                         "\"other\":null}");
}
END_TEST

static const char *schema_err(const char *text)
{
        static kafkit_error_t err;
        kafkit_avro_schema_t *s = kafkit_avro_schema_new(text, (size_t)-1, &err);

        if (s) {
                kafkit_avro_schema_destroy(s);
                return "";
        }
        return err.message;
}

START_TEST(test_schema_errors_name_path)
{
        ck_assert_str_eq(schema_err("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                                    "{\"name\":\"a\",\"type\":\"int\"},"
                                    "{\"name\":\"b\",\"type\":{\"type\":\"array\","
                                    "\"items\":\"Foo\"}}]}"),
                         "schema $.fields[1].type.items: unknown type \"Foo\"");
        ck_assert_str_eq(schema_err("{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                                    "{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}"),
                         "schema $.fields[0].default: expected int (32-bit integer), got "
                         "string \"x\"");
        ck_assert_str_eq(schema_err("[\"int\",\"string\",\"int\"]"),
                         "schema $[2]: union has two branches of type \"int\"");
        ck_assert_str_eq(schema_err("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],"
                                    "\"default\":\"B\"}"),
                         "schema $: enum \"E\": \"default\" is not one of its symbols");
        ck_assert_str_eq(schema_err("{\"type\":\"record\",\"name\":\"9x\",\"fields\":[]}"),
                         "schema $: invalid name \"9x\"");
        ck_assert_str_eq(schema_err("{\"type\":\"fixed\",\"name\":\"F\"}"),
                         "schema $: fixed \"F\" needs a \"size\" from 0 to 2^31-1");
        ck_assert_contains(schema_err("{\"type\":"), "schema: invalid JSON at line 1");
        ck_assert_str_eq(schema_err("[[\"int\"]]"), "schema $[0]: a union cannot hold a union");
        ck_assert_str_eq(schema_err("{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":"
                                    "\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"A\","
                                    "\"size\":1}}]}"),
                         "schema $.fields[0].type: type \"A\" is defined twice");
}
END_TEST

START_TEST(test_schema_logical_types_and_fallback)
{
        /* valid and invalid logical types parse; invalid ones fall back */
        ck_assert_str_eq(schema_err("{\"type\":\"fixed\",\"name\":\"D\",\"size\":2,"
                                    "\"logicalType\":\"decimal\",\"precision\":9}"),
                         "");
        ck_assert_str_eq(schema_err("{\"type\":\"string\",\"logicalType\":\"date\"}"), "");
        ck_assert_str_eq(schema_err("{\"type\":\"fixed\",\"name\":\"Du\",\"size\":12,"
                                    "\"logicalType\":\"duration\"}"),
                         "");
        ck_assert_str_eq(roundtrip("{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}",
                                   "1614834367891234", KAFKIT_AVRO_JSON_AVRO),
                         "1614834367891234");
        ck_assert_str_eq(roundtrip("{\"type\":\"string\",\"logicalType\":\"date\"}", "\"x\"",
                                   KAFKIT_AVRO_JSON_AVRO),
                         "\"x\"");
}
END_TEST


/* ------------------------------------------------------------- resolution */

START_TEST(test_vectors_evolution_resolve)
{
        FILE *f = fopen(tu_vector_path("avro-evolution.jsonl"), "r");
        char line[16384];
        int cases = 0;

        ck_assert_msg(f != NULL, "cannot open %s", tu_vector_path("avro-evolution.jsonl"));
        while (fgets(line, sizeof(line), f)) {
                json_t *vec = json_loads(line, JSON_ALLOW_NUL, NULL), *got;
                const char *name;
                char *wtext, *rtext;
                kafkit_avro_schema_t *ws, *rs;
                kafkit_avro_resolver_t *rv;
                kafkit_buf_t out = { 0 };
                unsigned char bin[4096];
                kafkit_error_t err;
                size_t n;

                if (line[0] == '\n')
                        continue;
                ck_assert_ptr_nonnull(vec);
                name = json_string_value(json_object_get(vec, "name"));
                wtext = json_dumps(json_object_get(vec, "writer"), JSON_ENCODE_ANY);
                rtext = json_dumps(json_object_get(vec, "reader"), JSON_ENCODE_ANY);
                ws = schema_ok(wtext);
                rs = schema_ok(rtext);
                rv = kafkit_avro_resolver_new(ws, rs, &err);
                ck_assert_msg(rv != NULL, "%s: %s", name, err.message);
                n = unhex(json_string_value(json_object_get(vec, "hex")), bin, sizeof(bin));
                if (kafkit_avro_resolver_decode_json(rv, bin, n, KAFKIT_AVRO_JSON_PLAIN, &out,
                                                     &err))
                        ck_abort_msg("%s: %s", name, err.message);
                got = json_loadb(out.data, out.len, JSON_DECODE_ANY, NULL);
                ck_assert_msg(got && json_equal(got, json_object_get(vec, "plain_json")),
                              "%s: got %s", name, out.data);
                json_decref(got);
                /* AVRO style too: valid JSON, same when there are no unions */
                kafkit_buf_reset(&out);
                ck_assert_int_eq(kafkit_avro_resolver_decode_json(rv, bin, n,
                                                                  KAFKIT_AVRO_JSON_AVRO, &out,
                                                                  &err),
                                 KAFKIT_OK);
                got = json_loadb(out.data, out.len, JSON_DECODE_ANY, NULL);
                ck_assert_msg(got != NULL, "%s: avro style %s", name, out.data);
                json_decref(got);
                kafkit_buf_free(&out);
                kafkit_avro_resolver_destroy(rv);
                kafkit_avro_schema_destroy(ws);
                kafkit_avro_schema_destroy(rs);
                free(wtext);
                free(rtext);
                json_decref(vec);
                cases++;
        }
        fclose(f);
        ck_assert_int_ge(cases, 7);
}
END_TEST

/* Resolves hex (written with w) as r; returns JSON or "ERR: message". */
static const char *resolve(const char *w, const char *r, const char *hex,
                           kafkit_avro_json_style_t style)
{
        static char text[2048];
        kafkit_avro_schema_t *ws = schema_ok(w), *rs = schema_ok(r);
        kafkit_avro_resolver_t *rv;
        kafkit_buf_t out = { 0 };
        unsigned char bin[1024];
        kafkit_error_t err;
        size_t n = unhex(hex, bin, sizeof(bin));

        if (!(rv = kafkit_avro_resolver_new(ws, rs, &err)))
                snprintf(text, sizeof(text), "ERR: %s", err.message);
        else if (kafkit_avro_resolver_decode_json(rv, bin, n, style, &out, &err))
                snprintf(text, sizeof(text), "ERR: %s", err.message);
        else
                snprintf(text, sizeof(text), "%s", out.data);
        kafkit_buf_free(&out);
        kafkit_avro_resolver_destroy(rv);
        kafkit_avro_schema_destroy(ws);
        kafkit_avro_schema_destroy(rs);
        return text;
}

START_TEST(test_resolve_rules_and_errors)
{
        const char *e3 = "{\"type\":\"enum\",\"name\":\"C\",\"symbols\":[\"R\",\"G\",\"B\"]}";
        const char *e2 = "{\"type\":\"enum\",\"name\":\"C\",\"symbols\":[\"R\",\"G\"]}";
        const char *rw = "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"old\","
                         "\"type\":\"string\"}]}";
        const char *rr = "{\"type\":\"record\",\"name\":\"B\",\"aliases\":[\"A\"],\"fields\":"
                         "[{\"name\":\"new\",\"aliases\":[\"old\"],\"type\":\"bytes\"}]}";

        ck_assert_str_eq(resolve(e3, e2, "02", KAFKIT_AVRO_JSON_PLAIN), "\"G\"");
        ck_assert_str_eq(resolve(e3, e2, "04", KAFKIT_AVRO_JSON_PLAIN),
                         "ERR: at byte 0 ($): symbol \"B\" is unknown to the reader's enum C, "
                         "which has no default");
        /* record and field renamed through aliases, string read as bytes */
        ck_assert_str_eq(resolve(rw, rr, "0678ff", KAFKIT_AVRO_JSON_PLAIN),
                         "ERR: at byte 0 ($.old): string length 3 runs past the end (2 bytes left)");
        ck_assert_str_eq(resolve(rw, rr, "047879", KAFKIT_AVRO_JSON_PLAIN), "{\"new\":\"xy\"}");
        /* writer union branch the reader lacks: an error only when used */
        ck_assert_str_eq(resolve("[\"null\",\"string\"]", "\"string\"", "020278",
                                 KAFKIT_AVRO_JSON_AVRO),
                         "\"x\"");
        ck_assert_str_eq(resolve("[\"null\",\"string\"]", "\"string\"", "0202",
                                 KAFKIT_AVRO_JSON_PLAIN),
                         "ERR: at byte 1 ($): string length 1 runs past the end (0 bytes left)");
        ck_assert_str_eq(resolve("[\"null\",\"string\"]", "\"string\"", "00",
                                 KAFKIT_AVRO_JSON_PLAIN),
                         "ERR: at byte 0 ($): writer's union branch null has no match in the "
                         "reader's schema");
        ck_assert_str_eq(resolve("[\"null\",\"int\"]", "[\"double\",\"null\"]", "0206",
                                 KAFKIT_AVRO_JSON_AVRO),
                         "{\"double\":3.0}");
        /* reader field without default that the writer lacks */
        ck_assert_str_eq(resolve(rw, "{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":"
                                     "\"x\",\"type\":\"int\"}]}",
                                 "00", KAFKIT_AVRO_JSON_PLAIN),
                         "ERR: resolving $: reader field \"x\" of A is not in the writer's record "
                         "and has no default");
        ck_assert_str_eq(resolve("\"long\"", "\"int\"", "00", KAFKIT_AVRO_JSON_PLAIN),
                         "ERR: resolving $: writer's long cannot be read as int");
        ck_assert_str_eq(resolve("\"float\"", "\"double\"", "cdcccc3d", KAFKIT_AVRO_JSON_PLAIN),
                         "0.10000000149011612");
        /* output in the reader's field order, defaults in their place */
        {
                const char *w = "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                                "{\"name\":\"a\",\"type\":\"int\"},"
                                "{\"name\":\"b\",\"type\":\"string\"},"
                                "{\"name\":\"c\",\"type\":{\"type\":\"array\","
                                "\"items\":\"long\"}}]}";
                const char *r = "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                                "{\"name\":\"c\",\"type\":{\"type\":\"array\","
                                "\"items\":\"double\"}},"
                                "{\"name\":\"x\",\"type\":\"int\",\"default\":7},"
                                "{\"name\":\"a\",\"type\":\"long\"}]}";
                const char *rd = "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                                 "{\"name\":\"p\",\"type\":{\"type\":\"bytes\","
                                 "\"logicalType\":\"decimal\",\"precision\":6,"
                                 "\"scale\":2},\"default\":\"\\u0004\\u00d2\"},"
                                 "{\"name\":\"a\",\"type\":\"int\"}]}";

                /* a=3, b="hi", c=[1,2] */
                ck_assert_str_eq(resolve(w, r, "0604686904020400", KAFKIT_AVRO_JSON_PLAIN),
                                 "{\"c\":[1.0,2.0],\"x\":7,\"a\":3}");
                /* a skipped writer field is checked as a decoded one is */
                ck_assert_str_eq(resolve("{\"type\":\"record\",\"name\":\"S\",\"fields\":["
                                         "{\"name\":\"e\",\"type\":{\"type\":\"enum\","
                                         "\"name\":\"E\",\"symbols\":[\"X\",\"Y\"]}},"
                                         "{\"name\":\"b\",\"type\":\"int\"}]}",
                                         "{\"type\":\"record\",\"name\":\"S\",\"fields\":["
                                         "{\"name\":\"b\",\"type\":\"int\"}]}",
                                         "0a02", KAFKIT_AVRO_JSON_PLAIN),
                                 "ERR: at byte 0 ($.e): enum index 5 out of range (2 symbols)");
                /* truncated inside c: the error names the writer's field and
                 * the item where the next block count was due */
                ck_assert_str_eq(resolve(w, r, "06046869040204", KAFKIT_AVRO_JSON_PLAIN),
                                 "ERR: at byte 7 ($.c[2]): truncated: varint runs past the end");
                ck_assert_str_eq(resolve(w, w, "06046869040204", KAFKIT_AVRO_JSON_PLAIN),
                                 "ERR: at byte 7 ($.c[2]): truncated: varint runs past the end");
                ck_assert_str_eq(resolve(w, rd, "0604686900",
                                         KAFKIT_AVRO_JSON_PLAIN | KAFKIT_AVRO_JSON_DECIMAL_TEXT),
                                 "{\"p\":\"12.34\",\"a\":3}");
        }
}
END_TEST

START_TEST(test_resolve_recursive_types)
{
        const char *w = "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"v\","
                        "\"type\":\"int\"},{\"name\":\"next\",\"type\":[\"null\",\"N\"]}]}";
        const char *r = "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"v\","
                        "\"type\":\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"N\"]},"
                        "{\"name\":\"t\",\"type\":\"string\",\"default\":\"d\"}]}";

        ck_assert_str_eq(resolve(w, r, "02020400", KAFKIT_AVRO_JSON_AVRO),
                         "{\"v\":1,\"next\":{\"N\":{\"v\":2,\"next\":null,\"t\":\"d\"}},"
                         "\"t\":\"d\"}");
}
END_TEST

/* ------------------------------------------------------------ performance */

START_TEST(test_decode_speed_small_record)
{
        const char *order =
                "{\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"customer\","
                "\"type\":{\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":"
                "\"vip\",\"type\":\"boolean\"}],\"name\":\"Customer\",\"type\":\"record\"}},"
                "{\"name\":\"status\",\"type\":{\"name\":\"Status\",\"symbols\":[\"NEW\","
                "\"PAID\"],\"type\":\"enum\"}},{\"name\":\"price\",\"type\":\"double\"},"
                "{\"name\":\"note\",\"type\":[\"null\",\"string\"]}],\"name\":\"Order\","
                "\"type\":\"record\"}";
        kafkit_avro_schema_t *s = schema_ok(order);
        kafkit_buf_t bin = { 0 }, out = { 0 };
        kafkit_error_t err;
        struct timespec t0, t1;
        const int n = 300000;
        double secs;
        int i;

        ck_assert_int_eq(kafkit_avro_encode_json(s, "{\"id\":42,\"customer\":{\"name\":\"Ada\","
                                                    "\"vip\":true},\"status\":\"PAID\","
                                                    "\"price\":12.5,\"note\":\"gift\"}",
                                                 (size_t)-1, KAFKIT_AVRO_JSON_PLAIN, &bin, &err),
                         KAFKIT_OK);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (i = 0; i < n; i++) {
                kafkit_buf_reset(&out);
                if (kafkit_avro_decode_json(s, bin.data, bin.len, KAFKIT_AVRO_JSON_AVRO, &out,
                                            &err))
                        ck_abort_msg("%s", err.message);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "avro decode-to-JSON: %.0f records/s (%s)\n", n / secs, out.data);
        /* loose floor: sanitizer and debug builds are far slower */
        ck_assert_msg(n / secs > 100000, "only %.0f records/s", n / secs);
        kafkit_buf_free(&bin);
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
}
END_TEST

/* ------------------------------------------- streaming reader vs jansson */

/*
 * Encodes `len` bytes of JSON with both encoder paths: the streaming
 * reader and the jansson tree walk. Whenever the streaming one takes the
 * text, the tree walk must accept it too and give the same bytes; when it
 * declines, it must leave `out` untouched. Returns 1 if it took the text.
 */
static int stream_vs_tree(const kafkit_avro_schema_t *s, const char *json, size_t len,
                          kafkit_avro_json_style_t style)
{
        kafkit_buf_t a = { 0 }, b = { 0 };
        kafkit_error_t err;
        json_error_t jerr;
        json_t *v = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        int tree_ok = v && av_encode_value(s->root, v, style, "$", &b, &err) == KAFKIT_OK;
        int took = av_encode_json_stream(s->root, json, len, style, &a) == 0;

        if (took) {
                ck_assert_msg(tree_ok, "stream took what jansson rejects: %.*s", (int)len, json);
                ck_assert_msg(a.len == b.len && !memcmp(a.data, b.data, a.len),
                              "stream and tree differ on %.*s", (int)len, json);
        } else {
                ck_assert_uint_eq(a.len, 0);
        }
        json_decref(v);
        kafkit_buf_free(&a);
        kafkit_buf_free(&b);
        return took;
}

/* stream_vs_tree() on NUL-terminated text with schema text. */
static int stream_case(const char *schema, const char *json, kafkit_avro_json_style_t style)
{
        kafkit_avro_schema_t *s = schema_ok(schema);
        int took = stream_vs_tree(s, json, strlen(json), style);

        kafkit_avro_schema_destroy(s);
        return took;
}

/* Public API output as hex ("" and the message in *msg on error). */
static const char *encode_hex(const char *schema, const char *json,
                              kafkit_avro_json_style_t style)
{
        static char hex[8192];
        kafkit_avro_schema_t *s = schema_ok(schema);
        kafkit_buf_t out = { 0 };
        kafkit_error_t err;

        if (kafkit_avro_encode_json(s, json, (size_t)-1, style, &out, &err) == KAFKIT_OK) {
                ck_assert_uint_lt(out.len * 2, sizeof(hex));
                tohex(out.data, out.len, hex);
        } else {
                snprintf(hex, sizeof(hex), "error: %s", err.message);
        }
        kafkit_buf_free(&out);
        kafkit_avro_schema_destroy(s);
        return hex;
}

/* KAFKIT_AVRO_JSON_DECIMAL_TEXT. Expected bytes computed with Apache Avro's
 * Python library (values with exactly `scale` digits) and Java's
 * BigInteger.toByteArray rule (shortest two's complement). */
START_TEST(test_decimal_text)
{
        const kafkit_avro_json_style_t P = KAFKIT_AVRO_JSON_PLAIN | KAFKIT_AVRO_JSON_DECIMAL_TEXT;
        const kafkit_avro_json_style_t A = KAFKIT_AVRO_JSON_AVRO | KAFKIT_AVRO_JSON_DECIMAL_TEXT;
        const char *db = "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":38,"
                         "\"scale\":10}";
        const char *fx = "{\"type\":\"fixed\",\"name\":\"D\",\"size\":16,\"logicalType\":"
                         "\"decimal\",\"precision\":38,\"scale\":4}";
        const char *d2 = "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4,"
                         "\"scale\":2}";
        const char *un = "[\"null\",{\"type\":\"bytes\",\"logicalType\":\"decimal\","
                         "\"precision\":9,\"scale\":2}]";
        const char *rec = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"p\","
                          "\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
                          "\"precision\":9,\"scale\":2},\"default\":\"\\u0004\\u00d2\"}]}";

        ck_assert_str_eq(encode_hex(db, "\"12345678901234567890.1234567890\"", P),
                         "1a018ee90ff6c373e0ee4e3f0ad2");
        ck_assert_str_eq(encode_hex(db, "\"-12345678901234567890.1234567890\"", P),
                         "1afe7116f0093c8c1f11b1c0f52e");
        ck_assert_str_eq(encode_hex(db, "\"-0.0000000001\"", P), "02ff");
        ck_assert_str_eq(encode_hex(db, "\"1.5\"", P), "0a037e11d600"); /* 15000000000 */
        ck_assert_str_eq(encode_hex(fx, "\"-1.0000\"", A), "ffffffffffffffffffffffffffffd8f0");
        ck_assert_str_eq(encode_hex(fx, "\"99999999999999999999999999999999.9999\"", P),
                         "00c097ce7bc90715b34b9f0fffffffff");
        ck_assert_str_eq(encode_hex(fx, "\"0.0001\"", P), "00000000000000000000000000000001");
        ck_assert_str_eq(encode_hex(d2, "\"-1.28\"", P), "0280");
        ck_assert_str_eq(encode_hex(d2, "\"1.28\"", P), "040080");
        ck_assert_str_eq(encode_hex(d2, "\"-0.01\"", P), "02ff");
        ck_assert_str_eq(encode_hex(d2, "\"0\"", P), "0200");
        ck_assert_str_eq(encode_hex(d2, "\"-0\"", P), "0200");
        ck_assert_str_eq(encode_hex(d2, "\"+12.3\"", P), "0404ce");
        /* output: always `scale` digits after the point */
        ck_assert_str_eq(roundtrip(d2, "\"12.3\"", P), "\"12.30\"");
        ck_assert_str_eq(roundtrip(d2, "\"-0.05\"", P), "\"-0.05\"");
        ck_assert_str_eq(roundtrip(d2, "\"0\"", P), "\"0.00\"");
        ck_assert_str_eq(roundtrip(db, "\"-12345678901234567890.1234567890\"", P),
                         "\"-12345678901234567890.1234567890\"");
        ck_assert_str_eq(roundtrip(fx, "\"-99999999999999999999999999999999.9999\"", P),
                         "\"-99999999999999999999999999999999.9999\"");
        ck_assert_str_eq(roundtrip(fx, "\"0.0001\"", A), "\"0.0001\"");
        ck_assert_str_eq(roundtrip("{\"type\":\"bytes\",\"logicalType\":\"decimal\","
                                   "\"precision\":5}",
                                   "\"-123\"", P),
                         "\"-123\"");
        /* unions: bare in plain style, wrapped in avro style */
        ck_assert_str_eq(roundtrip(un, "\"7.25\"", P), "\"7.25\"");
        ck_assert_str_eq(roundtrip(un, "{\"bytes\":\"7.25\"}", A), "{\"bytes\":\"7.25\"}");
        ck_assert_str_eq(roundtrip(un, "null", P), "null");
        /* a record field (the streaming reader hands decimals to jansson) */
        ck_assert_str_eq(roundtrip(rec, "{\"p\":\"1.99\"}", P), "{\"p\":\"1.99\"}");
        ck_assert_str_eq(roundtrip(rec, "{}", P), "{\"p\":\"12.34\"}");
        /* without the flag the same text is bytes, as the vectors have it */
        ck_assert_str_eq(encode_hex(d2, "\"09\"", KAFKIT_AVRO_JSON_PLAIN), "043039");
        ck_assert_str_eq(roundtrip(d2, "\"09\"", KAFKIT_AVRO_JSON_PLAIN), "\"09\"");
        /* errors name the path and what was expected */
        ck_assert_str_eq(encode_err(rec, "{\"p\":\"1.234\"}", P),
                         "$.p: expected decimal with at most 2 digits after the point "
                         "(scale 2), got string \"1.234\"");
        ck_assert_str_eq(encode_err(d2, "\"123.45\"", P),
                         "$: expected decimal of at most 4 significant digits (precision 4, "
                         "scale 2), got string \"123.45\"");
        ck_assert_str_eq(encode_err(d2, "\"1e3\"", P),
                         "$: expected decimal as text like \"-12.34\", got string \"1e3\"");
        ck_assert_str_eq(encode_err(d2, "\".5\"", P),
                         "$: expected decimal as text like \"-12.34\", got string \".5\"");
        ck_assert_str_eq(encode_err(d2, "\"5.\"", P),
                         "$: expected decimal as text like \"-12.34\", got string \"5.\"");
        ck_assert_str_eq(encode_err(d2, "\"\"", P),
                         "$: expected decimal as text like \"-12.34\", got string \"\"");
        ck_assert_str_eq(encode_err(d2, "12.5", P),
                         "$: expected decimal as text (a string like \"-12.34\"), got number 12.5");
        /* a precision beyond what decimal text handles (~1,232 digits) makes
         * the logical type invalid: plain bytes, not gigabytes of zeros */
        ck_assert_str_eq(roundtrip("{\"type\":\"bytes\",\"logicalType\":\"decimal\","
                                   "\"precision\":2000000000,\"scale\":1999999999}",
                                   "\"09\"", P),
                         "\"09\"");
        /* a fixed of 1 byte holds 2 digits; precision 3 would make the
         * logical type invalid, so the schema falls back to a plain fixed */
        ck_assert_str_eq(encode_hex("{\"type\":\"fixed\",\"name\":\"F\",\"size\":1,"
                                    "\"logicalType\":\"decimal\",\"precision\":2}",
                                    "\"-99\"", P),
                         "9d");
        ck_assert_str_eq(encode_err("{\"type\":\"fixed\",\"name\":\"F\",\"size\":1,"
                                    "\"logicalType\":\"decimal\",\"precision\":3}",
                                    "\"128\"", P),
                         "$: expected fixed of 1 bytes (3 here), got string \"128\"");
}
END_TEST

START_TEST(test_stream_reader_matches_tree_on_every_vector)
{
        FILE *f = fopen(tu_vector_path("avro-binary.jsonl"), "r");
        char line[16384];
        int cases = 0;

        ck_assert_ptr_nonnull(f);
        while (fgets(line, sizeof(line), f)) {
                json_t *vec = json_loads(line, JSON_ALLOW_NUL, NULL);
                char *stext, *a, *p;
                kafkit_avro_schema_t *s;

                if (!vec)
                        continue;
                stext = json_dumps(json_object_get(vec, "schema"), JSON_ENCODE_ANY);
                s = schema_ok(stext);
                a = json_dumps(json_object_get(vec, "avro_json"), JSON_ENCODE_ANY);
                p = json_dumps(json_object_get(vec, "plain_json"), JSON_ENCODE_ANY);
                ck_assert_msg(stream_vs_tree(s, a, strlen(a), KAFKIT_AVRO_JSON_AVRO),
                              "stream declined vector %s", a);
                ck_assert_msg(stream_vs_tree(s, p, strlen(p), KAFKIT_AVRO_JSON_PLAIN),
                              "stream declined vector %s", p);
                kafkit_avro_schema_destroy(s);
                free(stext);
                free(a);
                free(p);
                json_decref(vec);
                cases++;
        }
        fclose(f);
        ck_assert_int_ge(cases, 34);
}
END_TEST

#define STREAM_REC                                                                         \
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":["                                  \
        "{\"name\":\"a\",\"type\":\"long\"},"                                              \
        "{\"name\":\"b\",\"type\":\"string\",\"default\":\"dflt\"},"                       \
        "{\"name\":\"c\",\"type\":[\"null\",\"double\"],\"default\":null}]}"

START_TEST(test_stream_reader_fields_out_of_order_and_defaults)
{
        const char *in_order = encode_hex(STREAM_REC, "{\"a\":1,\"b\":\"x\",\"c\":null}",
                                          KAFKIT_AVRO_JSON_AVRO);
        char want[256];

        snprintf(want, sizeof(want), "%s", in_order);
        ck_assert_str_eq(want, "02027800");
        /* out of order: streamed too, assembled in schema order */
        ck_assert_int_eq(stream_case(STREAM_REC, "{\"c\":null,\"b\":\"x\",\"a\":1}",
                                     KAFKIT_AVRO_JSON_AVRO), 1);
        ck_assert_int_eq(stream_case(STREAM_REC, "{\"c\":{\"double\":1},\"a\":1}",
                                     KAFKIT_AVRO_JSON_AVRO), 1);
        ck_assert_int_eq(stream_case(STREAM_REC, "{\"b\":\"x\",\"a\":1,\"b\":\"y\"}",
                                     KAFKIT_AVRO_JSON_AVRO), 0);
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"c\":null,\"b\":\"x\",\"a\":1}",
                                    KAFKIT_AVRO_JSON_AVRO), want);
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"b\":\"x\",\"a\":1}",
                                    KAFKIT_AVRO_JSON_PLAIN), want);
        /* gaps and a missing tail take defaults, streaming */
        ck_assert_int_eq(stream_case(STREAM_REC, "{\"a\":1,\"c\":{\"double\":2}}",
                                     KAFKIT_AVRO_JSON_AVRO), 1);
        ck_assert_int_eq(stream_case(STREAM_REC, " { \"a\" : -7 } ", KAFKIT_AVRO_JSON_PLAIN), 1);
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"a\":1}", KAFKIT_AVRO_JSON_PLAIN),
                         "020864666c7400");
        /* duplicates, unknown fields, missing without default: jansson's say */
        ck_assert_int_eq(stream_case(STREAM_REC, "{\"a\":1,\"a\":2}", KAFKIT_AVRO_JSON_PLAIN), 0);
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"a\":1,\"a\":2}", KAFKIT_AVRO_JSON_PLAIN),
                         "040864666c7400");
        ck_assert_int_eq(stream_case(STREAM_REC, "{\"a\":1,\"z\":2}", KAFKIT_AVRO_JSON_PLAIN), 0);
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"a\":1,\"z\":2}", KAFKIT_AVRO_JSON_PLAIN),
                         "error: $: unknown field \"z\" for R");
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"b\":\"x\"}", KAFKIT_AVRO_JSON_PLAIN),
                         "error: $: missing field \"a\" of R (no default)");
        ck_assert_str_eq(encode_hex(STREAM_REC, "{\"a\":1,\"c\":{\"double\":\"abc\"}}",
                                    KAFKIT_AVRO_JSON_AVRO),
                         "error: $.c[\"double\"]: expected double, got string \"abc\"");
}
END_TEST

START_TEST(test_stream_reader_strings_escapes_and_surrogates)
{
        static const char *ok[] = {
                "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
                "\"\\u00e9\\u20AC\\ud83d\\ude00\\u0000x\"",
                "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\"",
                "\"\"",
        };
        static const char *bad[] = {
                "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
                "\"\\u12\"", "\"\\x\"", "\"a\tb\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
                "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\"abc", "\"a\" x",
        };
        size_t i;

        for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                ck_assert_msg(stream_case("\"string\"", ok[i], KAFKIT_AVRO_JSON_PLAIN), "%s",
                              ok[i]);
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ck_assert_msg(!stream_case("\"string\"", bad[i], KAFKIT_AVRO_JSON_PLAIN), "%s",
                              bad[i]);
                ck_assert_msg(encode_err("\"string\"", bad[i], KAFKIT_AVRO_JSON_PLAIN)[0],
                              "%s accepted", bad[i]);
        }
        ck_assert_str_eq(encode_hex("\"string\"", "\"\\ud83d\\ude00\"", KAFKIT_AVRO_JSON_PLAIN),
                         "08f09f9880");
        /* bytes and fixed: code points 0-255, escaped or raw */
        ck_assert_str_eq(encode_hex("\"bytes\"", "\"\\u00ff\\u0000a\xc3\xbf\"",
                                    KAFKIT_AVRO_JSON_AVRO), "08ff0061ff");
        ck_assert_int_eq(stream_case("\"bytes\"", "\"\\u00ff\\u0000a\xc3\xbf\"",
                                     KAFKIT_AVRO_JSON_AVRO), 1);
        ck_assert_int_eq(stream_case("{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}",
                                     "\"\\n\xc2\x80\"", KAFKIT_AVRO_JSON_AVRO), 1);
        ck_assert_int_eq(stream_case("{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}",
                                     "\"abc\"", KAFKIT_AVRO_JSON_AVRO), 0);
        ck_assert_int_eq(stream_case("\"bytes\"", "\"\\u0100\"", KAFKIT_AVRO_JSON_AVRO), 0);
        ck_assert_str_eq(encode_err("\"bytes\"", "\"\\u0100\"", KAFKIT_AVRO_JSON_AVRO),
                         "$: expected code points 0-255 (bytes), char 0 is not, got string "
                         "\"\xc4\x80\"");
        /* map keys are decoded too; a duplicate key goes to jansson */
        ck_assert_int_eq(stream_case("{\"type\":\"map\",\"values\":\"int\"}",
                                     "{\"k\\u00e9\":1,\"\\n\":2}", KAFKIT_AVRO_JSON_AVRO), 1);
        ck_assert_int_eq(stream_case("{\"type\":\"map\",\"values\":\"int\"}",
                                     "{\"a\":1,\"\\u0061\":2}", KAFKIT_AVRO_JSON_AVRO), 0);
        ck_assert_str_eq(encode_hex("{\"type\":\"map\",\"values\":\"int\"}",
                                    "{\"a\":1,\"\\u0061\":2}", KAFKIT_AVRO_JSON_AVRO),
                         "0202610400");
}
END_TEST

START_TEST(test_stream_reader_numbers_and_trailing_text)
{
        static const struct {
                const char *schema, *json;
                int took;
        } cases[] = {
                { "\"long\"", "9223372036854775807", 1 },
                { "\"long\"", "-9223372036854775808", 1 },
                { "\"long\"", "9223372036854775808", 0 },
                { "\"long\"", "-9223372036854775809", 0 },
                { "\"long\"", "99999999999999999999999", 0 },
                { "\"long\"", "-0", 1 },
                { "\"long\"", "1e2", 1 },
                { "\"long\"", "1.5", 0 },
                { "\"int\"", "2147483647", 1 },
                { "\"int\"", "2147483648", 0 },
                { "\"int\"", "-2147483648.0", 1 },
                { "\"double\"", "1e2", 1 },
                { "\"double\"", "-0", 1 },
                { "\"double\"", "-0.0", 1 },
                { "\"double\"", "0.1", 1 },
                { "\"double\"", "2.5E-3", 1 },
                { "\"double\"", "123456789012345678", 1 },
                { "\"double\"", "1e400", 0 },
                { "\"double\"", "\"NaN\"", 1 },
                { "\"float\"", "\"-Infinity\"", 1 },
                { "\"float\"", "3.4028235e38", 1 },
                { "\"double\"", "\"nan\"", 0 },
                { "\"double\"", "01", 0 },
                { "\"double\"", "1.", 0 },
                { "\"double\"", ".5", 0 },
                { "\"double\"", "1e", 0 },
                { "\"double\"", "+1", 0 },
                { "\"double\"", "- 1", 0 },
                { "\"long\"", " 5 \n", 1 },
                { "\"long\"", "5 x", 0 },
                { "\"long\"", "5,", 0 },
                { "\"boolean\"", "true", 1 },
                { "\"boolean\"", "truex", 0 },
                { "\"null\"", "null", 1 },
                { "\"null\"", "nul", 0 },
                { "{\"type\":\"array\",\"items\":\"long\"}", "[1, 2 ,3]", 1 },
                { "{\"type\":\"array\",\"items\":\"long\"}", "[1,]", 0 },
                { "{\"type\":\"array\",\"items\":\"long\"}", "[]", 1 },
                { "[\"int\",\"long\"]", "5000000000", 0 },
                { "[\"null\",\"long\"]", "5000000000", 1 },
                { "[\"null\",\"long\"]", "{\"long\":5,\"null\":null}", 0 },
        };
        size_t i;

        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                kafkit_avro_json_style_t st = strchr(cases[i].json, '{')
                                                      ? KAFKIT_AVRO_JSON_AVRO
                                                      : KAFKIT_AVRO_JSON_PLAIN;

                ck_assert_msg(stream_case(cases[i].schema, cases[i].json, st) == cases[i].took,
                              "%s as %s: stream %s", cases[i].json, cases[i].schema,
                              cases[i].took ? "declined" : "took it");
        }
        ck_assert_str_eq(encode_err("\"long\"", "9223372036854775808", KAFKIT_AVRO_JSON_PLAIN),
                         encode_err("\"long\"", "9223372036854775808", KAFKIT_AVRO_JSON_PLAIN));
        ck_assert_str_eq(encode_hex("\"long\"", "-9223372036854775808", KAFKIT_AVRO_JSON_PLAIN),
                         "ffffffffffffffffff01");
        ck_assert_str_eq(encode_hex("[\"int\",\"long\"]", "5000000000", KAFKIT_AVRO_JSON_PLAIN),
                         "0280c8afa025");
}
END_TEST

#define NEST_SCHEMA                                                                        \
        "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"n\","                 \
        "\"type\":[\"null\",\"N\"]}]}"

/* Arrays and maps past 63 items need a 2-byte count, patched in. */
START_TEST(test_stream_reader_long_arrays_maps_and_depth)
{
        kafkit_buf_t j = { 0 };
        char key[32];
        int i;

        ck_assert_int_eq(kafkit_buf_append(&j, "[", 1), KAFKIT_OK);
        for (i = 0; i < 300; i++)
                ck_assert_int_eq(kafkit_buf_append(&j, i ? ",7" : "7", i ? 2 : 1), KAFKIT_OK);
        ck_assert_int_eq(kafkit_buf_append(&j, "]", 1), KAFKIT_OK);
        ck_assert_int_eq(stream_case("{\"type\":\"array\",\"items\":\"int\"}", j.data,
                                     KAFKIT_AVRO_JSON_PLAIN), 1);
        kafkit_buf_reset(&j);
        ck_assert_int_eq(kafkit_buf_append(&j, "{", 1), KAFKIT_OK);
        for (i = 0; i < 200; i++) {
                int n = snprintf(key, sizeof(key), "%s\"k%d\":%d", i ? "," : "", i, i);

                ck_assert_int_eq(kafkit_buf_append(&j, key, (size_t)n), KAFKIT_OK);
        }
        ck_assert_int_eq(kafkit_buf_append(&j, "}", 1), KAFKIT_OK);
        ck_assert_int_eq(stream_case("{\"type\":\"map\",\"values\":\"int\"}", j.data,
                                     KAFKIT_AVRO_JSON_AVRO), 1);
        /* nesting past KAFKIT_AVRO_MAX_DEPTH goes to jansson, which says so */
        kafkit_buf_reset(&j);
        for (i = 0; i < KAFKIT_AVRO_MAX_DEPTH + 2; i++)
                ck_assert_int_eq(kafkit_buf_append(&j, "{\"n\":", 5), KAFKIT_OK);
        ck_assert_int_eq(kafkit_buf_append(&j, "null", 4), KAFKIT_OK);
        for (i = 0; i < KAFKIT_AVRO_MAX_DEPTH + 2; i++)
                ck_assert_int_eq(kafkit_buf_append(&j, "}", 1), KAFKIT_OK);
        ck_assert_int_eq(stream_case(NEST_SCHEMA, j.data, KAFKIT_AVRO_JSON_PLAIN), 0);
        ck_assert_contains(encode_err(NEST_SCHEMA, j.data, KAFKIT_AVRO_JSON_PLAIN),
                           "nesting deeper than");
        kafkit_buf_free(&j);
}
END_TEST

#define STREAM_RICH                                                                        \
        "{\"type\":\"record\",\"name\":\"X\",\"fields\":["                                  \
        "{\"name\":\"l\",\"type\":\"long\"},{\"name\":\"i\",\"type\":\"int\"},"            \
        "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\"},"        \
        "{\"name\":\"s\",\"type\":\"string\",\"default\":\"\"},"                           \
        "{\"name\":\"b\",\"type\":\"bytes\"},"                                             \
        "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"F2\",\"size\":2}},"       \
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\","   \
        "\"B\"]}},"                                                                        \
        "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"int\"}},"                \
        "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"              \
        "{\"name\":\"u\",\"type\":[\"null\",\"string\",\"long\",{\"type\":\"record\","     \
        "\"name\":\"In\",\"fields\":[{\"name\":\"z\",\"type\":\"boolean\"}]}]}]}"

/* Random edits of valid records: whatever the streaming reader takes, the
 * tree walk must take with the same bytes. */
START_TEST(test_stream_reader_never_takes_what_jansson_would_not)
{
        static const char *base[2] = {
                "{\"l\":-12,\"i\":3,\"f\":1.5,\"d\":-2e-3,\"s\":\"h\\u00e9\\n\",\"b\":\"\\u00ff\","
                "\"x\":\"ab\",\"e\":\"B\",\"a\":[1,2],\"m\":{\"k\":\"v\",\"q\":\"\"},"
                "\"u\":{\"In\":{\"z\":true}}}",
                "{\"l\":-12,\"i\":3,\"f\":1.5,\"d\":-2e-3,\"s\":\"h\\u00e9\\n\",\"b\":\"\\u00ff\","
                "\"x\":\"ab\",\"e\":\"B\",\"a\":[1,2],\"m\":{\"k\":\"v\",\"q\":\"\"},"
                "\"u\":\"str\"}",
        };
        static const char alphabet[] = "{}[]\",:\\u0129eE.-+ntf \xc3\xa9\xed\xff";
        kafkit_avro_schema_t *s = schema_ok(STREAM_RICH);
        uint32_t seed = 12345;
        char buf[512];
        int iter, took = 0, st;

        for (st = 0; st < 2; st++)
                ck_assert_int_eq(stream_vs_tree(s, base[st], strlen(base[st]),
                                                st ? KAFKIT_AVRO_JSON_PLAIN
                                                   : KAFKIT_AVRO_JSON_AVRO), 1);
        for (iter = 0; iter < 40000; iter++) {
                size_t len, pos;
                int edits, k;

                st = iter & 1;
                len = strlen(base[st]);
                memcpy(buf, base[st], len);
                edits = 1 + (int)((seed >> 16) % 3);
                for (k = 0; k < edits; k++) {
                        seed = seed * 1103515245u + 12345u;
                        pos = (seed >> 8) % len;
                        seed = seed * 1103515245u + 12345u;
                        switch ((seed >> 16) % 3) {
                        case 0: /* replace */
                                buf[pos] = alphabet[(seed >> 4) % (sizeof(alphabet) - 1)];
                                break;
                        case 1: /* delete */
                                memmove(buf + pos, buf + pos + 1, len - pos - 1);
                                len--;
                                break;
                        default: /* insert */
                                memmove(buf + pos + 1, buf + pos, len - pos);
                                buf[pos] = alphabet[(seed >> 4) % (sizeof(alphabet) - 1)];
                                len++;
                                break;
                        }
                }
                took += stream_vs_tree(s, buf, len,
                                       st ? KAFKIT_AVRO_JSON_PLAIN : KAFKIT_AVRO_JSON_AVRO);
        }
        ck_assert_int_gt(took, 100);    /* some edits stay valid */
        kafkit_avro_schema_destroy(s);
}
END_TEST

static Suite *avro_suite(void)
{
        Suite *s = suite_create("avro");
        TCase *tc = tcase_create("codec");

        tcase_add_test(tc, test_vectors_binary_encode_and_decode_both_styles);
        tcase_add_test(tc, test_decode_rejects_truncated_input);
        tcase_add_test(tc, test_decode_rejects_bad_union_index_with_path);
        tcase_add_test(tc, test_decode_rejects_bad_enum_index);
        tcase_add_test(tc, test_decode_rejects_lengths_and_counts_past_end);
        tcase_add_test(tc, test_decode_accepts_negative_block_counts);
        tcase_add_test(tc, test_decode_rejects_trailing_bytes);
        tcase_add_test(tc, test_decode_rejects_varint_overflow_and_bad_values);
        tcase_add_test(tc, test_decode_limits_nesting_depth);
        tcase_add_test(tc, test_decode_fuzz_never_crashes);
        tcase_add_test(tc, test_encode_errors_name_json_path);
        tcase_add_test(tc, test_encode_checks_ranges_and_symbols);
        tcase_add_test(tc, test_encode_uses_field_defaults);
        tcase_add_test(tc, test_plain_union_branch_choice);
        tcase_add_test(tc, test_doubles_print_shortest_round_trip);
        tcase_add_test(tc, test_random_doubles_read_back_exactly);
        tcase_add_test(tc, test_strings_escape_and_replace_bad_utf8);
        tcase_add_test(tc, test_longs_keep_64_bits);
        tcase_add_test(tc, test_canonical_form_and_fingerprint);
        tcase_add_test(tc, test_schema_recursive_and_references);
        tcase_add_test(tc, test_schema_errors_name_path);
        tcase_add_test(tc, test_schema_logical_types_and_fallback);
        tcase_add_test(tc, test_vectors_evolution_resolve);
        tcase_add_test(tc, test_resolve_rules_and_errors);
        tcase_add_test(tc, test_resolve_recursive_types);
        tcase_add_test(tc, test_decode_speed_small_record);
        tcase_add_test(tc, test_stream_reader_matches_tree_on_every_vector);
        tcase_add_test(tc, test_stream_reader_fields_out_of_order_and_defaults);
        tcase_add_test(tc, test_stream_reader_strings_escapes_and_surrogates);
        tcase_add_test(tc, test_stream_reader_numbers_and_trailing_text);
        tcase_add_test(tc, test_stream_reader_long_arrays_maps_and_depth);
        tcase_add_test(tc, test_stream_reader_never_takes_what_jansson_would_not);
        tcase_add_test(tc, test_decimal_text);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(avro_suite());
}
