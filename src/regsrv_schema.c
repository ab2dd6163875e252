/*
 * regsrv_schema.c: a schema in a registry request, from body to record:
 * checks the body ({schema, schemaType, references}), resolves references
 * to registered versions and gathers their texts (transitively, each once,
 * dependencies first) so the Avro parser knows the named types they
 * define, parses, and computes the two identity keys: the JSON with
 * whitespace and member order ignored, and the normalized one (Parsing
 * Canonical Form plus defaults, aliases and logical types, which that form
 * drops but readers need). Both include the references.
 */
#include "regsrv_internal.h"
#include "avro_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rs_req_free(rs_req_t *q)
{
        json_decref(q->refs);
        free(q->deps);
        kafkit_avro_schema_destroy(q->avro);
        free(q->key);
        free(q->nkey);
        memset(q, 0, sizeof(*q));
}

/* Resolves the "references" array into q->refs (normalized) and q->deps. */
static int req_refs(rs_store_t *st, json_t *jrefs, rs_req_t *q, rs_err_t *e)
{
        size_t i, n = json_array_size(jrefs);
        json_t *ref;

        if (jrefs && !json_is_array(jrefs))
                return rs_fail(e, RS_E_INVALID_SCHEMA, "Invalid schema: \"references\" "
                               "must be an array");
        if (!(q->refs = json_array()) || !(q->deps = calloc(n + 1, sizeof(*q->deps))))
                return rs_nomem(e);
        json_array_foreach(jrefs, i, ref) {
                const char *name = json_string_value(json_object_get(ref, "name"));
                const char *subj = json_string_value(json_object_get(ref, "subject"));
                json_t *jv = json_object_get(ref, "version");
                rs_version_t *ver;

                if (!name || !subj || !json_is_integer(jv))
                        return rs_fail(e, RS_E_INVALID_SCHEMA, "Invalid schema: "
                                       "references[%zu] needs \"name\", \"subject\" "
                                       "and an integer \"version\"", i);
                ver = rs_version_find(rs_subject_find(st, subj),
                                   json_integer_value(jv) > 0 &&
                                   json_integer_value(jv) <= INT32_MAX
                                           ? (int)json_integer_value(jv) : -1, 1);
                if (!ver)
                        return rs_fail(e, RS_E_INVALID_SCHEMA, "Invalid schema: "
                                       "references[%zu] (\"%s\"): subject '%s' has no "
                                       "version %lld", i, name, subj,
                                       (long long)json_integer_value(jv));
                q->deps[q->n_deps++] = ver->schema;
                if (json_array_append_new(q->refs,
                                          json_pack("{s:s,s:s,s:I}", "name", name,
                                                    "subject", subj, "version",
                                                    json_integer_value(jv))))
                        return rs_nomem(e);
        }
        return 0;
}

/* Appends the texts of sc's dependencies, then sc's, each once. */
static int collect_texts(rs_schema_t *sc, const char ***texts, rs_schema_t ***seen,
                         size_t *n, size_t *cap)
{
        size_t i;

        for (i = 0; i < *n; i++)
                if ((*seen)[i] == sc)
                        return 0;
        for (i = 0; i < sc->n_deps; i++)
                if (collect_texts(sc->deps[i], texts, seen, n, cap))
                        return -1;
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 8;
                const char **t = realloc(*texts, c * sizeof(*t));
                rs_schema_t **s;

                if (t)
                        *texts = t;
                if (!t || !(s = realloc(*seen, c * sizeof(*s))))
                        return -1;
                *seen = s;
                *cap = c;
        }
        (*texts)[*n] = sc->text;
        (*seen)[(*n)++] = sc;
        return 0;
}

/* Canonical form plus what it drops but resolution uses. */
static int norm_signature(const kafkit_avro_schema_t *s, kafkit_buf_t *b)
{
        size_t i, k, a;
        char tmp[128];

        for (i = 0; i < s->n_nodes; i++) {
                const av_node_t *n = s->nodes[i];

                snprintf(tmp, sizeof(tmp), "|%zu:%d,%d,%d,%d", i, (int)n->logical,
                         n->precision, n->scale, n->enum_default);
                if (kafkit_buf_append(b, tmp, strlen(tmp)))
                        return -1;
                for (a = 0; a < n->n_aliases; a++)
                        if (kafkit_buf_append(b, ",", 1) ||
                            kafkit_buf_append(b, n->aliases[a], strlen(n->aliases[a])))
                                return -1;
                for (k = 0; k < n->n_fields; k++) {
                        const av_field_t *f = &n->fields[k];
                        char *d = f->def ? json_dumps(f->def, JSON_COMPACT | JSON_SORT_KEYS |
                                                                  JSON_ENCODE_ANY)
                                         : NULL;
                        int bad = (f->def && !d) ||
                                  kafkit_buf_append(b, ";", 1) ||
                                  (d && kafkit_buf_append(b, d, strlen(d)));

                        free(d);
                        for (a = 0; !bad && a < f->n_aliases; a++)
                                bad = kafkit_buf_append(b, ",", 1) ||
                                      kafkit_buf_append(b, f->aliases[a],
                                                        strlen(f->aliases[a]));
                        if (bad)
                                return -1;
                }
        }
        return 0;
}

/* q->key and q->nkey from the parsed schema, its JSON and its refs. */
static int req_keys(rs_req_t *q, json_t *doc, rs_err_t *e)
{
        char *djson = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        char *rjson = json_dumps(q->refs, JSON_COMPACT | JSON_SORT_KEYS);
        const char *canon = kafkit_avro_schema_canonical(q->avro);
        kafkit_buf_t sig = { NULL, 0, 0 };
        int r = 0;

        if (!djson || !rjson || norm_signature(q->avro, &sig) ||
            !(q->key = malloc(strlen(djson) + strlen(rjson) + 2)) ||
            !(q->nkey = malloc(strlen(canon) + sig.len + strlen(rjson) + 3)))
                r = rs_nomem(e);
        else {
                sprintf(q->key, "%s\n%s", djson, rjson);
                sprintf(q->nkey, "%s\n%s\n%s", canon, sig.data ? sig.data : "", rjson);
        }
        free(djson);
        free(rjson);
        kafkit_buf_free(&sig);
        return r;
}

/* Parses an Avro schema text with its references. */
static int req_avro(rs_req_t *q, rs_err_t *e)
{
        const char **texts = NULL;
        rs_schema_t **seen = NULL;
        size_t n = 0, cap = 0, i;
        kafkit_error_t kerr;
        int r = 0;

        for (i = 0; i < q->n_deps && r == 0; i++)
                if (collect_texts(q->deps[i], &texts, &seen, &n, &cap))
                        r = rs_nomem(e);
        if (r == 0 &&
            !(q->avro = kafkit_avro_schema_new_with_refs(q->text, (size_t)-1, texts, n,
                                                         &kerr)))
                r = kerr.code == KAFKIT_ERR_NOMEM
                            ? rs_nomem(e)
                            : rs_fail(e, RS_E_INVALID_SCHEMA, "Invalid schema %s",
                                      kerr.message);
        free(texts);
        free(seen);
        return r;
}

/* Validates and parses a request body {schema, schemaType?, references?}. */
int rs_req_parse(rs_store_t *st, json_t *body, rs_req_t *q, rs_err_t *e)
{
        const char *type = json_string_value(json_object_get(body, "schemaType"));
        json_t *doc;
        int r;

        memset(q, 0, sizeof(*q));
        q->text = json_string_value(json_object_get(body, "schema"));
        if (!q->text)
                return rs_fail(e, RS_E_INVALID_SCHEMA, "Invalid schema: the request "
                               "body needs a \"schema\" string");
        if (type && strcmp(type, "AVRO"))
                return rs_fail(e, RS_E_INVALID_SCHEMA, "Invalid schema: schemaType "
                               "\"%s\" is not supported: this development registry "
                               "stores AVRO schemas only", type);
        if ((r = req_refs(st, json_object_get(body, "references"), q, e)) ||
            (r = req_avro(q, e)))
                return r;
        doc = json_loads(q->text, JSON_DECODE_ANY, NULL);
        if (!doc)
                return rs_nomem(e); /* parsed once already: only memory fails */
        r = req_keys(q, doc, e);
        json_decref(doc);
        return r;
}
