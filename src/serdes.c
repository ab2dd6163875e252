/*
 * serdes.c: the Avro serializer/deserializer in Confluent's wire format.
 *
 * A serdes is configuration plus caches. Every cache item, once in a map,
 * stays until the serdes is destroyed and (except a target's latest-version
 * fields, read under the lock) never changes, so a pointer read under the
 * lock stays valid after it. Misses are filled without the lock: the
 * registry is asked, the item built, and the lock taken again to insert
 * it, keeping the item another thread inserted meanwhile if any.
 *
 *   texts      caller's schema text + references -> parsed schema
 *   targets    (text item, topic) -> id and schema to serialize with
 *   ids, guids writer id / GUID -> parsed registered schema
 *   latest     (writer item, topic) -> the subject's latest (reader side)
 *   resolvers  (writer item, reader schema) -> resolution plan
 */
#include "serdes_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- errors */

const char *kafkit_sd_role(const kafkit_serdes_t *sd)
{
        return sd->role == KAFKIT_SERDES_KEY ? "key" : "value";
}

/*
 * Rewrites err->message as "topic 'T' partition P offset O: ROLE: MSG"
 * (the parts the ctx knows) with code `code`, and returns `code`.
 */
kafkit_err_t kafkit_sd_fail(const kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                            kafkit_error_t *err, kafkit_err_t code)
{
        char msg[KAFKIT_ERRSTR_SIZE], pre[KAFKIT_ERRSTR_SIZE];
        size_t n = 0;

        memcpy(msg, err->message, sizeof(msg));
        pre[0] = '\0';
        if (ctx && ctx->topic)
                n += (size_t)snprintf(pre + n, sizeof(pre) - n, "topic '%s' ", ctx->topic);
        if (ctx && ctx->partition >= 0 && n < sizeof(pre))
                n += (size_t)snprintf(pre + n, sizeof(pre) - n, "partition %d ",
                                      (int)ctx->partition);
        if (ctx && ctx->offset >= 0 && n < sizeof(pre))
                n += (size_t)snprintf(pre + n, sizeof(pre) - n, "offset %lld ",
                                      (long long)ctx->offset);
        if (n > 0 && n + 1 < sizeof(pre))
                pre[n - 1] = ':', pre[n++] = ' ', pre[n] = '\0';
        return kafkit_err_set(err, code, err->kafka_code, "%s%s: %s",
                              n < sizeof(pre) ? pre : "", kafkit_sd_role(sd), msg);
}

/* -------------------------------------------------------------- lifecycle */

static kafkit_strategy_t sd_strategy_parse(const char *v)
{
        if (!v || !strcmp(v, "topic") || strstr(v, ".TopicNameStrategy"))
                return KAFKIT_STRATEGY_TOPIC;
        if (!strcmp(v, "record") || strstr(v, ".RecordNameStrategy"))
                return KAFKIT_STRATEGY_RECORD;
        return KAFKIT_STRATEGY_TOPIC_RECORD;
}

static void sd_conf_read(kafkit_serdes_t *sd, const kafkit_conf_t *conf)
{
        long long ttl = kafkit_conf_get_int(conf, "latest.cache.ttl.sec", 60);

        sd->auto_register = (int)kafkit_conf_get_int(conf, "auto.register.schemas", 1);
        sd->use_latest = (int)kafkit_conf_get_int(conf, "use.latest.version", 0);
        sd->latest_strict = (int)kafkit_conf_get_int(conf, "latest.compatibility.strict", 1);
        sd->id_strict = (int)kafkit_conf_get_int(conf, "id.compatibility.strict", 1);
        sd->normalize = (int)kafkit_conf_get_int(conf, "normalize.schemas", 0);
        sd->use_schema_id = (int32_t)kafkit_conf_get_int(conf, "use.schema.id", -1);
        sd->strategy = sd_strategy_parse(kafkit_conf_get(
                conf, sd->role == KAFKIT_SERDES_KEY ? "key.subject.name.strategy"
                                                    : "value.subject.name.strategy"));
        sd->latest_ttl_ms = ttl < 0 ? -1 : ttl * 1000;
}

kafkit_serdes_t *kafkit_serdes_new(const kafkit_conf_t *conf,
                                   kafkit_serdes_role_t role,
                                   kafkit_registry_t *registry,
                                   kafkit_error_t *err)
{
        kafkit_registry_error_t re;
        kafkit_serdes_t *sd;

        kafkit_error_clear(err);
        if (!conf || (role != KAFKIT_SERDES_KEY && role != KAFKIT_SERDES_VALUE)) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                               "kafkit_serdes_new: NULL conf or unknown role %d", (int)role);
                return NULL;
        }
        if (!(sd = calloc(1, sizeof(*sd)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        kafkit_conf_logger(conf, &sd->lg);
        sd->role = role;
        sd_conf_read(sd, conf);
        if (pthread_mutex_init(&sd->lock, NULL)) {
                free(sd);
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "cannot create the serdes lock");
                return NULL;
        }
        sd->reg = registry;
        if (!registry) {
                if (!(sd->reg = kafkit_registry_new(conf, &re))) {
                        kafkit_serdes_rerr(err, &re);
                        pthread_mutex_destroy(&sd->lock);
                        free(sd);
                        return NULL;
                }
                sd->own_reg = 1;
        }
        return sd;
}

static void sd_text_free(void *p)
{
        sd_text_t *t = p;
        size_t i;

        for (i = 0; i < t->ref_cnt; i++) {
                free((char *)t->refs[i].name);
                free((char *)t->refs[i].subject);
        }
        free(t->refs);
        free(t->text);
        kafkit_avro_schema_destroy(t->avro);
        free(t);
}

static void sd_id_free(void *p)
{
        sd_id_t *e = p;

        if (e) {
                kafkit_avro_schema_destroy(e->avro);
                free(e);
        }
}

static void sd_target_free(void *p)
{
        sd_target_t *t = p;

        free(t->topic);
        free(t);
}

void kafkit_sd_resolver_free(void *p)
{
        sd_resolver_t *r = p;

        kafkit_avro_resolver_destroy(r->res);
        free(r);
}

void kafkit_serdes_destroy(kafkit_serdes_t *sd)
{
        if (!sd)
                return;
        kafkit_smap_clear(&sd->resolvers, kafkit_sd_resolver_free);
        kafkit_smap_clear(&sd->classes, kafkit_sd_class_free);
        kafkit_smap_clear(&sd->targets, sd_target_free);
        kafkit_smap_clear(&sd->latest, sd_target_free);
        kafkit_smap_clear(&sd->guids, sd_id_free);
        kafkit_smap_clear(&sd->ids, sd_id_free);
        kafkit_smap_clear(&sd->texts, sd_text_free);
        kafkit_avro_schema_destroy(sd->reader);
        if (sd->own_reg)
                kafkit_registry_destroy(sd->reg);
        pthread_mutex_destroy(&sd->lock);
        free(sd);
}

/* ------------------------------------------------------------ subjects */

/* The subject for `topic` and a schema's top-level name; malloc'ed, NULL
 * with err set when the strategy lacks what it needs. */
char *kafkit_sd_subject(const kafkit_serdes_t *sd, const char *topic,
                        const kafkit_avro_schema_t *schema, kafkit_error_t *err)
{
        const char *name = schema ? kafkit_avro_schema_full_name(schema) : NULL;
        size_t n;
        char *s;

        if (sd->strategy != KAFKIT_STRATEGY_TOPIC && !name) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                               "the %s subject name strategy needs a named schema (record, "
                               "enum or fixed); this one is %s",
                               sd->strategy == KAFKIT_STRATEGY_RECORD ? "record"
                                                                      : "topic_record",
                               schema ? kafkit_avro_schema_type_name(schema) : "not given");
                return NULL;
        }
        if (sd->strategy != KAFKIT_STRATEGY_RECORD && (!topic || !*topic)) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                               "the subject name strategy needs the topic (ctx->topic)");
                return NULL;
        }
        n = (topic ? strlen(topic) : 0) + (name ? strlen(name) : 0) + 8;
        if (!(s = malloc(n))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        if (sd->strategy == KAFKIT_STRATEGY_TOPIC)
                snprintf(s, n, "%s-%s", topic, kafkit_sd_role(sd));
        else if (sd->strategy == KAFKIT_STRATEGY_RECORD)
                snprintf(s, n, "%s", name);
        else
                snprintf(s, n, "%s-%s", topic, name);
        return s;
}

/* ------------------------------------------------------- caller's texts */

typedef struct sd_text_key_s {
        const char *text;
        const kafkit_registry_ref_t *refs;
        size_t ref_cnt;
} sd_text_key_t;

static int sd_str_eq(const char *a, const char *b)
{
        return !strcmp(a ? a : "", b ? b : "");
}

static int sd_text_eq(const void *item, const void *key)
{
        const sd_text_t *t = item;
        const sd_text_key_t *k = key;
        size_t i;

        if (t->ref_cnt != k->ref_cnt || strcmp(t->text, k->text))
                return 0;
        for (i = 0; i < k->ref_cnt; i++)
                if (!sd_str_eq(t->refs[i].name, k->refs[i].name) ||
                    !sd_str_eq(t->refs[i].subject, k->refs[i].subject) ||
                    t->refs[i].version != k->refs[i].version)
                        return 0;
        return 1;
}

static uint64_t sd_text_hash(const sd_text_key_t *k)
{
        uint64_t h = kafkit_hash(KAFKIT_HASH_INIT, k->text, strlen(k->text));
        size_t i;

        for (i = 0; i < k->ref_cnt; i++) {
                const char *s = k->refs[i].subject ? k->refs[i].subject : "";

                h = kafkit_hash(h, s, strlen(s) + 1);
                h = kafkit_hash(h, &k->refs[i].version, sizeof(k->refs[i].version));
        }
        return h;
}

static char *sd_strdup(const char *s)
{
        return s ? strdup(s) : NULL;
}

/* A new text item (schema parsed, references fetched), or NULL with err. */
static sd_text_t *sd_text_new(kafkit_serdes_t *sd, const sd_text_key_t *k,
                              kafkit_error_t *err)
{
        sd_text_t *t = calloc(1, sizeof(*t));
        size_t i;

        if (!t || !(t->text = strdup(k->text)) ||
            (k->ref_cnt && !(t->refs = calloc(k->ref_cnt, sizeof(*t->refs)))))
                goto nomem;
        for (i = 0; i < k->ref_cnt; i++, t->ref_cnt++) {
                t->refs[i].version = k->refs[i].version;
                if (!(t->refs[i].name = sd_strdup(k->refs[i].name)) && k->refs[i].name)
                        goto nomem;
                if (!(t->refs[i].subject = sd_strdup(k->refs[i].subject)) &&
                    k->refs[i].subject) {
                        t->ref_cnt++;
                        goto nomem;
                }
        }
        if (!(t->avro = kafkit_serdes_schema_parse(sd->reg, k->text, k->refs, k->ref_cnt,
                                                   err))) {
                sd_text_free(t);
                return NULL;
        }
        return t;
nomem:
        if (t)
                sd_text_free(t);
        kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
        return NULL;
}

/*
 * Inserts `item` under `hash` unless an equal one is there already; returns
 * the item kept (the other is freed). NULL with err on NOMEM. Lock held.
 */
void *kafkit_sd_insert(kafkit_smap_t *m, uint64_t hash, kafkit_smap_eq_t *eq, const void *key,
                       void *item, void (*free_item)(void *), kafkit_error_t *err)
{
        void *have = kafkit_smap_get(m, hash, eq, key);

        if (have) {
                free_item(item);
                return have;
        }
        if (kafkit_smap_put(m, hash, item) != KAFKIT_OK) {
                free_item(item);
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        return item;
}

static const sd_text_t *sd_text_get(kafkit_serdes_t *sd, const sd_text_key_t *k,
                                    kafkit_error_t *err)
{
        uint64_t h = sd_text_hash(k);
        sd_text_t *t;

        pthread_mutex_lock(&sd->lock);
        t = kafkit_smap_get(&sd->texts, h, sd_text_eq, k);
        pthread_mutex_unlock(&sd->lock);
        if (t || !(t = sd_text_new(sd, k, err)))
                return t;
        pthread_mutex_lock(&sd->lock);
        t = kafkit_sd_insert(&sd->texts, h, sd_text_eq, k, t, sd_text_free, err);
        pthread_mutex_unlock(&sd->lock);
        return t;
}

/* ------------------------------------------------------ registered schemas */

static int sd_id_eq(const void *item, const void *key)
{
        return ((const sd_id_t *)item)->id == *(const int32_t *)key;
}

static int sd_guid_eq(const void *item, const void *key)
{
        return !memcmp(((const sd_id_t *)item)->guid, key, 16);
}

/* Parses a registry result into a new item (GUID items are separate
 * from id items, even for the same schema: both are few). */
static sd_id_t *sd_id_new(kafkit_serdes_t *sd, const kafkit_registry_schema_t *rs,
                          kafkit_error_t *err)
{
        sd_id_t *e;

        if (strcmp(rs->schema_type, "AVRO")) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                               "schema id %d is a %s schema, not AVRO", (int)rs->id,
                               rs->schema_type);
                return NULL;
        }
        if (!(e = calloc(1, sizeof(*e)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        e->id = rs->id > 0 ? rs->id : -1;
        if (!(e->avro = kafkit_serdes_schema_parse(sd->reg, rs->schema, rs->refs, rs->ref_cnt,
                                                   err))) {
                free(e);
                return NULL;
        }
        return e;
}

/* The registered schema `id`, from the cache or the registry. */
const sd_id_t *kafkit_sd_id_get(kafkit_serdes_t *sd, int32_t id, kafkit_error_t *err)
{
        uint64_t h = kafkit_hash(KAFKIT_HASH_INIT, &id, sizeof(id));
        const kafkit_registry_schema_t *rs;
        kafkit_registry_error_t re;
        sd_id_t *e;

        pthread_mutex_lock(&sd->lock);
        e = kafkit_smap_get(&sd->ids, h, sd_id_eq, &id);
        pthread_mutex_unlock(&sd->lock);
        if (e)
                return e;
        if (kafkit_registry_get_by_id(sd->reg, id, &rs, &re) != KAFKIT_OK) {
                kafkit_serdes_rerr(err, &re);
                kafkit_err_set(err, re.error.code, 0, "schema id %d%s: %s", (int)id,
                               re.error_code == 40403 ? " not found in the registry" : "",
                               re.error.message);
                return NULL;
        }
        e = sd_id_new(sd, rs, err);
        kafkit_registry_schema_destroy(rs);
        if (!e)
                return NULL;
        e->id = id;
        pthread_mutex_lock(&sd->lock);
        e = kafkit_sd_insert(&sd->ids, h, sd_id_eq, &id, e, sd_id_free, err);
        pthread_mutex_unlock(&sd->lock);
        return e;
}

/* The registered schema with `guid`, from the cache or the registry. */
const sd_id_t *kafkit_sd_guid_get(kafkit_serdes_t *sd, const unsigned char guid[16],
                                  kafkit_error_t *err)
{
        uint64_t h = kafkit_hash(KAFKIT_HASH_INIT, guid, 16);
        const kafkit_registry_schema_t *rs;
        kafkit_registry_error_t re;
        char text[37];
        sd_id_t *e;

        pthread_mutex_lock(&sd->lock);
        e = kafkit_smap_get(&sd->guids, h, sd_guid_eq, guid);
        pthread_mutex_unlock(&sd->lock);
        if (e)
                return e;
        kafkit_wire_guid_text(guid, text);
        if (kafkit_registry_get_by_guid(sd->reg, text, &rs, &re) != KAFKIT_OK) {
                kafkit_serdes_rerr(err, &re);
                kafkit_err_set(err, re.error.code, 0, "schema guid %s%s: %s", text,
                               re.error_code == 40403 ? " not found in the registry" : "",
                               re.error.message);
                return NULL;
        }
        e = sd_id_new(sd, rs, err);
        kafkit_registry_schema_destroy(rs);
        if (!e)
                return NULL;
        memcpy(e->guid, guid, 16);
        pthread_mutex_lock(&sd->lock);
        e = kafkit_sd_insert(&sd->guids, h, sd_guid_eq, guid, e, sd_id_free, err);
        pthread_mutex_unlock(&sd->lock);
        return e;
}

/* ------------------------------------------------------------- targets */


static int sd_target_eq(const void *item, const void *key)
{
        const sd_target_t *t = item;
        const sd_target_key_t *k = key;

        return t->owner == k->owner && !strcmp(t->topic, k->topic);
}

static uint64_t sd_target_hash(const sd_target_key_t *k)
{
        return kafkit_hash(kafkit_hash(KAFKIT_HASH_INIT, &k->owner, sizeof(k->owner)),
                           k->topic, strlen(k->topic));
}

/* Fresh enough: not a latest version, or fetched within the TTL. */
static int sd_target_fresh(const kafkit_serdes_t *sd, const sd_target_t *t, int is_latest)
{
        if (!is_latest || sd->latest_ttl_ms < 0)
                return 1;
        return sd->latest_ttl_ms > 0 && kafkit_now_ms() - t->fetched_ms < sd->latest_ttl_ms;
}

/*
 * Stores (id, avro) for key k in map m (lock taken here), updating an
 * existing item (a refreshed latest version).
 */
kafkit_err_t kafkit_sd_target_store(kafkit_serdes_t *sd, kafkit_smap_t *m,
                                    const sd_target_key_t *k, int32_t id,
                                    const kafkit_avro_schema_t *avro, kafkit_error_t *err)
{
        uint64_t h = sd_target_hash(k);
        sd_target_t *t;
        kafkit_err_t code = KAFKIT_OK;

        pthread_mutex_lock(&sd->lock);
        if (!(t = kafkit_smap_get(m, h, sd_target_eq, k))) {
                if (!(t = calloc(1, sizeof(*t))) || !(t->topic = strdup(k->topic)) ||
                    kafkit_smap_put(m, h, t) != KAFKIT_OK) {
                        if (t)
                                free(t->topic);
                        free(t);
                        t = NULL;
                        code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                } else {
                        t->owner = k->owner;
                }
        }
        if (t) {
                t->id = id;
                t->avro = avro;
                t->fetched_ms = kafkit_now_ms();
        }
        pthread_mutex_unlock(&sd->lock);
        return code;
}

/* Looks k up in m; 1 with *id, *avro when found and fresh. */
int kafkit_sd_target_find(kafkit_serdes_t *sd, kafkit_smap_t *m, const sd_target_key_t *k,
                          int is_latest, int32_t *id, const kafkit_avro_schema_t **avro)
{
        sd_target_t *t;
        int found = 0;

        pthread_mutex_lock(&sd->lock);
        t = kafkit_smap_get(m, sd_target_hash(k), sd_target_eq, k);
        if (t && sd_target_fresh(sd, t, is_latest)) {
                *id = t->id;
                *avro = t->avro;
                found = 1;
        }
        pthread_mutex_unlock(&sd->lock);
        return found;
}

/* The subject's latest version, parsed. */
const sd_id_t *kafkit_sd_latest_fetch(kafkit_serdes_t *sd, const char *subject,
                                      kafkit_error_t *err)
{
        const kafkit_registry_schema_t *rs;
        kafkit_registry_error_t re;
        int32_t id;

        if (kafkit_registry_get_version(sd->reg, subject, KAFKIT_REGISTRY_LATEST, &rs, &re) !=
            KAFKIT_OK) {
                kafkit_serdes_rerr(err, &re);
                kafkit_err_set(err, re.error.code, 0, "latest version of subject '%s': %s",
                               subject, re.error.message);
                return NULL;
        }
        id = rs->id;
        kafkit_registry_schema_destroy(rs);
        return kafkit_sd_id_get(sd, id, err);
}

/*
 * With a strict check on, `given` must be readable by `target` (Avro
 * resolution with `target` as reader), as Confluent's serializers demand.
 */
static kafkit_err_t sd_check_readable(const kafkit_avro_schema_t *target, int32_t id,
                                      const char *why, const kafkit_avro_schema_t *given,
                                      kafkit_error_t *err)
{
        kafkit_avro_compat_reasons_t *reasons = kafkit_avro_compat_reasons_new();
        int ok = 0;
        kafkit_err_t code;

        if (!reasons)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
        code = kafkit_avro_compat_check(target, given, &ok, reasons, err);
        if (code == KAFKIT_OK && !ok)
                code = kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "the schema given is not compatible with schema id %d "
                                      "(%s), which cannot read its data: %s; set %s=false to "
                                      "skip this check",
                                      (int)id, why,
                                      kafkit_avro_compat_reasons_count(reasons)
                                              ? kafkit_avro_compat_reasons_get(reasons, 0)
                                              : "?",
                                      strstr(why, "latest") ? "latest.compatibility.strict"
                                                            : "id.compatibility.strict");
        kafkit_avro_compat_reasons_destroy(reasons);
        return code;
}

/* Registers `t` under `subject`, or only looks it up. */
static kafkit_err_t sd_register(kafkit_serdes_t *sd, const sd_text_t *t, const char *subject,
                                int32_t *id, kafkit_error_t *err)
{
        const kafkit_registry_schema_t *rs;
        kafkit_registry_error_t re;

        if (sd->auto_register) {
                if (kafkit_registry_register(sd->reg, subject, t->text, NULL, t->refs,
                                             t->ref_cnt, sd->normalize, id, &re) == KAFKIT_OK)
                        return KAFKIT_OK;
                kafkit_serdes_rerr(err, &re);
                return kafkit_err_set(err, re.error.code, 0,
                                      "cannot register the schema under subject '%s': %s",
                                      subject, re.error.message);
        }
        if (kafkit_registry_lookup(sd->reg, subject, t->text, NULL, t->refs, t->ref_cnt,
                                   sd->normalize, &rs, &re) == KAFKIT_OK) {
                *id = rs->id;
                kafkit_registry_schema_destroy(rs);
                return KAFKIT_OK;
        }
        kafkit_serdes_rerr(err, &re);
        return kafkit_err_set(err, re.error.code, 0,
                              "schema not registered under subject '%s' and "
                              "auto.register.schemas is false: %s",
                              subject, re.error.message);
}

/* Works out (no cache) the id and schema `t` (may be NULL) is written
 * with for `topic`. */
static kafkit_err_t sd_target_load(kafkit_serdes_t *sd, const sd_text_t *t, const char *topic,
                                   int32_t *id, const kafkit_avro_schema_t **avro,
                                   kafkit_error_t *err)
{
        const sd_id_t *e = NULL;
        char *subject = NULL;
        kafkit_err_t code = KAFKIT_OK;

        if (sd->use_schema_id >= 0) {
                if (!(e = kafkit_sd_id_get(sd, sd->use_schema_id, err)))
                        return err->code;
                if (t && sd->id_strict)
                        code = sd_check_readable(e->avro, e->id, "use.schema.id", t->avro, err);
        } else if (!(subject = kafkit_sd_subject(sd, topic, t ? t->avro : NULL, err))) {
                return err->code;
        } else if (sd->use_latest) {
                if (!(e = kafkit_sd_latest_fetch(sd, subject, err)))
                        code = err->code;
                else if (t && sd->latest_strict)
                        code = sd_check_readable(e->avro, e->id, "the latest version", t->avro,
                                                 err);
        } else if (!t) {
                code = kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "no schema given (needed unless use.schema.id or "
                                      "use.latest.version is set)");
        } else {
                code = sd_register(sd, t, subject, id, err);
                *avro = t->avro;
        }
        if (code == KAFKIT_OK && e) {
                *id = e->id;
                *avro = e->avro;
        }
        free(subject);
        return code;
}

/* The id and schema to write with, cached per (text, topic). */
static kafkit_err_t sd_target_get(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                                  const char *schema, const kafkit_registry_ref_t *refs,
                                  size_t ref_cnt, const sd_text_t **tp, int32_t *id,
                                  const kafkit_avro_schema_t **avro, kafkit_error_t *err)
{
        sd_text_key_t tk = { schema, refs, ref_cnt };
        const sd_text_t *t = NULL;
        sd_target_key_t k;
        int is_latest = sd->use_schema_id < 0 && sd->use_latest;
        kafkit_err_t code;

        if (schema && !(t = sd_text_get(sd, &tk, err)))
                return err->code;
        *tp = t;
        k.owner = t;
        k.topic = ctx && ctx->topic ? ctx->topic : "";
        if (kafkit_sd_target_find(sd, &sd->targets, &k, is_latest, id, avro))
                return KAFKIT_OK;
        code = sd_target_load(sd, t, ctx ? ctx->topic : NULL, id, avro, err);
        if (code == KAFKIT_OK)
                code = kafkit_sd_target_store(sd, &sd->targets, &k, *id, *avro, err);
        return code;
}

/* ----------------------------------------------------------- serializing */

/* A body written with another schema than the one use.schema.id or
 * use.latest.version selects cannot be framed with that schema's id. */
static kafkit_err_t sd_check_binary(const kafkit_serdes_t *sd, const sd_text_t *t,
                                    const kafkit_avro_schema_t *avro, int32_t id,
                                    kafkit_error_t *err)
{
        if (!t || avro == t->avro ||
            kafkit_avro_schema_fingerprint(avro) == kafkit_avro_schema_fingerprint(t->avro))
                return KAFKIT_OK;
        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                              "the body is written with a schema other than schema id %d "
                              "that use.%s selects; serialize from JSON to convert it",
                              (int)id,
                              sd->use_schema_id >= 0 ? "schema.id" : "latest.version");
}

kafkit_err_t kafkit_sd_serialize(kafkit_serdes_t *sd,
                                 const kafkit_serdes_ctx_t *ctx,
                                 const char *schema,
                                 const kafkit_registry_ref_t *refs,
                                 size_t ref_cnt,
                                 const sd_body_t *b,
                                 kafkit_buf_t *out,
                                 int32_t *schema_id,
                                 kafkit_error_t *err)
{
        const kafkit_avro_schema_t *avro;
        const sd_text_t *t = NULL;
        size_t mark;
        int32_t id;
        kafkit_err_t code;

        kafkit_error_clear(err);
        if (!sd || (!b->data && (b->is_json || b->len)) || !out)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_serdes_serialize_%s: NULL serdes, %s or out",
                                      b->is_json ? "json" : "binary",
                                      b->is_json ? "json" : "body");
        if ((code = sd_target_get(sd, ctx, schema, refs, ref_cnt, &t, &id, &avro, err)) ||
            (!b->is_json && (code = sd_check_binary(sd, t, avro, id, err))))
                return kafkit_sd_fail(sd, ctx, err, code);
        mark = out->len;
        if (kafkit_wire_put_id(out, id) != KAFKIT_OK ||
            (!b->is_json && !b->write &&
             kafkit_buf_append(out, b->data, b->len) != KAFKIT_OK))
                code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
        else if (b->write)
                code = b->write(b->arg, id, avro, out, err);
        else if (b->is_json)
                code = kafkit_avro_encode_json(avro, b->data, b->len, b->style, out, err);
        if (code != KAFKIT_OK) {
                out->len = mark;
                if (out->data)
                        out->data[mark] = '\0';
                return kafkit_sd_fail(sd, ctx, err, code);
        }
        if (schema_id)
                *schema_id = id;
        return KAFKIT_OK;
}

/* ------------------------------------------------------------ public API */

/*
 * The public calls run with an error of their own, so that the internals
 * can always read the code back from it, and hand it to the caller's.
 */
kafkit_err_t kafkit_sd_done(kafkit_err_t code, const kafkit_error_t *e, kafkit_error_t *err)
{
        if (err) {
                if (code != KAFKIT_OK)
                        *err = *e;
                else
                        kafkit_error_clear(err);
        }
        return code;
}

kafkit_err_t kafkit_serdes_serialize_json(kafkit_serdes_t *sd,
                                          const kafkit_serdes_ctx_t *ctx,
                                          const char *schema,
                                          const kafkit_registry_ref_t *refs,
                                          size_t ref_cnt,
                                          const char *json,
                                          size_t len,
                                          kafkit_avro_json_style_t style,
                                          kafkit_buf_t *out,
                                          int32_t *schema_id,
                                          kafkit_error_t *err)
{
        sd_body_t b = { 1, json, len, style, NULL, NULL };
        kafkit_error_t e;
        kafkit_err_t code;

        code = kafkit_sd_serialize(sd, ctx, schema, refs, ref_cnt, &b, out, schema_id, &e);
        return kafkit_sd_done(code, &e, err);
}

kafkit_err_t kafkit_serdes_serialize_binary(kafkit_serdes_t *sd,
                                            const kafkit_serdes_ctx_t *ctx,
                                            const char *schema,
                                            const kafkit_registry_ref_t *refs,
                                            size_t ref_cnt,
                                            const void *body,
                                            size_t len,
                                            kafkit_buf_t *out,
                                            int32_t *schema_id,
                                            kafkit_error_t *err)
{
        sd_body_t b = { 0, body, len, KAFKIT_AVRO_JSON_AVRO, NULL, NULL };
        kafkit_error_t e;
        kafkit_err_t code;

        code = kafkit_sd_serialize(sd, ctx, schema, refs, ref_cnt, &b, out, schema_id, &e);
        return kafkit_sd_done(code, &e, err);
}
