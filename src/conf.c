/*
 * conf.c: the kafkit_conf_t object, "name=value" pairs, and its translation
 * to librdkafka. Loading from files and the environment is in conf_load.c.
 *
 * A conf is an ordered list of name/value strings: a name keeps the place
 * it was first set at and the last value set wins. Every name is checked
 * when it is set, so a typo fails at the line that has it, not at
 * kafkit_producer_new(): kafkit's own names (the table below) by their
 * validator, every other name by applying it to a scratch librdkafka conf.
 * Nothing is global; each check makes its own scratch conf.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------ kafkit's own properties */

/* Checks `value` for property `name`; `arg` is the row's parameter. */
typedef kafkit_err_t(kafkit_prop_check_t)(const char *name,
                                          const char *value,
                                          const char *arg,
                                          kafkit_error_t *err);

/*
 * One of kafkit's properties. A row with is_prefix set matches every name
 * that starts with `name` and is longer ("request.header." for headers
 * named by the user). New properties (registry auth, serdes...) are rows.
 */
typedef struct kafkit_prop_s {
        const char *name;
        int is_prefix;
        kafkit_prop_check_t *check;
        const char *arg;
} kafkit_prop_t;

static kafkit_prop_check_t kafkit_check_url_list;
static kafkit_prop_check_t kafkit_check_enum;
static kafkit_prop_check_t kafkit_check_int_range;
static kafkit_prop_check_t kafkit_check_string;
static kafkit_prop_check_t kafkit_check_user_info;
static kafkit_prop_check_t kafkit_check_header;

/* Subject name strategies: kafkit's short forms and Confluent's classes. */
#define KAFKIT_SUBJECT_STRATEGIES                                              \
        "topic|record|topic_record|"                                           \
        "io.confluent.kafka.serializers.subject.TopicNameStrategy|"            \
        "io.confluent.kafka.serializers.subject.RecordNameStrategy|"           \
        "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"

static const kafkit_prop_t kafkit_props[] = {
        { "schema.registry.url", 0, kafkit_check_url_list, NULL },
        /* Schema Registry client (registry.h documents each) */
        { "basic.auth.credentials.source", 0, kafkit_check_enum, "URL|USER_INFO" },
        { "basic.auth.user.info", 0, kafkit_check_user_info, NULL },
        { "schema.registry.basic.auth.user.info", 0, kafkit_check_user_info, NULL },
        { "bearer.auth.credentials.source", 0, kafkit_check_enum, "STATIC_TOKEN" },
        { "bearer.auth.token", 0, kafkit_check_string, "nonempty" },
        { "request.header.", 1, kafkit_check_header, NULL },
        { "schema.registry.ssl.ca.location", 0, kafkit_check_string, "nonempty" },
        { "schema.registry.ssl.certificate.location", 0, kafkit_check_string, "nonempty" },
        { "schema.registry.ssl.key.location", 0, kafkit_check_string, "nonempty" },
        { "schema.registry.ssl.key.password", 0, kafkit_check_string, NULL },
        { "schema.registry.ssl.endpoint.identification.algorithm", 0, kafkit_check_enum,
          "|https|HTTPS|none|NONE" },
        { "schema.registry.connect.timeout.ms", 0, kafkit_check_int_range, "1..2147483647" },
        { "schema.registry.request.timeout.ms", 0, kafkit_check_int_range, "1..2147483647" },
        { "schema.registry.max.retries", 0, kafkit_check_int_range, "0..100" },
        { "schema.registry.retries.wait.ms", 0, kafkit_check_int_range, "0..3600000" },
        { "schema.registry.retries.max.wait.ms", 0, kafkit_check_int_range, "0..3600000" },
        { "schema.registry.cache.capacity", 0, kafkit_check_int_range, "1..10000000" },
        { "latest.cache.ttl.sec", 0, kafkit_check_int_range, "-1..2147483" },
        { "missing.id.cache.ttl.sec", 0, kafkit_check_int_range, "0..2147483" },
        /* Avro serdes (serdes.h documents each) */
        { "auto.register.schemas", 0, kafkit_check_enum, "true|false" },
        { "use.schema.id", 0, kafkit_check_int_range, "-1..2147483647" },
        { "use.latest.version", 0, kafkit_check_enum, "true|false" },
        { "latest.compatibility.strict", 0, kafkit_check_enum, "true|false" },
        { "id.compatibility.strict", 0, kafkit_check_enum, "true|false" },
        { "normalize.schemas", 0, kafkit_check_enum, "true|false" },
        { "key.subject.name.strategy", 0, kafkit_check_enum, KAFKIT_SUBJECT_STRATEGIES },
        { "value.subject.name.strategy", 0, kafkit_check_enum, KAFKIT_SUBJECT_STRATEGIES },
        { "kafkit.commit.mode", 0, kafkit_check_enum, "auto|marked|manual" },
        { "kafkit.produce.block.ms", 0, kafkit_check_int_range, "0..2147483647" },
};

/* A comma-separated list of http:// or https:// URLs, each with a host. */
static kafkit_err_t kafkit_check_url_list(const char *name,
                                          const char *value,
                                          const char *arg,
                                          kafkit_error_t *err)
{
        const char *p = value;

        (void)arg;
        do {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                size_t skip;

                while (n > 0 && isspace((unsigned char)*p)) {
                        p++;
                        n--;
                }
                while (n > 0 && isspace((unsigned char)p[n - 1]))
                        n--;
                if (n >= 7 && !strncasecmp(p, "http://", 7))
                        skip = 7;
                else if (n >= 8 && !strncasecmp(p, "https://", 8))
                        skip = 8;
                else
                        skip = 0;
                if (!skip || n == skip || p[skip] == '/')
                        return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                              "invalid value for '%s': '%.*s' is not an "
                                              "http:// or https:// URL",
                                              name, (int)n, p);
                p = end ? end + 1 : NULL;
        } while (p);
        return KAFKIT_OK;
}

/* Any string; with `arg` "nonempty", any but "". */
static kafkit_err_t kafkit_check_string(const char *name,
                                        const char *value,
                                        const char *arg,
                                        kafkit_error_t *err)
{
        if (arg && !*value)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "invalid value for '%s': must not be empty", name);
        return KAFKIT_OK;
}

/* "user:password"; the value is a secret, so it is never quoted. */
static kafkit_err_t kafkit_check_user_info(const char *name,
                                           const char *value,
                                           const char *arg,
                                           kafkit_error_t *err)
{
        (void)arg;
        if (!strchr(value, ':') || value[0] == ':')
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "invalid value for '%s': expected 'user:password'", name);
        return KAFKIT_OK;
}

/* request.header.NAME=value: NAME an HTTP token, the value one line. */
static kafkit_err_t kafkit_check_header(const char *name,
                                        const char *value,
                                        const char *arg,
                                        kafkit_error_t *err)
{
        const char *h = strchr(name, '.') ? strchr(strchr(name, '.') + 1, '.') + 1 : name;

        (void)arg;
        if (strspn(h, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(h))
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "invalid property '%s': '%s' is not an HTTP header name",
                                      name, h);
        if (strpbrk(value, "\r\n"))
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "invalid value for '%s': a header value is one line",
                                      name);
        return KAFKIT_OK;
}

/* One of the '|'-separated words of `arg`, exactly. */
static kafkit_err_t kafkit_check_enum(const char *name,
                                      const char *value,
                                      const char *arg,
                                      kafkit_error_t *err)
{
        size_t vlen = strlen(value);
        const char *p = arg;

        while (p && *p) {
                const char *bar = strchr(p, '|');
                size_t n = bar ? (size_t)(bar - p) : strlen(p);

                if (n == vlen && !strncmp(p, value, n))
                        return KAFKIT_OK;
                p = bar ? bar + 1 : NULL;
        }
        return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                              "invalid value for '%s': '%s' (expected one of %s)",
                              name, value, arg);
}

/* A decimal integer; 1 on success. Surrounding whitespace is allowed. */
static int kafkit_parse_ll(const char *s, long long *out)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (end == s || errno == ERANGE)
                return 0;
        while (isspace((unsigned char)*end))
                end++;
        if (*end)
                return 0;
        *out = v;
        return 1;
}

/* An integer in the inclusive range "MIN..MAX" given as `arg`. */
static kafkit_err_t kafkit_check_int_range(const char *name,
                                           const char *value,
                                           const char *arg,
                                           kafkit_error_t *err)
{
        long long min = LLONG_MIN, max = LLONG_MAX, v;

        if (sscanf(arg, "%lld..%lld", &min, &max) != 2)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "property '%s': bad range '%s' in kafkit's table",
                                      name, arg);
        if (!kafkit_parse_ll(value, &v) || v < min || v > max)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "invalid value for '%s': '%s' (expected an integer "
                                      "in %lld..%lld)",
                                      name, value, min, max);
        return KAFKIT_OK;
}

static const kafkit_prop_t *kafkit_prop_find(const char *name)
{
        size_t i;

        for (i = 0; i < sizeof(kafkit_props) / sizeof(kafkit_props[0]); i++) {
                const kafkit_prop_t *p = &kafkit_props[i];
                size_t n = strlen(p->name);

                if (p->is_prefix ? (!strncmp(name, p->name, n) && name[n] != '\0')
                                 : !strcmp(name, p->name))
                        return p;
        }
        return NULL;
}

int kafkit_conf_is_kafkit_property(const char *name)
{
        return name && kafkit_prop_find(name) != NULL;
}

/* ------------------------------------------------------ librdkafka names */

/*
 * librdkafka's aliases (CONFIGURATION.md, "Alias for"): both names set the
 * same property, so a conf holds at most one of each pair.
 */
static const char *const kafkit_rd_aliases[][2] = {
        { "bootstrap.servers", "metadata.broker.list" },
        { "max.in.flight", "max.in.flight.requests.per.connection" },
        { "sasl.mechanism", "sasl.mechanisms" },
        { "max.partition.fetch.bytes", "fetch.message.max.bytes" },
        { "linger.ms", "queue.buffering.max.ms" },
        { "retries", "message.send.max.retries" },
        { "compression.type", "compression.codec" },
        { "acks", "request.required.acks" },
        { "delivery.timeout.ms", "message.timeout.ms" },
};

static const char *kafkit_rd_alias_of(const char *name)
{
        size_t i;

        for (i = 0; i < sizeof(kafkit_rd_aliases) / sizeof(kafkit_rd_aliases[0]); i++) {
                if (!strcmp(name, kafkit_rd_aliases[i][0]))
                        return kafkit_rd_aliases[i][1];
                if (!strcmp(name, kafkit_rd_aliases[i][1]))
                        return kafkit_rd_aliases[i][0];
        }
        return NULL;
}

/* Applies one property to a librdkafka conf; the error names it. */
static kafkit_err_t kafkit_rd_apply(rd_kafka_conf_t *rd,
                                    const char *name,
                                    const char *value,
                                    kafkit_error_t *err)
{
        char errstr[256] = "";
        rd_kafka_conf_res_t res = rd_kafka_conf_set(rd, name, value, errstr, sizeof(errstr));
        size_t n = strlen(errstr);

        if (res == RD_KAFKA_CONF_OK)
                return KAFKIT_OK;
        if (res == RD_KAFKA_CONF_UNKNOWN)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "unknown property '%s'", name);
        while (n > 0 && isspace((unsigned char)errstr[n - 1]))
                errstr[--n] = '\0'; /* some of librdkafka's texts end in '\n' */
        return kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "invalid value for '%s': '%.100s' (%s)",
                              name, value, errstr);
}

/* librdkafka's verdict on name=value, from a scratch conf. */
static kafkit_err_t kafkit_rd_validate(const char *name, const char *value, kafkit_error_t *err)
{
        rd_kafka_conf_t *rd = rd_kafka_conf_new();
        kafkit_err_t code;

        if (!rd)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "out of memory checking property '%s'", name);
        code = kafkit_rd_apply(rd, name, value, err);
        rd_kafka_conf_destroy(rd);
        return code;
}

/* --------------------------------------------------------------- entries */

/* Index of `name` in conf, or conf->cnt when absent. */
static size_t kafkit_conf_find(const kafkit_conf_t *conf, const char *name)
{
        size_t i;

        for (i = 0; i < conf->cnt; i++)
                if (!strcmp(conf->entries[i].name, name))
                        break;
        return i;
}

static void kafkit_conf_remove(kafkit_conf_t *conf, size_t i)
{
        free(conf->entries[i].name);
        free(conf->entries[i].value);
        memmove(&conf->entries[i], &conf->entries[i + 1],
                (conf->cnt - i - 1) * sizeof(conf->entries[0]));
        conf->cnt--;
}

static int kafkit_conf_grow(kafkit_conf_t *conf)
{
        size_t cap = conf->cap ? conf->cap * 2 : 16;
        kafkit_conf_entry_t *e;

        if (cap > SIZE_MAX / sizeof(*e))
                return -1;
        e = realloc(conf->entries, cap * sizeof(*e));
        if (!e)
                return -1;
        conf->entries = e;
        conf->cap = cap;
        return 0;
}

/* Replaces the value of `name` in place, or appends it. 0, or -1 (NOMEM). */
static int kafkit_conf_store(kafkit_conf_t *conf,
                             const char *name,
                             const char *value,
                             int is_kafkit)
{
        size_t i = kafkit_conf_find(conf, name);
        char *v = strdup(value);
        char *n;

        if (!v)
                return -1;
        if (i < conf->cnt) {
                free(conf->entries[i].value);
                conf->entries[i].value = v;
                return 0;
        }
        n = strdup(name);
        if (!n || (conf->cnt == conf->cap && kafkit_conf_grow(conf) == -1)) {
                free(n);
                free(v);
                return -1;
        }
        conf->entries[conf->cnt].name = n;
        conf->entries[conf->cnt].value = v;
        conf->entries[conf->cnt].is_kafkit = is_kafkit;
        conf->cnt++;
        return 0;
}

kafkit_conf_t *kafkit_conf_new(void)
{
        return calloc(1, sizeof(kafkit_conf_t));
}

void kafkit_conf_destroy(kafkit_conf_t *conf)
{
        size_t i;

        if (!conf)
                return;
        for (i = 0; i < conf->cnt; i++) {
                free(conf->entries[i].name);
                free(conf->entries[i].value);
        }
        free(conf->entries);
        free(conf);
}

kafkit_conf_t *kafkit_conf_dup(const kafkit_conf_t *conf)
{
        kafkit_conf_t *dup;
        size_t i;

        if (!conf || !(dup = kafkit_conf_new()))
                return NULL;
        for (i = 0; i < conf->cnt; i++) {
                const kafkit_conf_entry_t *e = &conf->entries[i];

                if (kafkit_conf_store(dup, e->name, e->value, e->is_kafkit) == -1) {
                        kafkit_conf_destroy(dup);
                        return NULL;
                }
        }
        dup->log_cb = conf->log_cb;
        dup->log_opaque = conf->log_opaque;
        dup->delivery_cb = conf->delivery_cb;
        dup->delivery_opaque = conf->delivery_opaque;
        dup->rebalance_cb = conf->rebalance_cb;
        dup->rebalance_opaque = conf->rebalance_opaque;
        return dup;
}

/*
 * Setting a librdkafka name drops its alias if that was set before, so that
 * the later setting wins whichever of the two names it used.
 */
kafkit_err_t kafkit_conf_set(kafkit_conf_t *conf,
                             const char *name,
                             const char *value,
                             kafkit_error_t *err)
{
        const kafkit_prop_t *prop;
        const char *alias;
        kafkit_err_t code;
        size_t i;

        if (!conf || !name || !value)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_conf_set: conf, name and value must not be NULL");
        if (!*name)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0, "empty property name");
        prop = kafkit_prop_find(name);
        if (prop)
                code = prop->check(name, value, prop->arg, err);
        else
                code = kafkit_rd_validate(name, value, err);
        if (code != KAFKIT_OK)
                return code;
        alias = prop ? NULL : kafkit_rd_alias_of(name);
        if (alias && (i = kafkit_conf_find(conf, alias)) < conf->cnt)
                kafkit_conf_remove(conf, i);
        if (kafkit_conf_store(conf, name, value, prop != NULL) == -1)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "out of memory setting property '%s'", name);
        return KAFKIT_OK;
}

/* [s, s+n) without surrounding whitespace, as a new string (NULL: NOMEM). */
static char *kafkit_strndup_trim(const char *s, size_t n)
{
        char *out;

        while (n > 0 && isspace((unsigned char)*s)) {
                s++;
                n--;
        }
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                n--;
        out = malloc(n + 1);
        if (!out)
                return NULL;
        memcpy(out, s, n);
        out[n] = '\0';
        return out;
}

kafkit_err_t kafkit_conf_set_pair(kafkit_conf_t *conf, const char *pair, kafkit_error_t *err)
{
        const char *eq;
        char *name = NULL, *value = NULL;
        kafkit_err_t code;

        if (!conf || !pair)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_conf_set_pair: conf and pair must not be NULL");
        eq = strchr(pair, '=');
        if (!eq)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "expected 'name=value', got '%s'", pair);
        name = kafkit_strndup_trim(pair, (size_t)(eq - pair));
        value = kafkit_strndup_trim(eq + 1, strlen(eq + 1));
        if (!name || !value) {
                code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                goto out;
        }
        if (!*name) {
                code = kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "expected 'name=value', got '%s'", pair);
                goto out;
        }
        code = kafkit_conf_set(conf, name, value, err);
out:
        free(name);
        free(value);
        return code;
}

const char *kafkit_conf_get(const kafkit_conf_t *conf, const char *name)
{
        size_t i;

        if (!conf || !name)
                return NULL;
        i = kafkit_conf_find(conf, name);
        return i < conf->cnt ? conf->entries[i].value : NULL;
}

size_t kafkit_conf_count(const kafkit_conf_t *conf)
{
        return conf ? conf->cnt : 0;
}

int kafkit_conf_entry(const kafkit_conf_t *conf,
                      size_t i,
                      const char **name,
                      const char **value)
{
        if (!conf || i >= conf->cnt)
                return 0;
        if (name)
                *name = conf->entries[i].name;
        if (value)
                *value = conf->entries[i].value;
        return 1;
}

/* The value set for `name` or for its librdkafka alias, or NULL. */
static const char *kafkit_conf_get_any(const kafkit_conf_t *conf, const char *name)
{
        const char *v = kafkit_conf_get(conf, name);
        const char *alias;

        if (v || !name)
                return v;
        alias = kafkit_rd_alias_of(name);
        return alias ? kafkit_conf_get(conf, alias) : NULL;
}

int kafkit_conf_has(const kafkit_conf_t *conf, const char *name)
{
        return kafkit_conf_get_any(conf, name) != NULL;
}

/* Alias-aware; "true"/"false" read as 1/0; anything else unparsable: def. */
long long kafkit_conf_get_int(const kafkit_conf_t *conf, const char *name, long long def)
{
        const char *v = kafkit_conf_get_any(conf, name);
        long long n;

        if (!v)
                return def;
        if (!strcmp(v, "true"))
                return 1;
        if (!strcmp(v, "false"))
                return 0;
        return kafkit_parse_ll(v, &n) ? n : def;
}

/* -------------------------------------------------------------- callbacks */

void kafkit_conf_set_log_cb(kafkit_conf_t *conf, kafkit_log_cb_t *cb, void *opaque)
{
        if (!conf)
                return;
        conf->log_cb = cb;
        conf->log_opaque = cb ? opaque : NULL;
}

void kafkit_conf_set_delivery_cb(kafkit_conf_t *conf, kafkit_delivery_cb_t *cb, void *opaque)
{
        if (!conf)
                return;
        conf->delivery_cb = cb;
        conf->delivery_opaque = opaque;
}

void kafkit_conf_set_rebalance_cb(kafkit_conf_t *conf, kafkit_rebalance_cb_t *cb, void *opaque)
{
        if (!conf)
                return;
        conf->rebalance_cb = cb;
        conf->rebalance_opaque = opaque;
}

/*
 * librdkafka raises its log level to debug whenever "debug" is set; kafkit
 * does the same, or the debug lines asked for would be filtered out here.
 */
void kafkit_conf_logger(const kafkit_conf_t *conf, kafkit_logger_t *lg)
{
        const char *debug = kafkit_conf_get(conf, "debug");

        lg->cb = conf && conf->log_cb ? conf->log_cb : kafkit_log_stderr;
        lg->opaque = conf && conf->log_cb ? conf->log_opaque : NULL;
        lg->level = (int)kafkit_conf_get_int(conf, "log_level", KAFKIT_LOG_INFO);
        if (debug && *debug)
                lg->level = KAFKIT_LOG_DEBUG;
}

/* ------------------------------------------------------------ to librdkafka */

/* Applies a NULL-terminated name, value, ... list; `skip_set` skips names
 * the user set (defaults). */
static kafkit_err_t kafkit_rd_apply_list(rd_kafka_conf_t *rd,
                                         const kafkit_conf_t *conf,
                                         const char *const *list,
                                         int skip_set,
                                         kafkit_error_t *err)
{
        kafkit_err_t code;

        for (; list && list[0]; list += 2) {
                if (!list[1])
                        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "property '%s' has no value in the list",
                                              list[0]);
                if (skip_set && kafkit_conf_has(conf, list[0]))
                        continue;
                code = kafkit_rd_apply(rd, list[0], list[1], err);
                if (code != KAFKIT_OK)
                        return code;
        }
        return KAFKIT_OK;
}

rd_kafka_conf_t *kafkit_conf_to_rd(const kafkit_conf_t *conf,
                                   const char *const *defaults,
                                   const char *const *overrides,
                                   kafkit_error_t *err)
{
        rd_kafka_conf_t *rd;
        size_t i;

        if (!conf) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "kafkit_conf_to_rd: NULL conf");
                return NULL;
        }
        rd = rd_kafka_conf_new();
        if (!rd) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory creating librdkafka conf");
                return NULL;
        }
        if (kafkit_rd_apply_list(rd, conf, defaults, 1, err) != KAFKIT_OK)
                goto fail;
        for (i = 0; i < conf->cnt; i++) {
                const kafkit_conf_entry_t *e = &conf->entries[i];

                if (!e->is_kafkit && kafkit_rd_apply(rd, e->name, e->value, err) != KAFKIT_OK)
                        goto fail;
        }
        if (kafkit_rd_apply_list(rd, conf, overrides, 0, err) != KAFKIT_OK)
                goto fail;
        rd_kafka_conf_set_log_cb(rd, kafkit_rd_log_cb);
        return rd;
fail:
        rd_kafka_conf_destroy(rd);
        return NULL;
}

void kafkit_conf_properties_show(FILE *out)
{
        rd_kafka_conf_properties_show(out);
}

static void kafkit_conf_dump_pairs(FILE *out, const char **arr, size_t cnt)
{
        size_t i;

        for (i = 0; i + 1 < cnt; i += 2)
                fprintf(out, "%s = %s\n", arr[i], arr[i + 1]);
        fputc('\n', out);
}

kafkit_err_t kafkit_conf_dump(const kafkit_conf_t *conf, FILE *out)
{
        rd_kafka_topic_conf_t *tc, *own = NULL;
        rd_kafka_conf_t *rd;
        kafkit_error_t err;
        const char **arr;
        size_t cnt, i;

        if (!(rd = kafkit_conf_to_rd(conf, NULL, NULL, &err)))
                return err.code;
        arr = rd_kafka_conf_dump(rd, &cnt);
        fputs("# Global config\n", out);
        kafkit_conf_dump_pairs(out, arr, cnt);
        rd_kafka_conf_dump_free(arr, cnt);
        /* topic properties set on `rd` went to its default topic conf */
        tc = rd_kafka_conf_get_default_topic_conf(rd);
        fputs("# Topic config\n", out);
        if (!tc)
                tc = own = rd_kafka_topic_conf_new();
        arr = rd_kafka_topic_conf_dump(tc, &cnt);
        kafkit_conf_dump_pairs(out, arr, cnt);
        rd_kafka_conf_dump_free(arr, cnt);
        if (own)
                rd_kafka_topic_conf_destroy(own);
        rd_kafka_conf_destroy(rd);
        fputs("# kafkit config\n", out);
        for (i = 0; i < conf->cnt; i++)
                if (conf->entries[i].is_kafkit)
                        fprintf(out, "%s = %s\n", conf->entries[i].name, conf->entries[i].value);
        fputc('\n', out);
        return KAFKIT_OK;
}
