/*
 * progress.h: progress line and periodic statistics for long produce and
 * consume runs (`kafkit produce/consume` and kcat mode -P/-C/-G).
 *
 * The progress line goes to stderr, redrawn in place ("\r...") at most a
 * few times a second: records, bytes, rate. It is on when stderr is a
 * terminal (mode 0), always with --progress (mode 1), never with -q
 * (mode -1). --stats FILE appends one JSON object per interval and a final
 * one at the end. The per-record cost is two additions; the clock is read
 * at most once per progress_tick() call, and callers tick once per batch.
 */
#ifndef KAFKIT_PROGRESS_H
#define KAFKIT_PROGRESS_H

#include <getopt.h>
#include <stdint.h>

typedef struct progress_s progress_t;

/*
 * `what` is "produced" or "consumed". `mode`: -1 off, 0 when stderr is a
 * terminal, 1 always. `stats_path`: NULL or a file to append JSON lines to
 * every `interval_ms`. Returns NULL with a message printed ("kafkit: ...")
 * when the stats file cannot be opened; when both are off returns a
 * progress_t that does nothing (never NULL for that reason).
 */
progress_t *progress_new(const char *what, int mode, const char *stats_path, int interval_ms);

/* Counts records and bytes (key + value) done. Cheap; call per record or
 * per batch. NULL `p` is ignored. */
void progress_add(progress_t *p, uint64_t records, uint64_t bytes);

/* Counts records that failed (delivery errors, undecodable). */
void progress_add_errors(progress_t *p, uint64_t errors);

/* Redraws the line / writes stats if their interval passed. NULL ignored. */
void progress_tick(progress_t *p);

/* Clears the progress line, if one is drawn, so that a message printed on
 * stderr next starts on a clean line; the next tick redraws it. The tools'
 * message functions (cli_err, kc_info, kc_fatal) call it. */
void progress_clear(void);

/* Final stats line, clears the progress line, frees. NULL ignored. */
void progress_finish(progress_t *p);

/* ---------------------------------------------------------------------------
 * The options every long-running mode takes: --progress, --stats FILE,
 * --stats-interval MS, and -q (which the caller passes on: it is also a
 * verbosity option).
 */
typedef struct progress_opts_s {
        int mode;               /* progress_new()'s: --progress 1, -q -1, else 0 */
        const char *stats_file; /* --stats FILE (borrowed from argv), or NULL */
        int interval_ms;        /* --stats-interval MS */
} progress_opts_t;

/* Codes of the long options: above any letter and the commands' other
 * long option codes (300s: kcat mode, 400s: codec.h). */
enum {
        PROGRESS_OPT_PROGRESS = 390,
        PROGRESS_OPT_STATS,
        PROGRESS_OPT_STATS_INTERVAL
};

#define PROGRESS_INTERVAL_MIN_MS 10
#define PROGRESS_INTERVAL_MAX_MS 3600000

/* The getopt_long() entries, to paste into a command's table. */
#define PROGRESS_LONGOPTS                                                        \
        { "progress", no_argument, NULL, PROGRESS_OPT_PROGRESS },                \
        { "stats", required_argument, NULL, PROGRESS_OPT_STATS },                \
        { "stats-interval", required_argument, NULL, PROGRESS_OPT_STATS_INTERVAL }

/* Defaults: the line when stderr is a terminal, no stats, 1 s interval. */
void progress_opts_init(progress_opts_t *po);

/* -q: no progress line, whatever the order of -q and --progress. */
void progress_opts_quiet(progress_opts_t *po);

/*
 * Takes `opt` if it is a PROGRESS_OPT_*: returns 1 when taken, 0 when not
 * one of them, -1 for a --stats-interval outside PROGRESS_INTERVAL_MIN_MS
 * to PROGRESS_INTERVAL_MAX_MS (nothing printed: the caller words the
 * message in its own style).
 */
int progress_opt(progress_opts_t *po, int opt, const char *arg);

/* progress_new() with the options' settings. */
progress_t *progress_start(const char *what, const progress_opts_t *po);

#endif /* KAFKIT_PROGRESS_H */
