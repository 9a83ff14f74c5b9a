/*
 * web.h — the HTTP side: one request's state, the route table, rendering.
 *
 * A request arrives in server.c, is matched against the one route table
 * (router.c), runs its handler (h_*.c: parse → svc → JSON value) and is sent
 * by render.c as JSON or as the route's HTML template. Handlers never write
 * the response themselves and never run SQL.
 */
#ifndef CF_WEB_H
#define CF_WEB_H

#include <jansson.h>
#include <microhttpd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "store/store.h"
#include "svc/svc.h"

struct mustache_set;

/* What the whole server shares (read-only after start). */
struct app {
    const char *db_url;
    const char *home; /* templates/, static/, data/ */
    struct mustache_set *templates;
    json_t *statics; /* name -> {"body": bytes (string), "type", "etag"} */
    size_t max_body; /* bytes */
    int quiet;       /* no access log */
};

#define REQ_MAX_PARAMS  4
#define REQ_MAX_HEADERS 8

struct route;

struct req {
    struct app *app;
    struct arena *arena;
    struct MHD_Connection *conn;
    struct store *store;
    const struct route *route;
    const char *method;
    const char *path; /* without the .json suffix when one was given */
    char id[17];      /* request id (hex) */
    int want_json;
    int is_head;
    const char *params[REQ_MAX_PARAMS];
    int nparams;
    struct buf body; /* request body, capped at app->max_body */
    int body_too_big;
    double t0; /* start, monotonic ms */
    /* response extras set by handlers */
    const char *hdr_name[REQ_MAX_HEADERS];
    const char *hdr_value[REQ_MAX_HEADERS];
    int nhdr;
    const char *cache_key; /* set when the answer may be cached (ROUTE_CACHE) */
    int64_t cache_gen;
    int status; /* for the access log */
    size_t sent;
};

/*
 * A handler turns a request into one JSON value (*out, a new reference) or an
 * error: it returns CF_OK or a cf_err code with err filled.
 */
typedef int (*handler_fn)(struct req *r, json_t **out, struct cf_error *err);

enum route_flags {
    ROUTE_CHANGES = 1, /* changes state: CSRF checked */
    ROUTE_CASE = 2,    /* CASE API: JSON always, imsx_StatusInfo errors, CORS */
    ROUTE_JSON = 4,    /* JSON only */
    ROUTE_CACHE = 8,   /* public read whose answer depends only on URL and framework data */
};

struct route {
    const char *method;
    const char *pattern; /* "/frameworks/{}/items/{}" */
    handler_fn handler;
    const char *template; /* page template; NULL for JSON-only routes */
    const char *perm;     /* permission needed: "public" for now */
    int flags;
};

extern const struct route routes[];
extern const int nroutes;

/*
 * Finds the route for method and path; fills r->params. Returns the route, or
 * NULL with *allowed set to 1 when the path exists under another method.
 */
const struct route *router_match(struct req *r, const char *method, const char *path, int *allowed);

/* Adds a response header (the strings must live as long as the request). */
void req_header(struct req *r, const char *name, const char *value);

/* A query argument, or NULL. */
const char *req_query(struct req *r, const char *name);

/* The base URL the client used ("http://host:port"), for absolute links. */
const char *req_base_url(struct req *r);

/* The svc context of this request. */
struct svc req_svc(struct req *r);

/* Sends the handler's result (or error) the way the route and client want. */
enum MHD_Result render_result(struct req *r, int rc, json_t *out, const struct cf_error *err);

/* Sends an error page/JSON for a request that matched no route or failed early. */
enum MHD_Result render_error(struct req *r, int status, const char *code, const char *message);

/* Sends a response taken from the cache. */
struct cbody;
enum MHD_Result render_cached(struct req *r, struct cbody *b);

/* Serves /static/NAME from memory. */
enum MHD_Result render_static(struct req *r, const char *name);

/* Loads static/ into memory (name -> body, type, etag). */
int web_load_statics(struct app *app, struct cf_error *err);

/* Runs the server until SIGTERM/SIGINT. Prints `listening on http://H:P`. */
int web_serve(struct app *app, const char *host, const char *port, int threads,
              struct cf_error *err);

/* Handlers (h_*.c). */
int h_home(struct req *r, json_t **out, struct cf_error *err);
int h_health(struct req *r, json_t **out, struct cf_error *err);
int h_frameworks(struct req *r, json_t **out, struct cf_error *err);
int h_framework(struct req *r, json_t **out, struct cf_error *err);
int h_framework_item(struct req *r, json_t **out, struct cf_error *err);
int h_crosswalk(struct req *r, json_t **out, struct cf_error *err);
int h_case_documents(struct req *r, json_t **out, struct cf_error *err);
int h_case_document(struct req *r, json_t **out, struct cf_error *err);
int h_case_package(struct req *r, json_t **out, struct cf_error *err);
int h_case_item(struct req *r, json_t **out, struct cf_error *err);
int h_case_item_associations(struct req *r, json_t **out, struct cf_error *err);
int h_case_association(struct req *r, json_t **out, struct cf_error *err);
int h_case_rubric(struct req *r, json_t **out, struct cf_error *err);

#endif
