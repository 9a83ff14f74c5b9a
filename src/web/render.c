/*
 * render.c — turning a handler's JSON value into a response.
 *
 * Every page is the rendering of the JSON document the same handler returns
 * to API clients: JSON when the client asks for it (Accept or .json), else the
 * route's template inside the layout. Every response gets the security
 * headers; successful GETs get an ETag and honour If-None-Match with 304.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "lib/mustache.h"
#include "lib/path.h"
#include "web/cache.h"
#include "web/web.h"

#define RESPONSE_MAX (16u * 1024u * 1024u)
#define STATIC_MAX   (4u * 1024u * 1024u) /* larger files in static/ are not served */

static const char CSP[] = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                          "script-src 'self'; connect-src 'self'; form-action 'self'; "
                          "base-uri 'none'; frame-ancestors 'none'";

void req_header(struct req *r, const char *name, const char *value)
{
    if (r->nhdr < REQ_MAX_HEADERS) {
        r->hdr_name[r->nhdr] = name;
        r->hdr_value[r->nhdr] = value;
        r->nhdr++;
    }
}

const char *req_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int req_is_case(const struct req *r)
{
    if (r->route != NULL)
        return (r->route->flags & ROUTE_CASE) != 0;
    return r->path != NULL && (strncmp(r->path, CASE_PREFIX "/", sizeof CASE_PREFIX) == 0 ||
                               strcmp(r->path, CASE_PREFIX) == 0);
}

/* Set once at start (serve.c): the configured public address, else the listening one. */
const char *req_base_url(struct req *r)
{
    return r->app->public_url;
}

struct svc req_svc(struct req *r)
{
    struct svc sv = {r->store, r->actor != NULL ? r->actor : "anonymous",
                     r->id,    req_base_url(r),
                     &r->who,  req_address(r)};

    return sv;
}

/* Weak ETag-free strong validator: a hash of the body. */
static void make_etag(const char *body, size_t n, char *etag, size_t en)
{
    unsigned char h[16];
    char hex[33];

    crypto_generichash(h, sizeof h, (const unsigned char *)body, n, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(etag, en, "\"%s\"", hex);
}

static int etag_matches(struct req *r, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");

    if (inm == NULL)
        return 0;
    if (strcmp(inm, "*") == 0)
        return 1;
    return strstr(inm, etag + 1) != NULL;
}

/* Headers every response carries, plus the ones this request asked for. */
static void add_headers(struct req *r, struct MHD_Response *res, int status, const char *type,
                        const char *etag, const char *cache)
{
    if (status != 304)
        MHD_add_response_header(res, "Content-Type", type);
    if (etag != NULL && etag[0] != '\0')
        MHD_add_response_header(res, "ETag", etag);
    MHD_add_response_header(res, "Cache-Control",
                            r->person != NULL ? "private, no-store"
                                              : (cache != NULL ? cache : "no-cache"));
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "X-Frame-Options", "DENY");
    MHD_add_response_header(res, "Referrer-Policy", "same-origin");
    MHD_add_response_header(res, "Content-Security-Policy", CSP);
    MHD_add_response_header(res, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(res, "X-Request-Id", r->id);
    if (req_is_case(r)) {
        MHD_add_response_header(res, "Access-Control-Allow-Origin", "*");
        MHD_add_response_header(res, "Access-Control-Expose-Headers", "ETag, X-Total-Count");
    }
    if (r->want_json || (r->route != NULL && r->route->template != NULL))
        MHD_add_response_header(res, "Vary", "Accept");
    for (int i = 0; i < r->nhdr; i++)
        MHD_add_response_header(res, r->hdr_name[i], r->hdr_value[i]);
}

static enum MHD_Result send_bytes(struct req *r);

static enum MHD_Result queue(struct req *r, int status, struct MHD_Response *res, size_t n)
{
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned int)status, res);

    MHD_destroy_response(res);
    r->status = status;
    r->sent = status == 304 || r->is_head ? 0 : n;
    return ret;
}

/*
 * Sends a shared cached body (no copy): 304 when If-None-Match names its
 * ETag. The response holds a reference until libmicrohttpd has sent it.
 */
static enum MHD_Result send_cbody(struct req *r, struct cbody *b, const char *cache)
{
    struct MHD_Response *res;
    int status = etag_matches(r, b->etag) ? 304 : 200;

    if (b->extra_name[0] != '\0')
        req_header(r, b->extra_name, b->extra_value);
    if (status == 304 || r->is_head) {
        res = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (res == NULL)
            return MHD_NO;
        add_headers(r, res, status, b->type, b->etag, cache);
        cbody_release(b);
        return queue(r, status, res, 0);
    }
    res = MHD_create_response_from_buffer_with_free_callback_cls(b->n, b->data, cbody_release, b);
    if (res == NULL) {
        cbody_release(b);
        return MHD_NO;
    }
    add_headers(r, res, status, b->type, b->etag, cache);
    return queue(r, status, res, b->n);
}

static const char *cache_control_of(const struct req *r)
{
    return r->route != NULL && (r->route->flags & ROUTE_CASE) ? "public, max-age=60" : "no-cache";
}

/*
 * Queues body (copied) with status and the headers every response carries.
 * For 200 GET/HEAD responses an ETag is added and If-None-Match may turn the
 * answer into 304 with no body; a cacheable answer is kept in the cache.
 */
static enum MHD_Result send_body(struct req *r, int status, const char *type, const char *body,
                                 size_t n, const char *cache)
{
    struct MHD_Response *res;
    char etag[40] = "";

    if (status == 200 && (strcmp(r->method, "GET") == 0 || r->is_head)) {
        make_etag(body, n, etag, sizeof etag);
        if (r->cache_key != NULL) {
            struct cbody *b = cbody_new(body, n, type, etag, r->nhdr > 0 ? r->hdr_name[0] : NULL,
                                        r->nhdr > 0 ? r->hdr_value[0] : NULL);

            if (b != NULL) {
                cache_put(r->cache_key, r->cache_gen, b);
                r->nhdr = 0; /* the body carries its extra header */
                return send_cbody(r, b, cache);
            }
        }
        if (etag_matches(r, etag)) {
            status = 304;
            n = 0;
        }
    }
    res = MHD_create_response_from_buffer(r->is_head || status == 304 ? 0 : n, (void *)body,
                                          MHD_RESPMEM_MUST_COPY);
    if (res == NULL)
        return MHD_NO;
    add_headers(r, res, status, type, etag, cache);
    return queue(r, status, res, n);
}

static enum MHD_Result send_json(struct req *r, int status, const json_t *v, const char *cache)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
    enum MHD_Result ret;

    if (text == NULL)
        return send_body(r, 500, "application/json", "{\"error\":{\"code\":\"internal\"}}", 29,
                         NULL);
    ret = send_body(r, status, "application/json; charset=utf-8", text, strlen(text), cache);
    free(text);
    return ret;
}

/* "2026-11-22T09:13:34Z" → "22 Nov 2026, 09:13 UTC"; 0 when s is not such a time. */
static int readable_time(const char *s, char *out, size_t n)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, mo, d, h, mi, sec;
    char z;

    if (strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 || z != 'Z' ||
        mo < 1 || mo > 12)
        return 0;
    snprintf(out, n, "%d %s %d, %02d:%02d UTC", d, months[mo - 1], y, h, mi);
    return 1;
}

static int is_time_key(const char *k)
{
    size_t n = strlen(k);

    return strcmp(k, "at") == 0 || strcmp(k, "last_seen") == 0 ||
           (n > 3 && strcmp(k + n - 3, "_at") == 0);
}

/*
 * Gives every time of the page data (keys "at", "last_seen", "*_at" holding
 * an ISO 8601 UTC time) a "<key>_text" sibling as people read it; templates
 * show that inside <time datetime="{{key}}">. depth bounds the walk.
 */
static void add_readable_times(json_t *v, int depth)
{
    const char *k;
    json_t *m;
    size_t i;

    if (depth > 12)
        return;
    if (json_is_array(v)) {
        json_array_foreach(v, i, m) add_readable_times(m, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    {
        json_t *add = json_object();

        json_object_foreach(v, k, m)
        {
            char text[64], key[128];

            if (json_is_string(m) && is_time_key(k) &&
                readable_time(json_string_value(m), text, sizeof text) &&
                snprintf(key, sizeof key, "%s_text", k) < (int)sizeof key)
                json_object_set_new(add, key, json_string(text));
            else if (json_is_object(m) || json_is_array(m))
                add_readable_times(m, depth + 1);
        }
        json_object_update(v, add); /* after the walk: no change while iterating */
        json_decref(add);
    }
}

/*
 * Renders template tpl with data (and the page's own data: path, user, menu)
 * into out, which the caller frees. CF_OK, or the template's error (logged).
 */
static int render_page(struct req *r, const char *tpl, json_t *data, struct buf *out)
{
    struct cf_error err;
    json_t *page = json_object();
    int rc;

    json_object_set_new(page, "path", json_string(r->path));
    json_object_set_new(page, "request_id", json_string(r->id));
    if (r->csrf != NULL)
        json_object_set_new(page, "csrf", json_string(r->csrf));
    if (r->person != NULL) {
        const json_t *g = r->who.grants;

        json_object_set_new(page, "user",
                            json_pack("{s:O, s:O, s:O}", "id", json_object_get(r->person, "id"),
                                      "name", json_object_get(r->person, "name"), "email",
                                      json_object_get(r->person, "email")));
        json_object_set_new(page, "base_url", json_string(req_base_url(r)));
        json_object_set_new(page, "nav",
                            json_pack("{s:b, s:b, s:b, s:b}", "people",
                                      authz_allows(g, PERM_PEOPLE_READ, NULL), "orgs",
                                      authz_allows(g, PERM_ORGS_READ, NULL), "audit",
                                      authz_allows(g, PERM_AUDIT_READ, NULL), "outbox",
                                      authz_allows(g, PERM_OUTBOX_READ, NULL)));
    }
    json_object_set(data, "page", page);
    json_decref(page);
    add_readable_times(data, 0);
    buf_init(out, RESPONSE_MAX);
    cf_error_clear(&err);
    rc = mustache_render(r->app->templates, tpl, data, out, &err);
    if (rc != CF_OK)
        fprintf(stderr, "rid=%s template %s: %s\n", r->id, tpl, err.message);
    return rc;
}

/* Sends out (rendered by render_page) as the page, or 500 text when rc says it failed. */
static enum MHD_Result send_rendered(struct req *r, int status, int rc, struct buf *out)
{
    enum MHD_Result ret;

    if (rc != CF_OK)
        ret = send_body(r, 500, "text/plain; charset=utf-8", "internal error\n", 15, NULL);
    else
        ret = send_body(r, status, "text/html; charset=utf-8", buf_str(out), out->n, NULL);
    buf_free(out);
    return ret;
}

/* Renders template tpl with data into a page; 500 text when that fails. */
static enum MHD_Result send_page(struct req *r, int status, const char *tpl, json_t *data)
{
    struct buf out;
    int rc = render_page(r, tpl, data, &out);

    return send_rendered(r, status, rc, &out);
}

static int status_of(int code)
{
    switch (code) {
    case CF_EINVAL:
        return 400;
    case CF_EUNAUTH:
        return 401;
    case CF_EFORBIDDEN:
        return 403;
    case CF_ENOTFOUND:
        return 404;
    case CF_ECONFLICT:
        return 409;
    case CF_ETOOBIG:
        return 413;
    case CF_ETOOMANY:
        return 429;
    case CF_EBUSY:
    case CF_EREADONLY:
        return 503;
    default:
        return 500;
    }
}

/* The CASE service's error body (imsx_StatusInfo). */
static json_t *imsx_status(int status, const char *message, const char *field)
{
    int is_field = field != NULL && status == 400;
    const char *minor = status == 404                                 ? "unknownobject"
                        : is_field && strcmp(field, "sort") == 0      ? "invalid_sort_field"
                        : is_field && strcmp(field, "filter") == 0    ? "invalid_filter_field"
                        : is_field && strcmp(field, "sourcedId") == 0 ? "invalid_uuid"
                        : status == 400                               ? "invalid_selection_field"
                        : status == 405                               ? "invalid_data"
                        : status == 503                               ? "server_busy"
                                                                      : "internal_server_error";

    return json_pack("{s:s, s:s, s:s, s:{s:[{s:s, s:s}]}}", "imsx_codeMajor", "failure",
                     "imsx_severity", "error", "imsx_description", message, "imsx_codeMinor",
                     "imsx_codeMinorField", "imsx_codeMinorFieldName", "TargetEndSystem",
                     "imsx_codeMinorFieldValue", minor);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "That request could not be understood";
    case 401:
        return "Please sign in";
    case 403:
        return "Not allowed";
    case 404:
        return "Page not found";
    case 405:
        return "Not available here";
    case 409:
        return "That cannot be done now";
    case 413:
        return "Too large";
    case 429:
        return "Too many requests";
    case 503:
        return "Temporarily unavailable";
    default:
        return "Something went wrong";
    }
}

/* The methods the request's path answers to ("GET, HEAD, POST"). */
static const char *allowed_methods(struct req *r)
{
    int get = 0, post = 0, allowed;
    struct req probe = *r;

    for (int i = 0; i < nroutes; i++) {
        const char *m = routes[i].method;

        if (router_match(&probe, m, r->path, &allowed) == &routes[i]) {
            get |= strcmp(m, "GET") == 0;
            post |= strcmp(m, "POST") == 0;
        }
    }
    return get && post ? "GET, HEAD, POST" : post ? "POST" : "GET, HEAD";
}

/* The further fields at fault of err, as [{field, message}] (NULL when there are none). */
static json_t *more_fields(const struct cf_error *err)
{
    json_t *more;

    if (err == NULL || err->nextra <= 0)
        return NULL;
    more = json_array();
    for (int i = 0; i < err->nextra && i < CF_ERROR_EXTRA; i++)
        json_array_append_new(more, json_pack("{s:s, s:s}", "field", err->extra[i].field, "message",
                                              err->extra[i].message));
    return more;
}

static enum MHD_Result send_error(struct req *r, int status, const char *code, const char *message,
                                  const char *field, const struct cf_error *err)
{
    json_t *v;
    enum MHD_Result ret;

    if (status == 405) {
        r->nhdr = 0;
        req_header(r, "Allow", allowed_methods(r));
    }
    if (req_is_case(r)) {
        v = imsx_status(status, message, field);
        ret = send_json(r, status, v, "no-store");
    } else if (r->want_json || r->app->templates == NULL) {
        json_t *more = more_fields(err);

        v = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
        if (field != NULL && field[0] != '\0')
            json_object_set_new(json_object_get(v, "error"), "field", json_string(field));
        /* Every further field at fault, so a client can mark them all. */
        if (more != NULL)
            json_object_set_new(json_object_get(v, "error"), "more", more);
        ret = send_json(r, status, v, "no-store");
    } else {
        v = json_pack("{s:{s:s, s:s, s:i, s:s}}", "error", "code", code, "message", message,
                      "status", status, "title", status_title(status));
        ret = send_page(r, status, "error", v);
    }
    json_decref(v);
    return ret;
}

static enum MHD_Result send_redirect(struct req *r, const char *location)
{
    const char *body = "<!doctype html><title>See other</title><p>Continue.</p>\n";

    /* Only paths every browser resolves to this site: never an open redirect. */
    location = path_local_or(location, "/");
    req_header(r, "Location", location);
    return send_body(r, 303, "text/html; charset=utf-8", body, strlen(body), "no-store");
}

/* What the summary above a form says when fields are at fault (they carry the messages). */
static const char ONE_FIELD[] = "Please correct the field marked below.";
static const char SOME_FIELDS[] = "Please correct the fields marked below.";

/* The longest element id a form's field may have (r->form_ids). */
#define ANCHOR_MAX 64

/*
 * The id of the element showing field on the form's page: from r->form_ids
 * ("field:id field:id"), else the field's own name. A new string.
 */
static json_t *anchor_of(const struct req *r, const char *field)
{
    size_t n = strlen(field);

    for (const char *p = r->form_ids; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ' ');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len > n + 1 && len - n - 1 < ANCHOR_MAX && strncmp(p, field, n) == 0 && p[n] == ':')
            return json_stringn(p + n + 1, len - n - 1);
        p = end != NULL ? end + 1 : p + len;
    }
    return json_string(field);
}

/*
 * The fields at fault of err, in order, each once: [{field, message, anchor}].
 */
static json_t *fields_at_fault(const struct req *r, const struct cf_error *err, const char *message)
{
    json_t *list = json_array(), *seen = json_object();

    for (int i = -1; i < err->nextra && i < CF_ERROR_EXTRA; i++) {
        const char *f = i < 0 ? err->field : err->extra[i].field;
        const char *m = i < 0 ? message : err->extra[i].message;

        if (f[0] == '\0' || json_object_get(seen, f) != NULL)
            continue;
        json_object_set_new(seen, f, json_string(m));
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "field", f, "message", m, "anchor",
                                              anchor_of(r, f)));
    }
    json_decref(seen);
    return list;
}

/*
 * The form again, with what was typed (never passwords) and each message
 * beside its field (data "errors": {field: message}). The summary at the top
 * (data "error") does not repeat them: with one field at fault it says only
 * ONE_FIELD, linked to the field; with several, SOME_FIELDS and "fields", a
 * list of the messages linked to their fields. A message about the form as a
 * whole, or about a field the page does not mark (no aria-invalid in the
 * rendered page: the field is not on it), is said in the summary itself.
 */
static enum MHD_Result send_form_again(struct req *r, int status, const char *code,
                                       const char *message, const struct cf_error *err)
{
    const char *tpl = r->form_template != NULL ? r->form_template : r->route->template;
    json_t *data = json_object(), *form = json_deep_copy(r->form != NULL ? r->form : NULL);
    json_t *errors = json_object(), *fields = fields_at_fault(r, err, message), *e;
    size_t nfields = json_array_size(fields), i;
    struct buf out;
    int rc;

    if (form == NULL)
        form = json_object();
    json_object_del(form, "password");
    json_object_del(form, "password2");
    json_object_del(form, "current");
    json_object_del(form, "csrf");
    json_array_foreach(fields, i, e)
    {
        json_object_set(errors, json_string_value(json_object_get(e, "field")),
                        json_object_get(e, "message"));
    }
    e = json_pack("{s:s, s:s, s:s, s:i}", "code", code, "message",
                  nfields == 0   ? message
                  : nfields == 1 ? ONE_FIELD
                                 : SOME_FIELDS,
                  "field", err->field, "status", status);
    if (nfields == 1)
        json_object_set(e, "anchor", json_object_get(json_array_get(fields, 0), "anchor"));
    if (nfields > 1) {
        json_object_set(e, "fields", fields);
        json_object_set_new(e, "several", json_true());
    }
    json_object_set_new(data, "error", e);
    json_object_set_new(data, "errors", errors);
    json_object_set_new(data, "form", form);
    if (r->nparams > 0)
        json_object_set_new(data, "token", json_string(r->params[0]));
    /* The page the form lives on may need its own data (the person, the organization). */
    if (r->form_page != NULL) {
        json_t *extra = r->form_page;
        const char *k;
        json_t *v;

        json_object_foreach(extra, k, v) if (json_object_get(data, k) == NULL)
            json_object_set(data, k, v);
    }
    rc = render_page(r, tpl, data, &out);
    if (rc == CF_OK && nfields == 1 && strstr(buf_str(&out), "aria-invalid=\"true\"") == NULL) {
        /* The page has no place for this field: the summary says the message itself. */
        buf_free(&out);
        json_object_set_new(e, "message", json_string(message));
        json_object_del(e, "anchor");
        rc = render_page(r, tpl, data, &out);
    }
    json_decref(fields);
    json_decref(data);
    return send_rendered(r, status, rc, &out);
}

enum MHD_Result render_error(struct req *r, int status, const char *code, const char *message)
{
    return send_error(r, status, code, message, NULL, NULL);
}

enum MHD_Result render_result(struct req *r, int rc, json_t *out, const struct cf_error *err)
{
    enum MHD_Result ret;

    if (rc != CF_OK) {
        int status = status_of(rc);
        const char *msg = err->message[0] != '\0' ? err->message : cf_strerror(rc);

        json_decref(out);
        if (status >= 500) {
            fprintf(stderr, "rid=%s %s %s failed: %s\n", r->id, r->method, r->path, msg);
            msg = rc == CF_EREADONLY
                      ? "Changes cannot be saved right now: the database is read-only "
                        "(maintenance, or a read-only copy). Please try again later."
                      : "Something went wrong on our side. Please try again; if it keeps "
                        "happening, tell your administrator the request id.";
        }
        /* A form comes back with the message beside its field and what was typed kept (a
         * GET form too, when its handler gave the page's data). */
        if (status < 500 && status != 404 && !r->want_json && r->route != NULL &&
            r->route->template != NULL && (strcmp(r->method, "POST") == 0 || r->form_page != NULL))
            return send_form_again(r, status, cf_err_name(rc), msg, err);
        return send_error(r, status, cf_err_name(rc), msg, err->field, err);
    }
    if (r->bytes.type != NULL) {
        json_decref(out);
        return send_bytes(r);
    }
    if (r->redirect != NULL && !r->want_json) {
        json_decref(out);
        return send_redirect(r, r->redirect);
    }
    if (r->want_json || r->route->template == NULL)
        ret = send_json(r, r->status_ok != 0 ? r->status_ok : 200, out,
                        r->person != NULL ? "private, no-store" : cache_control_of(r));
    else
        ret = send_page(r, r->status_ok != 0 ? r->status_ok : 200, r->route->template, out);
    json_decref(out);
    return ret;
}

/* --- bytes out ------------------------------------------------------------- */

void req_bytes(struct req *r, const char *type, const char *filename, const char *data, size_t n)
{
    r->bytes.type = type;
    r->bytes.filename = filename;
    r->bytes.data = data;
    r->bytes.n = n;
}

int req_report(struct req *r, const json_t *rep, const char *format, const char *filename,
               struct cf_error *err)
{
    char *data = NULL, *copy;
    const char *type = NULL;
    size_t n = 0;
    int rc = svc_report_file(rep, format, &data, &n, &type, err);

    if (rc != CF_OK)
        return rc;
    copy = arena_alloc(r->arena, n + 1);
    if (copy == NULL) {
        free(data);
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    }
    memcpy(copy, data, n);
    free(data);
    req_bytes(r, type, filename, copy, n);
    return CF_OK;
}

void req_stream(struct req *r, const char *type, const char *filename, struct svc_stream *stream)
{
    svc_stream_free(r->bytes.stream); /* a handler that changed its mind */
    r->bytes.type = type;
    r->bytes.filename = filename;
    r->bytes.data = NULL;
    r->bytes.n = 0;
    r->bytes.stream = stream;
}

/* A streamed answer: the stream, and the request's byte count for the access log. */
struct out_stream {
    struct svc_stream *s;
    size_t *sent; /* the request lives until its answer is complete, past the last read */
};

/* libmicrohttpd pulls the next bytes of a streamed answer (on the request's worker thread). */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct out_stream *o = cls;
    struct cf_error err;
    long n;

    (void)pos;
    cf_error_clear(&err);
    n = svc_stream_read(o->s, buf, max, &err);
    if (n > 0) {
        *o->sent += (size_t)n;
        return (ssize_t)n;
    }
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    /* Too late for an error status: the answer is cut short (no last chunk), so the client
     * sees it is incomplete. */
    fprintf(stderr, "streamed answer failed: %s\n", err.message);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
    struct out_stream *o = cls;

    svc_stream_free(o->s);
    free(o);
}

/*
 * Content-Disposition for a file name: attachment; filename="…" with only
 * characters every client reads the same way (others become '_').
 */
static const char *disposition(struct req *r, const char *filename)
{
    size_t n = strlen(filename);
    char *safe = arena_alloc(r->arena, n + 1);

    if (safe == NULL)
        return "attachment";
    for (size_t i = 0; i < n; i++) {
        char c = filename[i];

        safe[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '-' || c == '_'
                      ? c
                      : '_';
    }
    safe[n] = '\0';
    return arena_printf(r->arena, "attachment; filename=\"%s\"", safe);
}

/*
 * Sends a result that is bytes (req_bytes, req_stream): as they are, with
 * their type and, for an attachment, its file name. Never cached by the
 * server or shared caches: such results are made for the one asking.
 */
static enum MHD_Result send_bytes(struct req *r)
{
    struct MHD_Response *res;

    if (r->bytes.filename != NULL)
        req_header(r, "Content-Disposition", disposition(r, r->bytes.filename));
    r->cache_key = NULL;
    if (r->bytes.stream == NULL)
        return send_body(r, 200, r->bytes.type, r->bytes.data != NULL ? r->bytes.data : "",
                         r->bytes.n, "private, no-store");
    if (r->is_head) {
        res = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        /* From here the response owns the stream (and frees it, also if this fails). */
        struct out_stream *o = malloc(sizeof *o);

        if (o == NULL)
            return MHD_NO; /* on_completed frees the stream */
        o->s = r->bytes.stream;
        o->sent = &r->sent;
        r->bytes.stream = NULL;
        res = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, o,
                                                stream_free);
        if (res == NULL)
            stream_free(o);
    }
    if (res == NULL)
        return MHD_NO;
    add_headers(r, res, 200, r->bytes.type, NULL, "private, no-store");
    return queue(r, 200, res, 0); /* r->sent grows as the stream is read */
}

enum MHD_Result render_cached(struct req *r, struct cbody *b)
{
    return send_cbody(r, b, cache_control_of(r));
}

/* --- static files --------------------------------------------------------- */

static const char *mime_of(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot == NULL)
        return "application/octet-stream";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    if (strcmp(dot, ".png") == 0)
        return "image/png";
    if (strcmp(dot, ".ico") == 0)
        return "image/x-icon";
    if (strcmp(dot, ".txt") == 0)
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

/* Orders static files by name, for bsearch. */
static int static_cmp(const void *a, const void *b)
{
    return strcmp(((const struct static_file *)a)->name, ((const struct static_file *)b)->name);
}

/* Reads one file whole (at most max bytes) into a new buffer; NULL when it cannot. */
static char *read_whole(const char *path, size_t max, size_t *n)
{
    struct stat sb;
    FILE *f;
    char *data;

    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max)
        return NULL;
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    data = malloc((size_t)sb.st_size + 1);
    if (data != NULL && fread(data, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *n = (size_t)sb.st_size;
    return data;
}

int web_load_statics(struct app *app, struct cf_error *err)
{
    char dir[4096];
    DIR *d;
    struct dirent *de;
    int cap = 0;

    app->statics = NULL;
    app->nstatics = 0;
    snprintf(dir, sizeof dir, "%s/static", app->home);
    d = opendir(dir);
    if (d == NULL)
        return cf_error_set(
            err, CF_EIO, "home",
            "Cannot open %s. Set CTOFRAME_HOME to the folder that holds static/ and templates/.",
            dir);
    while ((de = readdir(d)) != NULL) {
        char path[4400];
        struct static_file *f;
        size_t n = 0;
        char *data;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        data = read_whole(path, STATIC_MAX, &n);
        if (data == NULL)
            continue;
        if (app->nstatics == cap) {
            int ncap = cap > 0 ? 2 * cap : 16;
            struct static_file *more = realloc(app->statics, (size_t)ncap * sizeof *more);

            if (more == NULL) {
                free(data);
                closedir(d);
                return cf_error_set(err, CF_ENOMEM, NULL,
                                    "Out of memory while loading %s. Try again.", dir);
            }
            app->statics = more;
            cap = ncap;
        }
        f = &app->statics[app->nstatics];
        f->name = strdup(de->d_name);
        if (f->name == NULL) {
            free(data);
            continue;
        }
        f->body = data;
        f->n = n;
        f->type = mime_of(de->d_name);
        make_etag(data, n, f->etag, sizeof f->etag);
        app->nstatics++;
    }
    closedir(d);
    if (app->nstatics > 0)
        qsort(app->statics, (size_t)app->nstatics, sizeof *app->statics, static_cmp);
    return CF_OK;
}

void web_free_statics(struct app *app)
{
    for (int i = 0; i < app->nstatics; i++) {
        free(app->statics[i].name);
        free(app->statics[i].body);
    }
    free(app->statics);
    app->statics = NULL;
    app->nstatics = 0;
}

/* Sends static/NAME as its raw bytes (kept in memory for the life of the server). */
enum MHD_Result render_static(struct req *r, const char *name)
{
    struct static_file key = {.name = (char *)(uintptr_t)name};
    const struct static_file *f = r->app->nstatics > 0
                                      ? bsearch(&key, r->app->statics, (size_t)r->app->nstatics,
                                                sizeof *r->app->statics, static_cmp)
                                      : NULL;
    struct MHD_Response *res;
    int status;

    if (f == NULL || strchr(name, '/') != NULL)
        return render_error(r, 404, "not_found", "There is no file at this address.");
    status = etag_matches(r, f->etag) ? 304 : 200;
    res = MHD_create_response_from_buffer(status == 304 || r->is_head ? 0 : f->n, f->body,
                                          MHD_RESPMEM_PERSISTENT);
    if (res == NULL)
        return MHD_NO;
    add_headers(r, res, status, f->type, f->etag, "public, max-age=3600");
    return queue(r, status, res, f->n);
}
