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

#endif /* KAFKIT_PROGRESS_H */
