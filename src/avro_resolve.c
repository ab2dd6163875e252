/*
 * avro_resolve.c: Avro schema resolution: reading data written with one
 * schema (the writer's) as another (the reader's), to JSON.
 *
 * All the matching is done once, in kafkit_avro_resolver_new(), into a plan
 * graph parallel to the writer schema: which writer fields to skip, which
 * reader field each one fills, which reader fields take their (pre-encoded)
 * defaults, enum index maps, union branch choices and promotions. Decoding
 * a record then only walks the plan. Plans are memoised per (writer,
 * reader) pair, so recursive types give cyclic plans, like the schemas.
 *
 * Record fields come out in the reader's order. When the writer's fields
 * that the reader keeps are already in that order and the defaulted ones
 * come last (the usual case: fields added at the end), decoding streams
 * through the record once; otherwise a first pass notes where each writer
 * field starts (skipping them) and a second decodes them in reader order.
 */
#include "avro_internal.h"

#include <stdio.h>
#include <stdlib.h>

typedef enum rs_kind_e {
        RS_SAME,        /* identical encoding: decode with the reader node */
        RS_PROMOTE,     /* int->long/float/double, long->float/double,
                         * float->double, string<->bytes */
        RS_RECORD,
        RS_ENUM,
        RS_ARRAY,
        RS_MAP,
        RS_WUNION,      /* writer union: a plan per writer branch */
        RS_RUNION       /* writer non-union into a reader union branch */
} rs_kind_t;

typedef struct rs_plan_s rs_plan_t;

typedef struct rs_wfield_s {
        const av_field_t *wf;
        const av_field_t *rf;   /* NULL: skipped */
        rs_plan_t *plan;
} rs_wfield_t;

struct rs_plan_s {
        rs_kind_t kind;
        const av_node_t *w, *r;
        /* record */
        rs_wfield_t *wfields;
        const av_field_t **defaulted;
        size_t n_defaulted;
        /* per reader field: the writer field it reads, or -1 (default) */
        int *rorder;
        int in_order;           /* writer order already gives reader order */
        /* enum: writer index -> reader index, -1 unknown without default */
        int *enum_map;
        /* array items, map values, reader-union branch value */
        rs_plan_t *items;
        /* writer union: per writer branch, NULL when the reader has no place */
        rs_plan_t **branches;
        /* reader union: chosen branch */
        size_t rbranch;
};

struct kafkit_avro_resolver_s {
        rs_plan_t *root;
        rs_plan_t **plans;
        size_t n_plans, cap_plans;
};

typedef struct rs_build_s {
        kafkit_avro_resolver_t *rv;
        kafkit_error_t *err;
        char path[512];
        size_t plen;
} rs_build_t;

/* ------------------------------------------------------------- building */

static kafkit_err_t berr(rs_build_t *b, const char *fmt, ...) KAFKIT_PRINTF(2, 3);

static kafkit_err_t berr(rs_build_t *b, const char *fmt, ...)
{
        char msg[400];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return kafkit_err_set(b->err, KAFKIT_ERR_PARSE, 0, "resolving %s: %s", b->path, msg);
}

static size_t bpush(rs_build_t *b, const char *fmt, ...) KAFKIT_PRINTF(2, 3);

static size_t bpush(rs_build_t *b, const char *fmt, ...)
{
        va_list ap;
        size_t old;

        va_start(ap, fmt);
        old = av_path_vpush(b->path, sizeof(b->path), &b->plen, fmt, ap);
        va_end(ap);
        return old;
}

static void bpop(rs_build_t *b, size_t old)
{
        av_path_pop(b->path, &b->plen, old);
}

static rs_plan_t *plan_new(rs_build_t *b, rs_kind_t kind, const av_node_t *w,
                           const av_node_t *r)
{
        kafkit_avro_resolver_t *rv = b->rv;
        rs_plan_t *p;

        if (rv->n_plans == rv->cap_plans) {
                size_t cap = rv->cap_plans ? rv->cap_plans * 2 : 16;
                rs_plan_t **v = realloc(rv->plans, cap * sizeof(*v));

                if (!v)
                        return NULL;
                rv->plans = v;
                rv->cap_plans = cap;
        }
        if (!(p = calloc(1, sizeof(*p))))
                return NULL;
        p->kind = kind;
        p->w = w;
        p->r = r;
        rv->plans[rv->n_plans++] = p;
        return p;
}

static int is_primitive(const av_node_t *n)
{
        return n->type <= AV_STRING;
}

/* The two rules avro_compat.c shares (see avro_internal.h). */
int av_can_promote(av_type_t w, av_type_t r)
{
        switch (w) {
        case AV_INT: return r == AV_LONG || r == AV_FLOAT || r == AV_DOUBLE;
        case AV_LONG: return r == AV_FLOAT || r == AV_DOUBLE;
        case AV_FLOAT: return r == AV_DOUBLE;
        case AV_STRING: return r == AV_BYTES;
        case AV_BYTES: return r == AV_STRING;
        default: return 0;
        }
}

int av_names_match(const av_node_t *w, const av_node_t *r)
{
        size_t i;

        if (!strcmp(w->fullname, r->fullname) || !strcmp(w->name, r->name))
                return 1;
        for (i = 0; i < r->n_aliases; i++)
                if (!strcmp(r->aliases[i], w->fullname))
                        return 1;
        return 0;
}

/* Would `w` resolve to `r` without looking inside records? (union choice) */
static int shallow_match(const av_node_t *w, const av_node_t *r, int exact)
{
        if (w->type != r->type)
                return !exact && av_can_promote(w->type, r->type);
        if (w->fullname)
                return av_names_match(w, r);
        return 1;
}

static kafkit_err_t build(rs_build_t *b, const av_node_t *w, const av_node_t *r,
                          rs_plan_t **out);

static const av_field_t *reader_field_for(const av_node_t *r, const av_field_t *wf)
{
        size_t i, k;

        for (i = 0; i < r->n_fields; i++)
                if (!strcmp(r->fields[i].name, wf->name))
                        return &r->fields[i];
        for (i = 0; i < r->n_fields; i++)
                for (k = 0; k < r->fields[i].n_aliases; k++)
                        if (!strcmp(r->fields[i].aliases[k], wf->name))
                                return &r->fields[i];
        return NULL;
}

static kafkit_err_t build_record(rs_build_t *b, rs_plan_t *p)
{
        const av_node_t *w = p->w, *r = p->r;
        char *used = calloc(r->n_fields + 1, 1);
        kafkit_err_t ret = KAFKIT_OK;
        size_t i, k, old;

        p->wfields = calloc(w->n_fields + 1, sizeof(*p->wfields));
        p->defaulted = calloc(r->n_fields + 1, sizeof(*p->defaulted));
        if (!used || !p->wfields || !p->defaulted) {
                ret = kafkit_err_set(b->err, KAFKIT_ERR_NOMEM, 0, "resolving: out of memory");
                goto out;
        }
        for (i = 0; i < w->n_fields; i++) {
                const av_field_t *rf = reader_field_for(r, &w->fields[i]);

                p->wfields[i].wf = &w->fields[i];
                if (!rf)
                        continue;       /* dropped by the reader: skipped */
                p->wfields[i].rf = rf;
                used[rf - r->fields] = 1;
                old = bpush(b, ".%s", rf->name);
                if ((ret = build(b, w->fields[i].type, rf->type, &p->wfields[i].plan)))
                        goto out;
                bpop(b, old);
        }
        for (k = 0; k < r->n_fields; k++) {
                if (used[k])
                        continue;
                if (!r->fields[k].def_bin) {
                        ret = berr(b, "reader field \"%s\" of %s is not in the writer's "
                                      "record and has no default",
                                   r->fields[k].name, r->fullname);
                        goto out;
                }
                p->defaulted[p->n_defaulted++] = &r->fields[k];
        }
        if (!(p->rorder = malloc((r->n_fields + 1) * sizeof(*p->rorder)))) {
                ret = kafkit_err_set(b->err, KAFKIT_ERR_NOMEM, 0, "resolving: out of memory");
                goto out;
        }
        for (k = 0; k < r->n_fields; k++)
                p->rorder[k] = -1;
        for (i = 0; i < w->n_fields; i++)
                if (p->wfields[i].rf)
                        p->rorder[p->wfields[i].rf - r->fields] = (int)i;
        /* in order: the kept writer fields' reader positions rise, and
         * every defaulted reader field comes after them */
        p->in_order = 1;
        for (k = 1; k < r->n_fields; k++) {
                int a = p->rorder[k - 1], c = p->rorder[k];

                if ((a >= 0 && c >= 0 && c < a) || (a < 0 && c >= 0))
                        p->in_order = 0;
        }
out:
        free(used);
        return ret;
}

static kafkit_err_t build_enum(rs_build_t *b, rs_plan_t *p)
{
        size_t i, k;

        p->enum_map = calloc(p->w->n_symbols + 1, sizeof(int));
        if (!p->enum_map)
                return kafkit_err_set(b->err, KAFKIT_ERR_NOMEM, 0, "resolving: out of memory");
        for (i = 0; i < p->w->n_symbols; i++) {
                p->enum_map[i] = p->r->enum_default;
                for (k = 0; k < p->r->n_symbols; k++)
                        if (!strcmp(p->w->symbols[i], p->r->symbols[k]))
                                p->enum_map[i] = (int)k;
        }
        return KAFKIT_OK;
}

/* Writer union: each branch resolved on its own; a branch the reader
 * cannot take is only an error if a record uses it. */
static void plan_free(rs_plan_t *p)
{
        free(p->wfields);
        free(p->defaulted);
        free(p->rorder);
        free(p->enum_map);
        free(p->branches);
        free(p);
}

/* Drops the plans made since `mark`: only they can point at each other. */
static void plans_truncate(kafkit_avro_resolver_t *rv, size_t mark)
{
        while (rv->n_plans > mark)
                plan_free(rv->plans[--rv->n_plans]);
}

static kafkit_err_t build_wunion(rs_build_t *b, rs_plan_t *p)
{
        kafkit_error_t scratch;
        kafkit_error_t *saved = b->err;
        size_t i;

        p->branches = calloc(p->w->n_branches + 1, sizeof(*p->branches));
        if (!p->branches)
                return kafkit_err_set(b->err, KAFKIT_ERR_NOMEM, 0, "resolving: out of memory");
        for (i = 0; i < p->w->n_branches; i++) {
                size_t mark = b->rv->n_plans;
                kafkit_err_t r;

                b->err = &scratch;
                r = build(b, p->w->branches[i], p->r, &p->branches[i]);
                b->err = saved;
                if (r == KAFKIT_ERR_NOMEM)
                        return kafkit_err_set(b->err, r, 0, "resolving: out of memory");
                if (r) {
                        /* forget the half-built plans, or the memo would reuse them */
                        p->branches[i] = NULL;
                        plans_truncate(b->rv, mark);
                }
        }
        return KAFKIT_OK;
}

/* Writer non-union into a reader union: the first branch of the same type
 * (and name), else the first it promotes or resolves to. */
static kafkit_err_t build_runion(rs_build_t *b, rs_plan_t *p)
{
        const av_node_t *r = p->r;
        int exact;
        size_t i;

        for (exact = 1; exact >= 0; exact--) {
                for (i = 0; i < r->n_branches; i++) {
                        if (!shallow_match(p->w, r->branches[i], exact))
                                continue;
                        p->rbranch = i;
                        return build(b, p->w, r->branches[i], &p->items);
                }
        }
        return berr(b, "writer type %s matches no branch of the reader's union",
                    av_branch_name(p->w));
}

static rs_plan_t *memo_find(rs_build_t *b, const av_node_t *w, const av_node_t *r)
{
        size_t i;

        for (i = 0; i < b->rv->n_plans; i++)
                if (b->rv->plans[i]->w == w && b->rv->plans[i]->r == r)
                        return b->rv->plans[i];
        return NULL;
}

static kafkit_err_t build(rs_build_t *b, const av_node_t *w, const av_node_t *r,
                          rs_plan_t **out)
{
        rs_kind_t kind;
        rs_plan_t *p;

        if ((*out = memo_find(b, w, r)))
                return KAFKIT_OK;
        if (w->type == AV_UNION)
                kind = RS_WUNION;
        else if (r->type == AV_UNION)
                kind = RS_RUNION;
        else if (w->type == r->type && is_primitive(w))
                kind = RS_SAME;
        else if (av_can_promote(w->type, r->type))
                kind = RS_PROMOTE;
        else if (w->type != r->type)
                return berr(b, "writer's %s cannot be read as %s", av_branch_name(w),
                            av_branch_name(r));
        else if (w->fullname && !av_names_match(w, r))
                return berr(b, "writer's %s does not match reader's %s", w->fullname,
                            r->fullname);
        else if (w->type == AV_FIXED && w->size != r->size)
                return berr(b, "fixed %s has %zu bytes, the reader's %zu", w->fullname,
                            w->size, r->size);
        else
                kind = w->type == AV_RECORD ? RS_RECORD
                       : w->type == AV_ENUM ? RS_ENUM
                       : w->type == AV_ARRAY ? RS_ARRAY
                       : w->type == AV_MAP   ? RS_MAP
                                             : RS_SAME; /* fixed */
        if (!(p = plan_new(b, kind, w, r)))
                return kafkit_err_set(b->err, KAFKIT_ERR_NOMEM, 0, "resolving: out of memory");
        *out = p;
        switch (kind) {
        case RS_RECORD: return build_record(b, p);
        case RS_ENUM: return build_enum(b, p);
        case RS_ARRAY:
        case RS_MAP: {
                size_t old = bpush(b, kind == RS_ARRAY ? "[]" : "{}");
                kafkit_err_t ret = build(b, w->items, r->items, &p->items);

                if (!ret)
                        bpop(b, old);
                return ret;
        }
        case RS_WUNION: return build_wunion(b, p);
        case RS_RUNION: return build_runion(b, p);
        default: return KAFKIT_OK;
        }
}

void kafkit_avro_resolver_destroy(kafkit_avro_resolver_t *rv)
{
        size_t i;

        if (!rv)
                return;
        for (i = 0; i < rv->n_plans; i++)
                plan_free(rv->plans[i]);
        free(rv->plans);
        free(rv);
}

kafkit_avro_resolver_t *kafkit_avro_resolver_new(const kafkit_avro_schema_t *writer,
                                                 const kafkit_avro_schema_t *reader,
                                                 kafkit_error_t *err)
{
        rs_build_t b = { .err = err, .path = "$", .plen = 1 };

        if (!writer || !reader) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "resolving: two schemas needed");
                return NULL;
        }
        if (!(b.rv = calloc(1, sizeof(*b.rv)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "resolving: out of memory");
                return NULL;
        }
        if (build(&b, writer->root, reader->root, &b.rv->root) != KAFKIT_OK) {
                kafkit_avro_resolver_destroy(b.rv);
                return NULL;
        }
        return b.rv;
}

/* -------------------------------------------------------------- decoding */

static int rs_dec(av_dec_t *d, const rs_plan_t *p, int depth);

static int put(av_dec_t *d, const char *s, size_t n)
{
        return av_buf_put(d->out, s, n) ? av_dec_oom(d) : 0;
}

static int rs_promote(av_dec_t *d, const rs_plan_t *p)
{
        av_type_t rt = p->r->type;
        char num[40];
        size_t len;
        int64_t v;

        switch (p->w->type) {
        case AV_INT:
        case AV_LONG:
                if (av_read_long(d, &v))
                        return -1;
                if (rt == AV_LONG)
                        return put(d, num, av_fmt_int64(num, v));
                return put(d, num, rt == AV_FLOAT ? av_fmt_float(num, (float)v)
                                                  : av_fmt_double(num, (double)v));
        case AV_FLOAT: {
                uint32_t u = 0;
                float f;
                int i;

                if ((size_t)(d->end - d->p) < 4)
                        return av_dec_fail(d, d->p, "truncated: float needs 4 bytes");
                for (i = 3; i >= 0; i--)
                        u = (u << 8) | d->p[i];
                memcpy(&f, &u, 4);
                d->p += 4;
                return put(d, num, av_fmt_double(num, (double)f));
        }
        default:        /* string <-> bytes */
                if (av_read_len(d, &len, av_type_name(p->w->type)))
                        return -1;
                return av_dec_put_str(d, rt == AV_STRING, len);
        }
}

/* A reader default: its pre-encoded binary, decoded with the reader type. */
static int rs_default(av_dec_t *d, const av_field_t *rf, int depth)
{
        av_dec_t sub;

        av_dec_init(&sub, rf->def_bin, rf->def_bin_len,
                    d->style | (d->decimal_text ? KAFKIT_AVRO_JSON_DECIMAL_TEXT : 0), d->out);
        if (av_dec_value(&sub, rf->type, depth) == 0)
                return 0;
        d->nomem = sub.nomem;
        return av_dec_fail(d, d->p, "default of field \"%s\": %s", rf->name, sub.msg);
}

/* Writer fields in another order than the reader's: note where each one
 * starts, then decode them in reader order. */
static int rs_record_reordered(av_dec_t *d, const rs_plan_t *p, int depth)
{
        const unsigned char *stack_pos[32], **pos = stack_pos, *end;
        size_t i, nw = p->w->n_fields, nr = p->r->n_fields;
        int64_t budget = d->empty_budget;
        int r = -1;

        if (nw > 32 && !(pos = malloc(nw * sizeof(*pos))))
                return av_dec_oom(d);
        for (i = 0; i < nw; i++) {
                pos[i] = d->p;
                if (av_skip_value(d, p->wfields[i].wf->type, depth)) {
                        av_dec_push_field(d, p->wfields[i].wf->name);
                        goto out;
                }
        }
        end = d->p;
        d->empty_budget = budget;       /* the decode pass counts them again */
        if (put(d, "{", 1))
                goto out;
        for (i = 0; i < nr; i++) {
                const av_field_t *rf = &p->r->fields[i];
                int wi = p->rorder[i];

                if ((i && put(d, ",", 1)) || put(d, rf->key, rf->key_len))
                        goto out;
                if (wi < 0) {
                        if (rs_default(d, rf, depth))
                                goto out;
                        continue;
                }
                d->p = pos[wi];
                if (rs_dec(d, p->wfields[wi].plan, depth)) {
                        av_dec_push_field(d, p->wfields[wi].wf->name);
                        goto out;
                }
        }
        d->p = end;
        r = put(d, "}", 1);
out:
        if (pos != stack_pos)
                free(pos);
        return r;
}

static int rs_record(av_dec_t *d, const rs_plan_t *p, int depth)
{
        int first = 1;
        size_t i;

        if (!p->in_order)
                return rs_record_reordered(d, p, depth);
        if (put(d, "{", 1))
                return -1;
        for (i = 0; i < p->w->n_fields; i++) {
                const rs_wfield_t *f = &p->wfields[i];
                int r;

                if (!f->rf) {
                        r = av_skip_value(d, f->wf->type, depth);
                } else {
                        if ((!first && put(d, ",", 1)) || put(d, f->rf->key, f->rf->key_len))
                                return -1;
                        first = 0;
                        r = rs_dec(d, f->plan, depth);
                }
                if (r) {
                        av_dec_push_field(d, f->wf->name);
                        return -1;
                }
        }
        for (i = 0; i < p->n_defaulted; i++) {
                const av_field_t *rf = p->defaulted[i];

                if ((!first && put(d, ",", 1)) || put(d, rf->key, rf->key_len) ||
                    rs_default(d, rf, depth))
                        return -1;
                first = 0;
        }
        return put(d, "}", 1);
}

static int rs_enum(av_dec_t *d, const rs_plan_t *p)
{
        const unsigned char *at = d->p;
        int64_t idx;
        int ri;

        if (av_read_index(d, 0, p->w->n_symbols, &idx))
                return -1;
        ri = p->enum_map[idx];
        if (ri < 0)
                return av_dec_fail(d, at,
                                   "symbol \"%s\" is unknown to the reader's enum %s, "
                                   "which has no default",
                                   p->w->symbols[idx], p->r->fullname);
        return put(d, p->r->sym_json[ri], p->r->sym_json_len[ri]);
}

static int rs_blocks(av_dec_t *d, const rs_plan_t *p, int depth)
{
        int is_map = p->kind == RS_MAP;
        int64_t count, idx = 0;
        const char *key = NULL;
        size_t klen = 0;

        if (put(d, is_map ? "{" : "[", 1))
                return -1;
        for (;;) {
                if (av_read_block(d, p->w->items, &count)) {
                        /* the item where a block was due, as dec_array() says */
                        if (!is_map)
                                av_dec_push_index(d, idx);
                        return -1;
                }
                if (count == 0)
                        break;
                for (; count > 0; count--, idx++) {
                        if (idx && put(d, ",", 1))
                                return -1;
                        if (is_map && av_dec_map_key(d, &key, &klen))
                                return -1;
                        if (rs_dec(d, p->items, depth)) {
                                if (is_map)
                                        av_dec_push_key(d, key, klen);
                                else
                                        av_dec_push_index(d, idx);
                                return -1;
                        }
                }
        }
        return put(d, is_map ? "}" : "]", 1);
}

static int rs_wunion(av_dec_t *d, const rs_plan_t *p, int depth)
{
        const unsigned char *at = d->p;
        int64_t idx;

        if (av_read_index(d, 1, p->w->n_branches, &idx))
                return -1;
        if (!p->branches[idx])
                return av_dec_fail(d, at, "writer's union branch %s has no match in the "
                                          "reader's schema",
                                   av_branch_name(p->w->branches[idx]));
        return rs_dec(d, p->branches[idx], depth);
}

static int rs_runion(av_dec_t *d, const rs_plan_t *p, int depth)
{
        const av_node_t *rb = p->r->branches[p->rbranch];

        if (d->style == KAFKIT_AVRO_JSON_PLAIN || rb->type == AV_NULL)
                return rs_dec(d, p->items, depth);
        if (put(d, p->r->wrap[p->rbranch], p->r->wrap_len[p->rbranch]) ||
            rs_dec(d, p->items, depth))
                return -1;
        return put(d, "}", 1);
}

static int rs_dec(av_dec_t *d, const rs_plan_t *p, int depth)
{
        switch (p->kind) {
        case RS_SAME:
                return av_dec_value(d, p->r, depth);
        case RS_PROMOTE:
                return rs_promote(d, p);
        case RS_ENUM:
                return rs_enum(d, p);
        default:
                break;
        }
        if (++depth > KAFKIT_AVRO_MAX_DEPTH)
                return av_dec_fail(d, d->p, "nesting deeper than %d", KAFKIT_AVRO_MAX_DEPTH);
        switch (p->kind) {
        case RS_RECORD:
                return rs_record(d, p, depth);
        case RS_ARRAY:
        case RS_MAP:
                return rs_blocks(d, p, depth);
        case RS_WUNION:
                return rs_wunion(d, p, depth);
        default:
                return rs_runion(d, p, depth);
        }
}

kafkit_err_t kafkit_avro_resolver_decode_json(const kafkit_avro_resolver_t *rv,
                                              const void *data,
                                              size_t len,
                                              kafkit_avro_json_style_t style,
                                              kafkit_buf_t *out,
                                              kafkit_error_t *err)
{
        size_t saved;
        av_dec_t d;

        if (!rv || !out || (!data && len))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "avro decode: resolver, data and out are required");
        saved = out->len;
        av_dec_init(&d, data ? data : "", len, style, out);
        return av_dec_finish(&d, rs_dec(&d, rv->root, 0), saved, err);
}
