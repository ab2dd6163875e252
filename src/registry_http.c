/*
 * registry_http.c: the Schema Registry client's transport: libcurl easy
 * handles kept in a small pool (so connections are reused), credentials,
 * TLS, extra headers, timeouts, retries with backoff, and sticky failover
 * between the URLs of schema.registry.url.
 *
 * Thread-safety: the transport's settings are read-only after
 * kafkit_rhttp_new(). One mutex guards the idle-handle pool, the index of
 * the URL to try first and the jitter generator; it is held only to take or
 * give back a handle, never during a request. A handle is used by one
 * thread at a time. Credentials are given to curl apart from the URL, so
 * URLs in errors and logs never carry them.
 */
#include "registry_internal.h"

#include <curl/curl.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Idle handles kept for reuse; more threads than this still work. */
#define KAFKIT_RHTTP_POOL_MAX 8
/* A registry answer larger than this is refused. */
#define KAFKIT_RHTTP_BODY_MAX (64u * 1024 * 1024)
/* This much of a non-JSON error body is quoted. */
#define KAFKIT_RHTTP_QUOTE_MAX 200

#define KAFKIT_RHTTP_CTYPE "application/vnd.schemaregistry.v1+json"

typedef struct kafkit_rurl_s {
        char *base;     /* "http://host:port[/path]", no credentials, no '/' at end */
        char *user;     /* from the URL's user info, or NULL */
        char *pass;
} kafkit_rurl_t;

struct kafkit_rhttp_s {
        const kafkit_logger_t *lg;
        kafkit_rurl_t *urls;
        size_t url_cnt;

        char *user, *pass;              /* USER_INFO credentials, or NULL */
        int use_url_creds;
        struct curl_slist *headers;     /* shared read-only by every request */

        char *ca, *cert, *key, *key_pass;
        int verify_host;
        long connect_timeout_ms, request_timeout_ms;
        int max_retries;
        long backoff_ms, backoff_max_ms;

        pthread_mutex_t lock;
        CURL *idle[KAFKIT_RHTTP_POOL_MAX];
        size_t idle_cnt;
        size_t current;                 /* URL tried first (sticky failover) */
        uint64_t rng;
        int curl_inited;
};

/* The outcome of one HTTP exchange. */
typedef struct kafkit_rattempt_s {
        CURLcode cc;
        long status;
        char errbuf[CURL_ERROR_SIZE];
        char url[KAFKIT_ERRSTR_SIZE];
        kafkit_buf_t body;
        int too_large;
} kafkit_rattempt_t;

/* ----------------------------------------------------------------- errors */

kafkit_err_t kafkit_rerr_set(kafkit_registry_error_t *err,
                             kafkit_err_t code,
                             int http_status,
                             int error_code,
                             const char *url,
                             const char *reason,
                             const char *fmt,
                             ...)
{
        va_list ap;

        if (!err)
                return code;
        err->error.code = code;
        err->error.kafka_code = 0;
        va_start(ap, fmt);
        vsnprintf(err->error.message, sizeof(err->error.message), fmt, ap);
        va_end(ap);
        err->http_status = http_status;
        err->error_code = error_code;
        snprintf(err->reason, sizeof(err->reason), "%s", reason ? reason : "");
        snprintf(err->url, sizeof(err->url), "%s", url ? url : "");
        return code;
}

void kafkit_registry_error_clear(kafkit_registry_error_t *err)
{
        if (!err)
                return;
        memset(err, 0, sizeof(*err));
}

/* ------------------------------------------------------------------ setup */

static int kafkit_hexval(int c)
{
        return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* s[0..n) with %XX decoded, as a new string; NULL when out of memory. */
static char *kafkit_pct_decode(const char *s, size_t n)
{
        char *out = malloc(n + 1), *o = out;
        size_t i;

        if (!out)
                return NULL;
        for (i = 0; i < n; i++) {
                if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
                    isxdigit((unsigned char)s[i + 2])) {
                        *o++ = (char)(kafkit_hexval((unsigned char)s[i + 1]) * 16 +
                                      kafkit_hexval((unsigned char)s[i + 2]));
                        i += 2;
                } else {
                        *o++ = s[i];
                }
        }
        *o = '\0';
        return out;
}

/* Splits "user:pass" (n bytes, still %-encoded when `decode`). */
static int kafkit_split_userinfo(const char *s, size_t n, int decode, char **user, char **pass)
{
        const char *colon = memchr(s, ':', n);
        size_t ulen = colon ? (size_t)(colon - s) : n;
        const char *p = colon ? colon + 1 : s + n;
        size_t plen = (size_t)(s + n - p);

        *user = decode ? kafkit_pct_decode(s, ulen) : strndup(s, ulen);
        *pass = decode ? kafkit_pct_decode(p, plen) : strndup(p, plen);
        return *user && *pass ? 0 : -1;
}

/*
 * One URL of schema.registry.url (s[0..n), trimmed) into u: the user info,
 * if any, moved out of the URL. -1 when out of memory.
 */
static int kafkit_rurl_parse(kafkit_rurl_t *u, const char *s, size_t n)
{
        const char *scheme_end, *auth, *auth_end, *at = NULL, *q;
        size_t head, tail;

        while (n > 0 && isspace((unsigned char)*s)) {
                s++;
                n--;
        }
        while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '/'))
                n--;
        scheme_end = strstr(s, "://");
        auth = scheme_end && scheme_end < s + n ? scheme_end + 3 : s;
        for (auth_end = auth; auth_end < s + n && !strchr("/?#", *auth_end); auth_end++)
                ;
        for (q = auth; q < auth_end; q++)
                if (*q == '@')
                        at = q;
        if (at && kafkit_split_userinfo(auth, (size_t)(at - auth), 1, &u->user, &u->pass))
                return -1;
        head = (size_t)(auth - s);
        tail = (size_t)(s + n - (at ? at + 1 : auth));
        u->base = malloc(head + tail + 1);
        if (!u->base)
                return -1;
        memcpy(u->base, s, head);
        memcpy(u->base + head, at ? at + 1 : auth, tail);
        u->base[head + tail] = '\0';
        return 0;
}

static kafkit_err_t kafkit_rhttp_urls(kafkit_rhttp_t *h, const char *list,
                                      kafkit_registry_error_t *err)
{
        const char *p = list;
        size_t cap = 1;

        for (; *p; p++)
                cap += *p == ',';
        h->urls = calloc(cap, sizeof(*h->urls));
        if (!h->urls)
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        p = list;
        do {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);

                if (kafkit_rurl_parse(&h->urls[h->url_cnt++], p, n) == -1)
                        return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
                p = end ? end + 1 : NULL;
        } while (p);
        return KAFKIT_OK;
}

/* Appends "Name: value" to the header list; -1 when out of memory. */
static int kafkit_rhttp_header(kafkit_rhttp_t *h, const char *name, const char *value)
{
        size_t n = strlen(name) + strlen(value) + 3;
        char *line = malloc(n);
        struct curl_slist *l;

        if (!line)
                return -1;
        snprintf(line, n, "%s:%s%s", name, *value ? " " : "", value);
        l = curl_slist_append(h->headers, line);
        free(line);
        if (!l)
                return -1;
        h->headers = l;
        return 0;
}

/* Accept, Content-Type, no "Expect: 100-continue", bearer token,
 * request.header.* in the order set. */
static kafkit_err_t kafkit_rhttp_headers(kafkit_rhttp_t *h, const kafkit_conf_t *conf,
                                         kafkit_registry_error_t *err)
{
        static const char prefix[] = "request.header.";
        const char *token = kafkit_conf_get(conf, "bearer.auth.token");
        const char *name, *value;
        int fail = 0;
        size_t i;

        fail |= kafkit_rhttp_header(h, "Accept", KAFKIT_RHTTP_CTYPE
                                    ", application/vnd.schemaregistry+json; qs=0.9"
                                    ", application/json; qs=0.5");
        fail |= kafkit_rhttp_header(h, "Content-Type", KAFKIT_RHTTP_CTYPE);
        fail |= kafkit_rhttp_header(h, "Expect", "");
        if (token) {
                char *v = malloc(strlen(token) + 8);

                if (v) {
                        sprintf(v, "Bearer %s", token);
                        fail |= kafkit_rhttp_header(h, "Authorization", v);
                }
                fail |= !v;
                free(v);
        }
        for (i = 0; kafkit_conf_entry(conf, i, &name, &value); i++)
                if (!strncmp(name, prefix, sizeof(prefix) - 1))
                        fail |= kafkit_rhttp_header(h, name + sizeof(prefix) - 1, value);
        return fail ? kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory") : KAFKIT_OK;
}

/* basic.auth.credentials.source: URL (each URL's own user info) or
 * USER_INFO; unset means USER_INFO when basic.auth.user.info is set. */
static kafkit_err_t kafkit_rhttp_auth(kafkit_rhttp_t *h, const kafkit_conf_t *conf,
                                      kafkit_registry_error_t *err)
{
        const char *src = kafkit_conf_get(conf, "basic.auth.credentials.source");
        const char *info = kafkit_conf_get(conf, "basic.auth.user.info");

        if (!info)
                info = kafkit_conf_get(conf, "schema.registry.basic.auth.user.info");
        if (!src)
                src = info ? "USER_INFO" : "URL";
        if (!strcmp(src, "URL")) {
                h->use_url_creds = 1;
        } else if (!info) {
                return kafkit_rerr_local(err, KAFKIT_ERR_CONF,
                                         "basic.auth.credentials.source=USER_INFO needs "
                                         "basic.auth.user.info");
        } else if (kafkit_split_userinfo(info, strlen(info), 0, &h->user, &h->pass)) {
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        }
        if (kafkit_conf_get(conf, "bearer.auth.token") &&
            (h->user || (h->use_url_creds && h->urls[0].user)))
                return kafkit_rerr_local(err, KAFKIT_ERR_CONF,
                                         "both basic and bearer authentication are "
                                         "configured for the schema registry");
        return KAFKIT_OK;
}

/* A copy of the file property `name` after checking it is readable. */
static kafkit_err_t kafkit_rhttp_file(const kafkit_conf_t *conf, const char *name, char **out,
                                      kafkit_registry_error_t *err)
{
        const char *v = kafkit_conf_get(conf, name);

        if (!v || !*v)
                return KAFKIT_OK;
        if (access(v, R_OK) != 0)
                return kafkit_rerr_local(err, KAFKIT_ERR_CONF, "%s: cannot read '%s'", name, v);
        *out = strdup(v);
        return *out ? KAFKIT_OK : kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
}

static kafkit_err_t kafkit_rhttp_tls(kafkit_rhttp_t *h, const kafkit_conf_t *conf,
                                     kafkit_registry_error_t *err)
{
        const char *alg =
                kafkit_conf_get(conf, "schema.registry.ssl.endpoint.identification.algorithm");
        const char *pw = kafkit_conf_get(conf, "schema.registry.ssl.key.password");
        kafkit_err_t code;

        if ((code = kafkit_rhttp_file(conf, "schema.registry.ssl.ca.location", &h->ca, err)) ||
            (code = kafkit_rhttp_file(conf, "schema.registry.ssl.certificate.location", &h->cert,
                                      err)) ||
            (code = kafkit_rhttp_file(conf, "schema.registry.ssl.key.location", &h->key, err)))
                return code;
        if (pw && !(h->key_pass = strdup(pw)))
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        h->verify_host = !alg || !strcasecmp(alg, "https");
        if (!h->verify_host)
                kafkit_log(h->lg, KAFKIT_LOG_WARNING, KAFKIT_REGISTRY_FAC,
                           "schema registry TLS host name verification is OFF "
                           "(schema.registry.ssl.endpoint.identification.algorithm=%s)",
                           alg);
        return KAFKIT_OK;
}

static void kafkit_rhttp_settings(kafkit_rhttp_t *h, const kafkit_conf_t *conf)
{
        h->connect_timeout_ms =
                (long)kafkit_conf_get_int(conf, "schema.registry.connect.timeout.ms", 10000);
        h->request_timeout_ms =
                (long)kafkit_conf_get_int(conf, "schema.registry.request.timeout.ms", 30000);
        h->max_retries = (int)kafkit_conf_get_int(conf, "schema.registry.max.retries", 3);
        h->backoff_ms = (long)kafkit_conf_get_int(conf, "schema.registry.retries.wait.ms", 1000);
        h->backoff_max_ms =
                (long)kafkit_conf_get_int(conf, "schema.registry.retries.max.wait.ms", 20000);
        h->rng = (uint64_t)kafkit_now_ms() ^ (uint64_t)(uintptr_t)h ^ 0x9e3779b97f4a7c15ULL;
}

kafkit_rhttp_t *kafkit_rhttp_new(const kafkit_conf_t *conf,
                                 const kafkit_logger_t *lg,
                                 kafkit_registry_error_t *err)
{
        const char *urls = kafkit_conf_get(conf, "schema.registry.url");
        kafkit_rhttp_t *h;

        if (!urls || !*urls) {
                kafkit_rerr_local(err, KAFKIT_ERR_CONF, "schema.registry.url is not set");
                return NULL;
        }
        h = calloc(1, sizeof(*h));
        if (!h || pthread_mutex_init(&h->lock, NULL) != 0) {
                free(h);
                kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
                return NULL;
        }
        h->lg = lg;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                kafkit_rerr_local(err, KAFKIT_ERR_IO, "libcurl initialisation failed");
                goto fail;
        }
        h->curl_inited = 1;
        kafkit_rhttp_settings(h, conf);
        if (kafkit_rhttp_urls(h, urls, err) || kafkit_rhttp_auth(h, conf, err) ||
            kafkit_rhttp_headers(h, conf, err) || kafkit_rhttp_tls(h, conf, err))
                goto fail;
        return h;
fail:
        kafkit_rhttp_destroy(h);
        return NULL;
}

void kafkit_rhttp_destroy(kafkit_rhttp_t *h)
{
        size_t i;

        if (!h)
                return;
        for (i = 0; i < h->idle_cnt; i++)
                curl_easy_cleanup(h->idle[i]);
        for (i = 0; i < h->url_cnt; i++) {
                free(h->urls[i].base);
                free(h->urls[i].user);
                free(h->urls[i].pass);
        }
        free(h->urls);
        free(h->user);
        free(h->pass);
        curl_slist_free_all(h->headers);
        free(h->ca);
        free(h->cert);
        free(h->key);
        free(h->key_pass);
        pthread_mutex_destroy(&h->lock);
        if (h->curl_inited)
                curl_global_cleanup();
        free(h);
}

/* ------------------------------------------------------------------ pool */

static CURL *kafkit_rhttp_take(kafkit_rhttp_t *h)
{
        CURL *c = NULL;

        pthread_mutex_lock(&h->lock);
        if (h->idle_cnt > 0)
                c = h->idle[--h->idle_cnt];
        pthread_mutex_unlock(&h->lock);
        return c ? c : curl_easy_init();
}

static void kafkit_rhttp_give(kafkit_rhttp_t *h, CURL *c)
{
        pthread_mutex_lock(&h->lock);
        if (h->idle_cnt < KAFKIT_RHTTP_POOL_MAX) {
                h->idle[h->idle_cnt++] = c;
                c = NULL;
        }
        pthread_mutex_unlock(&h->lock);
        if (c)
                curl_easy_cleanup(c);
}

static size_t kafkit_rhttp_current(kafkit_rhttp_t *h)
{
        size_t i;

        pthread_mutex_lock(&h->lock);
        i = h->current;
        pthread_mutex_unlock(&h->lock);
        return i;
}

/* URL `failed` failed: start at the next one from now on, unless another
 * thread moved on already. */
static void kafkit_rhttp_fail_over(kafkit_rhttp_t *h, size_t failed)
{
        pthread_mutex_lock(&h->lock);
        if (h->current == failed)
                h->current = (failed + 1) % h->url_cnt;
        pthread_mutex_unlock(&h->lock);
}

/* Full jitter: uniform in [0, min(cap, base * 2^n)]. */
static long kafkit_rhttp_backoff(kafkit_rhttp_t *h, int n)
{
        long ceil = h->backoff_ms;
        uint64_t x;

        while (n-- > 0 && ceil < h->backoff_max_ms)
                ceil *= 2;
        if (ceil > h->backoff_max_ms)
                ceil = h->backoff_max_ms;
        if (ceil <= 0)
                return 0;
        pthread_mutex_lock(&h->lock);
        x = h->rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        h->rng = x;
        pthread_mutex_unlock(&h->lock);
        return (long)(x % ((uint64_t)ceil + 1));
}

static void kafkit_sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) == -1)
                ;
}

/* ------------------------------------------------------------- exchange */

static size_t kafkit_rhttp_write(char *ptr, size_t size, size_t nmemb, void *opaque)
{
        kafkit_rattempt_t *a = opaque;
        size_t n = size * nmemb;

        if (a->body.len + n > KAFKIT_RHTTP_BODY_MAX) {
                a->too_large = 1;
                return 0;
        }
        return kafkit_buf_append(&a->body, ptr, n) == KAFKIT_OK ? n : 0;
}

static void kafkit_rhttp_setopts(kafkit_rhttp_t *h, CURL *c, const kafkit_rurl_t *u,
                                 const char *method, const char *payload,
                                 kafkit_rattempt_t *a)
{
        curl_easy_setopt(c, CURLOPT_URL, a->url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->request_timeout_ms);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "kafkit/" PACKAGE_VERSION);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->errbuf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, kafkit_rhttp_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
        if (payload) {
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(payload));
        }
        if (strcmp(method, payload ? "POST" : "GET"))
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (h->use_url_creds ? u->user != NULL : h->user != NULL) {
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
                curl_easy_setopt(c, CURLOPT_USERNAME, h->use_url_creds ? u->user : h->user);
                curl_easy_setopt(c, CURLOPT_PASSWORD, h->use_url_creds ? u->pass : h->pass);
        }
        if (h->ca)
                curl_easy_setopt(c, CURLOPT_CAINFO, h->ca);
        if (h->cert)
                curl_easy_setopt(c, CURLOPT_SSLCERT, h->cert);
        if (h->key)
                curl_easy_setopt(c, CURLOPT_SSLKEY, h->key);
        if (h->key_pass)
                curl_easy_setopt(c, CURLOPT_KEYPASSWD, h->key_pass);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->verify_host ? 2L : 0L);
}

/* One exchange with URL u; the outcome in *a. */
static void kafkit_rhttp_perform(kafkit_rhttp_t *h, const kafkit_rurl_t *u, const char *method,
                                 const char *path, const char *payload, kafkit_rattempt_t *a)
{
        CURL *c = kafkit_rhttp_take(h);

        kafkit_buf_reset(&a->body);
        a->too_large = 0;
        a->status = 0;
        a->errbuf[0] = '\0';
        snprintf(a->url, sizeof(a->url), "%s%s", u->base, path);
        if (!c) {
                a->cc = CURLE_OUT_OF_MEMORY;
                return;
        }
        curl_easy_reset(c);
        kafkit_rhttp_setopts(h, c, u, method, payload, a);
        a->cc = curl_easy_perform(c);
        if (a->cc == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
        kafkit_rhttp_give(h, c);
}

/* Transport failures that no retry or other URL can fix. */
static int kafkit_cc_final(CURLcode cc)
{
        switch (cc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_OUT_OF_MEMORY:
        case CURLE_WRITE_ERROR:
                return 1;
        default:
                return 0;
        }
}

/* 1 if the attempt failed in a way worth another try. */
static int kafkit_rattempt_retryable(const kafkit_rattempt_t *a)
{
        if (a->cc != CURLE_OK)
                return !kafkit_cc_final(a->cc);
        return a->status == 408 || a->status == 429 || (a->status >= 500 && a->status < 600);
}

/*
 * One attempt: the current URL, and on a transport failure the others in
 * turn, moving the current URL on (sticky failover).
 */
static void kafkit_rhttp_attempt(kafkit_rhttp_t *h, const char *method, const char *path,
                                 const char *payload, kafkit_rattempt_t *a)
{
        size_t start = kafkit_rhttp_current(h), k;

        for (k = 0; k < h->url_cnt; k++) {
                size_t u = (start + k) % h->url_cnt;

                kafkit_rhttp_perform(h, &h->urls[u], method, path, payload, a);
                if (a->cc == CURLE_OK || kafkit_cc_final(a->cc))
                        return;
                if (h->url_cnt > 1) {
                        kafkit_log(h->lg, KAFKIT_LOG_WARNING, KAFKIT_REGISTRY_FAC,
                                   "schema registry %s failed (%s); failing over",
                                   h->urls[u].base,
                                   a->errbuf[0] ? a->errbuf : curl_easy_strerror(a->cc));
                        kafkit_rhttp_fail_over(h, u);
                }
        }
}

/* ---------------------------------------------------------------- results */

static kafkit_err_t kafkit_status_code(long status)
{
        if (status == 404)
                return KAFKIT_ERR_NOT_FOUND;
        if (status == 408)
                return KAFKIT_ERR_TIMEOUT;
        if (status == 401 || status == 403)
                return KAFKIT_ERR_CONF;
        if (status >= 400 && status < 500)
                return KAFKIT_ERR_INVALID_ARG;
        return KAFKIT_ERR_IO;
}

/* The error of a transport failure. */
static kafkit_err_t kafkit_rhttp_cc_error(const kafkit_rattempt_t *a, int tries,
                                          kafkit_registry_error_t *err)
{
        const char *text = a->errbuf[0] ? a->errbuf : curl_easy_strerror(a->cc);
        kafkit_err_t code = KAFKIT_ERR_IO;
        char after[48] = "";

        if (a->cc == CURLE_OPERATION_TIMEDOUT)
                code = KAFKIT_ERR_TIMEOUT;
        else if (a->cc == CURLE_OUT_OF_MEMORY)
                code = KAFKIT_ERR_NOMEM;
        else if (a->cc != CURLE_WRITE_ERROR && kafkit_cc_final(a->cc))
                code = KAFKIT_ERR_CONF;
        if (a->too_large)
                text = "response larger than 64 MiB";
        if (tries > 1)
                snprintf(after, sizeof(after), " (after %d attempts)", tries);
        return kafkit_rerr_set(err, code, 0, 0, a->url, text, "registry %s: %s%s", a->url, text,
                               after);
}

/* The error of an HTTP error status: the registry's error_code and message
 * from its JSON body, else the start of the body. */
static kafkit_err_t kafkit_rhttp_status_error(const kafkit_rattempt_t *a, int tries,
                                              kafkit_registry_error_t *err)
{
        json_t *j = json_loadb(a->body.data ? a->body.data : "", a->body.len, 0, NULL);
        json_t *jc = json_object_get(j, "error_code"), *jm = json_object_get(j, "message");
        char reason[KAFKIT_ERRSTR_SIZE];
        int ecode = json_is_integer(jc) ? (int)json_integer_value(jc) : 0;
        char after[48] = "";
        size_t i, n;

        if (json_is_string(jm)) {
                snprintf(reason, sizeof(reason), "%s", json_string_value(jm));
        } else {
                n = a->body.len < KAFKIT_RHTTP_QUOTE_MAX ? a->body.len : KAFKIT_RHTTP_QUOTE_MAX;
                for (i = 0; i < n; i++)
                        reason[i] = isprint((unsigned char)a->body.data[i]) ? a->body.data[i] : ' ';
                reason[n] = '\0';
        }
        json_decref(j);
        if (tries > 1)
                snprintf(after, sizeof(after), " (after %d attempts)", tries);
        if (ecode)
                return kafkit_rerr_set(err, kafkit_status_code(a->status), (int)a->status, ecode,
                                       a->url, reason, "registry %s: %ld error_code %d: %s%s",
                                       a->url, a->status, ecode, reason, after);
        return kafkit_rerr_set(err, kafkit_status_code(a->status), (int)a->status, 0, a->url,
                               reason, "registry %s: HTTP %ld%s%s%s", a->url, a->status,
                               *reason ? ": " : "", reason, after);
}

static kafkit_err_t kafkit_rhttp_parse(const kafkit_rattempt_t *a, json_t **resp,
                                       kafkit_registry_error_t *err)
{
        json_error_t je;

        if (a->body.len == 0) {
                *resp = json_null();
                return KAFKIT_OK;
        }
        *resp = json_loadb(a->body.data, a->body.len, JSON_DECODE_ANY, &je);
        if (!*resp)
                return kafkit_rerr_set(err, KAFKIT_ERR_PARSE, (int)a->status, 0, a->url, je.text,
                                       "registry %s: response is not JSON: %s at position %d",
                                       a->url, je.text, je.position);
        return KAFKIT_OK;
}

kafkit_err_t kafkit_rhttp_call(kafkit_rhttp_t *h,
                               const char *method,
                               const char *path,
                               const json_t *body,
                               json_t **resp,
                               kafkit_registry_error_t *err)
{
        kafkit_rattempt_t a = { 0 };
        char *payload = NULL;
        kafkit_err_t code;
        int tries = 0;

        *resp = NULL;
        if (body && !(payload = json_dumps(body, JSON_COMPACT)))
                return kafkit_rerr_local(err, KAFKIT_ERR_NOMEM, "out of memory");
        for (;;) {
                long wait;

                kafkit_rhttp_attempt(h, method, path, payload, &a);
                tries++;
                if ((a.cc == CURLE_OK && a.status >= 200 && a.status < 300) ||
                    !kafkit_rattempt_retryable(&a) || tries > h->max_retries)
                        break;
                wait = kafkit_rhttp_backoff(h, tries - 1);
                kafkit_log(h->lg, KAFKIT_LOG_INFO, KAFKIT_REGISTRY_FAC,
                           "%s %s: %s; retry %d/%d in %ld ms", method, a.url,
                           a.cc != CURLE_OK ? curl_easy_strerror(a.cc) : "HTTP error status",
                           tries, h->max_retries, wait);
                kafkit_sleep_ms(wait);
        }
        if (a.cc != CURLE_OK)
                code = kafkit_rhttp_cc_error(&a, tries, err);
        else if (a.status < 200 || a.status >= 300)
                code = kafkit_rhttp_status_error(&a, tries, err);
        else
                code = kafkit_rhttp_parse(&a, resp, err);
        kafkit_buf_free(&a.body);
        free(payload);
        return code;
}
