/*
 * test_progress.c: the progress line and --stats lines of tools/progress.c
 * (compiled in directly): stats lines carry the counts and end with a
 * final one, the file is appended to, a write error is reported once and
 * stops the stats, the line is drawn with "\r" and cleared only when
 * forced (stderr is a pipe here, not a terminal), and redraws are rate
 * limited.
 */
#include "testutil.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
        struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
}

static long now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------ stderr capture (dup2) */

static int saved_stderr = -1;
static int capture_fd = -1;

static void capture_start(void)
{
        int fds[2];

        ck_assert_int_eq(pipe(fds), 0);
        ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
        fflush(stderr);
        saved_stderr = dup(STDERR_FILENO);
        ck_assert_int_ge(saved_stderr, 0);
        ck_assert_int_eq(dup2(fds[1], STDERR_FILENO), STDERR_FILENO);
        close(fds[1]);
        capture_fd = fds[0];
}

/* Restores stderr; returns what was written to it (static buffer). */
static const char *capture_end(size_t *lenp)
{
        static char buf[65536];
        size_t len = 0;
        ssize_t n;

        fflush(stderr);
        ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
        close(saved_stderr);
        while (len < sizeof(buf) - 1 && (n = read(capture_fd, buf + len, sizeof(buf) - 1 - len)) > 0)
                len += (size_t)n;
        close(capture_fd);
        buf[len] = '\0';
        if (lenp)
                *lenp = len;
        return buf;
}

static size_t count_char(const char *s, size_t len, char c)
{
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                n += s[i] == c;
        return n;
}

/* ------------------------------------------------------------ stats file */

static char stats_path[256];

static void make_stats_path(void)
{
        const char *tmp = getenv("TMPDIR");

        snprintf(stats_path, sizeof(stats_path), "%s/kafkit-test-progress-%ld.jsonl",
                 tmp && *tmp ? tmp : "/tmp", (long)getpid());
        unlink(stats_path);
}

/* Reads every line of the stats file as JSON; aborts on a bad line. */
static size_t read_stats(json_t **lines, size_t max, const char *skip_prefix)
{
        FILE *f = fopen(stats_path, "r");
        char buf[1024];
        size_t n = 0;

        ck_assert_msg(f != NULL, "%s: %s", stats_path, strerror(errno));
        while (fgets(buf, sizeof(buf), f)) {
                json_error_t jerr;
                json_t *j;

                if (skip_prefix && strncmp(buf, skip_prefix, strlen(skip_prefix)) == 0)
                        continue;
                ck_assert_msg(n < max, "too many stats lines");
                ck_assert_msg(buf[strlen(buf) - 1] == '\n', "unterminated line: %s", buf);
                j = json_loads(buf, 0, &jerr);
                ck_assert_msg(j != NULL, "bad JSON line %zu: %s: %s", n + 1, jerr.text, buf);
                ck_assert_msg(json_is_object(j), "line %zu is no object", n + 1);
                lines[n++] = j;
        }
        fclose(f);
        return n;
}

static json_int_t int_field(json_t *j, const char *name)
{
        json_t *v = json_object_get(j, name);

        ck_assert_msg(json_is_integer(v), "field %s missing or not an integer", name);
        return json_integer_value(v);
}

static double num_field(json_t *j, const char *name)
{
        json_t *v = json_object_get(j, name);

        ck_assert_msg(json_is_number(v), "field %s missing or not a number", name);
        return json_number_value(v);
}

START_TEST(stats_lines_carry_counts_and_final)
{
        json_t *lines[16];
        progress_t *p;
        size_t n;

        make_stats_path();
        p = progress_new("produced", -1, stats_path, 200);
        ck_assert_ptr_nonnull(p);
        progress_add(p, 10, 1000);
        progress_add(p, 5, 500);
        progress_tick(p);               /* too early: no line yet */
        sleep_ms(230);
        progress_tick(p);               /* line 1: 15 records */
        sleep_ms(230);
        progress_add_errors(p, 2);
        progress_tick(p);               /* line 2: no new records */
        progress_add(p, 1, 7);
        progress_finish(p);             /* final line */

        n = read_stats(lines, 16, NULL);
        ck_assert_int_eq(n, 3);
        ck_assert_int_eq(int_field(lines[0], "records"), 15);
        ck_assert_int_eq(int_field(lines[0], "bytes"), 1500);
        ck_assert_int_eq(int_field(lines[0], "errors"), 0);
        ck_assert(num_field(lines[0], "records_per_sec") > 0);
        ck_assert(int_field(lines[0], "elapsed_ms") >= 200);
        ck_assert_ptr_null(json_object_get(lines[0], "final"));

        ck_assert_int_eq(int_field(lines[1], "records"), 15);
        ck_assert_int_eq(int_field(lines[1], "errors"), 2);
        ck_assert(num_field(lines[1], "records_per_sec") == 0.0);
        ck_assert(int_field(lines[1], "elapsed_ms") >= int_field(lines[0], "elapsed_ms") + 200);
        ck_assert_ptr_null(json_object_get(lines[1], "final"));

        ck_assert_int_eq(int_field(lines[2], "records"), 16);
        ck_assert_int_eq(int_field(lines[2], "bytes"), 1507);
        ck_assert_int_eq(int_field(lines[2], "errors"), 2);
        ck_assert(json_is_true(json_object_get(lines[2], "final")));

        for (size_t i = 0; i < n; i++) {
                const char *t = json_string_value(json_object_get(lines[i], "time"));
                const char *w = json_string_value(json_object_get(lines[i], "what"));

                ck_assert_ptr_nonnull(t);
                /* 2024-05-01T12:34:56.789Z */
                ck_assert_int_eq(strlen(t), 24);
                ck_assert_int_eq(t[10], 'T');
                ck_assert_int_eq(t[23], 'Z');
                ck_assert_str_eq(w ? w : "", "produced");
                json_decref(lines[i]);
        }
        unlink(stats_path);
}
END_TEST

START_TEST(stats_file_is_appended_to)
{
        json_t *lines[4];
        progress_t *p;
        FILE *f;

        make_stats_path();
        f = fopen(stats_path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("# earlier run\n", f);
        fclose(f);

        p = progress_new("consumed", -1, stats_path, 1000);
        ck_assert_ptr_nonnull(p);
        progress_add(p, 3, 30);
        progress_finish(p);

        ck_assert_int_eq(read_stats(lines, 4, "# earlier run"), 1);
        ck_assert_int_eq(int_field(lines[0], "records"), 3);
        ck_assert_str_eq(json_string_value(json_object_get(lines[0], "what")), "consumed");
        ck_assert(json_is_true(json_object_get(lines[0], "final")));
        json_decref(lines[0]);

        f = fopen(stats_path, "r");
        char first[64];
        ck_assert_ptr_nonnull(fgets(first, sizeof(first), f));
        ck_assert_str_eq(first, "# earlier run\n");
        fclose(f);
        unlink(stats_path);
}
END_TEST

START_TEST(stats_file_unopenable_is_an_error)
{
        const char *out;
        progress_t *p;

        capture_start();
        p = progress_new("produced", -1, "/nonexistent-dir/stats.jsonl", 1000);
        out = capture_end(NULL);
        ck_assert_ptr_null(p);
        ck_assert_msg(strstr(out, "kafkit: ") && strstr(out, "/nonexistent-dir/stats.jsonl"),
                      "message does not name the file: %s", out);
}
END_TEST

START_TEST(stats_write_error_reported_once)
{
        const char *out, *first;
        progress_t *p;

        if (access("/dev/full", W_OK) != 0)
                return;         /* no /dev/full here: nothing to test with */
        capture_start();
        p = progress_new("produced", -1, "/dev/full", 10);
        ck_assert_ptr_nonnull(p);
        for (int i = 0; i < 5; i++) {
                progress_add(p, 1, 1);
                sleep_ms(15);
                progress_tick(p);
        }
        progress_finish(p);
        out = capture_end(NULL);
        first = strstr(out, "/dev/full");
        ck_assert_msg(first != NULL, "no write error reported: \"%s\"", out);
        ck_assert_msg(strstr(out, "write error"), "message: %s", out);
        ck_assert_msg(strstr(first + 1, "/dev/full") == NULL, "reported more than once: %s", out);
}
END_TEST

/* -------------------------------------------------------- progress line */

START_TEST(forced_line_is_drawn_and_cleared)
{
        const char *out, *last;
        progress_t *p;
        size_t len;

        capture_start();
        p = progress_new("consumed", 1, NULL, 0);
        ck_assert_ptr_nonnull(p);
        progress_add(p, 1234, 2500000);
        progress_add_errors(p, 3);
        sleep_ms(300);
        progress_tick(p);
        progress_finish(p);
        out = capture_end(&len);

        ck_assert_msg(strncmp(out, "\rconsumed 1234 records, 2.50 MB, ", 33) == 0,
                      "line: \"%s\"", out);
        ck_assert_msg(strstr(out, "records/s") && strstr(out, "MB/s"), "no rates: \"%s\"", out);
        ck_assert_msg(strstr(out, ", 3 errors"), "no errors count: \"%s\"", out);
        ck_assert_ptr_null(strchr(out, '\n'));
        /* cleared: "\r", as many blanks as the line had, "\r" */
        ck_assert_int_eq(out[len - 1], '\r');
        last = out + len - 2;
        while (last > out && *last == ' ')
                last--;
        ck_assert_int_eq(*last, '\r');
        ck_assert_int_eq((size_t)(out + len - 2 - last), (size_t)(last - out) - 1);
}
END_TEST

START_TEST(no_errors_count_when_zero)
{
        const char *out;
        progress_t *p;

        capture_start();
        p = progress_new("produced", 1, NULL, 0);
        progress_add(p, 1, 10);
        sleep_ms(260);
        progress_tick(p);
        progress_finish(p);
        out = capture_end(NULL);
        ck_assert_msg(strncmp(out, "\rproduced 1 records, 10 B, ", 27) == 0, "line: \"%s\"", out);
        ck_assert_ptr_null(strstr(out, "error"));
}
END_TEST

START_TEST(redraws_are_rate_limited)
{
        const char *out;
        progress_t *p;
        size_t len;
        long start;
        int ticks = 0;

        capture_start();
        p = progress_new("produced", 1, NULL, 0);
        start = now_ms();
        /* 600 ms of ticks about every millisecond: 2 redraws (one per
         * 250 ms), 3 if the loop overruns, plus the clearing at the end */
        while (now_ms() - start < 600) {
                progress_add(p, 1, 100);
                progress_tick(p);
                ticks++;
                sleep_ms(1);
        }
        progress_finish(p);
        out = capture_end(&len);
        ck_assert_int_gt(ticks, 10);
        ck_assert_msg(count_char(out, len, '\r') >= 2, "never drawn: \"%s\"", out);
        ck_assert_msg(count_char(out, len, '\r') <= 4, "%zu redraws", count_char(out, len, '\r'));
}
END_TEST

START_TEST(not_a_terminal_or_quiet_writes_nothing)
{
        size_t len;
        progress_t *p;

        capture_start();
        p = progress_new("produced", 0, NULL, 0);       /* stderr is a pipe */
        ck_assert_ptr_nonnull(p);
        progress_add(p, 1, 1);
        sleep_ms(260);
        progress_tick(p);
        progress_finish(p);
        p = progress_new("produced", -1, NULL, 0);
        ck_assert_ptr_nonnull(p);
        progress_add(p, 1, 1);
        progress_tick(p);
        progress_finish(p);
        /* NULL is ignored everywhere */
        progress_add(NULL, 1, 1);
        progress_add_errors(NULL, 1);
        progress_tick(NULL);
        progress_finish(NULL);
        capture_end(&len);
        ck_assert_int_eq(len, 0);
}
END_TEST

static Suite *progress_suite(void)
{
        Suite *s = suite_create("progress");
        TCase *tc = tcase_create("progress");

        tcase_add_test(tc, stats_lines_carry_counts_and_final);
        tcase_add_test(tc, stats_file_is_appended_to);
        tcase_add_test(tc, stats_file_unopenable_is_an_error);
        tcase_add_test(tc, stats_write_error_reported_once);
        tcase_add_test(tc, forced_line_is_drawn_and_cleared);
        tcase_add_test(tc, no_errors_count_when_zero);
        tcase_add_test(tc, redraws_are_rate_limited);
        tcase_add_test(tc, not_a_terminal_or_quiet_writes_nothing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(progress_suite());
}
