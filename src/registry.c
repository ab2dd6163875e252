/*
 * registry.c: the Schema Registry client's endpoints: each public call
 * builds its path and JSON body, goes through the caches where its answer
 * can be kept (registry_cache.c), and reads the registry's JSON answer into
 * kafkit's types. Transport, retries and failover are in registry_http.c.
 *
 * Three caches, each bounded by schema.registry.cache.capacity:
 *   ids       "I" id                       -> schema by id (forever; a
 *                                             missing id for a short TTL)
 *   subjects  "R"|"L" subject \0 type \0 normalize \0 refs \0 schema
 *                                           -> registered / looked-up id
 *   versions  "V" subject \0 version|latest  -> subject version (latest
 *                                             for latest.cache.ttl.sec)
 * Deleting a subject or version drops that subject's entries.
 */
#include "registry_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kafkit_registry_s {
        kafkit_logger_t lg;
        kafkit_rhttp_t *http;
        kafkit_rcache_t *ids, *subjects, *versions;
        int64_t latest_ttl_ms;          /* < 0 forever, 0 not cached */
        int64_t missing_ttl_ms;         /* 0: missing ids not remembered */
};

/* ------------------------------------------------------------- lifecycle */

kafkit_registry_t *kafkit_registry_new(const kafkit_conf_t *conf, kafkit_registry_error_t *err)
{
        size_t cap;
        kafkit_registry_t *r;

        kafkit_registry_error_clear(err);
        if (!conf) {
                kafkit_rerr_local(err, KAFKIT_ERR_INVALID_ARG, "kafkit_registry_new: NULL conf");
                return NULL;
        }
        r = calloc(1, sizeof(*r));
        if (!r) {
                kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
                return NULL;
        }
        kafkit_conf_logger(conf, &r->lg);
        cap = (size_t)kafkit_conf_get_int(conf, "schema.registry.cache.capacity", 1000);
        r->latest_ttl_ms = kafkit_conf_get_int(conf, "latest.cache.ttl.sec", 60) * 1000;
        r->missing_ttl_ms = kafkit_conf_get_int(conf, "missing.id.cache.ttl.sec", 5) * 1000;
        r->ids = kafkit_rcache_new(cap);
        r->subjects = kafkit_rcache_new(cap);
        r->versions = kafkit_rcache_new(cap);
        if (!r->ids || !r->subjects || !r->versions) {
                kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
                goto fail;
        }
        r->http = kafkit_rhttp_new(conf, &r->lg, err);
        if (!r->http)
                goto fail;
        return r;
fail:
        kafkit_registry_destroy(r);
        return NULL;
}

void kafkit_registry_destroy(kafkit_registry_t *r)
{
        if (!r)
                return;
        kafkit_rhttp_destroy(r->http);
        kafkit_rcache_destroy(r->ids);
        kafkit_rcache_destroy(r->subjects);
        kafkit_rcache_destroy(r->versions);
        free(r);
}

/* ---------------------------------------------------------------- helpers */

/* Appends s %-encoded as one path segment (RFC 3986 unreserved kept). */
static kafkit_err_t kafkit_path_seg(kafkit_buf_t *b, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        kafkit_err_t code = KAFKIT_OK;

        for (; *s && code == KAFKIT_OK; s++) {
                unsigned char c = (unsigned char)*s;
                char e[3] = { '%', hex[c >> 4], hex[c & 15] };

                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~')
                        code = kafkit_buf_append(b, s, 1);
                else
                        code = kafkit_buf_append(b, e, 3);
        }
        return code;
}

/*
 * Builds a path from `fmt`, where "%s" is a %-encoded subject, "%v" a
 * version ("latest" for KAFKIT_REGISTRY_LATEST) and "%d" an int; the rest
 * is copied. The result is NUL-terminated in b.
 */
static kafkit_err_t kafkit_path(kafkit_buf_t *b, const char *fmt, const char *subject,
                                int num, kafkit_registry_error_t *err)
{
        kafkit_err_t code = KAFKIT_OK;
        char tmp[24];
        const char *f;

        kafkit_buf_reset(b);
        for (f = fmt; *f && code == KAFKIT_OK; f++) {
                if (*f != '%' || !f[1]) {
                        code = kafkit_buf_append(b, f, 1);
                        continue;
                }
                f++;
                if (*f == 's') {
                        code = kafkit_path_seg(b, subject);
                        continue;
                }
                if (*f == 'v' && num == KAFKIT_REGISTRY_LATEST)
                        snprintf(tmp, sizeof(tmp), "latest");
                else
                        snprintf(tmp, sizeof(tmp), "%d", num);
                code = kafkit_buf_append(b, tmp, strlen(tmp));
        }
        if (code == KAFKIT_OK)
                code = kafkit_buf_append(b, "", 1);
        return code == KAFKIT_OK ? KAFKIT_OK
                                 : kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
}

/* A call whose path is built from fmt/subject/num. */
static kafkit_err_t kafkit_registry_call(kafkit_registry_t *r, const char *method,
                                         const char *fmt, const char *subject, int num,
                                         const json_t *body, json_t **resp,
                                         kafkit_registry_error_t *err)
{
        kafkit_buf_t path = { 0 };
        kafkit_err_t code = kafkit_path(&path, fmt, subject, num, err);

        *resp = NULL;
        if (code == KAFKIT_OK)
                code = kafkit_rhttp_call(r->http, method, path.data, body, resp, err);
        kafkit_buf_free(&path);
        return code;
}

static kafkit_err_t kafkit_bad_answer(const char *what, kafkit_registry_error_t *err)
{
        return kafkit_rerr_local(err, KAFKIT_ERR_PARSE,
                                 "registry answer to %s is not what the API documents", what);
}

static kafkit_err_t kafkit_check_args(kafkit_registry_t *r, const char *subject,
                                      const void *out, const char *fn,
                                      kafkit_registry_error_t *err)
{
        kafkit_registry_error_clear(err);
        if (!r || !subject || !out)
                return kafkit_rerr_local(err, KAFKIT_ERR_INVALID_ARG,
                                         "%s: registry, subject and result must not be NULL",
                                         fn);
        return KAFKIT_OK;
}

/* The request body {"schema", "schemaType"?, "references"?}; NULL: NOMEM. */
static json_t *kafkit_schema_body(const char *schema, const char *type,
                                  const kafkit_registry_ref_t *refs, size_t ref_cnt)
{
        json_t *o = json_object(), *arr = NULL;
        int fail = !o || json_object_set_new(o, "schema", json_string(schema));
        size_t i;

        if (!fail && type && strcmp(type, "AVRO"))
                fail = json_object_set_new(o, "schemaType", json_string(type));
        if (!fail && ref_cnt) {
                fail = !(arr = json_array()) || json_object_set_new(o, "references", arr);
                for (i = 0; !fail && i < ref_cnt; i++)
                        fail = json_array_append_new(
                                arr, json_pack("{s:s?, s:s?, s:i}", "name", refs[i].name,
                                               "subject", refs[i].subject, "version",
                                               refs[i].version));
        }
        if (fail) {
                json_decref(o);
                return NULL;
        }
        return o;
}

/* References of an answer into a new array (*out NULL when none). */
static int kafkit_refs_parse(const json_t *jrefs, kafkit_registry_ref_t **out, size_t *cnt)
{
        size_t i, n = json_is_array(jrefs) ? json_array_size(jrefs) : 0;

        *out = NULL;
        *cnt = 0;
        if (!n)
                return 0;
        *out = calloc(n, sizeof(**out));
        if (!*out)
                return -1;
        for (i = 0; i < n; i++) {
                json_t *j = json_array_get(jrefs, i);

                (*out)[i].name = json_string_value(json_object_get(j, "name"));
                (*out)[i].subject = json_string_value(json_object_get(j, "subject"));
                (*out)[i].version = (int)json_integer_value(json_object_get(j, "version"));
        }
        *cnt = n;
        return 0;
}

/*
 * A schema result from an answer object: id, subject, version, schema,
 * schemaType and references where present, else the given fallbacks.
 */
static kafkit_err_t kafkit_schema_from_json(const json_t *j, int32_t id, const char *subject,
                                            const char *schema, const char *type,
                                            const char *what,
                                            const kafkit_registry_schema_t **out,
                                            kafkit_registry_error_t *err)
{
        json_t *jid = json_object_get(j, "id"), *js = json_object_get(j, "schema");
        json_t *jsub = json_object_get(j, "subject"), *jt = json_object_get(j, "schemaType");
        kafkit_registry_ref_t *refs;
        size_t ref_cnt;

        if (!json_is_object(j) || (!jid && !id) || (jid && !json_is_integer(jid)) ||
            (!js && !schema) || (js && !json_is_string(js)))
                return kafkit_bad_answer(what, err);
        if (kafkit_refs_parse(json_object_get(j, "references"), &refs, &ref_cnt) == -1)
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        *out = kafkit_rschema_new(jid ? (int32_t)json_integer_value(jid) : id,
                                  json_is_string(jsub) ? json_string_value(jsub) : subject,
                                  (int)json_integer_value(json_object_get(j, "version")),
                                  js ? json_string_value(js) : schema,
                                  json_is_string(jt) ? json_string_value(jt) : type, refs,
                                  ref_cnt);
        free(refs);
        return *out ? KAFKIT_OK : kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
}

/* --------------------------------------------------------- cached lookups */

/* Appends s and a NUL (a key field). */
static kafkit_err_t kafkit_key_str(kafkit_buf_t *k, const char *s)
{
        return kafkit_buf_append(k, s ? s : "", strlen(s ? s : "") + 1);
}

/* The key of a register ('R') or lookup ('L') answer. */
static kafkit_err_t kafkit_subject_key(kafkit_buf_t *k, char kind, const char *subject,
                                       const char *schema, const char *type, int normalize,
                                       const kafkit_registry_ref_t *refs, size_t ref_cnt)
{
        kafkit_err_t code = kafkit_buf_append(k, &kind, 1);
        char num[16];
        size_t i;

        code = code ? code : kafkit_key_str(k, subject);
        code = code ? code : kafkit_key_str(k, type ? type : "AVRO");
        code = code ? code : kafkit_key_str(k, normalize ? "1" : "0");
        for (i = 0; i < ref_cnt && !code; i++) {
                snprintf(num, sizeof(num), "%d", refs[i].version);
                code = kafkit_key_str(k, refs[i].name);
                code = code ? code : kafkit_key_str(k, refs[i].subject);
                code = code ? code : kafkit_key_str(k, num);
        }
        code = code ? code : kafkit_key_str(k, "");
        return code ? code : kafkit_key_str(k, schema);
}

/* A subject request (register or lookup) through the subjects cache. */
typedef struct kafkit_subject_req_s {
        char kind;              /* 'R' register, 'L' lookup */
        const char *subject, *schema, *type;
        const kafkit_registry_ref_t *refs;
        size_t ref_cnt;
        int normalize;
} kafkit_subject_req_t;

static kafkit_err_t kafkit_subject_load(kafkit_registry_t *r, const kafkit_subject_req_t *q,
                                        const kafkit_registry_schema_t **out,
                                        kafkit_registry_error_t *err)
{
        json_t *body = kafkit_schema_body(q->schema, q->type, q->refs, q->ref_cnt), *resp;
        const char *fmt = q->kind == 'R' ? (q->normalize ? "/subjects/%s/versions?normalize=true"
                                                         : "/subjects/%s/versions")
                                         : (q->normalize ? "/subjects/%s?normalize=true"
                                                         : "/subjects/%s");
        kafkit_err_t code;

        if (!body)
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        code = kafkit_registry_call(r, "POST", fmt, q->subject, 0, body, &resp, err);
        json_decref(body);
        if (code == KAFKIT_OK && q->kind == 'R' &&
            !json_is_integer(json_object_get(resp, "id")))
                code = kafkit_bad_answer("a registration", err);
        else if (code == KAFKIT_OK && q->kind == 'R')
                code = (*out = kafkit_rschema_new(
                                (int32_t)json_integer_value(json_object_get(resp, "id")),
                                q->subject, 0, q->schema, q->type, q->refs, q->ref_cnt))
                               ? KAFKIT_OK
                               : kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        else if (code == KAFKIT_OK)
                code = kafkit_schema_from_json(resp, 0, q->subject, q->schema, q->type,
                                               "a schema lookup", out, err);
        json_decref(resp);
        return code;
}

/*
 * Answers `key` from `cache`, or loads it with `load` (one thread per key
 * at a time) and stores it for ttl_ms (kafkit_rcache_done()); a failure
 * is remembered for neg_ttl_ms when it is a 404.
 */
typedef kafkit_err_t(kafkit_loader_t)(kafkit_registry_t *r, const void *arg,
                                      const kafkit_registry_schema_t **out,
                                      kafkit_registry_error_t *err);

static kafkit_err_t kafkit_cached(kafkit_registry_t *r, kafkit_rcache_t *cache,
                                  const kafkit_buf_t *key, int64_t ttl_ms, int64_t neg_ttl_ms,
                                  kafkit_loader_t *load, const void *arg,
                                  const kafkit_registry_schema_t **out,
                                  kafkit_registry_error_t *err)
{
        kafkit_registry_error_t e;
        kafkit_err_t code;

        if (ttl_ms == 0)
                return load(r, arg, out, err);
        switch (kafkit_rcache_get(cache, key->data, key->len, out, &e)) {
        case KAFKIT_RCACHE_HIT:
                return KAFKIT_OK;
        case KAFKIT_RCACHE_FAILED:
                if (err)
                        *err = e;
                return e.error.code;
        case KAFKIT_RCACHE_LOAD:
                break;
        }
        kafkit_registry_error_clear(&e);
        code = load(r, arg, out, &e);
        kafkit_rcache_done(cache, key->data, key->len, code == KAFKIT_OK ? *out : NULL, &e,
                           code == KAFKIT_OK ? ttl_ms
                                             : (e.http_status == 404 ? neg_ttl_ms : 0));
        if (code != KAFKIT_OK && err)
                *err = e;
        return code;
}

static kafkit_err_t kafkit_subject_loader(kafkit_registry_t *r, const void *arg,
                                          const kafkit_registry_schema_t **out,
                                          kafkit_registry_error_t *err)
{
        return kafkit_subject_load(r, arg, out, err);
}

static kafkit_err_t kafkit_subject_req(kafkit_registry_t *r, const kafkit_subject_req_t *q,
                                       const kafkit_registry_schema_t **out,
                                       kafkit_registry_error_t *err)
{
        kafkit_buf_t key = { 0 };
        kafkit_err_t code;

        if (!q->schema || (q->ref_cnt && !q->refs))
                return kafkit_rerr_local(err, KAFKIT_ERR_INVALID_ARG,
                                         "registry: NULL schema or references");
        if (kafkit_subject_key(&key, q->kind, q->subject, q->schema, q->type, q->normalize,
                               q->refs, q->ref_cnt) != KAFKIT_OK)
                code = kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        else
                code = kafkit_cached(r, r->subjects, &key, -1, 0, kafkit_subject_loader, q, out,
                                     err);
        kafkit_buf_free(&key);
        return code;
}

kafkit_err_t kafkit_registry_register(kafkit_registry_t *r,
                                      const char *subject,
                                      const char *schema,
                                      const char *schema_type,
                                      const kafkit_registry_ref_t *refs,
                                      size_t ref_cnt,
                                      int normalize,
                                      int32_t *id,
                                      kafkit_registry_error_t *err)
{
        kafkit_subject_req_t q = { 'R', subject, schema, schema_type, refs, ref_cnt, normalize };
        const kafkit_registry_schema_t *s;
        kafkit_err_t code = kafkit_check_args(r, subject, id, "kafkit_registry_register", err);

        if (code == KAFKIT_OK && (code = kafkit_subject_req(r, &q, &s, err)) == KAFKIT_OK) {
                *id = s->id;
                kafkit_registry_schema_destroy(s);
        }
        return code;
}

kafkit_err_t kafkit_registry_lookup(kafkit_registry_t *r,
                                    const char *subject,
                                    const char *schema,
                                    const char *schema_type,
                                    const kafkit_registry_ref_t *refs,
                                    size_t ref_cnt,
                                    int normalize,
                                    const kafkit_registry_schema_t **out,
                                    kafkit_registry_error_t *err)
{
        kafkit_subject_req_t q = { 'L', subject, schema, schema_type, refs, ref_cnt, normalize };
        kafkit_err_t code = kafkit_check_args(r, subject, out, "kafkit_registry_lookup", err);

        return code ? code : kafkit_subject_req(r, &q, out, err);
}

static kafkit_err_t kafkit_id_loader(kafkit_registry_t *r, const void *arg,
                                     const kafkit_registry_schema_t **out,
                                     kafkit_registry_error_t *err)
{
        int32_t id = *(const int32_t *)arg;
        kafkit_err_t code;
        json_t *resp;

        code = kafkit_registry_call(r, "GET", "/schemas/ids/%d", NULL, id, NULL, &resp, err);
        if (code == KAFKIT_OK)
                code = kafkit_schema_from_json(resp, id, NULL, NULL, NULL, "a schema by id", out,
                                               err);
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_get_by_id(kafkit_registry_t *r,
                                       int32_t id,
                                       const kafkit_registry_schema_t **out,
                                       kafkit_registry_error_t *err)
{
        char key[1 + sizeof(id)] = { 'I' };
        kafkit_buf_t k = { key, sizeof(key), sizeof(key) };
        kafkit_err_t code = kafkit_check_args(r, "", out, "kafkit_registry_get_by_id", err);

        if (code)
                return code;
        memcpy(key + 1, &id, sizeof(id));
        return kafkit_cached(r, r->ids, &k, -1, r->missing_ttl_ms, kafkit_id_loader, &id, out,
                             err);
}

static kafkit_err_t kafkit_guid_loader(kafkit_registry_t *r, const void *arg,
                                       const kafkit_registry_schema_t **out,
                                       kafkit_registry_error_t *err)
{
        kafkit_err_t code;
        json_t *resp;

        code = kafkit_registry_call(r, "GET", "/schemas/guids/%s", arg, 0, NULL, &resp, err);
        if (code == KAFKIT_OK)
                code = kafkit_schema_from_json(resp, -1, NULL, NULL, NULL, "a schema by guid",
                                               out, err);
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_get_by_guid(kafkit_registry_t *r,
                                         const char *guid,
                                         const kafkit_registry_schema_t **out,
                                         kafkit_registry_error_t *err)
{
        kafkit_buf_t key = { 0 };
        kafkit_err_t code = kafkit_check_args(r, guid, out, "kafkit_registry_get_by_guid",
                                              err);

        if (code)
                return code;
        if (kafkit_buf_append(&key, "G", 1) || kafkit_key_str(&key, guid))
                code = kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        else
                code = kafkit_cached(r, r->ids, &key, -1, r->missing_ttl_ms, kafkit_guid_loader,
                                     guid, out, err);
        kafkit_buf_free(&key);
        return code;
}

typedef struct kafkit_version_req_s {
        const char *subject;
        int version;
} kafkit_version_req_t;

static kafkit_err_t kafkit_version_loader(kafkit_registry_t *r, const void *arg,
                                          const kafkit_registry_schema_t **out,
                                          kafkit_registry_error_t *err)
{
        const kafkit_version_req_t *q = arg;
        kafkit_err_t code;
        json_t *resp;

        code = kafkit_registry_call(r, "GET", "/subjects/%s/versions/%v", q->subject,
                                    q->version, NULL, &resp, err);
        if (code == KAFKIT_OK)
                code = kafkit_schema_from_json(resp, 0, q->subject, NULL, NULL,
                                               "a subject version", out, err);
        json_decref(resp);
        return code;
}

/* "V" subject \0 version-or-"latest" \0 */
static kafkit_err_t kafkit_version_key(kafkit_buf_t *k, const char *subject, int version)
{
        char num[16];

        snprintf(num, sizeof(num), "%d", version);
        if (kafkit_buf_append(k, "V", 1) || kafkit_key_str(k, subject) ||
            kafkit_key_str(k, version == KAFKIT_REGISTRY_LATEST ? "latest" : num))
                return KAFKIT_ERR_NOMEM;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_registry_get_version(kafkit_registry_t *r,
                                         const char *subject,
                                         int version,
                                         const kafkit_registry_schema_t **out,
                                         kafkit_registry_error_t *err)
{
        kafkit_version_req_t q = { subject, version };
        kafkit_buf_t key = { 0 };
        kafkit_err_t code = kafkit_check_args(r, subject, out, "kafkit_registry_get_version",
                                              err);

        if (code)
                return code;
        if (version != KAFKIT_REGISTRY_LATEST && version <= 0)
                return kafkit_rerr_local(err, KAFKIT_ERR_INVALID_ARG,
                                         "subject '%s': version %d is not a version number",
                                         subject, version);
        if (kafkit_version_key(&key, subject, version) != KAFKIT_OK)
                code = kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        else
                code = kafkit_cached(r, r->versions, &key,
                                     version == KAFKIT_REGISTRY_LATEST ? r->latest_ttl_ms : -1,
                                     0, kafkit_version_loader, &q, out, err);
        kafkit_buf_free(&key);
        return code;
}

/* -------------------------------------------------------- uncached calls */

/* A JSON array of strings into a NULL-terminated array. */
static kafkit_err_t kafkit_strings_from_json(const json_t *arr, const char *what, char ***out,
                                             size_t *cnt, kafkit_registry_error_t *err)
{
        size_t i, n = json_array_size(arr);
        char **v;

        if (!json_is_array(arr))
                return kafkit_bad_answer(what, err);
        v = calloc(n + 1, sizeof(*v));
        if (!v)
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        for (i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(arr, i));

                if (!s || !(v[i] = strdup(s))) {
                        kafkit_registry_strings_free(v);
                        return s ? kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory")
                                 : kafkit_bad_answer(what, err);
                }
        }
        *out = v;
        if (cnt)
                *cnt = n;
        return KAFKIT_OK;
}

/* A JSON array of integers into an int array (malloc'd, maybe NULL if empty). */
static kafkit_err_t kafkit_ints_from_json(const json_t *arr, const char *what, int **out,
                                          size_t *cnt, kafkit_registry_error_t *err)
{
        size_t i, n = json_array_size(arr);
        int *v;

        if (!json_is_array(arr))
                return kafkit_bad_answer(what, err);
        v = malloc((n ? n : 1) * sizeof(*v));
        if (!v)
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        for (i = 0; i < n; i++) {
                json_t *j = json_array_get(arr, i);

                if (!json_is_integer(j)) {
                        free(v);
                        return kafkit_bad_answer(what, err);
                }
                v[i] = (int)json_integer_value(j);
        }
        if (out)
                *out = v;
        else
                free(v);
        if (cnt)
                *cnt = n;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_registry_list_subjects(kafkit_registry_t *r,
                                           char ***subjects,
                                           size_t *cnt,
                                           kafkit_registry_error_t *err)
{
        kafkit_err_t code = kafkit_check_args(r, "", subjects, "kafkit_registry_list_subjects",
                                              err);
        json_t *resp = NULL;

        if (code == KAFKIT_OK)
                code = kafkit_registry_call(r, "GET", "/subjects", NULL, 0, NULL, &resp, err);
        if (code == KAFKIT_OK)
                code = kafkit_strings_from_json(resp, "the subject list", subjects, cnt, err);
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_list_versions(kafkit_registry_t *r,
                                           const char *subject,
                                           int **versions,
                                           size_t *cnt,
                                           kafkit_registry_error_t *err)
{
        kafkit_err_t code = kafkit_check_args(r, subject, versions,
                                              "kafkit_registry_list_versions", err);
        json_t *resp = NULL;

        if (code == KAFKIT_OK)
                code = kafkit_registry_call(r, "GET", "/subjects/%s/versions", subject, 0, NULL,
                                            &resp, err);
        if (code == KAFKIT_OK)
                code = kafkit_ints_from_json(resp, "a version list", versions, cnt, err);
        json_decref(resp);
        return code;
}

/* Forgets everything cached about `subject`. */
static void kafkit_registry_forget(kafkit_registry_t *r, const char *subject)
{
        kafkit_buf_t k = { 0 };
        static const char kinds[] = "VRL";
        size_t i;

        for (i = 0; i < 3; i++) {
                kafkit_buf_reset(&k);
                if (kafkit_buf_append(&k, &kinds[i], 1) || kafkit_key_str(&k, subject))
                        break;
                kafkit_rcache_drop_prefix(i ? r->subjects : r->versions, k.data, k.len);
        }
        kafkit_buf_free(&k);
}

/* DELETE `path` (of `subject`, `version`) for the public call `fn`, then
 * forgets the subject's cache, whatever the answer. */
static kafkit_err_t kafkit_registry_delete(kafkit_registry_t *r, const char *fn, const char *path,
                                           const char *subject, int version, json_t **resp,
                                           kafkit_registry_error_t *err)
{
        kafkit_err_t code = kafkit_check_args(r, subject, "", fn, err);

        if (code == KAFKIT_OK)
                code = kafkit_registry_call(r, "DELETE", path, subject, version, NULL, resp,
                                            err);
        if (r && subject)
                kafkit_registry_forget(r, subject);
        return code;
}

kafkit_err_t kafkit_registry_delete_subject(kafkit_registry_t *r,
                                            const char *subject,
                                            int permanent,
                                            int **versions,
                                            size_t *cnt,
                                            kafkit_registry_error_t *err)
{
        json_t *resp = NULL;
        kafkit_err_t code;

        code = kafkit_registry_delete(r, "kafkit_registry_delete_subject",
                                      permanent ? "/subjects/%s?permanent=true" : "/subjects/%s",
                                      subject, 0, &resp, err);
        if (code == KAFKIT_OK)
                code = kafkit_ints_from_json(resp, "a subject deletion", versions, cnt, err);
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_delete_version(kafkit_registry_t *r,
                                            const char *subject,
                                            int version,
                                            int permanent,
                                            int *deleted,
                                            kafkit_registry_error_t *err)
{
        json_t *resp = NULL;
        kafkit_err_t code;

        code = kafkit_registry_delete(r, "kafkit_registry_delete_version",
                                      permanent ? "/subjects/%s/versions/%v?permanent=true"
                                                : "/subjects/%s/versions/%v",
                                      subject, version, &resp, err);
        if (code == KAFKIT_OK && !json_is_integer(resp))
                code = kafkit_bad_answer("a version deletion", err);
        if (code == KAFKIT_OK && deleted)
                *deleted = (int)json_integer_value(resp);
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_check_compatibility(kafkit_registry_t *r,
                                                 const char *subject,
                                                 int version,
                                                 const char *schema,
                                                 const char *schema_type,
                                                 const kafkit_registry_ref_t *refs,
                                                 size_t ref_cnt,
                                                 int *is_compatible,
                                                 char ***messages,
                                                 kafkit_registry_error_t *err)
{
        kafkit_err_t code = kafkit_check_args(r, subject, is_compatible,
                                              "kafkit_registry_check_compatibility", err);
        json_t *body = NULL, *resp = NULL, *jc, *jm;

        if (code == KAFKIT_OK && !(body = kafkit_schema_body(schema ? schema : "", schema_type,
                                                             refs, ref_cnt)))
                code = kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        if (code == KAFKIT_OK)
                code = kafkit_registry_call(r, "POST",
                                            "/compatibility/subjects/%s/versions/%v?verbose=true",
                                            subject, version, body, &resp, err);
        jc = json_object_get(resp, "is_compatible");
        jm = json_object_get(resp, "messages");
        if (code == KAFKIT_OK && !json_is_boolean(jc))
                code = kafkit_bad_answer("a compatibility check", err);
        if (code == KAFKIT_OK)
                *is_compatible = json_is_true(jc);
        if (code == KAFKIT_OK && messages) {
                json_t *empty = json_array();

                code = kafkit_strings_from_json(jm ? jm : empty, "a compatibility check",
                                                messages, NULL, err);
                json_decref(empty);
        }
        json_decref(body);
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_get_config(kafkit_registry_t *r,
                                        const char *subject,
                                        int default_to_global,
                                        char **level,
                                        kafkit_registry_error_t *err)
{
        kafkit_err_t code = kafkit_check_args(r, "", level, "kafkit_registry_get_config", err);
        const char *fmt = !subject ? "/config"
                          : default_to_global ? "/config/%s?defaultToGlobal=true"
                                              : "/config/%s";
        json_t *resp = NULL, *jl;

        if (code == KAFKIT_OK)
                code = kafkit_registry_call(r, "GET", fmt, subject, 0, NULL, &resp, err);
        jl = json_object_get(resp, "compatibilityLevel");
        if (!jl)
                jl = json_object_get(resp, "compatibility");
        if (code == KAFKIT_OK && !json_is_string(jl))
                code = kafkit_bad_answer("a config request", err);
        if (code == KAFKIT_OK && !(*level = strdup(json_string_value(jl))))
                code = kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        json_decref(resp);
        return code;
}

kafkit_err_t kafkit_registry_set_config(kafkit_registry_t *r,
                                        const char *subject,
                                        const char *level,
                                        kafkit_registry_error_t *err)
{
        kafkit_err_t code = kafkit_check_args(r, "", level, "kafkit_registry_set_config", err);
        json_t *body = NULL, *resp = NULL;

        if (code == KAFKIT_OK && !(body = json_pack("{s:s}", "compatibility", level)))
                code = kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        if (code == KAFKIT_OK)
                code = kafkit_registry_call(r, "PUT", subject ? "/config/%s" : "/config",
                                            subject, 0, body, &resp, err);
        json_decref(body);
        json_decref(resp);
        return code;
}
