/*
 * avro_schema.c: parses Avro schema JSON (with jansson) into kafkit's
 * compact model (avro_internal.h), validating it as the Avro spec says.
 *
 * Parsing happens once per schema, so it may be thorough: names and
 * namespaces are resolved to full names, every field default is checked by
 * encoding it (and kept in binary for the resolver), and the hot-path
 * strings (field keys, quoted symbols, union wrappers) are built here.
 * Errors name the JSON path in the schema: `$.fields[2].type: ...`.
 */
#include "avro_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct av_parse_s {
        kafkit_avro_schema_t *s;
        kafkit_error_t *err;
        char path[512];
        size_t plen;
} av_parse_t;

static const char *const av_type_names[AV__COUNT] = {
        [AV_NULL] = "null",     [AV_BOOLEAN] = "boolean", [AV_INT] = "int",
        [AV_LONG] = "long",     [AV_FLOAT] = "float",     [AV_DOUBLE] = "double",
        [AV_BYTES] = "bytes",   [AV_STRING] = "string",   [AV_RECORD] = "record",
        [AV_ENUM] = "enum",     [AV_ARRAY] = "array",     [AV_MAP] = "map",
        [AV_UNION] = "union",   [AV_FIXED] = "fixed",
};

const char *av_type_name(av_type_t type)
{
        return (unsigned)type < AV__COUNT ? av_type_names[type] : "?";
}

const char *av_branch_name(const av_node_t *n)
{
        return n->fullname ? n->fullname : av_type_name(n->type);
}

/* -------------------------------------------------------------- helpers */

static kafkit_err_t perr(av_parse_t *pc, const char *fmt, ...) KAFKIT_PRINTF(2, 3);

static kafkit_err_t perr(av_parse_t *pc, const char *fmt, ...)
{
        char msg[400];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return kafkit_err_set(pc->err, KAFKIT_ERR_PARSE, 0, "schema %s: %s", pc->path, msg);
}

static kafkit_err_t pnomem(av_parse_t *pc)
{
        return kafkit_err_set(pc->err, KAFKIT_ERR_NOMEM, 0, "schema %s: out of memory",
                              pc->path);
}

size_t av_path_vpush(char *path, size_t size, size_t *len, const char *fmt, va_list ap)
{
        size_t old = *len;
        int n = vsnprintf(path + old, size - old, fmt, ap);

        if (n > 0)
                *len = old + (size_t)n < size ? old + (size_t)n : size - 1;
        return old;
}

/* Appends a path segment; returns the length to restore with path_pop(). */
static size_t path_push(av_parse_t *pc, const char *fmt, ...) KAFKIT_PRINTF(2, 3);

static size_t path_push(av_parse_t *pc, const char *fmt, ...)
{
        va_list ap;
        size_t old;

        va_start(ap, fmt);
        old = av_path_vpush(pc->path, sizeof(pc->path), &pc->plen, fmt, ap);
        va_end(ap);
        return old;
}

static void path_pop(av_parse_t *pc, size_t old)
{
        av_path_pop(pc->path, &pc->plen, old);
}

static char *xstrdup(const char *s)
{
        size_t n = strlen(s) + 1;
        char *p = malloc(n);

        if (p)
                memcpy(p, s, n);
        return p;
}

/* "a" + "." + "b", or just b when a is empty. */
static char *join_name(const char *ns, const char *name)
{
        size_t a = strlen(ns), b = strlen(name);
        char *p = malloc(a + b + 2);

        if (!p)
                return NULL;
        if (a) {
                memcpy(p, ns, a);
                p[a++] = '.';
        }
        memcpy(p + a, name, b + 1);
        return p;
}

static int is_primitive_name(const char *s, av_type_t *t)
{
        int i;

        for (i = AV_NULL; i <= AV_STRING; i++) {
                if (!strcmp(s, av_type_names[i])) {
                        if (t)
                                *t = (av_type_t)i;
                        return 1;
                }
        }
        return 0;
}

/* One name component: [A-Za-z_][A-Za-z0-9_]* */
static int valid_simple_name(const char *s, size_t len)
{
        size_t i;

        if (!len || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') ||
                      (s[0] >= 'a' && s[0] <= 'z')))
                return 0;
        for (i = 1; i < len; i++) {
                char c = s[i];

                if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9')))
                        return 0;
        }
        return 1;
}

/* Dotted name; an empty string is valid only when `allow_empty`. */
static int valid_full_name(const char *s, int allow_empty)
{
        const char *dot;

        if (!*s)
                return allow_empty;
        while ((dot = strchr(s, '.'))) {
                if (!valid_simple_name(s, (size_t)(dot - s)))
                        return 0;
                s = dot + 1;
        }
        return valid_simple_name(s, strlen(s));
}

static av_node_t *node_new(av_parse_t *pc, av_type_t type)
{
        kafkit_avro_schema_t *s = pc->s;
        av_node_t *n;

        if (s->n_nodes == s->cap_nodes) {
                size_t cap = s->cap_nodes ? s->cap_nodes * 2 : 16;
                av_node_t **p = realloc(s->nodes, cap * sizeof(*p));

                if (!p)
                        return NULL;
                s->nodes = p;
                s->cap_nodes = cap;
        }
        n = calloc(1, sizeof(*n));
        if (!n)
                return NULL;
        n->type = type;
        n->enum_default = -1;
        s->nodes[s->n_nodes++] = n;
        return n;
}

static av_node_t *find_named(av_parse_t *pc, const char *fullname)
{
        size_t i;

        for (i = 0; i < pc->s->n_nodes; i++) {
                av_node_t *n = pc->s->nodes[i];

                if (n->fullname && !strcmp(n->fullname, fullname))
                        return n;
        }
        return NULL;
}

/* A reference: "Foo" in namespace ns means ns.Foo, else Foo. */
static av_node_t *resolve_ref(av_parse_t *pc, const char *name, const char *ns)
{
        av_node_t *n = NULL;
        char *full;

        if (!strchr(name, '.') && *ns) {
                full = join_name(ns, name);
                if (!full)
                        return NULL;
                n = find_named(pc, full);
                free(full);
        }
        return n ? n : find_named(pc, name);
}

/* ------------------------------------------------------------- parsing */

static kafkit_err_t parse_type(av_parse_t *pc, json_t *j, const char *ns, av_node_t **out);

/* Names a new named type from "name" and "namespace" and registers it. */
static kafkit_err_t parse_name(av_parse_t *pc, json_t *obj, const char *ns, av_node_t *n)
{
        json_t *jname = json_object_get(obj, "name");
        json_t *jns = json_object_get(obj, "namespace");
        const char *name, *dot;

        if (!json_is_string(jname))
                return perr(pc, "%s needs a string \"name\"", av_type_name(n->type));
        name = json_string_value(jname);
        if (!valid_full_name(name, 0))
                return perr(pc, "invalid name \"%s\"", name);
        if (jns && !json_is_null(jns)) {
                if (!json_is_string(jns) || !valid_full_name(json_string_value(jns), 1))
                        return perr(pc, "invalid \"namespace\"");
                ns = json_string_value(jns);
        }
        if ((dot = strrchr(name, '.'))) {
                n->fullname = xstrdup(name);
                n->ns = n->fullname ? strndup(name, (size_t)(dot - name)) : NULL;
        } else {
                n->fullname = join_name(ns, name);
                n->ns = xstrdup(ns);
        }
        if (!n->fullname || !n->ns)
                return pnomem(pc);
        n->name = (dot = strrchr(n->fullname, '.')) ? dot + 1 : n->fullname;
        if (is_primitive_name(n->name, NULL) && !*n->ns)
                return perr(pc, "a named type cannot be called \"%s\"", n->name);
        if (find_named(pc, n->fullname) != n)
                return perr(pc, "type \"%s\" is defined twice", n->fullname);
        return KAFKIT_OK;
}

/* Optional "aliases": names, made full relative to `ns`. */
static kafkit_err_t parse_aliases(av_parse_t *pc, json_t *obj, const char *ns, int full,
                                  char ***out, size_t *cnt)
{
        json_t *ja = json_object_get(obj, "aliases"), *v;
        size_t i, old;

        if (!ja)
                return KAFKIT_OK;
        old = path_push(pc, ".aliases");
        if (!json_is_array(ja))
                return perr(pc, "must be an array of names");
        *out = calloc(json_array_size(ja) + 1, sizeof(char *));
        if (!*out)
                return pnomem(pc);
        json_array_foreach(ja, i, v) {
                const char *a = json_string_value(v);

                if (!a || !valid_full_name(a, 0) || (!full && strchr(a, '.')))
                        return perr(pc, "invalid alias at [%zu]", i);
                (*out)[i] = full && !strchr(a, '.') ? join_name(ns, a) : xstrdup(a);
                if (!(*out)[i])
                        return pnomem(pc);
                *cnt = i + 1;
        }
        path_pop(pc, old);
        return KAFKIT_OK;
}

static kafkit_err_t parse_field(av_parse_t *pc, json_t *jf, const char *ns, av_field_t *f)
{
        json_t *jname = json_object_get(jf, "name");
        json_t *jtype = json_object_get(jf, "type");
        json_t *jorder = json_object_get(jf, "order");
        kafkit_err_t r;
        size_t old;

        if (!json_is_object(jf))
                return perr(pc, "a field must be an object");
        if (!json_is_string(jname) ||
            !valid_simple_name(json_string_value(jname), json_string_length(jname)))
                return perr(pc, "field needs a valid \"name\"");
        if (!jtype)
                return perr(pc, "field \"%s\" has no \"type\"", json_string_value(jname));
        if (jorder && !(json_is_string(jorder) &&
                        (!strcmp(json_string_value(jorder), "ascending") ||
                         !strcmp(json_string_value(jorder), "descending") ||
                         !strcmp(json_string_value(jorder), "ignore"))))
                return perr(pc, "\"order\" must be ascending, descending or ignore");
        f->name = xstrdup(json_string_value(jname));
        f->key = f->name ? av_json_quote(f->name, &f->key_len) : NULL;
        if (!f->key)
                return pnomem(pc);
        /* append ':' after the quoted name: av_json_quote left room for NUL */
        {
                char *k = realloc(f->key, f->key_len + 2);

                if (!k)
                        return pnomem(pc);
                k[f->key_len++] = ':';
                k[f->key_len] = '\0';
                f->key = k;
        }
        if ((r = parse_aliases(pc, jf, ns, 0, &f->aliases, &f->n_aliases)))
                return r;
        old = path_push(pc, ".type");
        r = parse_type(pc, jtype, ns, &f->type);
        if (r)
                return r;
        path_pop(pc, old);
        if ((f->def = json_object_get(jf, "default")))
                json_incref(f->def);
        return KAFKIT_OK;
}

/* Encodes a field default; a union's default is for its first branch
 * (the spec), but a later branch that takes the value is accepted too. */
static kafkit_err_t encode_default(av_parse_t *pc, av_field_t *f)
{
        kafkit_buf_t b = { NULL, 0, 0 };
        kafkit_err_t r = KAFKIT_ERR_PARSE;
        kafkit_error_t scratch;
        char what[600];

        snprintf(what, sizeof(what), "schema %s", pc->path);
        if (f->type->type == AV_UNION && f->type->n_branches > 0 &&
            av_buf_putc(&b, 0) == 0)
                r = av_encode_value(f->type->branches[0], f->def, KAFKIT_AVRO_JSON_PLAIN,
                                    what, &b, &scratch);
        if (r != KAFKIT_OK) {
                b.len = 0;
                r = av_encode_value(f->type, f->def, KAFKIT_AVRO_JSON_PLAIN, what, &b,
                                    pc->err);
        }
        if (r != KAFKIT_OK) {
                kafkit_buf_free(&b);
                return r;
        }
        if (!b.data && av_buf_need(&b, 1)) /* empty default: keep non-NULL */
                return pnomem(pc);
        f->def_bin = b.data;
        f->def_bin_len = b.len;
        return KAFKIT_OK;
}

/*
 * Checks and encodes the record's field defaults once its fields are
 * parsed. Types still being parsed (enclosing records) are incomplete, so
 * a default that reaches into one fails; real schemas give such fields
 * (recursive links) a null default in a union, which is fine.
 */
static kafkit_err_t record_defaults(av_parse_t *pc, av_node_t *n)
{
        size_t k, old;
        kafkit_err_t r;

        for (k = 0; k < n->n_fields; k++) {
                if (!n->fields[k].def)
                        continue;
                old = path_push(pc, ".fields[%zu].default", k);
                if ((r = encode_default(pc, &n->fields[k])))
                        return r;
                path_pop(pc, old);
        }
        return KAFKIT_OK;
}

static kafkit_err_t parse_record(av_parse_t *pc, json_t *obj, const char *ns, av_node_t *n)
{
        json_t *jfields = json_object_get(obj, "fields"), *jf;
        kafkit_err_t r;
        size_t i, k, old;

        if ((r = parse_name(pc, obj, ns, n)) ||
            (r = parse_aliases(pc, obj, n->ns, 1, &n->aliases, &n->n_aliases)))
                return r;
        if (!json_is_array(jfields))
                return perr(pc, "record \"%s\" needs a \"fields\" array", n->fullname);
        n->fields = calloc(json_array_size(jfields) + 1, sizeof(*n->fields));
        if (!n->fields)
                return pnomem(pc);
        json_array_foreach(jfields, i, jf) {
                old = path_push(pc, ".fields[%zu]", i);
                r = parse_field(pc, jf, n->ns, &n->fields[i]);
                n->n_fields = i + 1;
                if (r)
                        return r;
                for (k = 0; k < i; k++)
                        if (!strcmp(n->fields[k].name, n->fields[i].name))
                                return perr(pc, "field \"%s\" is defined twice",
                                            n->fields[i].name);
                path_pop(pc, old);
        }
        return record_defaults(pc, n);
}

static kafkit_err_t parse_symbols(av_parse_t *pc, json_t *jsyms, av_node_t *n)
{
        size_t i, k, cnt = json_array_size(jsyms);
        json_t *v;

        n->symbols = calloc(cnt + 1, sizeof(char *));
        n->sym_json = calloc(cnt + 1, sizeof(char *));
        n->sym_json_len = calloc(cnt + 1, sizeof(size_t));
        if (!n->symbols || !n->sym_json || !n->sym_json_len)
                return pnomem(pc);
        json_array_foreach(jsyms, i, v) {
                if (!json_is_string(v) ||
                    !valid_simple_name(json_string_value(v), json_string_length(v)))
                        return perr(pc, "invalid enum symbol at .symbols[%zu]", i);
                for (k = 0; k < i; k++)
                        if (!strcmp(n->symbols[k], json_string_value(v)))
                                return perr(pc, "enum symbol \"%s\" appears twice",
                                            n->symbols[k]);
                n->symbols[i] = xstrdup(json_string_value(v));
                n->sym_json[i] = n->symbols[i] ? av_json_quote(n->symbols[i],
                                                               &n->sym_json_len[i])
                                               : NULL;
                n->n_symbols = i + 1;
                if (!n->sym_json[i])
                        return pnomem(pc);
        }
        return KAFKIT_OK;
}

static kafkit_err_t parse_enum(av_parse_t *pc, json_t *obj, const char *ns, av_node_t *n)
{
        json_t *jsyms = json_object_get(obj, "symbols");
        json_t *jdef = json_object_get(obj, "default");
        kafkit_err_t r;
        size_t i;

        if ((r = parse_name(pc, obj, ns, n)) ||
            (r = parse_aliases(pc, obj, n->ns, 1, &n->aliases, &n->n_aliases)))
                return r;
        if (!json_is_array(jsyms))
                return perr(pc, "enum \"%s\" needs a \"symbols\" array", n->fullname);
        if ((r = parse_symbols(pc, jsyms, n)))
                return r;
        if (!jdef)
                return KAFKIT_OK;
        for (i = 0; json_is_string(jdef) && i < n->n_symbols; i++)
                if (!strcmp(n->symbols[i], json_string_value(jdef)))
                        n->enum_default = (int)i;
        if (n->enum_default < 0)
                return perr(pc, "enum \"%s\": \"default\" is not one of its symbols",
                            n->fullname);
        return KAFKIT_OK;
}

static kafkit_err_t parse_fixed(av_parse_t *pc, json_t *obj, const char *ns, av_node_t *n)
{
        json_t *jsize = json_object_get(obj, "size");
        kafkit_err_t r;

        if ((r = parse_name(pc, obj, ns, n)) ||
            (r = parse_aliases(pc, obj, n->ns, 1, &n->aliases, &n->n_aliases)))
                return r;
        if (!json_is_integer(jsize) || json_integer_value(jsize) < 0 ||
            json_integer_value(jsize) > INT32_MAX)
                return perr(pc, "fixed \"%s\" needs a \"size\" from 0 to 2^31-1",
                            n->fullname);
        n->size = (size_t)json_integer_value(jsize);
        return KAFKIT_OK;
}

/* Two branches clash when neither is named and they share a type, or
 * both are named with one full name. */
static int branches_clash(const av_node_t *a, const av_node_t *b)
{
        if (a->fullname || b->fullname)
                return a->fullname && b->fullname && !strcmp(a->fullname, b->fullname);
        return a->type == b->type;
}

static kafkit_err_t union_wrappers(av_parse_t *pc, av_node_t *n)
{
        size_t i;

        n->wrap = calloc(n->n_branches + 1, sizeof(char *));
        n->wrap_len = calloc(n->n_branches + 1, sizeof(size_t));
        if (!n->wrap || !n->wrap_len)
                return pnomem(pc);
        for (i = 0; i < n->n_branches; i++) {
                char *q = av_json_quote(av_branch_name(n->branches[i]), NULL);

                if (!q)
                        return pnomem(pc);
                n->wrap[i] = malloc(strlen(q) + 3);
                if (!n->wrap[i]) {
                        free(q);
                        return pnomem(pc);
                }
                n->wrap_len[i] = (size_t)sprintf(n->wrap[i], "{%s:", q);
                free(q);
        }
        return KAFKIT_OK;
}

static kafkit_err_t parse_union(av_parse_t *pc, json_t *arr, const char *ns, av_node_t **out)
{
        av_node_t *n = node_new(pc, AV_UNION);
        size_t i, k, old;
        kafkit_err_t r;
        json_t *v;

        if (!n || !(n->branches = calloc(json_array_size(arr) + 1, sizeof(av_node_t *))))
                return pnomem(pc);
        json_array_foreach(arr, i, v) {
                av_node_t *b;

                old = path_push(pc, "[%zu]", i);
                if ((r = parse_type(pc, v, ns, &b)))
                        return r;
                if (b->type == AV_UNION)
                        return perr(pc, "a union cannot hold a union");
                for (k = 0; k < i; k++)
                        if (branches_clash(n->branches[k], b))
                                return perr(pc, "union has two branches of type \"%s\"",
                                            av_branch_name(b));
                n->branches[i] = b;
                n->n_branches = i + 1;
                path_pop(pc, old);
        }
        if ((r = union_wrappers(pc, n)))
                return r;
        *out = n;
        return KAFKIT_OK;
}

/* Most decimal digits a two's-complement number of `size` bytes holds. */
static int fixed_max_precision(size_t size)
{
        if (size == 0)
                return 0;
        if (size > 1000)
                return INT32_MAX;
        return (int)floor((double)(8 * size - 1) * log10(2.0));
}

static void parse_decimal(json_t *obj, av_node_t *n)
{
        json_t *jp = json_object_get(obj, "precision");
        json_t *js = json_object_get(obj, "scale");
        json_int_t p, s = 0;

        if (!json_is_integer(jp) || (js && !json_is_integer(js)))
                return;
        p = json_integer_value(jp);
        if (js)
                s = json_integer_value(js);
        if (p <= 0 || p > INT32_MAX || s < 0 || s > p)
                return;
        if (n->type == AV_FIXED && p > fixed_max_precision(n->size))
                return;
        /* kafkit's decimal text handles AV_DEC_MAX_BYTES (~1,232 digits);
         * a larger precision (or scale) would let a 2-byte record print
         * gigabytes of zeros: treated as an invalid logical type */
        if (p > fixed_max_precision(AV_DEC_MAX_BYTES))
                return;
        n->logical = AV_LT_DECIMAL;
        n->precision = (int)p;
        n->scale = (int)s;
}

/* Applies "logicalType" when it fits the underlying type; else ignores it
 * (the spec: an invalid logical type falls back to the underlying type). */
static void parse_logical(json_t *obj, av_node_t *n)
{
        static const struct {
                const char *name;
                av_logical_t lt;
                av_type_t type;
        } lts[] = {
                { "uuid", AV_LT_UUID, AV_STRING },
                { "uuid", AV_LT_UUID, AV_FIXED },
                { "date", AV_LT_DATE, AV_INT },
                { "time-millis", AV_LT_TIME_MILLIS, AV_INT },
                { "time-micros", AV_LT_TIME_MICROS, AV_LONG },
                { "timestamp-millis", AV_LT_TIMESTAMP_MILLIS, AV_LONG },
                { "timestamp-micros", AV_LT_TIMESTAMP_MICROS, AV_LONG },
                { "local-timestamp-millis", AV_LT_LOCAL_TIMESTAMP_MILLIS, AV_LONG },
                { "local-timestamp-micros", AV_LT_LOCAL_TIMESTAMP_MICROS, AV_LONG },
                { "duration", AV_LT_DURATION, AV_FIXED },
        };
        const char *lt = json_string_value(json_object_get(obj, "logicalType"));
        size_t i;

        if (!lt)
                return;
        if (!strcmp(lt, "decimal")) {
                if (n->type == AV_BYTES || n->type == AV_FIXED)
                        parse_decimal(obj, n);
                return;
        }
        for (i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
                if (strcmp(lt, lts[i].name) || n->type != lts[i].type)
                        continue;
                if (lts[i].lt == AV_LT_DURATION && n->size != 12)
                        continue;
                if (lts[i].lt == AV_LT_UUID && n->type == AV_FIXED && n->size != 16)
                        continue;
                n->logical = lts[i].lt;
        }
}

static kafkit_err_t parse_object(av_parse_t *pc, json_t *obj, const char *ns, av_node_t **out)
{
        json_t *jt = json_object_get(obj, "type");
        const char *t = json_string_value(jt);
        av_type_t prim;
        av_node_t *n;
        kafkit_err_t r = KAFKIT_OK;
        size_t old;

        if (!jt)
                return perr(pc, "object has no \"type\"");
        if (!t) {       /* {"type": {...}} or {"type": [...]} */
                old = path_push(pc, ".type");
                r = parse_type(pc, jt, ns, out);
                if (!r)
                        path_pop(pc, old);
                return r;
        }
        if (is_primitive_name(t, &prim)) {
                if (!(n = node_new(pc, prim)))
                        return pnomem(pc);
        } else if (!strcmp(t, "record") || !strcmp(t, "error")) {
                if (!(n = node_new(pc, AV_RECORD)))
                        return pnomem(pc);
                r = parse_record(pc, obj, ns, n);
        } else if (!strcmp(t, "enum")) {
                if (!(n = node_new(pc, AV_ENUM)))
                        return pnomem(pc);
                r = parse_enum(pc, obj, ns, n);
        } else if (!strcmp(t, "fixed")) {
                if (!(n = node_new(pc, AV_FIXED)))
                        return pnomem(pc);
                r = parse_fixed(pc, obj, ns, n);
        } else if (!strcmp(t, "array") || !strcmp(t, "map")) {
                int arr = t[0] == 'a';
                json_t *ji = json_object_get(obj, arr ? "items" : "values");

                if (!(n = node_new(pc, arr ? AV_ARRAY : AV_MAP)))
                        return pnomem(pc);
                if (!ji)
                        return perr(pc, "%s needs \"%s\"", t, arr ? "items" : "values");
                old = path_push(pc, arr ? ".items" : ".values");
                r = parse_type(pc, ji, ns, &n->items);
                if (!r)
                        path_pop(pc, old);
        } else {
                /* {"type": "SomeNamedType"} */
                old = path_push(pc, ".type");
                r = parse_type(pc, jt, ns, out);
                if (!r)
                        path_pop(pc, old);
                return r;
        }
        if (r)
                return r;
        parse_logical(obj, n);
        *out = n;
        return KAFKIT_OK;
}

static kafkit_err_t parse_type(av_parse_t *pc, json_t *j, const char *ns, av_node_t **out)
{
        av_type_t prim;

        if (json_is_string(j)) {
                const char *name = json_string_value(j);

                if (is_primitive_name(name, &prim)) {
                        if (!(*out = node_new(pc, prim)))
                                return pnomem(pc);
                        return KAFKIT_OK;
                }
                if (!(*out = resolve_ref(pc, name, ns)))
                        return perr(pc, "unknown type \"%s\"", name);
                return KAFKIT_OK;
        }
        if (json_is_array(j))
                return parse_union(pc, j, ns, out);
        if (json_is_object(j))
                return parse_object(pc, j, ns, out);
        return perr(pc, "a type must be a name, an object or an array");
}

/* ---------------------------------------------------------- post-passes */

static size_t size_add(size_t a, size_t b)
{
        return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Lower bound of a value's encoded size; a type met again while being
 * measured (recursion) counts as 0, which keeps it a lower bound. */
static size_t min_size(av_node_t *n)
{
        size_t i, sum = 0;

        switch (n->type) {
        case AV_NULL: return 0;
        case AV_FLOAT: return 4;
        case AV_DOUBLE: return 8;
        case AV_FIXED: return n->size;
        case AV_RECORD:
                if (n->state == 1)
                        return 0;
                if (n->state == 2)
                        return n->min_size;
                n->state = 1;
                for (i = 0; i < n->n_fields; i++)
                        sum = size_add(sum, min_size(n->fields[i].type));
                n->state = 2;
                return sum;
        default: return 1;
        }
}

/* ------------------------------------------------------------- lifecycle */

static void free_strv(char **v, size_t n)
{
        size_t i;

        for (i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

static void node_free(av_node_t *n)
{
        size_t i;

        for (i = 0; i < n->n_fields; i++) {
                av_field_t *f = &n->fields[i];

                free(f->name);
                free(f->key);
                if (f->def)
                        json_decref(f->def);
                free(f->def_bin);
                free_strv(f->aliases, f->n_aliases);
        }
        free(n->fields);
        free(n->fullname);
        free(n->ns);
        free_strv(n->aliases, n->n_aliases);
        free_strv(n->symbols, n->n_symbols);
        free_strv(n->sym_json, n->n_symbols);
        free(n->sym_json_len);
        free(n->branches);
        free_strv(n->wrap, n->n_branches);
        free(n->wrap_len);
        free(n);
}

void kafkit_avro_schema_destroy(kafkit_avro_schema_t *s)
{
        size_t i;

        if (!s)
                return;
        for (i = 0; i < s->n_nodes; i++)
                node_free(s->nodes[i]);
        free(s->nodes);
        free(s->text);
        free(s->canonical);
        free(s);
}

static kafkit_err_t schema_build(av_parse_t *pc, json_t *doc)
{
        kafkit_avro_schema_t *s = pc->s;
        kafkit_err_t r;
        size_t i;

        if ((r = parse_type(pc, doc, "", &s->root)))
                return r;
        for (i = 0; i < s->n_nodes; i++)
                s->nodes[i]->min_size = min_size(s->nodes[i]);
        if ((r = av_canonical(s->root, &s->canonical, pc->err)))
                return r;
        s->fingerprint = av_fingerprint64(s->canonical, strlen(s->canonical));
        return KAFKIT_OK;
}

/* Parses the referenced schemas into pc's name space, in order; their
 * nodes stay owned by the schema, which may point at them. */
static kafkit_err_t parse_refs(av_parse_t *pc, const char *const *refs, size_t n_refs)
{
        kafkit_err_t r = KAFKIT_OK;
        json_error_t jerr;
        av_node_t *root;
        json_t *doc;
        size_t i;

        if (n_refs && !refs)
                return kafkit_err_set(pc->err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "schema: %zu references but no list", n_refs);
        for (i = 0; i < n_refs && r == KAFKIT_OK; i++) {
                if (!refs[i] || !(doc = json_loads(refs[i], JSON_DECODE_ANY, &jerr)))
                        return kafkit_err_set(pc->err, KAFKIT_ERR_PARSE, 0,
                                              "schema reference [%zu]: invalid JSON "
                                              "at line %d column %d: %s", i,
                                              refs[i] ? jerr.line : 0,
                                              refs[i] ? jerr.column : 0,
                                              refs[i] ? jerr.text : "no text");
                pc->plen = 0;
                path_push(pc, "reference [%zu] $", i);
                r = parse_type(pc, doc, "", &root);
                json_decref(doc);
        }
        pc->plen = 0;
        path_push(pc, "$");
        return r;
}

kafkit_avro_schema_t *kafkit_avro_schema_new(const char *text, size_t len, kafkit_error_t *err)
{
        return kafkit_avro_schema_new_with_refs(text, len, NULL, 0, err);
}

kafkit_avro_schema_t *kafkit_avro_schema_new_with_refs(const char *text,
                                                       size_t len,
                                                       const char *const *refs,
                                                       size_t n_refs,
                                                       kafkit_error_t *err)
{
        av_parse_t pc = { .err = err, .path = "$", .plen = 1 };
        json_error_t jerr;
        json_t *doc = NULL;

        if (!text) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "schema: no text");
                return NULL;
        }
        if (len == (size_t)-1)
                len = strlen(text);
        doc = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!doc) {
                kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                               "schema: invalid JSON at line %d column %d: %s", jerr.line,
                               jerr.column, jerr.text);
                return NULL;
        }
        if (!(pc.s = calloc(1, sizeof(*pc.s))) || !(pc.s->text = strndup(text, len))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "schema: out of memory");
                goto fail;
        }
        if (parse_refs(&pc, refs, n_refs) != KAFKIT_OK || schema_build(&pc, doc) != KAFKIT_OK)
                goto fail;
        json_decref(doc);
        return pc.s;
fail:
        kafkit_avro_schema_destroy(pc.s);
        json_decref(doc);
        return NULL;
}

const char *kafkit_avro_schema_text(const kafkit_avro_schema_t *s)
{
        return s->text;
}

const char *kafkit_avro_schema_canonical(const kafkit_avro_schema_t *s)
{
        return s->canonical;
}

uint64_t kafkit_avro_schema_fingerprint(const kafkit_avro_schema_t *s)
{
        return s->fingerprint;
}

const char *kafkit_avro_schema_type_name(const kafkit_avro_schema_t *s)
{
        return av_type_name(s->root->type);
}

const char *kafkit_avro_schema_full_name(const kafkit_avro_schema_t *s)
{
        return s->root->fullname;
}
