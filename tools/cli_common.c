/*
 * cli_common.c: error printing, usage errors and signal handling shared by
 * the kafkit subcommands.
 */
#include "cli.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>

volatile int cli_stop;

void cli_err(const char *fmt, ...)
{
        va_list ap;

        fputs("kafkit: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int cli_usage_err(const char *cmd, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "kafkit %s: ", cmd);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nRun 'kafkit %s --help' for usage.\n", cmd);
        return CLI_EXIT_USAGE;
}

static void on_signal(int sig)
{
        (void)sig;
        cli_stop = 1;
}

void cli_install_signals(void)
{
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
}
