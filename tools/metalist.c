/*
 * metalist.c: the metadata listing of `kafkit list` and kcat mode -L (see
 * metalist.h). Brokers, topics and partitions are printed in the order
 * the cluster listed them, as kcat does. Strings in the JSON are escaped
 * as kcat's JSON writer does (fmt_json_str()).
 */
#include "metalist.h"
#include "fmt.h"

#include <stdio.h>
#include <string.h>

/* --------------------------------------------------------------------- text */

static void ids_text(const int32_t *ids, size_t cnt)
{
        size_t i;

        for (i = 0; i < cnt; i++)
                printf("%s%d", i ? "," : "", (int)ids[i]);
}

static void partition_text(const kafkit_partition_info_t *p)
{
        printf("    partition %d, leader %d, replicas: ", (int)p->id, (int)p->leader);
        ids_text(p->replicas, p->replica_cnt);
        fputs(", isrs: ", stdout);
        ids_text(p->isrs, p->isr_cnt);
        if (p->kafka_code)
                printf(", %s", kafkit_kafka_err_str(p->kafka_code));
        putchar('\n');
}

void metalist_text(const kafkit_metadata_t *md, const char *topic, int kcat)
{
        size_t i, j;

        printf("Metadata for %s (from broker %d: %s):\n", topic ? topic : "all topics",
               (int)md->orig_broker_id, md->orig_broker_name ? md->orig_broker_name : "?");
        printf(" %zu brokers:\n", md->broker_cnt);
        for (i = 0; i < md->broker_cnt; i++)
                printf("  broker %d at %s:%d%s\n", (int)md->brokers[i].id, md->brokers[i].host,
                       md->brokers[i].port,
                       kcat && md->brokers[i].id == md->controller_id ? " (controller)" : "");
        printf(" %zu topics:\n", md->topic_cnt);
        for (i = 0; i < md->topic_cnt; i++) {
                const kafkit_topic_info_t *t = &md->topics[i];

                printf("  topic \"%s\" with %zu partitions:", t->name, t->partition_cnt);
                if (t->kafka_code) {
                        printf(" %s", kafkit_kafka_err_str(t->kafka_code));
                        if (kcat && !strcmp(kafkit_kafka_err_name(t->kafka_code),
                                            "LEADER_NOT_AVAILABLE"))
                                fputs(" (try again)", stdout);
                }
                putchar('\n');
                for (j = 0; j < t->partition_cnt; j++)
                        partition_text(&t->partitions[j]);
        }
}

/* --------------------------------------------------------------------- JSON */

static void ids_json(const char *name, const int32_t *ids, size_t cnt)
{
        size_t i;

        printf(",\"%s\":[", name);
        for (i = 0; i < cnt; i++)
                printf("%s{\"id\":%d}", i ? "," : "", (int)ids[i]);
        putchar(']');
}

static void partition_json(const kafkit_partition_info_t *p)
{
        printf("{\"partition\":%d", (int)p->id);
        if (p->kafka_code) {
                fputs(",\"error\":", stdout);
                fmt_json_str(stdout, kafkit_kafka_err_str(p->kafka_code));
        }
        printf(",\"leader\":%d", (int)p->leader);
        ids_json("replicas", p->replicas, p->replica_cnt);
        ids_json("isrs", p->isrs, p->isr_cnt);
        putchar('}');
}

static void topic_json(const kafkit_topic_info_t *t)
{
        size_t j;

        fputs("{\"topic\":", stdout);
        fmt_json_str(stdout, t->name);
        if (t->kafka_code) {
                fputs(",\"error\":", stdout);
                fmt_json_str(stdout, kafkit_kafka_err_str(t->kafka_code));
        }
        fputs(",\"partitions\":[", stdout);
        for (j = 0; j < t->partition_cnt; j++) {
                if (j)
                        putchar(',');
                partition_json(&t->partitions[j]);
        }
        fputs("]}", stdout);
}

void metalist_json(const kafkit_metadata_t *md, const char *topic, int kcat)
{
        size_t i;

        printf("{\"originating_broker\":{\"id\":%d,\"name\":", (int)md->orig_broker_id);
        fmt_json_str(stdout, md->orig_broker_name);
        fputs("},\"query\":{\"topic\":", stdout);
        fmt_json_str(stdout, topic ? topic : "*");
        putchar('}');
        if (kcat)
                printf(",\"controllerid\":%d", (int)md->controller_id);
        fputs(",\"brokers\":[", stdout);
        for (i = 0; i < md->broker_cnt; i++) {
                printf("%s{\"id\":%d,\"name\":\"", i ? "," : "", (int)md->brokers[i].id);
                /* "host:port": the port needs no escaping */
                fmt_json_chars(stdout, md->brokers[i].host);
                printf(":%d\"}", md->brokers[i].port);
        }
        fputs("],\"topics\":[", stdout);
        for (i = 0; i < md->topic_cnt; i++) {
                if (i)
                        putchar(',');
                topic_json(&md->topics[i]);
        }
        fputs("]}", stdout);
}
