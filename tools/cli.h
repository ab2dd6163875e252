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
int cmd_dev(int argc, char **argv);

/* "kafkit: <message>\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Usage error: prints "kafkit CMD: <message>" and a hint to run
 * "kafkit CMD --help"; returns CLI_EXIT_USAGE. */
int cli_usage_err(const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Set by SIGINT/SIGTERM once cli_install_signals() ran. */
extern volatile int cli_stop;
void cli_install_signals(void);

#endif /* KAFKIT_CLI_H */
