/*
 * conf_load.c: filling a kafkit_conf_t from Java-style .properties files and
 * from the environment (KAFKIT_BROKERS, KAFKIT_CONF_<NAME>).
 *
 * Both end in kafkit_conf_set(), so a property is checked the same way
 * wherever it comes from; what this file adds is the place: "file:line" or
 * the variable's name in front of the message.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char **environ;

/* A properties file larger than this is surely not one. */
#define KAFKIT_CONF_FILE_MAX (16u * 1024 * 1024)

/* ------------------------------------------------------- properties files */

/*
 * Java .properties syntax, read as bytes (UTF-8 in practice, not Java's
 * ISO-8859-1): a logical line is a natural line plus the lines its trailing
 * odd backslash continues (their leading whitespace dropped); the name ends
 * at the first unescaped '=', ':' or blank; escapes \t \n \r \f and \uXXXX
 * (surrogate pairs too) are decoded to UTF-8, any other escaped character
 * stands for itself. Unlike Java, trailing whitespace is trimmed before the
 * continuation check, so an escaped trailing blank ("a\ ") is not kept, and
 * a line with a name but no separator or value is an error, not an empty
 * value. Errors quote the line they are about, by its first line number.
 */

/* Appends code point cp as UTF-8. */
static kafkit_err_t kafkit_put_utf8(kafkit_buf_t *b, unsigned long cp)
{
        char u[4];
        size_t n;

        if (cp < 0x80) {
                u[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char)(0xc0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3f));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char)(0xe0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                u[2] = (char)(0x80 | (cp & 0x3f));
                n = 3;
        } else {
                u[0] = (char)(0xf0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                u[3] = (char)(0x80 | (cp & 0x3f));
                n = 4;
        }
        return kafkit_buf_append(b, u, n);
}

/* The value of four hex digits at s[i]; -1 if there are not four. */
static long kafkit_hex4(const char *s, size_t n, size_t i)
{
        long v = 0;
        size_t k;

        if (n < 4 || i > n - 4)
                return -1;
        for (k = 0; k < 4; k++) {
                int c = (unsigned char)s[i + k];

                if (!isxdigit(c))
                        return -1;
                v = v * 16 + (isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
        }
        return v;
}

/*
 * The \uXXXX escape whose hex starts at s[*i]: a code point, or a UTF-16
 * surrogate pair written as two escapes, appended as UTF-8. KAFKIT_ERR_PARSE
 * if malformed (or \u0000, which a C string cannot hold).
 */
static kafkit_err_t kafkit_unescape_u(const char *s, size_t n, size_t *i, kafkit_buf_t *out)
{
        long hi = kafkit_hex4(s, n, *i), lo;

        if (hi <= 0 || (hi >= 0xdc00 && hi <= 0xdfff))
                return KAFKIT_ERR_PARSE;
        *i += 4;
        if (hi < 0xd800 || hi > 0xdbff)
                return kafkit_put_utf8(out, (unsigned long)hi);
        if (*i + 2 > n || s[*i] != '\\' || s[*i + 1] != 'u')
                return KAFKIT_ERR_PARSE;
        lo = kafkit_hex4(s, n, *i + 2);
        if (lo < 0xdc00 || lo > 0xdfff)
                return KAFKIT_ERR_PARSE;
        *i += 6;
        return kafkit_put_utf8(out, 0x10000 + (((unsigned long)hi - 0xd800) << 10) +
                                            ((unsigned long)lo - 0xdc00));
}

/* The escape after a backslash, at s[*i]: \t \n \r \f \uXXXX, else the
 * character itself (\\ \= \: \# \! \ ). */
static kafkit_err_t kafkit_unescape(const char *s, size_t n, size_t *i, kafkit_buf_t *out)
{
        char c;

        if (*i >= n)
                return KAFKIT_OK;
        c = s[(*i)++];
        switch (c) {
        case 't':
                c = '\t';
                break;
        case 'n':
                c = '\n';
                break;
        case 'r':
                c = '\r';
                break;
        case 'f':
                c = '\f';
                break;
        case 'u':
                return kafkit_unescape_u(s, n, i, out);
        }
        return kafkit_buf_append(out, &c, 1);
}

/*
 * Decodes s[*i..] into out up to the end, or (key) up to the first
 * unescaped '=', ':' or whitespace. KAFKIT_ERR_PARSE: malformed escape.
 */
static kafkit_err_t kafkit_prop_token(const char *s,
                                      size_t n,
                                      size_t *i,
                                      int is_key,
                                      kafkit_buf_t *out)
{
        kafkit_err_t r = KAFKIT_OK;

        while (r == KAFKIT_OK && *i < n) {
                char c = s[*i];

                if (is_key && (c == '=' || c == ':' || isspace((unsigned char)c)))
                        break;
                (*i)++;
                r = c == '\\' ? kafkit_unescape(s, n, i, out) : kafkit_buf_append(out, &c, 1);
        }
        return r;
}

/* Where a logical line came from, for error messages. */
typedef struct kafkit_prop_src_s {
        const char *source;
        size_t line;
} kafkit_prop_src_t;

/* Up to this much of a bad line is quoted in its error message. */
#define KAFKIT_PROP_QUOTE_MAX 200

/* Applies one logical line (continuations joined, whitespace trimmed). */
static kafkit_err_t kafkit_prop_apply(kafkit_conf_t *conf,
                                      const kafkit_prop_src_t *src,
                                      const char *s,
                                      size_t n,
                                      kafkit_error_t *err)
{
        int quote = (int)(n > KAFKIT_PROP_QUOTE_MAX ? KAFKIT_PROP_QUOTE_MAX : n);
        kafkit_buf_t key = { 0 }, value = { 0 };
        kafkit_error_t e;
        kafkit_err_t code;
        size_t i = 0;
        int sep;

        code = kafkit_prop_token(s, n, &i, 1, &key);
        sep = i < n && isspace((unsigned char)s[i]);
        while (i < n && isspace((unsigned char)s[i]))
                i++;
        if (i < n && (s[i] == '=' || s[i] == ':')) {
                sep = 1;
                i++;
                while (i < n && isspace((unsigned char)s[i]))
                        i++;
        }
        if (code == KAFKIT_OK)
                code = kafkit_prop_token(s, n, &i, 0, &value);
        if (code == KAFKIT_ERR_NOMEM) {
                kafkit_err_set(err, code, 0, "%s:%zu: out of memory", src->source, src->line);
        } else if (code != KAFKIT_OK) {
                kafkit_err_set(err, code, 0, "%s:%zu: invalid \\u escape in '%.*s'",
                               src->source, src->line, quote, s);
        } else if (!sep || key.len == 0) {
                code = kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                      "%s:%zu: expected 'name=value', got '%.*s'", src->source,
                                      src->line, quote, s);
        } else if ((code = kafkit_conf_set(conf, key.data, value.data ? value.data : "", &e)) !=
                   KAFKIT_OK) {
                kafkit_err_set(err, code, e.kafka_code, "%s:%zu: %s", src->source, src->line,
                               e.message);
        }
        kafkit_buf_free(&key);
        kafkit_buf_free(&value);
        return code;
}

/* The next natural line at *pos, without its terminator and trailing
 * whitespace (so CRLF files read as LF). 0 at the end of the text. */
static int kafkit_next_line(const char *text, size_t len, size_t *pos,
                            const char **line, size_t *n)
{
        const char *nl;

        if (*pos >= len)
                return 0;
        *line = text + *pos;
        nl = memchr(*line, '\n', len - *pos);
        *n = nl ? (size_t)(nl - *line) : len - *pos;
        *pos += *n + (nl ? 1 : 0);
        while (*n > 0 && isspace((unsigned char)(*line)[*n - 1]))
                (*n)--;
        return 1;
}

static void kafkit_skip_ws(const char **line, size_t *n)
{
        while (*n > 0 && isspace((unsigned char)**line)) {
                (*line)++;
                (*n)--;
        }
}

/* 1 if the line ends with an odd number of backslashes: it continues. */
static int kafkit_line_continues(const char *line, size_t n)
{
        size_t k = 0;

        while (k < n && line[n - 1 - k] == '\\')
                k++;
        return k % 2 == 1;
}

/*
 * Reads one logical line starting with `line` into *lg (emptied first),
 * joining continuation lines (their leading whitespace dropped) and counting
 * them in *lineno.
 */
static kafkit_err_t kafkit_logical_line(const char *text,
                                        size_t len,
                                        size_t *pos,
                                        size_t *lineno,
                                        const char *line,
                                        size_t n,
                                        kafkit_buf_t *lg)
{
        int cont;

        kafkit_buf_reset(lg);
        for (;;) {
                cont = kafkit_line_continues(line, n);
                if (kafkit_buf_append(lg, line, n - (cont ? 1 : 0)) != KAFKIT_OK)
                        return KAFKIT_ERR_NOMEM;
                if (!cont || !kafkit_next_line(text, len, pos, &line, &n))
                        return KAFKIT_OK;
                (*lineno)++;
                kafkit_skip_ws(&line, &n);
        }
}

kafkit_err_t kafkit_conf_load_buffer(kafkit_conf_t *conf,
                                     const char *text,
                                     size_t len,
                                     const char *source,
                                     kafkit_error_t *err)
{
        kafkit_buf_t lg = { 0 };
        kafkit_prop_src_t src = { source ? source : "<buffer>", 0 };
        kafkit_err_t code = KAFKIT_OK;
        size_t pos = 0, lineno = 0, n;
        const char *line;

        if (!conf || (!text && len))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_conf_load_buffer: NULL conf or text");
        if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
                pos = 3; /* UTF-8 byte order mark */
        while (code == KAFKIT_OK && kafkit_next_line(text, len, &pos, &line, &n)) {
                src.line = ++lineno;
                kafkit_skip_ws(&line, &n);
                if (n == 0 || line[0] == '#' || line[0] == '!')
                        continue;
                if (memchr(line, '\0', n))
                        code = kafkit_err_set(err, KAFKIT_ERR_PARSE, 0,
                                              "%s:%zu: NUL byte in line", src.source, src.line);
                else if (kafkit_logical_line(text, len, &pos, &lineno, line, n, &lg) != KAFKIT_OK)
                        code = kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "%s:%zu: out of memory",
                                              src.source, src.line);
                else
                        code = kafkit_prop_apply(conf, &src, lg.data ? lg.data : "", lg.len,
                                                 err);
        }
        kafkit_buf_free(&lg);
        return code;
}

/* Appends all of `fp` to b. */
static kafkit_err_t kafkit_read_all(FILE *fp, const char *path, kafkit_buf_t *b,
                                    kafkit_error_t *err)
{
        char chunk[8192];
        size_t n;

        while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
                if (b->len + n > KAFKIT_CONF_FILE_MAX)
                        return kafkit_err_set(err, KAFKIT_ERR_IO, 0,
                                              "%s: file too large for a properties file "
                                              "(over %u bytes)",
                                              path, KAFKIT_CONF_FILE_MAX);
                if (kafkit_buf_append(b, chunk, n) != KAFKIT_OK)
                        return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                              "%s: out of memory reading the file", path);
        }
        if (ferror(fp))
                return kafkit_err_set(err, KAFKIT_ERR_IO, 0, "%s: read error: %s", path,
                                      strerror(errno));
        return KAFKIT_OK;
}

kafkit_err_t kafkit_conf_load_file(kafkit_conf_t *conf, const char *path, kafkit_error_t *err)
{
        kafkit_buf_t b = { 0 };
        kafkit_err_t code;
        FILE *fp;

        if (!conf || !path)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_conf_load_file: NULL conf or path");
        fp = fopen(path, "rb");
        if (!fp)
                return kafkit_err_set(err, KAFKIT_ERR_IO, 0, "cannot open %s: %s", path,
                                      strerror(errno));
        code = kafkit_read_all(fp, path, &b, err);
        fclose(fp);
        if (code == KAFKIT_OK)
                code = kafkit_conf_load_buffer(conf, b.data, b.len, path, err);
        kafkit_buf_free(&b);
        return code;
}

/* ------------------------------------------------------------ environment */

#define KAFKIT_ENV_BROKERS "KAFKIT_BROKERS"
#define KAFKIT_ENV_CONF "KAFKIT_CONF_"

/*
 * The property named by the variable-name tail s[0..n): lower-cased, each
 * run of underscores read as '.' (one), '_' (two), '-' (three), with longer
 * runs taken three at a time. NULL when out of memory.
 */
static char *kafkit_env_prop_name(const char *s, size_t n)
{
        char *out = malloc(n + 1), *o = out;
        size_t i = 0;

        if (!out)
                return NULL;
        while (i < n) {
                size_t run = 0;

                if (s[i] != '_') {
                        *o++ = (char)tolower((unsigned char)s[i++]);
                        continue;
                }
                while (i < n && s[i] == '_') {
                        run++;
                        i++;
                }
                for (; run >= 3; run -= 3)
                        *o++ = '-';
                if (run)
                        *o++ = run == 2 ? '_' : '.';
        }
        *o = '\0';
        return out;
}

/* Applies one KAFKIT_CONF_NAME=value entry of the environment. */
static kafkit_err_t kafkit_env_apply(kafkit_conf_t *conf, const char *var, kafkit_error_t *err)
{
        const char *eq = strchr(var, '=');
        size_t plen = strlen(KAFKIT_ENV_CONF);
        kafkit_error_t e;
        kafkit_err_t code;
        char *name;

        if (!eq)
                return KAFKIT_OK; /* not a NAME=value entry: not a setting */
        if ((size_t)(eq - var) == plen)
                return kafkit_err_set(err, KAFKIT_ERR_CONF, 0,
                                      "environment variable %s: no property name",
                                      KAFKIT_ENV_CONF);
        name = kafkit_env_prop_name(var + plen, (size_t)(eq - var) - plen);
        if (!name)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "out of memory");
        code = kafkit_conf_set(conf, name, eq + 1, &e);
        if (code != KAFKIT_OK)
                kafkit_err_set(err, code, 0, "environment variable %.*s: %s",
                               (int)(eq - var), var, e.message);
        free(name);
        return code;
}

/*
 * KAFKIT_BROKERS goes first so that an explicit
 * KAFKIT_CONF_BOOTSTRAP_SERVERS, more specific, wins over it.
 */
kafkit_err_t kafkit_conf_load_env(kafkit_conf_t *conf, kafkit_error_t *err)
{
        size_t plen = strlen(KAFKIT_ENV_CONF);
        const char *brokers;
        kafkit_error_t e;
        char **v;

        if (!conf)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "kafkit_conf_load_env: NULL conf");
        brokers = getenv(KAFKIT_ENV_BROKERS);
        if (brokers && kafkit_conf_set(conf, "bootstrap.servers", brokers, &e) != KAFKIT_OK)
                return kafkit_err_set(err, e.code, 0, "environment variable %s: %s",
                                      KAFKIT_ENV_BROKERS, e.message);
        for (v = environ; v && *v; v++) {
                kafkit_err_t code;

                if (strncmp(*v, KAFKIT_ENV_CONF, plen))
                        continue;
                code = kafkit_env_apply(conf, *v, err);
                if (code != KAFKIT_OK)
                        return code;
        }
        return KAFKIT_OK;
}
