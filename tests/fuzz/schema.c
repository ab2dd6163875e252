/*
 * schema.c: fuzz target for kafkit_avro_schema_new() on arbitrary text.
 *
 * When the text parses: the canonical form must parse to the same
 * canonical form and fingerprint (see check_canonical() for the one case
 * the spec leaves unstable), the schema must resolve to itself and be
 * compatible with itself, every pre-encoded field default must decode with
 * its field's type, and a record of only defaults ("{}") that encodes must
 * decode again.
 */
#include "fuzz.h"

#include <string.h>

#include "avro_internal.h"

/* Parses `canon`, which must work, and returns the schema. */
static kafkit_avro_schema_t *reparse(const char *canon)
{
        kafkit_avro_schema_t *s;
        kafkit_error_t err;

        s = kafkit_avro_schema_new(canon, (size_t)-1, &err);
        kf_fuzz_require(s != NULL, "the canonical form parses", err.message);
        return s;
}

/*
 * The canonical form parses back, normally to the same canonical form and
 * fingerprint. One exception comes from the spec itself: a type in the
 * null namespace declared inside a namespaced one is written with its bare
 * name ("Inner"), which reads back as "o.Inner". The form of that is then
 * stable, so the third round must equal the second.
 */
static void check_canonical(const kafkit_avro_schema_t *s)
{
        const char *canon = kafkit_avro_schema_canonical(s);
        kafkit_avro_schema_t *again, *third;

        kf_fuzz_require(canon != NULL && kafkit_avro_schema_type_name(s) != NULL,
                        "a parsed schema has a canonical form and a type", NULL);
        again = reparse(canon);
        if (!strcmp(kafkit_avro_schema_canonical(again), canon)) {
                kf_fuzz_require(kafkit_avro_schema_fingerprint(again) ==
                                        kafkit_avro_schema_fingerprint(s),
                                "the same canonical form has the same fingerprint", canon);
        } else {
                third = reparse(kafkit_avro_schema_canonical(again));
                kf_fuzz_require(!strcmp(kafkit_avro_schema_canonical(third),
                                        kafkit_avro_schema_canonical(again)),
                                "the canonical form is stable from the second round",
                                canon);
                kafkit_avro_schema_destroy(third);
        }
        kafkit_avro_schema_destroy(again);
}

static void check_self(const kafkit_avro_schema_t *s)
{
        kafkit_avro_resolver_t *rv;
        kafkit_error_t err;
        int compatible = 0;

        rv = kafkit_avro_resolver_new(s, s, &err);
        kf_fuzz_require(rv != NULL, "a schema resolves to itself", err.message);
        kafkit_avro_resolver_destroy(rv);
        kf_fuzz_require(kafkit_avro_compat_check(s, s, &compatible, NULL, &err) == KAFKIT_OK &&
                                compatible,
                        "a schema is compatible with itself", kafkit_avro_schema_text(s));
}

/* Each pre-encoded default decodes with its field's type, to the end. */
static void check_defaults(const av_node_t *root)
{
        kafkit_buf_t out = { NULL, 0, 0 };
        size_t i;
        av_dec_t d;

        if (root->type != AV_RECORD)
                return;
        for (i = 0; i < root->n_fields; i++) {
                const av_field_t *f = &root->fields[i];

                if (!f->def_bin)
                        continue;
                kafkit_buf_reset(&out);
                av_dec_init(&d, f->def_bin, f->def_bin_len, KAFKIT_AVRO_JSON_AVRO, &out);
                kf_fuzz_require(av_dec_value(&d, f->type, 0) == 0 && d.p == d.end,
                                "a field default decodes with the field's type", d.msg);
        }
        kafkit_buf_free(&out);
}

static void check_empty_record(const kafkit_avro_schema_t *s)
{
        kafkit_buf_t bin = { NULL, 0, 0 }, json = { NULL, 0, 0 };
        kafkit_error_t err;

        if (s->root->type == AV_RECORD &&
            kafkit_avro_encode_json(s, "{}", 2, KAFKIT_AVRO_JSON_AVRO, &bin, &err) == KAFKIT_OK)
                kf_fuzz_require(kafkit_avro_decode_json(s, bin.data, bin.len,
                                                        KAFKIT_AVRO_JSON_AVRO, &json,
                                                        &err) == KAFKIT_OK,
                                "a record of defaults decodes", err.message);
        kafkit_buf_free(&bin);
        kafkit_buf_free(&json);
}

int kf_fuzz_schema(const uint8_t *data, size_t size)
{
        kafkit_avro_schema_t *s;
        kafkit_error_t err;

        s = kafkit_avro_schema_new((const char *)data, size, &err);
        if (!s) {
                kf_fuzz_require(err.code == KAFKIT_ERR_PARSE && err.message[0],
                                "a rejected schema says why", err.message);
                return 0;
        }
        kf_fuzz_require(size == strlen(kafkit_avro_schema_text(s)) ||
                                memchr(data, 0, size) != NULL,
                        "the schema keeps its text", NULL);
        check_canonical(s);
        check_self(s);
        check_defaults(s->root);
        check_empty_record(s);
        kafkit_avro_schema_destroy(s);
        return 0;
}
