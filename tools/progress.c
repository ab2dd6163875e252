/*
 * progress.c: the progress line and --stats JSON lines of long produce and
 * consume runs (see progress.h).
 *
 * Counting is two additions per call. All time keeping happens in
 * progress_tick(), which reads CLOCK_MONOTONIC once and decides whether
 * the line is due (every PROGRESS_REDRAW_MS) and whether a stats line is
 * due (every interval_ms). Wall-clock times for the stats lines are the
 * start's wall clock plus the monotonic elapsed time, so no second clock
 * is read. Nothing here allocates after progress_new(). Not thread-safe:
 * the tools are single-threaded around it.
 */
#include "progress.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_REDRAW_MS 250          /* at most 4 redraws a second */
#define PROGRESS_RATE_WINDOW_MS 1000    /* the line's rate: over ~1 s */
#define PROGRESS_DEFAULT_INTERVAL_MS 1000

struct progress_s;

/* The progress_t drawing a line, for progress_clear(): one at a time. */
static struct progress_s *progress_active;

struct progress_s {
        char what[16];                  /* "produced" / "consumed" */
        int line;                       /* draw the progress line */
        FILE *stats;                    /* NULL: no (more) stats */
        char *stats_path;
        int64_t interval_ns;

        uint64_t records;
        uint64_t bytes;
        uint64_t errors;

        int64_t start_ns;               /* monotonic */
        struct timespec start_wall;     /* CLOCK_REALTIME at start */

        int64_t drawn_ns;               /* last redraw */
        size_t drawn_len;               /* visible length of the last line */
        size_t width;                   /* longest line that fits the terminal */
        int64_t rate_ns;                /* rate window start */
        uint64_t rate_records;
        uint64_t rate_bytes;
        double line_rps;                /* records/s shown on the line */
        double line_bps;                /* bytes/s shown on the line */

        int64_t stats_ns;               /* last stats line (or start) */
        uint64_t stats_records;         /* records at the last stats line */
};

static int64_t mono_ns(void)
{
        struct timespec ts;

        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
                return 0;
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A line longer than the terminal would wrap and "\r" could not redraw
 * it: lines are cut to the width (less one) when stderr is a terminal. */
static size_t line_width(void)
{
        struct winsize ws;

        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
                return (size_t)ws.ws_col - 1;
        return SIZE_MAX;
}

progress_t *progress_new(const char *what, int mode, const char *stats_path, int interval_ms)
{
        progress_t *p = calloc(1, sizeof(*p));

        if (!p) {
                fprintf(stderr, "kafkit: out of memory\n");
                return NULL;
        }
        snprintf(p->what, sizeof(p->what), "%s", what ? what : "done");
        p->line = mode > 0 || (mode == 0 && isatty(STDERR_FILENO));
        p->width = line_width();
        if (interval_ms <= 0)
                interval_ms = PROGRESS_DEFAULT_INTERVAL_MS;
        p->interval_ns = (int64_t)interval_ms * 1000000;

        if (stats_path) {
                p->stats = fopen(stats_path, "ae");
                if (!p->stats) {
                        fprintf(stderr, "kafkit: --stats %s: cannot open: %s\n",
                                stats_path, strerror(errno));
                        free(p);
                        return NULL;
                }
                p->stats_path = strdup(stats_path);
                if (!p->stats_path) {
                        fprintf(stderr, "kafkit: out of memory\n");
                        fclose(p->stats);
                        free(p);
                        return NULL;
                }
        }

        p->start_ns = mono_ns();
        if (clock_gettime(CLOCK_REALTIME, &p->start_wall) != 0)
                memset(&p->start_wall, 0, sizeof(p->start_wall));
        p->drawn_ns = p->rate_ns = p->stats_ns = p->start_ns;
        if (p->line)
                progress_active = p;
        return p;
}

void progress_add(progress_t *p, uint64_t records, uint64_t bytes)
{
        if (!p)
                return;
        p->records += records;
        p->bytes += bytes;
}

void progress_add_errors(progress_t *p, uint64_t errors)
{
        if (p)
                p->errors += errors;
}

/* --------------------------------------------------------------- the line */

/* "999 B", "12.3 kB", "4.56 MB", "7.89 GB": decimal units, as MB/s is. */
static void human_bytes(char *buf, size_t size, double v)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        size_t u = 0;

        while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000.0;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%.0f B", v);
        else
                snprintf(buf, size, "%.*f %s", v < 10.0 ? 2 : v < 100.0 ? 1 : 0, v, units[u]);
}

/* "4.2s", "3m07s", "2h05m09s". */
static void human_elapsed(char *buf, size_t size, int64_t ns)
{
        int64_t s = ns / 1000000000;

        if (s < 60)
                snprintf(buf, size, "%.1fs", (double)ns / 1e9);
        else if (s < 3600)
                snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)(s % 60));
        else
                snprintf(buf, size, "%" PRId64 "h%02dm%02ds", s / 3600,
                         (int)(s / 60 % 60), (int)(s % 60));
}

static void write_err(const char *s, size_t len)
{
        while (len > 0) {
                ssize_t n = write(STDERR_FILENO, s, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return; /* stderr gone: nothing better to do */
                s += n;
                len -= (size_t)n;
        }
}

static void draw_line(progress_t *p, int64_t now)
{
        char line[256], bytes[32], mbs[32], elapsed[32], errs[48] = "";
        int64_t dt = now - p->rate_ns;
        size_t len;
        int n;

        if (dt > 0) {
                p->line_rps = (double)(p->records - p->rate_records) * 1e9 / (double)dt;
                p->line_bps = (double)(p->bytes - p->rate_bytes) * 1e9 / (double)dt;
        }
        if (dt >= (int64_t)PROGRESS_RATE_WINDOW_MS * 1000000) {
                p->rate_ns = now;
                p->rate_records = p->records;
                p->rate_bytes = p->bytes;
        }

        human_bytes(bytes, sizeof(bytes), (double)p->bytes);
        snprintf(mbs, sizeof(mbs), "%.2f MB/s", p->line_bps / 1e6);
        human_elapsed(elapsed, sizeof(elapsed), now - p->start_ns);
        if (p->errors)
                snprintf(errs, sizeof(errs), " %" PRIu64 " errors,", p->errors);

        /* line[0] is the '\r'; the text follows, padded with blanks over
         * whatever was left of a longer previous line. */
        n = snprintf(line, sizeof(line), "\r%s %" PRIu64 " records, %s,%s %.0f records/s, %s, %s",
                     p->what, p->records, bytes, errs, p->line_rps, mbs, elapsed);
        if (n < 0)
                return;
        if ((size_t)n >= sizeof(line))
                n = (int)sizeof(line) - 1;
        if ((size_t)n - 1 > p->width)
                n = (int)p->width + 1;
        len = (size_t)n - 1;
        for (size_t pad = len; pad < p->drawn_len && (size_t)n < sizeof(line) - 1; pad++)
                line[n++] = ' ';
        p->drawn_len = len;
        write_err(line, (size_t)n);
        p->drawn_ns = now;
}

static void clear_line(progress_t *p)
{
        char blank[258];
        size_t len = p->drawn_len;

        if (len == 0)
                return;         /* never drawn, or already cleared */
        if (len > sizeof(blank) - 2)
                len = sizeof(blank) - 2;
        blank[0] = '\r';
        memset(blank + 1, ' ', len);
        blank[len + 1] = '\r';
        write_err(blank, len + 2);
        p->drawn_len = 0;
}

/* -------------------------------------------------------------- the stats */

static void stats_failed(progress_t *p)
{
        fprintf(stderr, "kafkit: --stats %s: write error: %s; no more statistics written\n",
                p->stats_path, strerror(errno ? errno : EIO));
        fclose(p->stats);
        p->stats = NULL;
}

static void write_stats(progress_t *p, int64_t now, int final)
{
        struct timespec wall = p->start_wall;
        int64_t elapsed = now - p->start_ns;
        int64_t dt = now - p->stats_ns;
        double rps = dt > 0 ? (double)(p->records - p->stats_records) * 1e9 / (double)dt : 0.0;
        char stamp[32];
        struct tm tm;
        int r;

        wall.tv_sec += (time_t)(elapsed / 1000000000);
        wall.tv_nsec += (long)(elapsed % 1000000000);
        if (wall.tv_nsec >= 1000000000) {
                wall.tv_sec++;
                wall.tv_nsec -= 1000000000;
        }
        if (!gmtime_r(&wall.tv_sec, &tm) ||
            strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                snprintf(stamp, sizeof(stamp), "1970-01-01T00:00:00");

        errno = 0;
        r = fprintf(p->stats,
                    "{\"time\":\"%s.%03ldZ\",\"elapsed_ms\":%" PRId64 ",\"records\":%" PRIu64
                    ",\"bytes\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"records_per_sec\":%.1f"
                    ",\"what\":\"%s\"%s}\n",
                    stamp, wall.tv_nsec / 1000000, elapsed / 1000000, p->records, p->bytes,
                    p->errors, rps, p->what, final ? ",\"final\":true" : "");
        if (r < 0 || fflush(p->stats) != 0) {
                stats_failed(p);
                return;
        }
        p->stats_ns = now;
        p->stats_records = p->records;
}

/* ------------------------------------------------------------------ ticks */

void progress_tick(progress_t *p)
{
        int64_t now;

        if (!p || (!p->line && !p->stats))
                return;
        now = mono_ns();
        if (p->line && now - p->drawn_ns >= (int64_t)PROGRESS_REDRAW_MS * 1000000)
                draw_line(p, now);
        if (p->stats && now - p->stats_ns >= p->interval_ns)
                write_stats(p, now, 0);
}

void progress_finish(progress_t *p)
{
        if (!p)
                return;
        if (p->line)
                clear_line(p);
        if (progress_active == p)
                progress_active = NULL;
        if (p->stats) {
                write_stats(p, mono_ns(), 1);
                if (p->stats && fclose(p->stats) != 0)
                        fprintf(stderr, "kafkit: --stats %s: write error: %s\n",
                                p->stats_path, strerror(errno));
        }
        free(p->stats_path);
        free(p);
}

void progress_clear(void)
{
        if (progress_active)
                clear_line(progress_active);
}

/* ---------------------------------------------------------------- options */

void progress_opts_init(progress_opts_t *po)
{
        po->mode = 0;
        po->stats_file = NULL;
        po->interval_ms = PROGRESS_DEFAULT_INTERVAL_MS;
}

void progress_opts_quiet(progress_opts_t *po)
{
        po->mode = -1;
}

int progress_opt(progress_opts_t *po, int opt, const char *arg)
{
        char *end;
        long long v;

        switch (opt) {
        case PROGRESS_OPT_PROGRESS:
                if (po->mode == 0)
                        po->mode = 1;
                return 1;
        case PROGRESS_OPT_STATS:
                po->stats_file = arg;
                return 1;
        case PROGRESS_OPT_STATS_INTERVAL:
                if (!*arg)
                        return -1;
                errno = 0;
                v = strtoll(arg, &end, 10);
                if (errno || *end || v < PROGRESS_INTERVAL_MIN_MS ||
                    v > PROGRESS_INTERVAL_MAX_MS)
                        return -1;
                po->interval_ms = (int)v;
                return 1;
        default:
                return 0;
        }
}

progress_t *progress_start(const char *what, const progress_opts_t *po)
{
        return progress_new(what, po->mode, po->stats_file, po->interval_ms);
}
