/*
 * test_conf.c: unit tests of the configuration object (set, pairs,
 * properties files, environment, translation to librdkafka), of error
 * codes and messages, and of logging.
 */
#include "internal.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA(name) KAFKIT_TEST_SRCDIR "/tests/data/" name

/* Reads a property back from a librdkafka conf; a static buffer. */
static const char *rd_get(const rd_kafka_conf_t *rd, const char *name)
{
        static char buf[512];
        size_t size = sizeof(buf);

        if (rd_kafka_conf_get(rd, name, buf, &size) != RD_KAFKA_CONF_OK)
                return NULL;
        return buf;
}

/* Sets name=value expecting failure; returns the error for inspection. */
static kafkit_error_t set_fails(kafkit_conf_t *conf, const char *name, const char *value)
{
        kafkit_error_t err;

        kafkit_error_clear(&err);
        ck_assert_msg(kafkit_conf_set(conf, name, value, &err) != KAFKIT_OK,
                      "%s=%s was accepted", name, value);
        return err;
}

/* Loads `text` as a buffer named "t.properties", expecting failure. */
static kafkit_error_t load_fails(const char *text)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        ck_assert_ptr_nonnull(conf);
        ck_assert_msg(kafkit_conf_load_buffer(conf, text, strlen(text), "t.properties", &err) !=
                              KAFKIT_OK,
                      "loaded without error: %s", text);
        kafkit_conf_destroy(conf);
        return err;
}

/* ------------------------------------------------------------ set and get */

START_TEST(test_set_get_last_value_wins_first_order_kept)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        const char *name, *value;

        tu_set(conf, "client.id", "one");
        tu_set(conf, "group.id", "g");
        tu_set(conf, "client.id", "two");
        ck_assert_uint_eq(kafkit_conf_count(conf), 2);
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "two");
        ck_assert_ptr_null(kafkit_conf_get(conf, "acks"));
        ck_assert_int_eq(kafkit_conf_entry(conf, 0, &name, &value), 1);
        ck_assert_str_eq(name, "client.id");
        ck_assert_str_eq(value, "two");
        ck_assert_int_eq(kafkit_conf_entry(conf, 1, &name, &value), 1);
        ck_assert_str_eq(name, "group.id");
        ck_assert_int_eq(kafkit_conf_entry(conf, 2, &name, &value), 0);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_set_alias_replaces_earlier_alias)
{
        kafkit_conf_t *conf = kafkit_conf_new();

        tu_set(conf, "linger.ms", "5");
        tu_set(conf, "queue.buffering.max.ms", "10");
        ck_assert_ptr_null(kafkit_conf_get(conf, "linger.ms"));
        ck_assert_int_eq(kafkit_conf_has(conf, "linger.ms"), 1);
        ck_assert_int_eq(kafkit_conf_has(conf, "queue.buffering.max.ms"), 1);
        ck_assert_int_eq(kafkit_conf_get_int(conf, "linger.ms", -1), 10);
        ck_assert_uint_eq(kafkit_conf_count(conf), 1);
        ck_assert_int_eq(kafkit_conf_has(conf, "acks"), 0);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_get_int_parses_numbers_and_booleans)
{
        kafkit_conf_t *conf = kafkit_conf_new();

        tu_set(conf, "enable.idempotence", "true");
        tu_set(conf, "enable.partition.eof", "false");
        tu_set(conf, "client.id", "12x");
        tu_set(conf, "message.timeout.ms", "1234");
        ck_assert_int_eq(kafkit_conf_get_int(conf, "enable.idempotence", 7), 1);
        ck_assert_int_eq(kafkit_conf_get_int(conf, "enable.partition.eof", 7), 0);
        ck_assert_int_eq(kafkit_conf_get_int(conf, "client.id", 7), 7);
        ck_assert_int_eq(kafkit_conf_get_int(conf, "log_level", 6), 6);
        ck_assert_int_eq(kafkit_conf_get_int(conf, "delivery.timeout.ms", 0), 1234);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_set_pair_trims_and_requires_equals)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        ck_assert_int_eq(kafkit_conf_set_pair(conf, "  client.id =  my app  ", &err), KAFKIT_OK);
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "my app");
        ck_assert_int_eq(kafkit_conf_set_pair(conf, "bootstrap.servers=h:1=x", &err), KAFKIT_OK);
        ck_assert_str_eq(kafkit_conf_get(conf, "bootstrap.servers"), "h:1=x");
        ck_assert_int_eq(kafkit_conf_set_pair(conf, "client.id", &err), KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "expected 'name=value', got 'client.id'");
        ck_assert_int_eq(kafkit_conf_set_pair(conf, " = x", &err), KAFKIT_ERR_CONF);
        ck_assert_int_eq(kafkit_conf_set_pair(conf, "bootstrap.server=h:1", &err),
                         KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "unknown property 'bootstrap.server'");
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "my app");
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_unknown_property_error_names_it)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err = set_fails(conf, "bootstrap.server", "127.0.0.1:9092");

        ck_assert_int_eq(err.code, KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "unknown property 'bootstrap.server'");
        ck_assert_uint_eq(kafkit_conf_count(conf), 0);
        err = set_fails(conf, "", "x");
        ck_assert_int_eq(err.code, KAFKIT_ERR_CONF);
        ck_assert_int_eq(kafkit_conf_set(conf, NULL, "x", &err), KAFKIT_ERR_INVALID_ARG);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_invalid_value_error_names_property_and_reason)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;
        const char *prefix = "invalid value for 'acks': ";

        err = set_fails(conf, "acks", "several");
        ck_assert_int_eq(err.code, KAFKIT_ERR_CONF);
        ck_assert_msg(!strncmp(err.message, prefix, strlen(prefix)) &&
                              strlen(err.message) > strlen(prefix),
                      "message: %s", err.message);
        ck_assert_ptr_nonnull(strstr(err.message, "'several'"));
        err = set_fails(conf, "log_level", "9");
        ck_assert_ptr_nonnull(strstr(err.message, "invalid value for 'log_level': '9' ("));
        ck_assert_ptr_null(strchr(err.message, '\n'));
        err = set_fails(conf, "enable.idempotence", "maybe");
        ck_assert_ptr_nonnull(strstr(err.message, "'enable.idempotence'"));
        ck_assert_uint_eq(kafkit_conf_count(conf), 0);
        tu_set(conf, "acks", "all");
        tu_set(conf, "enable.partition.eof", "true"); /* consumer and producer mix */
        kafkit_conf_destroy(conf);
}
END_TEST

/* ------------------------------------------------------ kafkit properties */

START_TEST(test_kafkit_properties_validated)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        const char *name, *value;
        kafkit_error_t err;

        tu_set(conf, "kafkit.commit.mode", "auto");
        tu_set(conf, "kafkit.commit.mode", "marked");
        tu_set(conf, "kafkit.commit.mode", "manual");
        err = set_fails(conf, "kafkit.commit.mode", "sometimes");
        ck_assert_int_eq(err.code, KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "invalid value for 'kafkit.commit.mode': 'sometimes' "
                                      "(expected one of auto|marked|manual)");
        ck_assert_str_eq(kafkit_conf_get(conf, "kafkit.commit.mode"), "manual");

        tu_set(conf, "kafkit.produce.block.ms", "0");
        tu_set(conf, "kafkit.produce.block.ms", "60000");
        set_fails(conf, "kafkit.produce.block.ms", "-1");
        set_fails(conf, "kafkit.produce.block.ms", "10s");
        set_fails(conf, "kafkit.produce.block.ms", "");
        set_fails(conf, "kafkit.produce.block.ms", "99999999999");

        tu_set(conf, "schema.registry.url", "http://127.0.0.1:8081");
        tu_set(conf, "schema.registry.url", "HTTPS://a:1/x, http://b:2");
        err = set_fails(conf, "schema.registry.url", "http://a:1,ftp://b");
        ck_assert_str_eq(err.message, "invalid value for 'schema.registry.url': 'ftp://b' is "
                                      "not an http:// or https:// URL");
        set_fails(conf, "schema.registry.url", "");
        set_fails(conf, "schema.registry.url", "http://");
        set_fails(conf, "schema.registry.url", "http://a:1,");
        set_fails(conf, "schema.registry.url", "127.0.0.1:8081");

        ck_assert_int_eq(kafkit_conf_entry(conf, 0, &name, &value), 1);
        ck_assert_str_eq(name, "kafkit.commit.mode");
        ck_assert_int_eq(conf->entries[0].is_kafkit, 1);
        tu_set(conf, "client.id", "x");
        ck_assert_int_eq(conf->entries[kafkit_conf_count(conf) - 1].is_kafkit, 0);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_is_kafkit_property)
{
        ck_assert_int_eq(kafkit_conf_is_kafkit_property("schema.registry.url"), 1);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property("kafkit.commit.mode"), 1);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property("kafkit.produce.block.ms"), 1);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property("bootstrap.servers"), 0);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property("log_level"), 0);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property("kafkit.commit.mod"), 0);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property(""), 0);
        ck_assert_int_eq(kafkit_conf_is_kafkit_property(NULL), 0);
}
END_TEST

/* ------------------------------------------------------------------- files */

START_TEST(test_load_file_every_syntax_form)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        ck_assert_msg(kafkit_conf_load_file(conf, DATA("good.properties"), &err) == KAFKIT_OK,
                      "%s", err.message);
        ck_assert_str_eq(kafkit_conf_get(conf, "bootstrap.servers"), "127.0.0.1:9092");
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "kafkit-test");
        ck_assert_str_eq(kafkit_conf_get(conf, "group.id"), "test-group");
        ck_assert_str_eq(kafkit_conf_get(conf, "linger.ms"), "7");
        ck_assert_str_eq(kafkit_conf_get(conf, "acks"), "all");
        ck_assert_str_eq(kafkit_conf_get(conf, "schema.registry.url"),
                         "http://127.0.0.1:8081,https://127.0.0.1:8082,http://localhost:8083");
        ck_assert_str_eq(kafkit_conf_get(conf, "kafkit.commit.mode"), "marked");
        ck_assert_str_eq(kafkit_conf_get(conf, "client.rack"), "rack=1:a\\b\tc\xc3\xa9");
        ck_assert_str_eq(kafkit_conf_get(conf, "kafkit.produce.block.ms"), "1500");
        ck_assert_uint_eq(kafkit_conf_count(conf), 9);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_load_file_unknown_property_names_file_and_line)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        ck_assert_int_eq(kafkit_conf_load_file(conf, DATA("bad.properties"), &err),
                         KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message,
                         DATA("bad.properties") ":7: unknown property 'bootstrap.server'");
        /* lines before the bad one stay set, lines after it are not read */
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "bad-file-test");
        ck_assert_str_eq(kafkit_conf_get(conf, "linger.ms"), "5");
        ck_assert_ptr_null(kafkit_conf_get(conf, "acks"));
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_load_file_counts_continuation_lines)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        const char *prefix = DATA("bad-value.properties") ":6: invalid value for 'acks': ";
        kafkit_error_t err;

        ck_assert_int_eq(kafkit_conf_load_file(conf, DATA("bad-value.properties"), &err),
                         KAFKIT_ERR_CONF);
        ck_assert_msg(!strncmp(err.message, prefix, strlen(prefix)), "message: %s",
                      err.message);
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "one two three");
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_load_file_missing_is_io_error)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        const char *path = DATA("no-such-file.properties");
        char want[1024];
        kafkit_error_t err;

        ck_assert_int_eq(kafkit_conf_load_file(conf, path, &err), KAFKIT_ERR_IO);
        snprintf(want, sizeof(want), "cannot open %s: %s", path, strerror(ENOENT));
        ck_assert_str_eq(err.message, want);
        kafkit_conf_destroy(conf);
}
END_TEST

/* Bad buffers and the exact message each must give. */
static const struct {
        const char *text;
        kafkit_err_t code;
        const char *message;
} bad_buffers[] = {
        { "client.id=a\n\n# c\nbootstrap.server=x\n", KAFKIT_ERR_CONF,
          "t.properties:4: unknown property 'bootstrap.server'" },
        { "client.id=a\nfoo\n", KAFKIT_ERR_PARSE,
          "t.properties:2: expected 'name=value', got 'foo'" },
        { "=value\n", KAFKIT_ERR_PARSE, "t.properties:1: expected 'name=value', got '=value'" },
        { "client.id=a\\\n   b\\\n  c\nlinger.ms=\\\n  forever\n", KAFKIT_ERR_CONF,
          "t.properties:4: invalid value for 'linger.ms': " },
        { "client.id=a\r\n\r\nkafkit.commit.mode = often\r\n", KAFKIT_ERR_CONF,
          "t.properties:3: invalid value for 'kafkit.commit.mode': 'often' "
          "(expected one of auto|marked|manual)" },
        { "client.id=\\u00zz\n", KAFKIT_ERR_PARSE,
          "t.properties:1: invalid \\u escape in 'client.id=\\u00zz'" },
        { "# comment \\\nunknown.thing=1\n", KAFKIT_ERR_CONF,
          "t.properties:2: unknown property 'unknown.thing'" },
};

START_TEST(test_load_buffer_errors_give_source_and_line)
{
        kafkit_error_t err = load_fails(bad_buffers[_i].text);

        ck_assert_int_eq(err.code, bad_buffers[_i].code);
        ck_assert_msg(!strncmp(err.message, bad_buffers[_i].message,
                               strlen(bad_buffers[_i].message)),
                      "got '%s', want '%s'", err.message, bad_buffers[_i].message);
}
END_TEST

START_TEST(test_load_buffer_edge_forms)
{
        static const char text[] = "\xef\xbb\xbf"
                                   "client.id = a\\ b \\\n"
                                   "    c  \r\n"
                                   "group.id=\n"
                                   "grou\\p.instance.id x\\u00e9\\ud83d\\ude00\n"
                                   "linger.ms:3";
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        ck_assert_msg(kafkit_conf_load_buffer(conf, text, sizeof(text) - 1, NULL, &err) ==
                              KAFKIT_OK,
                      "%s", err.message);
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "a b c");
        ck_assert_str_eq(kafkit_conf_get(conf, "group.id"), "");
        ck_assert_str_eq(kafkit_conf_get(conf, "group.instance.id"),
                         "x\xc3\xa9\xf0\x9f\x98\x80");
        ck_assert_str_eq(kafkit_conf_get(conf, "linger.ms"), "3");
        /* an embedded NUL is refused, naming the default source */
        ck_assert_int_eq(kafkit_conf_load_buffer(conf, "a\0b=1", 5, NULL, &err),
                         KAFKIT_ERR_PARSE);
        ck_assert_str_eq(err.message, "<buffer>:1: NUL byte in line");
        ck_assert_int_eq(kafkit_conf_load_buffer(conf, "", 0, "empty", &err), KAFKIT_OK);
        kafkit_conf_destroy(conf);
}
END_TEST

/* ------------------------------------------------------------ environment */

START_TEST(test_load_env_maps_variable_names)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        setenv("KAFKIT_BROKERS", "127.0.0.1:19092", 1);
        setenv("KAFKIT_CONF_CLIENT_ID", "from-env", 1);
        setenv("KAFKIT_CONF_LOG__LEVEL", "3", 1);
        setenv("KAFKIT_CONF_KAFKIT_COMMIT_MODE", "manual", 1);
        ck_assert_msg(kafkit_conf_load_env(conf, &err) == KAFKIT_OK, "%s", err.message);
        ck_assert_str_eq(kafkit_conf_get(conf, "bootstrap.servers"), "127.0.0.1:19092");
        ck_assert_str_eq(kafkit_conf_get(conf, "client.id"), "from-env");
        ck_assert_str_eq(kafkit_conf_get(conf, "log_level"), "3");
        ck_assert_str_eq(kafkit_conf_get(conf, "kafkit.commit.mode"), "manual");
        unsetenv("KAFKIT_BROKERS");
        unsetenv("KAFKIT_CONF_CLIENT_ID");
        unsetenv("KAFKIT_CONF_LOG__LEVEL");
        unsetenv("KAFKIT_CONF_KAFKIT_COMMIT_MODE");
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_load_env_error_names_variable)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        setenv("KAFKIT_CONF_FOO", "1", 1);
        ck_assert_int_eq(kafkit_conf_load_env(conf, &err), KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message,
                         "environment variable KAFKIT_CONF_FOO: unknown property 'foo'");
        unsetenv("KAFKIT_CONF_FOO");

        setenv("KAFKIT_CONF_A___B____C", "1", 1);
        ck_assert_int_eq(kafkit_conf_load_env(conf, &err), KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "environment variable KAFKIT_CONF_A___B____C: "
                                      "unknown property 'a-b-.c'");
        unsetenv("KAFKIT_CONF_A___B____C");

        setenv("KAFKIT_CONF_ACKS", "lots", 1);
        ck_assert_int_eq(kafkit_conf_load_env(conf, &err), KAFKIT_ERR_CONF);
        ck_assert_ptr_nonnull(
                strstr(err.message, "environment variable KAFKIT_CONF_ACKS: invalid value "
                                    "for 'acks'"));
        unsetenv("KAFKIT_CONF_ACKS");

        setenv("KAFKIT_CONF_", "x", 1);
        ck_assert_int_eq(kafkit_conf_load_env(conf, &err), KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "environment variable KAFKIT_CONF_: no property name");
        unsetenv("KAFKIT_CONF_");

        ck_assert_int_eq(kafkit_conf_load_env(conf, &err), KAFKIT_OK);
        kafkit_conf_destroy(conf);
}
END_TEST

/* ---------------------------------------------------------------- dup, rd */

static void log_sink(void *opaque, int level, const char *fac, const char *msg);

START_TEST(test_conf_dup_is_independent)
{
        kafkit_conf_t *conf = kafkit_conf_new(), *dup;
        int opaque;

        tu_set(conf, "client.id", "orig");
        tu_set(conf, "kafkit.commit.mode", "marked");
        kafkit_conf_set_log_cb(conf, log_sink, &opaque);
        dup = kafkit_conf_dup(conf);
        ck_assert_ptr_nonnull(dup);
        tu_set(conf, "client.id", "changed");
        tu_set(conf, "group.id", "g");
        tu_set(dup, "acks", "1");
        ck_assert_str_eq(kafkit_conf_get(dup, "client.id"), "orig");
        ck_assert_ptr_null(kafkit_conf_get(dup, "group.id"));
        ck_assert_ptr_null(kafkit_conf_get(conf, "acks"));
        ck_assert_str_eq(kafkit_conf_get(dup, "kafkit.commit.mode"), "marked");
        ck_assert_int_eq(dup->entries[1].is_kafkit, 1);
        ck_assert_ptr_eq(dup->log_cb, log_sink);
        ck_assert_ptr_eq(dup->log_opaque, &opaque);
        kafkit_conf_destroy(conf);
        ck_assert_str_eq(kafkit_conf_get(dup, "client.id"), "orig");
        kafkit_conf_destroy(dup);
}
END_TEST

START_TEST(test_conf_to_rd_defaults_user_overrides)
{
        static const char *const defaults[] = { "acks", "all", "linger.ms", "20",
                                                "client.id", "default-id", NULL };
        static const char *const overrides[] = { "enable.partition.eof", "true",
                                                 "client.id", "override-id", NULL };
        kafkit_conf_t *conf = kafkit_conf_new();
        rd_kafka_conf_t *rd;
        kafkit_error_t err;

        tu_set(conf, "request.required.acks", "1"); /* alias of a default */
        tu_set(conf, "client.id", "user-id");
        tu_set(conf, "schema.registry.url", "http://127.0.0.1:8081"); /* not librdkafka's */
        tu_set(conf, "kafkit.commit.mode", "manual");
        rd = kafkit_conf_to_rd(conf, defaults, overrides, &err);
        ck_assert_msg(rd != NULL, "%s", err.message);
        ck_assert_str_eq(rd_get(rd, "acks"), "1");
        ck_assert_str_eq(rd_get(rd, "linger.ms"), "20");
        ck_assert_str_eq(rd_get(rd, "client.id"), "override-id");
        ck_assert_str_eq(rd_get(rd, "enable.partition.eof"), "true");
        rd_kafka_conf_destroy(rd);

        rd = kafkit_conf_to_rd(conf, defaults, NULL, &err);
        ck_assert_ptr_nonnull(rd);
        ck_assert_str_eq(rd_get(rd, "client.id"), "user-id");
        rd_kafka_conf_destroy(rd);
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_conf_to_rd_bad_default_names_property)
{
        static const char *const defaults[] = { "no.such.thing", "1", NULL };
        static const char *const overrides[] = { "acks", "sometimes", NULL };
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_error_t err;

        ck_assert_ptr_null(kafkit_conf_to_rd(conf, defaults, NULL, &err));
        ck_assert_int_eq(err.code, KAFKIT_ERR_CONF);
        ck_assert_str_eq(err.message, "unknown property 'no.such.thing'");
        ck_assert_ptr_null(kafkit_conf_to_rd(conf, NULL, overrides, &err));
        ck_assert_ptr_nonnull(strstr(err.message, "invalid value for 'acks'"));
        kafkit_conf_destroy(conf);
}
END_TEST

/* ----------------------------------------------------------------- logging */

typedef struct log_capture_s {
        int calls;
        int level;
        char facility[64];
        char message[256];
} log_capture_t;

static void log_sink(void *opaque, int level, const char *fac, const char *msg)
{
        log_capture_t *cap = opaque;

        cap->calls++;
        cap->level = level;
        snprintf(cap->facility, sizeof(cap->facility), "%s", fac);
        snprintf(cap->message, sizeof(cap->message), "%s", msg);
}

START_TEST(test_log_filters_by_level_and_reaches_callback)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        log_capture_t cap = { 0 };
        kafkit_logger_t lg;

        kafkit_conf_logger(conf, &lg);
        ck_assert_ptr_eq(lg.cb, kafkit_log_stderr);
        ck_assert_int_eq(lg.level, KAFKIT_LOG_INFO);

        kafkit_conf_set_log_cb(conf, log_sink, &cap);
        tu_set(conf, "log_level", "4");
        kafkit_conf_logger(conf, &lg);
        ck_assert_int_eq(lg.level, 4);
        kafkit_log(&lg, KAFKIT_LOG_INFO, "TEST", "dropped %d", 1);
        ck_assert_int_eq(cap.calls, 0);
        kafkit_log(&lg, KAFKIT_LOG_WARNING, "TEST", "kept %d", 2);
        ck_assert_int_eq(cap.calls, 1);
        ck_assert_int_eq(cap.level, KAFKIT_LOG_WARNING);
        ck_assert_str_eq(cap.facility, "TEST");
        ck_assert_str_eq(cap.message, "kept 2");
        kafkit_log(NULL, KAFKIT_LOG_EMERG, "TEST", "nowhere");
        ck_assert_int_eq(cap.calls, 1);

        tu_set(conf, "debug", "generic"); /* librdkafka then logs at debug */
        kafkit_conf_logger(conf, &lg);
        ck_assert_int_eq(lg.level, KAFKIT_LOG_DEBUG);
        kafkit_conf_destroy(conf);
}
END_TEST

/* What a kafkit client looks like to kafkit_rd_log_cb. */
typedef struct fake_client_s {
        kafkit_logger_t lg;
} fake_client_t;

START_TEST(test_rd_log_cb_routes_librdkafka_lines)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        log_capture_t cap = { 0 };
        fake_client_t client;
        rd_kafka_conf_t *rd;
        rd_kafka_t *rk;
        kafkit_error_t err;
        char errstr[256];

        kafkit_conf_set_log_cb(conf, log_sink, &cap);
        tu_set(conf, "debug", "generic");
        kafkit_conf_logger(conf, &client.lg);
        rd = kafkit_conf_to_rd(conf, NULL, NULL, &err);
        ck_assert_msg(rd != NULL, "%s", err.message);
        rd_kafka_conf_set_opaque(rd, &client);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, rd, errstr, sizeof(errstr));
        ck_assert_msg(rk != NULL, "%s", errstr);
        rd_kafka_destroy(rk);
        ck_assert_int_gt(cap.calls, 0);
        ck_assert_int_eq(cap.level, KAFKIT_LOG_DEBUG);
        ck_assert_str_ne(cap.facility, "");
        kafkit_conf_destroy(conf);
}
END_TEST

START_TEST(test_log_stderr_format)
{
        char line[128] = "";
        int saved = dup(STDERR_FILENO);
        FILE *tmp = tmpfile();

        ck_assert_ptr_nonnull(tmp);
        fflush(stderr);
        dup2(fileno(tmp), STDERR_FILENO);
        kafkit_log_stderr(NULL, 3, "PRODUCER", "queue full");
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        rewind(tmp);
        ck_assert_ptr_nonnull(fgets(line, sizeof(line), tmp));
        fclose(tmp);
        ck_assert_str_eq(line, "%3|PRODUCER| queue full\n");
}
END_TEST

/* ------------------------------------------------------------------ errors */

START_TEST(test_error_names_and_strings_for_every_code)
{
        int code;

        for (code = KAFKIT_OK; code < KAFKIT_ERR__COUNT; code++) {
                const char *name = kafkit_err_name((kafkit_err_t)code);
                const char *str = kafkit_err_str((kafkit_err_t)code);

                ck_assert_ptr_nonnull(name);
                ck_assert_ptr_nonnull(str);
                ck_assert_msg(!strncmp(name, "KAFKIT_", 7), "code %d: %s", code, name);
                ck_assert_msg(!strstr(name, "UNKNOWN") && !strstr(str, "unknown"),
                              "code %d has no description", code);
                if (code > 0)
                        ck_assert_str_ne(name, kafkit_err_name((kafkit_err_t)(code - 1)));
        }
        ck_assert_str_eq(kafkit_err_name(KAFKIT_ERR_CONF), "KAFKIT_ERR_CONF");
        ck_assert_str_eq(kafkit_err_name(KAFKIT_ERR__COUNT), "KAFKIT_ERR_UNKNOWN");
        ck_assert_str_eq(kafkit_err_name((kafkit_err_t)-1), "KAFKIT_ERR_UNKNOWN");
        ck_assert_ptr_nonnull(kafkit_err_str((kafkit_err_t)999));
}
END_TEST

START_TEST(test_kafka_errors_and_versions)
{
        ck_assert_str_eq(kafkit_kafka_err_name(RD_KAFKA_RESP_ERR__TIMED_OUT), "_TIMED_OUT");
        ck_assert_str_eq(kafkit_kafka_err_str(RD_KAFKA_RESP_ERR__TIMED_OUT),
                         rd_kafka_err2str(RD_KAFKA_RESP_ERR__TIMED_OUT));
        ck_assert_str_eq(kafkit_version_str(), "0.1.0");
        ck_assert_str_eq(kafkit_rdkafka_version_str(), rd_kafka_version_str());

        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR_NO_ERROR), KAFKIT_OK);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR__TIMED_OUT), KAFKIT_ERR_TIMEOUT);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT),
                         KAFKIT_ERR_TIMEOUT);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR__QUEUE_FULL),
                         KAFKIT_ERR_QUEUE_FULL);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR__FATAL), KAFKIT_ERR_FATAL);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC),
                         KAFKIT_ERR_NOT_FOUND);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART),
                         KAFKIT_ERR_NOT_FOUND);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION),
                         KAFKIT_ERR_NOT_FOUND);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR__INVALID_ARG),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(kafkit_err_from_rd(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION),
                         KAFKIT_ERR_KAFKA);
}
END_TEST

START_TEST(test_err_set_truncates_and_may_reuse_message)
{
        char big[2 * KAFKIT_ERRSTR_SIZE];
        kafkit_error_t err;

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        ck_assert_int_eq(kafkit_err_set(&err, KAFKIT_ERR_PARSE, 5, "%s", big), KAFKIT_ERR_PARSE);
        ck_assert_int_eq(err.code, KAFKIT_ERR_PARSE);
        ck_assert_int_eq(err.kafka_code, 5);
        ck_assert_uint_eq(strlen(err.message), KAFKIT_ERRSTR_SIZE - 1);

        kafkit_err_set(&err, KAFKIT_ERR_CONF, 0, "unknown property '%s'", "x");
        kafkit_err_set(&err, err.code, 0, "f:%d: %s", 3, err.message);
        ck_assert_str_eq(err.message, "f:3: unknown property 'x'");
        ck_assert_int_eq(kafkit_err_set(NULL, KAFKIT_ERR_IO, 0, "ignored"), KAFKIT_ERR_IO);

        kafkit_error_clear(&err);
        ck_assert_int_eq(err.code, KAFKIT_OK);
        ck_assert_int_eq(err.kafka_code, 0);
        ck_assert_str_eq(err.message, "");
        kafkit_error_clear(NULL);
}
END_TEST

START_TEST(test_now_ms_is_monotonic)
{
        int64_t a = kafkit_now_ms(), b;

        usleep(20 * 1000);
        b = kafkit_now_ms();
        ck_assert_int_ge(b - a, 15);
        ck_assert_int_lt(b - a, 5000);
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("conf");
        TCase *tc = tcase_create("conf");

        tcase_add_test(tc, test_set_get_last_value_wins_first_order_kept);
        tcase_add_test(tc, test_set_alias_replaces_earlier_alias);
        tcase_add_test(tc, test_get_int_parses_numbers_and_booleans);
        tcase_add_test(tc, test_set_pair_trims_and_requires_equals);
        tcase_add_test(tc, test_unknown_property_error_names_it);
        tcase_add_test(tc, test_invalid_value_error_names_property_and_reason);
        tcase_add_test(tc, test_kafkit_properties_validated);
        tcase_add_test(tc, test_is_kafkit_property);
        tcase_add_test(tc, test_load_file_every_syntax_form);
        tcase_add_test(tc, test_load_file_unknown_property_names_file_and_line);
        tcase_add_test(tc, test_load_file_counts_continuation_lines);
        tcase_add_test(tc, test_load_file_missing_is_io_error);
        tcase_add_loop_test(tc, test_load_buffer_errors_give_source_and_line, 0,
                            (int)(sizeof(bad_buffers) / sizeof(bad_buffers[0])));
        tcase_add_test(tc, test_load_buffer_edge_forms);
        tcase_add_test(tc, test_load_env_maps_variable_names);
        tcase_add_test(tc, test_load_env_error_names_variable);
        tcase_add_test(tc, test_conf_dup_is_independent);
        tcase_add_test(tc, test_conf_to_rd_defaults_user_overrides);
        tcase_add_test(tc, test_conf_to_rd_bad_default_names_property);
        tcase_add_test(tc, test_log_filters_by_level_and_reaches_callback);
        tcase_add_test(tc, test_rd_log_cb_routes_librdkafka_lines);
        tcase_add_test(tc, test_log_stderr_format);
        tcase_add_test(tc, test_error_names_and_strings_for_every_code);
        tcase_add_test(tc, test_kafka_errors_and_versions);
        tcase_add_test(tc, test_err_set_truncates_and_may_reuse_message);
        tcase_add_test(tc, test_now_ms_is_monotonic);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(suite());
}
