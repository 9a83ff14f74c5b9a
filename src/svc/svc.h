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

struct svc_stream; /* bytes made a page at a time (see "streams" below) */

/* --- sign-in, sessions (svc/session.c); a new password (svc/account.c) ---- */

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
/* Requests for a password reset per e-mail address within the window (more send nothing). */
#define RESET_PER_ACCOUNT 3
/* A session's last-seen and a token's last-used time are written at most this often. */
#define TOUCH_EVERY_S 60L

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
 * toward the account's sign-in throttle. All sessions end, every API token is
 * revoked, and a new session starts: *out = {token, expires_at, changed}.
 *
 * This and the other calls that manage sessions and tokens (logout
 * everywhere, session end, token create and revoke) refuse a person who came
 * with an API token: CF_EFORBIDDEN, "An API token cannot … Sign in with a
 * browser to do it."
 */
int svc_password_change(const struct svc *sv, const json_t *in, const char *user_agent,
                        json_t **out, struct cf_error *err);
/* Ends every session of the acting person and revokes every API token of theirs. */
int svc_logout_everywhere(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * Ends one session of the acting person, named by the handle /account lists
 * (a hash of the stored hash: the page never shows what the database keys
 * on). CF_ENOTFOUND for a handle that is not one of theirs. current_token is
 * the caller's own cookie; *out = {ended, current} (current: it was that one).
 */
int svc_session_end(const struct svc *sv, const char *handle, const char *current_token,
                    json_t **out, struct cf_error *err);

/* --- single-use links: setup, invitation, reset (svc/link.c) -------------- */

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
/*
 * Sets the password through an invitation or reset link and signs in (*out as
 * svc_login); every other session of the person ends and every API token is revoked.
 */
int svc_invite_accept(const struct svc *sv, const char *token, const char *password,
                      const char *user_agent, json_t **out, struct cf_error *err);
int svc_reset_finish(const struct svc *sv, const char *token, const char *password,
                     const char *user_agent, json_t **out, struct cf_error *err);
/*
 * The password of an invitation or reset form typed twice: CF_OK when
 * password2 is NULL (JSON clients may send the password once) or equals
 * password. Otherwise CF_EINVAL on "password2"; when the link of kind is
 * still usable and password would be refused for its account, that is said
 * too, so the form shows every fault at once. Call before svc_invite_accept
 * or svc_reset_finish.
 */
/*
 * The list of common and breached passwords new passwords are checked against
 * is read from path (default data/common-passwords.txt; $CTOFRAME_COMMON_PASSWORDS
 * wins) the first time a password is checked. svc_password_list_use names the
 * file (before the first check; later calls change nothing);
 * svc_password_list_ready loads it now (once) and gives its size in *n (may be
 * NULL): CF_EIO, saying which file, when it cannot be read or is empty.
 */
void svc_password_list_use(const char *path);
int svc_password_list_ready(size_t *n, struct cf_error *err);

int svc_passwords_agree(const struct svc *sv, const char *kind, const char *token,
                        const char *password, const char *password2, struct cf_error *err);
/*
 * Queues a reset link for an active account; the answer is the same either
 * way. Throttled: CF_ETOOMANY past THROTTLE_ADDRESS requests from one client
 * address in THROTTLE_WINDOW_S; past RESET_PER_ACCOUNT for one e-mail address
 * nothing more is sent (the same answer).
 */
int svc_reset_request(const struct svc *sv, const char *email, json_t **out, struct cf_error *err);

/* --- API tokens (svc/token.c) --------------------------------------------- */

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

/* --- organizations (svc/org.c) -------------------------------------------- */

/*
 * Adds an organization: in = {name, kind (body|state|district|school),
 * parent (id, name or NCES id; optional), nces_id, enrollment}.
 */
int svc_org_add(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err);
/*
 * Changes name, nces_id, enrollment of organization id and, when in has
 * "parent" (a name, id or NCES id; "" for none), moves it there: the kinds must
 * fit (authz_org_parent_ok), the new place may not be the organization or inside
 * it, and the actor must be allowed to change the new place too. A move is
 * audited as org.move, any other change as org.update.
 */
int svc_org_update(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                   struct cf_error *err);
/*
 * Deletes organization id when it holds nothing: no people (erased ones are
 * detached), no roles given in it, no organization inside it; else
 * CF_ECONFLICT with a message that counts what is left. Audited as org.delete
 * (under its parent). *out = {id, deleted, parent_id}.
 */
int svc_org_delete(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/*
 * The organizations the actor may see, as a tree in display order:
 * {orgs:[…, depth], parents: those of orgs another may be added under,
 * can_add_top, kinds:[{kind, label}]}.
 */
int svc_org_list(const struct svc *sv, json_t **out, struct cf_error *err);
/* *n = how many organizations the actor may see (no tree is built). */
int svc_org_count_visible(const struct svc *sv, long *n, struct cf_error *err);
/* One organization with its parent, children and people. */
int svc_org_show(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* The identifier of the organization named by key (id, exact name or NCES id). */
int svc_org_resolve(const struct svc *sv, const char *key, char id[37], struct cf_error *err);

/* --- people (person.c), roles (grant.c), privacy (privacy.c) -------------- */

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
/*
 * status "disabled" (ends sessions and revokes API tokens: enabling again does
 * not restore them) or "active".
 */
int svc_person_set_status(const struct svc *sv, const char *id, const char *status, json_t **out,
                          struct cf_error *err);
/*
 * The invitation link of person id for the person who sent it, to pass on by
 * hand when no mail server is set up: *out = {"invitation": {link,
 * expires_at} or null, "outbox_readable": whether sv may open the outbox}.
 * The link is there only when sv (a signed-in person) wrote the invitation
 * (or the newest invitation again), it is neither used, replaced nor
 * expired, and sv still sees the person; others get null. CF_ENOTFOUND when
 * sv may not see the person.
 */
int svc_person_invitation(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* Sends a new invitation to an invited person. */
int svc_person_reinvite(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/*
 * Removes every personal field; audit entries about them keep only a pseudonym.
 * Their applications keep status, dates and ids (open ones are withdrawn, open
 * authorizations to test cancelled); the form, reasons, notes and supervisor's
 * details go, and the stored certificates of their credentials.
 * confirm is what the actor typed to confirm (the person's e-mail address or
 * name, case and surrounding spaces aside); CF_EINVAL on "confirm" when it
 * names someone else or nothing. NULL: no confirmation asked (the CLI, where
 * the command already names the person).
 */
int svc_person_erase(const struct svc *sv, const char *id, const char *confirm, json_t **out,
                     struct cf_error *err);
/*
 * Everything held about person id (the actor themself, or anyone for a program
 * admin): with their applications (form, timeline), exam results, credentials
 * (events) and CE activities (evidence by name, type and size, not its bytes).
 */
int svc_person_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

/* --- one's own account (svc/account.c) ------------------------------------ */

/* The acting person: {person, roles:[{role, org_id, org_name, org_kind}], organizations}. */
int svc_me(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * The dashboard of the acting person: svc_me's view plus what it offers,
 * can: {people, people_write, orgs, audit, outbox: the person holds that
 * permission somewhere; orgs_all, orgs_see_all: they may change or see every
 * organization (a program-wide role)}.
 */
int svc_dashboard(const struct svc *sv, json_t **out, struct cf_error *err);
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

/*
 * Messages newest first, those with status (NULL: all), at most limit;
 * outbox.read. Each has can_retry: the actor may send it again with
 * svc_outbox_retry (outbox.write, and the message failed, was not cancelled
 * and is not for an erased person).
 */
int svc_outbox_list(const struct svc *sv, const char *status, long limit, json_t **out,
                    struct cf_error *err);
/*
 * A failed message pending again now, its attempts from 0 (outbox.write,
 * audited as outbox.retry). CF_ENOTFOUND, or CF_ECONFLICT when it is not
 * failed. *out = the message as it is now.
 */
int svc_outbox_retry(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err);

/*
 * The choices of the audit filter's action list, in words: [{value, words,
 * selected, kind}] (kind: every action of a kind, value its prefix), current
 * selected (offered even when it is not a known action). A new array.
 */
json_t *svc_audit_action_choices(const char *current);

/*
 * Entries matching f (program admins): {entries, filter, next_before, actions}.
 * Each entry keeps its codes and ids (action, actor, object_id, before,
 * after) and has them in words beside: action_words, actor_words,
 * object_words and object_label, org_label ("(deleted organization)",
 * "(erased person)" once gone), and changes [{field, before, after, label,
 * before_shown, after_shown}] where ids are names. One query names the ids
 * of the whole page.
 */
int svc_audit_list(const struct svc *sv, const struct audit_filter *f, json_t **out,
                   struct cf_error *err);
/*
 * The same entries as CSV (a byte order mark, a header line, then one line
 * per entry, newest first), as a stream read a page at a time: the checks
 * (permission, filter) are made now and fail here; *out is then read with
 * svc_stream_read and freed with svc_stream_free. The stream uses sv->store
 * on every read: read it on the thread that owns that store.
 */
int svc_audit_csv_open(const struct svc *sv, const struct audit_filter *f, struct svc_stream **out,
                       struct cf_error *err);
/*
 * The same CSV read whole into *csv (n bytes, NUL-terminated, the caller
 * frees): for small exports and tests. CF_ETOOBIG past 512 MB.
 */
int svc_audit_csv(const struct svc *sv, const struct audit_filter *f, char **csv, size_t *n,
                  struct cf_error *err);
/*
 * Records a refusal (permission, CSRF, throttled sign-in) of a web request.
 * A signed-in person's refusal is one audit entry (attributable, and bounded
 * by their sessions). An anonymous one is counted per address, reason and
 * REFUSAL_WINDOW_S interval (table refusals): the first of an interval is
 * one entry at once; the interval's count becomes one more entry after it
 * ends (at the next anonymous refusal, or svc_refusals_flush). Past
 * REFUSAL_ADDRESSES_MAX addresses in an interval, new ones are counted
 * together as "other addresses". Nobody can grow the trail without limit.
 */
void svc_audit_refusal(const struct svc *sv, const char *reason, const char *method,
                       const char *path);
#define REFUSAL_WINDOW_S      (10L * 60)
#define REFUSAL_ADDRESSES_MAX 100
/* Writes the counts of ended refusal intervals into the audit trail (for a periodic job). */
int svc_refusals_flush(const struct svc *sv, struct cf_error *err);

/* --- certification programs: rules as versioned data (svc/program.c) ------- */

/* A note on a version of a program's rules is at most this many characters. */
#define PROGRAM_NOTE_MAX 500

/*
 * Every program with its current version: {programs: [{code, name, version,
 * updated_at, updated_by, updated_by_name, href}]}. CF_EFORBIDDEN without
 * program.read.
 */
int svc_program_list(const struct svc *sv, json_t **out, struct cf_error *err);

/*
 * One version of program code (version 0: the current one), for the page and
 * the API: {program: {code, name}, version, current_version, is_current,
 * created_at, created_by, created_by_name, note, rules (the JSON), text (the
 * canonical text), view (the rules as people read them, with which values are
 * assumed defaults), versions (newest first)}. CF_ENOTFOUND for an unknown
 * program or version, CF_EFORBIDDEN without program.read.
 */
int svc_program_get(const struct svc *sv, const char *code, int version, json_t **out,
                    struct cf_error *err);

/*
 * Saves the rules in text (n bytes of JSON) as a new version of the program
 * its "code" names. code (may be NULL) is the program the caller means to
 * change: the rules must then name it and it must exist (the web page of a
 * program). base_version > 0: the version the change was made from; another
 * saved meanwhile is CF_ECONFLICT. note (may be NULL) says why.
 *
 * The rules are checked (core/program.c) and, when the framework they name is
 * stored, its score categories and skill-area type are looked up in it.
 * CF_EINVAL with *problems = [{path, message}] (every problem; err names the
 * first by its JSON path) when anything is wrong: nothing is written. Rules
 * identical to the current version write nothing ({unchanged: true}). Else
 * one transaction writes the version and an audit entry "program.save" with
 * the version number. *out = {code, name, version, unchanged, warnings}.
 * CF_EFORBIDDEN without program.write.
 */
int svc_program_save(const struct svc *sv, const char *code, const char *text, size_t n,
                     const char *note, int base_version, json_t **out, json_t **problems,
                     struct cf_error *err);

/*
 * The programs shipped in dir (its .json files, data/programs) saved as version 1 of
 * each, for a new database; *loaded gets how many. A file that does not pass
 * the checks stops the load (err names the file and the first problem).
 */
int svc_program_load_dir(const struct svc *sv, const char *dir, int *loaded, struct cf_error *err);

/* --- frameworks (svc/framework.c) ----------------------------------------- */

/*
 * Validates bytes as a CASE 1.0 CFPackage and stores it (replacing a package
 * with the same CFDocument identifier). Unless strict, what a package from
 * the wild bends with one obvious meaning is read that way first
 * (case_normalize: a time without a zone is UTC, a link given as a URI
 * string becomes a link object…); strict refuses it as a problem. On invalid
 * input returns CF_EINVAL and *problems is the array of {path, message};
 * nothing is written. On success *out = {identifier, title, items,
 * associations, rubrics, replaced, normalized (how many values were
 * rewritten), warnings ([{path, message}], one per rewrite)}; the audit entry
 * holds the count and the first few.
 */
int svc_framework_import(const struct svc *sv, const char *bytes, size_t n, int strict,
                         json_t **out, json_t **problems, struct cf_error *err);

/* The package of document id, exactly as imported. */
int svc_framework_export(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

/*
 * Loads every *.json package in dir that is not stored yet, in passes so a
 * crosswalk loads after the frameworks it joins, strictly (the packages a
 * release ships are conformant: one that is not is a bug to see, not to
 * smooth over). *loaded = how many.
 */
int svc_framework_load_dir(const struct svc *sv, const char *dir, int *loaded,
                           struct cf_error *err);

/* Views for the pages (and the same JSON for the API). */
int svc_framework_list(const struct svc *sv, json_t **out, struct cf_error *err);

/*
 * The framework generation into *gen: it changes whenever a framework is
 * imported or removed, so answers cached under one generation are stale
 * under another.
 */
int svc_framework_generation(const struct svc *sv, int64_t *gen, struct cf_error *err);
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

/*
 * The guide to the CASE service for people (/case-api): what each endpoint
 * returns, with example URLs on this server (sv->base_url, the configured
 * public address) naming objects it really holds: a framework with a rubric
 * if there is one, one of its items, associations and rubrics. *out =
 * {base_url, service_url, has_examples, example_framework, endpoints: [{name,
 * path, returns, url, curl, has_url}]}.
 */
int svc_case_api_guide(const struct svc *sv, json_t **out, struct cf_error *err);

/* --- the outbox and background jobs (svc/outbox.c, svc/jobs.h) ------------ */

/* One message in full; outbox.read. CF_ENOTFOUND with a message for people. */
int svc_outbox_get(const struct svc *sv, int64_t id, json_t **out, struct cf_error *err);

/* --- streams: bytes made a page at a time (svc/stream.c) ------------------ */

/*
 * Copies up to max next bytes of s into dst: how many (> 0), 0 at the end,
 * or -1 with err filled when the next page could not be made.
 */
long svc_stream_read(struct svc_stream *s, char *dst, size_t max, struct cf_error *err);

/* Frees s (NULL: nothing), read to its end or not. */
void svc_stream_free(struct svc_stream *s);

/* --- the system: health, backup, keys (svc/system.c) --------------------- */

/*
 * The health of the system for /healthz and `ctoframe migrate`: *out =
 * {status: "ok", database: "sqlite" | "postgresql", schema_version}. Reads
 * only (works on a read-only database); an error when the database does not
 * answer.
 */
int svc_health(const struct svc *sv, json_t **out, struct cf_error *err);

/* A consistent copy of a live SQLite database written to path (`ctoframe backup`). */
int svc_backup(const struct svc *sv, const char *path, struct cf_error *err);

/* The size of the key CSRF tokens are signed with (HMAC-SHA-256). */
#define SVC_CSRF_KEY_BYTES 32

/*
 * The key every process signs CSRF tokens with, into key. Read from the
 * database (made by a migration); written only when missing. CF_EIO when the
 * stored key is malformed.
 */
int svc_csrf_key(const struct svc *sv, unsigned char key[SVC_CSRF_KEY_BYTES], struct cf_error *err);

/* --- the public address (svc/settings.c) ---------------------------------- */

/* Longest public base URL kept. */
#define SVC_URL_MAX 256

/*
 * Checks a public base URL (http or https, a host, an optional port, nothing
 * after it but one trailing slash, which is dropped) and copies it to out (n
 * bytes). CF_EINVAL with a message naming field (the flag, "--public-url").
 */
int svc_public_url_check(const char *url, const char *field, char *out, size_t n,
                         struct cf_error *err);

/* Records url as the base of links of the running server (at each start). */
int svc_public_url_record(const struct svc *sv, const char *url, struct cf_error *err);

/* The base URL a server recorded, into out (n bytes); CF_ENOTFOUND with a message when none. */
int svc_public_url_known(const struct svc *sv, char *out, size_t n, struct cf_error *err);

/* --- applications and their review (issue 8 point 2: svc/application.c) -- */

/*
 * The acting person's application for program (code), to start or continue:
 * the latest one unless it is closed (withdrawn, rejected, appeal denied),
 * else a blank form. The view: {id (null: not started), program, program_name,
 * status, status_words, data, form (the data as the form shows it, with blank
 * rows), evaluation: {experience: {periods: [{employer, title, start, end,
 * current, days}], union_days, years ("4.7"), months, arithmetic},
 * eligibility: {eligible, path, path_label, waiver, waiver_ok, rules: [{path,
 * met, text}]}}, events, authorization, supervisor, editable, can_withdraw,
 * can_answer, can_appeal}.
 */
int svc_apply_get(const struct svc *sv, const char *program, json_t **out, struct cf_error *err);

/*
 * Saves the form in as the draft (a new one when there is none to continue):
 * degree, institution, year, employment: [{employer, title, start, end,
 * current, relevant}], attestation, code_of_conduct, waiver_request,
 * supervisor_name, supervisor_email. CF_EINVAL naming every field at fault
 * (rows as emp<i>_<field>), nothing written. With submit, then submits it:
 * refused (the draft still saved) with CF_EINVAL naming each missing field, or
 * CF_ECONFLICT with every rule missed when not eligible and not a waiver
 * application whose other rules are met. A waiver application's supervisor is
 * sent a one-time link to sign. *out: the view as svc_apply_get (also with a
 * refused submission).
 */
int svc_apply_save(const struct svc *sv, const char *program, const json_t *in, int submit,
                   json_t **out, struct cf_error *err);

/* The acting person's own application id (view as svc_apply_get); 404 for anyone else's. */
int svc_application_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

/*
 * The candidate's action on their own application: "withdraw" (draft,
 * submitted, information requested), "answer" (in {answer}: back to
 * submitted), "appeal" (in {statement}: a rejected application, once).
 * CF_ECONFLICT with a sentence from any other status; 404 for anyone else's.
 */
int svc_application_act(const struct svc *sv, const char *id, const char *action, const json_t *in,
                        json_t **out, struct cf_error *err);

/*
 * The review queue, oldest submission first, 25 a page (page from 1):
 * {applications: [{id, program_code, person_name, status, status_words,
 * submitted_at, conflict}], total, page, pages, prev, next, conflicts (the
 * reviewer's declared ones)}. CF_EFORBIDDEN without PERM_APPLICATIONS_REVIEW.
 */
int svc_review_queue(const struct svc *sv, long page, json_t **out, struct cf_error *err);

/* One application as a reviewer sees it: the view plus conflict, can_decide, can_decide_appeal. */
int svc_review_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);

/*
 * Decides application id: in {decision: approve | reject | info (submitted
 * applications, PERM_APPLICATIONS_REVIEW) or uphold | deny (appealed ones,
 * PERM_APPEALS_DECIDE, not by the reviewer who rejected), reason (needed to
 * reject, ask or deny)}. Approving or upholding gives an authorization to test
 * (eligibility id E-<CODE>-<YEAR>-<6 digits>, issued today, expiring after the
 * program's window). Checked inside the transaction: the status (409), the
 * reviewer's conflicts of interest (403), eligibility under the current rules
 * (409); two reviewers at once: one wins, the other gets 409.
 */
int svc_review_decide(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                      struct cf_error *err);

/* Declares a conflict of interest: in {person (an e-mail) | org (an id), reason}. */
int svc_review_conflict_add(const struct svc *sv, const json_t *in, json_t **out,
                            struct cf_error *err);

/* The recommendation a supervisor's link is for: {candidate, program, waiver_request, signed, ...}.
 */
int svc_supervisor_get(const struct svc *sv, const char *token, json_t **out, struct cf_error *err);

/* Signs it without an account: in {name, title, statement, recommend (ticked)}; once. */
int svc_supervisor_sign(const struct svc *sv, const char *token, const json_t *in, json_t **out,
                        struct cf_error *err);
/* --- exam results and credentials (issue 8 points 3 and 4: svc/results.c, svc/credential.c) */

/* A results file is at most this many bytes (10,000 rows take about 500 KB). */
#define RESULTS_MAX_BYTES (8u * 1024u * 1024u)

/*
 * Imports the testing vendor's exam results: n bytes of CSV with the columns
 * eligibility_id, form, taken_on, scaled_score and one per score category of
 * the program (docs/internals/results.md). All or nothing: on any problem
 * CF_EINVAL, *problems = [{line, column, message}] in file order, nothing
 * written. Otherwise every result is written in one transaction, each pass
 * issues a credential (number, dates, event, audit, certificate job), and
 * *out = {results, passed, failed, credentials_issued, credentials:
 * [{number, eligibility_id, issued_on, expires_on}], import_id}.
 * results.import; CF_EFORBIDDEN without it.
 */
int svc_results_import(const struct svc *sv, const char *bytes, size_t n, json_t **out,
                       json_t **problems, struct cf_error *err);

/*
 * One credential by number (credentials.read, or its holder; else
 * CF_ENOTFOUND): {number, status (as of today), issued_on, term_start,
 * expires_on, holder, program, rules_version, status_reason, points:
 * {earned, counted, categories: [{code, earned, counted}], required, needed,
 * by, met}, events: [...], can_write, can_suspend, can_reinstate,
 * can_revoke}.
 */
int svc_credential_show(const struct svc *sv, const char *number, json_t **out,
                        struct cf_error *err);
/* Credentials by number, status filter (NULL: any), page from 1 (credentials.read). */
int svc_credential_list(const struct svc *sv, const char *status, long page, json_t **out,
                        struct cf_error *err);
/* The signed-in person's own credentials: {credentials: [...], total}. */
int svc_credential_mine(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * action "suspend", "reinstate" or "revoke" with a reason (required), by
 * core/credential.c's rules (credentials.write): a credential_events row and
 * an audit entry. CF_ECONFLICT with the sentence when the move is illegal.
 */
int svc_credential_act(const struct svc *sv, const char *number, const char *action,
                       const char *reason, json_t **out, struct cf_error *err);
/*
 * The certificate PDF of a credential (who may see the credential): the one
 * the job stored, or rendered now when the job has not run (or the stored
 * one shows old dates). *pdf is malloc'd; *info (may be NULL) = {number}.
 */
int svc_credential_certificate(const struct svc *sv, const char *number, char **pdf, size_t *n,
                               json_t **info, struct cf_error *err);
/* --- issue 8 points 5-6: continuing education, renewal and lapse (svc/ce.c) --- */

/*
 * The CE page of credential number, for its holder (or PERM_CREDENTIALS_READ;
 * anyone else: CF_ENOTFOUND): {credential, activities [with the rule that
 * applied], categories [earned vs counted], progress, renewal {possible,
 * by_exam, text, audit}, choices {categories, skills, catalog}, events,
 * rules_version, is_holder}.
 */
int svc_ce_page(const struct svc *sv, const char *number, json_t **out, struct cf_error *err);
/* The same, short: {number, status, issued_on, term_start, expires_on, points {earned,
 * counted, required, needed, by, categories {code: {earned, counted}}}, renewal}. */
int svc_ce_summary(const struct svc *sv, const char *number, json_t **out, struct cf_error *err);
/* The signed-in person's credentials: {credentials: [...]}. */
int svc_ce_mine(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * Logs an activity on credential number (holder, or PERM_CREDENTIALS_WRITE):
 * in {category, title, provider, started_on, completed_on, hours, skills
 * (array or "I.A;II.B"), catalog}; pending until reviewed. CF_EINVAL naming
 * every field at fault; nothing written.
 */
struct svc_file {
    const char *name; /* as sent ("certificate.pdf") */
    const char *data;
    size_t n;
};
#define CE_EVIDENCE_MAX (5u * 1024u * 1024u) /* bytes of an evidence file */
/* evidence (may be NULL): a PDF, PNG or JPEG (known by its first bytes) of at most
 * CE_EVIDENCE_MAX bytes, kept in ce_evidence (field "evidence"). */
int svc_ce_log(const struct svc *sv, const char *number, const json_t *in,
               const struct svc_file *evidence, json_t **out, struct cf_error *err);
/* An activity's evidence file for whoever may see the activity's credential: *out
 * {name, type, size, bytes (malloc'd, *n)}. */
int svc_ce_evidence(const struct svc *sv, const char *number, const char *id, char **bytes,
                    size_t *n, json_t **out, struct cf_error *err);
/* The review queue (PERM_CE_REVIEW): pending activities oldest first, a page of them, and
 * the pending renewal audits. */
int svc_ce_queue(const struct svc *sv, long page, json_t **out, struct cf_error *err);
/* decision "approve" or "reject" (reason required) of a pending activity. */
int svc_ce_review(const struct svc *sv, const char *id, const char *decision, const char *reason,
                  json_t **out, struct cf_error *err);
/*
 * Renews credential number (holder or PERM_CREDENTIALS_WRITE) when the CE
 * requirement is met or the exam was passed again within the term: one term
 * from the old expiry; CF_ECONFLICT with the reason otherwise. A renewal the
 * audit sample picks waits: out {result: "audit"} instead of "renewed".
 */
int svc_credential_renew(const struct svc *sv, const char *number, json_t **out,
                         struct cf_error *err);
/* decision "pass" or "fail" (reason required) of a pending renewal audit (PERM_CE_REVIEW);
 * a pass (or a fail the rules do not let block) renews. */
int svc_renewal_audit_decide(const struct svc *sv, const char *id, const char *decision,
                             const char *reason, json_t **out, struct cf_error *err);
/*
 * Imports a provider's attendance file (PERM_CE_IMPORT): CSV with the columns
 * credential_number, category, title, provider, completed_on, hours, skills
 * (codes separated by ';'). All or nothing: on CF_EINVAL *problems lists
 * every bad row as {line, column, field, message} and nothing is written.
 * out {imported, import_id}.
 */
int svc_ce_import(const struct svc *sv, const char *bytes, size_t n, json_t **out,
                  json_t **problems, struct cf_error *err);
/* Where the catalog of pre-approved activities is (data/ce-catalog.json); read once. */
void svc_ce_catalog_use(const char *path);
/* --- the public registry (svc/registry.c) and the demo (svc/demo.c) -------
 * issue 8 points 7 and 9; docs/registry.md. */

/*
 * A page of the public registry, for anyone: q the search text (words matched
 * at their start against number, name, organization and state; case and
 * accents aside), state a two-letter code, page a page number text (NULL: 1).
 * *out = {results: [{number, name, organization, state, status, issued_on,
 * expires_on}], total} exactly; with detail (the HTML page) also q, state,
 * page, pages, prev/next links, each row's demo flag and the counts by state
 * and status. CF_EINVAL naming q, state or page.
 */
int svc_registry_search(const struct svc *sv, const char *q, const char *state, const char *page,
                        int detail, json_t **out, struct cf_error *err);

/*
 * The public record of a credential by number (case and spaces forgiven):
 * {number, name, program, status, issued_on, expires_on}; with detail also
 * demo and status_label. Listed or not. CF_ENOTFOUND for an unknown number
 * (or an erased holder's).
 */
int svc_registry_verify(const struct svc *sv, const char *number, int detail, json_t **out,
                        struct cf_error *err);

/* A number that changes whenever what the registry or verification shows changes (the web
 * cache keeps anonymous registry answers while it is the same). */
int svc_registry_generation(const struct svc *sv, int64_t *gen, struct cf_error *err);

/* The signed-in person's credentials and whether each is in the directory:
 * {credentials: [{id, number, program, status, issued_on, expires_on, listed, demo}]}. */
int svc_registry_mine(const struct svc *sv, json_t **out, struct cf_error *err);

/*
 * Shows (listed 1) or hides (0) the signed-in person's credential id in the
 * public directory; audited. CF_ENOTFOUND when it is not theirs.
 */
int svc_registry_set_listed(const struct svc *sv, const char *id, int listed, struct cf_error *err);

/*
 * Loads the demo program (svc/demo.c): with holders 0, a few hundred people in
 * every stage; with holders N, N credential holders for benchmarks. One
 * transaction; deterministic. *out = {people, credentials, ...}. CF_ECONFLICT
 * when demo data is already loaded; CF_ENOTFOUND when no program is loaded.
 */
int svc_demo_load(const struct svc *sv, long holders, json_t **out, struct cf_error *err);

/* Removes exactly the demo rows; *out = {table: rows removed}. Audited. */
int svc_demo_remove(const struct svc *sv, json_t **out, struct cf_error *err);

/* --- the program's reports (svc/report.c; issue 8 point 8; docs/reports.md) --
 * For PERM_REPORTS_READ (reviewers, program admins), else CF_EFORBIDDEN. */
/* The list of reports: {reports: [{name, title, about, href}]}. */
int svc_reports(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * The report name (applications, pass-rates, credentials, expirations, ce) with
 * its filters from query (strings: period, from, to, days, page): {report,
 * title, about, columns: [{key, label}], rows, filters, count}; detail adds each
 * row's cells [{label, value}] for the page. CF_EINVAL names the filter at
 * fault; CF_ENOTFOUND for an unknown report.
 */
int svc_report(const struct svc *sv, const char *name, const json_t *query, int detail,
               json_t **out, struct cf_error *err);
/* A report from svc_report as a file: format "csv" (RFC 4180, formula cells
 * guarded with an apostrophe) or "xlsx"; *data malloc'd, *type its content type. */
int svc_report_file(const json_t *rep, const char *format, char **data, size_t *n,
                    const char **type, struct cf_error *err);

/* --- evaluations: the one rating engine (issue 9; svc/evaluation.c) ------ */

/*
 * A new draft evaluation: in {subject (a person id), purpose (annual,
 * readiness, 360), title, framework (a document id; default: the newest
 * framework with a rubric), due_on (YYYY-MM-DD, optional), blind (default
 * true), skills ([{item_id, weight}], default: every skill at its framework
 * weight)}. Needs evaluations.manage over the subject's organization. Every
 * field at fault is named (CF_EINVAL); *out = {id}.
 */
int svc_eval_create(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err);
/*
 * What the new-evaluation form offers: {frameworks: [{id, title, version,
 * has_rubric, selected}] (those with skill areas), skills: [{item_id, code,
 * name, weight}] of doc (NULL: the default, the newest with a rubric),
 * framework, levels}.
 */
int svc_eval_form(const struct svc *sv, const char *doc, json_t **out, struct cf_error *err);
/*
 * Evaluation id as sv sees it: {evaluation, viewer, skills (with the level
 * descriptors and the viewer's own answers), raters (administrators only),
 * others (other raters' answers, when eval_may_read_others allows), progress,
 * may_answer, timeline (administrators)}. CF_ENOTFOUND when sv has no part
 * in it (and for a draft, to anyone but its administrators).
 */
int svc_eval_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* {mine: evaluations sv rates or is rated in, managed: those sv administers, may_create}. */
int svc_eval_list(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * Adds a rater: in {kind (self, supervisor, peer, panel), name, email (not for
 * self: the subject), due_on}. While the evaluation is open the invitation is
 * sent at once; otherwise when it opens. *out = {id}.
 */
int svc_eval_rater_add(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                       struct cf_error *err);
/* Removes a rater who has not started (CF_ECONFLICT once they have). */
int svc_eval_rater_remove(const struct svc *sv, const char *id, const char *rater,
                          struct cf_error *err);
/*
 * open, close, reopen or cancel (core/evaluation.h; reopen and cancel need
 * in.reason). Opening sends every rater their invitation. CF_ECONFLICT with a
 * sentence when the action does not apply now.
 */
int svc_eval_act(const struct svc *sv, const char *id, const char *action, const json_t *in,
                 struct cf_error *err);
/*
 * Saves one answer of sv (a rater of id) at once: in {item_id, level (0:
 * none), no_basis, note, links (array or lines), seq (the seq last seen; 0 for
 * a first answer)}. *out = {item_id, seq, saved_at}. CF_ECONFLICT when the
 * answer changed meanwhile (another window) or the ratings are locked.
 */
int svc_eval_answer(const struct svc *sv, const char *id, const json_t *in, json_t **out,
                    struct cf_error *err);
/* Submits sv's ratings of id (locks them); CF_EINVAL naming "answers" while some are missing. */
int svc_eval_submit(const struct svc *sv, const char *id, struct cf_error *err);
/*
 * The same for a rater without an account, who comes by the one-time link
 * whose secret is token (CF_ENOTFOUND for a link that was replaced or never
 * existed). The view's "link" is then true.
 */
int svc_eval_get_link(const struct svc *sv, const char *token, json_t **out, struct cf_error *err);
int svc_eval_answer_link(const struct svc *sv, const char *token, const json_t *in, json_t **out,
                         struct cf_error *err);
int svc_eval_submit_link(const struct svc *sv, const char *token, struct cf_error *err);
/*
 * Readiness for the credential (point 7) of the signed-in person: the
 * eligibility facts of their application (as /apply checks them) and the
 * latest closed evaluation of them combined into {verdict: "apply" | "build" |
 * "eligibility" | "review", headline, reasons: [sentences], below: [{code,
 * name, level, target, weight}] (skills under the target level, heaviest gap
 * first), target, evaluation: {id, title, closed_at} or null, eligibility}.
 */
int svc_eval_readiness(const struct svc *sv, const char *program, json_t **out,
                       struct cf_error *err);
/* Reopens a submitted rater's ratings (administrators; in.reason is recorded). */
int svc_eval_rater_reopen(const struct svc *sv, const char *id, const char *rater, const json_t *in,
                          struct cf_error *err);

/* --- team and aggregate views of evaluations (issue 9 point 6; svc/eval_views.c) --- */

/*
 * The heatmap of district org's team (org NULL or empty: sv's own district):
 * {district: {id, name}, columns: [{code, name}], people: [{person_id, name,
 * evaluation_id, closed_at, closed_on, cells: [{code, mean, text, band}], self: [{code,
 * level, text}], has_self}], team_mean: [cells], legend: [{band, words}],
 * has_people, levels}. A cell is the others' mean of the person's latest
 * closed evaluation (null: not rated); band 1..4 its place on the scale.
 * CF_ENOTFOUND when org is no district whose evaluations sv manages.
 */
int svc_eval_team(const struct svc *sv, const char *org, json_t **out, struct cf_error *err);
/*
 * Aggregates for program-wide managers (CF_EFORBIDDEN for others): scope
 * "state" (org: a state; groups are its districts) or "program" (groups are
 * the states). {scope, place, columns, groups: [group], total: group,
 * min_group, has_groups, group_label}; a group is {id, name, people,
 * people_text, hidden, cells: [{code, mean, n, text, hidden}]}. A group or
 * cell of fewer than 5 people is hidden (null numbers), and more are hidden
 * until the hidden ones together hold at least 5 (docs/evaluations.md).
 */
int svc_eval_aggregate(const struct svc *sv, const char *scope, const char *org, json_t **out,
                       struct cf_error *err);
/* Whether sv may read the aggregates (manages evaluations program-wide): for links to them. */
int svc_eval_may_aggregate(const struct svc *sv);

/* --- growth plans (issue 9 point 5; svc/growth.c; docs/growth-plans.md) --- */

/* Where the PD catalog is (data/pd-catalog.json); read once, when first needed. */
void svc_pd_catalog_use(const char *path);
/*
 * A growth plan from closed evaluation's results (its administrators, its
 * subject or its supervisor rater): in {hours (default 40), budget (dollars,
 * default 2000), months (default 12), target (level, default one below the
 * top), starts_on (default today)}. One goal per skill below the target, due
 * at the plan's end; activities recommended from the PD catalog within the
 * hours and budget (core/recommend.h). *out = {id, proven}. CF_ECONFLICT when
 * the evaluation is not closed or already has a plan.
 */
int svc_plan_create(const struct svc *sv, const char *evaluation, const json_t *in, json_t **out,
                    struct cf_error *err);
/*
 * Plan id for its leader, the evaluation's supervisor raters and the
 * evaluation administrators of its organization (CF_ENOTFOUND for anyone
 * else): {plan, viewer {admin, leader, supervisor, may_edit,
 * may_agree_leader, may_agree_supervisor, may_close}, goals, activities,
 * events, totals, catalog (what may still be added), credential (the leader's,
 * for claims) or null}.
 */
int svc_plan_get(const struct svc *sv, const char *id, json_t **out, struct cf_error *err);
/* The plan of an evaluation as {id, status, status_label}, or JSON null (no reach check:
 * the caller has shown the evaluation). */
int svc_plan_of_evaluation(const struct svc *sv, const char *evaluation, json_t **out,
                           struct cf_error *err);
/* {mine: plans sv leads or supervises, managed: plans of the organizations sv manages
 * evaluations in, has_mine, has_managed}. */
int svc_plan_list(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * Changes plan id, in one transaction with the plan held. action:
 *   goal       in {skill, target, due_on} or {skill, remove}
 *   add        in {catalog} (a PD catalog id) or {title, provider, hours, cost, skills,
 *              ce_category}
 *   remove     in {activity} (planned ones only)
 *   recommend  in {hours, budget}: the recommended activities not done are chosen again
 *   agree      in {version, side (leader | supervisor; default by who sv is)}
 *   done       in {activity, completed_on (default today), claim (also claim it)}
 *   claim      in {activity}: as CE on the leader's credential (the leader only)
 *   close      (the supervisor side)
 * Every edit (goal, add, remove, recommend) makes a new version and clears both
 * agreements. in.version, when given, must be the plan's version (CF_ECONFLICT
 * otherwise). *out = {id, done (what happened), version, ce_activity_id}.
 */
int svc_plan_act(const struct svc *sv, const char *id, const char *action, const json_t *in,
                 json_t **out, struct cf_error *err);

/* --- the exam's item bank (issue 10 points 1-2; svc/bank.c; docs/qti.md) ----- */

/*
 * Imports a QTI 3.0 or 2.1 item (XML), an IMS content package of items (zip) or a bank file
 * (JSON, core/bankjson.h: a name ending in .json or text starting with '{') named name (for
 * the record), whole or not at all: every item keeps its identifier; a new identifier is a
 * new draft item, a known one with other content a new version, the same content nothing.
 * A QTI item keeps the stored item's references, author and scenario set; a bank file sets
 * them, the tags and the stimuli too. CF_EINVAL (or CF_ETOOBIG) with the reason when anything
 * is refused: nothing is written; for a bank file *out is then {problems: [{path, message}]}
 * (every problem). Examiners only (the examiner role, program administrators, the command
 * line). *out = {file, items, added, changed, unchanged[, stimuli: {count, added, changed,
 * unchanged}]}.
 */
int svc_bank_import(const struct svc *sv, const char *name, const char *bytes, size_t n,
                    json_t **out, struct cf_error *err);
/* [{identifier, title, interaction, choices (how many), correct: [ids], skills: [codes],
 * status, version}] by identifier. */
int svc_bank_list(const struct svc *sv, json_t **out, struct cf_error *err);
/* Every item as an IMS content package of QTI 3.0 items (zip bytes, malloc'd). */
int svc_bank_export(const struct svc *sv, void **zip, size_t *n, struct cf_error *err);
/*
 * An item with its content (body: rationales, references and author among it), versions,
 * history (events), comments, enemies, stimulus (its scenario set, or null), forms (the exam
 * forms that carry it: [{code, title, status, role}]) and moves (what its status allows:
 * [{to, label, note_required}]); CF_ENOTFOUND, to anyone but examiners too.
 */
int svc_bank_show(const struct svc *sv, const char *identifier, json_t **out, struct cf_error *err);
/*
 * Moves an item in the workflow (core/itembank.h) to status to; note (the reviewer's
 * comment) is required to send it back or retire it. CF_ECONFLICT with the rule's sentence.
 */
int svc_bank_move(const struct svc *sv, const char *identifier, const char *to, const char *note,
                  struct cf_error *err);
/* Tags an item: skills (codes separated by ';'), cognitive (recall, application, analysis). */
int svc_bank_tag(const struct svc *sv, const char *identifier, const char *skills,
                 const char *cognitive, struct cf_error *err);
/* Names (add) or removes two items as enemies: never on one form. */
int svc_bank_enemy(const struct svc *sv, const char *a, const char *b, int add,
                   struct cf_error *err);

#define BANK_COMMENT_MAX 4000 /* bytes of a reviewer's comment */

/*
 * Every stimulus and item as a bank file (core/bankjson.h, format "ctoframe-bank/1") in
 * *out: what bankjson_read() reads back and svc_bank_import() imports unchanged. Keys and
 * rationales are in it: examiners only. CF_ECONFLICT when the bank is empty.
 */
int svc_bank_export_json(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * Adds a reviewer's comment to an item's history without moving it (event kind comment, audit
 * bank.comment). CF_EINVAL when text is empty, longer than BANK_COMMENT_MAX or holds control
 * characters other than line breaks and tabs; CF_ENOTFOUND.
 */
int svc_bank_comment(const struct svc *sv, const char *identifier, const char *text,
                     struct cf_error *err);

#define BANK_QUERY_MAX 200 /* bytes of the text a bank search looks for */

/*
 * One page of the bank's list (web/h_bank.c), filtered and paged in SQL: status (a status
 * name), skill (a skill code), q (text found in the identifier or title, ASCII case
 * ignored); NULL or "" is no filter. Examiners only (CF_ENOTFOUND to anyone else);
 * CF_EINVAL naming each filter at fault. *out = {items: [{identifier, title, interaction,
 * status, status_label, version, skills: [codes], cognitive, stimulus}], total (items
 * matching every filter), counts: [{status, label, count}] (matching skill and q, every
 * status in workflow order), all (their sum), offset, limit, status, skill, q}. No key.
 */
struct bank_query {
    const char *status, *skill, *q;
    long offset, limit;
};
int svc_bank_search(const struct svc *sv, const struct bank_query *bq, json_t **out,
                    struct cf_error *err);
/*
 * The scenario sets: [{identifier, title, text, version, updated_at, items: [{identifier,
 * title, status}]}] by identifier. Examiners only (CF_ENOTFOUND to anyone else).
 */
int svc_bank_sets(const struct svc *sv, json_t **out, struct cf_error *err);

/* --- exam forms (issue 10 point 3; svc/forms.c; docs/exam-forms.md) ---------------- */

/*
 * Examiners only (as the item bank); anyone else gets CF_ENOTFOUND for every form.
 * Creates a draft form from in = {code, title, pretest_slots (a whole number 0-50, or its
 * text; absent: 0)}: CF_EINVAL naming each field at fault, CF_ECONFLICT when the code is
 * taken. *out = {id, code, title, pretest_slots, status}.
 */
int svc_form_create(const struct svc *sv, const json_t *in, json_t **out, struct cf_error *err);
/* [{code, title, status, pretest_slots, version, updated_at, released_at, scored, pretest}]. */
int svc_form_list(const struct svc *sv, json_t **out, struct cf_error *err);
/*
 * A form: its row (code, title, status, pretest_slots, version, who and when), items
 * [{identifier, title, skill (the one it counts toward), skills, status, role, position}]
 * and check (core/blueprint.h's result on the items as they stand); CF_ENOTFOUND.
 */
int svc_form_show(const struct svc *sv, const char *code, json_t **out, struct cf_error *err);
/*
 * Puts the n items named (bank identifiers) on draft form code, all or none, as pretest
 * items (pretest) or scored ones. CF_ENOTFOUND for an unknown form, CF_EINVAL for an unknown item,
 * CF_ECONFLICT when the form is released or retired, an item is already on it or is retired.
 */
int svc_form_add(const struct svc *sv, const char *code, const char *const *identifiers, size_t n,
                 int pretest, struct cf_error *err);
/* Takes the n items named off draft form code, all or none; as svc_form_add. */
int svc_form_remove(const struct svc *sv, const char *code, const char *const *identifiers,
                    size_t n, struct cf_error *err);
/*
 * Releases draft form code: inside the write transaction, with the form's row held, its
 * items and their enemies are read again and checked; CF_ECONFLICT with the failing checks
 * in the message (and *check, when not NULL, the whole check; the caller owns it) when any
 * fails. A released form's items are frozen.
 */
int svc_form_release(const struct svc *sv, const char *code, json_t **check, struct cf_error *err);
/* Retires form code (a draft or a released form); CF_ECONFLICT when it is already retired. */
int svc_form_retire(const struct svc *sv, const char *code, struct cf_error *err);

/*
 * Imports the vendor's response file (n bytes, named file_name) for released form code, all
 * or nothing, with its item analysis (core/vendorcsv.h). *out: {form, file_name, kind,
 * persons, items, alpha, flagged: [{id, flags}]}. CF_EINVAL when the file is refused, then
 * *problems (may be NULL) gets [{line, column, message}]; CF_ECONFLICT for a form that is
 * not released; CF_ENOTFOUND for no such form or no examiner; CF_EINVAL (field file) when
 * there is no file (bytes NULL or n 0).
 */
int svc_form_responses(const struct svc *sv, const char *code, const char *file_name,
                       const char *bytes, size_t n, json_t **out, json_t **problems,
                       struct cf_error *err);
/*
 * The analysis of form code's latest response set: {form, title, status, set: {file_name,
 * kind, persons, created_at, created_by}, analysis (vendorcsv_analysis's object, each item
 * with the bank's status now and can_send_back)}. CF_ENOTFOUND when there is none.
 */
int svc_form_analysis(const struct svc *sv, const char *code, json_t **out, struct cf_error *err);
/*
 * Sends item identifier of form code's latest set back to review (svc_bank_move) with a note
 * holding its statistics: {identifier, from, status, note}. CF_ECONFLICT when the item is not
 * operational or pretest; CF_ENOTFOUND when the set has no such item.
 */
int svc_form_send_back(const struct svc *sv, const char *code, const char *identifier, json_t **out,
                       struct cf_error *err);

/* --- Angoff studies of forms (issue 10 point 7; svc/study.c; docs/standard-setting.md) ---- */

/*
 * Examiners only, as forms; anyone else gets CF_ENOTFOUND. Every change holds the form, is one
 * transaction and is audited ("form.study.create", ".round", ".compromise", ".adopt").
 *
 * Opens a study titled title on released form code: *out {form, study, title, status}.
 * CF_ECONFLICT when the form is not released or has an open study (one at a time);
 * CF_EINVAL (field title) for a missing or too long title.
 */
int svc_study_create(const struct svc *sv, const char *code, const char *title, json_t **out,
                     struct cf_error *err);
/*
 * Imports a round of ratings (n bytes, named file_name; the ratings file of core/angoff.h)
 * into the open study of form code: every row must carry the study's next round number and
 * the item columns must be exactly the form's scored items. Whole or not at all: CF_EINVAL
 * with *problems (may be NULL) [{line, column, message}]. *out {form, study, round, file_name,
 * panelists, cut, sd, se, raw_cut}. CF_ECONFLICT when there is no open study.
 */
int svc_study_round(const struct svc *sv, const char *code, const char *file_name,
                    const char *bytes, size_t n, json_t **out, json_t **problems,
                    struct cf_error *err);
/*
 * Records the compromise parameters of the open study from in: kmin, kmax, fmin, fmax
 * (Hofstee, percent, numbers or numeric strings, required) and beuk_pass, beuk_sd (Beuk:
 * the panel's mean acceptable pass rate and its SD, percent; both or neither). CF_EINVAL
 * naming each field at fault.
 */
int svc_study_compromise(const struct svc *sv, const char *code, const json_t *in, json_t **out,
                         struct cf_error *err);
/*
 * The study record of form code (its latest study): {form, title, status, scored_items,
 * cut_raw, scaled_cut, study (null: none yet) {id, title, status, created_at, created_by,
 * closed_at, closed_by, adopted_round, adopted_cut_raw, compromise}, rounds [angoff_study_view's
 * rounds, each with file_name, created_at, created_by, raw_cut, pass_rate], impact (null: no
 * response set) {file_name, created_at, persons, pass_rates}, hofstee, beuk (null: not
 * recorded or no impact data), events [{at, who, what}]}.
 */
int svc_study_show(const struct svc *sv, const char *code, json_t **out, struct cf_error *err);
/* The form's adopted cut, light (for the form's page): {cut_raw (null: none), cut_study,
 * scored_items, scaled_cut}. */
int svc_study_cut(const struct svc *sv, const char *code, json_t **out, struct cf_error *err);
/*
 * Adopts the cut of round of the open study: its raw cut (angoff_raw_cut) becomes the form's
 * cut_raw and the study closes. *out {form, study, round, cut, cut_raw, scored_items,
 * scaled_cut}. CF_EINVAL (field round) for a round the study does not have.
 */
int svc_study_adopt(const struct svc *sv, const char *code, int round, json_t **out,
                    struct cf_error *err);

/* --- Rasch calibration of forms (issue 10 point 6; svc/calibration.c; docs/exam-rasch.md) -- */

/* An item misfits when its infit or outfit mean-square is outside [low, high]. */
#define CAL_FIT_LOW  0.7
#define CAL_FIT_HIGH 1.3

/*
 * Asks for a Rasch calibration of released form code's latest response set: in one
 * transaction, with the form's row held, a calibration row and a job of kind "form.calibrate"
 * (audit form.calibrate) — or, when one of that set is queued or running, that one (no second
 * job). *out = {form, id, set_id, state, job_id, requested_at, requested_by, created (false
 * for the one already there)}. CF_ENOTFOUND for no such form or no examiner; CF_ECONFLICT for
 * a form that is not released or has no responses.
 */
int svc_form_calibrate(const struct svc *sv, const char *code, json_t **out, struct cf_error *err);
/*
 * The latest calibration of form code: {form, title, status, id, set: {id, file_name, kind,
 * created_at}, state (queued | running | done | failed), job_id, requested_at, requested_by,
 * finished_at, error (failed: the reason), result (done: docs/exam-rasch.md; else null)}.
 * CF_ENOTFOUND (field form) when it has none, or no such form, or no examiner.
 */
int svc_form_calibration(const struct svc *sv, const char *code, json_t **out,
                         struct cf_error *err);

#endif
