/*
 * test_registry.c: unit tests of the Schema Registry client against a fake
 * registry run in the test with libmicrohttpd on 127.0.0.1: endpoints and
 * their JSON, error details, retries and what is not retried, timeouts,
 * sticky failover, authentication and headers, caches (hits, negative
 * entries, TTL, LRU bound), single-flight loading, no lock across HTTP,
 * and TLS with a CA made by the openssl command.
 */
#include "registry_internal.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ fake server */

#define FAKE_MAX_ROUTES 16
#define FAKE_TEXT 4096

typedef struct route_s {
        const char *method;
        const char *uri;        /* raw URI, query included, exact */
        int status;
        const char *body;
} route_t;

typedef struct fake_s {
        struct MHD_Daemon *d;
        int port;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        route_t routes[FAKE_MAX_ROUTES];
        int route_cnt;

        /* scripting (under lock) */
        int fail_next, fail_status;   /* answer the next N with fail_status */
        int delay_ms;                 /* before every answer */
        int hang_id;                  /* GET /schemas/ids/<hang_id> waits for release */
        int hang_all;
        int released;

        /* observations (under lock) */
        int requests;
        char method[16], uri[FAKE_TEXT], body[FAKE_TEXT];
        char auth[512], ctype[256], accept[512], xtenant[256];
} fake_t;

/* One request in progress: its raw URI and its upload. */
typedef struct req_s {
        char uri[FAKE_TEXT];
        char body[FAKE_TEXT];
        size_t len;
        int started;    /* MHD's first call has the headers only */
} req_t;

static void *fake_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
        req_t *q = calloc(1, sizeof(*q));

        (void)cls;
        (void)conn;
        if (q)
                snprintf(q->uri, sizeof(q->uri), "%s", uri);
        return q;
}

static void fake_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode toe)
{
        (void)cls;
        (void)conn;
        (void)toe;
        free(*req_cls);
        *req_cls = NULL;
}

static enum MHD_Result fake_reply(struct MHD_Connection *conn, int status, const char *body)
{
        struct MHD_Response *resp =
                MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
        enum MHD_Result ret;

        MHD_add_response_header(resp, "Content-Type", "application/vnd.schemaregistry.v1+json");
        ret = MHD_queue_response(conn, (unsigned)status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static void fake_copy_header(struct MHD_Connection *conn, const char *name, char *dst,
                             size_t size)
{
        const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);

        snprintf(dst, size, "%s", v ? v : "");
}

/* Waits (lock held) until released or 5 s passed. */
static void fake_hang(fake_t *f)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 5;
        while (!f->released)
                if (pthread_cond_timedwait(&f->cond, &f->lock, &ts) != 0)
                        break;
}

/* The default answer for GET /schemas/ids/N: ids 1..99 exist. */
static int fake_id_answer(const char *uri, char *body, size_t size)
{
        int id = atoi(uri + strlen("/schemas/ids/"));

        if (id == 7) {
                snprintf(body, size,
                         "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\","
                         "\"references\":[{\"name\":\"dep.proto\",\"subject\":\"dep\","
                         "\"version\":2}]}");
                return 200;
        }
        if (id >= 1 && id < 100) {
                snprintf(body, size,
                         "{\"schema\":\"{\\\"type\\\":\\\"fixed\\\",\\\"name\\\":\\\"f%d\\\","
                         "\\\"size\\\":%d}\"}",
                         id, id);
                return 200;
        }
        snprintf(body, size, "{\"error_code\":40403,\"message\":\"Schema %d not found\"}", id);
        return 404;
}

/* Decides the answer to a complete request (lock held). */
static int fake_answer(fake_t *f, const req_t *q, const char *method, char *body, size_t size)
{
        int i;

        if (f->fail_next > 0) {
                f->fail_next--;
                snprintf(body, size, "{\"error_code\":%d01,\"message\":\"try again\"}",
                         f->fail_status);
                return f->fail_status;
        }
        for (i = 0; i < f->route_cnt; i++)
                if (!strcmp(f->routes[i].method, method) && !strcmp(f->routes[i].uri, q->uri)) {
                        snprintf(body, size, "%s", f->routes[i].body);
                        return f->routes[i].status;
                }
        if (!strcmp(method, "GET") && !strncmp(q->uri, "/schemas/ids/", 13))
                return fake_id_answer(q->uri, body, size);
        snprintf(body, size, "{\"error_code\":40401,\"message\":\"Subject not found.\"}");
        return 404;
}

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload, size_t *upload_size, void **req_cls)
{
        fake_t *f = cls;
        req_t *q = *req_cls;
        char body[FAKE_TEXT];
        int status, delay;

        (void)url;
        (void)version;
        if (!q)
                return MHD_NO;
        if (!q->started) {
                q->started = 1;
                return MHD_YES;
        }
        if (*upload_size) {
                size_t n = *upload_size;

                if (n > sizeof(q->body) - 1 - q->len)
                        n = sizeof(q->body) - 1 - q->len;
                memcpy(q->body + q->len, upload, n);
                q->len += n;
                *upload_size = 0;
                return MHD_YES;
        }
        pthread_mutex_lock(&f->lock);
        f->requests++;
        snprintf(f->method, sizeof(f->method), "%s", method);
        snprintf(f->uri, sizeof(f->uri), "%s", q->uri);
        snprintf(f->body, sizeof(f->body), "%s", q->body);
        fake_copy_header(conn, "Authorization", f->auth, sizeof(f->auth));
        fake_copy_header(conn, "Content-Type", f->ctype, sizeof(f->ctype));
        fake_copy_header(conn, "Accept", f->accept, sizeof(f->accept));
        fake_copy_header(conn, "X-Tenant", f->xtenant, sizeof(f->xtenant));
        if (f->hang_all ||
            (f->hang_id && !strncmp(q->uri, "/schemas/ids/", 13) && atoi(q->uri + 13) == f->hang_id))
                fake_hang(f);
        delay = f->delay_ms;
        status = fake_answer(f, q, method, body, sizeof(body));
        pthread_mutex_unlock(&f->lock);
        if (delay)
                usleep((useconds_t)delay * 1000);
        return fake_reply(conn, status, body);
}

/* Starts a fake registry; TLS when cert/key (PEM texts) are given. */
static fake_t *fake_start_tls(const char *cert, const char *key)
{
        fake_t *f = calloc(1, sizeof(*f));
        struct sockaddr_in sa = { 0 };
        const union MHD_DaemonInfo *info;
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;

        ck_assert_ptr_nonnull(f);
        pthread_mutex_init(&f->lock, NULL);
        pthread_cond_init(&f->cond, NULL);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (cert)
                f->d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, fake_handler, f,
                                        MHD_OPTION_SOCK_ADDR, &sa,
                                        MHD_OPTION_URI_LOG_CALLBACK, fake_uri_log, f,
                                        MHD_OPTION_NOTIFY_COMPLETED, fake_completed, f,
                                        MHD_OPTION_HTTPS_MEM_CERT, cert,
                                        MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
        else
                f->d = MHD_start_daemon(flags, 0, NULL, NULL, fake_handler, f,
                                        MHD_OPTION_SOCK_ADDR, &sa,
                                        MHD_OPTION_URI_LOG_CALLBACK, fake_uri_log, f,
                                        MHD_OPTION_NOTIFY_COMPLETED, fake_completed, f,
                                        MHD_OPTION_END);
        ck_assert_msg(f->d != NULL, "cannot start the fake registry");
        info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
        ck_assert_ptr_nonnull(info);
        f->port = info->port;
        return f;
}

static fake_t *fake_start(void)
{
        return fake_start_tls(NULL, NULL);
}

static void fake_stop(fake_t *f)
{
        pthread_mutex_lock(&f->lock);
        f->released = 1;
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
        MHD_stop_daemon(f->d);
        pthread_cond_destroy(&f->cond);
        pthread_mutex_destroy(&f->lock);
        free(f);
}

static void fake_route(fake_t *f, const char *method, const char *uri, int status,
                       const char *body)
{
        pthread_mutex_lock(&f->lock);
        ck_assert_int_lt(f->route_cnt, FAKE_MAX_ROUTES);
        f->routes[f->route_cnt++] = (route_t){ method, uri, status, body };
        pthread_mutex_unlock(&f->lock);
}

static int fake_requests(fake_t *f)
{
        int n;

        pthread_mutex_lock(&f->lock);
        n = f->requests;
        pthread_mutex_unlock(&f->lock);
        return n;
}

static void fake_release(fake_t *f)
{
        pthread_mutex_lock(&f->lock);
        f->released = 1;
        pthread_cond_broadcast(&f->cond);
        pthread_mutex_unlock(&f->lock);
}

static const char *fake_url(const fake_t *f)
{
        static char buf[64];

        snprintf(buf, sizeof(buf), "http://127.0.0.1:%d", f->port);
        return buf;
}

/* --------------------------------------------------------------- helpers */

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A conf for `url` with quiet logs and fast retries, plus name/value pairs
 * (NULL-terminated). */
static kafkit_conf_t *reg_conf(const char *url, ...)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        const char *name;
        va_list ap;

        ck_assert_ptr_nonnull(conf);
        tu_set(conf, "log_level", "2");
        tu_set(conf, "schema.registry.url", url);
        tu_set(conf, "schema.registry.retries.wait.ms", "5");
        tu_set(conf, "schema.registry.retries.max.wait.ms", "20");
        tu_set(conf, "schema.registry.request.timeout.ms", "5000");
        va_start(ap, url);
        while ((name = va_arg(ap, const char *)))
                tu_set(conf, name, va_arg(ap, const char *));
        va_end(ap);
        return conf;
}

static kafkit_registry_t *reg_new(kafkit_conf_t *conf)
{
        kafkit_registry_error_t err;
        kafkit_registry_t *r = kafkit_registry_new(conf, &err);

        ck_assert_msg(r != NULL, "kafkit_registry_new: %s", err.error.message);
        kafkit_conf_destroy(conf);
        return r;
}

/* A registry on the fake with extra name/value pairs. */
#define REG(f, ...) reg_new(reg_conf(fake_url(f), __VA_ARGS__))

static const kafkit_registry_schema_t *get_id_ok(kafkit_registry_t *r, int32_t id)
{
        const kafkit_registry_schema_t *s = NULL;
        kafkit_registry_error_t err;

        ck_assert_msg(kafkit_registry_get_by_id(r, id, &s, &err) == KAFKIT_OK,
                      "get_by_id(%d): %s", (int)id, err.error.message);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(s->id, id);
        return s;
}

/* ------------------------------------------------------------- endpoints */

START_TEST(test_register_sends_schema_type_refs_normalize_and_caches_id)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, NULL);
        kafkit_registry_ref_t refs[] = { { "com.acme.Dep", "dep-value", 3 } };
        kafkit_registry_error_t err;
        json_t *body;
        int32_t id = 0;

        fake_route(f, "POST", "/subjects/orders%2Fv%201-value/versions?normalize=true", 200,
                   "{\"id\":42}");
        ck_assert_int_eq(kafkit_registry_register(r, "orders/v 1-value", "{\"type\":\"string\"}",
                                                  "JSON", refs, 1, 1, &id, &err),
                         KAFKIT_OK);
        ck_assert_int_eq(id, 42);
        ck_assert_str_eq(f->method, "POST");
        ck_assert_str_eq(f->ctype, "application/vnd.schemaregistry.v1+json");
        ck_assert_ptr_nonnull(strstr(f->accept, "application/vnd.schemaregistry.v1+json"));
        body = json_loads(f->body, 0, NULL);
        ck_assert_ptr_nonnull(body);
        ck_assert_str_eq(json_string_value(json_object_get(body, "schema")),
                         "{\"type\":\"string\"}");
        ck_assert_str_eq(json_string_value(json_object_get(body, "schemaType")), "JSON");
        ck_assert_str_eq(json_string_value(json_object_get(
                                 json_array_get(json_object_get(body, "references"), 0),
                                 "subject")),
                         "dep-value");
        ck_assert_int_eq(json_integer_value(json_object_get(
                                 json_array_get(json_object_get(body, "references"), 0),
                                 "version")),
                         3);
        json_decref(body);
        /* the same registration again is answered from the cache */
        id = 0;
        ck_assert_int_eq(kafkit_registry_register(r, "orders/v 1-value", "{\"type\":\"string\"}",
                                                  "JSON", refs, 1, 1, &id, &err),
                         KAFKIT_OK);
        ck_assert_int_eq(id, 42);
        ck_assert_int_eq(fake_requests(f), 1);
        /* AVRO (NULL) sends no schemaType and no normalize */
        fake_route(f, "POST", "/subjects/s/versions", 200, "{\"id\":43}");
        ck_assert_int_eq(kafkit_registry_register(r, "s", "\"int\"", NULL, NULL, 0, 0, &id, &err),
                         KAFKIT_OK);
        ck_assert_int_eq(id, 43);
        ck_assert_ptr_null(strstr(f->body, "schemaType"));
        ck_assert_ptr_null(strstr(f->body, "references"));
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_lookup_get_version_and_by_id_read_every_field)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, NULL);
        const kafkit_registry_schema_t *s;
        kafkit_registry_error_t err;

        fake_route(f, "POST", "/subjects/t-value", 200,
                   "{\"subject\":\"t-value\",\"id\":9,\"version\":4,\"schema\":\"\\\"long\\\"\"}");
        ck_assert_int_eq(kafkit_registry_lookup(r, "t-value", "\"long\"", NULL, NULL, 0, 0, &s,
                                                &err),
                         KAFKIT_OK);
        ck_assert_int_eq(s->id, 9);
        ck_assert_int_eq(s->version, 4);
        ck_assert_str_eq(s->subject, "t-value");
        ck_assert_str_eq(s->schema_type, "AVRO");
        kafkit_registry_schema_destroy(s);

        fake_route(f, "GET", "/subjects/t-value/versions/latest", 200,
                   "{\"subject\":\"t-value\",\"id\":10,\"version\":5,\"schema\":\"\\\"int\\\"\","
                   "\"schemaType\":\"AVRO\"}");
        ck_assert_int_eq(kafkit_registry_get_version(r, "t-value", KAFKIT_REGISTRY_LATEST, &s,
                                                     &err),
                         KAFKIT_OK);
        ck_assert_int_eq(s->id, 10);
        ck_assert_int_eq(s->version, 5);
        ck_assert_str_eq(s->schema, "\"int\"");
        kafkit_registry_schema_destroy(s);

        fake_route(f, "GET", "/subjects/t-value/versions/2", 200,
                   "{\"subject\":\"t-value\",\"id\":3,\"version\":2,\"schema\":\"\\\"int\\\"\"}");
        ck_assert_int_eq(kafkit_registry_get_version(r, "t-value", 2, &s, &err), KAFKIT_OK);
        ck_assert_int_eq(s->version, 2);
        kafkit_registry_schema_destroy(s);

        s = get_id_ok(r, 7);
        ck_assert_str_eq(s->schema_type, "PROTOBUF");
        ck_assert_str_eq(s->schema, "syntax = \"proto3\";");
        ck_assert_uint_eq(s->ref_cnt, 1);
        ck_assert_str_eq(s->refs[0].name, "dep.proto");
        ck_assert_str_eq(s->refs[0].subject, "dep");
        ck_assert_int_eq(s->refs[0].version, 2);
        ck_assert_ptr_null(s->subject);
        kafkit_registry_schema_destroy(s);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_lists_deletes_compatibility_and_config)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, NULL);
        kafkit_registry_error_t err;
        char **subjects, **msgs, *level;
        int *versions, deleted, ok;
        size_t cnt;

        fake_route(f, "GET", "/subjects", 200, "[\"a-value\",\"b-key\"]");
        ck_assert_int_eq(kafkit_registry_list_subjects(r, &subjects, &cnt, &err), KAFKIT_OK);
        ck_assert_uint_eq(cnt, 2);
        ck_assert_str_eq(subjects[1], "b-key");
        ck_assert_ptr_null(subjects[2]);
        kafkit_registry_strings_free(subjects);

        fake_route(f, "GET", "/subjects/a-value/versions", 200, "[1,2,5]");
        ck_assert_int_eq(kafkit_registry_list_versions(r, "a-value", &versions, &cnt, &err),
                         KAFKIT_OK);
        ck_assert_uint_eq(cnt, 3);
        ck_assert_int_eq(versions[2], 5);
        kafkit_registry_free(versions);

        fake_route(f, "DELETE", "/subjects/a-value", 200, "[1,2,5]");
        fake_route(f, "DELETE", "/subjects/a-value?permanent=true", 200, "[1,2]");
        ck_assert_int_eq(kafkit_registry_delete_subject(r, "a-value", 0, &versions, &cnt, &err),
                         KAFKIT_OK);
        ck_assert_uint_eq(cnt, 3);
        kafkit_registry_free(versions);
        ck_assert_int_eq(kafkit_registry_delete_subject(r, "a-value", 1, &versions, &cnt, &err),
                         KAFKIT_OK);
        ck_assert_uint_eq(cnt, 2);
        ck_assert_str_eq(f->uri, "/subjects/a-value?permanent=true");
        kafkit_registry_free(versions);

        fake_route(f, "DELETE", "/subjects/b-key/versions/latest?permanent=true", 200, "3");
        ck_assert_int_eq(kafkit_registry_delete_version(r, "b-key", KAFKIT_REGISTRY_LATEST, 1,
                                                        &deleted, &err),
                         KAFKIT_OK);
        ck_assert_int_eq(deleted, 3);

        fake_route(f, "POST", "/compatibility/subjects/b-key/versions/latest?verbose=true", 200,
                   "{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE\","
                   "\"{oldSchemaVersion: 3}\"]}");
        ck_assert_int_eq(kafkit_registry_check_compatibility(r, "b-key", KAFKIT_REGISTRY_LATEST,
                                                             "\"string\"", NULL, NULL, 0, &ok,
                                                             &msgs, &err),
                         KAFKIT_OK);
        ck_assert_int_eq(ok, 0);
        ck_assert_str_eq(msgs[0], "READER_FIELD_MISSING_DEFAULT_VALUE");
        ck_assert_ptr_null(msgs[2]);
        kafkit_registry_strings_free(msgs);

        fake_route(f, "GET", "/config", 200, "{\"compatibilityLevel\":\"BACKWARD\"}");
        fake_route(f, "GET", "/config/b-key?defaultToGlobal=true", 200,
                   "{\"compatibilityLevel\":\"FULL\"}");
        fake_route(f, "PUT", "/config/b-key", 200, "{\"compatibility\":\"NONE\"}");
        ck_assert_int_eq(kafkit_registry_get_config(r, NULL, 0, &level, &err), KAFKIT_OK);
        ck_assert_str_eq(level, "BACKWARD");
        kafkit_registry_free(level);
        ck_assert_int_eq(kafkit_registry_get_config(r, "b-key", 1, &level, &err), KAFKIT_OK);
        ck_assert_str_eq(level, "FULL");
        kafkit_registry_free(level);
        ck_assert_int_eq(kafkit_registry_get_config(r, "c", 0, &level, &err),
                         KAFKIT_ERR_NOT_FOUND);
        ck_assert_int_eq(kafkit_registry_set_config(r, "b-key", "NONE", &err), KAFKIT_OK);
        ck_assert_str_eq(f->method, "PUT");
        ck_assert_str_eq(f->body, "{\"compatibility\":\"NONE\"}");
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

/* ---------------------------------------------------- errors and retries */

START_TEST(test_error_carries_status_error_code_message_url)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, NULL);
        kafkit_registry_error_t err;
        char want[256];
        int32_t id;

        fake_route(f, "POST", "/subjects/x/versions", 409,
                   "{\"error_code\":409,\"message\":\"Schema being registered is incompatible "
                   "with an earlier schema\"}");
        ck_assert_int_eq(kafkit_registry_register(r, "x", "\"int\"", NULL, NULL, 0, 0, &id, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(err.http_status, 409);
        ck_assert_int_eq(err.error_code, 409);
        ck_assert_str_eq(err.reason, "Schema being registered is incompatible with an earlier "
                                     "schema");
        snprintf(want, sizeof(want), "%s/subjects/x/versions", fake_url(f));
        ck_assert_str_eq(err.url, want);
        snprintf(want, sizeof(want),
                 "registry %s/subjects/x/versions: 409 error_code 409: Schema being registered "
                 "is incompatible with an earlier schema",
                 fake_url(f));
        ck_assert_str_eq(err.error.message, want);
        ck_assert_int_eq(fake_requests(f), 1); /* 409 is not retried */
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_4xx_not_retried_408_429_5xx_retried)
{
        static const int final[] = { 404, 409, 422, 401 };
        static const int transient[] = { 500, 503, 429, 408 };
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "schema.registry.max.retries", "3", NULL);
        const kafkit_registry_schema_t *s;
        kafkit_registry_error_t err;
        char uri[4][64], subject[16];
        size_t i;
        int before;

        for (i = 0; i < 4; i++) {
                snprintf(subject, sizeof(subject), "s%d", final[i]);
                snprintf(uri[i], sizeof(uri[i]), "/subjects/%s/versions/1", subject);
                fake_route(f, "GET", uri[i], final[i],
                           "{\"error_code\":42202,\"message\":\"no\"}");
                before = fake_requests(f);
                ck_assert_int_ne(kafkit_registry_get_version(r, subject, 1, &s, &err),
                                 KAFKIT_OK);
                ck_assert_int_eq(err.http_status, final[i]);
                ck_assert_int_eq(fake_requests(f) - before, 1);
        }
        for (i = 0; i < 4; i++) {
                pthread_mutex_lock(&f->lock);
                f->fail_next = 2;
                f->fail_status = transient[i];
                pthread_mutex_unlock(&f->lock);
                before = fake_requests(f);
                s = get_id_ok(r, (int32_t)(10 + i));
                kafkit_registry_schema_destroy(s);
                ck_assert_msg(fake_requests(f) - before == 3, "status %d: %d requests",
                              transient[i], fake_requests(f) - before);
        }
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_retries_give_up_after_max_retries)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "schema.registry.max.retries", "2", NULL);
        const kafkit_registry_schema_t *s;
        kafkit_registry_error_t err;

        f->fail_next = 100;
        f->fail_status = 503;
        ck_assert_int_eq(kafkit_registry_get_by_id(r, 1, &s, &err), KAFKIT_ERR_IO);
        ck_assert_int_eq(fake_requests(f), 3);
        ck_assert_int_eq(err.http_status, 503);
        ck_assert_int_eq(err.error_code, 50301);
        ck_assert_ptr_nonnull(strstr(err.error.message, "(after 3 attempts)"));
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_request_timeout_hits_in_time)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "schema.registry.request.timeout.ms", "300",
                                   "schema.registry.max.retries", "1", NULL);
        const kafkit_registry_schema_t *s;
        kafkit_registry_error_t err;
        int64_t t0 = now_ms(), dt;

        f->hang_all = 1;
        ck_assert_int_eq(kafkit_registry_get_by_id(r, 1, &s, &err), KAFKIT_ERR_TIMEOUT);
        dt = now_ms() - t0;
        ck_assert_msg(dt >= 550 && dt < 1500, "two 300 ms attempts took %lld ms", (long long)dt);
        ck_assert_int_eq(err.http_status, 0);
        ck_assert_ptr_nonnull(strstr(err.error.message, "/schemas/ids/1"));
        ck_assert_ptr_nonnull(strstr(err.error.message, "timed out"));
        ck_assert_int_eq(fake_requests(f), 2);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

/* -------------------------------------------------------------- failover */

/* A port that accepts connections and closes them at once, counting. */
typedef struct dead_s {
        int fd, port, stop, accepts;
        pthread_t thr;
} dead_t;

static void *dead_run(void *arg)
{
        dead_t *d = arg;

        while (!__atomic_load_n(&d->stop, __ATOMIC_SEQ_CST)) {
                struct pollfd p = { d->fd, POLLIN, 0 };
                int c;

                if (poll(&p, 1, 20) <= 0)
                        continue;
                c = accept(d->fd, NULL, NULL);
                if (c >= 0) {
                        __atomic_add_fetch(&d->accepts, 1, __ATOMIC_SEQ_CST);
                        close(c);
                }
        }
        return NULL;
}

/* A listening socket on 127.0.0.1; `serve` starts the accept-and-close
 * thread, else connections wait in the backlog unanswered. */
static dead_t *dead_start(int serve)
{
        dead_t *d = calloc(1, sizeof(*d));
        struct sockaddr_in sa = { 0 };
        socklen_t len = sizeof(sa);

        ck_assert_ptr_nonnull(d);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        d->fd = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_ge(d->fd, 0);
        ck_assert_int_eq(bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(d->fd, 16), 0);
        getsockname(d->fd, (struct sockaddr *)&sa, &len);
        d->port = ntohs(sa.sin_port);
        d->thr = 0;
        if (serve)
                ck_assert_int_eq(pthread_create(&d->thr, NULL, dead_run, d), 0);
        return d;
}

static void dead_stop(dead_t *d)
{
        __atomic_store_n(&d->stop, 1, __ATOMIC_SEQ_CST);
        if (d->thr)
                pthread_join(d->thr, NULL);
        close(d->fd);
        free(d);
}

START_TEST(test_failover_is_sticky_after_connection_failure)
{
        fake_t *f = fake_start();
        dead_t *d = dead_start(1);
        char urls[128];
        kafkit_registry_t *r;
        int i;

        snprintf(urls, sizeof(urls), "http://127.0.0.1:%d, %s", d->port, fake_url(f));
        r = reg_new(reg_conf(urls, "schema.registry.max.retries", "0", NULL));
        for (i = 1; i <= 3; i++)
                kafkit_registry_schema_destroy(get_id_ok(r, i));
        ck_assert_int_eq(__atomic_load_n(&d->accepts, __ATOMIC_SEQ_CST), 1);
        ck_assert_int_eq(fake_requests(f), 3);
        kafkit_registry_destroy(r);
        dead_stop(d);
        fake_stop(f);
}
END_TEST

START_TEST(test_unresponsive_first_url_costs_one_timeout)
{
        fake_t *f = fake_start();
        dead_t *d = dead_start(0); /* accepts in the backlog, never answers */
        kafkit_registry_t *r;
        char urls[128];
        int64_t t0, dt1, dt2;

        snprintf(urls, sizeof(urls), "http://127.0.0.1:%d,%s", d->port, fake_url(f));
        r = reg_new(reg_conf(urls, "schema.registry.request.timeout.ms", "300",
                             "schema.registry.max.retries", "0", NULL));
        t0 = now_ms();
        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        dt1 = now_ms() - t0;
        t0 = now_ms();
        kafkit_registry_schema_destroy(get_id_ok(r, 2));
        kafkit_registry_schema_destroy(get_id_ok(r, 3));
        dt2 = now_ms() - t0;
        ck_assert_msg(dt1 >= 280, "first call %lld ms: no timeout on URL 1?", (long long)dt1);
        ck_assert_msg(dt2 < 250, "later calls took %lld ms: failover not sticky",
                      (long long)dt2);
        ck_assert_int_eq(fake_requests(f), 3);
        kafkit_registry_destroy(r);
        dead_stop(d);
        fake_stop(f);
}
END_TEST

START_TEST(test_closed_port_first_url_fails_over)
{
        fake_t *f = fake_start();
        dead_t *d = dead_start(0);
        int port = d->port;
        kafkit_registry_error_t err;
        const kafkit_registry_schema_t *s;
        kafkit_registry_t *r;
        char urls[128];

        dead_stop(d); /* the port is closed now: connection refused */
        snprintf(urls, sizeof(urls), "http://127.0.0.1:%d,%s", port, fake_url(f));
        r = reg_new(reg_conf(urls, "schema.registry.max.retries", "0", NULL));
        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        kafkit_registry_destroy(r);
        /* alone, the closed port is an IO error naming the URL */
        snprintf(urls, sizeof(urls), "http://127.0.0.1:%d", port);
        r = reg_new(reg_conf(urls, "schema.registry.max.retries", "1", NULL));
        ck_assert_int_eq(kafkit_registry_get_by_id(r, 1, &s, &err), KAFKIT_ERR_IO);
        ck_assert_ptr_nonnull(strstr(err.url, urls));
        ck_assert_ptr_nonnull(strstr(err.error.message, "after 2 attempts"));
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

/* ------------------------------------------------------- auth and headers */

START_TEST(test_basic_auth_user_info)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "basic.auth.credentials.source", "USER_INFO",
                                   "basic.auth.user.info", "alice:s3cret", NULL);

        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        ck_assert_str_eq(f->auth, "Basic YWxpY2U6czNjcmV0");
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_basic_auth_from_url_never_shown)
{
        fake_t *f = fake_start();
        kafkit_registry_error_t err;
        const kafkit_registry_schema_t *s;
        kafkit_registry_t *r;
        char url[128];

        snprintf(url, sizeof(url), "http://bob:pa%%40ss@127.0.0.1:%d/", f->port);
        r = reg_new(reg_conf(url, NULL));
        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        ck_assert_str_eq(f->auth, "Basic Ym9iOnBhQHNz");
        fake_route(f, "GET", "/schemas/ids/2", 401,
                   "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        ck_assert_int_eq(kafkit_registry_get_by_id(r, 2, &s, &err), KAFKIT_ERR_CONF);
        ck_assert_int_eq(err.http_status, 401);
        ck_assert_ptr_null(strstr(err.error.message, "bob"));
        ck_assert_ptr_null(strstr(err.error.message, "pa%40ss"));
        ck_assert_ptr_null(strstr(err.url, "bob"));
        ck_assert_ptr_nonnull(strstr(err.error.message, "http://127.0.0.1:"));
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_bearer_token_and_extra_headers)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "bearer.auth.credentials.source", "STATIC_TOKEN",
                                   "bearer.auth.token", "tok-123", "request.header.X-Tenant",
                                   "acme", NULL);

        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        ck_assert_str_eq(f->auth, "Bearer tok-123");
        ck_assert_str_eq(f->xtenant, "acme");
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_conf_validation)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_registry_error_t err;
        kafkit_error_t e;

        ck_assert_int_eq(kafkit_conf_set(conf, "basic.auth.credentials.source", "SASL", &e),
                         KAFKIT_ERR_CONF);
        ck_assert_int_eq(kafkit_conf_set(conf, "basic.auth.user.info", "nocolon", &e),
                         KAFKIT_ERR_CONF);
        ck_assert_ptr_null(strstr(e.message, "nocolon")); /* secrets are not echoed */
        ck_assert_int_eq(kafkit_conf_set(conf, "request.header.Bad Name", "v", &e),
                         KAFKIT_ERR_CONF);
        ck_assert_int_eq(kafkit_conf_set(conf, "request.header.X-A", "a\r\nB: c", &e),
                         KAFKIT_ERR_CONF);
        ck_assert_int_eq(kafkit_conf_set(conf, "schema.registry.max.retries", "-1", &e),
                         KAFKIT_ERR_CONF);
        ck_assert_int_eq(kafkit_conf_set(conf,
                                         "schema.registry.ssl.endpoint.identification.algorithm",
                                         "", &e),
                         KAFKIT_OK);
        ck_assert_ptr_null(kafkit_registry_new(conf, &err)); /* no URL */
        ck_assert_int_eq(err.error.code, KAFKIT_ERR_CONF);
        tu_set(conf, "log_level", "2");
        tu_set(conf, "schema.registry.url", "http://127.0.0.1:1");
        tu_set(conf, "schema.registry.ssl.ca.location", "/nonexistent/ca.pem");
        ck_assert_ptr_null(kafkit_registry_new(conf, &err));
        ck_assert_int_eq(err.error.code, KAFKIT_ERR_CONF);
        ck_assert_ptr_nonnull(strstr(err.error.message, "schema.registry.ssl.ca.location"));
        kafkit_conf_destroy(conf);
}
END_TEST

/* ----------------------------------------------------------------- caches */

START_TEST(test_get_by_id_cached_and_missing_id_cached)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, NULL);
        const kafkit_registry_schema_t *a, *b;
        kafkit_registry_error_t err;
        int i;

        a = get_id_ok(r, 5);
        b = get_id_ok(r, 5);
        ck_assert_ptr_eq(a, b);
        ck_assert_str_eq(b->schema, "{\"type\":\"fixed\",\"name\":\"f5\",\"size\":5}");
        ck_assert_int_eq(fake_requests(f), 1);
        kafkit_registry_schema_destroy(a);
        kafkit_registry_schema_destroy(b);
        for (i = 0; i < 3; i++) {
                ck_assert_int_eq(kafkit_registry_get_by_id(r, 999, &a, &err),
                                 KAFKIT_ERR_NOT_FOUND);
                ck_assert_int_eq(err.http_status, 404);
                ck_assert_int_eq(err.error_code, 40403);
                ck_assert_str_eq(err.reason, "Schema 999 not found");
        }
        ck_assert_int_eq(fake_requests(f), 2);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_missing_id_not_cached_when_ttl_zero)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "missing.id.cache.ttl.sec", "0", NULL);
        const kafkit_registry_schema_t *s;
        kafkit_registry_error_t err;

        ck_assert_int_eq(kafkit_registry_get_by_id(r, 999, &s, &err), KAFKIT_ERR_NOT_FOUND);
        ck_assert_int_eq(kafkit_registry_get_by_id(r, 999, &s, &err), KAFKIT_ERR_NOT_FOUND);
        ck_assert_int_eq(fake_requests(f), 2);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_latest_expires_after_ttl_numbered_kept)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "latest.cache.ttl.sec", "1", NULL);
        const kafkit_registry_schema_t *s;
        kafkit_registry_error_t err;
        int i;

        fake_route(f, "GET", "/subjects/l/versions/latest", 200,
                   "{\"subject\":\"l\",\"id\":1,\"version\":1,\"schema\":\"\\\"int\\\"\"}");
        fake_route(f, "GET", "/subjects/l/versions/1", 200,
                   "{\"subject\":\"l\",\"id\":1,\"version\":1,\"schema\":\"\\\"int\\\"\"}");
        for (i = 0; i < 2; i++) {
                ck_assert_int_eq(kafkit_registry_get_version(r, "l", KAFKIT_REGISTRY_LATEST, &s,
                                                             &err),
                                 KAFKIT_OK);
                kafkit_registry_schema_destroy(s);
                ck_assert_int_eq(kafkit_registry_get_version(r, "l", 1, &s, &err), KAFKIT_OK);
                kafkit_registry_schema_destroy(s);
        }
        ck_assert_int_eq(fake_requests(f), 2);
        usleep(1100 * 1000);
        ck_assert_int_eq(kafkit_registry_get_version(r, "l", KAFKIT_REGISTRY_LATEST, &s, &err),
                         KAFKIT_OK);
        kafkit_registry_schema_destroy(s);
        ck_assert_int_eq(kafkit_registry_get_version(r, "l", 1, &s, &err), KAFKIT_OK);
        kafkit_registry_schema_destroy(s);
        ck_assert_int_eq(fake_requests(f), 3);
        /* deleting the subject forgets its versions */
        fake_route(f, "DELETE", "/subjects/l", 200, "[1]");
        ck_assert_int_eq(kafkit_registry_delete_subject(r, "l", 0, NULL, NULL, &err), KAFKIT_OK);
        ck_assert_int_eq(kafkit_registry_get_version(r, "l", 1, &s, &err), KAFKIT_OK);
        kafkit_registry_schema_destroy(s);
        ck_assert_int_eq(fake_requests(f), 5);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_cache_is_bounded_lru)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "schema.registry.cache.capacity", "2", NULL);

        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        kafkit_registry_schema_destroy(get_id_ok(r, 2));
        kafkit_registry_schema_destroy(get_id_ok(r, 1)); /* 1 is now the newest */
        kafkit_registry_schema_destroy(get_id_ok(r, 3)); /* evicts 2 */
        ck_assert_int_eq(fake_requests(f), 3);
        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        ck_assert_int_eq(fake_requests(f), 3);
        kafkit_registry_schema_destroy(get_id_ok(r, 2));
        ck_assert_int_eq(fake_requests(f), 4);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

/* ------------------------------------------------------------ concurrency */

typedef struct racer_s {
        kafkit_registry_t *r;
        pthread_barrier_t *start;
        int32_t id;
        kafkit_err_t code;
        int64_t ms;
} racer_t;

static void *racer_run(void *arg)
{
        racer_t *x = arg;
        const kafkit_registry_schema_t *s = NULL;
        kafkit_registry_error_t err;
        int64_t t0;

        if (x->start)
                pthread_barrier_wait(x->start);
        t0 = now_ms();
        x->code = kafkit_registry_get_by_id(x->r, x->id, &s, &err);
        x->ms = now_ms() - t0;
        kafkit_registry_schema_destroy(s);
        return NULL;
}

START_TEST(test_single_flight_one_request_for_eight_threads)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, "missing.id.cache.ttl.sec", "0", NULL);
        pthread_barrier_t bar;
        pthread_t t[8];
        racer_t x[8];
        int i;

        f->delay_ms = 200;
        pthread_barrier_init(&bar, NULL, 8);
        for (i = 0; i < 8; i++) {
                x[i] = (racer_t){ r, &bar, 500, KAFKIT_OK, 0 };
                ck_assert_int_eq(pthread_create(&t[i], NULL, racer_run, &x[i]), 0);
        }
        for (i = 0; i < 8; i++) {
                pthread_join(t[i], NULL);
                ck_assert_int_eq(x[i].code, KAFKIT_ERR_NOT_FOUND);
        }
        ck_assert_int_eq(fake_requests(f), 1);
        /* and the same for an id that exists */
        for (i = 0; i < 8; i++) {
                x[i] = (racer_t){ r, &bar, 8, KAFKIT_OK, 0 };
                ck_assert_int_eq(pthread_create(&t[i], NULL, racer_run, &x[i]), 0);
        }
        for (i = 0; i < 8; i++) {
                pthread_join(t[i], NULL);
                ck_assert_int_eq(x[i].code, KAFKIT_OK);
        }
        ck_assert_int_eq(fake_requests(f), 2);
        pthread_barrier_destroy(&bar);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

START_TEST(test_no_lock_held_during_http)
{
        fake_t *f = fake_start();
        kafkit_registry_t *r = REG(f, NULL);
        racer_t slow = { r, NULL, 11, KAFKIT_OK, 0 }, other = { r, NULL, 12, KAFKIT_OK, 0 };
        pthread_t t, t2;
        int64_t t0, dt;

        kafkit_registry_schema_destroy(get_id_ok(r, 2)); /* B cached */
        f->hang_id = 11;
        ck_assert_int_eq(pthread_create(&t, NULL, racer_run, &slow), 0);
        while (fake_requests(f) < 2)
                usleep(1000);
        t0 = now_ms();
        kafkit_registry_schema_destroy(get_id_ok(r, 2));
        dt = now_ms() - t0;
        ck_assert_msg(dt < 50, "cached lookup waited %lld ms behind a slow request",
                      (long long)dt);
        /* and another request goes out meanwhile, on its own connection */
        ck_assert_int_eq(pthread_create(&t2, NULL, racer_run, &other), 0);
        pthread_join(t2, NULL);
        ck_assert_int_eq(other.code, KAFKIT_OK);
        ck_assert_msg(other.ms < 500, "uncached lookup took %lld ms", (long long)other.ms);
        fake_release(f);
        pthread_join(t, NULL);
        ck_assert_int_eq(slow.code, KAFKIT_OK);
        ck_assert_int_ge(slow.ms, other.ms);
        kafkit_registry_destroy(r);
        fake_stop(f);
}
END_TEST

/* -------------------------------------------------------------------- TLS */

typedef struct tls_s {
        char dir[64];
        char *cert, *key;
} tls_t;

static char *slurp(const char *path)
{
        FILE *fp = fopen(path, "rb");
        char *buf = calloc(1, 65536);

        ck_assert_ptr_nonnull(fp);
        ck_assert_ptr_nonnull(buf);
        fread(buf, 1, 65535, fp);
        fclose(fp);
        return buf;
}

/* A CA and a server certificate for IP 127.0.0.1 only, made with the
 * openssl command in a temporary directory. */
static void tls_make(tls_t *t)
{
        char cmd[2048];

        snprintf(t->dir, sizeof(t->dir), "/tmp/kafkit-regtls-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t->dir));
        snprintf(cmd, sizeof(cmd),
                 "(cd %s && "
                 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                 "-keyout ca.key -out ca.pem -days 2 -subj /CN=kafkit-test-ca && "
                 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                 "-keyout srv.key -out srv.csr -subj /CN=kafkit-test-server && "
                 "printf 'subjectAltName=IP:127.0.0.1\\n' > ext && "
                 "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                 "-out srv.pem -days 2 -extfile ext)",
                 t->dir);
        snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " >/dev/null 2>&1");
        ck_assert_msg(system(cmd) == 0, "openssl failed: %s", cmd);
        snprintf(cmd, sizeof(cmd), "%s/srv.pem", t->dir);
        t->cert = slurp(cmd);
        snprintf(cmd, sizeof(cmd), "%s/srv.key", t->dir);
        t->key = slurp(cmd);
}

static void tls_free(tls_t *t)
{
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
        ck_assert_int_eq(system(cmd), 0);
        free(t->cert);
        free(t->key);
}

START_TEST(test_tls_verifies_with_ca_location_and_host)
{
        kafkit_registry_error_t err;
        const kafkit_registry_schema_t *s;
        kafkit_registry_t *r;
        char url[64], ca[128];
        fake_t *f;
        tls_t t;

        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
                fprintf(stderr, "SKIP: libmicrohttpd built without TLS; registry TLS untested\n");
                return;
        }
        tls_make(&t);
        f = fake_start_tls(t.cert, t.key);
        snprintf(ca, sizeof(ca), "%s/ca.pem", t.dir);

        /* the right CA: verified */
        snprintf(url, sizeof(url), "https://127.0.0.1:%d", f->port);
        r = reg_new(reg_conf(url, "schema.registry.ssl.ca.location", ca, NULL));
        kafkit_registry_schema_destroy(get_id_ok(r, 1));
        kafkit_registry_destroy(r);

        /* no CA: the system store does not know the test CA; not retried */
        r = reg_new(reg_conf(url, "schema.registry.max.retries", "3",
                             "schema.registry.retries.wait.ms", "1000", NULL));
        ck_assert_int_eq(kafkit_registry_get_by_id(r, 2, &s, &err), KAFKIT_ERR_CONF);
        ck_assert_ptr_nonnull(strstr(err.error.message, url));
        ck_assert_ptr_null(strstr(err.error.message, "after"));
        kafkit_registry_destroy(r);

        /* a name the certificate does not hold: refused unless explicitly off */
        snprintf(url, sizeof(url), "https://localhost:%d", f->port);
        r = reg_new(reg_conf(url, "schema.registry.ssl.ca.location", ca,
                             "schema.registry.max.retries", "0", NULL));
        ck_assert_int_ne(kafkit_registry_get_by_id(r, 3, &s, &err), KAFKIT_OK);
        kafkit_registry_destroy(r);
        r = reg_new(reg_conf(url, "schema.registry.ssl.ca.location", ca,
                             "schema.registry.ssl.endpoint.identification.algorithm", "none",
                             NULL));
        kafkit_registry_schema_destroy(get_id_ok(r, 3));
        kafkit_registry_destroy(r);

        ck_assert_int_eq(fake_requests(f), 2);
        fake_stop(f);
        tls_free(&t);
}
END_TEST

/* ------------------------------------------------------------------ suite */

static Suite *registry_suite(void)
{
        Suite *s = suite_create("registry");
        TCase *tc = tcase_create("client");

        tcase_set_timeout(tc, 20);
        tcase_add_test(tc, test_register_sends_schema_type_refs_normalize_and_caches_id);
        tcase_add_test(tc, test_lookup_get_version_and_by_id_read_every_field);
        tcase_add_test(tc, test_lists_deletes_compatibility_and_config);
        tcase_add_test(tc, test_error_carries_status_error_code_message_url);
        tcase_add_test(tc, test_4xx_not_retried_408_429_5xx_retried);
        tcase_add_test(tc, test_retries_give_up_after_max_retries);
        tcase_add_test(tc, test_request_timeout_hits_in_time);
        tcase_add_test(tc, test_failover_is_sticky_after_connection_failure);
        tcase_add_test(tc, test_unresponsive_first_url_costs_one_timeout);
        tcase_add_test(tc, test_closed_port_first_url_fails_over);
        tcase_add_test(tc, test_basic_auth_user_info);
        tcase_add_test(tc, test_basic_auth_from_url_never_shown);
        tcase_add_test(tc, test_bearer_token_and_extra_headers);
        tcase_add_test(tc, test_conf_validation);
        tcase_add_test(tc, test_get_by_id_cached_and_missing_id_cached);
        tcase_add_test(tc, test_missing_id_not_cached_when_ttl_zero);
        tcase_add_test(tc, test_latest_expires_after_ttl_numbered_kept);
        tcase_add_test(tc, test_cache_is_bounded_lru);
        tcase_add_test(tc, test_single_flight_one_request_for_eight_threads);
        tcase_add_test(tc, test_no_lock_held_during_http);
        tcase_add_test(tc, test_tls_verifies_with_ca_location_and_host);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(registry_suite());
}
