/*
 * regress.c: tests/fuzz_regress, part of `make check`. Replays every file
 * of the committed fuzz corpus (tests/fuzz/corpus/<target>/) through the
 * same target functions libFuzzer runs, built with the normal compiler, so
 * that a regression on any input the fuzzers once found interesting fails
 * CI without needing clang. A target signals a broken invariant by
 * aborting; Check runs each test in its own process and reports it, and
 * the handler below first names the input that did it.
 */
#include "testutil.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

typedef int (*target_fn)(const uint8_t *data, size_t size);

static char current[1024];

static void on_crash(int sig)
{
        static const char pre[] = "fuzz_regress: crashed on input ";

        /* only async-signal-safe calls here */
        if (write(STDERR_FILENO, pre, sizeof(pre) - 1) < 0 ||
            write(STDERR_FILENO, current, strlen(current)) < 0 ||
            write(STDERR_FILENO, "\n", 1) < 0)
                _exit(128 + sig);
        signal(sig, SIG_DFL);
        raise(sig);
}

static void catch_crashes(void)
{
        signal(SIGABRT, on_crash);
        signal(SIGSEGV, on_crash);
        signal(SIGBUS, on_crash);
        signal(SIGFPE, on_crash);
}

/* Reads a whole file into a malloc'd buffer (never NULL on success). */
static uint8_t *slurp(const char *path, size_t *len)
{
        uint8_t *buf = NULL;
        long size;
        FILE *f;

        f = fopen(path, "rb");
        ck_assert_msg(f != NULL, "cannot open %s", path);
        ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
        size = ftell(f);
        ck_assert_int_ge(size, 0);
        rewind(f);
        buf = malloc((size_t)size + 1);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
        fclose(f);
        *len = (size_t)size;
        return buf;
}

/* Runs every file of corpus/<name> through fn; returns how many. */
static int replay(const char *name, target_fn fn)
{
        char dir[768];
        struct dirent *de;
        int n = 0;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", KAFKIT_TEST_SRCDIR, name);
        d = opendir(dir);
        ck_assert_msg(d != NULL, "no fuzz corpus at %s", dir);
        catch_crashes();
        while ((de = readdir(d)) != NULL) {
                uint8_t *data;
                size_t len;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(current, sizeof(current), "%s/%s", dir, de->d_name);
                data = slurp(current, &len);
                ck_assert_int_eq(fn(data, len), 0);
                free(data);
                n++;
        }
        closedir(d);
        return n;
}

START_TEST(test_decode_corpus_replays_cleanly)
{
        ck_assert_int_ge(replay("decode", kf_fuzz_decode), 10);
}
END_TEST

START_TEST(test_encode_corpus_replays_cleanly)
{
        ck_assert_int_ge(replay("encode", kf_fuzz_encode), 10);
}
END_TEST

START_TEST(test_schema_corpus_replays_cleanly)
{
        ck_assert_int_ge(replay("schema", kf_fuzz_schema), 10);
}
END_TEST

START_TEST(test_resolve_corpus_replays_cleanly)
{
        ck_assert_int_ge(replay("resolve", kf_fuzz_resolve), 10);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("fuzz_regress");
        TCase *tc = tcase_create("corpus");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_decode_corpus_replays_cleanly);
        tcase_add_test(tc, test_encode_corpus_replays_cleanly);
        tcase_add_test(tc, test_schema_corpus_replays_cleanly);
        tcase_add_test(tc, test_resolve_corpus_replays_cleanly);
        suite_add_tcase(s, tc);
        return tu_run(s);
}
