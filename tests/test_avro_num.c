/*
 * test_avro_num.c: the fast path for short decimals in av_fmt_double()
 * prints exactly what the general shortest-round-trip search prints.
 */
#include "testutil.h"
#include "avro_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The general path, as av_fmt_double() does it without the fast path:
 * the fewest of 15..17 significant digits that read back, in %g form. */
static void reference(char *out, size_t size, double v)
{
        char tmp[40];
        int prec;

        for (prec = 15; prec <= 17; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
                if (prec == 17 || strtod(tmp, NULL) == v)
                        break;
        }
        snprintf(out, size, "%s", tmp);
}

static void check(double v)
{
        char got[64], want[64];

        char *e;

        av_fmt_double(got, v);
        reference(want, sizeof(want), v);
        if ((e = strchr(want, 'e')) != NULL) /* kafkit writes e-5, not e-05 */
                snprintf(e, sizeof(want) - (size_t)(e - want), "e%d", atoi(e + 1));
        else if (!strchr(want, '.'))
                strcat(want, ".0");
        ck_assert_msg(strcmp(got, want) == 0, "%.17g: got %s, want %s", v, got, want);
        ck_assert_msg(strtod(got, NULL) == v, "%s does not read back as %.17g", got, v);
}

START_TEST(test_short_decimals_match_general_path)
{
        static const double p10[] = { 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
        unsigned seed = 12345;
        int i;

        check(0.1);
        check(-0.001);
        check(123.45);
        check(0.0001);
        check(999999.999999999);
        check(0.3);
        for (i = 0; i < 200000; i++) {
                double m = (double)(rand_r(&seed) % 1000000000);
                double v = m / p10[rand_r(&seed) % 9];

                check(rand_r(&seed) & 1 ? -v : v);
        }
}
END_TEST

START_TEST(test_random_doubles_match_general_path)
{
        unsigned seed = 777;
        int i;

        for (i = 0; i < 200000; i++) {
                uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                                (uint64_t)rand_r(&seed);
                double v;

                memcpy(&v, &bits, sizeof(v));
                if (!isfinite(v) || v == floor(v))
                        continue;
                check(v);
        }
}
END_TEST

static Suite *suite(void)
{
        Suite *s = suite_create("avro_num");
        TCase *tc = tcase_create("fmt_double");

        tcase_add_test(tc, test_short_decimals_match_general_path);
        tcase_add_test(tc, test_random_doubles_match_general_path);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(suite());
}
