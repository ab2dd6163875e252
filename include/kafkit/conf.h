/*
 * kafkit/conf.h: one configuration object for every kafkit client.
 *
 * A conf holds string properties by name. Names are either librdkafka's
 * (validated against librdkafka as they are set) or kafkit's own, listed in
 * the README ("schema.registry.url", "kafkit.commit.mode", ...). Unknown
 * names and invalid values are errors that name the property, and for files
 * the file and line. Properties come from:
 *   - kafkit_conf_set() / kafkit_conf_set_pair() ("key=value"),
 *   - Java/librdkafka .properties files (kafkit_conf_load_file()),
 *   - the environment (kafkit_conf_load_env()): KAFKIT_BROKERS sets
 *     bootstrap.servers, and KAFKIT_CONF_<NAME> sets any property, NAME
 *     upper-cased with '.' written as '_' ("__" stands for '_', "___" for '-'),
 *     for example KAFKIT_CONF_SCHEMA_REGISTRY_URL or KAFKIT_CONF_LOG__LEVEL.
 * Later settings override earlier ones.
 */
#ifndef KAFKIT_CONF_H
#define KAFKIT_CONF_H

#include <stdio.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_conf_s kafkit_conf_t;

/**
 * A new, empty conf. Returns NULL only when out of memory.
 * The caller owns the result: pass it to a `_new` (which takes it on
 * success) or kafkit_conf_destroy() it. Thread-safe.
 */
kafkit_conf_t *kafkit_conf_new(void);

/** Frees a conf. NULL is ignored. Not thread-safe for the same conf. */
void kafkit_conf_destroy(kafkit_conf_t *conf);

/**
 * A deep copy of `conf` (properties and callbacks). The caller owns the
 * result. NULL when out of memory. Safe with concurrent readers of `conf`.
 */
kafkit_conf_t *kafkit_conf_dup(const kafkit_conf_t *conf);

/**
 * Sets property `name` to `value` (both copied; the caller keeps its
 * strings). Returns KAFKIT_ERR_CONF for an unknown name or an invalid
 * value, with the property named in err. Not thread-safe for the same conf.
 */
kafkit_err_t kafkit_conf_set(kafkit_conf_t *conf,
                             const char *name,
                             const char *value,
                             kafkit_error_t *err);

/**
 * Sets one "name=value" pair, as given to -X on the command line.
 * Whitespace around the name and value is trimmed. A pair with no '=' is
 * KAFKIT_ERR_CONF. Ownership and threading as kafkit_conf_set().
 */
kafkit_err_t kafkit_conf_set_pair(kafkit_conf_t *conf,
                                  const char *pair,
                                  kafkit_error_t *err);

/**
 * Reads a Java-style .properties file: "name=value", "name: value" or
 * "name value" lines, '#' and '!' comments, blank lines, surrounding
 * whitespace, and lines continued with a trailing backslash. The first bad
 * line stops the load with an error "PATH:LINE: ...", and properties set by
 * earlier lines stay set. `path` is borrowed. Not thread-safe for the conf.
 */
kafkit_err_t kafkit_conf_load_file(kafkit_conf_t *conf,
                                   const char *path,
                                   kafkit_error_t *err);

/**
 * As kafkit_conf_load_file() over an in-memory text of `len` bytes; errors
 * say "SOURCE:LINE: ...". `text` and `source` are borrowed.
 */
kafkit_err_t kafkit_conf_load_buffer(kafkit_conf_t *conf,
                                     const char *text,
                                     size_t len,
                                     const char *source,
                                     kafkit_error_t *err);

/**
 * Applies KAFKIT_BROKERS and every KAFKIT_CONF_* variable of the process
 * environment (see the top of this file). An error names the variable.
 * Reads the environment: not thread-safe against setenv().
 */
kafkit_err_t kafkit_conf_load_env(kafkit_conf_t *conf, kafkit_error_t *err);

/**
 * The value explicitly set for `name`, or NULL if it was never set (library
 * defaults are not reported). The string belongs to the conf and is valid
 * until that property is set again or the conf is destroyed.
 */
const char *kafkit_conf_get(const kafkit_conf_t *conf, const char *name);

/**
 * Number of properties explicitly set, and the i-th (in the order they were
 * first set) through *name and *value; returns 0 when i is out of range,
 * 1 otherwise. Strings belong to the conf as in kafkit_conf_get().
 */
size_t kafkit_conf_count(const kafkit_conf_t *conf);
int kafkit_conf_entry(const kafkit_conf_t *conf,
                      size_t i,
                      const char **name,
                      const char **value);

/**
 * 1 if `name` is one of kafkit's own properties (not passed to
 * librdkafka), else 0. Thread-safe.
 */
int kafkit_conf_is_kafkit_property(const char *name);

/**
 * Sets the log sink and its opaque; NULL restores the default stderr sink.
 * The level filter is the "log_level" property (0-7, default 6): lines
 * above it are dropped before the callback. Not thread-safe for the conf.
 */
void kafkit_conf_set_log_cb(kafkit_conf_t *conf, kafkit_log_cb_t *cb, void *opaque);

/**
 * Writes every librdkafka configuration property with its default and
 * description to `out` (librdkafka's table, as `kcat -X list` shows it).
 */
void kafkit_conf_properties_show(FILE *out);

/**
 * Writes the effective configuration of `conf` to `out` as "name = value"
 * lines: "# Global config" with every librdkafka property (defaults
 * included, the topic properties under "# Topic config"), then "# kafkit
 * config" with kafkit's own properties that are set. Secrets are printed as
 * librdkafka prints them. Returns KAFKIT_ERR_CONF if `conf` does not apply.
 */
kafkit_err_t kafkit_conf_dump(const kafkit_conf_t *conf, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_CONF_H */
