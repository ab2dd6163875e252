/*
 * dev.c: the in-process development cluster (kafkit/dev.h).
 *
 * A thin layer over librdkafka's mock cluster, which needs an rd_kafka_t to
 * live in: we make a producer handle that never produces, whose log lines go
 * to the user's sink. Argument checks happen here so a bad broker id or
 * partition count is an error naming it rather than a silent no-op in the
 * mock. The optional fixed listen address is dev_proxy.c's job.
 */
#include "internal.h"

#include <librdkafka/rdkafka_mock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEV_MAX_BROKERS 32
#define DEV_MAX_PARTITIONS 100000
#define DEV_MAX_TOPIC_LEN 249   /* Kafka's limit */
#define DEV_MAX_PUSHED_ERRORS 100000

struct kafkit_dev_cluster_s {
        kafkit_logger_t logger;   /* FIRST: the rd handle's opaque; filters */
        kafkit_logger_t user;     /* the user's sink, where `logger` forwards */
        int broker_cnt;
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mcluster;
        kafkit_dev_proxy_t *proxy;
};

/*
 * The handle has no bootstrap.servers on purpose (it only hosts the mock),
 * so librdkafka's warning about it would only confuse: drop that one line.
 */
static void dev_log_filter(void *opaque, int level, const char *fac,
                           const char *msg)
{
        const kafkit_dev_cluster_t *dc = opaque;

        if (fac && msg && !strcmp(fac, "CONFWARN") &&
            strstr(msg, "bootstrap.servers"))
                return;
        dc->user.cb(dc->user.opaque, level, fac, msg);
}

/* The hosting producer: an empty conf but for the user's log level. */
static kafkit_err_t dev_new_handle(kafkit_dev_cluster_t *dc,
                                   kafkit_error_t *err)
{
        kafkit_conf_t *empty;
        rd_kafka_conf_t *rdconf;
        char level[16], errstr[512];
        const char *overrides[] = { "log_level", level, NULL };

        empty = kafkit_conf_new();
        if (!empty)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "out of memory creating the dev cluster");
        snprintf(level, sizeof(level), "%d", dc->user.level < 0 ? 0 :
                 dc->user.level > 7 ? 7 : dc->user.level);
        rdconf = kafkit_conf_to_rd(empty, NULL, overrides, err);
        kafkit_conf_destroy(empty);
        if (!rdconf)
                return err ? err->code : KAFKIT_ERR_CONF;
        rd_kafka_conf_set_opaque(rdconf, dc);
        dc->rk = rd_kafka_new(RD_KAFKA_PRODUCER, rdconf, errstr, sizeof(errstr));
        if (!dc->rk) {
                rd_kafka_conf_destroy(rdconf);
                return kafkit_err_set(err, KAFKIT_ERR_KAFKA, 0,
                                      "cannot create the dev cluster's "
                                      "client handle: %s", errstr);
        }
        return KAFKIT_OK;
}

kafkit_dev_cluster_t *kafkit_dev_cluster_new(const kafkit_conf_t *conf,
                                             int broker_cnt,
                                             kafkit_error_t *err)
{
        kafkit_dev_cluster_t *dc;

        if (broker_cnt < 1 || broker_cnt > DEV_MAX_BROKERS) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                               "dev cluster: broker count %d is out of "
                               "range 1..%d", broker_cnt, DEV_MAX_BROKERS);
                return NULL;
        }
        dc = calloc(1, sizeof(*dc));
        if (!dc) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                               "out of memory creating the dev cluster");
                return NULL;
        }
        dc->broker_cnt = broker_cnt;
        kafkit_conf_logger(conf, &dc->user);
        dc->logger = dc->user;
        dc->logger.cb = dev_log_filter;
        dc->logger.opaque = dc;
        if (dev_new_handle(dc, err) != KAFKIT_OK)
                goto fail;
        dc->mcluster = rd_kafka_mock_cluster_new(dc->rk, broker_cnt);
        if (!dc->mcluster) {
                kafkit_err_set(err, KAFKIT_ERR_IO, 0,
                               "cannot start a mock cluster of %d brokers on "
                               "127.0.0.1 (see the log)", broker_cnt);
                goto fail;
        }
        kafkit_log(&dc->user, KAFKIT_LOG_DEBUG, "DEV",
                   "dev cluster of %d broker(s) at %s", broker_cnt,
                   rd_kafka_mock_cluster_bootstraps(dc->mcluster));
        return dc;
fail:
        kafkit_dev_cluster_destroy(dc);
        return NULL;
}

const char *kafkit_dev_cluster_bootstraps(const kafkit_dev_cluster_t *dc)
{
        return dc ? rd_kafka_mock_cluster_bootstraps(dc->mcluster) : NULL;
}

/* Kafka's rule: 1..249 of [A-Za-z0-9._-], and not "." or "..". */
static kafkit_err_t dev_check_topic(const char *topic, kafkit_error_t *err)
{
        size_t i, len;

        if (!topic || !*topic)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: empty topic name");
        len = strlen(topic);
        if (len > DEV_MAX_TOPIC_LEN)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: topic name \"%.40s...\" is "
                                      "%zu characters, Kafka allows %d",
                                      topic, len, DEV_MAX_TOPIC_LEN);
        for (i = 0; i < len; i++) {
                char c = topic[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                      c == '-'))
                        return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                              "dev cluster: invalid topic name "
                                              "\"%s\": Kafka allows only "
                                              "letters, digits, '.', '_' "
                                              "and '-'", topic);
        }
        if (!strcmp(topic, ".") || !strcmp(topic, ".."))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: invalid topic name \"%s\"",
                                      topic);
        return KAFKIT_OK;
}

kafkit_err_t kafkit_dev_cluster_create_topic(kafkit_dev_cluster_t *dc,
                                             const char *topic,
                                             int partitions,
                                             kafkit_error_t *err)
{
        rd_kafka_resp_err_t rerr;
        kafkit_err_t code;

        if (!dc)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: NULL cluster");
        code = dev_check_topic(topic, err);
        if (code)
                return code;
        if (partitions < 1 || partitions > DEV_MAX_PARTITIONS)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: topic \"%s\": partition "
                                      "count %d is out of range 1..%d",
                                      topic, partitions, DEV_MAX_PARTITIONS);
        rerr = rd_kafka_mock_topic_create(dc->mcluster, topic, partitions, 1);
        if (rerr)
                return kafkit_err_set(err, kafkit_err_from_rd(rerr), (int)rerr,
                                      "dev cluster: cannot create topic \"%s\" "
                                      "with %d partitions: %s", topic,
                                      partitions, rd_kafka_err2str(rerr));
        return KAFKIT_OK;
}

kafkit_err_t kafkit_dev_cluster_listen(kafkit_dev_cluster_t *dc,
                                       const char *addr,
                                       kafkit_error_t *err)
{
        if (!dc || !addr)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: NULL %s",
                                      dc ? "listen address" : "cluster");
        if (dc->proxy)
                return kafkit_err_set(err, KAFKIT_ERR_STATE, 0,
                                      "dev cluster: already listening on %s; "
                                      "cannot also listen on %s",
                                      kafkit_dev_proxy_address(dc->proxy), addr);
        dc->proxy = kafkit_dev_proxy_new(addr, kafkit_dev_cluster_bootstraps(dc),
                                         &dc->user, err);
        if (!dc->proxy)
                return err ? err->code : KAFKIT_ERR_IO;
        kafkit_log(&dc->user, KAFKIT_LOG_DEBUG, "DEV",
                   "listening on %s, forwarding to broker 1",
                   kafkit_dev_proxy_address(dc->proxy));
        return KAFKIT_OK;
}

const char *kafkit_dev_cluster_listen_address(const kafkit_dev_cluster_t *dc)
{
        return dc && dc->proxy ? kafkit_dev_proxy_address(dc->proxy) : NULL;
}

/* -1 (every broker) or an id the cluster has. */
static kafkit_err_t dev_check_broker(const kafkit_dev_cluster_t *dc,
                                     int32_t broker_id, kafkit_error_t *err)
{
        if (!dc)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: NULL cluster");
        if (broker_id != -1 && (broker_id < 1 || broker_id > dc->broker_cnt))
                return kafkit_err_set(err, KAFKIT_ERR_NOT_FOUND, 0,
                                      "dev cluster: no broker %d (ids are "
                                      "1..%d, or -1 for all)",
                                      (int)broker_id, dc->broker_cnt);
        return KAFKIT_OK;
}

typedef rd_kafka_resp_err_t(dev_broker_op_t)(rd_kafka_mock_cluster_t *,
                                             int32_t, int);

static rd_kafka_resp_err_t dev_op_down(rd_kafka_mock_cluster_t *mc,
                                       int32_t id, int arg)
{
        (void)arg;
        return rd_kafka_mock_broker_set_down(mc, id);
}

static rd_kafka_resp_err_t dev_op_up(rd_kafka_mock_cluster_t *mc,
                                     int32_t id, int arg)
{
        (void)arg;
        return rd_kafka_mock_broker_set_up(mc, id);
}

static rd_kafka_resp_err_t dev_op_rtt(rd_kafka_mock_cluster_t *mc,
                                      int32_t id, int arg)
{
        return rd_kafka_mock_broker_set_rtt(mc, id, arg);
}

/* Applies `op` to one broker, or to each in turn for -1 (explicitly, so the
 * result does not depend on the mock's handling of -1). */
static kafkit_err_t dev_broker_apply(kafkit_dev_cluster_t *dc,
                                     int32_t broker_id, dev_broker_op_t *op,
                                     int arg, const char *what,
                                     kafkit_error_t *err)
{
        rd_kafka_resp_err_t rerr;
        int32_t id, first, last;
        kafkit_err_t code;

        code = dev_check_broker(dc, broker_id, err);
        if (code)
                return code;
        first = broker_id == -1 ? 1 : broker_id;
        last = broker_id == -1 ? dc->broker_cnt : broker_id;
        for (id = first; id <= last; id++) {
                rerr = op(dc->mcluster, id, arg);
                if (rerr)
                        return kafkit_err_set(err, kafkit_err_from_rd(rerr),
                                              (int)rerr,
                                              "dev cluster: cannot %s broker "
                                              "%d: %s", what, (int)id,
                                              rd_kafka_err2str(rerr));
        }
        return KAFKIT_OK;
}

kafkit_err_t kafkit_dev_cluster_broker_down(kafkit_dev_cluster_t *dc,
                                            int32_t broker_id,
                                            kafkit_error_t *err)
{
        return dev_broker_apply(dc, broker_id, dev_op_down, 0, "take down",
                                err);
}

kafkit_err_t kafkit_dev_cluster_broker_up(kafkit_dev_cluster_t *dc,
                                          int32_t broker_id,
                                          kafkit_error_t *err)
{
        return dev_broker_apply(dc, broker_id, dev_op_up, 0, "bring up", err);
}

kafkit_err_t kafkit_dev_cluster_set_rtt(kafkit_dev_cluster_t *dc,
                                        int32_t broker_id,
                                        int rtt_ms,
                                        kafkit_error_t *err)
{
        if (rtt_ms < 0)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: negative rtt %d ms",
                                      rtt_ms);
        return dev_broker_apply(dc, broker_id, dev_op_rtt, rtt_ms,
                                "set the rtt of", err);
}

kafkit_err_t kafkit_dev_cluster_push_request_errors(kafkit_dev_cluster_t *dc,
                                                    int16_t api_key,
                                                    size_t cnt,
                                                    const int *kafka_codes,
                                                    kafkit_error_t *err)
{
        rd_kafka_resp_err_t *codes;
        size_t i;

        if (!dc || (cnt > 0 && !kafka_codes))
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: NULL %s",
                                      dc ? "error code array" : "cluster");
        if (api_key < 0)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: negative api key %d",
                                      (int)api_key);
        if (cnt > DEV_MAX_PUSHED_ERRORS)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "dev cluster: %zu errors pushed at "
                                      "once, at most %d", cnt,
                                      DEV_MAX_PUSHED_ERRORS);
        if (cnt == 0)
                return KAFKIT_OK;
        codes = calloc(cnt, sizeof(*codes));
        if (!codes)
                return kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                                      "dev cluster: out of memory for %zu "
                                      "request errors", cnt);
        for (i = 0; i < cnt; i++)
                codes[i] = (rd_kafka_resp_err_t)kafka_codes[i];
        rd_kafka_mock_push_request_errors_array(dc->mcluster, api_key, cnt,
                                                codes);
        free(codes);
        return KAFKIT_OK;
}

void kafkit_dev_cluster_destroy(kafkit_dev_cluster_t *dc)
{
        if (!dc)
                return;
        kafkit_dev_proxy_destroy(dc->proxy);
        if (dc->mcluster)
                rd_kafka_mock_cluster_destroy(dc->mcluster);
        if (dc->rk)
                rd_kafka_destroy(dc->rk);
        free(dc);
}
