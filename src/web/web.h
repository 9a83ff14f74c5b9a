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

#include "core/authz.h"
#include "lib/arena.h"
#include "lib/cidr.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "store/store.h"
#include "svc/svc.h"

struct mustache_set;
struct mp_file;
struct svc_stream;

/* One file of static/, held in memory as raw bytes. */
struct static_file {
    char *name;
    char *body;
    size_t n;
    const char *type;
    char etag[40];
};

/* What the whole server shares (read-only after start). */
struct app {
    const char *db_url;
    const char *home; /* templates/, static/, data/ */
    struct mustache_set *templates;
    struct static_file *statics; /* static/, loaded at start (web_load_statics) */
    int nstatics;
    size_t max_body;        /* bytes */
    size_t max_upload;      /* bytes of a ROUTE_UPLOAD body (>= max_body); see server.c */
    int quiet;              /* no access log */
    int secure_cookies;     /* cookies marked Secure (served over TLS) */
    const char *public_url; /* base of links and absolute URLs ("https://host[:port]"): the
                               configured public address, else the listening address; never
                               taken from a request */
    struct cidr_list trusted_proxies; /* peers whose X-Forwarded-For/-Proto count (n 0: none) */
    int max_conns;                    /* open connections in all; more are answered 503 */
    int max_conns_per_addr;  /* open connections per client address (not trusted proxies) */
    int header_ms;           /* a request's headers must be complete this long after it began */
    int body_ms;             /* its body must be complete this long after the headers */
    const char *setup_token; /* first run: printed as a setup link once listening */
    int mail_delivery;       /* this process delivers the outbox (serve --smtp) */
};

#define REQ_MAX_PARAMS  4
#define REQ_MAX_HEADERS 12

struct route;
struct conn_node;

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
    struct buf body; /* request body, capped at app->max_body (max_upload for an upload) */
    int body_too_big;
    int upload;       /* the route is a ROUTE_UPLOAD */
    int uploads_busy; /* refused: other uploads hold the server's upload bytes */
    size_t reserved;  /* bytes beyond max_body counted against WEB_UPLOADS_MAX */
    double t0;        /* start, monotonic ms */
    /* response extras set by handlers */
    const char *hdr_name[REQ_MAX_HEADERS];
    const char *hdr_value[REQ_MAX_HEADERS];
    int nhdr;
    const char *cache_key; /* set when the answer may be cached (ROUTE_CACHE) */
    int64_t cache_gen;
    int status; /* for the access log */
    size_t sent;
    /* who is asking (server.c: session cookie or API token) */
    struct principal who;
    json_t *person;            /* the signed-in person, or NULL */
    const char *session_token; /* the session cookie's value, or NULL */
    const char *csrf;          /* the token forms must send back */
    json_t *form;              /* the parsed body (form fields or JSON object), or NULL */
    const char *redirect;      /* set by a handler: answer 303 to this (HTML clients) */
    int status_ok;             /* set by a handler: success status other than 200 */
    const char *actor;         /* "user:<id>" or "anonymous" (audit) */
    const char *address;       /* client address, once asked for */
    int session_ended;         /* the request carried a session cookie that no longer works */
    json_t *form_page;         /* set by a POST handler: the page data a failed form needs */
    const char *form_template; /* set by a POST handler: the failed form's page, when it is not
                                  the route's (a form posted from another page) */
    const char *form_ids;      /* set by a handler whose form's inputs are not named by their
                                  field: "field:id field:id" (render.c links the summary there) */
    struct req_bytes {         /* set by a handler whose result is bytes: req_bytes() */
        const char *type;      /* Content-Type; NULL: the result is JSON */
        const char *filename;  /* NULL: inline; else sent as an attachment of this name */
        const char *data;      /* all the bytes (living as long as the request), or */
        size_t n;
        struct svc_stream *stream; /* bytes read a page at a time (owned by the request) */
    } bytes;
    struct conn_node *node; /* server.c: the connection's deadlines */
    const char *bad;        /* server.c: why the request is malformed (answered 400) */
    int via_https;          /* a trusted proxy says the client used https */
    /* issue 8 points 5-6: the files of a multipart/form-data body (session.c) */
    struct mp_file *files;
    int nfiles;
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

    /* with ROUTE_CACHE: the answer depends on URL and registry data instead (issue 8) */
    ROUTE_REGISTRY = 16,

    /* a file upload: its body may hold app->max_upload bytes, the bytes beyond max_body counted
     * against WEB_UPLOADS_MAX for all uploads in flight together */
    ROUTE_UPLOAD = 32,
};

/* Bytes of upload bodies beyond max_body held at once by the whole server: more are refused
 * (413, "try again") so that large uploads cannot exhaust memory. */
#define WEB_UPLOADS_MAX (128u * 1024u * 1024u)

/* What a route's permission is checked against. */
enum route_scope {
    SCOPE_NONE,   /* the permission held anywhere; refused → 403 */
    SCOPE_ORG,    /* the organization {} (first parameter); refused → 404 */
    SCOPE_PERSON, /* the organization of person {} (first parameter); refused → 404 */
};

struct route {
    const char *method;
    const char *pattern; /* "/frameworks/{}/items/{}" */
    handler_fn handler;
    const char *template; /* page template (for a POST: the form shown again on error) */
    enum perm perm;       /* permission needed; PERM_UNSET is refused (and fails the tests) */
    enum route_scope scope;
    int flags;
};

/* "none", "org" or "person". */
const char *route_scope_name(enum route_scope s);

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

/*
 * The base of absolute links ("https://host[:port]"): the server's public
 * address, never anything the request says.
 */
const char *req_base_url(struct req *r);

/* Where the CASE 1.0 service lives. */
#define CASE_PREFIX "/ims/case/v1p0"

/*
 * 1 when the request belongs to the CASE service: a CASE route, or an
 * address under CASE_PREFIX that no route answers (it answers as the
 * service does: imsx_StatusInfo JSON with CORS, never an HTML page).
 */
int req_is_case(const struct req *r);

/* The svc context of this request (acting as the signed-in person). */
struct svc req_svc(struct req *r);

/* A form or JSON body field as a string, or NULL. */
const char *req_field(struct req *r, const char *name);

/* Sets the session cookie (token NULL: clears it). */
void req_set_session_cookie(struct req *r, const char *token);

/* Answers HTML clients with 303 to location (JSON clients get the handler's value). */
void req_redirect(struct req *r, const char *location);

/*
 * s percent-encoded for a URL's path segment, query or fragment (letters, digits, '-', '.',
 * '_', '~' kept), in the request's arena; "" when memory runs out. An item's identifier may
 * hold any other character.
 */
const char *req_url_part(struct req *r, const char *s);

/* The uploaded file of form field name (a non-empty one), or NULL. */
const struct mp_file *req_file(struct req *r, const char *name);

/*
 * For a JSON client whose upload svc refused with problems [{line, column, message}] (rc
 * CF_EINVAL): *out = {error: {code, message, field: "file"}, problems} with status 400, and
 * CF_OK (or CF_ENOMEM). Returns -1 and leaves *out alone otherwise (an HTML client, another
 * refusal): the caller shows its page again.
 */
int req_upload_refused(struct req *r, int rc, json_t *problems, json_t **out, struct cf_error *err);

/*
 * The client's IP address as text: the TCP peer, or, when the peer is a
 * trusted proxy, the client X-Forwarded-For names (see lib/cidr.h).
 */
const char *req_address(struct req *r);

/*
 * Before the handler (session.c): finds who is asking (API token or session
 * cookie), parses the body, checks the route's permission and, for state
 * changes, the CSRF token. When it has answered the request itself (refusal)
 * *done is 1 and the result is the answer's.
 */
enum MHD_Result web_authorize(struct req *r, int *done);

/* Sends the handler's result (or error) the way the route and client want. */
enum MHD_Result render_result(struct req *r, int rc, json_t *out, const struct cf_error *err);

/* Sends an error page/JSON for a request that matched no route or failed early. */
enum MHD_Result render_error(struct req *r, int status, const char *code, const char *message);

/* Sends a response taken from the cache. */
struct cbody;
enum MHD_Result render_cached(struct req *r, struct cbody *b);

/* Serves /static/NAME from memory. */
enum MHD_Result render_static(struct req *r, const char *name);

/* Loads the files of static/ into memory, as raw bytes of any type. */
int web_load_statics(struct app *app, struct cf_error *err);

/* Frees what web_load_statics loaded. */
void web_free_statics(struct app *app);

/*
 * Makes the request's result bytes instead of a JSON value: data (n bytes,
 * living as long as the request, e.g. in r->arena) of Content-Type type,
 * sent as an attachment named filename (NULL: shown inline). The handler then
 * returns CF_OK with *out NULL. Bytes are always sent as they are: an HTML
 * client gets no page around them.
 */
void req_bytes(struct req *r, const char *type, const char *filename, const char *data, size_t n);
/*
 * The report rep ({report, columns, rows}: svc_report_file) as a download of format
 * ("csv" or "xlsx") named filename (arena text); the bytes are copied into the arena.
 */
int req_report(struct req *r, const json_t *rep, const char *format, const char *filename,
               struct cf_error *err);

/*
 * Like req_bytes, with the bytes read from stream a page at a time while they
 * are sent (chunked), so a large export never sits in memory whole. The
 * request owns stream from now on (freed when the answer is done, or fails).
 */
void req_stream(struct req *r, const char *type, const char *filename, struct svc_stream *stream);

/*
 * Opens the listening socket on host:port (port "0": a free one). *fd is the
 * socket; where gets the bound address as "H:P" ("[H]:P" for IPv6).
 */
int web_listen(const char *host, const char *port, int *fd, char *where, size_t wn,
               struct cf_error *err);

/*
 * Serves on the listening socket fd (bound at where) until SIGTERM/SIGINT,
 * then closes it. Prints `listening on http://WHERE`.
 */
int web_serve(struct app *app, int fd, const char *where, int threads, struct cf_error *err);

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
int h_case_api(struct req *r, json_t **out, struct cf_error *err);
/* h_auth.c */
int h_login_form(struct req *r, json_t **out, struct cf_error *err);
int h_login(struct req *r, json_t **out, struct cf_error *err);
int h_logout(struct req *r, json_t **out, struct cf_error *err);
int h_setup_form(struct req *r, json_t **out, struct cf_error *err);
int h_setup(struct req *r, json_t **out, struct cf_error *err);
int h_invite_form(struct req *r, json_t **out, struct cf_error *err);
int h_invite(struct req *r, json_t **out, struct cf_error *err);
int h_reset_request_form(struct req *r, json_t **out, struct cf_error *err);
int h_reset_request(struct req *r, json_t **out, struct cf_error *err);
int h_reset_form(struct req *r, json_t **out, struct cf_error *err);
int h_reset(struct req *r, json_t **out, struct cf_error *err);
int h_me(struct req *r, json_t **out, struct cf_error *err);
int h_dashboard(struct req *r, json_t **out, struct cf_error *err);
int h_account(struct req *r, json_t **out, struct cf_error *err);
int h_logout_everywhere(struct req *r, json_t **out, struct cf_error *err);
int h_outbox_retry(struct req *r, json_t **out, struct cf_error *err);
int h_session_end(struct req *r, json_t **out, struct cf_error *err);
int h_person_update(struct req *r, json_t **out, struct cf_error *err);
int h_password_change(struct req *r, json_t **out, struct cf_error *err);
int h_token_create(struct req *r, json_t **out, struct cf_error *err);
int h_token_revoke(struct req *r, json_t **out, struct cf_error *err);
int h_account_export(struct req *r, json_t **out, struct cf_error *err);
/* h_admin.c */
int h_people(struct req *r, json_t **out, struct cf_error *err);
int h_people_add(struct req *r, json_t **out, struct cf_error *err);
int h_person(struct req *r, json_t **out, struct cf_error *err);
int h_person_grant(struct req *r, json_t **out, struct cf_error *err);
int h_person_revoke(struct req *r, json_t **out, struct cf_error *err);
int h_person_disable(struct req *r, json_t **out, struct cf_error *err);
int h_person_enable(struct req *r, json_t **out, struct cf_error *err);
int h_person_reinvite(struct req *r, json_t **out, struct cf_error *err);
int h_person_erase(struct req *r, json_t **out, struct cf_error *err);
int h_person_erase_confirm(struct req *r, json_t **out, struct cf_error *err);
int h_person_export(struct req *r, json_t **out, struct cf_error *err);
int h_orgs(struct req *r, json_t **out, struct cf_error *err);
int h_orgs_add(struct req *r, json_t **out, struct cf_error *err);
int h_org(struct req *r, json_t **out, struct cf_error *err);
int h_org_update(struct req *r, json_t **out, struct cf_error *err);
int h_org_delete_confirm(struct req *r, json_t **out, struct cf_error *err);
int h_org_delete(struct req *r, json_t **out, struct cf_error *err);
int h_audit(struct req *r, json_t **out, struct cf_error *err);
int h_audit_csv(struct req *r, json_t **out, struct cf_error *err);
int h_outbox(struct req *r, json_t **out, struct cf_error *err);
/* h_program.c */
int h_programs(struct req *r, json_t **out, struct cf_error *err);
int h_program(struct req *r, json_t **out, struct cf_error *err);
int h_program_save(struct req *r, json_t **out, struct cf_error *err);

/* applying and reviewing (issue 8 point 2: h_application.c) */
int h_apply(struct req *r, json_t **out, struct cf_error *err);
int h_apply_save(struct req *r, json_t **out, struct cf_error *err);
int h_application(struct req *r, json_t **out, struct cf_error *err);
int h_application_withdraw(struct req *r, json_t **out, struct cf_error *err);
int h_application_answer(struct req *r, json_t **out, struct cf_error *err);
int h_application_appeal(struct req *r, json_t **out, struct cf_error *err);
int h_review_queue(struct req *r, json_t **out, struct cf_error *err);
int h_review(struct req *r, json_t **out, struct cf_error *err);
int h_review_decide(struct req *r, json_t **out, struct cf_error *err);
int h_review_conflict(struct req *r, json_t **out, struct cf_error *err);
int h_supervisor(struct req *r, json_t **out, struct cf_error *err);
int h_supervisor_sign(struct req *r, json_t **out, struct cf_error *err);

/* h_credential.c (issue 8: exam results and credentials) */
int h_results_form(struct req *r, json_t **out, struct cf_error *err);
int h_results_import(struct req *r, json_t **out, struct cf_error *err);
int h_credentials(struct req *r, json_t **out, struct cf_error *err);
int h_credential(struct req *r, json_t **out, struct cf_error *err);
int h_credential_act(struct req *r, json_t **out, struct cf_error *err);
int h_credential_certificate(struct req *r, json_t **out, struct cf_error *err);
int h_my_credentials(struct req *r, json_t **out, struct cf_error *err);
/* h_ce.c (issue 8 points 5-6: continuing education, renewal) */
int h_ce_mine(struct req *r, json_t **out, struct cf_error *err);
int h_ce_page(struct req *r, json_t **out, struct cf_error *err);
int h_ce_log(struct req *r, json_t **out, struct cf_error *err);
int h_ce_renew(struct req *r, json_t **out, struct cf_error *err);
int h_ce_queue(struct req *r, json_t **out, struct cf_error *err);
int h_ce_decide(struct req *r, json_t **out, struct cf_error *err);
int h_ce_audit(struct req *r, json_t **out, struct cf_error *err);
int h_ce_import_form(struct req *r, json_t **out, struct cf_error *err);
int h_ce_import(struct req *r, json_t **out, struct cf_error *err);
int h_ce_evidence(struct req *r, json_t **out, struct cf_error *err);
/* h_registry.c: the public registry and verification (issue 8 point 7) */
int h_registry(struct req *r, json_t **out, struct cf_error *err);
int h_verify(struct req *r, json_t **out, struct cf_error *err);
int h_my_registry(struct req *r, json_t **out, struct cf_error *err);
int h_my_registry_set(struct req *r, json_t **out, struct cf_error *err);
/* h_report.c: the program's reports (issue 8 point 8) */
int h_reports(struct req *r, json_t **out, struct cf_error *err);
int h_report(struct req *r, json_t **out, struct cf_error *err);

/* h_evaluation.c: evaluations against the framework's rubric (issue 9) */
int h_evals(struct req *r, json_t **out, struct cf_error *err);
int h_eval_new(struct req *r, json_t **out, struct cf_error *err);
int h_eval_create(struct req *r, json_t **out, struct cf_error *err);
int h_eval(struct req *r, json_t **out, struct cf_error *err);
int h_eval_rater_add(struct req *r, json_t **out, struct cf_error *err);
int h_eval_rater_remove(struct req *r, json_t **out, struct cf_error *err);
int h_eval_rater_reopen(struct req *r, json_t **out, struct cf_error *err);
int h_eval_act(struct req *r, json_t **out, struct cf_error *err);
int h_eval_rate(struct req *r, json_t **out, struct cf_error *err);
int h_eval_rate_save(struct req *r, json_t **out, struct cf_error *err);
int h_eval_answer(struct req *r, json_t **out, struct cf_error *err);
int h_link_rate(struct req *r, json_t **out, struct cf_error *err);
int h_link_rate_save(struct req *r, json_t **out, struct cf_error *err);
int h_link_answer(struct req *r, json_t **out, struct cf_error *err);
int h_eval_export(struct req *r, json_t **out, struct cf_error *err);
int h_readiness(struct req *r, json_t **out, struct cf_error *err);
/* h_eval_views.c: the team heatmap and the aggregates of evaluations (issue 9 point 6) */
int h_eval_team(struct req *r, json_t **out, struct cf_error *err);
int h_eval_aggregate(struct req *r, json_t **out, struct cf_error *err);
/* h_growth.c: growth plans (issue 9 point 5) */
int h_plans(struct req *r, json_t **out, struct cf_error *err);
int h_plan(struct req *r, json_t **out, struct cf_error *err);
int h_plan_create(struct req *r, json_t **out, struct cf_error *err);
int h_plan_act(struct req *r, json_t **out, struct cf_error *err);
int h_plan_export(struct req *r, json_t **out, struct cf_error *err);
/* h_forms.c: exam forms (issue 10 point 3) */
int h_forms(struct req *r, json_t **out, struct cf_error *err);
int h_form_create(struct req *r, json_t **out, struct cf_error *err);
int h_form(struct req *r, json_t **out, struct cf_error *err);
int h_form_act(struct req *r, json_t **out, struct cf_error *err);
/* The form page's view of form code (h_forms.c), for the handlers that show it again. */
int h__form_page(struct req *r, const char *code, json_t **out, struct cf_error *err);
/* h_responses.c: a form's response file and item analysis (issue 10 points 4 and 5) */
int h_form_responses(struct req *r, json_t **out, struct cf_error *err);
int h_form_analysis(struct req *r, json_t **out, struct cf_error *err);
int h_form_send_back(struct req *r, json_t **out, struct cf_error *err);
/* h_bank.c: the item bank's pages (issue 10 point 1) */
int h_bank(struct req *r, json_t **out, struct cf_error *err);
int h_bank_sets(struct req *r, json_t **out, struct cf_error *err);
int h_bank_item(struct req *r, json_t **out, struct cf_error *err);
int h_bank_move(struct req *r, json_t **out, struct cf_error *err);
int h_bank_comment(struct req *r, json_t **out, struct cf_error *err);
/* h_study.c: a form's Angoff study (issue 10 point 7) */
int h_study(struct req *r, json_t **out, struct cf_error *err);
int h_study_act(struct req *r, json_t **out, struct cf_error *err);
int h_study_round(struct req *r, json_t **out, struct cf_error *err);
/* Adds the form's adopted cut (cut_raw, and cut_text when set) to form, the form page's view. */
void h__study_on_form(struct req *r, const char *code, json_t *form);
/* h_calibration.c: a form's Rasch calibration (issue 10 point 6) */
int h_form_calibrate(struct req *r, json_t **out, struct cf_error *err);
int h_form_calibration(struct req *r, json_t **out, struct cf_error *err);
/* h_eval_report.c: the printable evaluation report as a PDF (issue 9 point 4) */
int h_eval_report(struct req *r, json_t **out, struct cf_error *err);

#endif
