/*
 * kafkit.c: the `kafkit` program's entry point: dispatches argv[1] to a
 * subcommand (produce, consume, list, lag, dev, registry, schema), and answers
 * --version and --help itself.
 *
 * kcat compatibility mode (kcat.c) takes over when the program is called
 * as kcat, kafkacat or kafkit-kcat (a symlink), or when argv[1] is one of
 * kcat's options other than a lone -h or -V; subcommand names never start
 * with '-', so the two never collide.
 */
#include "cli.h"
#include "kcat.h"

#include <string.h>

typedef struct subcommand_s {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} subcommand_t;

static const subcommand_t subcommands[] = {
        { "produce", cmd_produce, "send records from stdin or files to a topic" },
        { "consume", cmd_consume, "print records of topics, alone or in a group" },
        { "list", cmd_list, "list brokers, topics and partitions" },
        { "lag", cmd_lag, "committed offsets and lag of a consumer group" },
        { "dev", cmd_dev, "run an in-process development cluster" },
        { "registry", cmd_registry, "run a development Schema Registry" },
        { "schema", cmd_schema, "register, get, list, check, delete schemas" },
};

#define SUBCOMMAND_CNT (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
        size_t i;

        fputs("Usage: kafkit COMMAND [options]\n"
              "\n"
              "Commands:\n",
              out);
        for (i = 0; i < SUBCOMMAND_CNT; i++)
                fprintf(out, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
        fputs("  help [CMD] this help, or the help of CMD\n"
              "\n"
              "  kafkit --version   versions of kafkit and librdkafka\n"
              "  kafkit CMD --help  options of CMD\n"
              "\n"
              "kcat mode: kcat's command lines work as they are, e.g.\n"
              "  kafkit -C -b localhost:9092 -t orders -e -J\n"
              "  kafkit -P -b localhost:9092 -t orders -K:\n"
              "  kafkit -L -b localhost:9092\n"
              "  kafkit -Q -b localhost:9092 -t orders:0:1700000000000\n"
              "(see kafkit -C -h; installed as kafkit-kcat too).\n"
              "\n"
              "Brokers: -b BROKERS, else $KAFKIT_BROKERS, else localhost:9092.\n"
              "Exit codes: 0 success, 1 runtime failure, 2 usage error.\n",
              out);
}

static const subcommand_t *find(const char *name)
{
        size_t i;

        for (i = 0; i < SUBCOMMAND_CNT; i++)
                if (!strcmp(subcommands[i].name, name))
                        return &subcommands[i];
        return NULL;
}

static int unknown(const char *name)
{
        fprintf(stderr, "kafkit: unknown command \"%s\"\n", name);
        if (name[0] == '-' && name[1] && !name[2] && strchr("PCLQ", name[1]))
                fputs("kafkit: the kcat-compatible mode (-P/-C/-L/-Q) is not "
                      "available yet: use kafkit produce, consume or list\n",
                      stderr);
        fputs("Run 'kafkit --help' for the list of commands.\n", stderr);
        return CLI_EXIT_USAGE;
}

/* `kafkit help [CMD]`: the same as `kafkit CMD --help`. */
static int help(int argc, char **argv)
{
        static char help_opt[] = "--help";
        char *sub_argv[3];
        const subcommand_t *sc;

        if (argc < 2) {
                usage(stdout);
                return CLI_EXIT_OK;
        }
        sc = find(argv[1]);
        if (!sc)
                return unknown(argv[1]);
        sub_argv[0] = argv[1];
        sub_argv[1] = help_opt;
        sub_argv[2] = NULL;
        return sc->run(2, sub_argv);
}

static int called_as_kcat(const char *argv0)
{
        const char *base = strrchr(argv0, '/');

        base = base ? base + 1 : argv0;
        /* libtool's uninstalled wrapper runs "lt-kafkit" */
        return !strcmp(base, "kcat") || !strcmp(base, "kafkacat") ||
               !strcmp(base, "kafkit-kcat");
}

int main(int argc, char **argv)
{
        const subcommand_t *sc;
        const char *cmd;

        /* "kafkit kcat ARGS" is kcat mode too (kcat_main drops "kcat") */
        if (called_as_kcat(argv[0]) || (argc > 1 && !strcmp(argv[1], "kcat")) ||
            (argc > 1 && kcat_is_kcat_arg(argv[1]) &&
             !(argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "-V")))))
                return kcat_main(argc, argv);
        if (argc < 2) {
                usage(stderr);
                return CLI_EXIT_USAGE;
        }
        cmd = argv[1];
        if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
                printf("kafkit %s (librdkafka %s)\n", kafkit_version_str(),
                       kafkit_rdkafka_version_str());
                return CLI_EXIT_OK;
        }
        if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
                return help(1, argv);
        if (!strcmp(cmd, "help"))
                return help(argc - 1, argv + 1);
        sc = find(cmd);
        if (!sc)
                return unknown(cmd);
        return sc->run(argc - 1, argv + 1);
}
