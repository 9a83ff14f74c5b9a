/*
 * svc.h — the use cases. One function per action, shared by the CLI, the
 * JSON API and the HTML pages so the three can never disagree.
 *
 * Each takes a struct svc (who is acting, through which store) and returns
 * CF_OK with a new JSON value in *out, or an error with err filled (and *out
 * NULL). Changing actions run in one transaction, append their audit record
 * and commit; any failure rolls everything back.
 */
#ifndef CF_SVC_H
#define CF_SVC_H

#include <jansson.h>
#include <stddef.h>

#include "core/authz.h"
#include "lib/err.h"
#include "store/store.h"

/*
 * Who is acting. The CLI and the system act with every right (whoever runs
 * them can already read the database); a web request acts as the signed-in
 * person, with the roles they hold (only those an API token allows).
 */
struct principal {
    const char *person_id; /* NULL: anonymous */
    json_t *grants;        /* [{role, org_id, org_name, org_kind}] in effect */
    const char *via;       /* "session" or "token" */
    /*
     * What the grants reach, resolved once per request (svc_reach_resolve):
     * {"perm name": true (everywhere) | {org_id: true, …}}. NULL: not
     * resolved; permission checks then walk the tree with a query each.
     */
    json_t *reach;
};

struct svc {
    struct store *store;
    const char *actor;           /* "cli", "system", "user:<id>", "anonymous" */
    const char *request_id;      /* NULL outside a request */
    const char *base_url;        /* "http://host:port" for absolute links; may be NULL */
    const struct principal *who; /* NULL: the CLI or the system (all rights) */
    const char *address;         /* client address of a web request, or NULL */
};

/* --- sign-in, sessions, links, API tokens (svc/auth.c) ------------------ */

/* Sessions end after an hour without a request, and 12 hours after sign-in. */
#define SESSION_IDLE_S (60L * 60)
#define SESSION_MAX_S  (12L * 60 * 60)
/* Links: first-run setup 24 hours, invitation 7 days, password reset 1 hour. */
#define SETUP_TTL_S  (24L * 60 * 60)
#define INVITE_TTL_S (7L * 24 * 60 * 60)
#define RESET_TTL_S  (60L * 60)
/* Sign-in throttling: failures within the window, per account and per address. */
#define THROTTLE_WINDOW_S (15L * 60)
#define THROTTLE_ACCOUNT  5
#define THROTTLE_ADDRESS  20

/*
 * Signs in with e-mail and password. On success *out = {token (the session
 * cookie value), expires_at, person}; old_token (the session the browser had,
 * may be NULL) is ended, so a session id is never carried across sign-in.
 * CF_EUNAUTH for a wrong e-mail or password (one message for both),
 * CF_ETOOMANY when throttled ("Try again in N minutes"). Failures are counted
 * and audited even though the call fails.
 */
int svc_login(const struct svc *sv, const char *email, const char *password, const char *user_agent,
              const char *old_token, json_t **out, struct cf_error *err);

/*
 * The person (and their grants) behind a session cookie or an API token;
 * CF_EUNAUTH with a message when it is unknown, expired, revoked or the
 * account is not active. An API token's grants are cut to its roles.
 */
int svc_session_principal(const struct svc *sv, const char *token, json_t **person, json_t **grants,
                          struct cf_error *err);
int svc_token_principal(const struct svc *sv, const char *token, json_t **person, json_t **grants,
                        struct cf_error *err);

int svc_logout(const struct svc *sv, const char *token, struct cf_error *err);
/*
 * The signed-in person changes their password: in = {current, password,
 * password2}; every field at fault is reported. Wrong current passwords count
 * toward the account's sign-in throttle. All sessions end and a new one starts:
 * *out = {token, expires_at, changed}. Not through an API token.
 */
int svc_password_change(const struct svc *sv, const json_t *in, const char *user_agent,
                        json_t **out, struct cf_error *err);
/* Whether password is good enough for the account of email (field "password"). */
int svc_password_check(const char *password, const char *email, struct cf_error *err);
/* Ends every session of the acting person. */
int svc_logout_everywhere(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * Ends one session of the acting person, named by the handle /account lists
 * (a hash of the stored hash: the page never shows what the database keys
 * on). CF_ENOTFOUND for a handle that is not one of theirs. current_token is
 * the caller's own cookie; *out = {ended, current} (current: it was that one).
 */
int svc_session_end(const struct svc *sv, const char *handle, const char *current_token,
                    json_t **out, struct cf_error *err);

/* First run: *needed = 1 while no program administrator exists. */
int svc_setup_needed(const struct svc *sv, int *needed, struct cf_error *err);
/* A new setup link (older ones stop working). */
int svc_setup_link(const struct svc *sv, char token[44], struct cf_error *err);
/*
 * Uses the setup link: creates the certification body (in->organization)
 * unless one exists, the person (in->name, email, password) and their
 * program_admin role, and signs them in (*out as svc_login).
 */
int svc_setup_finish(const struct svc *sv, const char *token, const json_t *in,
                     const char *user_agent, json_t **out, struct cf_error *err);

/* Whether a link of kind can still be used: {kind, expires_at, person{email,name}|null}. */
int svc_link_check(const struct svc *sv, const char *token, const char *kind, json_t **out,
                   struct cf_error *err);
/* Sets the password through an invitation or reset link and signs in (*out as svc_login). */
int svc_invite_accept(const struct svc *sv, const char *token, const char *password,
                      const char *user_agent, json_t **out, struct cf_error *err);
int svc_reset_finish(const struct svc *sv, const char *token, const char *password,
                     const char *user_agent, json_t **out, struct cf_error *err);
/* Queues a reset link for an active account; the answer is the same either way. */
int svc_reset_request(const struct svc *sv, const char *email, json_t **out, struct cf_error *err);

/*
 * A personal API token for the acting person, limited to roles (an array of
 * role names they hold; empty: all). *out has the token itself, shown once.
 */
int svc_api_token_create(const struct svc *sv, const char *name, const json_t *roles, json_t **out,
                         struct cf_error *err);
/*
 * The same, from a form carrying a one-time value (form_nonce, may be NULL):
 * a second request with the value makes no second token (CF_ECONFLICT), so a
 * reloaded result page cannot mint one.
 */
int svc_api_token_create_once(const struct svc *sv, const char *name, const json_t *roles,
                              const char *form_nonce, json_t **out, struct cf_error *err);
int svc_api_token_revoke(const struct svc *sv, const char *id, struct cf_error *err);

/* --- organizations and people (svc/people.c) ----------------------------- */

/*
 * Adds an organization: in = {name, kind (body|state|district|school),
 * parent (id, name or NCES id; optional), nces_id, enrollment}.
 */
int svc_org_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err);
/* Changes name, nces_id, enrollment of organization id. */
int svc_org_update(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                   struct cf_error *err);
/* The organizations the actor may see, as a tree in display order: {orgs:[…, depth]}. */
int svc_org_list(const struct svc *sv, json_t **out, struct cf_error *err);
/* *n = how many organizations the actor may see (no tree is built). */
int svc_org_count_visible(const struct svc *sv, long *n, struct cf_error *err);
/* One organization with its parent, children and people. */
int svc_org_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* The identifier of the organization named by key (id, exact name or NCES id). */
int svc_org_resolve(const struct svc *sv, const char *key, char id[37], struct cf_error *err);

/*
 * Adds a person with a role: in = {email, name, title, org, role, password}.
 * With a password the account is active at once; without, the person is
 * invited: an invitation link goes to the outbox (*out has invitation_sent).
 */
int svc_person_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err);
/* The people the actor may see, each with their roles: {people:[…], total}. */
int svc_person_list(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * A page of the people the actor may see, filtered in SQL by their reach:
 * q a piece of name or e-mail (may be NULL), org an organization (id, name
 * or NCES id; its people and those below it; may be NULL), at most limit
 * (0: all) from offset. *out = {people:[… with roles], total, offset, limit,
 * q, org, org_name, next_offset, prev_offset, can_invite}.
 */
struct person_query {
    const char *q;
    const char *org;
    long offset, limit;
};
int svc_person_search(const struct svc *sv, const struct person_query *pq, json_t **out,
                      struct cf_error *err);
/* One person with roles (404 when the actor may not see them). */
int svc_person_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/*
 * Corrects a person's name, e-mail and title (in = {name, email, title});
 * people.write over every role they hold; audited as person.update.
 * *out as svc_person_show.
 */
int svc_person_update(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                      struct cf_error *err);
/*
 * The roles sv may give someone, for a form: [{role, label, description, selected}]
 * (program-wide roles only to a program-wide granter; none without
 * people.write). selected marks the one equal to selected (may be NULL).
 */
json_t *svc_roles_offered(const struct svc *sv, const char *selected);
/* The identifier of the person with e-mail or id key. */
int svc_person_resolve(const struct svc *sv, const char *key, char id[37], struct cf_error *err);
int svc_person_grant(const struct svc *sv, const char *id, const char *role, const char *org,
                     json_t **out, struct cf_error *err);
int svc_person_revoke(const struct svc *sv, const char *id, const char *role, const char *org,
                      json_t **out, struct cf_error *err);
/* status "disabled" (ends sessions) or "active". */
int svc_person_set_status(const struct svc *sv, const char *id, const char *status, json_t **out,
                          struct cf_error *err);
/* Sends a new invitation to an invited person. */
int svc_person_reinvite(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* Removes every personal field; audit entries about them keep only a pseudonym. */
int svc_person_erase(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* Everything held about person id (the actor themself, or anyone for a program admin). */
int svc_person_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* The acting person: {person, roles:[{role, org_id, org_name, org_kind}], organizations}. */
int svc_me(const struct svc *sv, json_t **out, struct cf_error *err);
/* My account page: person, roles, sessions, API tokens. */
int svc_account(const struct svc *sv, const char *session_token, json_t **out,
                struct cf_error *err);

/* --- reach (svc/reach.c) ---------------------------------------------------- */

/*
 * Resolves once what who's grants reach (who->reach, see struct principal),
 * with one query however many grants and organizations there are. Later
 * permission checks of the request are lookups in memory.
 */
int svc_reach_resolve(struct store *s, struct principal *who, struct cf_error *err);

/*
 * 1 when sv's actor may use permission p on organization org (NULL: held in
 * some organization). The CLI and the system may do everything.
 */
int svc_can(const struct svc *sv, enum perm p, const char *org);
/* The same for organization org, which must exist (0 when it does not). */
int svc_can_org(const struct svc *sv, enum perm p, const char *org);
/* The same for the organization of person (program-wide roles only for a person of none);
 * 0 when there is no such person. */
int svc_can_person(const struct svc *sv, enum perm p, const char *person);

/* --- audit trail (svc/audit.c) --------------------------------------------- */

/* Entries matching f: {entries:[…], filter, next_before} (program admins). */
/* --- the outbox (svc/outbox.c; delivery is svc/mail.h) --------------------- */

/* Messages newest first, those with status (NULL: all), at most limit; outbox.read. */
int svc_outbox_list(const struct svc *sv, const char *status, long limit, json_t **out,
                    struct cf_error *err);
/*
 * A failed message pending again now, its attempts from 0 (outbox.write,
 * audited as outbox.retry). CF_ENOTFOUND, or CF_ECONFLICT when it is not
 * failed. *out = the message as it is now.
 */
int svc_outbox_retry(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err);

int svc_audit_list(const struct svc *sv, const struct audit_filter *f, json_t **out,
                   struct cf_error *err);
/* The same entries as CSV text (a header line, then one line per entry). */
int svc_audit_csv(const struct svc *sv, const struct audit_filter *f, char **csv, size_t *n,
                  struct cf_error *err);
/* Records a refusal (permission or CSRF) of a web request. */
void svc_audit_refusal(const struct svc *sv, const char *reason, const char *method,
                       const char *path);

/* --- frameworks (svc/framework.c) ----------------------------------------- */

/*
 * Validates bytes as a CASE 1.0 CFPackage and stores it (replacing a package
 * with the same CFDocument identifier). On invalid input returns CF_EINVAL
 * and *problems is the array of {path, message}; nothing is written. On
 * success *out = {identifier, title, items, associations, rubrics, replaced}.
 */
int svc_framework_import(const struct svc *sv, const char *bytes, size_t n, json_t **out,
                         json_t **problems, struct cf_error *err);

/* The package of document id, exactly as imported. */
int svc_framework_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

/*
 * Loads every *.json package in dir that is not stored yet, in passes so a
 * crosswalk loads after the frameworks it joins. *loaded = how many.
 */
int svc_framework_load_dir(const struct svc *sv, const char *dir, int *loaded,
                           struct cf_error *err);

/* Views for the pages (and the same JSON for the API). */
int svc_framework_list(const struct svc *sv, json_t **out, struct cf_error *err);
int svc_framework_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_framework_item(const struct svc *sv, const char *doc, const char *item, json_t **out,
                       struct cf_error *err);
int svc_framework_crosswalk(const struct svc *sv, const char *a, const char *b, json_t **out,
                            struct cf_error *err);

/* --- CASE 1.0 service endpoints (svc/case_api.c) -------------------------- */

/*
 * getAllCFDocuments: documents from offset, at most limit, sorted by the
 * field sort (NULL: import order) ascending or descending (desc), each cut
 * down to the comma-separated fields when fields is not NULL.
 */
int svc_case_documents(const struct svc *sv, long limit, long offset, const char *sort, int desc,
                       const char *fields, json_t **out, long *total, struct cf_error *err);
int svc_case_document(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_package(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_item(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_item_associations(const struct svc *sv, const char *id, json_t **out,
                               struct cf_error *err);
int svc_case_association(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
int svc_case_rubric(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

#endif
