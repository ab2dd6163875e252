/*
 * test_offset.c: start offsets as users write them: every accepted form,
 * the errors for everything else, and the librdkafka offsets they map to.
 */
#include "testutil.h"
#include "internal.h"

#include <string.h>

static kafkit_offset_t parse_ok(const char *text)
{
        kafkit_offset_t off = { KAFKIT_OFFSET_ABSOLUTE, -99 };
        kafkit_error_t err;

        if (kafkit_offset_parse(text, &off, &err) != KAFKIT_OK)
                ck_abort_msg("parse \"%s\": %s", text, err.message);
        return off;
}

/* Asserts a KAFKIT_ERR_PARSE whose message quotes the text. */
static void parse_bad(const char *text, const char *why)
{
        kafkit_offset_t off = { KAFKIT_OFFSET_ABSOLUTE, 123 };
        kafkit_error_t err;
        char quoted[128];

        ck_assert_int_eq(kafkit_offset_parse(text, &off, &err), KAFKIT_ERR_PARSE);
        ck_assert_int_eq(err.code, KAFKIT_ERR_PARSE);
        snprintf(quoted, sizeof(quoted), "\"%s\"", text);
        ck_assert_msg(strstr(err.message, quoted), "\"%s\": message does not quote it: %s",
                      text, err.message);
        if (why)
                ck_assert_msg(strstr(err.message, why), "\"%s\": expected \"%s\" in: %s", text,
                              why, err.message);
        /* a failed parse leaves the result alone */
        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_ABSOLUTE);
        ck_assert_int_eq(off.value, 123);
}

START_TEST(parse_named_offsets)
{
        ck_assert_int_eq(parse_ok("beginning").kind, KAFKIT_OFFSET_BEGINNING);
        ck_assert_int_eq(parse_ok("end").kind, KAFKIT_OFFSET_END);
        ck_assert_int_eq(parse_ok("stored").kind, KAFKIT_OFFSET_STORED);
        ck_assert_int_eq(parse_ok("END").kind, KAFKIT_OFFSET_END);
        ck_assert_int_eq(parse_ok("beginning").value, 0);
}
END_TEST

START_TEST(parse_absolute)
{
        kafkit_offset_t off = parse_ok("0");

        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_ABSOLUTE);
        ck_assert_int_eq(off.value, 0);
        off = parse_ok("42");
        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_ABSOLUTE);
        ck_assert_int_eq(off.value, 42);
        off = parse_ok("9223372036854775807");
        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_ABSOLUTE);
        ck_assert(off.value == INT64_MAX);
}
END_TEST

START_TEST(parse_from_end)
{
        kafkit_offset_t off = parse_ok("-1");

        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_FROM_END);
        ck_assert_int_eq(off.value, 1);
        off = parse_ok("-1000");
        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_FROM_END);
        ck_assert_int_eq(off.value, 1000);
}
END_TEST

START_TEST(parse_timestamp)
{
        kafkit_offset_t off = parse_ok("s@1700000000000");

        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_TIMESTAMP);
        ck_assert(off.value == 1700000000000LL);
        off = parse_ok("s@0");
        ck_assert_int_eq(off.kind, KAFKIT_OFFSET_TIMESTAMP);
        ck_assert_int_eq(off.value, 0);
}
END_TEST

START_TEST(parse_rejects_garbage)
{
        parse_bad("", "expected");
        parse_bad("begin", "expected");
        parse_bad("12abc", "expected");
        parse_bad(" 12", "expected");
        parse_bad("12 ", "expected");
        parse_bad("+5", "expected");
        parse_bad("0x10", "expected");
        parse_bad("-", "expected");
        parse_bad("--5", "expected");
        parse_bad("s@", "expected");
        parse_bad("s@-5", "expected");
        parse_bad("s@x", "expected");
        parse_bad("e@5", "expected");
        parse_bad("1.5", "expected");
}
END_TEST

START_TEST(parse_rejects_out_of_range)
{
        parse_bad("9223372036854775808", "out of range");
        parse_bad("99999999999999999999999", "out of range");
        parse_bad("-9223372036854775808", "out of range");
        parse_bad("s@9223372036854775808", "out of range");
        /* "-0": the last zero records is "end"; the message says so */
        parse_bad("-0", "end");
}
END_TEST

START_TEST(parse_null_arguments)
{
        kafkit_offset_t off;
        kafkit_error_t err;

        ck_assert_int_eq(kafkit_offset_parse(NULL, &off, &err), KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(kafkit_offset_parse("end", NULL, &err), KAFKIT_ERR_INVALID_ARG);
        /* a NULL err is allowed */
        ck_assert_int_eq(kafkit_offset_parse("nope", &off, NULL), KAFKIT_ERR_PARSE);
}
END_TEST

START_TEST(parse_long_text_is_truncated_in_message)
{
        char text[400];
        kafkit_offset_t off;
        kafkit_error_t err;

        memset(text, '7', sizeof(text) - 2);
        text[sizeof(text) - 2] = 'x';
        text[sizeof(text) - 1] = '\0';
        ck_assert_int_eq(kafkit_offset_parse(text, &off, &err), KAFKIT_ERR_PARSE);
        ck_assert(strstr(err.message, "...") != NULL);
        ck_assert(strlen(err.message) < 200);
}
END_TEST

static int64_t to_rd(kafkit_offset_kind_t kind, int64_t value)
{
        kafkit_offset_t off = { kind, value };

        return kafkit_offset_to_rd(&off);
}

START_TEST(to_rd_maps_every_kind)
{
        ck_assert(to_rd(KAFKIT_OFFSET_BEGINNING, 0) == RD_KAFKA_OFFSET_BEGINNING);
        ck_assert(to_rd(KAFKIT_OFFSET_END, 0) == RD_KAFKA_OFFSET_END);
        ck_assert(to_rd(KAFKIT_OFFSET_STORED, 0) == RD_KAFKA_OFFSET_STORED);
        ck_assert(to_rd(KAFKIT_OFFSET_ABSOLUTE, 0) == 0);
        ck_assert(to_rd(KAFKIT_OFFSET_ABSOLUTE, 12345) == 12345);
        ck_assert(to_rd(KAFKIT_OFFSET_FROM_END, 1) == RD_KAFKA_OFFSET_TAIL(1));
        ck_assert(to_rd(KAFKIT_OFFSET_FROM_END, 500) == RD_KAFKA_OFFSET_TAIL(500));
        /* unresolved timestamps and impossible values are never a real offset */
        ck_assert(to_rd(KAFKIT_OFFSET_TIMESTAMP, 1000) == RD_KAFKA_OFFSET_INVALID);
        ck_assert(to_rd(KAFKIT_OFFSET_ABSOLUTE, -5) == RD_KAFKA_OFFSET_INVALID);
        ck_assert(to_rd(KAFKIT_OFFSET_FROM_END, -5) == RD_KAFKA_OFFSET_INVALID);
        ck_assert(to_rd(KAFKIT_OFFSET_FROM_END, INT64_MAX) == RD_KAFKA_OFFSET_INVALID);
        ck_assert(to_rd((kafkit_offset_kind_t)99, 0) == RD_KAFKA_OFFSET_INVALID);
        ck_assert(kafkit_offset_to_rd(NULL) == RD_KAFKA_OFFSET_INVALID);
}
END_TEST

START_TEST(parse_then_to_rd)
{
        kafkit_offset_t off = parse_ok("-3");

        ck_assert(kafkit_offset_to_rd(&off) == RD_KAFKA_OFFSET_TAIL(3));
        off = parse_ok("beginning");
        ck_assert(kafkit_offset_to_rd(&off) == RD_KAFKA_OFFSET_BEGINNING);
        off = parse_ok("77");
        ck_assert(kafkit_offset_to_rd(&off) == 77);
}
END_TEST

static Suite *offset_suite(void)
{
        Suite *s = suite_create("offset");
        TCase *tc = tcase_create("parse");

        tcase_add_test(tc, parse_named_offsets);
        tcase_add_test(tc, parse_absolute);
        tcase_add_test(tc, parse_from_end);
        tcase_add_test(tc, parse_timestamp);
        tcase_add_test(tc, parse_rejects_garbage);
        tcase_add_test(tc, parse_rejects_out_of_range);
        tcase_add_test(tc, parse_null_arguments);
        tcase_add_test(tc, parse_long_text_is_truncated_in_message);
        suite_add_tcase(s, tc);
        tc = tcase_create("to_rd");
        tcase_add_test(tc, to_rd_maps_every_kind);
        tcase_add_test(tc, parse_then_to_rd);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(offset_suite());
}
