/*
 * serdes_value.c: the Avro serdes with avro-c generic values
 * (kafkit/serdes_value.h).
 *
 * avro-c's binary decoder believes its input (lengths, counts, indexes),
 * so no byte reaches it before kafkit's checked decoder has walked the
 * whole body with the same schema: sv_check() below runs av_skip_value(),
 * which makes every check the JSON decoder makes, writing nothing. Data read with a reader schema is resolved by
 * kafkit (to JSON, then encoded with the reader schema), and avro-c reads
 * that reader-form body. On the way out avro-c writes the body and
 * sv_check() proves it decodes under the schema it is framed with.
 *
 * Each schema's avro-c schema and generic class are built once, from the
 * Parsing Canonical Form (self-contained, and equal for equal schemas),
 * and kept in sd->classes keyed by that text until the serdes goes: items
 * never change once inserted, so a pointer read under the lock stays
 * valid, as with the other caches (serdes.c).
 */
#include "serdes_internal.h"
#include "avro_internal.h"
#include "kafkit/serdes_value.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ body check */

/* KAFKIT_OK when `len` bytes are exactly one valid value of `schema`,
 * else KAFKIT_ERR_PARSE "at byte N ($.path): ..." as the decoder says. */
static kafkit_err_t sv_check(const kafkit_avro_schema_t *schema, const void *data, size_t len,
                             kafkit_error_t *err)
{
        char nul[2];
        kafkit_buf_t sink = { nul, 0, sizeof(nul) }; /* never grows: nothing is written */
        av_dec_t d;

        av_dec_init(&d, data ? data : "", len, KAFKIT_AVRO_JSON_AVRO, &sink);
        d.c_string_keys = 1;    /* avro-c would cut such a key: data lost */
        return av_dec_finish(&d, av_skip_value(&d, schema->root, 0), 0, err);
}

/* ---------------------------------------------------------- class cache */

typedef struct sd_class_s {
        char *canonical;
        avro_schema_t schema;
        avro_value_iface_t *iface;
        int uncached;                   /* made for one call: the cache is full */
} sd_class_t;

void kafkit_sd_class_free(void *p)
{
        sd_class_t *c = p;

        if (!c)
                return;
        if (c->iface)
                avro_value_iface_decref(c->iface);
        if (c->schema)
                avro_schema_decref(c->schema);
        free(c->canonical);
        free(c);
}

static int sv_class_eq(const void *item, const void *key)
{
        return !strcmp(((const sd_class_t *)item)->canonical, key);
}

static sd_class_t *sv_class_new(const kafkit_avro_schema_t *s, kafkit_error_t *err)
{
        const char *canon = kafkit_avro_schema_canonical(s);
        sd_class_t *c = calloc(1, sizeof(*c));

        if (!c || !(c->canonical = strdup(canon))) {
                free(c);
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        if (avro_schema_from_json_length(canon, strlen(canon), &c->schema)) {
                kafkit_err_set(err, KAFKIT_ERR_PARSE, 0, "avro-c cannot parse the schema %.200s: %s",
                               canon, avro_strerror());
                c->schema = NULL;
                kafkit_sd_class_free(c);
                return NULL;
        }
        if (!(c->iface = avro_generic_class_from_schema(c->schema))) {
                kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                               "avro-c cannot make a value class for %.200s: %s", canon,
                               avro_strerror());
                kafkit_sd_class_free(c);
                return NULL;
        }
        return c;
}

/* The avro-c class of `s`, cached; an `uncached` result is the caller's
 * to free after use. NULL with err. */
static sd_class_t *sv_class_get(kafkit_serdes_t *sd, const kafkit_avro_schema_t *s,
                                kafkit_error_t *err)
{
        const char *canon = kafkit_avro_schema_canonical(s);
        uint64_t h = kafkit_avro_schema_fingerprint(s);
        sd_class_t *c;

        pthread_mutex_lock(&sd->lock);
        c = kafkit_smap_get(&sd->classes, h, sv_class_eq, canon);
        pthread_mutex_unlock(&sd->lock);
        if (c || !(c = sv_class_new(s, err)))
                return c;
        pthread_mutex_lock(&sd->lock);
        if (sd->classes.cnt >= KAFKIT_SERDES_VALUE_MAX_CLASSES &&
            !kafkit_smap_get(&sd->classes, h, sv_class_eq, canon))
                c->uncached = 1;
        else
                c = kafkit_sd_insert(&sd->classes, h, sv_class_eq, canon, c,
                                     kafkit_sd_class_free, err);
        pthread_mutex_unlock(&sd->lock);
        return c;
}

/* ---------------------------------------------------------- scratch */

/*
 * Per-thread scratch kept between calls, so that a warm call allocates
 * nothing of its own: avro-c's memory reader and writer (re-pointed at
 * each body) and, for reader schemas, the resolved JSON and binary
 * buffers. Freed when the thread exits; a buffer grown past
 * SV_SCRATCH_KEEP by a large record is freed after that call.
 */
#define SV_SCRATCH_KEEP (1024 * 1024)

typedef struct sv_scratch_s {
        avro_reader_t reader;
        avro_writer_t writer;
        kafkit_buf_t json, bin;
} sv_scratch_t;

static pthread_key_t sv_key;
static pthread_once_t sv_key_once = PTHREAD_ONCE_INIT;
static int sv_key_ok;

static void sv_scratch_free(void *p)
{
        sv_scratch_t *t = p;

        if (!t)
                return;
        if (t->reader)
                avro_reader_free(t->reader);
        if (t->writer)
                avro_writer_free(t->writer);
        kafkit_buf_free(&t->json);
        kafkit_buf_free(&t->bin);
        free(t);
}

static void sv_key_make(void)
{
        sv_key_ok = pthread_key_create(&sv_key, sv_scratch_free) == 0;
}

/* This thread's scratch, made on first use; NULL with err when out of
 * memory. */
static sv_scratch_t *sv_scratch(kafkit_error_t *err)
{
        sv_scratch_t *t = NULL;

        pthread_once(&sv_key_once, sv_key_make);
        if (sv_key_ok && (t = pthread_getspecific(sv_key)))
                return t;
        if (!sv_key_ok || !(t = calloc(1, sizeof(*t))) ||
            !(t->reader = avro_reader_memory("", 0)) ||
            !(t->writer = avro_writer_memory("", 0)) || pthread_setspecific(sv_key, t)) {
                sv_scratch_free(t);
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory for %s",
                               sv_key_ok ? "the thread's avro-c reader and writer"
                                         : "a thread-specific key");
                return NULL;
        }
        return t;
}

/* After a call: empties the buffers, freeing one a large record grew. */
static void sv_scratch_done(sv_scratch_t *t)
{
        kafkit_buf_t *b[2] = { &t->json, &t->bin };
        size_t i;

        for (i = 0; i < 2; i++) {
                if (b[i]->cap > SV_SCRATCH_KEEP)
                        kafkit_buf_free(b[i]);
                else
                        kafkit_buf_reset(b[i]);
        }
}

/* --------------------------------------------------------- deserializing */

/* Fills *value (made or reused, see the header) from `body`, a checked
 * value of `s`. */
static kafkit_err_t sv_fill(kafkit_serdes_t *sd, sv_scratch_t *t,
                            const kafkit_avro_schema_t *s, const void *body, size_t len,
                            avro_value_t *value, kafkit_error_t *err)
{
        sd_class_t *c = sv_class_get(sd, s, err);
        kafkit_err_t code = KAFKIT_OK;

        if (!c)
                return err->code;
        if (value->iface && value->iface == c->iface) {
                if (avro_value_reset(value))
                        code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                              "avro-c cannot reset the value: %s",
                                              avro_strerror());
        } else {
                if (value->iface)
                        avro_value_decref(value);
                value->iface = NULL;
                value->self = NULL;
                if (avro_generic_value_new(c->iface, value))
                        code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                              "avro-c cannot make a value: %s",
                                              avro_strerror());
        }
        if (code == KAFKIT_OK) {
                avro_reader_memory_set_source(t->reader, len ? body : "", (int64_t)len);
                if (avro_value_read(t->reader, value))
                        code = kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                              "avro-c cannot read the checked body: %s",
                                              avro_strerror());
        }
        if (c->uncached)
                kafkit_sd_class_free(c);
        return code;
}

/* Resolves the writer body to `reader`'s binary form in *bin: through
 * JSON, with kafkit's resolver and encoder. */
static kafkit_err_t sv_resolve(kafkit_serdes_t *sd, const sd_id_t *w,
                               const kafkit_avro_schema_t *reader, const kafkit_wire_t *wire,
                               kafkit_buf_t *json, kafkit_buf_t *bin, kafkit_error_t *err)
{
        const kafkit_avro_resolver_t *res = kafkit_sd_resolver_get(sd, w, reader, err);
        char msg[KAFKIT_ERRSTR_SIZE];

        if (!res)
                return err->code;
        if (kafkit_avro_resolver_decode_json(res, wire->body, wire->body_len,
                                             KAFKIT_AVRO_JSON_AVRO, json, err) != KAFKIT_OK)
                return err->code;
        if (kafkit_avro_encode_json(reader, json->data, json->len, KAFKIT_AVRO_JSON_AVRO, bin,
                                    err) != KAFKIT_OK ||
            sv_check(reader, bin->data, bin->len, err) != KAFKIT_OK) {
                memcpy(msg, err->message, sizeof(msg));
                return kafkit_err_set(err, err->code == KAFKIT_ERR_NOMEM ? err->code
                                                                         : KAFKIT_ERR_PARSE,
                                      0, "re-encoding the resolved value: %s", msg);
        }
        return KAFKIT_OK;
}

static kafkit_err_t sv_deserialize(kafkit_serdes_t *sd,
                                   const kafkit_serdes_ctx_t *ctx,
                                   const void *data,
                                   size_t len,
                                   const kafkit_header_t *headers,
                                   size_t header_cnt,
                                   avro_value_t *value,
                                   int32_t *schema_id,
                                   kafkit_error_t *err)
{
        const kafkit_avro_schema_t *reader;
        sv_scratch_t *t;
        const void *body;
        size_t body_len;
        kafkit_wire_t wire;
        const sd_id_t *w;
        kafkit_err_t code;

        kafkit_error_clear(err);
        if (!sd || !value)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_serdes_deserialize_value: NULL serdes or value");
        if (schema_id)
                *schema_id = 0;
        if (!data)
                return KAFKIT_OK;
        if (!(t = sv_scratch(err)))
                return kafkit_sd_fail(sd, ctx, err, err->code);
        if (!(w = kafkit_sd_writer_get(sd, ctx, data, len, headers, header_cnt, &wire, err)))
                return err->code;
        if (!(reader = kafkit_sd_reader_for(sd, w, ctx, err)))
                return kafkit_sd_body_fail(sd, ctx, w, &wire, err->code, err);
        if (reader == w->avro) {
                code = sv_check(reader, wire.body, wire.body_len, err);
                body = wire.body;
                body_len = wire.body_len;
        } else {
                code = sv_resolve(sd, w, reader, &wire, &t->json, &t->bin, err);
                body = t->bin.data;
                body_len = t->bin.len;
        }
        if (code != KAFKIT_OK) {
                code = kafkit_sd_body_fail(sd, ctx, w, &wire, code, err);
                goto out;
        }
        if ((code = sv_fill(sd, t, reader, body, body_len, value, err)) != KAFKIT_OK) {
                code = kafkit_sd_fail(sd, ctx, err, code);
                goto out;
        }
        if (schema_id)
                *schema_id = w->id;
out:
        sv_scratch_done(t);
        return code;
}

/* ----------------------------------------------------------- serializing */

/* sd_body_t.write: avro-c writes the value after the framing, and the
 * result must decode under the schema it is framed with. */
static kafkit_err_t sv_write(void *arg, int32_t id, const kafkit_avro_schema_t *avro,
                             kafkit_buf_t *out, kafkit_error_t *err)
{
        avro_value_t *value = arg;
        char msg[KAFKIT_ERRSTR_SIZE];
        sv_scratch_t *t;
        size_t size = 0;
        int64_t wrote;
        int rc;

        if (avro_value_sizeof(value, &size))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "avro-c cannot size the value: %s", avro_strerror());
        if ((uint64_t)size > (uint64_t)INT64_MAX || kafkit_buf_reserve(out, size) != KAFKIT_OK)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "out of memory for a %zu-byte body", size);
        if (!(t = sv_scratch(err)))
                return err->code;
        avro_writer_memory_set_dest(t->writer, out->data + out->len, (int64_t)size);
        rc = avro_value_write(t->writer, value);
        wrote = avro_writer_tell(t->writer);
        if (rc || wrote != (int64_t)size)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "avro-c cannot write the value: %s",
                                      rc ? avro_strerror() : "size changed while writing");
        if (sv_check(avro, out->data + out->len, size, err) != KAFKIT_OK) {
                memcpy(msg, err->message, sizeof(msg));
                return kafkit_err_set(err, err->code == KAFKIT_ERR_NOMEM ? err->code
                                                                         : KAFKIT_ERR_INVALID_ARG,
                                      0, "the value does not match schema id %d (a value of "
                                      "another schema?): its body %s", (int)id, msg);
        }
        out->len += size;
        out->data[out->len] = '\0';
        return KAFKIT_OK;
}

/* ------------------------------------------------------------ public API */

kafkit_err_t kafkit_serdes_deserialize_value(kafkit_serdes_t *sd,
                                             const kafkit_serdes_ctx_t *ctx,
                                             const void *data,
                                             size_t len,
                                             const kafkit_header_t *headers,
                                             size_t header_cnt,
                                             avro_value_t *value,
                                             int32_t *schema_id,
                                             kafkit_error_t *err)
{
        kafkit_error_t e;
        kafkit_err_t code;

        code = sv_deserialize(sd, ctx, data, len, headers, header_cnt, value, schema_id, &e);
        return kafkit_sd_done(code, &e, err);
}

kafkit_err_t kafkit_serdes_serialize_value(kafkit_serdes_t *sd,
                                           const kafkit_serdes_ctx_t *ctx,
                                           const char *schema,
                                           const kafkit_registry_ref_t *refs,
                                           size_t ref_cnt,
                                           avro_value_t *value,
                                           kafkit_buf_t *out,
                                           int32_t *schema_id,
                                           kafkit_error_t *err)
{
        sd_body_t b = { 0, NULL, 0, KAFKIT_AVRO_JSON_AVRO, sv_write, value };
        kafkit_error_t e;
        kafkit_err_t code;

        kafkit_error_clear(&e);
        if (!sd || !value || !value->iface || !out)
                code = kafkit_err_set(&e, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_serdes_serialize_value: NULL serdes, value or "
                                      "out");
        else
                code = kafkit_sd_serialize(sd, ctx, schema, refs, ref_cnt, &b, out, schema_id,
                                           &e);
        return kafkit_sd_done(code, &e, err);
}
