/*
 * registry_cache.c: the Schema Registry client's results and caches: the
 * reference-counted schema results, and a bounded LRU map from byte-string
 * keys to them (or to a remembered failure with an expiry), with
 * single-flight loading.
 *
 * Invariants: one mutex guards the table, the LRU list and the flights,
 * and it is never held while a caller talks to the registry. A key being
 * loaded has exactly one flight; threads that miss it while it is in the
 * air wait on the flight's condition variable and take its result, so N
 * threads missing one id cost one request. A flight is freed by the last
 * of its loader and waiters to leave it.
 */
#include "registry_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- schema results */

static size_t kafkit_slen(const char *s)
{
        return s ? strlen(s) + 1 : 0;
}

/* Copies s to *p (advancing it); NULL stays NULL. */
static const char *kafkit_scopy(char **p, const char *s)
{
        char *d = *p;
        size_t n = kafkit_slen(s);

        if (!s)
                return NULL;
        memcpy(d, s, n);
        *p += n;
        return d;
}

const kafkit_registry_schema_t *kafkit_rschema_new(int32_t id,
                                                   const char *subject,
                                                   int version,
                                                   const char *schema,
                                                   const char *schema_type,
                                                   const kafkit_registry_ref_t *refs,
                                                   size_t ref_cnt)
{
        size_t size = sizeof(kafkit_rschema_t), i;
        kafkit_registry_ref_t *r;
        kafkit_rschema_t *s;
        char *p;

        if (!schema_type)
                schema_type = "AVRO";
        if (ref_cnt > SIZE_MAX / 4 / sizeof(*r))
                return NULL;
        size += ref_cnt * sizeof(*r) + kafkit_slen(subject) + kafkit_slen(schema) +
                kafkit_slen(schema_type);
        for (i = 0; i < ref_cnt; i++)
                size += kafkit_slen(refs[i].name) + kafkit_slen(refs[i].subject);
        s = malloc(size);
        if (!s)
                return NULL;
        atomic_init(&s->refcnt, 1);
        r = (kafkit_registry_ref_t *)(s + 1);
        p = (char *)(r + ref_cnt);
        s->pub.id = id;
        s->pub.version = version;
        s->pub.subject = kafkit_scopy(&p, subject);
        s->pub.schema = kafkit_scopy(&p, schema ? schema : "");
        s->pub.schema_type = kafkit_scopy(&p, schema_type);
        for (i = 0; i < ref_cnt; i++) {
                r[i].name = kafkit_scopy(&p, refs[i].name);
                r[i].subject = kafkit_scopy(&p, refs[i].subject);
                r[i].version = refs[i].version;
        }
        s->pub.refs = ref_cnt ? r : NULL;
        s->pub.ref_cnt = ref_cnt;
        return &s->pub;
}

const kafkit_registry_schema_t *kafkit_rschema_ref(const kafkit_registry_schema_t *s)
{
        kafkit_rschema_t *rs = (kafkit_rschema_t *)s;

        atomic_fetch_add(&rs->refcnt, 1);
        return s;
}

void kafkit_registry_schema_destroy(const kafkit_registry_schema_t *s)
{
        kafkit_rschema_t *rs = (kafkit_rschema_t *)s;

        if (rs && atomic_fetch_sub(&rs->refcnt, 1) == 1)
                free(rs);
}

void kafkit_registry_free(void *p)
{
        free(p);
}

void kafkit_registry_strings_free(char **strings)
{
        char **p;

        if (!strings)
                return;
        for (p = strings; *p; p++)
                free(*p);
        free(strings);
}

/* ------------------------------------------------------------------ cache */

typedef struct kafkit_rentry_s {
        struct kafkit_rentry_s *hnext;          /* hash chain */
        struct kafkit_rentry_s *prev, *next;    /* LRU list, head = newest */
        uint64_t hash;
        const kafkit_registry_schema_t *schema; /* NULL: a negative entry */
        kafkit_registry_error_t *neg;           /* the failure remembered */
        int64_t expires_ms;                     /* 0: never */
        size_t len;
        unsigned char key[];
} kafkit_rentry_t;

typedef struct kafkit_rflight_s {
        struct kafkit_rflight_s *next;
        pthread_cond_t cond;
        int done;
        int users;                              /* loader + waiters */
        const kafkit_registry_schema_t *schema; /* result, one reference */
        kafkit_registry_error_t err;
        uint64_t hash;
        size_t len;
        unsigned char key[];
} kafkit_rflight_t;

struct kafkit_rcache_s {
        pthread_mutex_t lock;
        kafkit_rentry_t **buckets;
        size_t nbuckets;        /* a power of two */
        size_t cnt, capacity;
        kafkit_rentry_t *head, *tail;
        kafkit_rflight_t *flights;
};

/* FNV-1a, 64 bits. */
static uint64_t kafkit_rcache_hash(const void *key, size_t len)
{
        const unsigned char *p = key;
        uint64_t h = 1469598103934665603ULL;
        size_t i;

        for (i = 0; i < len; i++) {
                h ^= p[i];
                h *= 1099511628211ULL;
        }
        return h;
}

kafkit_rcache_t *kafkit_rcache_new(size_t capacity)
{
        kafkit_rcache_t *c = calloc(1, sizeof(*c));
        size_t n = 16;

        if (!c)
                return NULL;
        if (capacity == 0)
                capacity = 1;
        while (n < capacity && n < ((size_t)1 << 24))
                n <<= 1;
        c->buckets = calloc(n, sizeof(*c->buckets));
        if (!c->buckets || pthread_mutex_init(&c->lock, NULL) != 0) {
                free(c->buckets);
                free(c);
                return NULL;
        }
        c->nbuckets = n;
        c->capacity = capacity;
        return c;
}

static void kafkit_rentry_free(kafkit_rentry_t *e)
{
        kafkit_registry_schema_destroy(e->schema);
        free(e->neg);
        free(e);
}

void kafkit_rcache_destroy(kafkit_rcache_t *c)
{
        kafkit_rentry_t *e, *next;

        if (!c)
                return;
        for (e = c->head; e; e = next) {
                next = e->next;
                kafkit_rentry_free(e);
        }
        free(c->buckets);
        pthread_mutex_destroy(&c->lock);
        free(c);
}

/* ------------------------------------------------------- table and list */

static kafkit_rentry_t **kafkit_rcache_slot(kafkit_rcache_t *c,
                                            const void *key,
                                            size_t len,
                                            uint64_t hash)
{
        kafkit_rentry_t **pp = &c->buckets[hash & (c->nbuckets - 1)];

        while (*pp && !((*pp)->hash == hash && (*pp)->len == len &&
                        !memcmp((*pp)->key, key, len)))
                pp = &(*pp)->hnext;
        return pp;
}

static void kafkit_lru_unlink(kafkit_rcache_t *c, kafkit_rentry_t *e)
{
        if (e->prev)
                e->prev->next = e->next;
        else
                c->head = e->next;
        if (e->next)
                e->next->prev = e->prev;
        else
                c->tail = e->prev;
        e->prev = e->next = NULL;
}

static void kafkit_lru_push(kafkit_rcache_t *c, kafkit_rentry_t *e)
{
        e->prev = NULL;
        e->next = c->head;
        if (c->head)
                c->head->prev = e;
        c->head = e;
        if (!c->tail)
                c->tail = e;
}

/* Unlinks and frees the entry at *pp. */
static void kafkit_rcache_remove(kafkit_rcache_t *c, kafkit_rentry_t **pp)
{
        kafkit_rentry_t *e = *pp;

        *pp = e->hnext;
        kafkit_lru_unlink(c, e);
        c->cnt--;
        kafkit_rentry_free(e);
}

/* Stores a new entry (replacing any with the key), evicting the LRU tail
 * past capacity. Takes the reference `s`. Out of memory: not stored. */
static void kafkit_rcache_store(kafkit_rcache_t *c,
                                const kafkit_rflight_t *f,
                                const kafkit_registry_schema_t *s,
                                const kafkit_registry_error_t *neg,
                                int64_t expires_ms)
{
        kafkit_rentry_t **pp = kafkit_rcache_slot(c, f->key, f->len, f->hash);
        kafkit_rentry_t *e;

        if (*pp)
                kafkit_rcache_remove(c, pp);
        e = calloc(1, sizeof(*e) + f->len);
        if (!e || (neg && !(e->neg = malloc(sizeof(*neg))))) {
                free(e);
                kafkit_registry_schema_destroy(s);
                return;
        }
        if (neg)
                *e->neg = *neg;
        e->schema = s;
        e->expires_ms = expires_ms;
        e->hash = f->hash;
        e->len = f->len;
        memcpy(e->key, f->key, f->len);
        e->hnext = NULL;
        *kafkit_rcache_slot(c, e->key, e->len, e->hash) = e;
        kafkit_lru_push(c, e);
        c->cnt++;
        while (c->cnt > c->capacity && c->tail)
                kafkit_rcache_remove(c, kafkit_rcache_slot(c, c->tail->key, c->tail->len,
                                                           c->tail->hash));
}

/* ---------------------------------------------------------------- lookup */

static kafkit_rflight_t *kafkit_flight_find(kafkit_rcache_t *c,
                                            const void *key,
                                            size_t len,
                                            uint64_t hash)
{
        kafkit_rflight_t *f;

        for (f = c->flights; f; f = f->next)
                if (f->hash == hash && f->len == len && !memcmp(f->key, key, len))
                        return f;
        return NULL;
}

static void kafkit_flight_release(kafkit_rflight_t *f)
{
        if (--f->users > 0)
                return;
        kafkit_registry_schema_destroy(f->schema);
        pthread_cond_destroy(&f->cond);
        free(f);
}

/* Waits (lock held) for flight f to finish and copies its result out. */
static kafkit_rcache_res_t kafkit_flight_join(kafkit_rcache_t *c,
                                              kafkit_rflight_t *f,
                                              const kafkit_registry_schema_t **out,
                                              kafkit_registry_error_t *err)
{
        kafkit_rcache_res_t res;

        f->users++;
        while (!f->done)
                pthread_cond_wait(&f->cond, &c->lock);
        if (f->schema) {
                *out = kafkit_rschema_ref(f->schema);
                res = KAFKIT_RCACHE_HIT;
        } else {
                if (err)
                        *err = f->err;
                res = KAFKIT_RCACHE_FAILED;
        }
        kafkit_flight_release(f);
        return res;
}

/* A new flight for the key, registered with its loader as the only user. */
static kafkit_rcache_res_t kafkit_flight_start(kafkit_rcache_t *c,
                                               const void *key,
                                               size_t len,
                                               uint64_t hash,
                                               kafkit_registry_error_t *err)
{
        kafkit_rflight_t *f = calloc(1, sizeof(*f) + len);

        if (!f || pthread_cond_init(&f->cond, NULL) != 0) {
                free(f);
                kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory in the registry cache");
                return KAFKIT_RCACHE_FAILED;
        }
        f->users = 1;
        f->hash = hash;
        f->len = len;
        memcpy(f->key, key, len);
        f->next = c->flights;
        c->flights = f;
        return KAFKIT_RCACHE_LOAD;
}

kafkit_rcache_res_t kafkit_rcache_get(kafkit_rcache_t *c,
                                      const void *key,
                                      size_t len,
                                      const kafkit_registry_schema_t **out,
                                      kafkit_registry_error_t *err)
{
        uint64_t hash = kafkit_rcache_hash(key, len);
        kafkit_rcache_res_t res;
        kafkit_rentry_t **pp;
        kafkit_rflight_t *f;

        *out = NULL;
        pthread_mutex_lock(&c->lock);
        pp = kafkit_rcache_slot(c, key, len, hash);
        if (*pp && (*pp)->expires_ms && (*pp)->expires_ms <= kafkit_now_ms())
                kafkit_rcache_remove(c, pp);
        if (*pp) {
                kafkit_lru_unlink(c, *pp);
                kafkit_lru_push(c, *pp);
                if ((*pp)->schema) {
                        *out = kafkit_rschema_ref((*pp)->schema);
                        res = KAFKIT_RCACHE_HIT;
                } else {
                        if (err)
                                *err = *(*pp)->neg;
                        res = KAFKIT_RCACHE_FAILED;
                }
        } else if ((f = kafkit_flight_find(c, key, len, hash))) {
                res = kafkit_flight_join(c, f, out, err);
        } else {
                res = kafkit_flight_start(c, key, len, hash, err);
        }
        pthread_mutex_unlock(&c->lock);
        return res;
}

void kafkit_rcache_done(kafkit_rcache_t *c,
                        const void *key,
                        size_t len,
                        const kafkit_registry_schema_t *s,
                        const kafkit_registry_error_t *e,
                        int64_t ttl_ms)
{
        uint64_t hash = kafkit_rcache_hash(key, len);
        kafkit_rflight_t **pp, *f;
        int64_t expires = ttl_ms > 0 ? kafkit_now_ms() + ttl_ms : 0;

        pthread_mutex_lock(&c->lock);
        for (pp = &c->flights; *pp; pp = &(*pp)->next)
                if ((*pp)->hash == hash && (*pp)->len == len && !memcmp((*pp)->key, key, len))
                        break;
        f = *pp;
        if (!f) {
                pthread_mutex_unlock(&c->lock);
                return;
        }
        *pp = f->next;
        if (s) {
                f->schema = kafkit_rschema_ref(s);
                if (ttl_ms != 0)
                        kafkit_rcache_store(c, f, kafkit_rschema_ref(s), NULL, expires);
        } else {
                if (e)
                        f->err = *e;
                else
                        kafkit_rerr_local(&f->err, KAFKIT_ERR_STATE, "registry load failed");
                if (ttl_ms > 0)
                        kafkit_rcache_store(c, f, NULL, &f->err, expires);
        }
        f->done = 1;
        pthread_cond_broadcast(&f->cond);
        kafkit_flight_release(f);
        pthread_mutex_unlock(&c->lock);
}

void kafkit_rcache_drop_prefix(kafkit_rcache_t *c, const void *prefix, size_t len)
{
        kafkit_rentry_t *e, *next;

        pthread_mutex_lock(&c->lock);
        for (e = c->head; e; e = next) {
                next = e->next;
                if (e->len >= len && !memcmp(e->key, prefix, len))
                        kafkit_rcache_remove(c, kafkit_rcache_slot(c, e->key, e->len, e->hash));
        }
        pthread_mutex_unlock(&c->lock);
}

size_t kafkit_rcache_count(kafkit_rcache_t *c)
{
        size_t n;

        pthread_mutex_lock(&c->lock);
        n = c->cnt;
        pthread_mutex_unlock(&c->lock);
        return n;
}
