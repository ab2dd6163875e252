/*
 * json_check.c: is this text one JSON value? A single pass with no
 * allocation, for tools and applications that pass JSON through and only
 * need to refuse what is not JSON (kafkit produce --value-format json),
 * at a speed that does not hold up the producer. Building a jansson tree
 * per record would cost several times more.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* Deeper nesting than this is refused rather than followed. */
#define JSON_MAX_DEPTH 512

/* A cursor over the text being checked. */
typedef struct jcur_s {
        const char *p, *start, *end;
        const char *why;
} jcur_t;

static int jfail(jcur_t *j, const char *why)
{
        j->why = why;
        return -1;
}

static void jws(jcur_t *j)
{
        while (j->p < j->end &&
               (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
                j->p++;
}

static int jlit(jcur_t *j, const char *word)
{
        size_t n = strlen(word);

        if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
                return jfail(j, "unexpected character");
        j->p += n;
        return 0;
}

static int jdigits(jcur_t *j)
{
        const char *s = j->p;

        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                j->p++;
        return j->p > s ? 0 : jfail(j, "expected a digit");
}

static int jnumber(jcur_t *j)
{
        if (j->p < j->end && *j->p == '-')
                j->p++;
        if (j->p < j->end && *j->p == '0')
                j->p++;
        else if (jdigits(j))
                return -1;
        if (j->p < j->end && *j->p == '.') {
                j->p++;
                if (jdigits(j))
                        return -1;
        }
        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
                j->p++;
                if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
                        j->p++;
                if (jdigits(j))
                        return -1;
        }
        return 0;
}

static int jstring(jcur_t *j)
{
        int i;

        j->p++; /* the opening quote */
        while (j->p < j->end && *j->p != '"') {
                unsigned char ch = (unsigned char)*j->p;

                if (ch < 0x20)
                        return jfail(j, "control character in a string");
                if (ch == '\\') {
                        if (++j->p >= j->end)
                                break;
                        if (*j->p == 'u') {
                                for (i = 0; i < 4; i++)
                                        if (++j->p >= j->end ||
                                            !strchr("0123456789abcdefABCDEF", *j->p))
                                                return jfail(j, "bad \\u escape");
                        } else if (!strchr("\"\\/bfnrt", *j->p)) {
                                return jfail(j, "bad escape in a string");
                        }
                }
                j->p++;
        }
        if (j->p >= j->end)
                return jfail(j, "unterminated string");
        j->p++;
        return 0;
}

static int jvalue(jcur_t *j, int depth);

/* An object or array after its opening bracket. */
static int jcontainer(jcur_t *j, int depth, char close)
{
        j->p++;
        jws(j);
        if (j->p < j->end && *j->p == close) {
                j->p++;
                return 0;
        }
        for (;;) {
                if (close == '}') {
                        if (j->p >= j->end || *j->p != '"')
                                return jfail(j, "expected a member name");
                        if (jstring(j))
                                return -1;
                        jws(j);
                        if (j->p >= j->end || *j->p != ':')
                                return jfail(j, "expected ':'");
                        j->p++;
                }
                if (jvalue(j, depth + 1))
                        return -1;
                jws(j);
                if (j->p < j->end && *j->p == ',') {
                        j->p++;
                        jws(j);
                        continue;
                }
                if (j->p < j->end && *j->p == close) {
                        j->p++;
                        return 0;
                }
                return jfail(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
}

static int jvalue(jcur_t *j, int depth)
{
        if (depth > JSON_MAX_DEPTH)
                return jfail(j, "nested too deeply");
        jws(j);
        if (j->p >= j->end)
                return jfail(j, "expected a value, found the end");
        switch (*j->p) {
        case '{': return jcontainer(j, depth, '}');
        case '[': return jcontainer(j, depth, ']');
        case '"': return jstring(j);
        case 't': return jlit(j, "true");
        case 'f': return jlit(j, "false");
        case 'n': return jlit(j, "null");
        default:
                if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
                        return jnumber(j);
                return jfail(j, "unexpected character");
        }
}

kafkit_err_t kafkit_json_validate(const char *text, size_t len, kafkit_error_t *err)
{
        jcur_t j = { text, text, text + len, NULL };

        if (!text && len)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0, "json: NULL text");
        if (!text)
                j.p = j.start = j.end = "";
        if (jvalue(&j, 0) == 0) {
                jws(&j);
                if (j.p == j.end) {
                        kafkit_error_clear(err);
                        return KAFKIT_OK;
                }
                jfail(&j, "text after the value");
        }
        return kafkit_err_set(err, KAFKIT_ERR_PARSE, 0, "at byte %zu: %s",
                              (size_t)(j.p - j.start), j.why);
}
