/*
 * cli.h: what the kafkit program's subcommands share. Tools use only the
 * public API (<kafkit/kafkit.h>), never the library's internals.
 */
#ifndef KAFKIT_CLI_H
#define KAFKIT_CLI_H

#include <stdio.h>
#include <kafkit/kafkit.h>

/* Exit codes of every subcommand. */
enum {
        CLI_EXIT_OK = 0,       /* success */
        CLI_EXIT_FAILURE = 1,  /* runtime failure */
        CLI_EXIT_USAGE = 2     /* bad command line */
};

/* Subcommands: each parses its own argv (argv[0] is the subcommand name)
 * and returns an exit code. */
int cmd_produce(int argc, char **argv);
int cmd_consume(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_lag(int argc, char **argv);
int cmd_dev(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_schema(int argc, char **argv);

/* "kafkit: <message>\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Usage error: prints "kafkit CMD: <message>" and a hint to run
 * "kafkit CMD --help"; returns CLI_EXIT_USAGE. */
int cli_usage_err(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Set by SIGINT/SIGTERM once cli_install_signals() ran. */
extern volatile int cli_stop;
void cli_install_signals(void);

/* ---------------------------------------------------------------------------
 * Options every client subcommand shares: -b BROKERS, -X prop=value,
 * -F FILE, -q, -v. Pointers are borrowed from argv.
 */
typedef struct cli_common_s {
        const char *cmd;        /* subcommand name, for messages */
        const char *brokers;    /* -b, or NULL */
        const char **files;     /* -F files in order */
        size_t file_cnt;
        const char **props;     /* -X pairs in order */
        size_t prop_cnt;
} cli_common_t;

/* Tool verbosity: 0 with -q, 1 by default, 2+ with -v. */
extern int cli_verbosity;

/* Getopt letters of the common options, to paste into an optstring. */
#define CLI_COMMON_OPTS "b:X:F:qv"

/* Prepares `c` for an argv of argc entries; 0, or -1 when out of memory. */
int cli_common_init(cli_common_t *c, const char *cmd, int argc);
void cli_common_free(cli_common_t *c);

/* Takes one common option: 1 if `opt` was one, else 0. */
int cli_common_opt(cli_common_t *c, int opt, const char *arg);

/*
 * The conf of the command line: the environment (KAFKIT_BROKERS,
 * KAFKIT_CONF_*), then -F files, then -X pairs, then -b; bootstrap.servers
 * defaults to localhost:9092. On failure prints "kafkit: <message>", returns
 * NULL and sets *rc to the exit code (2 for bad configuration, 1 otherwise).
 * The caller owns the result.
 */
kafkit_conf_t *cli_conf_build(const cli_common_t *c, int *rc);

/*
 * Sets name=value on `conf` unless `name` (or `alias`, when not NULL) is
 * set already: a tool's default that explicit settings win over. Returns
 * KAFKIT_OK or the error (err set).
 */
kafkit_err_t cli_conf_default(kafkit_conf_t *conf, const char *name, const char *alias,
                              const char *value, kafkit_error_t *err);

/*
 * A new conf holding only the -X pairs `props` (for the servers' log
 * settings). Returns 0 with *confp set, or an exit code after a message;
 * *confp, when not NULL, is the caller's to destroy either way.
 */
int cli_conf_from_props(const char *cmd, const char **props, size_t prop_cnt,
                        kafkit_conf_t **confp);

/*
 * Starts a development registry server on `listen` (data in `data_dir`,
 * or in memory when NULL). A bad address is a usage error naming option
 * `opt`; when the address is taken, `busy_hint` follows the error. Returns
 * 0 with *srvp set, or an exit code after a message.
 */
int cli_registry_server_start(const char *cmd, kafkit_conf_t *conf, const char *listen,
                              const char *data_dir, const char *opt,
                              const char *busy_hint, kafkit_registry_server_t **srvp);

/* Returns once SIGINT or SIGTERM set cli_stop (cli_install_signals()). */
void cli_wait_stop(void);

/*
 * Decodes one backslash escape at *pp (pointing at the '\'): \n \t \r
 * \0 \\ \xHH; writes the byte to *out and advances *pp past it. Returns
 * 0, or -1 for an unknown or truncated escape.
 */
int cli_escape_decode(const char **pp, unsigned char *out);

/*
 * Decodes a delimiter given on the command line (escapes as above) into a
 * new buffer (*out, *len), freeing the one *out held (NULL or from an
 * earlier call: a repeated option replaces it); returns 0, or -1 with
 * *out NULL and a usage message printed for a bad or empty delimiter. The
 * caller frees *out.
 */
int cli_parse_delim(const char *cmd, const char *opt, const char *text,
                    char **out, size_t *len);

/* Strict decimal parse into [min, max]; 0 on success, -1 otherwise. */
int cli_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out);

/*
 * The usage error for what getopt_long() returned as '?' (unknown option)
 * or ':' (missing value; optstring must start with ':'), read from optopt,
 * optind and argv. Returns CLI_EXIT_USAGE.
 */
int cli_bad_opt(const char *cmd, int opt, char **argv);

/* Prints "kafkit: <err->message>" (or the code's description if empty). */
void cli_err_kafkit(const kafkit_error_t *err);

/*
 * One option for a subcommand's own options struct: returns 0 when taken,
 * 1 for --help, -1 after printing a usage error.
 */
typedef int(cli_take_opt_t)(void *opts, int opt, const char *arg);

struct option;
/*
 * The getopt_long loop every subcommand shares: hands each option to
 * `take`, prints usage(stdout) on --help. Returns -1 to go on (optind then
 * points at the operands), or the exit code to return.
 */
int cli_parse_opts(const char *cmd, int argc, char **argv, const char *optstring,
                   const struct option *longopts, cli_take_opt_t *take, void *opts,
                   void (*usage)(FILE *));

struct progress_opts_s;
/*
 * progress_opt() (progress.h) for subcommand `cmd`: 1 when taken, 0 when
 * not a progress option, -1 after printing the usage error of a bad value.
 */
int cli_progress_opt(const char *cmd, struct progress_opts_s *po, int opt, const char *arg);

#endif /* KAFKIT_CLI_H */
