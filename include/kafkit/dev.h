/*
 * kafkit/dev.h: an in-process development cluster.
 *
 * Wraps librdkafka's mock cluster: real Kafka-protocol brokers on loopback
 * ports, usable by any client. Limits (librdkafka 2.0.2): random ports, topics
 * auto-created with 4 partitions, no CreateTopics/DescribeGroups/ListGroups/
 * DescribeConfigs, at most 100,000 records or 5 MB kept per partition, and
 * transactions that do not store TxnOffsetCommit offsets. For development and
 * tests only.
 *
 * kafkit_dev_cluster_listen() adds a fixed address (say 127.0.0.1:9092) that
 * forwards connections to broker 1, so "-b localhost:9092" reaches the
 * cluster; metadata then points clients at the brokers' own ports.
 */
#ifndef KAFKIT_DEV_H
#define KAFKIT_DEV_H

#include "common.h"
#include "conf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kafkit_dev_cluster_s kafkit_dev_cluster_t;

/**
 * Starts a cluster of broker_cnt (1 to 32) brokers, ids 1..broker_cnt.
 * `conf` (may be NULL) is borrowed and only its log callback and log_level
 * are used. The caller owns the result. Thread-safe.
 */
kafkit_dev_cluster_t *kafkit_dev_cluster_new(const kafkit_conf_t *conf,
                                             int broker_cnt,
                                             kafkit_error_t *err);

/** "127.0.0.1:PORT,..." of the brokers. Owned by the cluster. */
const char *kafkit_dev_cluster_bootstraps(const kafkit_dev_cluster_t *dc);

/**
 * Creates a topic with `partitions` partitions (1 to 100000). The mock
 * cluster reports every broker as a replica, whatever was asked.
 */
kafkit_err_t kafkit_dev_cluster_create_topic(kafkit_dev_cluster_t *dc,
                                             const char *topic,
                                             int partitions,
                                             kafkit_error_t *err);

/**
 * Listens on "HOST:PORT" (port 0 picks a free one) and forwards every
 * connection to broker 1. One listener per cluster. KAFKIT_ERR_IO names the
 * address when it cannot be bound.
 */
kafkit_err_t kafkit_dev_cluster_listen(kafkit_dev_cluster_t *dc,
                                       const char *addr,
                                       kafkit_error_t *err);

/** "HOST:PORT" actually listened on, or NULL. Owned by the cluster. */
const char *kafkit_dev_cluster_listen_address(const kafkit_dev_cluster_t *dc);

/**
 * Fault injection for tests: take a broker down (closes its connections and
 * refuses new ones; leadership does not move) or up again; -1 means every
 * broker. Thread-safe.
 */
kafkit_err_t kafkit_dev_cluster_broker_down(kafkit_dev_cluster_t *dc,
                                            int32_t broker_id,
                                            kafkit_error_t *err);
kafkit_err_t kafkit_dev_cluster_broker_up(kafkit_dev_cluster_t *dc,
                                          int32_t broker_id,
                                          kafkit_error_t *err);

/** Adds rtt_ms of delay to a broker's responses (-1: every broker). */
kafkit_err_t kafkit_dev_cluster_set_rtt(kafkit_dev_cluster_t *dc,
                                        int32_t broker_id,
                                        int rtt_ms,
                                        kafkit_error_t *err);

/**
 * The next `cnt` requests of Kafka API `api_key` (0 Produce, 1 Fetch, ...)
 * fail with kafka_codes[i] in turn. kafka_codes is borrowed.
 */
kafkit_err_t kafkit_dev_cluster_push_request_errors(kafkit_dev_cluster_t *dc,
                                                    int16_t api_key,
                                                    size_t cnt,
                                                    const int *kafka_codes,
                                                    kafkit_error_t *err);

/** Stops the listener and the brokers and frees the cluster. NULL ignored. */
void kafkit_dev_cluster_destroy(kafkit_dev_cluster_t *dc);

#ifdef __cplusplus
}
#endif
#endif /* KAFKIT_DEV_H */
