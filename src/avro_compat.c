/*
 * avro_compat.c: Avro schema compatibility, as Schema Registry checks it.
 *
 * kafkit_avro_compat_check() answers "can a reader with schema R read every
 * value written with schema W?" by walking both schema graphs side by side
 * with Avro's resolution rules. Unlike the resolver (avro_resolve.c), which
 * builds a plan and leaves some failures to decode time (an enum symbol or
 * union branch the reader lacks fails only when a record uses it), this
 * walk is strict and reports every problem it finds, each with the path in
 * the reader schema where it is, in Avro's vocabulary (TYPE_MISMATCH,
 * READER_FIELD_MISSING_DEFAULT_VALUE...).
 *
 * Recursive types are cycles in the model: a (reader, writer) pair of
 * nodes is visited once; meeting it again (while still inside it, or
 * later) assumes it compatible, since its problems are reported the first
 * time. Levels (BACKWARD, FULL_TRANSITIVE...) are a loop over the existing
 * schemas choosing the direction of each check.
 */
#include "avro_internal.h"

#include <stdio.h>
#include <stdlib.h>

struct kafkit_avro_compat_reasons_s {
        char **msgs;
        size_t n, cap;
};

typedef struct cc_pair_s {
        const av_node_t *r, *w;
} cc_pair_t;

/* One check: the pairs visited, the current path and the verdict. */
typedef struct cc_s {
        kafkit_avro_compat_reasons_t *reasons;  /* NULL: only the verdict */
        const char *suffix;                     /* appended to messages */
        int compatible;
        int nomem;
        cc_pair_t *seen;
        size_t n_seen, cap_seen;
        char path[1024];
        size_t plen;
} cc_t;

/* --------------------------------------------------------------- levels */

static const char *const level_names[KAFKIT_AVRO_COMPAT__COUNT] = {
        [KAFKIT_AVRO_COMPAT_NONE] = "NONE",
        [KAFKIT_AVRO_COMPAT_BACKWARD] = "BACKWARD",
        [KAFKIT_AVRO_COMPAT_BACKWARD_TRANSITIVE] = "BACKWARD_TRANSITIVE",
        [KAFKIT_AVRO_COMPAT_FORWARD] = "FORWARD",
        [KAFKIT_AVRO_COMPAT_FORWARD_TRANSITIVE] = "FORWARD_TRANSITIVE",
        [KAFKIT_AVRO_COMPAT_FULL] = "FULL",
        [KAFKIT_AVRO_COMPAT_FULL_TRANSITIVE] = "FULL_TRANSITIVE",
};

const char *kafkit_avro_compat_level_name(kafkit_avro_compat_level_t level)
{
        return (unsigned)level < KAFKIT_AVRO_COMPAT__COUNT ? level_names[level] : "?";
}

kafkit_err_t kafkit_avro_compat_level_parse(const char *name,
                                            kafkit_avro_compat_level_t *level,
                                            kafkit_error_t *err)
{
        int i;

        for (i = 0; name && i < KAFKIT_AVRO_COMPAT__COUNT; i++) {
                if (!strcmp(name, level_names[i])) {
                        *level = (kafkit_avro_compat_level_t)i;
                        return KAFKIT_OK;
                }
        }
        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                              "invalid compatibility level \"%s\": expected NONE, "
                              "BACKWARD, BACKWARD_TRANSITIVE, FORWARD, "
                              "FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE",
                              name ? name : "(null)");
}

/* -------------------------------------------------------------- reasons */

kafkit_avro_compat_reasons_t *kafkit_avro_compat_reasons_new(void)
{
        return calloc(1, sizeof(kafkit_avro_compat_reasons_t));
}

void kafkit_avro_compat_reasons_destroy(kafkit_avro_compat_reasons_t *reasons)
{
        size_t i;

        if (!reasons)
                return;
        for (i = 0; i < reasons->n; i++)
                free(reasons->msgs[i]);
        free(reasons->msgs);
        free(reasons);
}

size_t kafkit_avro_compat_reasons_count(const kafkit_avro_compat_reasons_t *reasons)
{
        return reasons ? reasons->n : 0;
}

const char *kafkit_avro_compat_reasons_get(const kafkit_avro_compat_reasons_t *reasons,
                                           size_t i)
{
        return reasons && i < reasons->n ? reasons->msgs[i] : NULL;
}

static int reasons_add(kafkit_avro_compat_reasons_t *reasons, const char *msg)
{
        char *copy;

        if (reasons->n == reasons->cap) {
                size_t cap = reasons->cap ? reasons->cap * 2 : 8;
                char **v = realloc(reasons->msgs, cap * sizeof(*v));

                if (!v)
                        return -1;
                reasons->msgs = v;
                reasons->cap = cap;
        }
        if (!(copy = strdup(msg)))
                return -1;
        reasons->msgs[reasons->n++] = copy;
        return 0;
}

/* ---------------------------------------------------------------- check */

/* Records one incompatibility of `kind` at the current path (+ `sub`). */
static void cc_fail(cc_t *c, const char *kind, const char *sub, const char *fmt, ...)
        KAFKIT_PRINTF(4, 5);

static void cc_fail(cc_t *c, const char *kind, const char *sub, const char *fmt, ...)
{
        char detail[512], msg[2048];
        va_list ap;

        c->compatible = 0;
        if (!c->reasons)
                return;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        snprintf(msg, sizeof(msg), "%s at %s%s: %s%s", kind,
                 c->plen || *sub ? c->path : "/", sub, detail, c->suffix);
        if (reasons_add(c->reasons, msg))
                c->nomem = 1;
}

static size_t cc_push(cc_t *c, const char *fmt, ...) KAFKIT_PRINTF(2, 3);

static size_t cc_push(cc_t *c, const char *fmt, ...)
{
        va_list ap;
        size_t old;

        va_start(ap, fmt);
        old = av_path_vpush(c->path, sizeof(c->path), &c->plen, fmt, ap);
        va_end(ap);
        return old;
}

static void cc_pop(cc_t *c, size_t old)
{
        av_path_pop(c->path, &c->plen, old);
}

/* 1 if the pair was visited already; else marks it visited and returns 0
 * (or -1 out of memory). */
static int cc_seen(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        size_t i;

        for (i = 0; i < c->n_seen; i++)
                if (c->seen[i].r == r && c->seen[i].w == w)
                        return 1;
        if (c->n_seen == c->cap_seen) {
                size_t cap = c->cap_seen ? c->cap_seen * 2 : 32;
                cc_pair_t *v = realloc(c->seen, cap * sizeof(*v));

                if (!v)
                        return -1;
                c->seen = v;
                c->cap_seen = cap;
        }
        c->seen[c->n_seen].r = r;
        c->seen[c->n_seen].w = w;
        c->n_seen++;
        return 0;
}

/* Named types match by unqualified name (as Avro's checker does, so a
 * namespace may change), full name, or a reader alias of the writer's. */
static void check_name(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        if (!av_names_match(w, r))
                cc_fail(c, "NAME_MISMATCH", "/name", "expected: %s, found: %s", w->fullname,
                        r->fullname);
}

static void check(cc_t *c, const av_node_t *r, const av_node_t *w);

/* The writer field a reader field reads: same name, else a reader alias. */
static const av_field_t *writer_field_for(const av_node_t *w, const av_field_t *rf)
{
        size_t i, k;

        for (i = 0; i < w->n_fields; i++)
                if (!strcmp(w->fields[i].name, rf->name))
                        return &w->fields[i];
        for (k = 0; k < rf->n_aliases; k++)
                for (i = 0; i < w->n_fields; i++)
                        if (!strcmp(w->fields[i].name, rf->aliases[k]))
                                return &w->fields[i];
        return NULL;
}

static void check_record(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        char sub[320];
        size_t i, old;

        check_name(c, r, w);
        for (i = 0; i < r->n_fields; i++) {
                const av_field_t *rf = &r->fields[i];
                const av_field_t *wf = writer_field_for(w, rf);

                if (!wf) {
                        if (!rf->def) {
                                snprintf(sub, sizeof(sub), "/fields/%zu (field '%s')", i,
                                         rf->name);
                                cc_fail(c, "READER_FIELD_MISSING_DEFAULT_VALUE", sub,
                                        "the reader's field has no default and the "
                                        "writer has no such field");
                        }
                        continue;
                }
                old = cc_push(c, "/fields/%zu/type", i);
                check(c, rf->type, wf->type);
                cc_pop(c, old);
        }
}

static int has_symbol(const av_node_t *n, const char *sym)
{
        size_t i;

        for (i = 0; i < n->n_symbols; i++)
                if (!strcmp(n->symbols[i], sym))
                        return 1;
        return 0;
}

static void check_enum(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        char missing[400];
        size_t i, len = 0, cnt = 0;

        check_name(c, r, w);
        if (r->enum_default >= 0)
                return;
        missing[0] = '\0';
        for (i = 0; i < w->n_symbols; i++) {
                if (has_symbol(r, w->symbols[i]))
                        continue;
                if (len < sizeof(missing))
                        len += (size_t)snprintf(missing + len, sizeof(missing) - len,
                                                "%s%s", cnt ? ", " : "", w->symbols[i]);
                cnt++;
        }
        if (cnt)
                cc_fail(c, "MISSING_ENUM_SYMBOLS", "/symbols",
                        "the reader lacks the writer's symbol%s [%s] and has no "
                        "default", cnt == 1 ? "" : "s", missing);
}

/*
 * A dry run: would `w` be readable as `r`? Reports nothing. It starts from
 * the caller's visited pairs, so a recursive type met again inside the dry
 * run is assumed compatible instead of being walked forever. (A pair that
 * already failed is assumed too: the verdict is already "incompatible".)
 */
static int readable(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        cc_t sub;
        int ok;

        memset(&sub, 0, sizeof(sub));
        sub.compatible = 1;
        sub.suffix = "";
        if (c->n_seen) {
                if (!(sub.seen = malloc(c->n_seen * sizeof(*sub.seen)))) {
                        c->nomem = 1;
                        return 0;
                }
                memcpy(sub.seen, c->seen, c->n_seen * sizeof(*sub.seen));
                sub.n_seen = sub.cap_seen = c->n_seen;
        }
        check(&sub, r, w);
        ok = sub.compatible;
        if (sub.nomem)
                c->nomem = 1;
        free(sub.seen);
        return ok;
}

/* A non-union writer into a reader union: some branch must read it. */
static void check_reader_union(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        size_t i;

        for (i = 0; i < r->n_branches; i++)
                if (readable(c, r->branches[i], w))
                        return;
        cc_fail(c, "MISSING_UNION_BRANCH", "",
                "reader union lacking writer type: %s", av_branch_name(w));
}

/* Every branch of a writer union must be readable by `r`. */
static void check_writer_union(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        size_t i, old;

        for (i = 0; i < w->n_branches; i++) {
                old = cc_push(c, "/%zu", i);
                check(c, r, w->branches[i]);
                cc_pop(c, old);
        }
}

static void check_same_type(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        size_t old;

        switch (r->type) {
        case AV_RECORD:
                check_record(c, r, w);
                break;
        case AV_ENUM:
                check_enum(c, r, w);
                break;
        case AV_FIXED:
                check_name(c, r, w);
                if (r->size != w->size)
                        cc_fail(c, "FIXED_SIZE_MISMATCH", "/size",
                                "expected: %zu, found: %zu", w->size, r->size);
                break;
        case AV_ARRAY:
        case AV_MAP:
                old = cc_push(c, r->type == AV_ARRAY ? "/items" : "/values");
                check(c, r->items, w->items);
                cc_pop(c, old);
                break;
        case AV_UNION:
                check_writer_union(c, r, w);
                break;
        default:        /* primitives: same type, same encoding */
                break;
        }
}

static void check(cc_t *c, const av_node_t *r, const av_node_t *w)
{
        int seen;

        if (c->nomem)
                return;
        /* Unions are not memoised: the same pair of unions is checked again
         * under each writer branch path, and holds no cycle by itself. */
        if (r->type != AV_UNION || w->type != AV_UNION) {
                seen = cc_seen(c, r, w);
                if (seen) {
                        if (seen < 0)
                                c->nomem = 1;
                        return;
                }
        }
        if (r->type == w->type)
                check_same_type(c, r, w);
        else if (w->type == AV_UNION)
                check_writer_union(c, r, w);
        else if (r->type == AV_UNION)
                check_reader_union(c, r, w);
        else if (!av_can_promote(w->type, r->type))
                cc_fail(c, "TYPE_MISMATCH", "",
                        "reader type: %s not compatible with writer type: %s",
                        av_branch_name(r), av_branch_name(w));
}

/* One reader/writer check appending messages ending with `suffix`. */
static kafkit_err_t check_pair(const kafkit_avro_schema_t *reader,
                               const kafkit_avro_schema_t *writer,
                               const char *suffix,
                               int *compatible,
                               kafkit_avro_compat_reasons_t *reasons,
                               kafkit_error_t *err)
{
        cc_t c;

        memset(&c, 0, sizeof(c));
        c.reasons = reasons;
        c.suffix = suffix;
        c.compatible = 1;
        check(&c, reader->root, writer->root);
        free(c.seen);
        if (c.nomem) {
                *compatible = 0;
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "schema compatibility check: out of memory");
        }
        *compatible = c.compatible;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_avro_compat_check(const kafkit_avro_schema_t *reader,
                                      const kafkit_avro_schema_t *writer,
                                      int *compatible,
                                      kafkit_avro_compat_reasons_t *reasons,
                                      kafkit_error_t *err)
{
        int dummy;

        if (!compatible)
                compatible = &dummy;
        *compatible = 0;
        if (!reader || !writer)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "schema compatibility check: no %s schema",
                                      reader ? "writer" : "reader");
        return check_pair(reader, writer, "", compatible, reasons, err);
}

/* Checks `cand` against one existing schema in the directions `level`
 * asks for; *ok is cleared on any problem. */
static kafkit_err_t check_one(kafkit_avro_compat_level_t level,
                              const kafkit_avro_schema_t *cand,
                              const kafkit_avro_schema_t *old,
                              const char *label,
                              int *ok,
                              kafkit_avro_compat_reasons_t *reasons,
                              kafkit_error_t *err)
{
        int backward = level != KAFKIT_AVRO_COMPAT_FORWARD &&
                       level != KAFKIT_AVRO_COMPAT_FORWARD_TRANSITIVE;
        int forward = level != KAFKIT_AVRO_COMPAT_BACKWARD &&
                      level != KAFKIT_AVRO_COMPAT_BACKWARD_TRANSITIVE;
        char suffix[160];
        kafkit_err_t r;
        int comp;

        if (backward) {
                snprintf(suffix, sizeof(suffix), " (new schema reading %s)", label);
                if ((r = check_pair(cand, old, suffix, &comp, reasons, err)))
                        return r;
                *ok &= comp;
        }
        if (forward) {
                snprintf(suffix, sizeof(suffix), " (%s reading new schema)", label);
                if ((r = check_pair(old, cand, suffix, &comp, reasons, err)))
                        return r;
                *ok &= comp;
        }
        return KAFKIT_OK;
}

static int level_is_transitive(kafkit_avro_compat_level_t level)
{
        return level == KAFKIT_AVRO_COMPAT_BACKWARD_TRANSITIVE ||
               level == KAFKIT_AVRO_COMPAT_FORWARD_TRANSITIVE ||
               level == KAFKIT_AVRO_COMPAT_FULL_TRANSITIVE;
}

kafkit_err_t kafkit_avro_compat_check_level(kafkit_avro_compat_level_t level,
                                            const kafkit_avro_schema_t *candidate,
                                            const kafkit_avro_schema_t *const *existing,
                                            const char *const *labels,
                                            size_t n,
                                            int *compatible,
                                            kafkit_avro_compat_reasons_t *reasons,
                                            kafkit_error_t *err)
{
        char label[48];
        kafkit_err_t r;
        size_t i, first;
        int ok = 1, dummy;

        if (!compatible)
                compatible = &dummy;
        *compatible = 0;
        if ((unsigned)level >= KAFKIT_AVRO_COMPAT__COUNT || !candidate || (n && !existing))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "schema compatibility check: invalid level "
                                      "or schemas");
        if (level == KAFKIT_AVRO_COMPAT_NONE || n == 0) {
                *compatible = 1;
                return KAFKIT_OK;
        }
        first = level_is_transitive(level) ? 0 : n - 1;
        for (i = n; i-- > first;) {     /* newest first */
                if (!existing[i])
                        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "schema compatibility check: "
                                              "existing[%zu] is NULL", i);
                snprintf(label, sizeof(label), "existing[%zu]", i);
                r = check_one(level, candidate, existing[i],
                              labels && labels[i] ? labels[i] : label, &ok, reasons, err);
                if (r)
                        return r;
        }
        *compatible = ok;
        return KAFKIT_OK;
}
