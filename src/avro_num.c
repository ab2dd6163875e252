/*
 * avro_num.c: the JSON output primitives of the Avro codec: integers
 * without snprintf, floats and doubles in their shortest round-trip form,
 * and JSON strings from UTF-8 text or from raw bytes.
 *
 * Shortest doubles: if a double has a representation of at most 15
 * significant digits, rounding it to 15 digits gives exactly that one
 * (DBL_DIG is 15), so "%.15g" is tried first, then 16 and 17 digits, each
 * checked by reading it back (subnormals, with fewer digits, search from
 * 1 digit up). Integral values below 2^53 skip printf. Floats
 * do the same with 6..9 digits and strtof.
 */
#include "avro_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

size_t av_fmt_int64(char *dst, int64_t v)
{
        char tmp[20];
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        size_t n = 0, len = 0;

        do {
                tmp[n++] = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                dst[len++] = '-';
        while (n)
                dst[len++] = tmp[--n];
        return len;
}

/*
 * Rewrites printf's %g output as JSON: the locale's decimal point becomes
 * '.', "e+21" becomes "e21", "e-05" becomes "e-5", and an integral result
 * gets ".0" so the value reads back as a real.
 */
static size_t fmt_tidy(char *dst, const char *src)
{
        size_t n = 0;
        int dot = 0;

        while (*src) {
                char c = *src;

                if ((c >= '0' && c <= '9') || c == '-') {
                        dst[n++] = c;
                        src++;
                } else if (c == 'e' || c == 'E') {
                        dot = 1;
                        dst[n++] = 'e';
                        src++;
                        if (*src == '+')
                                src++;
                        else if (*src == '-')
                                dst[n++] = *src++;
                        while (*src == '0' && src[1])
                                src++;
                } else {
                        /* decimal point, possibly multi-byte in a locale */
                        dot = 1;
                        dst[n++] = '.';
                        while (*src && !(*src >= '0' && *src <= '9') && *src != 'e' &&
                               *src != 'E')
                                src++;
                }
        }
        if (!dot) {
                dst[n++] = '.';
                dst[n++] = '0';
        }
        dst[n] = '\0';
        return n;
}

static size_t fmt_special(char *dst, double v)
{
        const char *s = isnan(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        size_t n = strlen(s);

        memcpy(dst, s, n + 1);
        return n;
}

/* Integral values of magnitude below 2^53 print exactly as "<int>.0". */
static int fmt_integral(char *dst, double v, size_t *lenp)
{
        size_t n;

        if (!(v > -9007199254740992.0 && v < 9007199254740992.0) || v != floor(v))
                return 0;
        if (v == 0 && signbit(v))
                return 0;       /* -0.0 keeps its sign through printf */
        if (fabs(v) >= 1e16)
                return 0;
        n = av_fmt_int64(dst, (int64_t)v);
        dst[n++] = '.';
        dst[n++] = '0';
        dst[n] = '\0';
        *lenp = n;
        return 1;
}

/*
 * Short decimals (prices, ratios: "12.34") without printf: the smallest k
 * in 1..9 for which m = round(v * 10^k) gives back v as m / 10^k. That test
 * is exact: both m / 10^k in double arithmetic and strtod("m e-k") are the
 * correctly rounded value of the same rational, so they are equal. With
 * m < 10^15 and |v| >= 1e-4 the digits are what "%.15g" prints (the value
 * lies far closer to m / 10^k than half a unit of the 15th digit), so the
 * output is the same as the general path's, only faster. 0 if no such k.
 */
static size_t fmt_short_decimal(char *dst, double v)
{
        static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
        double a = fabs(v), scaled;
        uint64_t m, ip, fp;
        size_t n = 0;
        int k, i;

        if (!(a >= 1e-4 && a < 1e6))
                return 0;
        for (k = 1; k <= 9; k++) {
                scaled = nearbyint(a * p10[k]);
                if (scaled >= 1e15)
                        return 0;
                m = (uint64_t)scaled;
                if ((double)m / p10[k] != a)
                        continue;
                ip = m / (uint64_t)p10[k];
                fp = m % (uint64_t)p10[k];
                if (v < 0)
                        dst[n++] = '-';
                n += av_fmt_int64(dst + n, (int64_t)ip);
                dst[n++] = '.';
                for (i = k - 1; i >= 0; i--) {
                        dst[n + (size_t)i] = (char)('0' + fp % 10);
                        fp /= 10;
                }
                n += (size_t)k;
                dst[n] = '\0';
                return n;
        }
        return 0;
}

size_t av_fmt_double(char *dst, double v)
{
        char tmp[40];
        size_t n;
        int prec;

        if (!isfinite(v))
                return fmt_special(dst, v);
        if (fmt_integral(dst, v, &n))
                return n;
        if ((n = fmt_short_decimal(dst, v)) > 0)
                return n;
        /* subnormals have fewer digits of precision: search from 1 */
        for (prec = fabs(v) < DBL_MIN ? 1 : 15; prec < 17; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
                if (strtod(tmp, NULL) == v)
                        return fmt_tidy(dst, tmp);
        }
        snprintf(tmp, sizeof(tmp), "%.17g", v);
        return fmt_tidy(dst, tmp);
}

size_t av_fmt_float(char *dst, float v)
{
        char tmp[40];
        size_t n;
        int prec;

        if (!isfinite(v))
                return fmt_special(dst, v);
        if (fabsf(v) < 1e7f && fmt_integral(dst, v, &n))
                return n;
        for (prec = fabsf(v) < FLT_MIN ? 1 : 6; prec < 9; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*g", prec, (double)v);
                if (strtof(tmp, NULL) == v)
                        return fmt_tidy(dst, tmp);
        }
        snprintf(tmp, sizeof(tmp), "%.9g", (double)v);
        return fmt_tidy(dst, tmp);
}

/* ------------------------------------------------------------ JSON strings */

static const char hexdig[] = "0123456789abcdef";

/* 1 for bytes that can be copied into a JSON string as they are. */
static inline int plain_ascii(unsigned char c)
{
        return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Escape of an ASCII byte that needs one: \" \\ \n... or \u00XX. */
static size_t esc_ascii(char *dst, unsigned char c)
{
        const char *short_esc = NULL;

        switch (c) {
        case '"': short_esc = "\\\""; break;
        case '\\': short_esc = "\\\\"; break;
        case '\n': short_esc = "\\n"; break;
        case '\r': short_esc = "\\r"; break;
        case '\t': short_esc = "\\t"; break;
        case '\b': short_esc = "\\b"; break;
        case '\f': short_esc = "\\f"; break;
        default: break;
        }
        if (short_esc) {
                dst[0] = short_esc[0];
                dst[1] = short_esc[1];
                return 2;
        }
        memcpy(dst, "\\u00", 4);
        dst[4] = hexdig[c >> 4];
        dst[5] = hexdig[c & 15];
        return 6;
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
        unsigned char c = s[0];

        if (c >= 0xc2 && c <= 0xdf)
                return avail >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
        if (c >= 0xe0 && c <= 0xef) {
                if (avail < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
                        return 0;
                if (c == 0xe0 && s[1] < 0xa0)
                        return 0;       /* overlong */
                if (c == 0xed && s[1] >= 0xa0)
                        return 0;       /* surrogate */
                return 3;
        }
        if (c >= 0xf0 && c <= 0xf4) {
                if (avail < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
                    (s[3] & 0xc0) != 0x80)
                        return 0;
                if (c == 0xf0 && s[1] < 0x90)
                        return 0;       /* overlong */
                if (c == 0xf4 && s[1] >= 0x90)
                        return 0;       /* above U+10FFFF */
                return 4;
        }
        return 0;
}

/*
 * Worst case per input byte is 6 output bytes (\u00XX; U+FFFD is 3 bytes
 * for 1), so one reservation covers the whole string.
 */
int av_json_put_utf8(kafkit_buf_t *b, const char *str, size_t len)
{
        const unsigned char *s = (const unsigned char *)str, *end = s + len;
        char *o;

        if (len > (SIZE_MAX - 2) / 6 || av_buf_need(b, len * 6 + 2))
                return -1;
        o = b->data + b->len;
        *o++ = '"';
        while (s < end) {
                const unsigned char *run = s;
                size_t k;

                while (s < end && plain_ascii(*s))
                        s++;
                memcpy(o, run, (size_t)(s - run));
                o += s - run;
                if (s == end)
                        break;
                if (*s < 0x80) {
                        o += esc_ascii(o, *s++);
                        continue;
                }
                k = utf8_seq(s, (size_t)(end - s));
                if (k) {
                        memcpy(o, s, k);
                        o += k;
                        s += k;
                } else {
                        memcpy(o, "\xef\xbf\xbd", 3);
                        o += 3;
                        s++;
                }
        }
        *o++ = '"';
        b->len = (size_t)(o - b->data);
        return 0;
}

int av_json_put_bytes(kafkit_buf_t *b, const unsigned char *s, size_t len)
{
        const unsigned char *end = s + len;
        char *o;

        if (len > (SIZE_MAX - 2) / 6 || av_buf_need(b, len * 6 + 2))
                return -1;
        o = b->data + b->len;
        *o++ = '"';
        for (; s < end; s++) {
                unsigned char c = *s;

                if (plain_ascii(c)) {
                        *o++ = (char)c;
                } else if (c < 0x80) {
                        o += esc_ascii(o, c);
                } else {
                        *o++ = (char)(0xc0 | (c >> 6));
                        *o++ = (char)(0x80 | (c & 0x3f));
                }
        }
        *o++ = '"';
        b->len = (size_t)(o - b->data);
        return 0;
}

char *av_json_quote(const char *s, size_t *lenp)
{
        kafkit_buf_t b = { NULL, 0, 0 };

        if (av_json_put_utf8(&b, s, strlen(s)) || av_buf_putc(&b, '\0')) {
                kafkit_buf_free(&b);
                return NULL;
        }
        if (lenp)
                *lenp = b.len - 1;
        return b.data;
}
