/*
 * avro_decimal.c: Avro decimals as text ("-12.34") for the
 * KAFKIT_AVRO_JSON_DECIMAL_TEXT flag.
 *
 * A decimal is a big-endian two's-complement integer (the unscaled value)
 * of any length: bytes, or a fixed of `size` bytes. Conversion works on
 * base-10^9 limbs in a small stack array, so it costs no allocation: the
 * longest value handled is AV_DEC_MAX_BYTES (a fixed that large holds
 * about 1,230 digits; larger ones are refused with an error).
 */
#include "avro_internal.h"

#include <string.h>

#define LIMB 1000000000u
#define MAX_LIMBS ((AV_DEC_MAX_BYTES * 8) / 29 + 2) /* 10^9 > 2^29 */

/* dst = -src, both n big-endian two's-complement bytes (may be the same). */
static void negate(unsigned char *dst, const unsigned char *src, size_t n)
{
        unsigned carry = 1;
        size_t i;

        for (i = n; i-- > 0;) {
                unsigned v = (unsigned)(unsigned char)~src[i] + carry;

                dst[i] = (unsigned char)v;
                carry = v >> 8;
        }
}

/* magnitude (big-endian bytes) -> base 10^9 limbs, least significant first */
static size_t to_limbs(const unsigned char *mag, size_t n, uint32_t *limbs)
{
        size_t cnt = 0, i, k;

        for (i = 0; i < n; i++) {
                uint64_t carry = mag[i];

                for (k = 0; k < cnt; k++) {
                        uint64_t v = (uint64_t)limbs[k] * 256 + carry;

                        limbs[k] = (uint32_t)(v % LIMB);
                        carry = v / LIMB;
                }
                while (carry) {
                        limbs[cnt++] = (uint32_t)(carry % LIMB);
                        carry /= LIMB;
                }
        }
        return cnt;
}

int av_decimal_to_text(const unsigned char *b, size_t n, int scale, kafkit_buf_t *out)
{
        unsigned char mag[AV_DEC_MAX_BYTES];
        uint32_t limbs[MAX_LIMBS];
        char digits[MAX_LIMBS * 9 + 1], *d;
        size_t cnt, nd, i;
        int neg = n > 0 && (b[0] & 0x80);
        char *o;

        if (n > AV_DEC_MAX_BYTES)
                return -2;
        /* magnitude: negate two's complement when negative */
        if (neg)
                negate(mag, b, n);
        else if (n)
                memcpy(mag, b, n);
        cnt = to_limbs(mag, n, limbs);
        /* digits, most significant first */
        d = digits + sizeof(digits);
        *--d = '\0';
        nd = 0;
        for (i = 0; i < cnt; i++) {
                uint32_t v = limbs[i];
                int k;

                for (k = 0; k < 9 && (v || i + 1 < cnt); k++) {
                        *--d = (char)('0' + v % 10);
                        v /= 10;
                        nd++;
                }
        }
        /* room: sign, "0.", leading zeros up to scale, digits, quotes */
        if (av_buf_need(out, nd + (size_t)scale + 8))
                return -1;
        o = out->data + out->len;
        *o++ = '"';
        if (neg && nd)
                *o++ = '-';
        if (nd <= (size_t)scale) {
                *o++ = '0';
                if (scale > 0) {
                        *o++ = '.';
                        for (i = nd; i < (size_t)scale; i++)
                                *o++ = '0';
                        memcpy(o, d, nd);
                        o += nd;
                }
        } else {
                memcpy(o, d, nd - (size_t)scale);
                o += nd - (size_t)scale;
                if (scale > 0) {
                        *o++ = '.';
                        memcpy(o, d + nd - (size_t)scale, (size_t)scale);
                        o += scale;
                }
        }
        *o++ = '"';
        out->len = (size_t)(o - out->data);
        out->data[out->len] = '\0';
        return 0;
}

/* mag (big-endian, right-aligned in AV_DEC_MAX_BYTES, *len bytes used)
 * = mag * mul + add; -1 when it outgrows the array. */
static int mul_add(unsigned char *mag, size_t *len, unsigned mul, unsigned add)
{
        unsigned carry = add;
        size_t i, n = *len;

        for (i = 0; i < n; i++) {
                unsigned char *b = &mag[AV_DEC_MAX_BYTES - 1 - i];
                unsigned v = (unsigned)*b * mul + carry;

                *b = (unsigned char)v;
                carry = v >> 8;
        }
        for (; carry; carry >>= 8) {
                if (n == AV_DEC_MAX_BYTES)
                        return -1;
                mag[AV_DEC_MAX_BYTES - 1 - n++] = (unsigned char)carry;
        }
        *len = n;
        return 0;
}

int av_decimal_from_text(const char *s, size_t len, int precision, int scale, size_t fixed_size,
                         unsigned char *out, size_t *out_len, char *why, size_t why_size)
{
        unsigned char mag[AV_DEC_MAX_BYTES];
        const unsigned char *top;
        size_t n = 0, i, int_digits = 0, frac_digits = 0, sig = 0, width;
        const char *p = s, *end = s + len;
        int neg = 0, point = 0, pad;

        if (p < end && (*p == '-' || *p == '+'))
                neg = *p++ == '-';
        for (; p < end; p++) {
                if (*p == '.' && !point) {
                        point = 1;
                        continue;
                }
                if (*p < '0' || *p > '9')
                        goto bad;
                if (point)
                        frac_digits++;
                else
                        int_digits++;
                if (sig || *p != '0')
                        sig++;
                if (mul_add(mag, &n, 10, (unsigned)(*p - '0')))
                        goto too_big;
        }
        if (int_digits == 0 || (point && frac_digits == 0))
                goto bad;
        if (frac_digits > (size_t)scale) {
                snprintf(why, why_size, "decimal with at most %d digits after the point "
                                        "(scale %d)", scale, scale);
                return -1;
        }
        for (pad = scale - (int)frac_digits; pad > 0; pad--) {
                if (sig)
                        sig++;
                if (mul_add(mag, &n, 10, 0))
                        goto too_big;
        }
        if (precision > 0 && sig > (size_t)precision) {
                snprintf(why, why_size, "decimal of at most %d significant digits "
                                        "(precision %d, scale %d)",
                         precision, precision, scale);
                return -1;
        }
        top = mag + AV_DEC_MAX_BYTES - n;
        while (n && *top == 0) {
                top++;
                n--;
        }
        /* two's complement width: one more byte when the top bit is taken,
         * except for -2^(8n-1), which fits in n bytes */
        width = n;
        if (n && (*top & 0x80)) {
                int pow2 = neg && *top == 0x80;

                for (i = 1; pow2 && i < n; i++)
                        pow2 = top[i] == 0;
                if (!pow2)
                        width++;
        }
        if (width == 0)
                width = 1;
        if (fixed_size) {
                if (width > fixed_size) {
                        snprintf(why, why_size, "decimal fitting a fixed of %zu bytes",
                                 fixed_size);
                        return -1;
                }
                width = fixed_size;
        }
        if (width > AV_DEC_MAX_BYTES)
                goto too_big;
        memset(out, 0, width);
        memcpy(out + width - n, top, n);
        if (neg && n)   /* not -0 */
                negate(out, out, width);
        *out_len = width;
        return 0;
bad:
        snprintf(why, why_size, "decimal as text like \"-12.34\"");
        return -1;
too_big:
        snprintf(why, why_size, "decimal of more than %d bytes", AV_DEC_MAX_BYTES);
        return -1;
}
