/*
 * serdes_schema.c: a schema with Schema Registry references, parsed.
 *
 * A reference {name, subject, version} says "the named type `name` is
 * defined by version `version` of `subject`", which may itself reference
 * others. kafkit_avro_schema_new_with_refs() wants the referenced texts
 * in dependency order, so the references are walked depth first (post
 * order): each (subject, version) is fetched once and listed once, even
 * when several schemas share it, and meeting one that is still being
 * walked is a cycle. The registry client caches numbered versions, and
 * the serdes caches the parsed result per id, so this runs once per
 * schema.
 */
#include "serdes_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper reference chains than this are refused (a guard, not a limit
 * any real schema meets). */
#define KAFKIT_SERDES_MAX_REF_DEPTH 64

typedef struct kafkit_dep_s {
        const kafkit_registry_schema_t *rs;     /* subject, version, text */
        int done;                               /* 0: still being walked */
} kafkit_dep_t;

typedef struct kafkit_walk_s {
        kafkit_registry_t *reg;
        kafkit_dep_t *deps;                     /* every version met */
        size_t n_deps, cap_deps;
        const char **order;                     /* texts, dependencies first */
        size_t n_order;
        kafkit_error_t *err;
} kafkit_walk_t;

kafkit_err_t kafkit_serdes_rerr(kafkit_error_t *err, const kafkit_registry_error_t *re)
{
        if (err)
                *err = re->error;
        return re->error.code;
}

static kafkit_dep_t *kafkit_walk_find(kafkit_walk_t *w, const kafkit_registry_schema_t *rs)
{
        size_t i;

        for (i = 0; i < w->n_deps; i++)
                if (w->deps[i].rs->version == rs->version &&
                    !strcmp(w->deps[i].rs->subject ? w->deps[i].rs->subject : "",
                            rs->subject ? rs->subject : ""))
                        return &w->deps[i];
        return NULL;
}

/* Adds rs (taking the reference) as being walked. */
static kafkit_err_t kafkit_walk_add(kafkit_walk_t *w, const kafkit_registry_schema_t *rs)
{
        if (w->n_deps == w->cap_deps) {
                size_t cap = w->cap_deps ? w->cap_deps * 2 : 8;
                kafkit_dep_t *d = realloc(w->deps, cap * sizeof(*d));
                const char **o = realloc(w->order, cap * sizeof(*o));

                if (d)
                        w->deps = d;
                if (o)
                        w->order = o;
                if (!d || !o) {
                        kafkit_registry_schema_destroy(rs);
                        return kafkit_err_set(w->err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                }
                w->cap_deps = cap;
        }
        w->deps[w->n_deps].rs = rs;
        w->deps[w->n_deps].done = 0;
        w->n_deps++;
        return KAFKIT_OK;
}

static kafkit_err_t kafkit_walk_refs(kafkit_walk_t *w, const kafkit_registry_ref_t *refs,
                                     size_t cnt, int depth);

/* Walks one reference: fetch, walk its own references, then list it. */
static kafkit_err_t kafkit_walk_ref(kafkit_walk_t *w, const kafkit_registry_ref_t *ref,
                                    int depth)
{
        kafkit_registry_error_t re;
        const kafkit_registry_schema_t *rs;
        kafkit_dep_t *d;
        size_t idx;
        kafkit_err_t code;

        if (!ref->subject)
                return kafkit_err_set(w->err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "schema reference '%s' has no subject",
                                      ref->name ? ref->name : "");
        if (kafkit_registry_get_version(w->reg, ref->subject,
                                        ref->version > 0 ? ref->version
                                                         : KAFKIT_REGISTRY_LATEST,
                                        &rs, &re) != KAFKIT_OK)
                return kafkit_err_set(w->err, re.error.code, 0,
                                      "schema reference '%s' (subject '%s' version %d): %s",
                                      ref->name ? ref->name : "", ref->subject, ref->version,
                                      re.error.message);
        if ((d = kafkit_walk_find(w, rs))) {
                int done = d->done;

                kafkit_registry_schema_destroy(rs);
                if (done)
                        return KAFKIT_OK;
                return kafkit_err_set(w->err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "schema reference cycle: subject '%s' version %d "
                                      "references itself through '%s'",
                                      ref->subject, d->rs->version,
                                      ref->name ? ref->name : "");
        }
        if (depth >= KAFKIT_SERDES_MAX_REF_DEPTH)
                return kafkit_err_set(w->err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "schema references nested deeper than %d at subject '%s'",
                                      KAFKIT_SERDES_MAX_REF_DEPTH, ref->subject);
        if ((code = kafkit_walk_add(w, rs)) != KAFKIT_OK)
                return code;
        idx = w->n_deps - 1;
        if ((code = kafkit_walk_refs(w, rs->refs, rs->ref_cnt, depth + 1)) != KAFKIT_OK)
                return code;
        w->deps[idx].done = 1;
        w->order[w->n_order++] = w->deps[idx].rs->schema;
        return KAFKIT_OK;
}

static kafkit_err_t kafkit_walk_refs(kafkit_walk_t *w, const kafkit_registry_ref_t *refs,
                                     size_t cnt, int depth)
{
        size_t i;
        kafkit_err_t code;

        for (i = 0; i < cnt; i++)
                if ((code = kafkit_walk_ref(w, &refs[i], depth)) != KAFKIT_OK)
                        return code;
        return KAFKIT_OK;
}

kafkit_avro_schema_t *kafkit_serdes_schema_parse(kafkit_registry_t *reg,
                                                 const char *text,
                                                 const kafkit_registry_ref_t *refs,
                                                 size_t ref_cnt,
                                                 kafkit_error_t *err)
{
        kafkit_walk_t w = { reg, NULL, 0, 0, NULL, 0, err };
        kafkit_avro_schema_t *s = NULL;
        size_t i;

        if (ref_cnt && !refs) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "NULL schema references");
                return NULL;
        }
        if (kafkit_walk_refs(&w, refs, ref_cnt, 0) == KAFKIT_OK)
                s = kafkit_avro_schema_new_with_refs(text, (size_t)-1, w.order, w.n_order, err);
        for (i = 0; i < w.n_deps; i++)
                kafkit_registry_schema_destroy(w.deps[i].rs);
        free(w.deps);
        free(w.order);
        return s;
}
