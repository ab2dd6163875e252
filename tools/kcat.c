/*
 * kcat.c: kcat compatibility mode: reads a kcat 1.7.1 command line into a
 * kc_opts_t and runs the mode (see kcat.h).
 *
 * Option letters, their arguments and the mode rules are kcat's. Where
 * kcat's behaviour contradicts its own usage text kafkit does what the text
 * says, and README.md lists each case; here:
 *  - a -X property overrides the same one from a configuration file
 *    (kcat reads $KCAT_CONFIG / ~/.config/kcat.conf after -X);
 *  - -D/-K understand \r as their usage says (kcat leaves "\r" as is);
 *  - a number that does not parse (-p x, -c x, -o x) is an error instead
 *    of 0.
 */
#include "kcat.h"
#include "cli.h"
#include "progress.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KC_OPTSTRING ":PCG:LQt:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:"

enum {
        KC_OPT_VALUE_SCHEMA = 300,
        KC_OPT_KEY_SCHEMA,
        KC_OPT_JSON_STYLE,
        KC_OPT_HELP
};

static const struct option kc_longopts[] = {
        { "value-schema", required_argument, NULL, KC_OPT_VALUE_SCHEMA },
        { "key-schema", required_argument, NULL, KC_OPT_KEY_SCHEMA },
        { "json-style", required_argument, NULL, KC_OPT_JSON_STYLE },
        PROGRESS_LONGOPTS,
        { "help", no_argument, NULL, KC_OPT_HELP },
        { NULL, 0, NULL, 0 }
};

/* ------------------------------------------------------------- messages */

int kc_fatal(const char *fmt, ...)
{
        va_list ap;

        progress_clear();
        fputs("% ERROR: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return 1;
}

void kc_info(const kc_opts_t *o, int level, const char *fmt, ...)
{
        va_list ap;

        if (o->verbosity < level)
                return;
        progress_clear();
        fputs("% ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
}

static void version_banner(FILE *out)
{
        fprintf(out,
                "kafkit %s in kcat mode - Apache Kafka producer and consumer tool\n"
                "compatible with kcat 1.7.1 (JSON, Avro, Transactions)\n"
                "librdkafka %s\n\n",
                kafkit_version_str(), kafkit_rdkafka_version_str());
}

static void usage(const kc_opts_t *o, FILE *out)
{
        fprintf(out, "Usage: %s <options> [file1 file2 .. | topic1 topic2 ..]]\n", o->argv0);
        version_banner(out);
        fputs("General options:\n"
              "  -C | -P | -L | -Q  Mode: Consume, Produce, Metadata List, Query mode\n"
              "  -G <group-id>      Mode: High-level KafkaConsumer (balanced consumer groups)\n"
              "                     Expects a list of topics to subscribe to\n"
              "  -t <topic>         Topic to consume from, produce to, or list\n"
              "  -p <partition>     Partition\n"
              "  -b <brokers,..>    Bootstrap broker(s) (host[:port])\n"
              "  -D <delim>         Message delimiter string:\n"
              "                     a-z | \\r | \\n | \\t | \\xNN ..\n"
              "                     Default: \\n\n"
              "  -K <delim>         Key delimiter (same format as -D)\n"
              "  -c <cnt>           Limit message count\n"
              "  -m <seconds>       Metadata (et.al.) request timeout. Default: 5 seconds.\n"
              "  -F <config-file>   Read configuration properties from file,\n"
              "                     file format is \"property=value\".\n"
              "                     The KCAT_CONFIG=path environment can also be used,\n"
              "                     but -F takes precedence.\n"
              "                     The default configuration file is $HOME/.config/kcat.conf\n"
              "  -X list            List available librdkafka configuration properties\n"
              "  -X prop=val        Set librdkafka configuration property.\n"
              "                     Properties prefixed with \"topic.\" are\n"
              "                     applied as topic properties.\n"
              "  -X schema.registry.prop=val Set a Schema Registry client property.\n"
              "  -X dump            Dump configuration and exit.\n"
              "  -d <dbg1,...>      Enable librdkafka debugging\n"
              "  -q                 Be quiet (verbosity set to 0)\n"
              "  -v                 Increase verbosity\n"
              "  -E                 Do not exit on non-fatal error\n"
              "  -V                 Print version\n"
              "  -h                 Print usage help\n"
              "\n"
              "Producer options:\n"
              "  -z snappy|gzip|lz4|zstd Message compression. Default: none\n"
              "  -p -1              Use random partitioner\n"
              "  -D <delim>         Delimiter to split input into messages\n"
              "  -K <delim>         Delimiter to split input key and message\n"
              "  -k <str>           Use a fixed key for all messages.\n"
              "                     If combined with -K, per-message keys\n"
              "                     takes precendence.\n"
              "  -H <header=value>  Add Message Headers (may be specified multiple times)\n"
              "  -l                 Send messages from a file separated by\n"
              "                     delimiter, as with stdin.\n"
              "                     (only one file allowed)\n"
              "  -T                 Output sent messages to stdout, acting like tee.\n"
              "  -c <cnt>           Exit after producing this number of messages\n"
              "  -Z                 Send empty messages as NULL messages\n"
              "  file1 file2..      Read messages from files.\n"
              "                     With -l, only one file permitted.\n"
              "                     Otherwise, the entire file contents will\n"
              "                     be sent as one single message.\n"
              "  -X transactional.id=.. Enable transactions and send all\n"
              "                     messages in a single transaction which\n"
              "                     is committed when stdin is closed or the\n"
              "                     input file(s) are fully read.\n"
              "                     If terminated through Ctrl-C\n"
              "                     (et.al) the transaction will be aborted.\n"
              "  -s value=avro -r <url> --value-schema <file.avsc>\n"
              "                     Encode JSON input lines as Avro (also key=avro,\n"
              "                     --key-schema)\n"
              "\n"
              "Consumer options:\n"
              "  -o <offset>        Offset to start consuming from:\n"
              "                     beginning | end | stored |\n"
              "                     <value>  (absolute offset) |\n"
              "                     -<value> (relative offset from end)\n"
              "                     s@<value> (timestamp in ms to start at)\n"
              "                     e@<value> (timestamp in ms to stop at (not included))\n"
              "  -e                 Exit successfully when last message received\n"
              "  -f <fmt..>         Output formatting string, see below.\n"
              "                     Takes precedence over -D and -K.\n"
              "  -J                 Output with JSON envelope\n"
              "  -s key=<serdes>    Deserialize non-NULL keys using <serdes>.\n"
              "  -s value=<serdes>  Deserialize non-NULL values using <serdes>.\n"
              "  -s <serdes>        Deserialize non-NULL keys and values using <serdes>.\n"
              "                     Available deserializers (<serdes>):\n"
              "                       <pack-str> - A combination of:\n"
              "                                    <: little-endian,\n"
              "                                    >: big-endian (recommended),\n"
              "                                    b: signed 8-bit integer\n"
              "                                    B: unsigned 8-bit integer\n"
              "                                    h: signed 16-bit integer\n"
              "                                    H: unsigned 16-bit integer\n"
              "                                    i: signed 32-bit integer\n"
              "                                    I: unsigned 32-bit integer\n"
              "                                    q: signed 64-bit integer\n"
              "                                    Q: unsigned 64-bit integer\n"
              "                                    c: ASCII character\n"
              "                                    s: remaining data is string\n"
              "                                    $: match end-of-input (no more bytes remaining\n"
              "                                       or a parse error is raised).\n"
              "                                       Not including this token skips any\n"
              "                                       remaining data after the pack-str is\n"
              "                                       exhausted.\n"
              "                       avro       - Avro-formatted with schema in Schema-Registry\n"
              "                                    (requires -r)\n"
              "                     E.g.: -s key=i -s value=avro - key is 32-bit integer, value is Avro.\n"
              "                       or: -s avro - both key and value are Avro-serialized\n"
              "  -r <url>           Schema registry URL (with -s avro)\n"
              "  -D <delim>         Delimiter to separate messages on output\n"
              "  -K <delim>         Print message keys prefixing the message\n"
              "                     with specified delimiter.\n"
              "  -O                 Print message offset using -K delimiter\n"
              "  -c <cnt>           Exit after consuming this number of messages\n"
              "  -Z                 Print NULL values and keys as \"NULL\" instead of empty.\n"
              "                     For JSON (-J) the nullstr is always null.\n"
              "  -u                 Unbuffered output\n"
              "\n"
              "Metadata options (-L):\n"
              "  -t <topic>         Topic to query (optional)\n"
              "\n"
              "Query options (-Q):\n"
              "  -t <t>:<p>:<ts>    Get offset for topic <t>,\n"
              "                     partition <p>, timestamp <ts>.\n"
              "                     Timestamp is the number of milliseconds\n"
              "                     since epoch UTC.\n"
              "\n"
              "Format string tokens:\n"
              "  %s                 Message payload\n"
              "  %S                 Message payload length (or -1 for NULL)\n"
              "  %R                 Message payload length (or -1 for NULL) serialized\n"
              "                     as a binary big endian 32-bit signed integer\n"
              "  %k                 Message key\n"
              "  %K                 Message key length (or -1 for NULL)\n"
              "  %T                 Message timestamp (milliseconds since epoch UTC)\n"
              "  %h                 Message headers (n=v CSV)\n"
              "  %t                 Topic\n"
              "  %p                 Partition\n"
              "  %o                 Message offset\n"
              "  \\n \\r \\t           Newlines, tab\n"
              "  \\xXX \\xNNN         Any ASCII character\n"
              " Example:\n"
              "  -f 'Topic %t [%p] at offset %o: key %k: %s\\n'\n"
              "\n"
              "JSON message envelope (on one line) when consuming with -J:\n"
              " { \"topic\": str, \"partition\": int, \"offset\": int,\n"
              "   \"tstype\": \"create|logappend|unknown\", \"ts\": int, // timestamp in ms\n"
              "   \"broker\": int,\n"
              "   \"headers\": { \"<name>\": str, .. }, // optional\n"
              "   \"key\": str|json, \"payload\": str|json,\n"
              "   \"key_error\": str, \"payload_error\": str, //optional\n"
              "   \"key_schema_id\": int, \"value_schema_id\": int //optional\n"
              " }\n"
              " notes:\n"
              "   - key_error and payload_error are only included if deserialization fails.\n"
              "   - key_schema_id and value_schema_id are included for successfully deserialized\n"
              "     Avro messages.\n"
              "\n"
              "kafkit extensions (long options):\n"
              "  --value-schema FILE, --key-schema FILE  Avro schema for -P -s ...=avro\n"
              "  --json-style avro|plain   JSON style of Avro values (default avro)\n"
              "  --progress                Show a progress line on stderr even when it\n"
              "                            is not a terminal (-q hides it)\n"
              "  --stats FILE              Write periodic JSON statistics to FILE\n"
              "  --stats-interval MS       How often (default 1000)\n"
              "\n"
              "Consumer mode (writes messages to stdout):\n"
              "  kafkit -b <broker> -t <topic> -p <partition>\n"
              " or:\n"
              "  kafkit -C -b ...\n"
              "\n"
              "High-level KafkaConsumer mode:\n"
              "  kafkit -b <broker> -G <group-id> topic1 top2 ^aregex\\d+\n"
              "\n"
              "Producer mode (reads messages from stdin):\n"
              "  ... | kafkit -b <broker> -t <topic> -p <partition>\n"
              " or:\n"
              "  kafkit -P -b ...\n"
              "\n"
              "Metadata listing:\n"
              "  kafkit -L -b <broker> [-t <topic>]\n"
              "\n"
              "Query offset by timestamp:\n"
              "  kafkit -Q -b broker -t <topic>:<partition>:<timestamp>\n"
              "\n",
              out);
}

int kc_usage_error(const kc_opts_t *o, const char *reason)
{
        fprintf(stderr, "Error: %s\n\n", reason);
        usage(o, stderr);
        return 1;
}

/* ---------------------------------------------------------- configuration */

int kc_conf_default(kafkit_conf_t *conf, const char *name, const char *value)
{
        kafkit_error_t err;

        if (cli_conf_default(conf, name, NULL, value, &err) == KAFKIT_OK)
                return 0;
        kc_fatal("%s", err.message);
        return -1;
}

/* kcat's delimiter escapes: \n \t \r \xNN; other backslashes stay as they
 * are. Returns a malloc'd copy (length in *len) or NULL with an error
 * printed. */
static char *parse_delim(const char *text, size_t *len)
{
        char *out = malloc(strlen(text) + 1), *o = out;
        const char *p = text;

        if (!out) {
                kc_fatal("out of memory");
                return NULL;
        }
        while (*p) {
                if (p[0] == '\\' && (p[1] == 'n' || p[1] == 't' || p[1] == 'r')) {
                        *o++ = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : '\r';
                        p += 2;
                } else if (p[0] == '\\' && p[1] == 'x') {
                        int v = 0, n = 0;

                        for (p += 2; n < 2 && isxdigit((unsigned char)*p); n++, p++)
                                v = v * 16 + (isdigit((unsigned char)*p)
                                                      ? *p - '0'
                                                      : (tolower((unsigned char)*p) - 'a' + 10));
                        if (n == 0) {
                                kc_fatal("Delimiter %s expects hex number", text);
                                free(out);
                                return NULL;
                        }
                        *o++ = (char)v;
                } else {
                        *o++ = *p++;
                }
        }
        *o = '\0';
        *len = (size_t)(o - out);
        return out;
}

/* kcat prints librdkafka's own text for a property it refuses: give that
 * back from libkafkit's message when it carries it, else the message. */
static const char *conf_errstr(const char *name, const char *value, const char *msg)
{
        static char buf[KAFKIT_ERRSTR_SIZE];
        size_t n;

        snprintf(buf, sizeof(buf), "unknown property '%s'", name);
        if (!strcmp(msg, buf)) {
                snprintf(buf, sizeof(buf), "No such configuration property: \"%s\"", name);
                return buf;
        }
        snprintf(buf, sizeof(buf), "invalid value for '%s': '%.100s' (", name, value);
        n = strlen(buf);
        if (!strncmp(msg, buf, n) && strlen(msg) > n + 1 && msg[strlen(msg) - 1] == ')') {
                snprintf(buf, sizeof(buf), "%.*s", (int)(strlen(msg) - n - 1), msg + n);
                return buf;
        }
        return msg;
}

/* Sets one property as kcat does: "topic." prefixed names are topic
 * properties (kafkit keeps one conf for both); -1 with an error printed. */
static int conf_set(kc_opts_t *o, const char *name, const char *value, const char *where)
{
        kafkit_error_t err;

        if (!strncmp(name, "topic.", 6))
                name += 6;
        if (!strcmp(name, "schema.registry.url")) {
                if (!*value) {
                        kc_fatal("%sschema.registry.url is empty", where);
                        return -1;
                }
        }
        if (kafkit_conf_set(o->conf, name, value, &err) != KAFKIT_OK) {
                kc_fatal("%s%s", where, conf_errstr(name, value, err.message));
                return -1;
        }
        if (!strcmp(name, "transactional.id"))
                o->transactional_id = kafkit_conf_get(o->conf, name);
        return 0;
}

/* A "name=value" pair of -X; -1 with an error printed. */
static int conf_set_pair(kc_opts_t *o, const char *pair)
{
        char *copy = strdup(pair), *eq;
        int r;

        if (!copy)
                return kc_fatal("out of memory"), -1;
        eq = strchr(copy, '=');
        if (!eq) {
                fprintf(stderr, "%% Expected -X property=value, not %s, "
                                "use -X list to display available properties\n",
                        pair);
                free(copy);
                return -1;
        }
        *eq = '\0';
        r = conf_set(o, copy, eq + 1, "");
        free(copy);
        return r;
}

/*
 * A kcat.conf file: "property=value" lines, '#' comments, blank lines,
 * surrounding whitespace trimmed, "\:" and "\=" unescaped (Java configs).
 * Returns 0, 1 when the file cannot be opened and !fatal, -1 on error
 * (printed).
 */
static int read_conf_file(kc_opts_t *o, const char *path, int fatal)
{
        FILE *fp = fopen(path, "r");
        char buf[4096], where[600];
        int line = 0;

        if (!fp) {
                if (!fatal)
                        return 1;
                kc_fatal("Failed to open %s: %s", path, strerror(errno));
                return -1;
        }
        kc_info(o, fatal ? 1 : 3, "Reading configuration from file %s\n", path);
        while (fgets(buf, sizeof(buf), fp)) {
                char *s = buf, *t, *eq;

                line++;
                while (isspace((unsigned char)*s))
                        s++;
                t = s + strlen(s);
                while (t > s && isspace((unsigned char)t[-1]))
                        *--t = '\0';
                if (!*s || *s == '#')
                        continue;
                for (t = s; (t = strstr(t, "\\")) != NULL;) {
                        if (t[1] == ':' || t[1] == '=')
                                memmove(t, t + 1, strlen(t));
                        t++;
                }
                snprintf(where, sizeof(where), "%s:%d: ", path, line);
                if (!(eq = strchr(s, '=')) || eq == s) {
                        kc_fatal("%sexpected property=value", where);
                        fclose(fp);
                        return -1;
                }
                *eq = '\0';
                if (conf_set(o, s, eq + 1, where)) {
                        fclose(fp);
                        return -1;
                }
        }
        fclose(fp);
        return 0;
}

/* Configuration files other than -F: $KCAT_CONFIG (or the deprecated
 * $KAFKACAT_CONFIG), else ~/.config/kcat.conf, else
 * ~/.config/kafkacat.conf. */
static int read_default_conf(kc_opts_t *o)
{
        const char *path = getenv("KCAT_CONFIG"), *home;
        char buf[1024];
        int r;

        if (path && *path)
                return read_conf_file(o, path, 1) < 0 ? -1 : 0;
        if ((path = getenv("KAFKACAT_CONFIG")) && *path) {
                kc_info(o, 1, "KAFKA_CONFIG is deprecated!\n");
                kc_info(o, 1, "Rename KAFKA_CONFIG to KCAT_CONFIG\n");
                return read_conf_file(o, path, 1) < 0 ? -1 : 0;
        }
        if (!(home = getenv("HOME")) || !*home)
                return 0;
        snprintf(buf, sizeof(buf), "%s/.config/kcat.conf", home);
        if ((r = read_conf_file(o, buf, 0)) <= 0)
                return r;
        snprintf(buf, sizeof(buf), "%s/.config/kafkacat.conf", home);
        if ((r = read_conf_file(o, buf, 0)) == 0) {
                kc_info(o, 1, "Configuration filename kafkacat.conf is deprecated!\n");
                kc_info(o, 1, "Rename %s/.config/kafkacat.conf to %s/.config/kcat.conf\n",
                        home, home);
        }
        return r < 0 ? -1 : 0;
}

/* -Q's -t topic:partition:timestamp (the topic may contain ':'? kcat
 * splits at the first two colons; so does kafkit). */
static int add_query(kc_opts_t *o, const char *arg)
{
        const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        kc_query_t *q;
        char *topic, *end;
        long long part, ts;

        if (!c2)
                goto bad;
        errno = 0;
        part = strtoll(c1 + 1, &end, 0);
        if (end == c1 + 1 || end != c2 || errno || part < INT32_MIN || part > INT32_MAX)
                goto bad;
        ts = strtoll(c2 + 1, &end, 0);
        if (end == c2 + 1 || *end || errno)
                goto bad;
        q = realloc(o->queries, (o->query_cnt + 1) * sizeof(*q));
        if (!q)
                return kc_fatal("out of memory"), -1;
        o->queries = q;
        if (!(topic = strndup(arg, (size_t)(c1 - arg))))
                return kc_fatal("out of memory"), -1;
        q += o->query_cnt++;
        q->topic = topic;
        q->partition = (int32_t)part;
        q->timestamp = ts;
        return 0;
bad:
        kc_fatal("-t: expected \"topic:partition:offset_or_timestamp\"");
        return -1;
}

static int parse_offset(kc_opts_t *o, const char *arg)
{
        kafkit_error_t err;
        char *end;

        if (!strncmp(arg, "s@", 2) || !strncmp(arg, "e@", 2)) {
                long long ts;

                errno = 0;
                ts = strtoll(arg + 2, &end, 10);
                if (end == arg + 2 || *end || errno || ts < 0)
                        return kc_fatal("-o %s: expected a timestamp in milliseconds", arg), -1;
                if (arg[0] == 's')
                        o->start_ts = ts;
                else
                        o->stop_ts = ts;
                return 0;
        }
        if (kafkit_offset_parse(arg, &o->offset, &err) != KAFKIT_OK)
                return kc_fatal("-o %s: expected beginning, end, stored, <offset>, -<count>, "
                                "s@<ms> or e@<ms>",
                                arg),
                       -1;
        o->offset_set = 1;
        return 0;
}

/* kcat's pack_check(): the same tokens (a space prints a space) and the
 * same messages. */
static int check_pack(const char *what, const char *fmt)
{
        const char *p;

        if (!*fmt)
                return kc_fatal("%s pack-format must not be empty", what), -1;
        for (p = fmt; *p; p++)
                if (!strchr(" <>bBhHiIqQcs$", *p))
                        return kc_fatal("Invalid token '%c' in %s pack-format, see -s usage.",
                                        *p, what),
                               -1;
        return 0;
}

static int parse_pack(kc_opts_t *o, const char *arg)
{
        int field = -1;

        if (!strncmp(arg, "key=", 4)) {
                arg += 4;
                field = KC_KEY;
        } else if (!strncmp(arg, "value=", 6)) {
                arg += 6;
                field = KC_VALUE;
        }
        if (field != KC_VALUE) {
                if (strcmp(arg, "avro") && check_pack("key", arg))
                        return -1;
                o->pack[KC_KEY] = arg;
        }
        if (field != KC_KEY) {
                if (strcmp(arg, "avro") && check_pack("value", arg))
                        return -1;
                o->pack[KC_VALUE] = arg;
        }
        return 0;
}

static int parse_int(const char *opt, const char *arg, int64_t min, int64_t max, int64_t *out)
{
        if (cli_parse_i64(arg, min, max, out))
                return kc_fatal("-%s %s: expected an integer from %lld to %lld", opt, arg,
                                (long long)min, (long long)max),
                       -1;
        return 0;
}

typedef struct kc_parse_s {
        const char **files;     /* -F in order */
        size_t file_cnt;
        const char **props;     /* -X name=value in order */
        size_t prop_cnt;
        const char *delim;
        const char *key_delim;
        int dump;
        int show_version;
        int show_help;
        int no_conf_search;
} kc_parse_t;

static int take(kc_opts_t *o, kc_parse_t *ps, int opt, const char *arg)
{
        int64_t v;
        int r;

        switch (opt) {
        case 'P': case 'C': case 'L': case 'Q':
                o->mode = opt;
                return 0;
        case 'G':
                o->mode = 'G';
                o->group = arg;
                return 0;
        case 't':
                if (o->mode == 'Q')
                        return add_query(o, arg);
                o->topic = arg;
                return 0;
        case 'p':
                if (parse_int("p", arg, -1, INT32_MAX, &v))
                        return -1;
                o->partition = (int32_t)v;
                return 0;
        case 'b': o->brokers = arg; return 0;
        case 'z': o->compression = arg; return 0;
        case 'o': return parse_offset(o, arg);
        case 'e': o->exit_eof = 1; return 0;
        case 'E': o->exit_on_error = 0; return 0;
        case 'f': o->format = arg; return 0;
        case 'J': o->json = 1; return 0;
        case 's': return parse_pack(o, arg);
        case 'r':
                if (!*arg)
                        return kc_fatal("-r url must not be empty"), -1;
                o->registry_url = arg;
                return 0;
        case 'D': ps->delim = arg; return 0;
        case 'K': ps->key_delim = arg; return 0;
        case 'k': o->fixed_key = arg; return 0;
        case 'H': o->headers[o->header_cnt++] = arg; return 0;
        case 'l': o->line_mode = 1; return 0;
        case 'O': o->print_offset = 1; return 0;
        case 'c':
                if (parse_int("c", arg, 0, INT64_MAX, &v))
                        return -1;
                o->msg_cnt = v;
                return 0;
        case 'm':
                if (parse_int("m", arg, 0, 86400, &v))
                        return -1;
                o->metadata_timeout_s = (int)v;
                return 0;
        case 'Z': o->null_mode = 1; return 0;
        case 'd': o->debug = arg; return 0;
        case 'q': o->verbosity = 0; progress_opts_quiet(&o->progress); return 0;
        case 'v': o->verbosity++; return 0;
        case 'T': o->tee = 1; return 0;
        case 'u': o->unbuffered = 1; return 0;
        case 'F':
                ps->no_conf_search = 1;
                if (strcmp(arg, "-") && strcmp(arg, "none"))
                        ps->files[ps->file_cnt++] = arg;
                return 0;
        case 'X':
                if (!strcmp(arg, "list") || !strcmp(arg, "help")) {
                        kafkit_conf_properties_show(stdout);
                        exit(0);
                }
                if (!strcmp(arg, "dump")) {
                        ps->dump = 1;
                        return 0;
                }
                if (!strchr(arg, '=')) {
                        fprintf(stderr, "%% Expected -X property=value, not %s, "
                                        "use -X list to display available properties\n",
                                arg);
                        return -1;
                }
                ps->props[ps->prop_cnt++] = arg;
                return 0;
        case 'V': ps->show_version = 1; return 0;
        case 'h': case KC_OPT_HELP: ps->show_help = 1; return 0;
        case KC_OPT_VALUE_SCHEMA: o->schema_file[KC_VALUE] = arg; return 0;
        case KC_OPT_KEY_SCHEMA: o->schema_file[KC_KEY] = arg; return 0;
        case KC_OPT_JSON_STYLE:
                if (!strcmp(arg, "avro"))
                        o->style = KAFKIT_AVRO_JSON_AVRO;
                else if (!strcmp(arg, "plain"))
                        o->style = KAFKIT_AVRO_JSON_PLAIN | KAFKIT_AVRO_JSON_DECIMAL_TEXT;
                else
                        return kc_fatal("--json-style %s: expected avro or plain", arg), -1;
                return 0;
        default:
                r = progress_opt(&o->progress, opt, arg);
                if (r == -1)
                        kc_fatal("--stats-interval %s: expected an integer from %d to %d",
                                 arg, PROGRESS_INTERVAL_MIN_MS, PROGRESS_INTERVAL_MAX_MS);
                return r == 1 ? 0 : -1;
        }
}

/* Applies configuration in kafkit's order (see kcat.h); -1 on error. */
static int build_conf(kc_opts_t *o, kc_parse_t *ps)
{
        size_t i;

        if (!ps->no_conf_search && read_default_conf(o))
                return -1;
        for (i = 0; i < ps->file_cnt; i++)
                if (read_conf_file(o, ps->files[i], 1))
                        return -1;
        for (i = 0; i < ps->prop_cnt; i++)
                if (conf_set_pair(o, ps->props[i]))
                        return -1;
        if (o->brokers && conf_set(o, "bootstrap.servers", o->brokers, ""))
                return -1;
        if (o->compression && conf_set(o, "compression.codec", o->compression, ""))
                return -1;
        if (o->debug && conf_set(o, "debug", o->debug, ""))
                return -1;
        if (o->group && conf_set(o, "group.id", o->group, ""))
                return -1;
        if (o->registry_url && conf_set(o, "schema.registry.url", o->registry_url, ""))
                return -1;
        if (!o->registry_url)
                o->registry_url = kafkit_conf_get(o->conf, "schema.registry.url");
        if (!o->brokers)
                o->brokers = kafkit_conf_get(o->conf, "bootstrap.servers");
        if (!o->brokers)
                o->brokers = kafkit_conf_get(o->conf, "metadata.broker.list");
        return 0;
}

static void opts_free(kc_opts_t *o, kc_parse_t *ps)
{
        size_t i;

        for (i = 0; i < o->query_cnt; i++)
                free((char *)o->queries[i].topic);
        free(o->queries);
        free(o->headers);
        free(o->delim);
        free(o->key_delim);
        kafkit_conf_destroy(o->conf);
        free(ps->files);
        free(ps->props);
}

int kcat_is_kcat_arg(const char *arg)
{
        return arg[0] == '-' && arg[1] && arg[1] != '-' && strchr(KC_OPTSTRING + 1, arg[1]);
}

static int parse(kc_opts_t *o, kc_parse_t *ps, int argc, char **argv)
{
        int opt;

        opterr = 0;
        optind = 1;
        while ((opt = getopt_long(argc, argv, KC_OPTSTRING, kc_longopts, NULL)) != -1) {
                /* kcat's words for an unknown option and a missing
                 * argument alike */
                if (opt == '?' || opt == ':')
                        return kc_usage_error(o, "unknown argument");
                if (take(o, ps, opt, optarg))
                        return 1;
        }
        o->operands = argv + optind;
        o->operand_cnt = argc - optind;
        return -1;
}

/* The checks kcat makes after reading the options; -1 to go on, else the
 * exit code. */
static int check(kc_opts_t *o, kc_parse_t *ps)
{
        int i;

        if (!o->brokers)
                return kc_usage_error(o, "-b <broker,..> missing");
        if (!o->mode) {
                o->mode = isatty(STDIN_FILENO) ? 'C' : 'P';
                kc_info(o, 1, "Auto-selecting %s mode (use -P or -C to override)\n",
                        o->mode == 'C' ? "Consumer" : "Producer");
        }
        if (!strchr("GLQ", o->mode) && !o->topic)
                return kc_usage_error(o, "-t <topic> missing");
        if (o->mode == 'Q' && !o->query_cnt)
                return kc_usage_error(o, "-t <topic>:<partition>:<offset_or_timestamp> missing");
        for (i = 0; i < KC_FIELD_CNT; i++) {
                if (!o->pack[i])
                        continue;
                /* kcat's text; kafkit's producer also takes -s avro */
                if (!strchr("GCP", o->mode) || (o->mode == 'P' && strcmp(o->pack[i], "avro")))
                        return kc_fatal("-s serdes only available in the consumer");
                if (!strcmp(o->pack[i], "avro") && !o->registry_url)
                        return kc_fatal("-s avro requires -r <sr_url>");
        }
        if (ps->key_delim || (o->pack[KC_KEY] && !strcmp(o->pack[KC_KEY], "avro"))) {
                o->key_delim = parse_delim(ps->key_delim ? ps->key_delim : "",
                                           &o->key_delim_len);
                if (!o->key_delim)
                        return 1;
        }
        if (!(o->delim = parse_delim(ps->delim ? ps->delim : "\n", &o->delim_len)))
                return 1;
        if (o->mode == 'P' && o->delim_len == 0)
                return kc_fatal("Message delimiter -D must not be empty when producing");
        if (o->operand_cnt > 0) {
                if (!strchr("PG", o->mode))
                        return kc_usage_error(o, "file/topic list only allowed in "
                                                 "producer(-P)/kafkaconsumer(-G) mode");
                if (o->line_mode && o->operand_cnt > 1)
                        return kc_fatal("Only one file allowed for line mode (-l)");
        }
        if (o->mode == 'G' && (o->start_ts >= 0 || o->stop_ts >= 0))
                return kc_fatal("-o ..@ timestamps can't be used with -G mode\n");
        return -1;
}

int kcat_main(int argc, char **argv)
{
        kc_opts_t o;
        kc_parse_t ps;
        int rc;

        /* "kafkit kcat -C ..." and "kcat kcat -C ..." (Docker habits) */
        if (argc > 1 && (!strcmp(argv[1], "kcat") || !strcmp(argv[1], "kafkacat"))) {
                memmove(&argv[1], &argv[2], sizeof(*argv) * (size_t)(argc - 1));
                argc--;
        }
        memset(&o, 0, sizeof(o));
        memset(&ps, 0, sizeof(ps));
        o.argv0 = argv[0];
        o.partition = KC_PARTITION_UNSET;
        o.offset.kind = KAFKIT_OFFSET_BEGINNING;
        o.start_ts = o.stop_ts = -1;
        o.exit_on_error = 1;
        o.metadata_timeout_s = 5;
        o.verbosity = 1;
        o.style = KAFKIT_AVRO_JSON_AVRO;
        progress_opts_init(&o.progress);
        o.conf = kafkit_conf_new();
        o.headers = calloc((size_t)argc + 1, sizeof(*o.headers));
        ps.files = calloc((size_t)argc + 1, sizeof(*ps.files));
        ps.props = calloc((size_t)argc + 1, sizeof(*ps.props));
        if (!o.conf || !o.headers || !ps.files || !ps.props) {
                rc = kc_fatal("out of memory");
                goto out;
        }
        if ((rc = parse(&o, &ps, argc, argv)) >= 0)
                goto out;
        if (ps.show_help || ps.show_version) {
                if (ps.show_help)
                        usage(&o, stdout);
                else
                        version_banner(stdout);
                rc = 0;
                goto out;
        }
        if (build_conf(&o, &ps)) {
                rc = 1;
                goto out;
        }
        if (ps.dump) {
                rc = kafkit_conf_dump(o.conf, stdout) == KAFKIT_OK ? 0 : 1;
                goto out;
        }
        if ((rc = check(&o, &ps)) >= 0)
                goto out;
        cli_install_signals();
        switch (o.mode) {
        case 'P': rc = kc_produce(&o); break;
        case 'L': rc = kc_metadata(&o); break;
        case 'Q': rc = kc_query(&o); break;
        default: rc = kc_consume(&o); break;
        }
out:
        opts_free(&o, &ps);
        return rc;
}
