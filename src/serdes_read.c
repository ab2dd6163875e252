/*
 * serdes_read.c: the deserializing half of the Avro serdes: framed bytes
 * (and headers) to JSON, with the writer schema found by id or GUID and,
 * when the serdes has a reader schema or use.latest.version, Avro schema
 * resolution through a cached resolver per (writer, reader).
 */
#include "serdes_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kafkit_err_t sd_set_reader(kafkit_serdes_t *sd,
                                  const char *schema,
                                  const kafkit_registry_ref_t *refs,
                                  size_t ref_cnt,
                                  kafkit_error_t *err)
{
        kafkit_avro_schema_t *s = NULL;

        kafkit_error_clear(err);
        if (!sd)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_serdes_set_reader: NULL serdes");
        if (schema && !(s = kafkit_serdes_schema_parse(sd->reg, schema, refs, ref_cnt, err)))
                return kafkit_sd_fail(sd, NULL, err, err->code);
        pthread_mutex_lock(&sd->lock);
        /* resolvers may point at the old reader */
        kafkit_smap_clear(&sd->resolvers, kafkit_sd_resolver_free);
        kafkit_avro_schema_destroy(sd->reader);
        sd->reader = s;
        pthread_mutex_unlock(&sd->lock);
        return KAFKIT_OK;
}

typedef struct sd_res_key_s {
        const void *writer, *reader;
} sd_res_key_t;

static int sd_res_eq(const void *item, const void *key)
{
        const sd_resolver_t *r = item;
        const sd_res_key_t *k = key;

        return r->writer == k->writer && r->reader == k->reader;
}

/* The plan to read `w`'s data as `reader`, cached by the pair. */
const kafkit_avro_resolver_t *kafkit_sd_resolver_get(kafkit_serdes_t *sd, const sd_id_t *w,
                                                     const kafkit_avro_schema_t *reader,
                                                     kafkit_error_t *err)
{
        sd_res_key_t k = { w, reader };
        uint64_t h = kafkit_hash(KAFKIT_HASH_INIT, &k, sizeof(k));
        sd_resolver_t *r;

        pthread_mutex_lock(&sd->lock);
        r = kafkit_smap_get(&sd->resolvers, h, sd_res_eq, &k);
        pthread_mutex_unlock(&sd->lock);
        if (r)
                return r->res;
        if (!(r = calloc(1, sizeof(*r)))) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
                return NULL;
        }
        r->writer = w;
        r->reader = reader;
        if (!(r->res = kafkit_avro_resolver_new(w->avro, reader, err))) {
                free(r);
                return NULL;
        }
        pthread_mutex_lock(&sd->lock);
        r = kafkit_sd_insert(&sd->resolvers, h, sd_res_eq, &k, r, kafkit_sd_resolver_free, err);
        pthread_mutex_unlock(&sd->lock);
        return r ? r->res : NULL;
}

/* With use.latest.version: the subject's latest for writer w, cached per
 * (w, topic) for latest.cache.ttl.sec. */
static const kafkit_avro_schema_t *sd_latest_reader(kafkit_serdes_t *sd, const sd_id_t *w,
                                                    const char *topic, kafkit_error_t *err)
{
        sd_target_key_t k = { w, topic ? topic : "" };
        const kafkit_avro_schema_t *avro;
        const sd_id_t *e;
        char *subject;
        int32_t id;

        if (kafkit_sd_target_find(sd, &sd->latest, &k, 1, &id, &avro))
                return avro;
        if (!(subject = kafkit_sd_subject(sd, topic, w->avro, err)))
                return NULL;
        e = kafkit_sd_latest_fetch(sd, subject, err);
        free(subject);
        if (!e || kafkit_sd_target_store(sd, &sd->latest, &k, e->id, e->avro, err) != KAFKIT_OK)
                return NULL;
        return e->avro;
}

/* The schema w's data is read as: the reader set, else the latest
 * version with use.latest.version, else w's own. */
const kafkit_avro_schema_t *kafkit_sd_reader_for(kafkit_serdes_t *sd, const sd_id_t *w,
                                                 const kafkit_serdes_ctx_t *ctx,
                                                 kafkit_error_t *err)
{
        if (sd->reader)
                return sd->reader;
        if (sd->use_latest)
                return sd_latest_reader(sd, w, ctx ? ctx->topic : NULL, err);
        return w->avro;
}

/* Decodes the body of w with the reader the serdes is set up for. */
static kafkit_err_t sd_decode(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                              const sd_id_t *w, const kafkit_wire_t *wire,
                              kafkit_avro_json_style_t style, kafkit_buf_t *out,
                              kafkit_error_t *err)
{
        const kafkit_avro_schema_t *reader = kafkit_sd_reader_for(sd, w, ctx, err);
        const kafkit_avro_resolver_t *res;

        if (!reader)
                return err->code;
        if (reader == w->avro)
                return kafkit_avro_decode_json(w->avro, wire->body, wire->body_len, style, out,
                                               err);
        if (!(res = kafkit_sd_resolver_get(sd, w, reader, err)))
                return err->code;
        return kafkit_avro_resolver_decode_json(res, wire->body, wire->body_len, style, out,
                                                err);
}

/* Parses the framing of a payload and finds its writer; errors prefixed. */
const sd_id_t *kafkit_sd_writer_get(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                                    const void *data, size_t len,
                                    const kafkit_header_t *headers, size_t header_cnt,
                                    kafkit_wire_t *wire, kafkit_error_t *err)
{
        const sd_id_t *w;
        kafkit_err_t code;

        code = kafkit_wire_parse(data, len, headers, header_cnt,
                                 sd->role == KAFKIT_SERDES_KEY
                                         ? KAFKIT_SERDES_KEY_SCHEMA_ID_HEADER
                                         : KAFKIT_SERDES_VALUE_SCHEMA_ID_HEADER,
                                 wire, err);
        if (code != KAFKIT_OK) {
                kafkit_sd_fail(sd, ctx, err, code);
                return NULL;
        }
        w = wire->has_guid ? kafkit_sd_guid_get(sd, wire->guid, err)
                           : kafkit_sd_id_get(sd, wire->id, err);
        if (!w)
                kafkit_sd_fail(sd, ctx, err, err->code);
        return w;
}

/* A body error says which schema and where the body starts; prefixed. */
kafkit_err_t kafkit_sd_body_fail(kafkit_serdes_t *sd, const kafkit_serdes_ctx_t *ctx,
                                 const sd_id_t *w, const kafkit_wire_t *wire,
                                 kafkit_err_t code, kafkit_error_t *err)
{
        char msg[KAFKIT_ERRSTR_SIZE];

        if (err->code == KAFKIT_ERR_PARSE) {
                memcpy(msg, err->message, sizeof(msg));
                kafkit_err_set(err, code, 0, "schema id %d, Avro body after the "
                               "%zu-byte header: %s", (int)w->id, wire->body_off, msg);
        }
        return kafkit_sd_fail(sd, ctx, err, code);
}

static kafkit_err_t sd_deserialize_json(kafkit_serdes_t *sd,
                                        const kafkit_serdes_ctx_t *ctx,
                                        const void *data,
                                        size_t len,
                                        const kafkit_header_t *headers,
                                        size_t header_cnt,
                                        kafkit_avro_json_style_t style,
                                        kafkit_buf_t *out,
                                        int32_t *schema_id,
                                        kafkit_error_t *err)
{
        kafkit_wire_t wire;
        const sd_id_t *w;
        kafkit_err_t code;

        kafkit_error_clear(err);
        if (!sd || !out)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_serdes_deserialize_json: NULL serdes or out");
        if (schema_id)
                *schema_id = 0;
        if (!data)
                return KAFKIT_OK;
        if (!(w = kafkit_sd_writer_get(sd, ctx, data, len, headers, header_cnt, &wire, err)))
                return err->code;
        if ((code = sd_decode(sd, ctx, w, &wire, style, out, err)) != KAFKIT_OK)
                return kafkit_sd_body_fail(sd, ctx, w, &wire, code, err);
        if (schema_id)
                *schema_id = w->id;
        return KAFKIT_OK;
}

/* ------------------------------------------------------------ public API */

kafkit_err_t kafkit_serdes_set_reader(kafkit_serdes_t *sd,
                                      const char *schema,
                                      const kafkit_registry_ref_t *refs,
                                      size_t ref_cnt,
                                      kafkit_error_t *err)
{
        kafkit_error_t e;
        kafkit_err_t code = sd_set_reader(sd, schema, refs, ref_cnt, &e);

        return kafkit_sd_done(code, &e, err);
}

kafkit_err_t kafkit_serdes_deserialize_json(kafkit_serdes_t *sd,
                                            const kafkit_serdes_ctx_t *ctx,
                                            const void *data,
                                            size_t len,
                                            const kafkit_header_t *headers,
                                            size_t header_cnt,
                                            kafkit_avro_json_style_t style,
                                            kafkit_buf_t *out,
                                            int32_t *schema_id,
                                            kafkit_error_t *err)
{
        kafkit_error_t e;
        kafkit_err_t code;

        code = sd_deserialize_json(sd, ctx, data, len, headers, header_cnt, style, out,
                                   schema_id, &e);
        return kafkit_sd_done(code, &e, err);
}
