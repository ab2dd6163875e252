/*
 * testutil.h: helpers shared by kafkit's Check tests.
 */
#ifndef KAFKIT_TESTUTIL_H
#define KAFKIT_TESTUTIL_H

#include <check.h>
#include <kafkit/kafkit.h>

/* Path of a file of the shared test vectors ("murmur2-partitions.jsonl"):
 * $KAFKIT_VECTORS_DIR, else ../shared/vectors beside the source tree, else
 * the copy in tests/vectors. Returns a static buffer. */
const char *tu_vector_path(const char *name);

/* A topic name unique within this process run: "<prefix>-<pid>-<n>". */
const char *tu_topic(const char *prefix);

/* A conf with bootstrap.servers of `dc` and log_level 3 (quiet tests);
 * aborts the test on failure. */
kafkit_conf_t *tu_conf(const kafkit_dev_cluster_t *dc);

/* Sets name=value on conf or fails the test with the error message. */
void tu_set(kafkit_conf_t *conf, const char *name, const char *value);

/* Starts a dev cluster of `brokers` brokers or fails the test. */
kafkit_dev_cluster_t *tu_cluster(int brokers);

/* Runs a suite with CK_NORMAL output; returns the process exit code. */
int tu_run(Suite *s);

#endif /* KAFKIT_TESTUTIL_H */
