/*
 * kcat.h: kafkit's kcat compatibility mode.
 *
 * When argv[1] is one of kcat's options (`kafkit -C -b ... -t ...`), or the
 * program is invoked as `kcat` / `kafkit-kcat`, the whole command line is
 * read as kcat 1.7.1 reads it (kcat.c) into a kc_opts_t, and the mode's
 * runner does the work with kcat's output bytes, messages and exit codes:
 *   -P kc_produce()   (kcat_produce.c)
 *   -C, -G kc_consume()   (kcat_consume.c)
 *   -L kc_metadata()  (kcat_meta.c)
 *   -Q kc_query()     (kcat_meta.c)
 * Where kcat 1.7.1 contradicts its own documentation kafkit follows the
 * documentation; README.md lists each case.
 */
#ifndef KAFKIT_KCAT_H
#define KAFKIT_KCAT_H

#include <stdint.h>
#include <stdio.h>
#include <kafkit/kafkit.h>

#include "progress.h"

/* -s: which part of a record a pack string or "avro" applies to. */
enum { KC_VALUE = 0, KC_KEY = 1, KC_FIELD_CNT = 2 };

/* -Q -t topic:partition:timestamp */
typedef struct kc_query_s {
        const char *topic;              /* points into a copy owned by kc_opts_t */
        int32_t partition;
        int64_t timestamp;
} kc_query_t;

typedef struct kc_opts_s {
        const char *argv0;              /* program name for usage messages */
        int mode;                       /* 'P', 'C', 'G', 'L', 'Q' */
        const char *topic;              /* -t (modes other than -Q) */
        int32_t partition;              /* -p; KC_PARTITION_UNSET if absent */
        const char *brokers;            /* -b, or from configuration */
        const char *group;              /* -G */

        /* consumer */
        kafkit_offset_t offset;         /* -o beginning|end|stored|N|-N;
                                         * default beginning */
        int offset_set;                 /* -o given (other than s@/e@) */
        int64_t start_ts;               /* -o s@TS, or -1 */
        int64_t stop_ts;                /* -o e@TS, or -1 */
        int exit_eof;                   /* -e */
        int exit_on_error;              /* 1, 0 with -E */
        const char *format;             /* -f, or NULL */
        int json;                       /* -J */
        const char *pack[KC_FIELD_CNT]; /* -s: pack string or "avro", or NULL */
        const char *registry_url;       /* -r or schema.registry.url */
        int print_offset;               /* -O */
        int unbuffered;                 /* -u */

        /* both */
        char *delim;                    /* -D decoded (default "\n") */
        size_t delim_len;
        char *key_delim;                /* -K decoded, or NULL */
        size_t key_delim_len;
        int64_t msg_cnt;                /* -c, 0 = no limit */
        int metadata_timeout_s;         /* -m, default 5 */
        int null_mode;                  /* -Z */
        int verbosity;                  /* 1; 0 with -q; +1 per -v */
        const char *debug;              /* -d */

        /* producer */
        const char *fixed_key;          /* -k */
        const char **headers;           /* -H name=value as given */
        size_t header_cnt;
        int line_mode;                  /* -l */
        int tee;                        /* -T */
        const char *compression;        /* -z */

        /* -Q */
        kc_query_t *queries;
        size_t query_cnt;

        /* operands: files (-P) or topics (-G) */
        char **operands;
        int operand_cnt;

        /* configuration: -F files, $KCAT_CONFIG or ~/.config/kcat.conf,
         * then -X (kafkit applies -X last: kcat lets a file override it),
         * then -b, -z, -d, -G. Topic properties ("topic." prefix stripped)
         * live in the same conf; schema.registry.* go to the registry. */
        kafkit_conf_t *conf;
        const char *transactional_id;   /* -X transactional.id=... */

        /* kafkit extensions (long options, accepted in kcat mode too) */
        const char *schema_file[KC_FIELD_CNT];  /* --value-schema/--key-schema */
        kafkit_avro_json_style_t style;         /* --json-style */
        progress_opts_t progress;       /* --progress, --stats FILE... */
} kc_opts_t;

#define KC_PARTITION_UNSET INT32_MIN

/* Entry point: argv as main() got it. Returns the exit code. */
int kcat_main(int argc, char **argv);

/* 1 if `arg` (argv[1]) starts kcat mode: one of kcat's option letters. */
int kcat_is_kcat_arg(const char *arg);

/* Mode runners; each returns the process exit code. */
int kc_produce(kc_opts_t *o);
int kc_consume(kc_opts_t *o);
int kc_metadata(kc_opts_t *o);
int kc_query(kc_opts_t *o);

/* kcat's "% ERROR: ..." on stderr (fatal errors); always returns 1. */
int kc_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "% " + message on stderr when o->verbosity >= level (kcat's KC_INFO). */
void kc_info(const kc_opts_t *o, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* kcat's usage error: "Error: <reason>\n\n" + usage on stderr; returns 1. */
int kc_usage_error(const kc_opts_t *o, const char *reason);

/* cli_conf_default() without an alias; on error kc_fatal() and -1. */
int kc_conf_default(kafkit_conf_t *conf, const char *name, const char *value);

#endif /* KAFKIT_KCAT_H */
