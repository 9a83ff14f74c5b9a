/*
 * server.c — libmicrohttpd glue: the listening socket, the thread pool, one
 * request from arrival to access-log line, and the graceful stop.
 *
 * Threads: libmicrohttpd runs a pool of worker threads (one per core by
 * default), each with its own epoll loop. Each worker opens its own store
 * connection the first time it needs one and keeps it; all of them are
 * closed after the daemon has stopped.
 *
 * Stop: SIGTERM or SIGINT → keep serving until no connection waits in the
 * listen queue, no open connection has unread bytes, no request is being
 * answered, and the connections have been quiet for 250 ms (at most 10 s) →
 * stop the daemon → close the stores. The queue and the unread bytes matter on
 * a loaded machine: the signal can be handled before any worker thread has
 * run, when every request in flight is still in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/clock.h"
#include "web/cache.h"
#include "web/web.h"

/* --- store per worker thread --------------------------------------------- */

#define MAX_STORES 256

static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *stores[MAX_STORES];
static int nstores;
static _Thread_local struct store *thread_store;

static struct store *worker_store(struct app *app, struct cf_error *err)
{
    struct store *s = NULL;

    if (thread_store != NULL)
        return thread_store;
    if (store_open(app->db_url, 0, &s, NULL, err) != CF_OK)
        return NULL;
    pthread_mutex_lock(&stores_lock);
    if (nstores < MAX_STORES)
        stores[nstores++] = s;
    pthread_mutex_unlock(&stores_lock);
    thread_store = s;
    return s;
}

static void close_stores(void)
{
    pthread_mutex_lock(&stores_lock);
    for (int i = 0; i < nstores; i++)
        store_close(stores[i]);
    nstores = 0;
    pthread_mutex_unlock(&stores_lock);
}

/* --- one request ---------------------------------------------------------- */

static atomic_int inflight;

/* Monotonic ms of the last thing any connection did; the stop waits for quiet. */
static _Atomic double last_activity;

static void touch(void)
{
    atomic_store(&last_activity, clock_mono_ms());
}

/* --- open connections, for the stop --------------------------------------- */

struct conn_node {
    int fd;
    struct conn_node *prev, *next;
};

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn_node *conns;

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct conn_node *n = *socket_context;

    (void)cls;
    touch();
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        n = calloc(1, sizeof *n);
        if (n == NULL || ci == NULL) {
            free(n); /* only the stop's view is lost: it then relies on quiet time */
            return;
        }
        n->fd = ci->connect_fd;
        pthread_mutex_lock(&conns_lock);
        n->next = conns;
        if (conns != NULL)
            conns->prev = n;
        conns = n;
        pthread_mutex_unlock(&conns_lock);
        *socket_context = n;
    } else if (n != NULL) {
        pthread_mutex_lock(&conns_lock);
        if (n->prev != NULL)
            n->prev->next = n->next;
        else
            conns = n->next;
        if (n->next != NULL)
            n->next->prev = n->prev;
        pthread_mutex_unlock(&conns_lock);
        free(n);
        *socket_context = NULL;
    }
}

/*
 * Whether the kernel still holds work for us: a connection not yet accepted,
 * or an open connection with bytes not yet read (a request not yet started).
 */
static int kernel_has_work(int listen_fd)
{
    struct pollfd p = {.fd = listen_fd, .events = POLLIN};
    int busy = 0;

    if (poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
        return 1;
    pthread_mutex_lock(&conns_lock);
    for (struct conn_node *n = conns; n != NULL && !busy; n = n->next) {
        int unread = 0;

        busy = ioctl(n->fd, FIONREAD, &unread) == 0 && unread > 0;
    }
    pthread_mutex_unlock(&conns_lock);
    return busy;
}

/* Why an answer did not reach its client, for the access log. */
static const char *cut_reason(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return " (timeout)";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return " (server stopped)";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return " (client went away)";
    default:
        return " (connection error)";
    }
}

static void access_log(const struct req *r, enum MHD_RequestTerminationCode toe)
{
    char now[32];

    if (r->app->quiet)
        return;
    clock_now_iso(now, sizeof now);
    fprintf(stderr, "%s rid=%s %s %s %d %zuB %.2fms%s\n", now, r->id, r->method,
            r->path != NULL ? r->path : "-", r->status, r->sent, clock_mono_ms() - r->t0,
            cut_reason(toe));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *r = *con_cls;

    (void)cls;
    (void)conn;
    if (r == NULL)
        return;
    /* The answer did not reach the client (it went away, or the server stopped). */
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        r->status = 499;
    touch();
    access_log(r, toe);
    buf_free(&r->body);
    json_decref(r->form);
    json_decref(r->form_page);
    json_decref(r->person);
    json_decref(r->who.grants);
    json_decref(r->who.reach);
    arena_free(r->arena);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

static struct req *req_new(struct app *app, struct MHD_Connection *conn, const char *method,
                           const char *url)
{
    struct arena *a = arena_new();
    struct req *r;
    unsigned char rnd[8];
    size_t n;

    if (a == NULL)
        return NULL;
    r = arena_alloc(a, sizeof *r);
    if (r == NULL) {
        arena_free(a);
        return NULL;
    }
    r->app = app;
    r->arena = a;
    r->conn = conn;
    r->method = arena_strdup(a, method);
    r->t0 = clock_mono_ms();
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(r->id, sizeof r->id, rnd, sizeof rnd);
    buf_init(&r->body, app->max_body);
    r->is_head = strcmp(method, "HEAD") == 0;

    /* A .json suffix asks for JSON, like Accept: application/json. */
    n = strlen(url);
    if (n > 5 && strcmp(url + n - 5, ".json") == 0) {
        r->path = arena_strndup(a, url, n - 5);
        r->want_json = 1;
    } else {
        const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");

        r->path = arena_strdup(a, url);
        if (accept != NULL && strstr(accept, "application/json") != NULL) {
            const char *html = strstr(accept, "text/html");

            r->want_json = html == NULL || html > strstr(accept, "application/json");
        }
    }
    atomic_fetch_add(&inflight, 1);
    return r;
}

static enum MHD_Result append_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    buf_printf(cls, "&%s=%s", key, value != NULL ? value : "");
    return MHD_YES;
}

/*
 * For a cacheable route: builds the cache key (Host, path, query, JSON or
 * HTML) and the generation it must match; on a hit sends the cached answer
 * and returns 1. On a miss returns 0 with r->cache_key set so the response
 * is stored once rendered.
 */
static int cache_lookup_or_reply(struct req *r)
{
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    struct cbody *b;
    struct buf key;

    if (store_case_generation(r->store, &r->cache_gen, NULL) != CF_OK)
        return 0;
    buf_init(&key, 8192);
    buf_printf(&key, "%c %s %s ?", r->want_json ? 'J' : 'H', host != NULL ? host : "", r->path);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, append_arg, &key);
    if (key.p == NULL) {
        buf_free(&key);
        return 0;
    }
    r->cache_key = arena_strdup(r->arena, buf_str(&key));
    buf_free(&key);
    if (r->cache_key == NULL || (b = cache_get(r->cache_key, r->cache_gen)) == NULL)
        return 0;
    render_cached(r, b);
    return 1;
}

static enum MHD_Result dispatch(struct req *r)
{
    struct cf_error err;
    json_t *out = NULL;
    int allowed = 0;
    int rc;

    if (r->path == NULL)
        return render_error(r, 500, "internal", "out of memory");
    if (r->body_too_big)
        return render_error(r, 413, "too_large", "The request body is larger than the 1 MB limit.");
    if (strncmp(r->path, "/static/", 8) == 0 && (strcmp(r->method, "GET") == 0 || r->is_head))
        return render_static(r, r->path + 8);
    r->route = router_match(r, r->method, r->path, &allowed);
    if (r->route == NULL) {
        if (allowed)
            return render_error(r, 405, "method_not_allowed",
                                "This address does not accept that kind of request");
        return render_error(r, 404, "not_found", "There is no page at this address.");
    }
    if (r->route->flags & (ROUTE_CASE | ROUTE_JSON))
        r->want_json = 1;

    cf_error_clear(&err);
    r->store = worker_store(r->app, &err);
    if (r->store == NULL) {
        fprintf(stderr, "rid=%s database unavailable: %s\n", r->id, err.message);
        return render_error(r, 503, "unavailable", "the database is not available; try again");
    }
    {
        int done = 0;
        enum MHD_Result ret = web_authorize(r, &done);

        if (done)
            return ret;
    }
    /* Only anonymous answers are shared: a signed-in page shows who is signed in. */
    if ((r->route->flags & ROUTE_CACHE) && r->who.person_id == NULL && !r->session_ended &&
        cache_lookup_or_reply(r))
        return r->status != 0 ? MHD_YES : MHD_NO;
    rc = r->route->handler(r, &out, &err);
    return render_result(r, rc, out, &err);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct app *app = cls;
    struct req *r = *con_cls;

    (void)version;
    touch();
    if (r == NULL) {
        r = req_new(app, conn, method, url);
        if (r == NULL)
            return MHD_NO;
        *con_cls = r;
        /* Answer on the next call, once the (maybe empty) body has been read:
         * answering in the first call makes libmicrohttpd close the connection. */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!r->body_too_big && buf_add(&r->body, upload_data, *upload_size) != CF_OK)
            r->body_too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(r);
}

/* --- listening ------------------------------------------------------------ */

static int open_listener(const char *host, const char *port, int *fd_out, char *where, size_t wn,
                         struct cf_error *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, e, saved = 0;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    e = getaddrinfo(host, port, &hints, &res);
    if (e != 0)
        return cf_error_set(err, CF_EINVAL, "host", "cannot listen on %s:%s: %s", host, port,
                            gai_strerror(e));
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1;

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        freeaddrinfo(res);
        if (saved == EADDRINUSE)
            return cf_error_set(err, CF_EBUSY, "port",
                                "cannot listen on %s:%s: the address is already in use "
                                "(is another server running there? choose another --port)",
                                host, port);
        return cf_error_set(err, CF_EIO, "host", "cannot listen on %s:%s: %s", host, port,
                            strerror(saved));
    }
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        char h[NI_MAXHOST], p[NI_MAXSERV];

        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
            getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0)
            snprintf(where, wn, strchr(h, ':') != NULL ? "[%s]:%s" : "%s:%s", h, p);
        else
            snprintf(where, wn, "%s:%s", host, port);
    }
    freeaddrinfo(res);
    *fd_out = fd;
    return CF_OK;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("microhttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
}

int web_serve(struct app *app, const char *host, const char *port, int threads,
              struct cf_error *err)
{
    struct MHD_Daemon *d;
    char where[300];
    sigset_t set;
    int fd = -1, sig = 0, rc;
    double deadline;

    rc = open_listener(host, port, &fd, where, sizeof where, err);
    if (rc != CF_OK)
        return rc;

    /* Workers inherit a mask with the stop signals blocked; main waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
        fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_END);
    if (d == NULL) {
        close(fd);
        return cf_error_set(err, CF_EIO, NULL, "cannot start the HTTP server on %s", where);
    }
    printf("listening on http://%s\n", where);
    if (app->setup_token != NULL)
        printf("first run: open %s%s/setup/%s to create the first program administrator\n"
               "           (the link works once, within 24 hours; a restart prints a new one)\n",
               app->public_url != NULL ? "" : "http://",
               app->public_url != NULL ? app->public_url : where, app->setup_token);
    fflush(stdout);

    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "ctoframe: %s received; finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    /*
     * Requests in flight are those being answered and those whose bytes are
     * already on a connection (or in the listen backlog) but not yet read:
     * keep serving until none is left and the connections have been quiet for
     * a moment (a worker may have read a request and not yet started it), at
     * most 10 s. (libmicrohttpd's quiesce is not used: in thread-pool epoll
     * mode it sometimes left queued answers unsent.)
     */
    deadline = clock_mono_ms() + 10000;
    while (clock_mono_ms() < deadline && (atomic_load(&inflight) > 0 || kernel_has_work(fd) ||
                                          clock_mono_ms() - atomic_load(&last_activity) < 250))
        usleep(10000);
    MHD_stop_daemon(d);
    close(fd);
    close_stores();
    cache_clear();
    fprintf(stderr, "ctoframe: stopped\n");
    return CF_OK;
}
