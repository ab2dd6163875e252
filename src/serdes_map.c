/*
 * serdes_map.c: the chained hash map behind the serdes caches.
 *
 * Items are the caller's; the map stores pointers and hashes. The caller
 * passes the hash and an equality test on each lookup, so a key made of a
 * pointer and a topic, or of schema text and references, is compared in
 * place and a lookup allocates nothing. The table doubles when it holds
 * twice as many items as buckets. Not locked: the serdes holds its lock.
 */
#include "serdes_internal.h"

#include <string.h>

#include <stdlib.h>

struct kafkit_smap_node_s {
        uint64_t hash;
        void *item;
        kafkit_smap_node_t *next;
};

/*
 * FNV-style, eight bytes a step: schema texts (~1 KB) are hashed on every
 * serialize to find their cache entry, and byte-at-a-time FNV made that
 * the top item of the produce profile. Equality is always checked in full,
 * so the hash only needs to spread, not to be strong.
 */
uint64_t kafkit_hash(uint64_t h, const void *p, size_t n)
{
        const unsigned char *b = p;
        uint64_t w;

        for (; n >= 8; n -= 8, b += 8) {
                memcpy(&w, b, 8);
                h = (h ^ w) * 0x100000001b3ULL;
                h ^= h >> 29;
        }
        for (; n > 0; n--, b++)
                h = (h ^ *b) * 0x100000001b3ULL;
        return h;
}

void *kafkit_smap_get(const kafkit_smap_t *m, uint64_t hash, kafkit_smap_eq_t *eq,
                      const void *key)
{
        const kafkit_smap_node_t *n;

        if (!m->n_buckets)
                return NULL;
        for (n = m->buckets[hash % m->n_buckets]; n; n = n->next)
                if (n->hash == hash && eq(n->item, key))
                        return n->item;
        return NULL;
}

/* Rehashes into twice the buckets; on NOMEM the map stays as it was. */
static kafkit_err_t kafkit_smap_grow(kafkit_smap_t *m)
{
        size_t nb = m->n_buckets ? m->n_buckets * 2 : 16, i;
        kafkit_smap_node_t **b = calloc(nb, sizeof(*b));

        if (!b)
                return KAFKIT_ERR_NOMEM;
        for (i = 0; i < m->n_buckets; i++) {
                kafkit_smap_node_t *n = m->buckets[i], *next;

                for (; n; n = next) {
                        next = n->next;
                        n->next = b[n->hash % nb];
                        b[n->hash % nb] = n;
                }
        }
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = nb;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_smap_put(kafkit_smap_t *m, uint64_t hash, void *item)
{
        kafkit_smap_node_t *n;

        if ((m->cnt >= m->n_buckets * 2 || !m->n_buckets) && kafkit_smap_grow(m) &&
            !m->n_buckets)
                return KAFKIT_ERR_NOMEM;
        if (!(n = malloc(sizeof(*n))))
                return KAFKIT_ERR_NOMEM;
        n->hash = hash;
        n->item = item;
        n->next = m->buckets[hash % m->n_buckets];
        m->buckets[hash % m->n_buckets] = n;
        m->cnt++;
        return KAFKIT_OK;
}

void kafkit_smap_clear(kafkit_smap_t *m, void (*free_item)(void *))
{
        size_t i;

        for (i = 0; i < m->n_buckets; i++) {
                kafkit_smap_node_t *n = m->buckets[i], *next;

                for (; n; n = next) {
                        next = n->next;
                        if (free_item)
                                free_item(n->item);
                        free(n);
                }
        }
        free(m->buckets);
        m->buckets = NULL;
        m->n_buckets = 0;
        m->cnt = 0;
}
