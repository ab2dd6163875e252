/*
 * testutil.c: helpers shared by kafkit's Check tests.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KAFKIT_TEST_SRCDIR
#define KAFKIT_TEST_SRCDIR "."
#endif

const char *tu_vector_path(const char *name)
{
        static char path[4096];
        const char *dir = getenv("KAFKIT_VECTORS_DIR");

        if (dir && *dir) {
                snprintf(path, sizeof(path), "%s/%s", dir, name);
                return path;
        }
        snprintf(path, sizeof(path), "%s/../shared/vectors/%s", KAFKIT_TEST_SRCDIR, name);
        if (access(path, R_OK) == 0)
                return path;
        snprintf(path, sizeof(path), "%s/tests/vectors/%s", KAFKIT_TEST_SRCDIR, name);
        return path;
}

const char *tu_topic(const char *prefix)
{
        static char buf[256];
        static int n;

        snprintf(buf, sizeof(buf), "%s-%ld-%d", prefix, (long)getpid(), n++);
        return buf;
}

void tu_set(kafkit_conf_t *conf, const char *name, const char *value)
{
        kafkit_error_t err;

        if (kafkit_conf_set(conf, name, value, &err) != KAFKIT_OK)
                ck_abort_msg("conf %s=%s: %s", name, value, err.message);
}

kafkit_conf_t *tu_conf(const kafkit_dev_cluster_t *dc)
{
        kafkit_conf_t *conf = kafkit_conf_new();

        ck_assert_ptr_nonnull(conf);
        tu_set(conf, "bootstrap.servers", kafkit_dev_cluster_bootstraps(dc));
        tu_set(conf, "log_level", "3");
        return conf;
}

kafkit_dev_cluster_t *tu_cluster(int brokers)
{
        kafkit_error_t err;
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_dev_cluster_t *dc;

        ck_assert_ptr_nonnull(conf);
        tu_set(conf, "log_level", "3");
        dc = kafkit_dev_cluster_new(conf, brokers, &err);
        kafkit_conf_destroy(conf);
        if (!dc)
                ck_abort_msg("dev cluster: %s", err.message);
        return dc;
}

int tu_run(Suite *s)
{
        SRunner *sr = srunner_create(s);
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
