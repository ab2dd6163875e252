/*
 * regsrv_http.c: the development Schema Registry's HTTP face: the public
 * kafkit_registry_server_* API, the listening socket, libmicrohttpd, and
 * the routing of Confluent's REST paths to the store (regsrv_store.c).
 *
 * The socket is bound here, not by libmicrohttpd, so that "HOST:PORT"
 * parsing, port 0 and the "cannot listen on ADDR" error match the rest of
 * kafkit; libmicrohttpd then serves it on a small pool of its own threads.
 * A request body is collected across libmicrohttpd's calls (bounded by
 * RS_MAX_BODY) and parsed as JSON before routing.
 */
#include "regsrv_internal.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#define RS_CONTENT_TYPE "application/vnd.schemaregistry.v1+json"
#define RS_MAX_BODY (16 * 1024 * 1024)
#define RS_THREADS 4
#define RS_MAX_SEGS 8

struct kafkit_registry_server_s {
        kafkit_logger_t lg;
        rs_store_t *store;
        struct MHD_Daemon *mhd;
        char address[NI_MAXHOST + NI_MAXSERV + 4];
        char url[NI_MAXHOST + NI_MAXSERV + 12];
};

/* One request's body, gathered over the handler's calls. */
typedef struct rs_conn_s {
        kafkit_buf_t body;
        int too_big;
} rs_conn_t;

/* A routed request. */
typedef struct rs_call_s {
        kafkit_registry_server_t *srv;
        struct MHD_Connection *conn;
        const char *method;
        char *seg[RS_MAX_SEGS];
        int n_seg;
        json_t *body;           /* parsed body, or NULL */
        rs_opts_t opts;
        rs_err_t err;
        json_t *out;
        int raw_schema;         /* answer out["schema"] as the raw text */
} rs_call_t;

/* ------------------------------------------------------------ listening */

/* "HOST:PORT" / "[v6]:PORT" into host and port; port must be 0..65535. */
static kafkit_err_t split_addr(const char *addr, char *host, size_t hsize, char *port,
                               size_t psize, kafkit_error_t *err)
{
        const char *colon = strrchr(addr, ':'), *h = addr;
        size_t hlen = colon ? (size_t)(colon - addr) : 0;
        char *end;
        long p;

        if (colon && hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
                h++;
                hlen -= 2;
        }
        errno = 0;
        p = colon ? strtol(colon + 1, &end, 10) : -1;
        if (!colon || !hlen || hlen >= hsize || colon[1] < '0' || colon[1] > '9' || *end ||
            errno || p > 65535 || strlen(colon + 1) >= psize)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "invalid schema registry listen address \"%s\": "
                                      "expected HOST:PORT with a port in 0..65535", addr);
        memcpy(host, h, hlen);
        host[hlen] = '\0';
        snprintf(port, psize, "%s", colon + 1);
        return KAFKIT_OK;
}

static int listen_one(const struct addrinfo *ai)
{
        int fd, one = 1, saved;

        /* Non-blocking: the pool's threads all poll it, and one that loses
         * the race to accept() must not hang there. */
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd == -1)
                return -1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
            bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
                return fd;
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
}

/* Binds the first address `addr` resolves to that accepts; fills
 * srv->address and srv->url from the bound socket. Returns the fd or -1. */
static int srv_listen(kafkit_registry_server_t *srv, const char *addr, kafkit_error_t *err)
{
        char host[NI_MAXHOST], port[NI_MAXSERV];
        struct addrinfo hints, *res = NULL, *ai;
        struct sockaddr_storage ss;
        socklen_t sslen = sizeof(ss);
        int fd = -1, rc, saved = 0;

        if (split_addr(addr, host, sizeof(host), port, sizeof(port), err))
                return -1;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
        if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
                kafkit_err_set(err, KAFKIT_ERR_IO, 0, "cannot listen on %s: %s", addr,
                               gai_strerror(rc));
                return -1;
        }
        for (ai = res; ai && fd == -1; ai = ai->ai_next)
                if ((fd = listen_one(ai)) == -1)
                        saved = errno;
        freeaddrinfo(res);
        if (fd == -1) {
                kafkit_err_set(err, KAFKIT_ERR_IO, 0, "cannot listen on %s: %s", addr,
                               strerror(saved));
                return -1;
        }
        if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
            getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), port,
                        sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
                kafkit_err_set(err, KAFKIT_ERR_IO, 0, "cannot listen on %s: %s", addr,
                               strerror(errno));
                close(fd);
                return -1;
        }
        snprintf(srv->address, sizeof(srv->address), ss.ss_family == AF_INET6 ? "[%s]:%s"
                                                                               : "%s:%s",
                 host, port);
        snprintf(srv->url, sizeof(srv->url), "http://%s", srv->address);
        return fd;
}

/* ------------------------------------------------------------ responses */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, char *text)
{
        struct MHD_Response *resp;
        enum MHD_Result r;

        if (!text)
                return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(text);
                return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, RS_CONTENT_TYPE);
        r = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return r;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int code, const char *msg)
{
        json_t *o = json_pack("{s:i,s:s}", "error_code", code, "message", msg);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

        json_decref(o);
        return send_text(conn, (unsigned)rs_http_status(code), text);
}

/* ------------------------------------------------------------- routing */

static int opt_true(struct MHD_Connection *conn, const char *name)
{
        const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);

        return v && !strcasecmp(v, "true");
}

/* Splits the path into segments in place; -1 if there are too many. */
static int split_path(rs_call_t *c, char *path)
{
        char *save = NULL, *tok;

        c->n_seg = 0;
        for (tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
                if (c->n_seg == RS_MAX_SEGS)
                        return -1;
                c->seg[c->n_seg++] = tok;
        }
        return 0;
}

static int is(const rs_call_t *c, const char *method)
{
        return !strcmp(c->method, method);
}

/* The HTTP code for a path that exists but not with this method. */
#define RS_NO_METHOD (-405)
#define RS_NO_PATH (-404)

static int route_subjects(rs_call_t *c)
{
        rs_store_t *st = c->srv->store;
        char **s = c->seg;
        rs_err_t *e = &c->err;

        if (c->n_seg == 1)
                return is(c, "GET") ? rs_subjects(st, &c->opts, &c->out, e) : RS_NO_METHOD;
        if (c->n_seg == 2) {
                if (is(c, "POST"))
                        return rs_lookup(st, s[1], c->body, &c->opts, &c->out, e);
                if (is(c, "DELETE"))
                        return rs_delete_subject(st, s[1], &c->opts, &c->out, e);
                return RS_NO_METHOD;
        }
        if (strcmp(s[2], "versions"))
                return RS_NO_PATH;
        if (c->n_seg == 3) {
                if (is(c, "GET"))
                        return rs_versions(st, s[1], &c->opts, &c->out, e);
                if (is(c, "POST"))
                        return rs_register(st, s[1], c->body, &c->opts, &c->out, e);
                return RS_NO_METHOD;
        }
        if (c->n_seg == 4) {
                if (is(c, "GET"))
                        return rs_version_get(st, s[1], s[3], &c->opts, &c->out, e);
                if (is(c, "DELETE"))
                        return rs_delete_version(st, s[1], s[3], &c->opts, &c->out, e);
                return RS_NO_METHOD;
        }
        if (c->n_seg == 5 && !strcmp(s[4], "schema")) {
                c->raw_schema = 1;
                return is(c, "GET") ? rs_version_get(st, s[1], s[3], &c->opts, &c->out, e)
                                    : RS_NO_METHOD;
        }
        return RS_NO_PATH;
}

static int route_schemas(rs_call_t *c)
{
        rs_store_t *st = c->srv->store;

        if (c->n_seg == 2 && !strcmp(c->seg[1], "types")) {
                if (!is(c, "GET"))
                        return RS_NO_METHOD;
                c->out = json_pack("[s]", "AVRO");
                return c->out ? 0 : RS_E_STORE;
        }
        if (c->n_seg == 3 && !strcmp(c->seg[1], "guids"))
                return is(c, "GET") ? rs_schema_get_guid(st, c->seg[2], &c->out, &c->err)
                                    : RS_NO_METHOD;
        if (c->n_seg < 3 || c->n_seg > 4 || strcmp(c->seg[1], "ids") ||
            (c->n_seg == 4 && strcmp(c->seg[3], "versions")))
                return RS_NO_PATH;
        if (!is(c, "GET"))
                return RS_NO_METHOD;
        if (c->n_seg == 3)
                return rs_schema_get(st, c->seg[2], &c->out, &c->err);
        return rs_schema_versions(st, c->seg[2], &c->opts, &c->out, &c->err);
}

static int route_compat(rs_call_t *c)
{
        if (c->n_seg < 4 || c->n_seg > 5 || strcmp(c->seg[1], "subjects") ||
            strcmp(c->seg[3], "versions"))
                return RS_NO_PATH;
        if (!is(c, "POST"))
                return RS_NO_METHOD;
        return rs_compat(c->srv->store, c->seg[2], c->n_seg == 5 ? c->seg[4] : NULL, c->body,
                         &c->opts, &c->out, &c->err);
}

static int route_config(rs_call_t *c)
{
        rs_store_t *st = c->srv->store;
        const char *subject = c->n_seg == 2 ? c->seg[1] : NULL;

        if (c->n_seg > 2)
                return RS_NO_PATH;
        if (is(c, "GET"))
                return rs_config_get(st, subject, &c->opts, &c->out, &c->err);
        if (is(c, "PUT"))
                return rs_config_put(st, subject, c->body, &c->out, &c->err);
        if (is(c, "DELETE") && subject)
                return rs_config_delete(st, subject, &c->out, &c->err);
        return RS_NO_METHOD;
}

static int route(rs_call_t *c)
{
        if (c->n_seg == 0) {
                if (!is(c, "GET"))
                        return RS_NO_METHOD;
                c->out = json_object();
                return c->out ? 0 : RS_E_STORE;
        }
        if (!strcmp(c->seg[0], "subjects"))
                return route_subjects(c);
        if (!strcmp(c->seg[0], "schemas"))
                return route_schemas(c);
        if (!strcmp(c->seg[0], "compatibility"))
                return route_compat(c);
        if (!strcmp(c->seg[0], "config"))
                return route_config(c);
        return RS_NO_PATH;
}

/* Routes the request and sends the answer. */
static enum MHD_Result serve(rs_call_t *c, const char *url, rs_conn_t *rc)
{
        char *path = strdup(url), *text = NULL;
        int code;

        if (!path)
                return MHD_NO;
        if (rc->body.len) {
                json_error_t jerr;

                if (!(c->body = json_loadb(rc->body.data, rc->body.len, 0, &jerr))) {
                        snprintf(c->err.msg, sizeof(c->err.msg), "Invalid JSON in the "
                                 "request body at line %d column %d: %s", jerr.line,
                                 jerr.column, jerr.text);
                        free(path);
                        return send_error(c->conn, 400, c->err.msg);
                }
        }
        code = split_path(c, path) ? RS_NO_PATH : route(c);
        free(path);
        kafkit_log(&c->srv->lg, KAFKIT_LOG_DEBUG, "REGISTRY", "%s %s -> %d", c->method,
                   url, code > 0 ? code : code < 0 ? -code : 200);
        if (code == RS_NO_PATH)
                return send_error(c->conn, 404, "HTTP 404 Not Found");
        if (code == RS_NO_METHOD)
                return send_error(c->conn, 405, "HTTP 405 Method Not Allowed");
        if (code)
                return send_error(c->conn, code, c->err.code ? c->err.msg : "out of memory");
        if (c->raw_schema)
                text = strdup(json_string_value(json_object_get(c->out, "schema")));
        else
                text = json_dumps(c->out, JSON_COMPACT | JSON_ENCODE_ANY);
        return send_text(c->conn, MHD_HTTP_OK, text);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size,
                                  void **con_cls)
{
        rs_conn_t *rc = *con_cls;
        rs_call_t call;
        enum MHD_Result r;

        (void)version;
        if (!rc) {
                *con_cls = rc = calloc(1, sizeof(*rc));
                return rc ? MHD_YES : MHD_NO;
        }
        if (*upload_size) {
                if (rc->body.len + *upload_size > RS_MAX_BODY)
                        rc->too_big = 1;
                else if (kafkit_buf_append(&rc->body, upload_data, *upload_size))
                        return MHD_NO;
                *upload_size = 0;
                return MHD_YES;
        }
        if (rc->too_big)
                return send_error(conn, 413, "request body larger than 16 MB");
        memset(&call, 0, sizeof(call));
        call.srv = cls;
        call.conn = conn;
        call.method = method;
        call.opts.normalize = opt_true(conn, "normalize");
        call.opts.deleted = opt_true(conn, "deleted");
        call.opts.permanent = opt_true(conn, "permanent");
        call.opts.verbose = opt_true(conn, "verbose");
        call.opts.default_to_global = opt_true(conn, "defaultToGlobal");
        r = serve(&call, url, rc);
        json_decref(call.body);
        json_decref(call.out);
        return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
        rs_conn_t *rc = *con_cls;

        (void)cls;
        (void)conn;
        (void)toe;
        if (rc) {
                kafkit_buf_free(&rc->body);
                free(rc);
                *con_cls = NULL;
        }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
        kafkit_registry_server_t *srv = cls;
        char line[512];
        size_t n;

        vsnprintf(line, sizeof(line), fmt, ap);
        n = strlen(line);
        while (n && line[n - 1] == '\n')
                line[--n] = '\0';
        kafkit_log(&srv->lg, KAFKIT_LOG_WARNING, "REGISTRY", "http: %s", line);
}

/* ------------------------------------------------------------- public API */

kafkit_registry_server_t *kafkit_registry_server_new(const kafkit_conf_t *conf,
                                                     const char *listen,
                                                     const char *data_dir,
                                                     kafkit_error_t *err)
{
        kafkit_registry_server_t *srv = calloc(1, sizeof(*srv));
        int fd;

        if (!srv) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0, "schema registry: out of memory");
                return NULL;
        }
        kafkit_conf_logger(conf, &srv->lg);
        if (!listen)
                listen = KAFKIT_REGISTRY_SERVER_DEFAULT_LISTEN;
        if (!(srv->store = rs_store_open(data_dir, &srv->lg, err)) ||
            (fd = srv_listen(srv, listen, err)) == -1)
                goto fail;
        srv->mhd = MHD_start_daemon(
                MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                on_request, srv,
                MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
                MHD_OPTION_LISTEN_SOCKET, fd,
                MHD_OPTION_THREAD_POOL_SIZE, (unsigned)RS_THREADS,
                MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                MHD_OPTION_END);
        if (!srv->mhd) {
                close(fd);
                kafkit_err_set(err, KAFKIT_ERR_IO, 0, "schema registry on %s: cannot start "
                               "the HTTP server", srv->address);
                goto fail;
        }
        kafkit_log(&srv->lg, KAFKIT_LOG_DEBUG, "REGISTRY", "schema registry at %s (%s)",
                   srv->url, data_dir ? data_dir : "in memory");
        return srv;
fail:
        kafkit_registry_server_destroy(srv);
        return NULL;
}

const char *kafkit_registry_server_address(const kafkit_registry_server_t *srv)
{
        return srv->address;
}

const char *kafkit_registry_server_url(const kafkit_registry_server_t *srv)
{
        return srv->url;
}

void kafkit_registry_server_destroy(kafkit_registry_server_t *srv)
{
        if (!srv)
                return;
        if (srv->mhd)
                MHD_stop_daemon(srv->mhd);      /* closes the listening socket */
        rs_store_close(srv->store);
        free(srv);
}
