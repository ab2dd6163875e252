/*
 * fuzz.h: kafkit's Avro fuzz targets. Each target is a plain function of
 * (data, size) so that the same code runs under libFuzzer (`make fuzz`,
 * clang, via tests/fuzz/main.c) and in tests/fuzz_regress (gcc, `make
 * check`), which replays the committed corpus in tests/fuzz/corpus/<name>/.
 *
 * A target returns 0; a broken invariant (an encode of decoded output that
 * fails, a canonical form that does not parse...) prints what broke and
 * abort()s, which both libFuzzer and Check report as a crash.
 */
#ifndef KAFKIT_FUZZ_H
#define KAFKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <kafkit/avro.h>

/* Binary -> JSON decode: data[0] picks the schema, the rest is the value. */
int kf_fuzz_decode(const uint8_t *data, size_t size);
/* JSON -> binary encode: data[0] picks schema and style, the rest is JSON. */
int kf_fuzz_encode(const uint8_t *data, size_t size);
/* Schema text parsing, then canonical form, defaults, self-resolution. */
int kf_fuzz_schema(const uint8_t *data, size_t size);
/* Resolver decode: data[0] picks the writer/reader pair, the rest is data. */
int kf_fuzz_resolve(const uint8_t *data, size_t size);

/* The fixed schemas (parsed once, kept for the process) and their count. */
size_t kf_fuzz_n_schemas(void);
const kafkit_avro_schema_t *kf_fuzz_schema_get(size_t i);

/* The fixed writer/reader pairs and their resolvers. */
size_t kf_fuzz_n_pairs(void);
const kafkit_avro_resolver_t *kf_fuzz_pair_get(size_t i, const kafkit_avro_schema_t **writer,
                                               const kafkit_avro_schema_t **reader);

/* Schema i resolved to itself (reads exactly as a plain decode). */
const kafkit_avro_resolver_t *kf_fuzz_identity_get(size_t i);

/* Prints `what` and the context, then aborts, unless `ok`. */
void kf_fuzz_require(int ok, const char *what, const char *detail);

#endif /* KAFKIT_FUZZ_H */
