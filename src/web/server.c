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
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/cidr.h"
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
    if (store_open(app->db_url, STORE_READONLY_OK, &s, NULL, err) != CF_OK)
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
/* Upload bytes beyond max_body held now (WEB_UPLOADS_MAX at most). */
static atomic_size_t upload_bytes;

/* Monotonic ms of the last thing any connection did; the stop waits for quiet. */
static _Atomic double last_activity;

static void touch(void)
{
    atomic_store(&last_activity, clock_mono_ms());
}

/* --- open connections: the stop, the caps, the deadlines ------------------ */

/*
 * Every open connection has a node in one list (conns_lock). The stop looks
 * at their unread bytes; the caps count them per client address and in all;
 * the reaper thread cuts those whose request does not arrive in time.
 *
 * A connection is in one phase at a time. HEADERS: from accept (or from the
 * end of the previous answer on a kept-alive connection) until its request
 * line and headers are complete. BODY: until the body is complete. ANSWER:
 * being answered, no deadline (libmicrohttpd's inactivity timeout applies).
 * CUT: the reaper shut it down. The worker thread and the reaper move a
 * connection out of HEADERS and BODY with compare-and-swap, so exactly one of
 * them wins: a request is never answered after it was cut, and a 408 is never
 * written into an answer.
 */
enum conn_phase { PHASE_HEADERS, PHASE_BODY, PHASE_ANSWER, PHASE_CUT };

struct conn_node {
    int fd;
    unsigned char addr[CIDR_ADDR_LEN];
    int has_addr;          /* addr is known */
    int counted;           /* holds a slot of the total, and of addr (conns_lock) */
    int refused;           /* over a cap: answered 503, being closed */
    int nul_in_url;        /* the request being read has %00 in its URL (its worker only) */
    atomic_int phase;      /* enum conn_phase */
    atomic_int kept_alive; /* HEADERS after an answer: waiting for the next request */
    _Atomic double since;  /* monotonic ms when the phase began */
    struct conn_node *prev, *next;
};

/* Connections per client address: a small chained hash table (conns_lock). */
#define ADDR_BUCKETS 1024

struct addr_count {
    unsigned char addr[CIDR_ADDR_LEN];
    int n;
    struct addr_count *next;
};

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn_node *conns;
static atomic_long refused_count; /* 503s since the last report (reaper) */
static atomic_long cut_count;     /* 408s since the last report */
static struct addr_count *by_addr[ADDR_BUCKETS];
static int nconns; /* counted connections */
static const struct app *limits_app;

static const char ANSWER_503[] = "HTTP/1.1 503 Service Unavailable\r\n"
                                 "Content-Type: text/plain; charset=utf-8\r\n"
                                 "Content-Length: 64\r\n"
                                 "Retry-After: 10\r\n"
                                 "Connection: close\r\n"
                                 "X-Content-Type-Options: nosniff\r\n"
                                 "\r\n"
                                 "Too many connections from your address. Please try again soon.\n";
static const char ANSWER_408[] = "HTTP/1.1 408 Request Timeout\r\n"
                                 "Content-Type: text/plain; charset=utf-8\r\n"
                                 "Content-Length: 60\r\n"
                                 "Connection: close\r\n"
                                 "X-Content-Type-Options: nosniff\r\n"
                                 "\r\n"
                                 "The request took too long to arrive. Please send it again.\n";

static unsigned addr_hash(const unsigned char a[CIDR_ADDR_LEN])
{
    unsigned h = 2166136261u;

    for (int i = 0; i < CIDR_ADDR_LEN; i++)
        h = (h ^ a[i]) * 16777619u;
    return h % ADDR_BUCKETS;
}

/* The count of address a, created at 0 when create is set; NULL when absent (or no memory). */
static struct addr_count *addr_slot(const unsigned char a[CIDR_ADDR_LEN], int create)
{
    struct addr_count **head = &by_addr[addr_hash(a)], *c;

    for (c = *head; c != NULL; c = c->next)
        if (memcmp(c->addr, a, CIDR_ADDR_LEN) == 0)
            return c;
    if (!create || (c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    memcpy(c->addr, a, CIDR_ADDR_LEN);
    c->next = *head;
    *head = c;
    return c;
}

static void addr_release(const unsigned char a[CIDR_ADDR_LEN])
{
    struct addr_count **p = &by_addr[addr_hash(a)];

    for (; *p != NULL; p = &(*p)->next)
        if (memcmp((*p)->addr, a, CIDR_ADDR_LEN) == 0) {
            if (--(*p)->n <= 0) {
                struct addr_count *gone = *p;

                *p = gone->next;
                free(gone);
            }
            return;
        }
}

/*
 * Takes a slot for a new connection from address a: 1, or 0 when the total
 * cap or the address's cap is reached. Trusted proxies carry many clients
 * and have only the total cap. Called with conns_lock held.
 */
static int take_slot(const unsigned char a[CIDR_ADDR_LEN], int have_addr)
{
    const struct app *app = limits_app;
    struct addr_count *c;

    if (nconns >= app->max_conns)
        return 0;
    if (have_addr) {
        c = addr_slot(a, 1);
        if (c == NULL ||
            (c->n >= app->max_conns_per_addr && !cidr_list_contains(&app->trusted_proxies, a))) {
            if (c != NULL && c->n == 0)
                addr_release(a); /* drop the entry just made */
            return 0;
        }
        c->n++;
    }
    nconns++;
    return 1;
}

/* Writes a short canned answer; the socket is non-blocking and new, so it fits or is dropped. */
static void write_canned(int fd, const char *text, size_t n)
{
    ssize_t w = send(fd, text, n, MSG_NOSIGNAL | MSG_DONTWAIT);

    (void)w; /* the client went away, or its window is full: the close still follows */
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct conn_node *n = *socket_context;

    (void)cls;
    touch();
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

        n = calloc(1, sizeof *n);
        if (n == NULL || ci == NULL) {
            free(n); /* only the stop's view is lost: it then relies on quiet time */
            return;
        }
        n->fd = ci->connect_fd;
        n->has_addr = ai != NULL && cidr_addr_of(ai->client_addr, n->addr) == 0;
        atomic_store(&n->since, clock_mono_ms());
        atomic_store(&n->phase, PHASE_HEADERS);
        pthread_mutex_lock(&conns_lock);
        n->counted = take_slot(n->addr, n->has_addr);
        n->refused = !n->counted;
        n->next = conns;
        if (conns != NULL)
            conns->prev = n;
        conns = n;
        pthread_mutex_unlock(&conns_lock);
        *socket_context = n;
        /* Over a cap: a clean 503, then the reaper closes it after a moment to read it. */
        if (n->refused) {
            atomic_fetch_add(&refused_count, 1);
            write_canned(n->fd, ANSWER_503, sizeof ANSWER_503 - 1);
            shutdown(n->fd, SHUT_WR);
        }
    } else if (n != NULL) {
        pthread_mutex_lock(&conns_lock);
        if (n->prev != NULL)
            n->prev->next = n->next;
        else
            conns = n->next;
        if (n->next != NULL)
            n->next->prev = n->prev;
        if (n->counted) {
            nconns--;
            if (n->has_addr)
                addr_release(n->addr);
        }
        pthread_mutex_unlock(&conns_lock);
        free(n);
        *socket_context = NULL;
    }
}

/* The node of a connection (set when it started), or NULL. */
static struct conn_node *node_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci != NULL ? ci->socket_context : NULL;
}

/*
 * Moves the connection from phase from to phase to (its clock restarts):
 * 1, or 0 when the reaper cut it first (or it was refused). A connection
 * without a node has no deadlines.
 */
static int advance(struct conn_node *n, int from, int to)
{
    if (n == NULL)
        return 1;
    if (n->refused)
        return 0;
    atomic_store(&n->since, clock_mono_ms());
    return atomic_compare_exchange_strong(&n->phase, &from, to);
}

/* --- the reaper: deadlines a trickle does not extend ------------------------ */

static atomic_int reaper_stop;

#define REPORT_EVERY_MS 10000.0

/* One line on stderr, at most every 10 s (and at the stop), when connections were refused or cut.
 */
static void report_refusals(double now, double *last)
{
    long refused, cut;

    if (now - *last < REPORT_EVERY_MS)
        return;
    *last = now;
    refused = atomic_exchange(&refused_count, 0);
    cut = atomic_exchange(&cut_count, 0);
    if (refused > 0 || cut > 0)
        fprintf(stderr,
                "ctoframe: in the last %.0f s, %ld connection(s) over the connection caps got "
                "503 and %ld request(s) that missed their deadline got 408\n",
                REPORT_EVERY_MS / 1000, refused, cut);
}

/*
 * Every 100 ms: shuts down connections whose headers are not complete
 * app->header_ms after they began, whose body is not complete app->body_ms
 * after the headers, and refused connections a second after their 503. A
 * connection whose bytes wait unread is spared (the server is behind, not the
 * client: a loaded machine must not cut its own queue). A fresh request that
 * is cut gets a 408 first; a kept-alive connection that
 * stayed silent is just closed. libmicrohttpd then sees the end of the
 * connection in its own thread and closes it (the node goes away then).
 * Refusals and cuts are counted and reported on stderr every 10 s.
 */
static void *reaper(void *arg)
{
    const struct app *app = arg;
    double last_report = clock_mono_ms();

    while (!atomic_load(&reaper_stop)) {
        double now = clock_mono_ms();

        pthread_mutex_lock(&conns_lock);
        for (struct conn_node *n = conns; n != NULL; n = n->next) {
            int phase = atomic_load(&n->phase);
            double age = now - atomic_load(&n->since);

            if (n->refused) {
                if (phase != PHASE_CUT && age > 1000) {
                    atomic_store(&n->phase, PHASE_CUT);
                    shutdown(n->fd, SHUT_RDWR);
                }
                continue;
            }
            if ((phase == PHASE_HEADERS && age > app->header_ms) ||
                (phase == PHASE_BODY && age > app->body_ms)) {
                int unread = 0;

                /* Bytes the client sent that we have not read yet: the server is behind (a
                 * loaded machine), not the client; a trickle has nothing waiting. */
                if (ioctl(n->fd, FIONREAD, &unread) == 0 && unread > 0)
                    continue;
                if (!atomic_compare_exchange_strong(&n->phase, &phase, PHASE_CUT))
                    continue; /* it moved on just now */
                if (phase == PHASE_BODY || !atomic_load(&n->kept_alive)) {
                    write_canned(n->fd, ANSWER_408, sizeof ANSWER_408 - 1);
                    atomic_fetch_add(&cut_count, 1);
                }
                shutdown(n->fd, SHUT_RDWR);
            }
        }
        pthread_mutex_unlock(&conns_lock);
        report_refusals(now, &last_report);
        usleep(100000);
    }
    last_report = -REPORT_EVERY_MS; /* what the last interval saw, at the stop */
    report_refusals(clock_mono_ms(), &last_report);
    return NULL;
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
    struct conn_node *n = node_of(conn);

    (void)cls;
    /* A kept-alive connection waits for its next request: the header clock restarts. */
    if (n != NULL && atomic_load(&n->phase) == PHASE_ANSWER) {
        atomic_store(&n->kept_alive, 1);
        atomic_store(&n->since, clock_mono_ms());
        atomic_store(&n->phase, PHASE_HEADERS);
    }
    if (r == NULL)
        return;
    /* The answer did not reach the client (it went away, or the server stopped). */
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        r->status = 499;
    touch();
    access_log(r, toe);
    atomic_fetch_sub(&upload_bytes, r->reserved);
    buf_free(&r->body);
    json_decref(r->form);
    json_decref(r->form_page);
    json_decref(r->person);
    json_decref(r->who.grants);
    json_decref(r->who.reach);
    svc_stream_free(r->bytes.stream); /* a stream that was never handed to a response */
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
 * For a cacheable route: builds the cache key (path, query, JSON or HTML)
 * and the generation it must match; on a hit sends the cached answer and
 * returns 1. On a miss returns 0 with r->cache_key set so the response is
 * stored once rendered. No request header is part of the key: nothing a
 * cached answer holds may depend on one (absolute URLs come from the
 * configured public address).
 */
static int cache_lookup_or_reply(struct req *r)
{
    struct cbody *b;
    struct buf key;
    struct svc sv = req_svc(r);

    if ((r->route->flags & ROUTE_REGISTRY)
            ? svc_registry_generation(&sv, &r->cache_gen, NULL) != CF_OK
            : svc_framework_generation(&sv, &r->cache_gen, NULL) != CF_OK)
        return 0;
    buf_init(&key, 8192);
    buf_printf(&key, "%c %s ?", r->want_json ? 'J' : 'H', r->path);
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

/* Counts the Content-Length headers and notes when two disagree. */
static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    const char **first = cls;

    (void)kind;
    if (strcasecmp(key, "Content-Length") != 0 || value == NULL)
        return MHD_YES;
    if (*first == NULL)
        *first = value;
    else if (strcmp(*first, value) != 0)
        *first = ""; /* two different values */
    return MHD_YES;
}

/*
 * What libmicrohttpd (0.9.75) lets through and a request must not have: %00
 * in the URL (noted by unescape()), no Host header in HTTP/1.1 (RFC 9112
 * 3.2), two different Content-Length values (which two servers in a chain
 * could read differently: request smuggling). Sets r->bad.
 */
static void request_checks(struct req *r, const char *version)
{
    struct conn_node *n = r->node;
    const char *length = NULL;

    if (n != NULL && n->nul_in_url) {
        n->nul_in_url = 0;
        r->bad = "The address holds %00 (a NUL character); no page has one. Check the link.";
        return;
    }
    if (strcmp(version, MHD_HTTP_VERSION_1_0) != 0 &&
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host") == NULL) {
        r->bad = "The request has no Host header; HTTP/1.1 needs one.";
        return;
    }
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_length, &length);
    if (length != NULL && length[0] == '\0')
        r->bad = "The request has two different Content-Length headers; send one.";
}

static enum MHD_Result dispatch(struct req *r)
{
    struct cf_error err;
    json_t *out = NULL;
    int allowed = 0;
    int rc;

    if (r->path == NULL)
        return render_error(r, 500, "internal", "Out of memory. Try again in a moment.");
    if (r->bad != NULL) {
        req_header(r, "Connection", "close"); /* what follows on the connection is suspect */
        return render_error(r, 400, "invalid", r->bad);
    }
    if (r->body_too_big) {
        char msg[160];

        if (r->uploads_busy)
            snprintf(msg, sizeof msg,
                     "The server is receiving other large files just now. Try again in a minute.");
        else
            snprintf(msg, sizeof msg, "The request body is larger than the %zu MB limit.",
                     (r->upload ? r->app->max_upload : r->app->max_body) / (1024u * 1024u));
        return render_error(r, 413, "too_large", msg);
    }
    if (strncmp(r->path, "/static/", 8) == 0 && (strcmp(r->method, "GET") == 0 || r->is_head))
        return render_static(r, r->path + 8);
    r->route = router_match(r, r->method, r->path, &allowed);
    if (r->route == NULL) {
        if (allowed)
            return render_error(
                r, 405, "method_not_allowed",
                req_is_case(r) ? "The CASE service answers GET and HEAD only; it is "
                                 "read-only."
                               : "This address does not accept that kind of request. Use one of "
                                 "the methods in the Allow header.");
        return render_error(r, 404, "not_found",
                            req_is_case(r) ? "This server has no CASE endpoint at this address; "
                                             "/case-api lists the ones it has."
                                           : "There is no page at this address.");
    }
    if (r->route->flags & (ROUTE_CASE | ROUTE_JSON))
        r->want_json = 1;

    cf_error_clear(&err);
    r->store = worker_store(r->app, &err);
    if (r->store == NULL) {
        fprintf(stderr, "rid=%s database unavailable: %s\n", r->id, err.message);
        return render_error(r, 503, "unavailable",
                            "The database is not available. Try again in a moment.");
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

    touch();
    if (r == NULL) {
        struct conn_node *n = node_of(conn);

        /* Headers complete: the body's clock starts, unless the reaper was first. */
        if (!advance(n, PHASE_HEADERS, PHASE_BODY))
            return MHD_NO;
        r = req_new(app, conn, method, url);
        if (r == NULL)
            return MHD_NO;
        r->node = n;
        *con_cls = r;
        request_checks(r, version);
        /* An upload route may take a larger body (the route is matched again in dispatch). */
        if (app->max_upload > app->max_body && strcmp(r->method, "POST") == 0 && r->path != NULL) {
            int allowed = 0;
            const struct route *rt = router_match(r, r->method, r->path, &allowed);

            if (rt != NULL && (rt->flags & ROUTE_UPLOAD)) {
                r->upload = 1;
                r->body.max = app->max_upload;
            }
        }
        /* Answer on the next call, once the (maybe empty) body has been read:
         * answering in the first call makes libmicrohttpd close the connection. */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t end = r->body.n + *upload_size;
        size_t over =
            r->upload && end > app->max_body && !r->body_too_big ? end - app->max_body : 0;

        /* The bytes beyond max_body are counted against every upload in flight. */
        if (over > r->reserved) {
            size_t more = over - r->reserved;

            if (atomic_fetch_add(&upload_bytes, more) + more > WEB_UPLOADS_MAX) {
                atomic_fetch_sub(&upload_bytes, more);
                r->uploads_busy = 1;
                r->body_too_big = 1;
                buf_free(&r->body);
            } else
                r->reserved += more;
        }
        if (!r->body_too_big && buf_add(&r->body, upload_data, *upload_size) != CF_OK)
            r->body_too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (!advance(r->node, PHASE_BODY, PHASE_ANSWER))
        return MHD_NO;
    return dispatch(r);
}

/* --- listening ------------------------------------------------------------ */

int web_listen(const char *host, const char *port, int *fd_out, char *where, size_t wn,
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
        return cf_error_set(err, CF_EINVAL, "host",
                            "Cannot listen on %s:%s (%s). Choose another --host or --port.", host,
                            port, gai_strerror(e));
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
                                "Cannot listen on %s:%s: the address is already in use. Stop the "
                                "server running there or choose another --port.",
                                host, port);
        return cf_error_set(err, CF_EIO, "host",
                            "Cannot listen on %s:%s (%s). Choose another --host or --port.", host,
                            port, strerror(saved));
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

/*
 * A %00 in the URL: libmicrohttpd decodes the path in place, so a NUL would
 * silently cut it short. The raw URL is checked here, before decoding, and
 * the request is marked (answered 400 by dispatch).
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *uri)
{
    struct conn_node *n = node_of(conn);

    (void)cls;
    if (n != NULL && strstr(uri, "%00") != NULL)
        n->nul_in_url = 1;
    return MHD_http_unescape(uri);
}

int web_serve(struct app *app, int fd, const char *where, int threads, struct cf_error *err)
{
    struct MHD_Daemon *d;
    sigset_t set;
    pthread_t reaper_thread;
    int sig = 0, have_reaper;
    double deadline;

    /* Workers inherit a mask with the stop signals blocked; main waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    limits_app = app;

    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET,
        fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        /* Above our own cap, so that connections over it get our 503, not a silent close. */
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(app->max_conns + app->max_conns / 4 + 16),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
    if (d == NULL) {
        close(fd);
        return cf_error_set(err, CF_EIO, NULL,
                            "Cannot start the HTTP server on %s. Check the address and try again.",
                            where);
    }
    atomic_store(&reaper_stop, 0);
    have_reaper = pthread_create(&reaper_thread, NULL, reaper, app) == 0;
    if (!have_reaper)
        fprintf(stderr, "ctoframe: cannot start the deadline thread; requests have no deadline\n");
    printf("listening on http://%s\n", where);
    if (app->setup_token != NULL)
        printf("first run: open %s/setup/%s to create the first program administrator\n"
               "           (the link works once, within 24 hours; a restart prints a new one)\n",
               app->public_url, app->setup_token);
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
    if (have_reaper) {
        atomic_store(&reaper_stop, 1);
        pthread_join(reaper_thread, NULL);
    }
    MHD_stop_daemon(d);
    close(fd);
    close_stores();
    cache_clear();
    fprintf(stderr, "ctoframe: stopped\n");
    return CF_OK;
}
