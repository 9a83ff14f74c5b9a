/*
 * session.c — who is asking, and may they: the session cookie or API token,
 * the CSRF token, the request body, and the permission check of the route.
 *
 * Cookies: cf_session holds a session token (the database keeps its hash);
 * cf_pre is a random value given to a browser that has no session yet, so
 * the sign-in form has a CSRF token bound to something. Both are HttpOnly,
 * SameSite=Lax, Path=/, and Secure when the server is configured for TLS.
 *
 * CSRF: the token of a request is HMAC(key, cookie value), with the key kept
 * in the database (shared by every app process). A state-changing request
 * authenticated by cookie must send it back, in the form field "csrf" or the
 * X-CSRF-Token header; requests with an API token (Authorization: Bearer)
 * carry no ambient authority and need none.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sodium.h>

#include "web/form.h"
#include "web/multipart.h"
#include "web/web.h"

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char csrf_key[crypto_auth_hmacsha256_KEYBYTES];
static int have_key;

_Static_assert(SVC_CSRF_KEY_BYTES == crypto_auth_hmacsha256_KEYBYTES,
               "the CSRF key is an HMAC-SHA-256 key");

/*
 * The CSRF key, read from the database once per process (svc_csrf_key);
 * 0 when it cannot be read.
 */
static int load_key(struct store *s)
{
    int ok;

    pthread_mutex_lock(&key_lock);
    if (!have_key) {
        struct svc sv = {.store = s, .actor = "system"};

        if (svc_csrf_key(&sv, csrf_key, NULL) == CF_OK)
            have_key = 1;
    }
    ok = have_key;
    pthread_mutex_unlock(&key_lock);
    return ok;
}

static const char *csrf_for(struct req *r, const char *binding)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char *hex = arena_alloc(r->arena, 2 * sizeof mac + 1);

    if (hex == NULL || !load_key(r->store))
        return NULL;
    crypto_auth_hmacsha256(mac, (const unsigned char *)binding, strlen(binding), csrf_key);
    sodium_bin2hex(hex, 2 * sizeof mac + 1, mac, sizeof mac);
    return hex;
}

/* Secure when the public address is https, or a trusted proxy says the client used https. */
static const char *cookie_attrs(struct req *r)
{
    req_address(r); /* sets r->via_https */
    return r->app->secure_cookies || r->via_https ? "; Path=/; HttpOnly; SameSite=Lax; Secure"
                                                  : "; Path=/; HttpOnly; SameSite=Lax";
}

void req_set_session_cookie(struct req *r, const char *token)
{
    if (token != NULL) {
        req_header(r, "Set-Cookie",
                   arena_printf(r->arena, "cf_session=%s%s", token, cookie_attrs(r)));
        r->csrf = csrf_for(r, token);
    } else {
        req_header(r, "Set-Cookie",
                   arena_printf(r->arena, "cf_session=; Max-Age=0%s", cookie_attrs(r)));
    }
}

void req_redirect(struct req *r, const char *location)
{
    r->redirect = arena_strdup(r->arena, location);
}

/* --- the body ----------------------------------------------------------------- */

const char *req_field(struct req *r, const char *name)
{
    return json_string_value(json_object_get(r->form, name));
}

/* Parses the body by Content-Type. 0, or an HTTP status to refuse with. */
static int parse_body(struct req *r, const char **why)
{
    const char *type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");

    if (r->body.n == 0) {
        r->form = json_object();
        return 0;
    }
    if (type == NULL || strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
        if (web_form_parse(r->body.p != NULL ? r->body.p : "", r->body.n, &r->form) != CF_OK) {
            *why = "The form data is not valid (it must be UTF-8 text without NUL bytes).";
            return 400;
        }
        return 0;
    }
    if (strncasecmp(type, "application/json", 16) == 0) {
        json_error_t je;
        json_t *v = json_loadb(r->body.p, r->body.n, 0, &je);

        if (!json_is_object(v)) {
            json_decref(v);
            *why = arena_printf(r->arena, "The body is not a JSON object (line %d: %s).", je.line,
                                je.text);
            return 400;
        }
        r->form = v;
        return 0;
    }
    /* issue 8: a results file sent as it is (curl --data-binary @FILE.csv) is the field csv. */
    if (strncasecmp(type, "text/csv", 8) == 0) {
        r->form = json_pack("{s:s%}", "csv", r->body.p != NULL ? r->body.p : "", r->body.n);
        if (r->form == NULL) {
            *why = "The file is not UTF-8 text. Save it as UTF-8 and send it again.";
            return 400;
        }
        return 0;
    }
    /* issue 8 points 5-6: a form with a file (CE evidence). */
    if (strncasecmp(type, "multipart/form-data", 19) == 0) {
        char boundary[MP_BOUNDARY_MAX];

        r->files = arena_alloc(r->arena, MP_FILES_MAX * sizeof *r->files);
        if (r->files == NULL) {
            *why = "The server is short of memory. Try again in a moment.";
            return 503;
        }
        if (web_multipart_boundary(type, boundary, sizeof boundary) != 0 ||
            web_multipart_parse(r->body.p != NULL ? r->body.p : "", r->body.n, boundary, &r->form,
                                r->files, &r->nfiles) != CF_OK) {
            *why = "The form data is not valid multipart/form-data.";
            return 400;
        }
        return 0;
    }
    *why = "Send form data (application/x-www-form-urlencoded, or multipart/form-data with a "
           "file), a CSV file (text/csv) or JSON.";
    return 415;
}

/* --- who is asking -------------------------------------------------------------- */

/* Joins the values of every X-Forwarded-For header, in order, with commas. */
static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct buf *b = cls;

    (void)kind;
    if (strcasecmp(key, "X-Forwarded-For") == 0 && value != NULL)
        buf_printf(b, "%s%s", b->n > 0 ? "," : "", value);
    return MHD_YES;
}

/*
 * The TCP peer's address; when the peer is a trusted proxy (--trusted-proxy),
 * the client X-Forwarded-For names, and r->via_https from X-Forwarded-Proto.
 * From anyone else those headers change nothing.
 */
static const char *client_address(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    unsigned char a[CIDR_ADDR_LEN];
    char text[CIDR_TEXT_MAX] = "-";

    if (ci == NULL || cidr_addr_of(ci->client_addr, a) != 0)
        return arena_strdup(r->arena, text);
    if (cidr_list_contains(&r->app->trusted_proxies, a)) {
        const char *proto =
            MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
        struct buf xff;

        buf_init(&xff, 8192);
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, join_xff, &xff);
        if (xff.p != NULL)
            cidr_forwarded_for(&r->app->trusted_proxies, buf_str(&xff), a);
        buf_free(&xff);
        r->via_https = proto != NULL && strcasecmp(proto, "https") == 0;
    }
    cidr_addr_text(a, text);
    return arena_strdup(r->arena, text);
}

const char *req_address(struct req *r)
{
    return r->address != NULL ? r->address : (r->address = client_address(r));
}

static void adopt(struct req *r, json_t *person, json_t *grants, const char *via)
{
    r->person = person;
    r->who.person_id = json_string_value(json_object_get(person, "id"));
    r->who.grants = grants;
    r->who.via = via;
    r->actor = arena_printf(r->arena, "user:%s", r->who.person_id);
    /* Once per request: every later permission check is a lookup in memory. */
    if (svc_reach_resolve(r->store, &r->who, NULL) != CF_OK)
        r->who.reach = NULL; /* checks fall back to walking the tree */
}

/* 1 when a and b are equal strings, in constant time for equal lengths. */
static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
}

/*
 * Whether the principal holds the route's permission on what a scoped route
 * is about: the organization {} itself, or the organization of person {}.
 * A lookup in the reach resolved for this request (svc), plus one query to
 * find a person's organization.
 */
static int scope_allows(struct req *r)
{
    struct svc sv = req_svc(r);

    if (r->nparams < 1)
        return 0;
    if (r->route->scope == SCOPE_ORG)
        return svc_can_org(&sv, r->route->perm, r->params[0]);
    return svc_can_person(&sv, r->route->perm, r->params[0]);
}

enum MHD_Result web_authorize(struct req *r, int *done)
{
    struct svc sv;
    struct cf_error err;
    const char *auth = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cf_session");
    const char *pre = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cf_pre");
    const struct route *rt = r->route;
    int bearer = 0;

    *done = 0;
    cf_error_clear(&err);
    r->actor = "anonymous";

    /* 1. Who: an API token, else the session cookie. */
    if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
        json_t *person, *grants;

        bearer = 1;
        sv = req_svc(r);
        if (svc_token_principal(&sv, auth + 7, &person, &grants, &err) != CF_OK) {
            *done = 1;
            req_header(r, "WWW-Authenticate", "Bearer");
            return render_result(r, err.code == CF_EUNAUTH ? CF_EUNAUTH : err.code, NULL, &err);
        }
        adopt(r, person, grants, "token");
    } else if (cookie != NULL && cookie[0] != '\0') {
        json_t *person, *grants;

        sv = req_svc(r);
        if (svc_session_principal(&sv, cookie, &person, &grants, &err) == CF_OK) {
            adopt(r, person, grants, "session");
            r->session_token = arena_strdup(r->arena, cookie);
            r->csrf = csrf_for(r, cookie);
        } else {
            req_set_session_cookie(r, NULL); /* ended or unknown: forget it */
            r->session_ended = 1;
        }
    }
    if (r->csrf == NULL && !bearer && !(rt->flags & (ROUTE_CACHE | ROUTE_CASE | ROUTE_JSON))) {
        /* Not signed in: bind forms to a pre-session cookie (JSON-only routes have no forms:
         * /healthz reads nothing it does not need). */
        if (pre == NULL || strlen(pre) != 43) {
            unsigned char raw[32];
            char t[44];

            randombytes_buf(raw, sizeof raw);
            sodium_bin2base64(t, sizeof t, raw, sizeof raw,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING);
            pre = arena_strdup(r->arena, t);
            req_header(r, "Set-Cookie",
                       arena_printf(r->arena, "cf_pre=%s%s", pre, cookie_attrs(r)));
        }
        r->csrf = csrf_for(r, arena_printf(r->arena, "pre:%s", pre));
    }

    /* 2. The body. */
    if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
        strcmp(r->method, "PATCH") == 0 || strcmp(r->method, "DELETE") == 0) {
        const char *why = NULL;
        int st = parse_body(r, &why);

        if (st != 0) {
            *done = 1;
            return render_error(r, st, st == 415 ? "unsupported_media_type" : "invalid", why);
        }
    }

    /* 3. May they? */
    if (rt->perm != PERM_PUBLIC) {
        json_t *chain = NULL;
        int ok;

        if (r->who.person_id == NULL) {
            *done = 1;
            if (!r->want_json && strcmp(r->method, "GET") == 0) {
                req_redirect(r, arena_printf(r->arena, "/login?next=%s", r->path));
                return render_result(r, CF_OK, json_object(), &err);
            }
            cf_error_set(&err, CF_EUNAUTH, NULL,
                         r->session_ended ? "Your session has ended. Please sign in again."
                                          : "Please sign in.");
            return render_result(r, CF_EUNAUTH, NULL, &err);
        }
        if (rt->perm == PERM_SIGNED_IN) {
            ok = 1; /* signed in is enough, even with no role (yet, or any more) */
        } else if (rt->scope != SCOPE_NONE) {
            ok = scope_allows(r);
        } else
            ok = authz_allows(r->who.grants, rt->perm, NULL);
        json_decref(chain);
        if (!ok) {
            sv = req_svc(r);
            svc_audit_refusal(&sv, rt->scope != SCOPE_NONE ? "not found (scope)" : "forbidden",
                              r->method, r->path);
            *done = 1;
            if (rt->scope != SCOPE_NONE)
                return render_error(r, 404, "not_found", "There is no page at this address.");
            return render_error(r, 403, "forbidden",
                                "Your roles do not include this. Ask a program administrator "
                                "if you need it.");
        }
    }

    /* 4. CSRF on every state change made with a cookie (or none: the sign-in form). */
    if ((rt->flags & ROUTE_CHANGES) && !bearer) {
        const char *sent = req_field(r, "csrf");

        if (sent == NULL)
            sent = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (r->csrf == NULL || sent == NULL || !same(sent, r->csrf)) {
            sv = req_svc(r);
            svc_audit_refusal(&sv, "csrf", r->method, r->path);
            *done = 1;
            return render_error(r, 403, "csrf",
                                "This form has expired or did not come from this site. Go back, "
                                "reload the page and try again.");
        }
    }
    return MHD_YES;
}

const char *req_url_part(struct req *r, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), k = 0;
    char *o = arena_alloc(r->arena, 3 * n + 1);

    if (o == NULL)
        return "";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            o[k++] = (char)c;
        else {
            o[k++] = '%';
            o[k++] = hex[c >> 4];
            o[k++] = hex[c & 15];
        }
    }
    o[k] = '\0';
    return o;
}

const struct mp_file *req_file(struct req *r, const char *name)
{
    for (int i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].field, name) == 0 && r->files[i].n > 0)
            return &r->files[i];
    return NULL;
}

int req_upload_refused(struct req *r, int rc, json_t *problems, json_t **out, struct cf_error *err)
{
    if (rc != CF_EINVAL || problems == NULL || !r->want_json)
        return -1;
    /* Every bad cell with its line and column. */
    *out = json_pack("{s:{s:s, s:s, s:s}, s:O}", "error", "code", "invalid", "message",
                     err->message, "field", "file", "problems", problems);
    r->status_ok = 400;
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}
