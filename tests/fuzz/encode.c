/*
 * encode.c: fuzz target for kafkit_avro_encode_json() on arbitrary text.
 *
 * data[0] picks the schema (low 7 bits) and the style (top bit); the rest
 * is the JSON text. Whatever encodes must decode again in both styles,
 * and encoding that decoded JSON in the same style must give back the very
 * same bytes: the JSON -> Avro -> JSON trip loses nothing Avro can hold.
 */
#include "fuzz.h"

#include <string.h>

int kf_fuzz_encode(const uint8_t *data, size_t size)
{
        kafkit_buf_t bin = { NULL, 0, 0 }, json = { NULL, 0, 0 }, bin2 = { NULL, 0, 0 };
        kafkit_avro_json_style_t style;
        const kafkit_avro_schema_t *s;
        kafkit_error_t err;

        if (size < 1)
                return 0;
        s = kf_fuzz_schema_get((data[0] & 0x7f) % kf_fuzz_n_schemas());
        style = data[0] & 0x80 ? KAFKIT_AVRO_JSON_PLAIN : KAFKIT_AVRO_JSON_AVRO;
        kafkit_buf_append(&bin, "p", 1);
        if (kafkit_avro_encode_json(s, (const char *)data + 1, size - 1, style, &bin, &err)) {
                kf_fuzz_require(bin.len == 1 && bin.data[0] == 'p',
                                "a failed encode leaves out as it was", err.message);
                kf_fuzz_require(err.message[0] != '\0', "a failed encode says why", NULL);
                goto out;
        }
        kf_fuzz_require(kafkit_avro_decode_json(s, bin.data + 1, bin.len - 1,
                                                style == KAFKIT_AVRO_JSON_AVRO
                                                        ? KAFKIT_AVRO_JSON_PLAIN
                                                        : KAFKIT_AVRO_JSON_AVRO,
                                                &json, &err) == KAFKIT_OK,
                        "encoded bytes decode (other style)", err.message);
        kafkit_buf_reset(&json);
        kf_fuzz_require(kafkit_avro_decode_json(s, bin.data + 1, bin.len - 1, style, &json,
                                                &err) == KAFKIT_OK,
                        "encoded bytes decode", err.message);
        kf_fuzz_require(kafkit_avro_encode_json(s, json.data, json.len, style, &bin2, &err) ==
                                KAFKIT_OK,
                        "decoded JSON encodes again", err.message);
        kf_fuzz_require(bin2.len == bin.len - 1 && !memcmp(bin2.data, bin.data + 1, bin2.len),
                        "JSON -> Avro -> JSON -> Avro gives the same bytes", json.data);
out:
        kafkit_buf_free(&bin);
        kafkit_buf_free(&json);
        kafkit_buf_free(&bin2);
        return 0;
}
