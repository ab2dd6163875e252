/*
 * resolve.c: fuzz target for kafkit_avro_resolver_decode_json().
 *
 * data[0] < 128 picks a fixed writer/reader pair; the rest is data written
 * with the writer schema, decoded in both styles. What reads must be valid
 * JSON that encodes with the reader schema (AVRO style). data[0] >= 128
 * picks a fixed schema resolved to itself, which must read exactly as a
 * plain decode does: same result, same JSON.
 */
#include "fuzz.h"

#include <string.h>

static void pair_style(const kafkit_avro_resolver_t *rv, const kafkit_avro_schema_t *reader,
                       const uint8_t *data, size_t size, kafkit_avro_json_style_t style)
{
        kafkit_buf_t out = { NULL, 0, 0 }, bin = { NULL, 0, 0 };
        kafkit_error_t err;

        kafkit_buf_append(&out, "[", 1);
        if (kafkit_avro_resolver_decode_json(rv, data, size, style, &out, &err)) {
                kf_fuzz_require(out.len == 1 && out.data[0] == '[',
                                "a failed resolved decode leaves out as it was", err.message);
                kf_fuzz_require(err.message[0] != '\0', "a failed resolved decode says why",
                                NULL);
                goto out;
        }
        /* jansson (the encoder's JSON reader) refuses "\u0000" in object
         * keys, which a map key with a NUL byte prints as */
        kf_fuzz_require(kafkit_avro_encode_json(reader, out.data + 1, out.len - 1, style, &bin,
                                                &err) == KAFKIT_OK ||
                                strstr(err.message, "NUL byte in object key"),
                        "resolved JSON encodes with the reader schema", out.data + 1);
out:
        kafkit_buf_free(&out);
        kafkit_buf_free(&bin);
}

static void identity_style(size_t i, const uint8_t *data, size_t size,
                           kafkit_avro_json_style_t style)
{
        kafkit_buf_t a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
        kafkit_err_t ra, rb;
        kafkit_error_t err;

        ra = kafkit_avro_resolver_decode_json(kf_fuzz_identity_get(i), data, size, style, &a,
                                              &err);
        rb = kafkit_avro_decode_json(kf_fuzz_schema_get(i), data, size, style, &b, &err);
        kf_fuzz_require(ra == rb, "a schema resolved to itself accepts what decode accepts",
                        err.message);
        kf_fuzz_require(ra != KAFKIT_OK || (a.len == b.len && !memcmp(a.data, b.data, a.len)),
                        "a schema resolved to itself reads as decode does", a.data);
        kafkit_buf_free(&a);
        kafkit_buf_free(&b);
}

int kf_fuzz_resolve(const uint8_t *data, size_t size)
{
        const kafkit_avro_schema_t *writer, *reader;
        const kafkit_avro_resolver_t *rv;
        size_t i;

        if (size < 1)
                return 0;
        if (data[0] & 0x80) {
                i = (data[0] & 0x7f) % kf_fuzz_n_schemas();
                identity_style(i, data + 1, size - 1, KAFKIT_AVRO_JSON_AVRO);
                identity_style(i, data + 1, size - 1, KAFKIT_AVRO_JSON_PLAIN);
                return 0;
        }
        rv = kf_fuzz_pair_get(data[0] % kf_fuzz_n_pairs(), &writer, &reader);
        pair_style(rv, reader, data + 1, size - 1, KAFKIT_AVRO_JSON_AVRO);
        pair_style(rv, reader, data + 1, size - 1, KAFKIT_AVRO_JSON_PLAIN);
        return 0;
}
