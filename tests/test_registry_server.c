/*
 * test_registry_server.c: the development Schema Registry server, driven
 * in-process over real HTTP with libcurl: every endpoint, Confluent's error
 * codes, global ids shared by subjects, idempotent registration,
 * compatibility (409 and verbose reasons), per-subject and global config,
 * the soft-then-permanent delete rules, references, and durability of the
 * data directory (restart, torn last line, corrupt line, no id reuse).
 */
#include "testutil.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CT "application/vnd.schemaregistry.v1+json"

static kafkit_registry_server_t *srv;
static char tmpdir[256];

/* --------------------------------------------------------------- logging */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_warning[1024];

static void capture_log(void *opaque, int level, const char *fac, const char *msg)
{
        (void)opaque;
        (void)fac;
        if (level > KAFKIT_LOG_WARNING)
                return;
        pthread_mutex_lock(&log_lock);
        snprintf(last_warning, sizeof(last_warning), "%s", msg);
        pthread_mutex_unlock(&log_lock);
}

static kafkit_registry_server_t *start(const char *dir)
{
        kafkit_conf_t *conf = kafkit_conf_new();
        kafkit_registry_server_t *s;
        kafkit_error_t err;

        ck_assert_ptr_nonnull(conf);
        kafkit_conf_set_log_cb(conf, capture_log, NULL);
        s = kafkit_registry_server_new(conf, "127.0.0.1:0", dir, &err);
        kafkit_conf_destroy(conf);
        if (!s)
                ck_abort_msg("registry server: %s", err.message);
        return s;
}

static void setup_memory(void)
{
        srv = start(NULL);
}

static void teardown(void)
{
        kafkit_registry_server_destroy(srv);
        srv = NULL;
}

/* ------------------------------------------------------------------ HTTP */

typedef struct resp_s {
        long status;
        char *body;
        size_t len;
        char ctype[128];
        json_t *json;           /* parsed body, or NULL */
} resp_t;

static size_t on_data(char *p, size_t size, size_t n, void *opaque)
{
        resp_t *r = opaque;
        char *b = realloc(r->body, r->len + size * n + 1);

        if (!b)
                return 0;
        memcpy(b + r->len, p, size * n);
        r->len += size * n;
        b[r->len] = '\0';
        r->body = b;
        return size * n;
}

static void resp_free(resp_t *r)
{
        free(r->body);
        json_decref(r->json);
        memset(r, 0, sizeof(*r));
}

/* METHOD PATH with an optional body; body text uses ' for ". */
static resp_t http(const char *method, const char *path, const char *body)
{
        CURL *c = curl_easy_init();
        struct curl_slist *hdrs = NULL;
        char url[1024], *data = NULL, *ct = NULL;
        resp_t r;
        CURLcode rc;

        memset(&r, 0, sizeof(r));
        ck_assert_ptr_nonnull(c);
        snprintf(url, sizeof(url), "%s%s", kafkit_registry_server_url(srv), path);
        hdrs = curl_slist_append(hdrs, "Content-Type: " CT);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
        if (body) {
                data = strdup(body);
                ck_assert_ptr_nonnull(data);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
        }
        rc = curl_easy_perform(c);
        ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, url, curl_easy_strerror(rc));
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r.ctype, sizeof(r.ctype), "%s", ct ? ct : "");
        if (r.body)
                r.json = json_loads(r.body, JSON_DECODE_ANY, NULL);
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(c);
        free(data);
        return r;
}

/* A request body {"schema": TEXT, ...extra} with TEXT given with ' for ". */
static char *schema_body(const char *squoted, const char *extra)
{
        char *text = strdup(squoted), *p, *out;
        json_t *o;

        ck_assert_ptr_nonnull(text);
        for (p = text; *p; p++)
                if (*p == '\'')
                        *p = '"';
        o = json_pack("{s:s}", "schema", text);
        if (extra) {
                json_t *x = json_loads(extra, 0, NULL);

                ck_assert_msg(x != NULL, "bad extra %s", extra);
                json_object_update(o, x);
                json_decref(x);
        }
        out = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        free(text);
        return out;
}

/* POST a schema; returns the response (caller frees). */
static resp_t post_schema(const char *path, const char *squoted, const char *extra)
{
        char *b = schema_body(squoted, extra);
        resp_t r = http("POST", path, b);

        free(b);
        return r;
}

/* Registers and returns the id, failing the test otherwise. */
static int reg(const char *subject, const char *squoted, const char *extra)
{
        char path[256];
        resp_t r;
        int id;

        snprintf(path, sizeof(path), "/subjects/%s/versions", subject);
        r = post_schema(path, squoted, extra);
        ck_assert_msg(r.status == 200, "register in %s: %ld %s", subject, r.status,
                      r.body ? r.body : "");
        id = (int)json_integer_value(json_object_get(r.json, "id"));
        ck_assert_int_gt(id, 0);
        resp_free(&r);
        return id;
}

/* Expects an error status and Confluent error code; returns the message. */
static void expect_error(resp_t *r, long status, int code, const char *msg_part)
{
        const char *msg = json_string_value(json_object_get(r->json, "message"));

        ck_assert_msg(r->status == status, "status %ld, expected %ld: %s", r->status, status,
                      r->body ? r->body : "");
        ck_assert_int_eq(json_integer_value(json_object_get(r->json, "error_code")), code);
        ck_assert_ptr_nonnull(msg);
        if (msg_part)
                ck_assert_msg(strstr(msg, msg_part), "message \"%s\" lacks \"%s\"", msg,
                              msg_part);
        resp_free(r);
}

static void expect_get_error(const char *path, long status, int code)
{
        resp_t r = http("GET", path, NULL);

        expect_error(&r, status, code, NULL);
}

/* The body must equal `expected` JSON (with ' for "). */
static void expect_json(resp_t *r, const char *squoted)
{
        char *text = strdup(squoted), *p;
        json_t *want;

        for (p = text; *p; p++)
                if (*p == '\'')
                        *p = '"';
        want = json_loads(text, JSON_DECODE_ANY, NULL);
        ck_assert_msg(want != NULL, "bad expected JSON %s", text);
        ck_assert_msg(r->status == 200, "status %ld: %s", r->status, r->body ? r->body : "");
        ck_assert_msg(json_equal(want, r->json), "got %s, expected %s", r->body, text);
        json_decref(want);
        free(text);
        resp_free(r);
}

static void expect_get(const char *path, const char *squoted)
{
        resp_t r = http("GET", path, NULL);

        expect_json(&r, squoted);
}

#define USER "{'type':'record','name':'User','fields':[{'name':'id','type':'long'}]}"
#define USER2                                                                       \
        "{'type':'record','name':'User','fields':[{'name':'id','type':'long'},"     \
        "{'name':'email','type':'string','default':''}]}"
#define USER_BAD                                                                    \
        "{'type':'record','name':'User','fields':[{'name':'id','type':'long'},"     \
        "{'name':'email','type':'string'}]}"

/* ----------------------------------------------------------------- tests */

START_TEST(test_register_and_read_back_every_way)
{
        resp_t r;
        int id = reg("users-value", USER, NULL);

        ck_assert_int_eq(id, 1);
        expect_get("/subjects", "['users-value']");
        expect_get("/subjects/users-value/versions", "[1]");
        r = http("GET", "/subjects/users-value/versions/1", NULL);
        ck_assert_str_eq(r.ctype, CT);
        expect_json(&r, "{'subject':'users-value','version':1,'id':1,'schema':"
                        "'{\\'type\\':\\'record\\',\\'name\\':\\'User\\',\\'fields\\':"
                        "[{\\'name\\':\\'id\\',\\'type\\':\\'long\\'}]}'}");
        r = http("GET", "/subjects/users-value/versions/latest", NULL);
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
        resp_free(&r);
        r = http("GET", "/subjects/users-value/versions/1/schema", NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(r.body, "{\"type\":\"record\",\"name\":\"User\",\"fields\":"
                                 "[{\"name\":\"id\",\"type\":\"long\"}]}");
        resp_free(&r);
        r = http("GET", "/schemas/ids/1", NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r.json, "schema")),
                                     "\"User\""));
        ck_assert_ptr_null(json_object_get(r.json, "references"));
        resp_free(&r);
        expect_get("/schemas/ids/1/versions", "[{'subject':'users-value','version':1}]");
        expect_get("/schemas/types", "['AVRO']");
        expect_get("/", "{}");
}
END_TEST

START_TEST(test_ids_are_global_and_registration_idempotent)
{
        /* Same schema, other subject, other spacing and member order. */
        int a = reg("a", USER, NULL);
        int b = reg("b", "{ 'name' : 'User', 'type': 'record', "
                         "'fields': [ {'type':'long','name':'id'} ] }", NULL);
        int c, d;

        ck_assert_int_eq(a, b);
        ck_assert_int_eq(reg("a", USER, NULL), a);      /* no new version */
        expect_get("/subjects/a/versions", "[1]");
        expect_get("/schemas/ids/1/versions",
                   "[{'subject':'a','version':1},{'subject':'b','version':1}]");
        /* A default is part of the schema: a new id. */
        c = reg("a", USER2, NULL);
        ck_assert_int_ne(c, a);
        expect_get("/subjects/a/versions", "[1,2]");
        /* A doc string only differs in normalized form with ?normalize=true. */
        d = reg("c", "{'type':'record','name':'User','doc':'people',"
                     "'fields':[{'name':'id','type':'long'}]}",
                NULL);
        ck_assert_int_ne(d, a);
        ck_assert_int_ne(d, c);
}
END_TEST

START_TEST(test_normalize_matches_canonical_form)
{
        int a = reg("s", USER, NULL);
        resp_t r = post_schema("/subjects/t/versions?normalize=true", USER, NULL);

        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), a);
        resp_free(&r);
        /* doc differs: new id without normalize, same id with it */
        r = post_schema("/subjects/u/versions?normalize=true",
                        "{'type':'record','name':'User','doc':'d',"
                        "'fields':[{'name':'id','type':'long'}]}", NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), a);
        resp_free(&r);
        r = post_schema("/subjects/u2/versions",
                        "{'type':'record','name':'User','doc':'d',"
                        "'fields':[{'name':'id','type':'long'}]}", NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_int_ne(json_integer_value(json_object_get(r.json, "id")), a);
        resp_free(&r);
        /* a default is kept even when normalizing */
        r = post_schema("/subjects/u3/versions?normalize=true",
                        "{'type':'record','name':'User','fields':[{'name':'id','type':"
                        "'long','default':5}]}", NULL);
        ck_assert_int_ne(json_integer_value(json_object_get(r.json, "id")), a);
        resp_free(&r);
}
END_TEST

START_TEST(test_lookup_schema_under_subject)
{
        resp_t r;

        reg("users", USER, NULL);
        reg("users", USER2, NULL);
        r = post_schema("/subjects/users", USER2, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(json_string_value(json_object_get(r.json, "subject")), "users");
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), 2);
        ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "schema")));
        resp_free(&r);
        r = post_schema("/subjects/users", "'string'", NULL);
        expect_error(&r, 404, 40403, "Schema not found");
        r = post_schema("/subjects/nobody", USER, NULL);
        expect_error(&r, 404, 40401, "nobody");
}
END_TEST

START_TEST(test_errors_have_confluent_codes)
{
        resp_t r;

        r = post_schema("/subjects/x/versions", "{'type':'record','name':'R'}", NULL);
        expect_error(&r, 422, 42201, "Invalid schema");
        r = post_schema("/subjects/x/versions", "not json", NULL);
        expect_error(&r, 422, 42201, "Invalid schema");
        r = post_schema("/subjects/x/versions", "syntax = 'proto3';",
                        "{\"schemaType\": \"PROTOBUF\"}");
        expect_error(&r, 422, 42201, "PROTOBUF");
        r = http("POST", "/subjects/x/versions", "{\"schema\": ");
        expect_error(&r, 400, 400, "Invalid JSON");
        r = http("POST", "/subjects/x/versions", "{\"nothing\": 1}");
        expect_error(&r, 422, 42201, "\"schema\"");
        reg("x", "'string'", NULL);
        expect_get_error("/subjects/x/versions/0", 422, 42202);
        expect_get_error("/subjects/x/versions/abc", 422, 42202);
        expect_get_error("/subjects/x/versions/2147483648", 422, 42202);
        expect_get_error("/subjects/x/versions/2", 404, 40402);
        expect_get_error("/subjects/y/versions/1", 404, 40401);
        expect_get_error("/subjects/y/versions", 404, 40401);
        expect_get_error("/schemas/ids/999", 404, 40403);
        expect_get_error("/schemas/ids/one", 404, 40403);
        expect_get_error("/schemas/ids/999/versions", 404, 40403);
        expect_get_error("/nowhere", 404, 404);
        r = http("PUT", "/subjects", "{}");
        expect_error(&r, 405, 405, NULL);
        r = http("PUT", "/config", "{\"compatibility\": \"SIDEWAYS\"}");
        expect_error(&r, 422, 42203, "Invalid compatibility level");
        r = http("PUT", "/config/x", "{}");
        expect_error(&r, 422, 42203, NULL);
}
END_TEST

START_TEST(test_incompatible_schema_is_409_with_reasons)
{
        resp_t r;

        reg("users", USER, NULL);
        r = post_schema("/subjects/users/versions", USER_BAD, NULL);
        expect_error(&r, 409, 409, "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1 "
                                   "(field 'email')");
        expect_get("/subjects/users/versions", "[1]");

        r = post_schema("/compatibility/subjects/users/versions/latest?verbose=true",
                        USER_BAD, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert(json_is_false(json_object_get(r.json, "is_compatible")));
        ck_assert_uint_eq(json_array_size(json_object_get(r.json, "messages")), 1);
        ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(
                                             json_object_get(r.json, "messages"), 0)),
                                     "(new schema reading version 1)"));
        resp_free(&r);
        r = post_schema("/compatibility/subjects/users/versions/1", USER_BAD, NULL);
        expect_json(&r, "{'is_compatible':false}");
        r = post_schema("/compatibility/subjects/users/versions/latest?verbose=true",
                        USER2, NULL);
        expect_json(&r, "{'is_compatible':true,'messages':[]}");
        r = post_schema("/compatibility/subjects/users/versions", USER2, NULL);
        expect_json(&r, "{'is_compatible':true}");
        r = post_schema("/compatibility/subjects/users/versions/7", USER2, NULL);
        expect_error(&r, 404, 40402, NULL);
        r = post_schema("/compatibility/subjects/nobody/versions/latest", USER2, NULL);
        expect_error(&r, 404, 40401, NULL);
        r = post_schema("/compatibility/subjects/nobody/versions", USER2, NULL);
        expect_json(&r, "{'is_compatible':true}");

        /* With the subject at NONE anything goes. */
        r = http("PUT", "/config/users", "{\"compatibility\": \"NONE\"}");
        expect_json(&r, "{'compatibility':'NONE'}");
        ck_assert_int_eq(reg("users", USER_BAD, NULL), 2);
        expect_get("/subjects/users/versions", "[1,2]");
}
END_TEST

START_TEST(test_config_global_and_per_subject)
{
        resp_t r;

        expect_get("/config", "{'compatibilityLevel':'BACKWARD'}");
        r = http("PUT", "/config", "{\"compatibility\": \"FORWARD\"}");
        expect_json(&r, "{'compatibility':'FORWARD'}");
        expect_get("/config", "{'compatibilityLevel':'FORWARD'}");
        expect_get_error("/config/users", 404, 40408);
        expect_get("/config/users?defaultToGlobal=true", "{'compatibilityLevel':'FORWARD'}");

        /* FORWARD: the latest must read the new one; dropping a field
         * without default breaks it, adding one without default does not */
        reg("users", USER_BAD, NULL);
        r = post_schema("/subjects/users/versions", USER, NULL);
        expect_error(&r, 409, 409, "(version 1 reading new schema)");

        r = http("PUT", "/config/users", "{\"compatibility\": \"FULL_TRANSITIVE\"}");
        expect_json(&r, "{'compatibility':'FULL_TRANSITIVE'}");
        expect_get("/config/users", "{'compatibilityLevel':'FULL_TRANSITIVE'}");
        expect_get("/config", "{'compatibilityLevel':'FORWARD'}");
        r = http("DELETE", "/config/users", NULL);
        expect_json(&r, "{'compatibilityLevel':'FULL_TRANSITIVE'}");
        expect_get_error("/config/users", 404, 40408);
        r = http("DELETE", "/config/users", NULL);
        expect_error(&r, 404, 40408, NULL);
        r = http("PUT", "/config", "{\"compatibility\": \"NONE\"}");
        resp_free(&r);
        reg("users", USER, NULL);
}
END_TEST

START_TEST(test_soft_then_permanent_delete)
{
        resp_t r;

        r = http("PUT", "/config", "{\"compatibility\": \"NONE\"}");
        resp_free(&r);
        ck_assert_int_eq(reg("s", USER, NULL), 1);
        ck_assert_int_eq(reg("s", "'string'", NULL), 2);

        r = http("DELETE", "/subjects/s/versions/1?permanent=true", NULL);
        expect_error(&r, 404, 40407, "was not deleted first");
        r = http("DELETE", "/subjects/s/versions/1", NULL);
        expect_json(&r, "1");
        r = http("DELETE", "/subjects/s/versions/1", NULL);
        expect_error(&r, 404, 40406, "soft deleted");
        expect_get_error("/subjects/s/versions/1", 404, 40402);
        r = http("GET", "/subjects/s/versions/1?deleted=true", NULL);
        ck_assert_int_eq(r.status, 200);
        resp_free(&r);
        expect_get("/subjects/s/versions", "[2]");
        expect_get("/subjects/s/versions?deleted=true", "[1,2]");
        expect_get("/schemas/ids/1/versions", "[]");
        expect_get("/schemas/ids/1/versions?deleted=true", "[{'subject':'s','version':1}]");
        r = http("DELETE", "/subjects/s/versions/1?permanent=true", NULL);
        expect_json(&r, "1");
        expect_get("/subjects/s/versions?deleted=true", "[2]");
        expect_get_error("/schemas/ids/1", 404, 40403);

        r = http("DELETE", "/subjects/s?permanent=true", NULL);
        expect_error(&r, 404, 40405, "was not deleted first");
        r = http("DELETE", "/subjects/s", NULL);
        expect_json(&r, "[2]");
        r = http("DELETE", "/subjects/s", NULL);
        expect_error(&r, 404, 40404, "soft deleted");
        expect_get("/subjects", "[]");
        expect_get("/subjects?deleted=true", "['s']");
        expect_get_error("/subjects/s/versions", 404, 40401);
        /* soft-deleted schemas still answer by id */
        r = http("GET", "/schemas/ids/2", NULL);
        ck_assert_int_eq(r.status, 200);
        resp_free(&r);
        r = http("DELETE", "/subjects/s?permanent=true", NULL);
        expect_json(&r, "[2]");
        expect_get("/subjects?deleted=true", "[]");
        r = http("DELETE", "/subjects/s", NULL);
        expect_error(&r, 404, 40401, NULL);
        r = http("DELETE", "/subjects/s/versions/x", NULL);
        expect_error(&r, 422, 42202, NULL);

        /* the same schema again keeps its id; the subject starts over */
        ck_assert_int_eq(reg("s", "'string'", NULL), 2);
        expect_get("/subjects/s/versions", "[1]");
}
END_TEST

#define ADDR "{'type':'record','name':'Address','namespace':'shop','fields':[" \
             "{'name':'city','type':'string'}]}"
#define ORDER "{'type':'record','name':'Order','namespace':'shop','fields':[" \
              "{'name':'to','type':'Address'}]}"
#define ORDER_REFS "{\"references\":[{\"name\":\"shop.Address\",\"subject\":\"addr\"," \
                   "\"version\":1}]}"

START_TEST(test_references)
{
        resp_t r;
        int a, o;
        json_t *refs;

        a = reg("addr", ADDR, NULL);
        r = post_schema("/subjects/orders/versions", ORDER, NULL);
        expect_error(&r, 422, 42201, "Address");
        r = post_schema("/subjects/orders/versions", ORDER,
                        "{\"references\":[{\"name\":\"A\",\"subject\":\"addr\","
                        "\"version\":9}]}");
        expect_error(&r, 422, 42201, "no version 9");
        o = reg("orders", ORDER, ORDER_REFS);
        ck_assert_int_ne(a, o);
        ck_assert_int_eq(reg("orders", ORDER, ORDER_REFS), o);

        r = http("GET", "/subjects/orders/versions/1", NULL);
        refs = json_object_get(r.json, "references");
        ck_assert_uint_eq(json_array_size(refs), 1);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(refs, 0),
                                                           "subject")),
                         "addr");
        resp_free(&r);
        r = http("GET", "/schemas/ids/2", NULL);
        ck_assert_uint_eq(json_array_size(json_object_get(r.json, "references")), 1);
        resp_free(&r);
        /* A referenced schema cannot be deleted. */
        r = http("DELETE", "/subjects/addr/versions/1", NULL);
        expect_error(&r, 422, 42206, "addr");
        r = http("DELETE", "/subjects/addr", NULL);
        expect_error(&r, 422, 42206, NULL);
        /* Compatibility works across references: the writer's referenced
         * record gains a field the new reader needs without default. */
        r = post_schema("/compatibility/subjects/orders/versions/latest",
                        "{'type':'record','name':'Order','namespace':'shop','fields':["
                        "{'name':'to','type':{'type':'record','name':'Address','fields':["
                        "{'name':'city','type':'string'},{'name':'zip','type':'string'}]}}]}",
                        NULL);
        expect_json(&r, "{'is_compatible':false}");
}
END_TEST

/* Registers 10 distinct schemas in subject "par" from one thread. */
static void *register_many(void *arg)
{
        long t = (long)arg;
        char schema[128];
        int i;

        for (i = 0; i < 10; i++) {
                snprintf(schema, sizeof(schema), "{'type':'fixed','name':'F','size':%ld}",
                         t * 100 + i);
                reg("par", schema, NULL);
        }
        return NULL;
}

START_TEST(test_concurrent_registrations_get_distinct_ids_and_versions)
{
        pthread_t th[4];
        json_t *versions;
        resp_t r;
        long t;
        size_t i;

        r = http("PUT", "/config/par", "{\"compatibility\": \"NONE\"}");
        resp_free(&r);
        for (t = 0; t < 4; t++)
                ck_assert_int_eq(pthread_create(&th[t], NULL, register_many, (void *)t), 0);
        for (t = 0; t < 4; t++)
                pthread_join(th[t], NULL);
        r = http("GET", "/subjects/par/versions", NULL);
        versions = r.json;
        ck_assert_uint_eq(json_array_size(versions), 40);
        for (i = 0; i < 40; i++)
                ck_assert_int_eq(json_integer_value(json_array_get(versions, i)), (int)i + 1);
        resp_free(&r);
        expect_get_error("/schemas/ids/41", 404, 40403);
        r = http("GET", "/schemas/ids/40", NULL);
        ck_assert_int_eq(r.status, 200);
        resp_free(&r);
}
END_TEST

/* -------------------------------------------------------------- durability */

static void setup_dir(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/kafkit-regsrv-%ld-XXXXXX", (long)getpid());
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        srv = NULL;
}

static void teardown_dir(void)
{
        char cmd[400];

        kafkit_registry_server_destroy(srv);
        srv = NULL;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        ck_assert_int_eq(system(cmd), 0);
}

static char *log_path(void)
{
        static char p[300];

        snprintf(p, sizeof(p), "%s/registry.log", tmpdir);
        return p;
}

static long file_size(const char *path)
{
        FILE *f = fopen(path, "rb");
        long n;

        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fclose(f);
        return n;
}

static void append(const char *path, const char *text)
{
        FILE *f = fopen(path, "ab");

        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

START_TEST(test_restart_keeps_ids_versions_and_config)
{
        resp_t r;

        srv = start(tmpdir);
        ck_assert_int_eq(reg("a", USER, NULL), 1);
        ck_assert_int_eq(reg("a", USER2, NULL), 2);
        ck_assert_int_eq(reg("b", "'string'", NULL), 3);
        ck_assert_int_eq(reg("c", ADDR, NULL), 4);
        ck_assert_int_eq(reg("d", ORDER, "{\"references\":[{\"name\":\"shop.Address\","
                                         "\"subject\":\"c\",\"version\":1}]}"), 5);
        r = http("PUT", "/config/a", "{\"compatibility\": \"FULL\"}");
        resp_free(&r);
        r = http("DELETE", "/subjects/b", NULL);
        resp_free(&r);
        r = http("DELETE", "/subjects/b?permanent=true", NULL);
        resp_free(&r);
        kafkit_registry_server_destroy(srv);

        srv = start(tmpdir);
        expect_get("/subjects", "['a','c','d']");
        expect_get("/subjects/a/versions", "[1,2]");
        r = http("GET", "/subjects/a/versions/2", NULL);
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), 2);
        resp_free(&r);
        r = http("GET", "/subjects/d/versions/1", NULL);
        ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), 5);
        ck_assert_uint_eq(json_array_size(json_object_get(r.json, "references")), 1);
        resp_free(&r);
        expect_get("/config/a", "{'compatibilityLevel':'FULL'}");
        /* Id 3 was permanently deleted; a new schema still gets a new id. */
        ck_assert_int_eq(reg("e", "'bytes'", NULL), 6);
        ck_assert_int_eq(reg("a", USER, NULL), 1);
        kafkit_registry_server_destroy(srv);

        srv = start(tmpdir);
        ck_assert_int_eq(reg("f", "'double'", NULL), 7);
}
END_TEST

START_TEST(test_torn_last_line_is_dropped_with_warning)
{
        long before;

        srv = start(tmpdir);
        reg("a", USER, NULL);
        kafkit_registry_server_destroy(srv);
        srv = NULL;
        before = file_size(log_path());
        append(log_path(), "{\"op\":\"register\",\"subject\":\"z\",\"vers");
        last_warning[0] = '\0';

        srv = start(tmpdir);
        ck_assert_msg(strstr(last_warning, "torn last line"), "warning: %s", last_warning);
        ck_assert_msg(strstr(last_warning, "registry.log:2"), "warning: %s", last_warning);
        ck_assert_int_eq(file_size(log_path()), before);
        expect_get("/subjects", "['a']");
        ck_assert_int_eq(reg("b", "'int'", NULL), 2);
        kafkit_registry_server_destroy(srv);
        srv = start(tmpdir);
        expect_get("/subjects", "['a','b']");
}
END_TEST

START_TEST(test_corrupt_line_stops_the_start)
{
        kafkit_error_t err;

        srv = start(tmpdir);
        reg("a", USER, NULL);
        kafkit_registry_server_destroy(srv);
        srv = NULL;
        append(log_path(), "this is not json\n{\"op\":\"config\",\"level\":\"NONE\"}\n");
        ck_assert_ptr_null(kafkit_registry_server_new(NULL, "127.0.0.1:0", tmpdir, &err));
        ck_assert_int_eq(err.code, KAFKIT_ERR_PARSE);
        ck_assert_msg(strstr(err.message, "registry.log:2:"), "error: %s", err.message);
}
END_TEST

START_TEST(test_data_dir_used_once_and_listen_errors)
{
        kafkit_error_t err;
        char addr[128];

        srv = start(tmpdir);
        ck_assert_ptr_null(kafkit_registry_server_new(NULL, "127.0.0.1:0", tmpdir, &err));
        ck_assert_int_eq(err.code, KAFKIT_ERR_IO);
        ck_assert_ptr_nonnull(strstr(err.message, "in use"));

        snprintf(addr, sizeof(addr), "%s", kafkit_registry_server_address(srv));
        ck_assert_ptr_null(kafkit_registry_server_new(NULL, addr, NULL, &err));
        ck_assert_int_eq(err.code, KAFKIT_ERR_IO);
        ck_assert_msg(strstr(err.message, "cannot listen on") && strstr(err.message, addr),
                      "error: %s", err.message);
        ck_assert_ptr_null(kafkit_registry_server_new(NULL, "127.0.0.1", NULL, &err));
        ck_assert_int_eq(err.code, KAFKIT_ERR_INVALID_ARG);
        ck_assert_ptr_null(kafkit_registry_server_new(NULL, "127.0.0.1:65536", NULL, &err));
        ck_assert_int_eq(err.code, KAFKIT_ERR_INVALID_ARG);
        ck_assert_ptr_nonnull(strstr(kafkit_registry_server_url(srv), "http://127.0.0.1:"));
}
END_TEST

static Suite *registry_suite(void)
{
        Suite *s = suite_create("registry_server");
        TCase *mem = tcase_create("memory");
        TCase *dur = tcase_create("durable");

        tcase_add_checked_fixture(mem, setup_memory, teardown);
        tcase_add_test(mem, test_register_and_read_back_every_way);
        tcase_add_test(mem, test_ids_are_global_and_registration_idempotent);
        tcase_add_test(mem, test_normalize_matches_canonical_form);
        tcase_add_test(mem, test_lookup_schema_under_subject);
        tcase_add_test(mem, test_errors_have_confluent_codes);
        tcase_add_test(mem, test_incompatible_schema_is_409_with_reasons);
        tcase_add_test(mem, test_config_global_and_per_subject);
        tcase_add_test(mem, test_soft_then_permanent_delete);
        tcase_add_test(mem, test_references);
        tcase_add_test(mem, test_concurrent_registrations_get_distinct_ids_and_versions);
        suite_add_tcase(s, mem);

        tcase_add_checked_fixture(dur, setup_dir, teardown_dir);
        tcase_add_test(dur, test_restart_keeps_ids_versions_and_config);
        tcase_add_test(dur, test_torn_last_line_is_dropped_with_warning);
        tcase_add_test(dur, test_corrupt_line_stops_the_start);
        tcase_add_test(dur, test_data_dir_used_once_and_listen_errors);
        suite_add_tcase(s, dur);
        return s;
}

int main(void)
{
        int rc;

        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = tu_run(registry_suite());
        curl_global_cleanup();
        return rc;
}
