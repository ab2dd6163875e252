/*
 * regsrv_api.c: the development Schema Registry's requests, one function
 * per REST operation (see regsrv_internal.h): each takes the store's lock,
 * checks the request against Schema Registry's rules (compatibility on
 * registration, soft delete before permanent delete, references kept
 * alive...), answers with Confluent's JSON shapes and error codes, and
 * hands any change to rs_commit() as one log record.
 */
#include "regsrv_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------- compatibility */

static kafkit_avro_compat_level_t subject_level(const rs_store_t *st, const rs_subject_t *s)
{
        return s && s->has_level ? s->level : st->level;
}

/* Checks q against the live versions of s (or only `only`) under s's level;
 * *ok gets the verdict and *msgs (if not NULL) the reasons. */
static int check_compat(rs_store_t *st, rs_subject_t *s, rs_version_t *only,
                        const rs_req_t *q, int *ok, json_t **msgs, rs_err_t *e)
{
        size_t n = 0, i, cnt = only ? 1 : rs_live_count(s);
        const kafkit_avro_schema_t **old = calloc(cnt + 1, sizeof(*old));
        char **labels = calloc(cnt + 1, sizeof(*labels));
        kafkit_avro_compat_reasons_t *why = kafkit_avro_compat_reasons_new();
        kafkit_error_t kerr;
        int r = 0;

        if (!old || !labels || !why)
                r = rs_nomem(e);
        for (i = 0; r == 0 && s && i < s->n; i++) {
                rs_version_t *v = &s->v[i];

                if (v->deleted || (only && v != only))
                        continue;
                old[n] = v->schema->avro;
                if (!(labels[n] = malloc(32)))
                        r = rs_nomem(e);
                else
                        snprintf(labels[n++], 32, "version %d", v->version);
        }
        if (r == 0 && kafkit_avro_compat_check_level(subject_level(st, s), q->avro, old,
                                                     (const char *const *)labels, n, ok,
                                                     why, &kerr))
                r = rs_nomem(e);
        if (r == 0 && msgs && !(*msgs = json_array()))
                r = rs_nomem(e);
        for (i = 0; r == 0 && msgs && i < kafkit_avro_compat_reasons_count(why); i++)
                if (json_array_append_new(*msgs,
                                          json_string(kafkit_avro_compat_reasons_get(why, i))))
                        r = rs_nomem(e);
        for (i = 0; labels && i < n; i++)
                free(labels[i]);
        free(labels);
        free(old);
        kafkit_avro_compat_reasons_destroy(why);
        return r;
}

/* The 409 answer: every reason in the message, as Confluent lists them. */
static int incompatible(const char *subject, json_t *msgs, rs_err_t *e)
{
        char *list = json_dumps(msgs, JSON_COMPACT | JSON_ENSURE_ASCII);

        rs_fail(e, RS_E_INCOMPATIBLE, "Schema being registered is incompatible with an "
                "earlier schema for subject \"%s\", details: %s", subject,
                list ? list : "[]");
        free(list);
        return RS_E_INCOMPATIBLE;
}

/* -------------------------------------------------------------- requests */

static int do_register(rs_store_t *st, const char *subject, json_t *body, const rs_opts_t *o,
                       json_t **out, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        json_t *msgs = NULL, *op;
        rs_schema_t *sc;
        rs_req_t q;
        size_t i;
        int r, ok = 0, id, version;

        if ((r = rs_req_parse(st, body, &q, e)))
                goto out;
        for (i = 0; s && i < s->n; i++) {
                rs_schema_t *have = s->v[i].schema;

                if (!s->v[i].deleted &&
                    !strcmp(o->normalize ? have->nkey : have->key,
                            o->normalize ? q.nkey : q.key)) {
                        r = rs_answer(json_pack("{s:i}", "id", have->id), out, e);
                        goto out;
                }
        }
        if ((r = check_compat(st, s, NULL, &q, &ok, &msgs, e)))
                goto out;
        if (!ok) {
                r = incompatible(subject, msgs, e);
                goto out;
        }
        sc = rs_schema_by_key(st, &q, o->normalize);
        id = sc ? sc->id : st->max_id + 1;
        version = s && s->n ? s->v[s->n - 1].version + 1 : 1;
        op = json_pack("{s:s,s:s,s:i,s:i}", "op", "register", "subject", subject,
                       "version", version, "id", id);
        if (op && !sc && (json_object_set_new(op, "schema", json_string(q.text)) ||
                          json_object_set(op, "references", q.refs))) {
                json_decref(op);
                op = NULL;
        }
        if (!(r = rs_commit(st, op, e)))
                r = rs_answer(json_pack("{s:i}", "id", id), out, e);
out:
        json_decref(msgs);
        rs_req_free(&q);
        return r;
}

int rs_register(rs_store_t *st, const char *subject, json_t *body, const rs_opts_t *o,
                json_t **out, rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_register(st, subject, body, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

static int do_lookup(rs_store_t *st, const char *subject, json_t *body, const rs_opts_t *o,
                     json_t **out, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        rs_req_t q;
        size_t i;
        int r;

        if (!(o->deleted ? s && s->n : rs_live_count(s)))
                return rs_subject_missing(e, subject);
        if ((r = rs_req_parse(st, body, &q, e)) == 0) {
                r = rs_fail(e, RS_E_SCHEMA_NOT_FOUND, "Schema not found");
                for (i = s->n; i-- > 0;) {
                        rs_schema_t *have = s->v[i].schema;

                        if ((o->deleted || !s->v[i].deleted) &&
                            !strcmp(o->normalize ? have->nkey : have->key,
                                    o->normalize ? q.nkey : q.key)) {
                                r = rs_answer(rs_version_json(s, &s->v[i]), out, e);
                                break;
                        }
                }
        }
        rs_req_free(&q);
        return r;
}

int rs_lookup(rs_store_t *st, const char *subject, json_t *body, const rs_opts_t *o,
              json_t **out, rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_lookup(st, subject, body, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

/* The schema with id `text` that some version still uses. */
static rs_schema_t *schema_for_id(rs_store_t *st, const char *text, rs_err_t *e)
{
        char *end;
        long long id;
        rs_schema_t *sc = NULL;

        errno = 0;
        id = strtoll(text, &end, 10);
        if (*text >= '0' && *text <= '9' && !*end && !errno && id > 0 && id <= INT32_MAX)
                sc = rs_schema_by_id(st, (int)id);
        if (!sc || !rs_schema_used(st, sc)) {
                rs_fail(e, RS_E_SCHEMA_NOT_FOUND, "Schema %s not found", text);
                return NULL;
        }
        return sc;
}

/*
 * The schema's GUID, derived rather than stored so the log format stays as
 * it is: the CRC-64 fingerprint of its canonical form in bytes 0-7, the id
 * in bytes 12-15, as an RFC 9562 version-8 (custom) UUID. Distinct ids
 * give distinct GUIDs, and a GUID names one id.
 */
void rs_schema_guid(const rs_schema_t *sc, char text[37])
{
        uint64_t fp = kafkit_avro_schema_fingerprint(sc->avro);
        unsigned char b[16] = { 0 };
        int i;

        for (i = 0; i < 8; i++)
                b[i] = (unsigned char)(fp >> (56 - 8 * i));
        for (i = 0; i < 4; i++)
                b[12 + i] = (unsigned char)((uint32_t)sc->id >> (24 - 8 * i));
        b[6] = (unsigned char)((b[6] & 0x0f) | 0x80);
        b[8] = 0x80;
        snprintf(text, 37,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                 b[12], b[13], b[14], b[15]);
}

/* {schema, references?, id, guid} of a schema (lock held). */
static int schema_answer(const rs_schema_t *sc, json_t **out, rs_err_t *e)
{
        char guid[37];
        json_t *o;

        rs_schema_guid(sc, guid);
        o = json_pack("{s:s,s:i,s:s}", "schema", sc->text, "id", sc->id, "guid", guid);
        if (o && json_array_size(sc->refs) && json_object_set(o, "references", sc->refs)) {
                json_decref(o);
                o = NULL;
        }
        return rs_answer(o, out, e);
}

int rs_schema_get(rs_store_t *st, const char *id, json_t **out, rs_err_t *e)
{
        rs_schema_t *sc;
        int r;

        pthread_mutex_lock(&st->lock);
        sc = schema_for_id(st, id, e);
        r = sc ? schema_answer(sc, out, e) : e->code;
        pthread_mutex_unlock(&st->lock);
        return r;
}

/* The schema a GUID text names: its id is in the last 8 hex digits. */
static rs_schema_t *schema_for_guid(rs_store_t *st, const char *guid, rs_err_t *e)
{
        char have[37];
        unsigned long id = 0;
        rs_schema_t *sc = NULL;

        if (strlen(guid) == 36 && sscanf(guid + 28, "%8lx", &id) == 1 && id > 0 &&
            id <= INT32_MAX && (sc = rs_schema_by_id(st, (int)id)) && rs_schema_used(st, sc)) {
                rs_schema_guid(sc, have);
                if (!strcasecmp(have, guid))
                        return sc;
        }
        rs_fail(e, RS_E_SCHEMA_NOT_FOUND, "Schema %s not found", guid);
        return NULL;
}

int rs_schema_get_guid(rs_store_t *st, const char *guid, json_t **out, rs_err_t *e)
{
        rs_schema_t *sc;
        int r;

        pthread_mutex_lock(&st->lock);
        sc = schema_for_guid(st, guid, e);
        r = sc ? schema_answer(sc, out, e) : e->code;
        pthread_mutex_unlock(&st->lock);
        return r;
}

static int do_schema_versions(rs_store_t *st, const char *id, const rs_opts_t *o,
                              json_t **out, rs_err_t *e)
{
        rs_schema_t *sc = schema_for_id(st, id, e);
        json_t *arr;
        size_t i, k;

        if (!sc)
                return e->code;
        if (!(arr = json_array()))
                return rs_nomem(e);
        for (i = 0; i < st->n_subjects; i++) {
                rs_subject_t *s = st->subjects[i];

                for (k = 0; k < s->n; k++) {
                        if (s->v[k].schema != sc || (s->v[k].deleted && !o->deleted))
                                continue;
                        if (json_array_append_new(arr, json_pack("{s:s,s:i}", "subject",
                                                                 s->name, "version",
                                                                 s->v[k].version))) {
                                json_decref(arr);
                                return rs_nomem(e);
                        }
                }
        }
        return rs_answer(arr, out, e);
}

int rs_schema_versions(rs_store_t *st, const char *id, const rs_opts_t *o, json_t **out,
                       rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_schema_versions(st, id, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int rs_subjects(rs_store_t *st, const rs_opts_t *o, json_t **out, rs_err_t *e)
{
        const char **names;
        json_t *arr = json_array();
        size_t i, n = 0;
        int r = 0;

        pthread_mutex_lock(&st->lock);
        names = calloc(st->n_subjects + 1, sizeof(*names));
        for (i = 0; names && i < st->n_subjects; i++)
                if (o->deleted ? st->subjects[i]->n > 0 : rs_live_count(st->subjects[i]) > 0)
                        names[n++] = st->subjects[i]->name;
        if (names)
                qsort(names, n, sizeof(*names), cmp_str);
        for (i = 0; names && arr && i < n && r == 0; i++)
                r = json_array_append_new(arr, json_string(names[i]));
        if (!names || !arr || r) {
                json_decref(arr);
                arr = NULL;
        }
        r = rs_answer(arr, out, e);
        pthread_mutex_unlock(&st->lock);
        free(names);
        return r;
}

static int do_versions(rs_store_t *st, const char *subject, const rs_opts_t *o,
                       json_t **out, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        json_t *arr;
        size_t i;

        if (!(o->deleted ? s && s->n : rs_live_count(s)))
                return rs_subject_missing(e, subject);
        if (!(arr = json_array()))
                return rs_nomem(e);
        for (i = 0; i < s->n; i++)
                if ((o->deleted || !s->v[i].deleted) &&
                    json_array_append_new(arr, json_integer(s->v[i].version))) {
                        json_decref(arr);
                        return rs_nomem(e);
                }
        return rs_answer(arr, out, e);
}

int rs_versions(rs_store_t *st, const char *subject, const rs_opts_t *o, json_t **out,
                rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_versions(st, subject, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

/* The subject and the version `text` names, for reading. */
static int find_version(rs_store_t *st, const char *subject, const char *text, int deleted,
                        rs_subject_t **sp, rs_version_t **vp, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        int v, r;

        if ((r = rs_parse_version(text, &v, e)))
                return r;
        if (!(deleted ? s && s->n : rs_live_count(s)))
                return rs_subject_missing(e, subject);
        if (!(*vp = rs_version_find(s, v, deleted)))
                return rs_fail(e, RS_E_VERSION_NOT_FOUND, "Version %s not found.", text);
        *sp = s;
        return 0;
}

int rs_version_get(rs_store_t *st, const char *subject, const char *version,
                   const rs_opts_t *o, json_t **out, rs_err_t *e)
{
        rs_subject_t *s;
        rs_version_t *v;
        int r;

        pthread_mutex_lock(&st->lock);
        r = find_version(st, subject, version, o->deleted, &s, &v, e);
        if (r == 0)
                r = rs_answer(rs_version_json(s, v), out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

static int do_delete_version(rs_store_t *st, const char *subject, const char *text,
                             const rs_opts_t *o, json_t **out, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        rs_version_t *v;
        int num, r;

        if ((r = rs_parse_version(text, &num, e)))
                return r;
        if (!s || !s->n)
                return rs_subject_missing(e, subject);
        /* "latest" is the latest live version, or for a permanent delete
         * the latest of all */
        if (!(v = rs_version_find(s, num, num != 0 || o->permanent)))
                return rs_fail(e, RS_E_VERSION_NOT_FOUND, "Version %s not found.", text);
        if (!o->permanent && v->deleted)
                return rs_fail(e, RS_E_VERSION_SOFT_DELETED, "Subject '%s' Version %d was "
                               "soft deleted. Set permanent=true to delete permanently",
                               subject, v->version);
        if (o->permanent && !v->deleted)
                return rs_fail(e, RS_E_VERSION_NOT_SOFT_DELETED, "Subject '%s' Version %d "
                               "was not deleted first before being permanently deleted",
                               subject, v->version);
        if (rs_version_referenced(st, subject, v->version))
                return rs_fail(e, RS_E_REFERENCE_EXISTS, "One or more references exist to "
                               "the schema {subject=%s,version=%d}", subject, v->version);
        num = v->version;
        r = rs_commit(st, json_pack("{s:s,s:s,s:i,s:b}", "op", "delete_version", "subject",
                                 subject, "version", num, "permanent", o->permanent),
                   e);
        return r ? r : rs_answer(json_integer(num), out, e);
}

int rs_delete_version(rs_store_t *st, const char *subject, const char *version,
                      const rs_opts_t *o, json_t **out, rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_delete_version(st, subject, version, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

static int do_delete_subject(rs_store_t *st, const char *subject, const rs_opts_t *o,
                             json_t **out, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        size_t i, live = rs_live_count(s);
        json_t *arr;
        int r;

        if (!s || !s->n)
                return rs_subject_missing(e, subject);
        if (!o->permanent && !live)
                return rs_fail(e, RS_E_SUBJECT_SOFT_DELETED, "Subject '%s' was soft "
                               "deleted. Set permanent=true to delete permanently",
                               subject);
        if (o->permanent && live)
                return rs_fail(e, RS_E_SUBJECT_NOT_SOFT_DELETED, "Subject '%s' was not "
                               "deleted first before being permanently deleted", subject);
        if (!(arr = json_array()))
                return rs_nomem(e);
        for (i = 0; i < s->n; i++) {
                if (!o->permanent && rs_version_referenced(st, subject, s->v[i].version)) {
                        json_decref(arr);
                        return rs_fail(e, RS_E_REFERENCE_EXISTS, "One or more references "
                                       "exist to the schema {subject=%s,version=%d}",
                                       subject, s->v[i].version);
                }
                if ((o->permanent || !s->v[i].deleted) &&
                    json_array_append_new(arr, json_integer(s->v[i].version))) {
                        json_decref(arr);
                        return rs_nomem(e);
                }
        }
        r = rs_commit(st, json_pack("{s:s,s:s,s:b}", "op", "delete_subject", "subject",
                                 subject, "permanent", o->permanent),
                   e);
        if (r)
                json_decref(arr);
        return r ? r : rs_answer(arr, out, e);
}

int rs_delete_subject(rs_store_t *st, const char *subject, const rs_opts_t *o,
                      json_t **out, rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_delete_subject(st, subject, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

static int do_compat(rs_store_t *st, const char *subject, const char *version, json_t *body,
                     const rs_opts_t *o, json_t **out, rs_err_t *e)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        rs_version_t *v = NULL;
        json_t *msgs = NULL, *res;
        rs_req_t q;
        int r, ok = 0;

        memset(&q, 0, sizeof(q));
        if (version && (r = find_version(st, subject, version, 0, &s, &v, e)))
                return r;
        if ((r = rs_req_parse(st, body, &q, e)) ||
            (r = check_compat(st, s, v, &q, &ok, &msgs, e)))
                goto out;
        res = json_pack("{s:b}", "is_compatible", ok);
        if (res && o->verbose && json_object_set(res, "messages", msgs)) {
                json_decref(res);
                res = NULL;
        }
        r = rs_answer(res, out, e);
out:
        json_decref(msgs);
        rs_req_free(&q);
        return r;
}

int rs_compat(rs_store_t *st, const char *subject, const char *version, json_t *body,
              const rs_opts_t *o, json_t **out, rs_err_t *e)
{
        int r;

        pthread_mutex_lock(&st->lock);
        r = do_compat(st, subject, version, body, o, out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

/* ---------------------------------------------------------------- config */

int rs_config_get(rs_store_t *st, const char *subject, const rs_opts_t *o, json_t **out,
                  rs_err_t *e)
{
        rs_subject_t *s;
        int r;

        pthread_mutex_lock(&st->lock);
        s = subject ? rs_subject_find(st, subject) : NULL;
        if (subject && !(s && s->has_level) && !o->default_to_global)
                r = rs_fail(e, RS_E_NO_SUBJECT_CONFIG, "Subject '%s' does not have "
                            "subject-level compatibility configured", subject);
        else
                r = rs_answer(json_pack("{s:s}", "compatibilityLevel",
                                     kafkit_avro_compat_level_name(subject_level(st, s))),
                           out, e);
        pthread_mutex_unlock(&st->lock);
        return r;
}

int rs_config_put(rs_store_t *st, const char *subject, json_t *body, json_t **out,
                  rs_err_t *e)
{
        const char *name = json_string_value(json_object_get(body, "compatibility"));
        kafkit_avro_compat_level_t level;
        json_t *op;
        int r;

        if (!name || kafkit_avro_compat_level_parse(name, &level, NULL))
                return rs_fail(e, RS_E_INVALID_LEVEL, "Invalid compatibility level. "
                               "Valid values are none, backward, forward, full, "
                               "backward_transitive, forward_transitive, and "
                               "full_transitive");
        op = json_pack("{s:s,s:s,s:s*}", "op", "config", "level", name, "subject", subject);
        pthread_mutex_lock(&st->lock);
        r = rs_commit(st, op, e);
        pthread_mutex_unlock(&st->lock);
        return r ? r : rs_answer(json_pack("{s:s}", "compatibility", name), out, e);
}

int rs_config_delete(rs_store_t *st, const char *subject, json_t **out, rs_err_t *e)
{
        rs_subject_t *s;
        const char *old;
        int r;

        pthread_mutex_lock(&st->lock);
        s = rs_subject_find(st, subject);
        if (!s || !s->has_level) {
                r = rs_fail(e, RS_E_NO_SUBJECT_CONFIG, "Subject '%s' does not have "
                            "subject-level compatibility configured", subject);
        } else {
                old = kafkit_avro_compat_level_name(s->level);
                r = rs_commit(st, json_pack("{s:s,s:s}", "op", "config", "subject", subject), e);
                if (!r)
                        r = rs_answer(json_pack("{s:s}", "compatibilityLevel", old), out, e);
        }
        pthread_mutex_unlock(&st->lock);
        return r;
}
