/*
 * regsrv_store.c: the development Schema Registry's state and rules.
 *
 * Schemas are records with a global id, kept for the life of the store
 * (even when no version uses them any more), so the same schema always
 * gets the same id and an id never names another schema. Subjects hold
 * versions pointing at schemas, soft-deleted or not, and an optional
 * compatibility level. Identity of a schema is its JSON with whitespace and
 * member order ignored, plus its references; with ?normalize=true it is
 * the Parsing Canonical Form plus what that form drops but readers need
 * (defaults, aliases, logical types). The text returned is always the
 * user's own.
 *
 * Every change is first validated (regsrv_api.c), then written as one
 * "op" line to the write-ahead log (regsrv_wal.c), then applied by the same
 * apply_op() here that replays the log at start, so memory and disk cannot
 * disagree. One mutex covers everything, the log's fdatasync included:
 * simple and fine for a development server, where requests are few.
 * This file holds the state, its lookups, applying changes and the
 * store's lifecycle.
 */
#include "regsrv_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rs_http_status(int code)
{
        return code >= 10000 ? code / 100 : code;
}

int rs_fail(rs_err_t *e, int code, const char *fmt, ...)
{
        va_list ap;

        e->code = code;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        return code;
}

int rs_nomem(rs_err_t *e)
{
        return rs_fail(e, RS_E_STORE, "Error in the backend data store: out of memory");
}

/* A growable pointer array: room for one more in *v of *cap. */
static int grow(void *vp, size_t n, size_t *cap, size_t elem)
{
        void **v = vp;
        void *p;
        size_t c;

        if (n < *cap)
                return 0;
        c = *cap ? *cap * 2 : 8;
        if (!(p = realloc(*v, c * elem)))
                return -1;
        *v = p;
        *cap = c;
        return 0;
}

/* ---------------------------------------------------------------- lookup */

rs_subject_t *rs_subject_find(rs_store_t *st, const char *name)
{
        size_t i;

        for (i = 0; i < st->n_subjects; i++)
                if (!strcmp(st->subjects[i]->name, name))
                        return st->subjects[i];
        return NULL;
}

static rs_subject_t *subject_get(rs_store_t *st, const char *name)
{
        rs_subject_t *s = rs_subject_find(st, name);

        if (s)
                return s;
        if (grow(&st->subjects, st->n_subjects, &st->cap_subjects, sizeof(s)) ||
            !(s = calloc(1, sizeof(*s))))
                return NULL;
        if (!(s->name = strdup(name))) {
                free(s);
                return NULL;
        }
        st->subjects[st->n_subjects++] = s;
        return s;
}

size_t rs_live_count(const rs_subject_t *s)
{
        size_t i, n = 0;

        for (i = 0; s && i < s->n; i++)
                n += !s->v[i].deleted;
        return n;
}

/* Version `v` (0: the latest) of s; soft-deleted ones only if `deleted`. */
rs_version_t *rs_version_find(rs_subject_t *s, int v, int deleted)
{
        size_t i;

        for (i = s ? s->n : 0; i-- > 0;)
                if ((v == 0 || s->v[i].version == v) && (deleted || !s->v[i].deleted))
                        return &s->v[i];
        return NULL;
}

rs_schema_t *rs_schema_by_id(rs_store_t *st, int id)
{
        size_t i;

        for (i = 0; i < st->n_schemas; i++)
                if (st->schemas[i]->id == id)
                        return st->schemas[i];
        return NULL;
}

rs_schema_t *rs_schema_by_key(rs_store_t *st, const rs_req_t *q, int normalize)
{
        size_t i;

        for (i = 0; i < st->n_schemas; i++)
                if (!strcmp(normalize ? st->schemas[i]->nkey : st->schemas[i]->key,
                            normalize ? q->nkey : q->key))
                        return st->schemas[i];
        return NULL;
}

/* Does any version (soft-deleted too) use the schema? */
int rs_schema_used(rs_store_t *st, const rs_schema_t *sc)
{
        size_t i, k;

        for (i = 0; i < st->n_subjects; i++)
                for (k = 0; k < st->subjects[i]->n; k++)
                        if (st->subjects[i]->v[k].schema == sc)
                                return 1;
        return 0;
}

/* Does a live version's schema reference `subject` version `v`? */
int rs_version_referenced(rs_store_t *st, const char *subject, int v)
{
        size_t i, k, r;
        json_t *ref;

        for (i = 0; i < st->n_subjects; i++) {
                for (k = 0; k < st->subjects[i]->n; k++) {
                        rs_version_t *ver = &st->subjects[i]->v[k];

                        if (ver->deleted)
                                continue;
                        json_array_foreach(ver->schema->refs, r, ref) {
                                if (!strcmp(json_string_value(json_object_get(ref, "subject")),
                                            subject) &&
                                    json_integer_value(json_object_get(ref, "version")) == v)
                                        return 1;
                        }
                }
        }
        return 0;
}

/* "latest", "-1" (both 0) or 1..2^31-1. */
int rs_parse_version(const char *text, int *v, rs_err_t *e)
{
        char *end;
        long long n;

        if (!strcmp(text, "latest") || !strcmp(text, "-1")) {
                *v = 0;
                return 0;
        }
        errno = 0;
        n = strtoll(text, &end, 10);
        if (*text < '0' || *text > '9' || *end || errno || n < 1 || n > INT32_MAX)
                return rs_fail(e, RS_E_INVALID_VERSION, "The specified version '%s' is "
                               "not a valid version id. Allowed values are between "
                               "[1, 2^31-1] and the string \"latest\"", text);
        *v = (int)n;
        return 0;
}

int rs_subject_missing(rs_err_t *e, const char *subject)
{
        return rs_fail(e, RS_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
}

/* ------------------------------------------------------------- answers */

json_t *rs_version_json(const rs_subject_t *s, const rs_version_t *v)
{
        json_t *o = json_pack("{s:s,s:i,s:i,s:s}", "subject", s->name, "version",
                              v->version, "id", v->schema->id, "schema", v->schema->text);

        if (o && json_array_size(v->schema->refs) &&
            json_object_set(o, "references", v->schema->refs)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

int rs_answer(json_t *o, json_t **out, rs_err_t *e)
{
        if (!o)
                return rs_nomem(e);
        *out = o;
        return 0;
}

/* ------------------------------------------------------------ applying */

static int apply_fail(char *why, size_t size, const char *fmt, ...) KAFKIT_PRINTF(3, 4);

static int apply_fail(char *why, size_t size, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, size, fmt, ap);
        va_end(ap);
        return -1;
}

/* A new schema record from an op's "schema" and "references". */
static rs_schema_t *apply_new_schema(rs_store_t *st, json_t *op, int id, char *why,
                                     size_t size)
{
        json_t *body = json_pack("{s:O,s:O*}", "schema", json_object_get(op, "schema"),
                                 "references", json_object_get(op, "references"));
        rs_schema_t *sc = NULL;
        rs_req_t q;
        rs_err_t e;

        e.code = 0;
        if (!body || rs_req_parse(st, body, &q, &e) ||
            grow(&st->schemas, st->n_schemas, &st->cap_schemas, sizeof(sc)) ||
            !(sc = calloc(1, sizeof(*sc))) || !(sc->text = strdup(q.text))) {
                apply_fail(why, size, "schema id %d: %s", id,
                           body && e.code ? e.msg : "out of memory");
                free(sc);
                sc = NULL;
        } else {
                sc->id = id;
                sc->refs = q.refs;
                sc->deps = q.deps;
                sc->n_deps = q.n_deps;
                sc->avro = q.avro;
                sc->key = q.key;
                sc->nkey = q.nkey;
                memset(&q, 0, sizeof(q));
                st->schemas[st->n_schemas++] = sc;
                if (id > st->max_id)
                        st->max_id = id;
        }
        if (body)
                rs_req_free(&q);
        json_decref(body);
        return sc;
}

static int apply_register(rs_store_t *st, json_t *op, const char *subject, char *why,
                          size_t size)
{
        json_int_t id = json_integer_value(json_object_get(op, "id"));
        json_int_t v = json_integer_value(json_object_get(op, "version"));
        rs_subject_t *s = subject_get(st, subject);
        rs_schema_t *sc = rs_schema_by_id(st, (int)id);

        if (!s)
                return apply_fail(why, size, "out of memory");
        if (id < 1 || id > INT32_MAX || v < 1 || v > INT32_MAX ||
            (s->n && s->v[s->n - 1].version >= v))
                return apply_fail(why, size, "bad id %lld or version %lld for subject "
                                  "'%s'", (long long)id, (long long)v, subject);
        if (json_object_get(op, "schema")) {
                if (sc)
                        return apply_fail(why, size, "schema id %lld defined twice",
                                          (long long)id);
                if (!(sc = apply_new_schema(st, op, (int)id, why, size)))
                        return -1;
        } else if (!sc) {
                return apply_fail(why, size, "unknown schema id %lld", (long long)id);
        }
        if (grow(&s->v, s->n, &s->cap, sizeof(*s->v)))
                return apply_fail(why, size, "out of memory");
        s->v[s->n].version = (int)v;
        s->v[s->n].deleted = 0;
        s->v[s->n].schema = sc;
        s->n++;
        return 0;
}

static void version_remove(rs_subject_t *s, rs_version_t *v)
{
        size_t i = (size_t)(v - s->v);

        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
        s->n--;
}

static int apply_delete(rs_store_t *st, json_t *op, const char *subject, int whole,
                        char *why, size_t size)
{
        rs_subject_t *s = rs_subject_find(st, subject);
        int permanent = json_is_true(json_object_get(op, "permanent"));
        json_int_t ver = json_integer_value(json_object_get(op, "version"));
        rs_version_t *v;
        size_t i;

        if (!s)
                return apply_fail(why, size, "unknown subject '%s'", subject);
        if (whole) {
                for (i = s->n; i-- > 0;)
                        if (permanent)
                                version_remove(s, &s->v[i]);
                        else
                                s->v[i].deleted = 1;
                return 0;
        }
        if (ver < 1 || ver > INT32_MAX || !(v = rs_version_find(s, (int)ver, 1)))
                return apply_fail(why, size, "subject '%s' has no version %lld", subject,
                                  (long long)ver);
        if (permanent)
                version_remove(s, v);
        else
                v->deleted = 1;
        return 0;
}

static int apply_config(rs_store_t *st, json_t *op, const char *subject, char *why,
                        size_t size)
{
        const char *name = json_string_value(json_object_get(op, "level"));
        kafkit_avro_compat_level_t level = KAFKIT_AVRO_COMPAT_BACKWARD;
        rs_subject_t *s = NULL;

        if (name && kafkit_avro_compat_level_parse(name, &level, NULL))
                return apply_fail(why, size, "bad level \"%s\"", name);
        if (subject && !(s = subject_get(st, subject)))
                return apply_fail(why, size, "out of memory");
        if (!s)
                st->level = level;
        else {
                s->has_level = name != NULL;
                s->level = level;
        }
        return 0;
}

/* Applies one change: live (after it is logged) and at replay. */
static int apply_op(void *opaque, json_t *op, char *why, size_t size)
{
        rs_store_t *st = opaque;
        const char *kind = json_string_value(json_object_get(op, "op"));
        const char *subject = json_string_value(json_object_get(op, "subject"));

        if (!kind || (!subject && strcmp(kind, "config")))
                return apply_fail(why, size, "not a registry change");
        if (!strcmp(kind, "register"))
                return apply_register(st, op, subject, why, size);
        if (!strcmp(kind, "delete_version"))
                return apply_delete(st, op, subject, 0, why, size);
        if (!strcmp(kind, "delete_subject"))
                return apply_delete(st, op, subject, 1, why, size);
        if (!strcmp(kind, "config"))
                return apply_config(st, op, subject, why, size);
        return apply_fail(why, size, "unknown change \"%s\"", kind);
}

/* Logs `op` (taking it) and applies it. */
int rs_commit(rs_store_t *st, json_t *op, rs_err_t *e)
{
        kafkit_error_t kerr;
        char why[512];
        int r = 0;

        if (!op)
                return rs_nomem(e);
        if (st->wal && rs_wal_append(st->wal, op, &kerr))
                r = rs_fail(e, RS_E_STORE, "Error in the backend data store: %s",
                            kerr.message);
        else if (apply_op(st, op, why, sizeof(why)))
                r = rs_fail(e, RS_E_STORE, "Error in the backend data store: %s", why);
        json_decref(op);
        return r;
}

/* ------------------------------------------------------------ lifecycle */

rs_store_t *rs_store_open(const char *dir, const kafkit_logger_t *lg, kafkit_error_t *err)
{
        rs_store_t *st = calloc(1, sizeof(*st));

        if (!st) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "schema registry: out of memory");
                return NULL;
        }
        pthread_mutex_init(&st->lock, NULL);
        st->lg = lg;
        st->level = KAFKIT_AVRO_COMPAT_BACKWARD;
        if (dir && !(st->wal = rs_wal_open(dir, lg, apply_op, st, err))) {
                rs_store_close(st);
                return NULL;
        }
        if (dir)
                kafkit_log(lg, KAFKIT_LOG_DEBUG, "REGISTRY", "%s: %zu schemas, %zu subjects, "
                           "highest id %d", dir, st->n_schemas, st->n_subjects, st->max_id);
        return st;
}

void rs_store_close(rs_store_t *st)
{
        size_t i;

        if (!st)
                return;
        rs_wal_close(st->wal);
        for (i = 0; i < st->n_schemas; i++) {
                rs_schema_t *sc = st->schemas[i];

                free(sc->text);
                json_decref(sc->refs);
                free(sc->deps);
                free(sc->key);
                free(sc->nkey);
                kafkit_avro_schema_destroy(sc->avro);
                free(sc);
        }
        for (i = 0; i < st->n_subjects; i++) {
                free(st->subjects[i]->name);
                free(st->subjects[i]->v);
                free(st->subjects[i]);
        }
        free(st->schemas);
        free(st->subjects);
        pthread_mutex_destroy(&st->lock);
        free(st);
}
