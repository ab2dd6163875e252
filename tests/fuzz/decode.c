/*
 * decode.c: fuzz target for kafkit_avro_decode_json() on untrusted bytes.
 *
 * data[0] picks one of the fixed schemas; the rest is the Avro value,
 * decoded in both JSON styles. Besides not crashing, a decode must leave
 * `out` as it was on failure, print valid JSON on success, and that JSON
 * must encode back (AVRO style: to bytes that then decode and re-encode to
 * the very same bytes; PLAIN style: to something).
 */
#include "fuzz.h"

#include <jansson.h>
#include <string.h>

#define ROUND_TRIP_MAX (64 * 1024)

/*
 * The output must be valid JSON. jansson, which the encoder reads JSON
 * with, refuses object keys holding U+0000 (valid JSON, and what a map key
 * with a NUL byte decodes to): returns 1 for that, and the round trip is
 * skipped; 0 when the JSON loads.
 */
static int require_json(const kafkit_buf_t *b, const char *what)
{
        json_error_t jerr;
        json_t *v;

        v = json_loadb(b->data, b->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!v && strstr(jerr.text, "NUL byte in object key"))
                return 1;
        kf_fuzz_require(v != NULL, what, b->data);
        json_decref(v);
        return 0;
}

/* json -> bin2 -> json2 -> bin3: bin2 and bin3 must be equal. */
static void round_trip(const kafkit_avro_schema_t *s, const kafkit_buf_t *json)
{
        kafkit_buf_t bin2 = { NULL, 0, 0 }, json2 = { NULL, 0, 0 }, bin3 = { NULL, 0, 0 };
        kafkit_error_t err;

        kf_fuzz_require(kafkit_avro_encode_json(s, json->data, json->len, KAFKIT_AVRO_JSON_AVRO,
                                                &bin2, &err) == KAFKIT_OK,
                        "decoded AVRO-style JSON encodes", json->data);
        kf_fuzz_require(kafkit_avro_decode_json(s, bin2.data, bin2.len, KAFKIT_AVRO_JSON_AVRO,
                                                &json2, &err) == KAFKIT_OK,
                        "re-encoded bytes decode", err.message);
        kf_fuzz_require(kafkit_avro_encode_json(s, json2.data, json2.len,
                                                KAFKIT_AVRO_JSON_AVRO, &bin3,
                                                &err) == KAFKIT_OK,
                        "twice-decoded JSON encodes", json2.data);
        kf_fuzz_require(bin2.len == bin3.len && !memcmp(bin2.data, bin3.data, bin2.len),
                        "decode/encode reaches a fixed point", json2.data);
        kafkit_buf_free(&bin2);
        kafkit_buf_free(&json2);
        kafkit_buf_free(&bin3);
}

static void decode_style(const kafkit_avro_schema_t *s, const uint8_t *data, size_t size,
                         kafkit_avro_json_style_t style)
{
        kafkit_buf_t out = { NULL, 0, 0 }, bin = { NULL, 0, 0 };
        kafkit_error_t err;

        /* a prefix in `out` must survive a failed decode */
        kafkit_buf_append(&out, "prefix", 6);
        if (kafkit_avro_decode_json(s, data, size, style, &out, &err) != KAFKIT_OK) {
                kf_fuzz_require(out.len == 6 && !strcmp(out.data, "prefix"),
                                "a failed decode leaves out as it was", err.message);
                kf_fuzz_require(err.code == KAFKIT_ERR_PARSE && err.message[0],
                                "a failed decode says why", err.message);
                goto out;
        }
        memmove(out.data, out.data + 6, out.len - 6 + 1);
        out.len -= 6;
        /* Round trips of a few header bytes claiming a million empty
         * items cost jansson seconds and prove nothing new: skip them. */
        if (out.len > ROUND_TRIP_MAX)
                goto out;
        if (require_json(&out, "decode prints valid JSON"))
                goto out;
        if (style == KAFKIT_AVRO_JSON_AVRO)
                round_trip(s, &out);
        else if (style & KAFKIT_AVRO_JSON_DECIMAL_TEXT)
                ; /* a decimal past its precision decodes but does not encode */
        else
                kf_fuzz_require(kafkit_avro_encode_json(s, out.data, out.len, style, &bin,
                                                        &err) == KAFKIT_OK,
                                "decoded PLAIN JSON encodes", out.data);
out:
        kafkit_buf_free(&out);
        kafkit_buf_free(&bin);
}

int kf_fuzz_decode(const uint8_t *data, size_t size)
{
        const kafkit_avro_schema_t *s;

        if (size < 1)
                return 0;
        s = kf_fuzz_schema_get(data[0] % kf_fuzz_n_schemas());
        decode_style(s, data + 1, size - 1, KAFKIT_AVRO_JSON_AVRO);
        decode_style(s, data + 1, size - 1, KAFKIT_AVRO_JSON_PLAIN);
        decode_style(s, data + 1, size - 1,
                     KAFKIT_AVRO_JSON_PLAIN | KAFKIT_AVRO_JSON_DECIMAL_TEXT);
        return 0;
}
