/*
 * regsrv_wal.c: the development Schema Registry's write-ahead log.
 *
 * DIR/registry.log holds one JSON object per line, one line per change,
 * appended and fdatasync'ed before the change is applied or answered, so
 * an acknowledged change survives a crash. Opening replays every line
 * through the store's callback. A crash can only tear the LAST line (it
 * then lacks its newline): that line was never acknowledged, so it is
 * dropped with a warning and the file truncated to the last whole line.
 * Any other bad line is corruption and stops the start, naming file and
 * line. An exclusive flock() keeps a second process off the directory.
 */
#include "regsrv_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAL_FILE "registry.log"

struct rs_wal_s {
        int fd;
        off_t size;             /* bytes of whole lines */
        char *path;
        const kafkit_logger_t *lg;
};

static kafkit_err_t wal_ioerr(kafkit_error_t *err, const char *what, const char *path)
{
        return kafkit_err_set(err, KAFKIT_ERR_IO, 0, "schema registry: cannot %s %s: %s",
                              what, path, strerror(errno));
}

/* Reads the whole file into a NUL-terminated buffer. */
static char *read_all(int fd, size_t *len)
{
        size_t cap = 65536, n = 0;
        char *buf = malloc(cap + 1), *p;
        ssize_t r;

        while (buf) {
                if (n == cap) {
                        cap *= 2;
                        if (!(p = realloc(buf, cap + 1))) {
                                free(buf);
                                return NULL;
                        }
                        buf = p;
                }
                r = read(fd, buf + n, cap - n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        free(buf);
                        return NULL;
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        if (buf) {
                buf[n] = '\0';
                *len = n;
        }
        return buf;
}

/* Drops a torn last line of `torn` bytes starting at offset `at`. */
static kafkit_err_t wal_drop_torn(rs_wal_t *w, size_t at, size_t torn, int line,
                                  kafkit_error_t *err)
{
        kafkit_log(w->lg, KAFKIT_LOG_WARNING, "REGISTRY",
                   "%s:%d: ignoring a torn last line (%zu bytes without a newline, "
                   "left by a crash while writing it)", w->path, line, torn);
        if (ftruncate(w->fd, (off_t)at) == -1 || fdatasync(w->fd) == -1)
                return wal_ioerr(err, "truncate", w->path);
        return KAFKIT_OK;
}

static kafkit_err_t wal_replay(rs_wal_t *w, rs_wal_apply_cb *cb, void *opaque,
                               kafkit_error_t *err)
{
        size_t len = 0, pos = 0;
        char *buf, *nl;
        kafkit_err_t r = KAFKIT_OK;
        int line = 0;

        if (lseek(w->fd, 0, SEEK_SET) == -1 || !(buf = read_all(w->fd, &len)))
                return wal_ioerr(err, "read", w->path);
        while (pos < len && r == KAFKIT_OK) {
                json_error_t jerr;
                json_t *op;
                char why[1024];

                line++;
                if (!(nl = memchr(buf + pos, '\n', len - pos))) {
                        r = wal_drop_torn(w, pos, len - pos, line, err);
                        len = pos;
                        break;
                }
                op = json_loadb(buf + pos, (size_t)(nl - (buf + pos)), 0, &jerr);
                if (!op)
                        r = kafkit_err_set(err, KAFKIT_ERR_PARSE, 0, "%s:%d: corrupt "
                                           "line: %s", w->path, line, jerr.text);
                else if (cb(opaque, op, why, sizeof(why)))
                        r = kafkit_err_set(err, KAFKIT_ERR_PARSE, 0, "%s:%d: %s",
                                           w->path, line, why);
                json_decref(op);
                pos = (size_t)(nl - buf) + 1;
        }
        free(buf);
        w->size = (off_t)len;
        if (r == KAFKIT_OK && lseek(w->fd, 0, SEEK_END) == -1)
                return wal_ioerr(err, "seek", w->path);
        return r;
}

static kafkit_err_t wal_mkdir(const char *dir, kafkit_error_t *err)
{
        struct stat sb;

        if (mkdir(dir, 0755) == -1 && errno != EEXIST)
                return wal_ioerr(err, "create the data directory", dir);
        if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
                errno = ENOTDIR;
                return wal_ioerr(err, "use the data directory", dir);
        }
        return KAFKIT_OK;
}

/* Makes the log file's directory entry durable (it may be new). */
static void wal_sync_dir(const char *dir)
{
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dfd != -1) {
                (void)fsync(dfd);
                close(dfd);
        }
}

rs_wal_t *rs_wal_open(const char *dir, const kafkit_logger_t *lg, rs_wal_apply_cb *cb,
                      void *opaque, kafkit_error_t *err)
{
        size_t plen = strlen(dir) + sizeof("/" WAL_FILE);
        rs_wal_t *w = calloc(1, sizeof(*w));

        if (!w || !(w->path = malloc(plen))) {
                free(w);
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "schema registry: out of memory");
                return NULL;
        }
        w->fd = -1;
        w->lg = lg;
        snprintf(w->path, plen, "%s/" WAL_FILE, dir);
        if (wal_mkdir(dir, err))
                goto fail;
        w->fd = open(w->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (w->fd == -1) {
                wal_ioerr(err, "open", w->path);
                goto fail;
        }
        if (flock(w->fd, LOCK_EX | LOCK_NB) == -1) {
                kafkit_err_set(err, KAFKIT_ERR_IO, 0, "schema registry: %s is in use by "
                               "another process (%s)", w->path, strerror(errno));
                goto fail;
        }
        wal_sync_dir(dir);
        if (wal_replay(w, cb, opaque, err))
                goto fail;
        return w;
fail:
        rs_wal_close(w);
        return NULL;
}

kafkit_err_t rs_wal_append(rs_wal_t *w, json_t *op, kafkit_error_t *err)
{
        char *line = json_dumps(op, JSON_COMPACT | JSON_ENSURE_ASCII);
        size_t len, done = 0;
        ssize_t n;

        if (!line)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "schema registry: out of memory");
        len = strlen(line);
        line[len++] = '\n';     /* replaces the NUL: written by length */
        while (done < len) {
                n = write(w->fd, line + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                done += (size_t)n;
        }
        free(line);
        if (done < len || fdatasync(w->fd) == -1) {
                kafkit_err_t r = wal_ioerr(err, "write", w->path);

                /* Best effort: leave no partial line behind. */
                if (ftruncate(w->fd, w->size) == 0)
                        (void)fdatasync(w->fd);
                return r;
        }
        w->size += (off_t)len;
        return KAFKIT_OK;
}

void rs_wal_close(rs_wal_t *w)
{
        if (!w)
                return;
        if (w->fd != -1)
                close(w->fd);   /* also releases the flock */
        free(w->path);
        free(w);
}
