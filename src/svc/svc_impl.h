/*
 * svc_impl.h — helpers shared by the svc files (private to svc/). Most live
 * in svc/common.c; the others beside the use cases they belong to (named
 * below). The svc files include this header, never each other.
 */
#ifndef CF_SVC_IMPL_H
#define CF_SVC_IMPL_H

#include <time.h>

#include "core/authz.h"
#include "svc/svc.h"

/* The longest name or title (characters) of an organization or a person. */
#define NAME_MAX_CHARS 200
/* No password (at sign-in) is more than PASSWORD_MAX bytes; new ones: core/password.h. */
#define PASSWORD_MAX 1024

/* The string k of object o, or NULL. */
const char *svc__str(const json_t *o, const char *k);

/* 1 when sv holds p through a program-wide role (or is the CLI or the system). */
int svc__can_everywhere(const struct svc *sv, enum perm p);

/*
 * Exam forms (svc/forms.c), shared with their responses (svc/responses.c): CF_OK for
 * examiners (PERM_RESULTS_IMPORT program-wide) and the CLI, else CF_ENOTFOUND (not even a
 * form's existence leaks); and the form row of code (in the caller's transaction, if any),
 * CF_ENOTFOUND naming it.
 */
int svc__form_allowed(const struct svc *sv, struct cf_error *err);
int svc__form_row(const struct svc *sv, const char *code, json_t **row, struct cf_error *err);
/*
 * Opens the write transaction of a change to form code (its forms, responses, calibrations,
 * studies) and holds the form's row: *form is the row as read after the hold, so a release or
 * retirement that committed while we waited is seen. On failure the transaction is rolled
 * back (a later rollback by the caller does nothing) and *form is NULL.
 */
int svc__form_begin(const struct svc *sv, const char *code, json_t **form, struct cf_error *err);

/* The argon2id cost (operations, memory) new password hashes are made with. */
void svc__pw_cost(unsigned long long *ops, size_t *mem);

/*
 * CF_EFORBIDDEN when the acting person came with an API token ("An API token
 * cannot <what>. Sign in with a browser to do it.").
 */
int svc__browser_only(const struct svc *sv, const char *what, struct cf_error *err);

/*
 * CF_ETOOMANY ("There have been too many <what>. Try again in N minutes.", about
 * the form as a whole: no field) when key has limit or more
 * entries (failed sign-ins, requests for a reset) within THROTTLE_WINDOW_S
 * (svc/session.c).
 */
int svc__throttled(const struct svc *sv, const char *key, long limit, const char *what,
                   struct cf_error *err);

/* A grant as pages show it: {role, role_label, org_id, org_name, org_kind} (svc/grant.c). */
json_t *svc__grant_view(const json_t *g);

/* 1 when sv may grant or revoke role in org (svc/grant.c). */
int svc__may_grant(const struct svc *sv, const char *role, const char *org);

/* CF_EINVAL on "org" when role cannot be held in an organization of kind (svc/grant.c). */
int svc__role_fits(const char *role, const char *kind, struct cf_error *err);

/*
 * CF_ECONFLICT (naming field) when person is the only active program
 * administrator; call inside the transaction (svc/grant.c).
 */
int svc__last_program_admin(const struct svc *sv, const char *person, const char *field,
                            struct cf_error *err);

/* The person row id, if sv may use p on them; CF_ENOTFOUND otherwise (svc/person.c). */
int svc__person_for(const struct svc *sv, const char *id, enum perm p, json_t **out,
                    struct cf_error *err);

/* Appends an audit entry for sv's actor (before/after may be NULL). */
int svc__audit(const struct svc *sv, const char *org, const char *action, const char *object_type,
               const char *object_id, const json_t *before, const json_t *after,
               struct cf_error *err);

/*
 * 1 when sv may use p on a target in organization org (NULL: no particular
 * organization). The CLI and the system may do everything (svc/reach.c).
 */
int svc__can(const struct svc *sv, enum perm p, const char *org);

/*
 * Where sv holds p, from the reach resolved for the request: 1 everywhere (a program-wide
 * role, the CLI or the system); else 0 with the ids of the organizations reached appended
 * to ids (none: a list cut to them is empty). For lists that filter by reach in SQL.
 */
int svc__reach_ids(const struct svc *sv, enum perm p, json_t *ids);

/*
 * Checking a form field by field, so that every field at fault is reported:
 *     struct svc_checks ck = {err, CF_OK};
 *     struct cf_error e;
 *     svc__check(&ck, svc__email(…, &e), &e);
 *     svc__check(&ck, svc__text(…, &e), &e);
 *     if (ck.rc != CF_OK) return ck.rc;
 * The first failure fills err; the next ones are added with cf_error_also.
 */
struct svc_checks {
    struct cf_error *err;
    int rc;
};

void svc__check(struct svc_checks *ck, int rc, const struct cf_error *e);

/* A new random token (43 URL-safe characters) and the hex hash stored for it. */
void svc__token_new(char token[44]);
void svc__token_hash(const char *token, char hash[65]);
/* 16 random bytes as 32 hex digits (form one-time values). */
void svc__token_new_hex(char out[33]);
/* ["leader", …] → ["Technology leader", …], for pages. */
json_t *svc__role_labels(const json_t *roles);

/* The handle of a stored session (by its id hash) shown on /account (svc/session.c). */
void svc__session_handle(const char *id_hash, char handle[33]);
/* Whether a stored session row is still usable at t_now (svc/session.c). */
int svc__session_live(const json_t *session, time_t t_now);

/* now + seconds as an ISO instant. */
void svc__iso_after(long seconds, char *buf, size_t n);

/*
 * Creates a single-use link of kind ("invite", "reset", "setup") for person
 * (may be NULL) valid for ttl seconds, voiding older ones of that kind;
 * token receives the secret part of the link (svc/link.c).
 */
int svc__link_issue(const struct svc *sv, const char *kind, const char *person, long ttl,
                    char token[44], struct cf_error *err);

/* Queues a message in the outbox. */
int svc__send(const struct svc *sv, const char *kind, const char *to, const char *person,
              const char *subject, const char *body, struct cf_error *err);

/* The public view of a person row: {id, email, name, title, org_id, status}. */
json_t *svc__person_view(const json_t *row);

/* Checks and normalizes an e-mail address into out (lowercased, trimmed). */
int svc__email(const char *in, char *out, size_t n, const char *field, struct cf_error *err);

/*
 * Checks a new password for the person with email and name (either may be
 * NULL) against NIST SP 800-63B (core/password.h): CF_OK, or CF_EINVAL on
 * field with one sentence saying why; CF_EIO when the list of common
 * passwords cannot be read (svc/password.c).
 */
int svc__password_ok(const char *pw, const char *email, const char *name, const char *field,
                     struct cf_error *err);

/* Hashes a password with argon2id at the configured cost. */
int svc__password_hash(const char *pw, char *out, size_t n, struct cf_error *err);

/*
 * The argon2id hash sign-in verifies against when no account has the address
 * (the same cost either way); made once, safe from any thread.
 */
const char *svc__dummy_hash(void);

/* Starts a session for person; token receives the cookie value (svc/session.c). */
int svc__session_start(const struct svc *sv, const char *person, const char *user_agent,
                       char token[44], char *expires, size_t en, struct cf_error *err);

/*
 * A text field of in: trimmed copy into out; CF_EINVAL naming field when it is
 * required and empty, longer than max_chars, or holds control characters.
 * label names it in the message ("your name").
 */
int svc__text(const json_t *in, const char *field, int required, size_t max_chars,
              const char *label, char *out, size_t n, struct cf_error *err);

/* A new random (v4) UUID, lowercase. */
void svc__uuid(char id[37]);

/* 1 when the array holds a value equal to v. */
int svc__contains(const json_t *arr, const json_t *v);

/* A new organization row (enrollment < 0: none) (svc/org.c). */
json_t *svc__org_new(const char *kind, const char *name, const char *parent, const char *nces,
                     long enrollment, const char *now);

/* Inserts a person row (and its audit entry); *out = the row (svc/person.c). */
int svc__person_insert(const struct svc *sv, const char *email, const char *name, const char *title,
                       const char *org, const char *password_hash, const char *status, json_t **out,
                       struct cf_error *err);

/* Grants role in org to person (and audits it); no permission check (svc/grant.c). */
int svc__grant(const struct svc *sv, const char *person, const char *role, const char *org,
               struct cf_error *err);

/*
 * Opens the transaction of a change to organizations, people or roles and
 * takes their lock (store_lock(STORE_LOCK_PEOPLE)); rules that read stored
 * state are checked after it. Rolled back again when the lock fails.
 */
int svc__begin(const struct svc *sv, struct cf_error *err);

struct program;
/*
 * The rules of program code as of version (0: the current one), read through
 * sv's store (inside the caller's transaction when there is one) into *p;
 * *used (may be NULL) gets the version number, for a decision to record.
 * CF_ENOTFOUND for an unknown program or version; CF_EIO when a stored version
 * no longer reads (it was checked when saved). For the svc files that decide
 * by the rules (applications, results, credentials, CE, renewal).
 */
int svc__program_rules(const struct svc *sv, const char *code, int version, struct program *p,
                       int *used, struct cf_error *err);

/*
 * A stream (svc.h) whose pages page() makes into out, setting *done with the
 * last one; free_state frees state with the stream (also when this fails:
 * NULL on memory failure). A page may take at most page_max bytes
 * (svc/stream.c).
 */
struct buf;
struct svc_stream *svc__stream_new(int (*page)(void *state, struct buf *out, int *done,
                                               struct cf_error *err),
                                   void (*free_state)(void *state), void *state, size_t page_max);

/* --- issue 8 points 5-6: renewal and lapse (svc/ce.c) --- */
/*
 * The tick's part for credentials, inside the tick's transaction: moves them
 * to expiring, expired and lapsed (cred_apply TICK) and queues the reminders
 * due (each once per expiry). *moved and *reminded count them.
 */
int svc__credentials_tick(const struct svc *sv, int64_t *moved, int64_t *reminded,
                          struct cf_error *err);

/*
 * Inside the tick's transaction: reminds every rater of an open evaluation who
 * has not submitted, 7 days and 1 day before their due date (the rater's, else
 * the evaluation's), once per point; *reminded counts the messages queued
 * (svc/evaluation.c).
 */
int svc__evaluations_tick(const struct svc *sv, int64_t *reminded, struct cf_error *err);

#endif
