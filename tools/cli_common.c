/*
 * cli_common.c: what the kafkit subcommands share: error printing, usage
 * errors, signal handling, the common options (-b -X -F -q -v) and the conf
 * built from them, conf defaults, the development servers' start,
 * delimiter escapes and strict number parsing.
 */
#include "cli.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile int cli_stop;
int cli_verbosity = 1;

void cli_err(const char *fmt, ...)
{
        va_list ap;

        progress_clear();
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

void cli_err_kafkit(const kafkit_error_t *err)
{
        if (err->message[0])
                cli_err("%s", err->message);
        else
                cli_err("%s", kafkit_err_str(err->code));
}

int cli_common_init(cli_common_t *c, const char *cmd, int argc)
{
        size_t n = argc > 0 ? (size_t)argc : 1;

        memset(c, 0, sizeof(*c));
        c->cmd = cmd;
        c->files = calloc(n, sizeof(*c->files));
        c->props = calloc(n, sizeof(*c->props));
        if (!c->files || !c->props) {
                cli_common_free(c);
                cli_err("out of memory");
                return -1;
        }
        return 0;
}

void cli_common_free(cli_common_t *c)
{
        free(c->files);
        free(c->props);
        c->files = NULL;
        c->props = NULL;
}

int cli_common_opt(cli_common_t *c, int opt, const char *arg)
{
        switch (opt) {
        case 'b':
                c->brokers = arg;
                return 1;
        case 'X':
                c->props[c->prop_cnt++] = arg;
                return 1;
        case 'F':
                c->files[c->file_cnt++] = arg;
                return 1;
        case 'q':
                cli_verbosity = 0;
                return 1;
        case 'v':
                cli_verbosity++;
                return 1;
        default:
                return 0;
        }
}

/* -q silences the library's own log lines, -v shows them all; an explicit
 * log_level from the environment, -F or -X still wins (applied later). */
static kafkit_err_t apply_verbosity(kafkit_conf_t *conf, kafkit_error_t *err)
{
        if (cli_verbosity == 0)
                return kafkit_conf_set(conf, "log_level", "0", err);
        if (cli_verbosity >= 2)
                return kafkit_conf_set(conf, "log_level", "7", err);
        return KAFKIT_OK;
}

static kafkit_err_t apply_sources(const cli_common_t *c,
                                  kafkit_conf_t *conf,
                                  kafkit_error_t *err)
{
        size_t i;

        if (apply_verbosity(conf, err) || kafkit_conf_load_env(conf, err))
                return err->code;
        for (i = 0; i < c->file_cnt; i++)
                if (kafkit_conf_load_file(conf, c->files[i], err))
                        return err->code;
        for (i = 0; i < c->prop_cnt; i++)
                if (kafkit_conf_set_pair(conf, c->props[i], err))
                        return err->code;
        if (c->brokers)
                return kafkit_conf_set(conf, "bootstrap.servers", c->brokers, err);
        if (!kafkit_conf_get(conf, "bootstrap.servers") &&
            !kafkit_conf_get(conf, "metadata.broker.list"))
                return kafkit_conf_set(conf, "bootstrap.servers", "localhost:9092", err);
        return KAFKIT_OK;
}

kafkit_conf_t *cli_conf_build(const cli_common_t *c, int *rc)
{
        kafkit_error_t err;
        kafkit_conf_t *conf;

        kafkit_error_clear(&err);
        conf = kafkit_conf_new();
        if (!conf) {
                cli_err("out of memory");
                *rc = CLI_EXIT_FAILURE;
                return NULL;
        }
        if (apply_sources(c, conf, &err) != KAFKIT_OK) {
                cli_err_kafkit(&err);
                *rc = err.code == KAFKIT_ERR_CONF || err.code == KAFKIT_ERR_PARSE
                              ? CLI_EXIT_USAGE
                              : CLI_EXIT_FAILURE;
                kafkit_conf_destroy(conf);
                return NULL;
        }
        return conf;
}

kafkit_err_t cli_conf_default(kafkit_conf_t *conf, const char *name, const char *alias,
                              const char *value, kafkit_error_t *err)
{
        if (kafkit_conf_get(conf, name) || (alias && kafkit_conf_get(conf, alias)))
                return KAFKIT_OK;
        return kafkit_conf_set(conf, name, value, err);
}

int cli_conf_from_props(const char *cmd, const char **props, size_t prop_cnt,
                        kafkit_conf_t **confp)
{
        kafkit_error_t err;
        size_t i;

        kafkit_error_clear(&err);
        if (!(*confp = kafkit_conf_new())) {
                cli_err("out of memory");
                return CLI_EXIT_FAILURE;
        }
        for (i = 0; i < prop_cnt; i++)
                if (kafkit_conf_set_pair(*confp, props[i], &err) != KAFKIT_OK)
                        return cli_usage_err(cmd, "-X %s: %s", props[i], err.message);
        return 0;
}

/* ------------------------------------------------------------------ servers */

int cli_registry_server_start(const char *cmd, kafkit_conf_t *conf, const char *listen,
                              const char *data_dir, const char *opt,
                              const char *busy_hint, kafkit_registry_server_t **srvp)
{
        kafkit_error_t err;

        kafkit_error_clear(&err);
        *srvp = kafkit_registry_server_new(conf, listen, data_dir, &err);
        if (*srvp)
                return 0;
        if (err.code == KAFKIT_ERR_INVALID_ARG)
                return cli_usage_err(cmd, "%s: %s", opt, err.message);
        cli_err_kafkit(&err);
        if (strstr(err.message, "cannot listen"))
                cli_err("%s", busy_hint);
        return CLI_EXIT_FAILURE;
}

void cli_wait_stop(void)
{
        /* A signal ends nanosleep() early; the step bounds the wait when it
         * lands on another thread. */
        struct timespec step = { 0, 100 * 1000 * 1000 };

        while (!cli_stop)
                nanosleep(&step, NULL);
}

/* ------------------------------------------------------------------ escapes */

static int hex_digit(char ch)
{
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

int cli_escape_decode(const char **pp, unsigned char *out)
{
        const char *p = *pp + 1; /* past the backslash */
        int hi, lo;

        switch (*p) {
        case 'n': *out = '\n'; break;
        case 't': *out = '\t'; break;
        case 'r': *out = '\r'; break;
        case '0': *out = '\0'; break;
        case '\\': *out = '\\'; break;
        case 'x':
                hi = hex_digit(p[1]);
                lo = hi < 0 ? -1 : hex_digit(p[2]);
                if (lo < 0)
                        return -1;
                *out = (unsigned char)(hi * 16 + lo);
                *pp = p + 3;
                return 0;
        default:
                return -1;
        }
        *pp = p + 1;
        return 0;
}

int cli_parse_delim(const char *cmd, const char *opt, const char *text,
                    char **out, size_t *len)
{
        const char *p = text;
        unsigned char *buf;
        size_t n = 0;

        free(*out);
        *out = NULL;
        buf = malloc(strlen(text) + 1);
        if (!buf) {
                cli_err("out of memory");
                return -1;
        }
        while (*p) {
                if (*p != '\\') {
                        buf[n++] = (unsigned char)*p++;
                } else if (cli_escape_decode(&p, &buf[n++]) == -1) {
                        cli_usage_err(cmd, "%s \"%s\": bad escape at \"%s\" "
                                      "(use \\n \\t \\r \\0 \\\\ or \\xHH)",
                                      opt, text, p);
                        free(buf);
                        return -1;
                }
        }
        if (n == 0) {
                cli_usage_err(cmd, "%s: the delimiter must not be empty", opt);
                free(buf);
                return -1;
        }
        *out = (char *)buf;
        *len = n;
        return 0;
}

int cli_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out)
{
        char *end;
        long long v;

        if (!text || !*text)
                return -1;
        errno = 0;
        v = strtoll(text, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

int cli_bad_opt(const char *cmd, int opt, char **argv)
{
        const char *arg = optind > 0 ? argv[optind - 1] : "";

        /* optopt of a long option is its code, not a letter: quote argv */
        if (optopt > 255)
                optopt = 0;
        if (opt == ':' && optopt)
                return cli_usage_err(cmd, "option -%c needs a value", optopt);
        if (opt == ':')
                return cli_usage_err(cmd, "option %s needs a value", arg);
        if (optopt)
                return cli_usage_err(cmd, "unknown option -%c", optopt);
        return cli_usage_err(cmd, "unknown option %s", arg);
}

int cli_progress_opt(const char *cmd, progress_opts_t *po, int opt, const char *arg)
{
        int r = progress_opt(po, opt, arg);

        if (r == -1)
                cli_usage_err(cmd, "--stats-interval \"%s\": expected milliseconds "
                              "(%d to %d)", arg, PROGRESS_INTERVAL_MIN_MS,
                              PROGRESS_INTERVAL_MAX_MS);
        return r;
}

int cli_parse_opts(const char *cmd, int argc, char **argv, const char *optstring,
                   const struct option *longopts, cli_take_opt_t *take, void *opts,
                   void (*usage)(FILE *))
{
        int opt, r;

        opterr = 0;
        optind = 0;
        while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
                if (opt == '?' || opt == ':')
                        return cli_bad_opt(cmd, opt, argv);
                r = take(opts, opt, optarg);
                if (r == 1) {
                        usage(stdout);
                        return CLI_EXIT_OK;
                }
                if (r == -1)
                        return CLI_EXIT_USAGE;
        }
        return -1;
}
