/*
 * dev_proxy.c: the dev cluster's fixed address.
 *
 * librdkafka's mock brokers listen on random ports, so a TCP forwarder on a
 * well-known address (say 127.0.0.1:9092) relays connections to broker 1.
 * Kafka clients only bootstrap through it: the metadata they get back names
 * the brokers' own ports, which they then connect to directly.
 *
 * A host name is bound on each address it resolves to, so "localhost:9092"
 * serves clients that try ::1 as well as those that try 127.0.0.1.
 *
 * One thread runs a poll() loop over non-blocking sockets: a self-pipe that
 * wakes it for shutdown, the listeners, and two sockets per connection with
 * a buffer per direction. When one side ends (EOF), the bytes it sent are
 * delivered and then the pair is closed: Kafka never half-closes. Socket
 * errors close the pair at once.
 */
#define _GNU_SOURCE /* accept4, SOCK_NONBLOCK, SOCK_CLOEXEC, pipe2 */

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROXY_BUF_SIZE (64 * 1024)
#define PROXY_BACKLOG 128
#define PROXY_MAX_LISTEN 4         /* addresses bound for one host name */
#define PROXY_ACCEPT_PAUSE_MS 100  /* after EMFILE and friends */
#define PROXY_FAC "DEVPROXY"

/* Bytes read from one socket, waiting to be written to the other. */
typedef struct proxy_dir_s {
        char buf[PROXY_BUF_SIZE];
        size_t off, len;  /* pending bytes are buf[off..len) */
        int eof;          /* the reading side ended: read no more */
} proxy_dir_t;

typedef struct proxy_conn_s {
        int cfd;          /* the client's socket */
        int sfd;          /* ours to the broker */
        int connecting;   /* sfd's connect() still in progress */
        int dead;         /* to be closed after this poll round */
        proxy_dir_t up;   /* client -> broker */
        proxy_dir_t down; /* broker -> client */
} proxy_conn_t;

struct kafkit_dev_proxy_s {
        const kafkit_logger_t *lg;
        int lfds[PROXY_MAX_LISTEN];       /* listening sockets */
        int lfd_cnt;
        int wake[2];                      /* self-pipe: readable = stop */
        struct sockaddr_storage target;   /* broker 1 */
        socklen_t target_len;
        char target_str[300];
        char address[300];                /* what we listen on, numeric */
        pthread_t thread;
        int thread_started;

        /* Owned by the thread while it runs. */
        proxy_conn_t **conns;
        size_t conn_cnt, conn_cap;
        struct pollfd *pfds;              /* wake, lfds, 2 per conn */
        int64_t accept_paused_until;      /* ms, kafkit_now_ms() clock */
};

/* ------------------------------------------------------------- addresses */

/*
 * Splits "HOST:PORT" (HOST may be "[v6]" or a bare v6 literal; the last ':'
 * separates the port) into host and port strings. `what` names the address
 * in errors ("listen address").
 */
static kafkit_err_t split_hostport(const char *addr, size_t addr_len,
                                   const char *what,
                                   char *host, size_t host_size,
                                   char *port, size_t port_size,
                                   kafkit_error_t *err)
{
        const char *colon = NULL, *h, *p;
        size_t hlen, plen, i;
        long val = 0;

        for (i = 0; i < addr_len; i++)
                if (addr[i] == ':')
                        colon = addr + i;
        if (!colon)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "invalid %s \"%.*s\": expected HOST:PORT",
                                      what, (int)addr_len, addr);
        h = addr;
        hlen = (size_t)(colon - addr);
        p = colon + 1;
        plen = addr_len - hlen - 1;
        if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
                h++;
                hlen -= 2;
        }
        if (hlen == 0 || hlen >= host_size)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "invalid %s \"%.*s\": %s host",
                                      what, (int)addr_len, addr,
                                      hlen == 0 ? "empty" : "too long a");
        for (i = 0; i < plen && i < 6; i++) {
                if (p[i] < '0' || p[i] > '9')
                        break;
                val = val * 10 + (p[i] - '0');
        }
        if (plen == 0 || i != plen || val > 65535 || plen >= port_size)
                return kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                                      "invalid %s \"%.*s\": port must be "
                                      "0..65535", what, (int)addr_len, addr);
        memcpy(host, h, hlen);
        host[hlen] = '\0';
        memcpy(port, p, plen);
        port[plen] = '\0';
        return KAFKIT_OK;
}

/* "HOST:PORT" of a socket address, "[HOST]:PORT" for IPv6. */
static void format_sockaddr(const struct sockaddr *sa, socklen_t len,
                            char *out, size_t out_size)
{
        char host[NI_MAXHOST], serv[NI_MAXSERV];

        if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                        NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
                snprintf(out, out_size, "(unknown)");
                return;
        }
        snprintf(out, out_size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
                 host, serv);
}

/* The stream-socket addresses of `len` bytes of `addr` ("host:port"): the
 * broker's to connect to, or with `passive` the ones to listen on. */
static kafkit_err_t proxy_lookup(const char *addr, size_t len, int passive,
                                 struct addrinfo **res, kafkit_error_t *err)
{
        char host[256], port[8];
        struct addrinfo hints;
        kafkit_err_t code;
        int rc;

        code = split_hostport(addr, len, passive ? "listen address" : "broker address",
                              host, sizeof(host), port, sizeof(port), err);
        if (code)
                return code;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = (passive ? AI_PASSIVE : 0) | AI_NUMERICSERV;
        rc = getaddrinfo(host, port, &hints, res);
        if (rc != 0)
                return kafkit_err_set(err, KAFKIT_ERR_IO, 0, "cannot %s %.*s: %s",
                                      passive ? "listen on" : "resolve broker address",
                                      (int)len, addr, gai_strerror(rc));
        return KAFKIT_OK;
}

/* Resolves the first entry of the comma-separated `bootstraps` list. */
static kafkit_err_t proxy_resolve_target(kafkit_dev_proxy_t *px,
                                         const char *bootstraps,
                                         kafkit_error_t *err)
{
        struct addrinfo *res = NULL;
        kafkit_err_t code;

        code = proxy_lookup(bootstraps, strcspn(bootstraps, ","), 0, &res, err);
        if (code)
                return code;
        memcpy(&px->target, res->ai_addr, res->ai_addrlen);
        px->target_len = res->ai_addrlen;
        freeaddrinfo(res);
        format_sockaddr((struct sockaddr *)&px->target, px->target_len,
                        px->target_str, sizeof(px->target_str));
        return KAFKIT_OK;
}

/* A non-blocking listening socket for one resolved address, or -1. */
static int listen_one(const struct addrinfo *ai)
{
        int fd, one = 1;

        fd = socket(ai->ai_family,
                    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd == -1)
                return -1;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
            (ai->ai_family == AF_INET6 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
            listen(fd, PROXY_BACKLOG) == -1) {
                int saved = errno;

                close(fd);
                errno = saved;
                return -1;
        }
        return fd;
}

/* The port of an AF_INET or AF_INET6 address, in network order. */
static in_port_t *sockaddr_port(struct sockaddr *sa)
{
        if (sa->sa_family == AF_INET6)
                return &((struct sockaddr_in6 *)(void *)sa)->sin6_port;
        return &((struct sockaddr_in *)(void *)sa)->sin_port;
}

/* 1 if an earlier entry of the list has the same family and address
 * (hosts files may name an address twice). */
static int addr_seen(const struct addrinfo *res, const struct addrinfo *ai)
{
        for (; res != ai; res = res->ai_next) {
                if (res->ai_family != ai->ai_family)
                        continue;
                if (ai->ai_family == AF_INET &&
                    !memcmp(&((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr,
                            &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr,
                            sizeof(struct in_addr)))
                        return 1;
                if (ai->ai_family == AF_INET6 &&
                    !memcmp(&((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr,
                            &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr,
                            sizeof(struct in6_addr)))
                        return 1;
        }
        return 0;
}

/*
 * Binds every address of the list. An address this host does not have
 * (EADDRNOTAVAIL, EAFNOSUPPORT: no IPv6, say) is skipped; any other
 * failure, such as EADDRINUSE, fails the whole listen. Port 0 binds the
 * first address to a free port and the others to the same one where it is
 * free too.
 * Returns 0 or an errno value.
 */
static int proxy_bind_all(kafkit_dev_proxy_t *px, struct addrinfo *res)
{
        struct addrinfo *ai;
        in_port_t port = 0;
        int fd, saved = EADDRNOTAVAIL, ephemeral = -1;

        for (ai = res; ai && px->lfd_cnt < PROXY_MAX_LISTEN; ai = ai->ai_next) {
                if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
                    addr_seen(res, ai))
                        continue;
                if (ephemeral == -1)
                        ephemeral = *sockaddr_port(ai->ai_addr) == 0;
                if (port)
                        *sockaddr_port(ai->ai_addr) = port;
                fd = listen_one(ai);
                if (fd == -1) {
                        saved = errno;
                        if (saved == EADDRNOTAVAIL || saved == EAFNOSUPPORT ||
                            (port && ephemeral))
                                continue;
                        return saved;
                }
                px->lfds[px->lfd_cnt++] = fd;
                if (px->lfd_cnt == 1) {
                        struct sockaddr_storage ss;
                        socklen_t sslen = sizeof(ss);

                        if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
                                return errno;
                        format_sockaddr((struct sockaddr *)&ss, sslen,
                                        px->address, sizeof(px->address));
                        port = *sockaddr_port((struct sockaddr *)&ss);
                }
        }
        return px->lfd_cnt > 0 ? 0 : saved;
}

/* Listens on every address `addr`'s host resolves to. */
static kafkit_err_t proxy_listen(kafkit_dev_proxy_t *px, const char *addr,
                                 kafkit_error_t *err)
{
        struct addrinfo *res = NULL;
        kafkit_err_t code;
        int rc;

        code = proxy_lookup(addr, strlen(addr), 1, &res, err);
        if (code)
                return code;
        rc = proxy_bind_all(px, res);
        freeaddrinfo(res);
        if (rc != 0)
                return kafkit_err_set(err, KAFKIT_ERR_IO, 0,
                                      "cannot listen on %s: %s",
                                      addr, strerror(rc));
        return KAFKIT_OK;
}

/* ----------------------------------------------------------- connections */

static void conn_free(proxy_conn_t *c)
{
        if (c->cfd != -1)
                close(c->cfd);
        if (c->sfd != -1)
                close(c->sfd);
        free(c);
}

static void set_nodelay(int fd)
{
        int one = 1;

        /* Kafka requests are small and latency-bound; failure is harmless. */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Room for one more connection in conns[] and pfds[]. */
static int proxy_reserve(kafkit_dev_proxy_t *px)
{
        proxy_conn_t **conns;
        struct pollfd *pfds;
        size_t cap;

        if (px->conn_cnt < px->conn_cap)
                return 0;
        cap = px->conn_cap ? px->conn_cap * 2 : 16;
        if (cap > (SIZE_MAX / sizeof(*pfds) - 1 - PROXY_MAX_LISTEN) / 2)
                return -1;
        conns = realloc(px->conns, cap * sizeof(*conns));
        if (!conns)
                return -1;
        px->conns = conns;
        pfds = realloc(px->pfds, (1 + PROXY_MAX_LISTEN + 2 * cap) * sizeof(*pfds));
        if (!pfds)
                return -1;
        px->pfds = pfds;
        px->conn_cap = cap;
        return 0;
}

/* Starts relaying accepted client `cfd` to the broker; takes cfd. */
static void proxy_conn_open(kafkit_dev_proxy_t *px, int cfd)
{
        proxy_conn_t *c;

        if (proxy_reserve(px) == -1 || !(c = calloc(1, sizeof(*c)))) {
                kafkit_log(px->lg, KAFKIT_LOG_WARNING, PROXY_FAC,
                           "%s: out of memory, dropping a connection",
                           px->address);
                close(cfd);
                return;
        }
        c->cfd = cfd;
        c->sfd = socket(px->target.ss_family,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->sfd == -1)
                goto fail;
        set_nodelay(cfd);
        set_nodelay(c->sfd);
        if (connect(c->sfd, (struct sockaddr *)&px->target,
                    px->target_len) == -1) {
                if (errno != EINPROGRESS)
                        goto fail;
                c->connecting = 1;
        }
        px->conns[px->conn_cnt++] = c;
        return;
fail:
        kafkit_log(px->lg, KAFKIT_LOG_WARNING, PROXY_FAC,
                   "%s: cannot connect to broker at %s: %s",
                   px->address, px->target_str, strerror(errno));
        conn_free(c);
}

/* Accepts every connection pending on listener `lfd`. */
static void proxy_accept(kafkit_dev_proxy_t *px, int lfd)
{
        int cfd;

        for (;;) {
                cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd != -1) {
                        proxy_conn_open(px, cfd);
                        continue;
                }
                if (errno == EINTR || errno == ECONNABORTED)
                        continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                        return;
                /* Out of descriptors or memory: the listener would stay
                 * readable, so stop polling it for a moment. */
                kafkit_log(px->lg, KAFKIT_LOG_WARNING, PROXY_FAC,
                           "%s: accept: %s", px->address, strerror(errno));
                px->accept_paused_until = kafkit_now_ms() + PROXY_ACCEPT_PAUSE_MS;
                return;
        }
}

static size_t dir_pending(const proxy_dir_t *d)
{
        return d->len - d->off;
}

/* Reads what fits from `fd`. -1 on a socket error. */
static int dir_read(int fd, proxy_dir_t *d)
{
        ssize_t n;

        if (d->eof)
                return 0;
        if (d->len == sizeof(d->buf) && d->off > 0) {
                memmove(d->buf, d->buf + d->off, d->len - d->off);
                d->len -= d->off;
                d->off = 0;
        }
        if (d->len == sizeof(d->buf))
                return 0;
        do
                n = recv(fd, d->buf + d->len, sizeof(d->buf) - d->len, 0);
        while (n == -1 && errno == EINTR);
        if (n > 0)
                d->len += (size_t)n;
        else if (n == 0)
                d->eof = 1;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
        return 0;
}

/* Writes what `fd` takes of the pending bytes. -1 on a socket error. */
static int dir_write(int fd, proxy_dir_t *d)
{
        ssize_t n;

        while (d->off < d->len) {
                n = send(fd, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
                if (n > 0) {
                        d->off += (size_t)n;
                        continue;
                }
                if (n == -1 && errno == EINTR)
                        continue;
                if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                return -1;
        }
        if (d->off == d->len)
                d->off = d->len = 0;
        return 0;
}

/* The events each of a connection's two sockets waits for. */
static void conn_events(const proxy_conn_t *c, struct pollfd *cp,
                        struct pollfd *sp)
{
        cp->fd = c->cfd;
        sp->fd = c->sfd;
        cp->events = sp->events = 0;
        cp->revents = sp->revents = 0;
        if (c->connecting) {
                sp->events = POLLOUT;
                return;
        }
        if (!c->up.eof && dir_pending(&c->up) < sizeof(c->up.buf))
                cp->events |= POLLIN;
        if (dir_pending(&c->down) > 0)
                cp->events |= POLLOUT;
        if (!c->down.eof && dir_pending(&c->down) < sizeof(c->down.buf))
                sp->events |= POLLIN;
        if (dir_pending(&c->up) > 0)
                sp->events |= POLLOUT;
}

/* Finishes a non-blocking connect to the broker. -1 if it failed. */
static int conn_connected(kafkit_dev_proxy_t *px, proxy_conn_t *c)
{
        int soerr = 0;
        socklen_t len = sizeof(soerr);

        if (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
                soerr = errno;
        if (soerr != 0) {
                kafkit_log(px->lg, KAFKIT_LOG_WARNING, PROXY_FAC,
                           "%s: cannot connect to broker at %s: %s",
                           px->address, px->target_str, strerror(soerr));
                return -1;
        }
        c->connecting = 0;
        return 0;
}

/*
 * Moves bytes for one connection after poll() reported `crev` on the
 * client and `srev` on the broker side. -1 when the pair must be closed.
 */
static int conn_service(kafkit_dev_proxy_t *px, proxy_conn_t *c,
                        short crev, short srev)
{
        if (c->connecting) {
                if (crev & (POLLERR | POLLHUP | POLLNVAL))
                        return -1;
                if (!srev)
                        return 0;
                return conn_connected(px, c);
        }
        if (crev & (POLLERR | POLLNVAL) || srev & (POLLERR | POLLNVAL) ||
            (crev & POLLHUP && !(crev & POLLIN)) ||
            (srev & POLLHUP && !(srev & POLLIN)))
                return -1;
        if ((crev & (POLLIN | POLLHUP)) && dir_read(c->cfd, &c->up) == -1)
                return -1;
        if ((srev & (POLLIN | POLLHUP)) && dir_read(c->sfd, &c->down) == -1)
                return -1;
        /* Write whatever is pending without waiting for POLLOUT: usually
         * the socket has room and this saves a poll round per request. */
        if (dir_write(c->sfd, &c->up) == -1 || dir_write(c->cfd, &c->down) == -1)
                return -1;
        if ((c->up.eof && dir_pending(&c->up) == 0) ||
            (c->down.eof && dir_pending(&c->down) == 0))
                return -1;
        return 0;
}

/* Frees the connections marked dead, keeping the others in order. */
static void proxy_reap(kafkit_dev_proxy_t *px)
{
        size_t i, j = 0;

        for (i = 0; i < px->conn_cnt; i++) {
                if (px->conns[i]->dead)
                        conn_free(px->conns[i]);
                else
                        px->conns[j++] = px->conns[i];
        }
        px->conn_cnt = j;
}

/* ------------------------------------------------------------ the thread */

/* pfds[] holds the wake pipe, the listeners, then two entries per
 * connection from this index. */
static size_t conn_base(const kafkit_dev_proxy_t *px)
{
        return 1 + (size_t)px->lfd_cnt;
}

/* Fills pfds[] for this round; returns the poll timeout. */
static int proxy_prepare(kafkit_dev_proxy_t *px)
{
        size_t i, base = conn_base(px);
        int timeout = -1, paused = 0;

        if (px->accept_paused_until) {
                int64_t left = px->accept_paused_until - kafkit_now_ms();

                if (left > 0) {
                        paused = 1;
                        timeout = (int)left;
                } else {
                        px->accept_paused_until = 0;
                }
        }
        px->pfds[0].fd = px->wake[0];
        px->pfds[0].events = POLLIN;
        px->pfds[0].revents = 0;
        for (i = 0; i < (size_t)px->lfd_cnt; i++) {
                px->pfds[1 + i].fd = paused ? -1 : px->lfds[i]; /* -1: skipped */
                px->pfds[1 + i].events = POLLIN;
                px->pfds[1 + i].revents = 0;
        }
        for (i = 0; i < px->conn_cnt; i++)
                conn_events(px->conns[i], &px->pfds[base + 2 * i],
                            &px->pfds[base + 2 * i + 1]);
        return timeout;
}

static void *proxy_main(void *arg)
{
        kafkit_dev_proxy_t *px = arg;
        size_t i, polled, base = conn_base(px);
        int timeout;

        for (;;) {
                timeout = proxy_prepare(px);
                polled = px->conn_cnt;
                if (poll(px->pfds, base + 2 * polled, timeout) == -1) {
                        if (errno == EINTR)
                                continue;
                        kafkit_log(px->lg, KAFKIT_LOG_ERR, PROXY_FAC,
                                   "%s: poll: %s; forwarding stopped",
                                   px->address, strerror(errno));
                        break;
                }
                if (px->pfds[0].revents)
                        break;
                for (i = 0; i < polled; i++)
                        if (conn_service(px, px->conns[i],
                                         px->pfds[base + 2 * i].revents,
                                         px->pfds[base + 2 * i + 1].revents) == -1)
                                px->conns[i]->dead = 1;
                proxy_reap(px);
                for (i = 0; i < (size_t)px->lfd_cnt; i++)
                        if (px->pfds[1 + i].revents)
                                proxy_accept(px, px->lfds[i]);
        }
        for (i = 0; i < px->conn_cnt; i++)
                conn_free(px->conns[i]);
        px->conn_cnt = 0;
        return NULL;
}

/* Starts the thread with every signal blocked: signals are the
 * application's, delivered to its own threads. */
static kafkit_err_t proxy_start(kafkit_dev_proxy_t *px, kafkit_error_t *err)
{
        sigset_t all, old;
        int rc;

        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        rc = pthread_create(&px->thread, NULL, proxy_main, px);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc != 0)
                return kafkit_err_set(err, KAFKIT_ERR_IO, 0,
                                      "cannot start the thread for %s: %s",
                                      px->address, strerror(rc));
        px->thread_started = 1;
        return KAFKIT_OK;
}

/* ----------------------------------------------------------------- API */

kafkit_dev_proxy_t *kafkit_dev_proxy_new(const char *listen_addr,
                                         const char *bootstraps,
                                         const kafkit_logger_t *lg,
                                         kafkit_error_t *err)
{
        kafkit_dev_proxy_t *px;

        if (!listen_addr || !bootstraps || !lg) {
                kafkit_err_set(err, KAFKIT_ERR_INVALID_ARG, 0,
                               "dev proxy: NULL argument");
                return NULL;
        }
        px = calloc(1, sizeof(*px));
        if (!px) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                               "out of memory for the listener on %s",
                               listen_addr);
                return NULL;
        }
        px->lg = lg;
        px->wake[0] = px->wake[1] = -1;
        if (proxy_reserve(px) == -1) {
                kafkit_err_set(err, KAFKIT_ERR_NOMEM, 0,
                               "out of memory for the listener on %s",
                               listen_addr);
                goto fail;
        }
        if (pipe2(px->wake, O_NONBLOCK | O_CLOEXEC) == -1) {
                kafkit_err_set(err, KAFKIT_ERR_IO, 0,
                               "cannot listen on %s: pipe: %s",
                               listen_addr, strerror(errno));
                goto fail;
        }
        if (proxy_resolve_target(px, bootstraps, err) ||
            proxy_listen(px, listen_addr, err) ||
            proxy_start(px, err))
                goto fail;
        kafkit_log(lg, KAFKIT_LOG_DEBUG, PROXY_FAC,
                   "forwarding %s to broker at %s", px->address,
                   px->target_str);
        return px;
fail:
        kafkit_dev_proxy_destroy(px);
        return NULL;
}

const char *kafkit_dev_proxy_address(const kafkit_dev_proxy_t *px)
{
        return px ? px->address : NULL;
}

void kafkit_dev_proxy_destroy(kafkit_dev_proxy_t *px)
{
        ssize_t n;
        int i;

        if (!px)
                return;
        if (px->thread_started) {
                do
                        n = write(px->wake[1], "x", 1);
                while (n == -1 && errno == EINTR);
                pthread_join(px->thread, NULL);
        }
        for (i = 0; i < px->lfd_cnt; i++)
                close(px->lfds[i]);
        if (px->wake[0] != -1)
                close(px->wake[0]);
        if (px->wake[1] != -1)
                close(px->wake[1]);
        free(px->conns);
        free(px->pfds);
        free(px);
}
