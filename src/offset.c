/*
 * offset.c: start offsets as users write them ("beginning", "end",
 * "stored", "N", "-N", "s@MS") and their librdkafka equivalents.
 *
 * Parsing is strict: a typo in a start offset silently read as 0 would
 * replay a whole topic, so anything but the exact forms is an error that
 * quotes the text. Numbers are decimal digits only (no sign, spaces or
 * "0x"), and must fit in an int64_t.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

#define KAFKIT_OFFSET_FORMS "beginning, end, stored, N, -N or s@MS"

/* Longest text quoted in an error: enough to recognise it, not a dump. */
#define KAFKIT_OFFSET_QUOTE_MAX 64

/* Parses a non-empty run of decimal digits that fills all of `s`. */
static int kafkit_offset_digits(const char *s, int64_t *out)
{
        uint64_t v = 0;
        unsigned d;

        if (!*s)
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -1;
                d = (unsigned)(*s - '0');
                if (v > ((uint64_t)INT64_MAX - d) / 10)
                        return -2;
                v = v * 10 + d;
        }
        *out = (int64_t)v;
        return 0;
}

static kafkit_err_t kafkit_offset_bad(const char *text, const char *why, kafkit_error_t *err)
{
        return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0, "offset \"%.*s%s\": %s",
                              KAFKIT_OFFSET_QUOTE_MAX, text,
                              strlen(text) > KAFKIT_OFFSET_QUOTE_MAX ? "..." : "", why);
}

static kafkit_err_t kafkit_offset_number(const char *text,
                                         const char *digits,
                                         kafkit_offset_kind_t kind,
                                         kafkit_offset_t *offset,
                                         kafkit_error_t *err)
{
        int64_t v;
        int r = kafkit_offset_digits(digits, &v);

        if (r == -2)
                return kafkit_offset_bad(text, "number out of range", err);
        if (r != 0)
                return kafkit_offset_bad(text, "expected " KAFKIT_OFFSET_FORMS, err);
        /* "-0" would mean "the last 0 records": that is "end", say so */
        if (kind == KAFKIT_OFFSET_FROM_END && v == 0)
                return kafkit_offset_bad(text, "-N needs N >= 1 (use \"end\")", err);
        /* keeps RD_KAFKA_OFFSET_TAIL(N) representable */
        if (kind == KAFKIT_OFFSET_FROM_END && v > INT64_MAX + RD_KAFKA_OFFSET_TAIL_BASE)
                return kafkit_offset_bad(text, "number out of range", err);
        offset->kind = kind;
        offset->value = v;
        return KAFKIT_OK;
}

kafkit_err_t kafkit_offset_parse(const char *text, kafkit_offset_t *offset, kafkit_error_t *err)
{
        static const struct {
                const char *name;
                kafkit_offset_kind_t kind;
        } names[] = {
                { "beginning", KAFKIT_OFFSET_BEGINNING },
                { "end", KAFKIT_OFFSET_END },
                { "stored", KAFKIT_OFFSET_STORED },
        };
        size_t i;

        if (!text || !offset)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "offset parse: NULL %s", text ? "result" : "text");
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                if (strcasecmp(text, names[i].name) == 0) {
                        offset->kind = names[i].kind;
                        offset->value = 0;
                        return KAFKIT_OK;
                }
        }
        if (text[0] == '-')
                return kafkit_offset_number(text, text + 1, KAFKIT_OFFSET_FROM_END,
                                            offset, err);
        if (text[0] == 's' && text[1] == '@')
                return kafkit_offset_number(text, text + 2, KAFKIT_OFFSET_TIMESTAMP,
                                            offset, err);
        return kafkit_offset_number(text, text, KAFKIT_OFFSET_ABSOLUTE, offset, err);
}

int64_t kafkit_offset_to_rd(const kafkit_offset_t *off)
{
        if (!off)
                return RD_KAFKA_OFFSET_INVALID;
        switch (off->kind) {
        case KAFKIT_OFFSET_BEGINNING:
                return RD_KAFKA_OFFSET_BEGINNING;
        case KAFKIT_OFFSET_END:
                return RD_KAFKA_OFFSET_END;
        case KAFKIT_OFFSET_STORED:
                return RD_KAFKA_OFFSET_STORED;
        case KAFKIT_OFFSET_ABSOLUTE:
                return off->value >= 0 ? off->value : RD_KAFKA_OFFSET_INVALID;
        case KAFKIT_OFFSET_FROM_END:
                if (off->value < 0 || off->value > INT64_MAX + RD_KAFKA_OFFSET_TAIL_BASE)
                        return RD_KAFKA_OFFSET_INVALID;
                return RD_KAFKA_OFFSET_TAIL(off->value);
        case KAFKIT_OFFSET_TIMESTAMP:
        default:
                return RD_KAFKA_OFFSET_INVALID;
        }
}
