/*
 * codec.h: how `kafkit produce` and `kafkit consume` turn record keys and
 * values into bytes and back: as they are (string), as checked JSON text
 * (json), or as Avro in Confluent's wire format through a Schema Registry
 * (avro, with libkafkit's serdes). Both commands share the options
 * (--key-format, --value-format, -r URL, --json-style and the schema
 * options), their checks, and the registry setup.
 */
#ifndef KAFKIT_CODEC_H
#define KAFKIT_CODEC_H

#include <getopt.h>
#include <kafkit/kafkit.h>
#include <kafkit/serdes.h>

typedef enum codec_format_e {
        CODEC_STRING = 0,       /* bytes as they are */
        CODEC_JSON,             /* JSON text, checked */
        CODEC_AVRO              /* JSON text <-> framed Avro */
} codec_format_t;

/* One side of a record: the key or the value. */
typedef struct codec_role_s {
        const char *name;               /* "key" or "value" */
        kafkit_serdes_role_t role;
        codec_format_t format;
        const char *schema_file;        /* --ROLE-schema, or NULL */
        int32_t schema_id;              /* --ROLE-schema-id, or -1 */
        const char *subject;            /* --ROLE-subject, or NULL */
        char *schema_text;              /* the schema, once known */
        kafkit_serdes_t *serdes;        /* CODEC_AVRO, once opened */
        kafkit_buf_t buf;               /* the last encoded/decoded bytes */
} codec_role_t;

typedef struct codec_s {
        const char *cmd;                /* "produce" or "consume", for messages */
        int producing;
        const char *url;                /* -r, or NULL */
        kafkit_avro_json_style_t style; /* with KAFKIT_AVRO_JSON_DECIMAL_TEXT
                                         * once codec_check() ran */
        int decimal_text;               /* --decimal: 1 text, 0 bytes, -1 unset
                                         * (text for plain, bytes for avro) */
        codec_role_t key;
        codec_role_t value;
        kafkit_registry_t *registry;    /* when a side is avro */
        kafkit_header_t *headers;       /* consume: a record's headers */
        size_t header_cap;
} codec_t;

/* Codes of the long options below: above any letter and other commands'
 * own long option codes. */
enum {
        CODEC_OPT_KEY_FORMAT = 400,
        CODEC_OPT_VALUE_FORMAT,
        CODEC_OPT_KEY_SCHEMA,
        CODEC_OPT_VALUE_SCHEMA,
        CODEC_OPT_KEY_SCHEMA_ID,
        CODEC_OPT_VALUE_SCHEMA_ID,
        CODEC_OPT_KEY_SUBJECT,
        CODEC_OPT_VALUE_SUBJECT,
        CODEC_OPT_JSON_STYLE,
        CODEC_OPT_REGISTRY,
        CODEC_OPT_DECIMAL
};

/* The getopt_long() entries of the codec options, to paste into a
 * command's table (-r is a letter: add "r:" to the optstring). */
#define CODEC_LONGOPTS                                                         \
        { "key-format", required_argument, NULL, CODEC_OPT_KEY_FORMAT },       \
        { "value-format", required_argument, NULL, CODEC_OPT_VALUE_FORMAT },   \
        { "key-schema", required_argument, NULL, CODEC_OPT_KEY_SCHEMA },       \
        { "value-schema", required_argument, NULL, CODEC_OPT_VALUE_SCHEMA },   \
        { "key-schema-id", required_argument, NULL, CODEC_OPT_KEY_SCHEMA_ID }, \
        { "value-schema-id", required_argument, NULL,                          \
          CODEC_OPT_VALUE_SCHEMA_ID },                                         \
        { "key-subject", required_argument, NULL, CODEC_OPT_KEY_SUBJECT },     \
        { "value-subject", required_argument, NULL, CODEC_OPT_VALUE_SUBJECT }, \
        { "json-style", required_argument, NULL, CODEC_OPT_JSON_STYLE },       \
        { "registry", required_argument, NULL, CODEC_OPT_REGISTRY },           \
        { "decimal", required_argument, NULL, CODEC_OPT_DECIMAL }

/* Sets up `c` for command `cmd`: string key and value, avro JSON style. */
void codec_init(codec_t *c, const char *cmd, int producing);

/* Takes option `opt` if it is a codec option ('r' or a CODEC_OPT_*):
 * returns 1 when taken, 0 when not a codec option, -1 after printing a
 * usage error. */
int codec_opt(codec_t *c, int opt, const char *arg);

/* Checks the combination of codec options once all are parsed. Returns -1
 * when fine, else the exit code (a usage error was printed). */
int codec_check(codec_t *c);

/* 1 when a side is avro, so a registry is needed. */
int codec_uses_registry(const codec_t *c);

/*
 * Sets schema.registry.url on `conf` from `url` (when not NULL), else
 * leaves the configured one, else http://localhost:8081; and shortens the
 * client's retry defaults for a command line (unless set). Returns
 * KAFKIT_OK or the error (with err set).
 */
kafkit_err_t codec_registry_conf(kafkit_conf_t *conf, const char *url, kafkit_error_t *err);

/*
 * Makes the registry client and the serdes of each avro side from `conf`
 * (borrowed; codec_registry_conf() is applied to it), reads schema files,
 * and resolves --ROLE-subject / --ROLE-schema-id through the registry so a
 * registry that is down or a missing schema fails here, before any record.
 * Returns 0 or an exit code (message printed).
 */
int codec_open(codec_t *c, kafkit_conf_t *conf);

/* Frees everything codec_open() made. */
void codec_close(codec_t *c);

/*
 * Consume: the headers of `msg` as kafkit_header_t in c->headers (for the
 * serdes, which reads schema ids from a header when the value has none),
 * *cnt of them, valid until the next call. 0, or -1 out of memory.
 */
int codec_headers(codec_t *c, const kafkit_message_t *msg, size_t *cnt);

/*
 * Produce: the bytes to send for `data` (`len` bytes) on side `r`: *out
 * and *out_len point at `data` itself (string, json) or at r->buf (avro),
 * valid until the next call for that side. KAFKIT_ERR_PARSE means this
 * record's text is bad (err says where); any other error will not get
 * better with the next record.
 */
kafkit_err_t codec_encode(codec_t *c, codec_role_t *r, const kafkit_serdes_ctx_t *ctx,
                          const char *data, size_t len,
                          const void **out, size_t *out_len, kafkit_error_t *err);

/*
 * Produce: codec_encode() of the key and the value of `rec` that are not
 * null, in place (an avro side then points at the codec's buffer, valid
 * until the next call); ctx from rec->topic and rec->partition. Stops at
 * the first side that fails, with its error.
 */
kafkit_err_t codec_encode_record(codec_t *c, kafkit_record_t *rec, kafkit_error_t *err);

/*
 * Consume: the text to print for side `r` of `msg`, as codec_encode()
 * returns it. A null key or value gives *out NULL. Errors name the
 * topic, partition and offset.
 */
kafkit_err_t codec_decode(codec_t *c, codec_role_t *r, const kafkit_message_t *msg,
                          const void **out, size_t *out_len, kafkit_error_t *err);

#endif /* KAFKIT_CODEC_H */
