/*
 * avro_canon.c: Avro's Parsing Canonical Form of a parsed schema and its
 * CRC-64-AVRO (Rabin) fingerprint, both as the Avro spec defines them.
 *
 * The form is built from the model, not from the text: primitives as bare
 * names, full names everywhere, only name/type/fields/symbols/items/values/
 * size kept in that order, no whitespace, and a named type written out at
 * its first occurrence and referenced by full name afterwards. Names and
 * symbols are validated identifiers, so they need no JSON escaping.
 */
#include "avro_internal.h"

#include <stdlib.h>

typedef struct canon_s {
        kafkit_buf_t b;
        const av_node_t **seen;
        size_t n_seen, cap_seen;
        int nomem;
} canon_t;

static void put(canon_t *c, const char *s)
{
        if (av_buf_put(&c->b, s, strlen(s)))
                c->nomem = 1;
}

static void put_str(canon_t *c, const char *s)
{
        put(c, "\"");
        put(c, s);
        put(c, "\"");
}

/* 1 if `n` was written already; else remembers it and returns 0. */
static int seen(canon_t *c, const av_node_t *n)
{
        size_t i;

        for (i = 0; i < c->n_seen; i++)
                if (c->seen[i] == n)
                        return 1;
        if (c->n_seen == c->cap_seen) {
                size_t cap = c->cap_seen ? c->cap_seen * 2 : 8;
                const av_node_t **p = realloc(c->seen, cap * sizeof(*p));

                if (!p) {
                        c->nomem = 1;
                        return 1;
                }
                c->seen = p;
                c->cap_seen = cap;
        }
        c->seen[c->n_seen++] = n;
        return 0;
}

static void canon_node(canon_t *c, const av_node_t *n)
{
        char num[24];
        size_t i;

        if (n->fullname && seen(c, n)) {
                put_str(c, n->fullname);
                return;
        }
        switch (n->type) {
        case AV_RECORD:
                put(c, "{\"name\":");
                put_str(c, n->fullname);
                put(c, ",\"type\":\"record\",\"fields\":[");
                for (i = 0; i < n->n_fields; i++) {
                        put(c, i ? ",{\"name\":" : "{\"name\":");
                        put_str(c, n->fields[i].name);
                        put(c, ",\"type\":");
                        canon_node(c, n->fields[i].type);
                        put(c, "}");
                }
                put(c, "]}");
                break;
        case AV_ENUM:
                put(c, "{\"name\":");
                put_str(c, n->fullname);
                put(c, ",\"type\":\"enum\",\"symbols\":[");
                for (i = 0; i < n->n_symbols; i++) {
                        if (i)
                                put(c, ",");
                        put_str(c, n->symbols[i]);
                }
                put(c, "]}");
                break;
        case AV_FIXED:
                put(c, "{\"name\":");
                put_str(c, n->fullname);
                put(c, ",\"type\":\"fixed\",\"size\":");
                num[av_fmt_int64(num, (int64_t)n->size)] = '\0';
                put(c, num);
                put(c, "}");
                break;
        case AV_ARRAY:
        case AV_MAP:
                put(c, n->type == AV_ARRAY ? "{\"type\":\"array\",\"items\":"
                                           : "{\"type\":\"map\",\"values\":");
                canon_node(c, n->items);
                put(c, "}");
                break;
        case AV_UNION:
                put(c, "[");
                for (i = 0; i < n->n_branches; i++) {
                        if (i)
                                put(c, ",");
                        canon_node(c, n->branches[i]);
                }
                put(c, "]");
                break;
        default:
                put_str(c, av_type_name(n->type));
                break;
        }
}

kafkit_err_t av_canonical(const av_node_t *root, char **out, kafkit_error_t *err)
{
        canon_t c = { { NULL, 0, 0 }, NULL, 0, 0, 0 };

        canon_node(&c, root);
        if (!c.nomem && av_buf_putc(&c.b, '\0'))
                c.nomem = 1;
        free(c.seen);
        if (c.nomem) {
                kafkit_buf_free(&c.b);
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "schema: out of memory for the canonical form");
        }
        *out = c.b.data;
        return KAFKIT_OK;
}

/*
 * The spec's algorithm: a table of the 256 byte-steps of the polynomial
 * (built on the stack; it is cheap and this runs once per schema), then
 * one table step per input byte.
 */
#define AV_CRC64_EMPTY 0xc15d213aa4d7a795ULL

uint64_t av_fingerprint64(const void *data, size_t len)
{
        const unsigned char *p = data;
        uint64_t table[256], fp;
        size_t i;
        int j;

        for (i = 0; i < 256; i++) {
                fp = i;
                for (j = 0; j < 8; j++)
                        fp = (fp >> 1) ^ (AV_CRC64_EMPTY & (0 - (fp & 1)));
                table[i] = fp;
        }
        fp = AV_CRC64_EMPTY;
        for (i = 0; i < len; i++)
                fp = (fp >> 8) ^ table[(fp ^ p[i]) & 0xff];
        return fp;
}
