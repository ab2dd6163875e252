/*
 * cmd_schema.h: what `kafkit schema`'s two halves share: the parsed
 * options (cmd_schema.c parses them) and the actions that run a parsed
 * subcommand against the registry (cmd_schema_run.c).
 */
#ifndef KAFKIT_CMD_SCHEMA_H
#define KAFKIT_CMD_SCHEMA_H

#include "cli.h"

#define SCHEMA_DEFAULT_URL "http://localhost:8081"   /* codec_registry_conf()'s */

/* Option bits, to tell which options were given and which are allowed. */
enum {
        O_REGISTRY = 1 << 0,    /* -r URL */
        O_SUBJECT = 1 << 1,     /* -s SUBJECT */
        O_ID = 1 << 2,          /* --id ID */
        O_VERSION = 1 << 3,     /* --version V|latest */
        O_NORMALIZE = 1 << 4,   /* --normalize */
        O_REFERENCE = 1 << 5,   /* --reference name=subject:version */
        O_PERMANENT = 1 << 6,   /* --permanent */
        O_SET = 1 << 7,         /* --set LEVEL */
        O_OFFLINE = 1 << 8,     /* --offline */
        O_LEVEL = 1 << 9,       /* --level LEVEL */
        O_RAW = 1 << 10,        /* --raw */
        O_CONF = 1 << 11        /* -X, -F */
};

typedef struct schema_opts_s {
        cli_common_t common;
        const char *sub;                /* subcommand name */
        const char *url;                /* -r */
        const char *subject;            /* -s */
        int32_t id;                     /* --id */
        int version;                    /* --version, or KAFKIT_REGISTRY_LATEST */
        kafkit_registry_ref_t *refs;    /* --reference, pointing into ref_bufs */
        char **ref_bufs;
        size_t ref_cnt;
        const char *set_level;          /* --set */
        kafkit_avro_compat_level_t level; /* --level */
        unsigned given;                 /* O_* bits seen */
        char **args;                    /* positional arguments */
        int arg_cnt;
} schema_opts_t;

#define O_SERVER (O_REGISTRY | O_CONF)

/* The subcommands: each returns an exit code (output may still need
 * schema_finish_output()). */
int schema_run_register(schema_opts_t *o, kafkit_registry_t *r);
int schema_run_get(schema_opts_t *o, kafkit_registry_t *r);
int schema_run_list(schema_opts_t *o, kafkit_registry_t *r);
int schema_run_check(schema_opts_t *o, kafkit_registry_t *r);
int schema_run_delete(schema_opts_t *o, kafkit_registry_t *r);
int schema_run_config(schema_opts_t *o, kafkit_registry_t *r);

/* check --offline: two or more .avsc files, no registry. */
int schema_check_offline(schema_opts_t *o);

/* The registry client of the command line, or NULL with *rc set. */
kafkit_registry_t *schema_open_registry(const schema_opts_t *o, int *rc);

/* Usage error unless there are `want` positional arguments (at least that
 * many when at_least); -1 when fine. */
int schema_want_args(const schema_opts_t *o, int want, int at_least, const char *what);

/* Flushes stdout; a write error turns `rc` into a failure. */
int schema_finish_output(int rc);

#endif /* KAFKIT_CMD_SCHEMA_H */
