/*
 * schemas.c: the fixed schemas and writer/reader pairs the fuzz targets
 * feed untrusted bytes through. Together they cover every Avro type and
 * logical type, named types by reference, recursion, unions PLAIN style
 * must choose in, and every resolution rule. Parsed once per process: a
 * schema that no longer parses or resolves aborts at once, so a typo here
 * cannot silently shrink what is fuzzed.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const schema_texts[] = {
        "\"null\"",
        "\"boolean\"",
        "\"int\"",
        "\"long\"",
        "\"float\"",
        "\"double\"",
        "\"bytes\"",
        "\"string\"",
        /* 8: one field of every type and logical type */
        "{\"type\":\"record\",\"name\":\"All\",\"namespace\":\"fz\",\"fields\":["
        "{\"name\":\"n\",\"type\":\"null\"},"
        "{\"name\":\"b\",\"type\":\"boolean\"},"
        "{\"name\":\"i\",\"type\":\"int\"},"
        "{\"name\":\"l\",\"type\":\"long\"},"
        "{\"name\":\"f\",\"type\":\"float\"},"
        "{\"name\":\"d\",\"type\":\"double\"},"
        "{\"name\":\"by\",\"type\":\"bytes\"},"
        "{\"name\":\"s\",\"type\":\"string\"},"
        "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Color\","
        "\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"],\"default\":\"RED\"}},"
        "{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"Four\",\"size\":4}},"
        "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"long\"}},"
        "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"string\"]}},"
        "{\"name\":\"u\",\"type\":[\"null\",\"int\",\"string\",\"Color\",\"Four\","
        "{\"type\":\"array\",\"items\":\"int\"},{\"type\":\"map\",\"values\":\"double\"}]},"
        "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
        "\"precision\":10,\"scale\":2}},"
        "{\"name\":\"decf\",\"type\":{\"type\":\"fixed\",\"name\":\"D5\",\"size\":5,"
        "\"logicalType\":\"decimal\",\"precision\":11,\"scale\":3}},"
        "{\"name\":\"uuid\",\"type\":{\"type\":\"string\",\"logicalType\":\"uuid\"}},"
        "{\"name\":\"date\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
        "{\"name\":\"tms\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
        "{\"name\":\"tus\",\"type\":{\"type\":\"long\",\"logicalType\":\"time-micros\"}},"
        "{\"name\":\"tsm\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
        "{\"name\":\"tsu\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
        "{\"name\":\"ltm\",\"type\":{\"type\":\"long\","
        "\"logicalType\":\"local-timestamp-millis\"}},"
        "{\"name\":\"ltu\",\"type\":{\"type\":\"long\","
        "\"logicalType\":\"local-timestamp-micros\"}},"
        "{\"name\":\"dur\",\"type\":{\"type\":\"fixed\",\"name\":\"Dur\",\"size\":12,"
        "\"logicalType\":\"duration\"}},"
        "{\"name\":\"def\",\"type\":\"string\",\"default\":\"x\"},"
        "{\"name\":\"defu\",\"type\":[\"null\",\"Color\"],\"default\":null}]}",
        /* 9: recursion through a union */
        "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"},"
        "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}",
        /* 10: recursion through an array and a map */
        "{\"type\":\"record\",\"name\":\"Tree\",\"fields\":["
        "{\"name\":\"kids\",\"type\":{\"type\":\"array\",\"items\":\"Tree\"}},"
        "{\"name\":\"tags\",\"type\":{\"type\":\"map\",\"values\":\"Tree\"}}]}",
        /* 11: zero-byte items (empty budget) */
        "{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"null\"}}",
        /* 12: a top-level union of every primitive */
        "[\"null\",\"boolean\",\"int\",\"long\",\"float\",\"double\",\"bytes\",\"string\"]",
        /* 13: a map of a union of two records with one field in common */
        "{\"type\":\"map\",\"values\":[{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"p\","
        "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]},"
        "{\"type\":\"record\",\"name\":\"B\",\"namespace\":\"q\",\"fields\":["
        "{\"name\":\"x\",\"type\":\"long\"},"
        "{\"name\":\"y\",\"type\":\"string\",\"default\":\"\"}]}]}",
        /* 14: the PLAIN branch choice: every kind of number and string */
        "{\"type\":\"array\",\"items\":[\"int\",\"long\",\"float\",\"double\",\"string\","
        "\"bytes\",{\"type\":\"fixed\",\"name\":\"F2\",\"size\":2},"
        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]},\"boolean\"]}",
        /* 15: empty records */
        "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Empty\",\"fields\":[]}}",
        /* 16: the benchmark's small record */
        "{\"type\":\"record\",\"name\":\"Click\",\"namespace\":\"bench\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"user\",\"type\":\"string\"},"
        "{\"name\":\"page\",\"type\":\"string\"},{\"name\":\"count\",\"type\":\"int\"},"
        "{\"name\":\"ts\",\"type\":\"long\"},{\"name\":\"score\",\"type\":\"double\"},"
        "{\"name\":\"ok\",\"type\":\"boolean\"},"
        "{\"name\":\"kind\",\"type\":{\"type\":\"enum\",\"name\":\"Kind\","
        "\"symbols\":[\"VIEW\",\"CLICK\",\"BUY\"]}},"
        "{\"name\":\"ref\",\"type\":[\"null\",\"string\"]},"
        "{\"name\":\"n\",\"type\":\"int\"}]}",
        /* 17, 18: top-level enum and fixed */
        "{\"type\":\"enum\",\"name\":\"Suit\",\"symbols\":[\"S\",\"H\",\"D\",\"C\"]}",
        "{\"type\":\"fixed\",\"name\":\"Id16\",\"size\":16,\"logicalType\":\"uuid\"}",
        /* 19: deep nesting of arrays within unions */
        "{\"type\":\"record\",\"name\":\"Deep\",\"fields\":[{\"name\":\"d\",\"type\":"
        "[\"null\",{\"type\":\"array\",\"items\":[\"null\",\"Deep\","
        "{\"type\":\"map\",\"values\":\"Deep\"}]}]}]}",
};

#define N_SCHEMAS (sizeof(schema_texts) / sizeof(schema_texts[0]))

/* Writer, reader. */
static const char *const pair_texts[][2] = {
        /* promotions, enum default, skipped and added fields, unions */
        { "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
          "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\"},"
          "{\"name\":\"c\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
          "\"symbols\":[\"X\",\"Y\",\"Z\"]}},"
          "{\"name\":\"gone\",\"type\":{\"type\":\"array\",\"items\":"
          "{\"type\":\"map\",\"values\":[\"bytes\",\"float\",{\"type\":\"fixed\","
          "\"name\":\"F3\",\"size\":3}]}}},"
          "{\"name\":\"u\",\"type\":[\"null\",\"long\",\"string\"]},"
          "{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"l\",\"type\":\"long\"}]}",
          "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
          "{\"name\":\"a\",\"type\":\"double\"},{\"name\":\"b\",\"type\":\"bytes\"},"
          "{\"name\":\"c\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
          "\"symbols\":[\"Y\",\"X\",\"Q\"],\"default\":\"Q\"}},"
          "{\"name\":\"u\",\"type\":[\"null\",\"double\",\"bytes\"]},"
          "{\"name\":\"f\",\"type\":\"double\"},{\"name\":\"l\",\"type\":\"float\"},"
          "{\"name\":\"added\",\"type\":\"int\",\"default\":7},"
          "{\"name\":\"added2\",\"type\":[\"null\",\"string\"],\"default\":null}]}" },
        /* recursion, renamed by aliases */
        { "{\"type\":\"record\",\"name\":\"Node\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"},"
          "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}",
          "{\"type\":\"record\",\"name\":\"N2\",\"aliases\":[\"Node\"],\"fields\":["
          "{\"name\":\"val\",\"aliases\":[\"v\"],\"type\":\"long\"},"
          "{\"name\":\"next\",\"type\":[\"null\",\"N2\"]}]}" },
        /* writer union to a reader non-union: the boolean branch fails */
        { "[\"int\",\"string\",\"boolean\"]", "\"long\"" },
        { "[\"int\",\"string\",\"boolean\"]", "[\"bytes\",\"double\"]" },
        /* writer non-union to a reader union */
        { "\"long\"", "[\"null\",\"float\"]" },
        { "\"bytes\"", "\"string\"" },
        { "\"string\"", "[\"null\",\"bytes\"]" },
        /* containers of promoted items */
        { "{\"type\":\"array\",\"items\":\"int\"}", "{\"type\":\"array\",\"items\":\"double\"}" },
        { "{\"type\":\"map\",\"values\":\"long\"}", "{\"type\":\"map\",\"values\":\"float\"}" },
        /* a skipped recursive field */
        { "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"k\",\"type\":"
          "{\"type\":\"array\",\"items\":\"T\"}},{\"name\":\"x\",\"type\":\"int\"},"
          "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"T\"]}}]}",
          "{\"type\":\"record\",\"name\":\"T\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}" },
        /* enum with and without default, fixed by alias */
        { "{\"type\":\"array\",\"items\":{\"type\":\"enum\",\"name\":\"S\","
          "\"symbols\":[\"A\",\"B\",\"C\",\"D\"]}}",
          "{\"type\":\"array\",\"items\":{\"type\":\"enum\",\"name\":\"S\","
          "\"symbols\":[\"D\",\"A\"]}}" },
        { "{\"type\":\"fixed\",\"name\":\"a.F\",\"size\":3}",
          "{\"type\":\"fixed\",\"name\":\"b.G\",\"aliases\":[\"a.F\"],\"size\":3}" },
        /* the big record read as itself */
        { NULL, NULL },
};

#define N_PAIRS (sizeof(pair_texts) / sizeof(pair_texts[0]))

static kafkit_avro_schema_t *schemas[N_SCHEMAS];
static kafkit_avro_schema_t *pair_schemas[N_PAIRS][2];
static kafkit_avro_resolver_t *resolvers[N_PAIRS];
static kafkit_avro_resolver_t *identity[N_SCHEMAS];

void kf_fuzz_require(int ok, const char *what, const char *detail)
{
        if (ok)
                return;
        fprintf(stderr, "fuzz invariant broken: %s\n%s\n", what, detail ? detail : "");
        abort();
}

static kafkit_avro_schema_t *parse(const char *text)
{
        kafkit_avro_schema_t *s;
        kafkit_error_t err;

        s = kafkit_avro_schema_new(text, (size_t)-1, &err);
        kf_fuzz_require(s != NULL, "a fixed fuzz schema parses", err.message);
        return s;
}

static void load(void)
{
        kafkit_error_t err;
        size_t i;

        if (schemas[0])
                return;
        for (i = 0; i < N_SCHEMAS; i++)
                schemas[i] = parse(schema_texts[i]);
        for (i = 0; i < N_PAIRS; i++) {
                const char *w = pair_texts[i][0] ? pair_texts[i][0] : schema_texts[8];
                const char *r = pair_texts[i][1] ? pair_texts[i][1] : schema_texts[8];

                pair_schemas[i][0] = parse(w);
                pair_schemas[i][1] = parse(r);
                resolvers[i] = kafkit_avro_resolver_new(pair_schemas[i][0],
                                                        pair_schemas[i][1], &err);
                kf_fuzz_require(resolvers[i] != NULL, "a fixed fuzz pair resolves",
                                err.message);
        }
        for (i = 0; i < N_SCHEMAS; i++) {
                identity[i] = kafkit_avro_resolver_new(schemas[i], schemas[i], &err);
                kf_fuzz_require(identity[i] != NULL, "a fixed fuzz schema resolves to itself",
                                err.message);
        }
}

size_t kf_fuzz_n_schemas(void)
{
        return N_SCHEMAS;
}

const kafkit_avro_schema_t *kf_fuzz_schema_get(size_t i)
{
        load();
        return schemas[i % N_SCHEMAS];
}

size_t kf_fuzz_n_pairs(void)
{
        return N_PAIRS;
}

const kafkit_avro_resolver_t *kf_fuzz_pair_get(size_t i, const kafkit_avro_schema_t **writer,
                                               const kafkit_avro_schema_t **reader)
{
        load();
        i %= N_PAIRS;
        *writer = pair_schemas[i][0];
        *reader = pair_schemas[i][1];
        return resolvers[i];
}

const kafkit_avro_resolver_t *kf_fuzz_identity_get(size_t i)
{
        load();
        return identity[i % N_SCHEMAS];
}
