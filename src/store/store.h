/*
 * store.h — the one interface to persistent data.
 *
 * A struct store is one connection (SQLite file or PostgreSQL URL) and is
 * used by one thread at a time; the server keeps one per worker thread.
 * Functions are named store_<entity>_<verb>. Lookups that find nothing
 * return CF_ENOTFOUND; inserts that hit a unique key return CF_ECONFLICT.
 * JSON values returned through out-parameters are new references the caller
 * must json_decref(); out-parameters are NULL on failure.
 *
 * Writes that belong together run between store_begin() and store_commit();
 * store_rollback() undoes everything since store_begin(). The pair nests:
 * only the outermost acts.
 */
#ifndef CF_STORE_H
#define CF_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct store;

enum {
    STORE_CREATE = 1,      /* create a missing SQLite file */
    STORE_MIGRATE = 2,     /* apply pending migrations (refuse a newer schema) */
    STORE_READONLY_OK = 4, /* a SQLite database that cannot be written opens for reading */
};

/*
 * Opens url (a SQLite path or a postgres:// URL). With STORE_MIGRATE the
 * schema is brought up to date first; *migrated (may be NULL) gets how many
 * migrations ran. Errors name the database and say what to do.
 */
int store_open(const char *url, int flags, struct store **out, int *migrated, struct cf_error *err);
void store_close(struct store *s);
/* 1 when s can only read (opened with STORE_READONLY_OK on a read-only database). */
int store_readonly(const struct store *s);

/* "sqlite" or "postgresql". */
const char *store_kind_name(const struct store *s);

/* The schema version recorded in the database. */
int store_schema_version(struct store *s, int *version, struct cf_error *err);

int store_begin(struct store *s, struct cf_error *err);
int store_commit(struct store *s, struct cf_error *err);
void store_rollback(struct store *s);

/* Consistent copy of a live SQLite database into path (online backup API). */
int store_backup(struct store *s, const char *path, struct cf_error *err);

/* --- CASE frameworks (store/case.c) --------------------------------------- */

/*
 * Stores a validated CFPackage, replacing any package with the same
 * CFDocument identifier. Runs inside its own (nested) transaction and bumps
 * the framework generation. now is the import instant.
 */
int store_case_package_put(struct store *s, const json_t *pkg, const char *now,
                           struct cf_error *err);

/* The package of document id, assembled field for field as it was imported. */
int store_case_package_get(struct store *s, const char *id, json_t **out, struct cf_error *err);

/* Removes a package. CF_ENOTFOUND when there is none. */
int store_case_package_delete(struct store *s, const char *id, struct cf_error *err);

/*
 * CFDocument objects in import order, from offset, at most limit (limit <= 0:
 * all); *total gets the count of all documents.
 */
int store_case_document_list(struct store *s, long limit, long offset, json_t **out, long *total,
                             struct cf_error *err);

/* One CFDocument object. */
int store_case_document_get(struct store *s, const char *id, json_t **out, struct cf_error *err);

/*
 * One object of kind "item", "association" or "rubric" by identifier; when
 * doc_id is not NULL it receives the identifier of the document holding it
 * (at least 37 bytes). The most recently imported document wins when two
 * hold the same identifier.
 */
int store_case_object_get(struct store *s, const char *kind, const char *id, json_t **out,
                          char *doc_id, struct cf_error *err);

/* Every association (of any document) whose origin or destination is node id. */
int store_case_associations_of(struct store *s, const char *id, json_t **out, struct cf_error *err);

/* *exists = 1 when id is a stored CFDocument or CFItem identifier. */
int store_case_node_exists(struct store *s, const char *id, int *exists, struct cf_error *err);

/*
 * Every document with its counts: [{document, items, associations, rubrics}]
 * in import order.
 */
int store_case_document_summaries(struct store *s, json_t **out, struct cf_error *err);

/*
 * Associations (other than isChildOf, from any package) that join an item of
 * document a with an item of document b, in either direction.
 */
int store_case_associations_between(struct store *s, const char *a, const char *b, json_t **out,
                                    struct cf_error *err);

/* Identifiers of the other documents whose items are linked to items of id. */
int store_case_linked_documents(struct store *s, const char *id, json_t **out,
                                struct cf_error *err);

/* The framework generation: changes whenever any package is stored or removed. */
int store_case_generation(struct store *s, int64_t *gen, struct cf_error *err);

/* --- organizations and people (store/people.c) --------------------------- */

/*
 * Rows are JSON objects with the column names of migration 004:
 *   org    {id, kind, name, parent_id, nces_id, enrollment, created_at, updated_at}
 *   person {id, email, name, title, org_id, status, pseudonym, created_at, updated_at}
 *          (store_person_by_email adds password_hash)
 *   grant  {role, org_id, org_name, org_kind, created_at}
 * Inserts of a duplicate key (e-mail, NCES id, grant) return CF_ECONFLICT.
 * store_org_insert/update name the field of a duplicate in err->field: "nces_id", or
 * "name" (kind, parent and name, case aside, are unique: migration 009).
 */
int store_org_insert(struct store *s, const json_t *org, struct cf_error *err);
int store_org_update(struct store *s, const json_t *org, struct cf_error *err);
int store_org_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
/* Every organization whose name (case-insensitive), id or NCES id is key. */
int store_org_find(struct store *s, const char *key, json_t **out, struct cf_error *err);
/* Every organization, ordered by name. */
int store_org_list(struct store *s, json_t **out, struct cf_error *err);
/* [id, parent id, …, root id] of organization id (empty when there is no such). */
int store_org_chain(struct store *s, const char *id, json_t **out, struct cf_error *err);
/*
 * What organization id holds, in one query: {people (not erased), roles (grants in it),
 * children (organizations inside it), erased (erased people whose rows still name it),
 * conflicts (reviewers' conflicts of interest declared with it), evaluations (it runs)}.
 */
int store_org_holdings(struct store *s, const char *id, json_t **out, struct cf_error *err);
/*
 * Deletes organization id; the rows of erased people that name it are detached
 * (org_id NULL) first. CF_ENOTFOUND when there is no such; the caller checks it holds
 * nothing else (store_org_holdings), else the foreign keys refuse (CF_EDB/CF_ECONFLICT).
 */
int store_org_delete(struct store *s, const char *id, struct cf_error *err);
/* *n = how many organizations exist. */
int store_org_count(struct store *s, long *n, struct cf_error *err);

int store_person_insert(struct store *s, const json_t *person, struct cf_error *err);
/* Writes email, name, title, org_id, status, updated_at of the person with person.id. */
int store_person_update(struct store *s, const json_t *person, struct cf_error *err);
int store_person_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_person_by_email(struct store *s, const char *email, json_t **out, struct cf_error *err);
int store_person_set_password(struct store *s, const char *id, const char *hash, const char *now,
                              struct cf_error *err);
/* Every person, ordered by name. */
int store_person_list(struct store *s, json_t **out, struct cf_error *err);
/* *n = how many people hold role (NULL: any role) anywhere. */
int store_person_count_role(struct store *s, const char *role, long *n, struct cf_error *err);

int store_grant_add(struct store *s, const char *person, const char *role, const char *org,
                    const char *now, struct cf_error *err);
/* CF_ENOTFOUND when the person did not hold that role there. */
int store_grant_remove(struct store *s, const char *person, const char *role, const char *org,
                       struct cf_error *err);
int store_grants_of(struct store *s, const char *person, json_t **out, struct cf_error *err);
/* Every grant: [{person_id, role, org_id, org_name, org_kind, created_at}]. */
int store_grants_all(struct store *s, json_t **out, struct cf_error *err);
/*
 * Erasure: removes the person's grants and sessions, revokes their tokens and
 * links, blanks their outbox messages (and the requests for a recommendation they
 * sent their supervisor, which name them) and replaces their personal fields
 * (name becomes the pseudonym, e-mail erased+ID@invalid).
 */
int store_person_erase_rows(struct store *s, const char *person, const char *now,
                            struct cf_error *err);

/* --- sessions, one-time links, API tokens, sign-in failures (store/auth.c) - */

int store_session_insert(struct store *s, const char *id_hash, const char *person, const char *now,
                         const char *expires, const char *address, const char *user_agent,
                         struct cf_error *err);
/* {id_hash, person_id, created_at, last_seen, expires_at, address, user_agent} */
int store_session_get(struct store *s, const char *id_hash, json_t **out, struct cf_error *err);
int store_session_touch(struct store *s, const char *id_hash, const char *now,
                        struct cf_error *err);
int store_session_delete(struct store *s, const char *id_hash, struct cf_error *err);
/* Ends every session of person; *n (may be NULL) gets how many. */
int store_session_delete_person(struct store *s, const char *person, int64_t *n,
                                struct cf_error *err);
/*
 * Deletes the sessions of person that expired (expires_at <= now) or went
 * idle (last_seen <= idle_before); reading a session never deletes it.
 */
int store_session_delete_stale(struct store *s, const char *person, const char *now,
                               const char *idle_before, struct cf_error *err);
/* The person's sessions, newest first. */
int store_session_list(struct store *s, const char *person, json_t **out, struct cf_error *err);

int store_ott_insert(struct store *s, const char *hash, const char *kind, const char *person,
                     const char *now, const char *expires, struct cf_error *err);
/* {hash, kind, person_id, created_at, expires_at, used_at} */
int store_ott_get(struct store *s, const char *hash, json_t **out, struct cf_error *err);
/* Marks the link used if it is still unused; CF_ECONFLICT when it was used meanwhile. */
int store_ott_use(struct store *s, const char *hash, const char *now, struct cf_error *err);
/* Voids every unused link of kind for person (NULL: links for no person). */
int store_ott_void(struct store *s, const char *person, const char *kind, const char *now,
                   struct cf_error *err);

int store_api_token_insert(struct store *s, const json_t *tok, struct cf_error *err);
/* {id, person_id, name, roles, created_at, last_used_at, revoked_at} by hash. */
int store_api_token_by_hash(struct store *s, const char *hash, json_t **out, struct cf_error *err);
int store_api_token_list(struct store *s, const char *person, json_t **out, struct cf_error *err);
int store_api_token_touch(struct store *s, const char *id, const char *now, struct cf_error *err);
/* Revokes every unrevoked token of person; *n (may be NULL) gets how many. */
int store_api_token_revoke_person(struct store *s, const char *person, const char *now, int64_t *n,
                                  struct cf_error *err);
/* CF_ENOTFOUND unless person owns an unrevoked token id. */
int store_api_token_revoke(struct store *s, const char *person, const char *id, const char *now,
                           struct cf_error *err);

int store_login_failure_add(struct store *s, const char *key, const char *now,
                            struct cf_error *err);
/* Failures of key at or after since: *n and the oldest instant (oldest >= 32 bytes). */
int store_login_failures(struct store *s, const char *key, const char *since, long *n, char *oldest,
                         struct cf_error *err);
int store_login_failures_clear(struct store *s, const char *key, struct cf_error *err);

/* The secret called name, read only: CF_ENOTFOUND when there is none. out >= 129 bytes. */
int store_secret_get(struct store *s, const char *name, char *out, struct cf_error *err);
/* The secret called name, created from fresh (hex) the first time. out >= 129 bytes. */
int store_secret(struct store *s, const char *name, const char *fresh, char *out,
                 struct cf_error *err);

/* --- outbox (store/outbox.c) ---------------------------------------------- */

/*
 * A pending message has one delivery job: kind "outbox.deliver", key
 * "outbox:ID", payload {"message": ID} (see the jobs block at the end). It
 * gives up after OUTBOX_MAX_ATTEMPTS attempts; svc/mail.c holds the delays
 * between them.
 */
#define OUTBOX_MAX_ATTEMPTS 6

/* {id, kind, to_addr, subject, body, person_id, status, attempts, next_attempt_at,
 *  last_error, created_at, sent_at, cancelled_at, created_by}; status is pending, sent,
 *  failed or obsolete (its link was used or replaced before it went out) */
/*
 * A new pending message due at now, and its delivery job, in one transaction;
 * by is the person whose action wrote it (NULL: the command line, the system).
 */
int store_outbox_add(struct store *s, const char *kind, const char *to, const char *subject,
                     const char *body, const char *person, const char *by, const char *now,
                     int64_t *id, struct cf_error *err);
/* Messages newest first, only those with status (NULL: all), at most limit. */
int store_outbox_list(struct store *s, const char *status, long limit, json_t **out,
                      struct cf_error *err);
/* The person's pending messages of kind are not sent: obsolete, with why and cancelled_at. */
int store_outbox_cancel(struct store *s, const char *person, const char *kind, const char *why,
                        const char *now, struct cf_error *err);
/*
 * The newest message of kind to person written by person by that is pending
 * or sent (not failed, not obsolete); CF_ENOTFOUND when there is none.
 */
int store_outbox_latest_by(struct store *s, const char *person, const char *kind, const char *by,
                           json_t **out, struct cf_error *err);
/* One message; CF_ENOTFOUND when there is none with id. */
int store_outbox_get(struct store *s, int64_t id, json_t **out, struct cf_error *err);
/* A failed message pending again at now, attempts from 0; *n = rows changed (0 or 1). */
int store_outbox_requeue(struct store *s, int64_t id, const char *now, int64_t *n,
                         struct cf_error *err);
/*
 * Gives every pending message (id 0) or message id a queued delivery job
 * unless it has a queued or running one: rows written without one (by hand,
 * or by an older ctoframe during an upgrade), and messages sent again after
 * their job ended. The job starts at the message's attempts and
 * next_attempt_at. *n (may be NULL) = jobs queued.
 */
int store_outbox_adopt(struct store *s, int64_t id, int max_attempts, const char *now, int64_t *n,
                       struct cf_error *err);
/* Queued delivery jobs whose message is no longer pending are cancelled; *n = how many. */
int store_outbox_drop_stale(struct store *s, const char *now, int64_t *n, struct cf_error *err);
/*
 * Mirrors a delivery outcome on message id: status "sent" (sent_at = now),
 * "pending" (again at next) or "failed", with attempts and the error. Only
 * "sent" changes a message that is no longer pending.
 */
int store_outbox_settle(struct store *s, int64_t id, const char *status, int64_t attempts,
                        const char *next, const char *error, const char *now, struct cf_error *err);

/* --- audit trail (store/audit.c) ------------------------------------------ */

struct audit_entry {
    const char *at;          /* ISO instant; NULL: now */
    const char *actor;       /* "user:<uuid>", "cli", "system" */
    const char *org;         /* organization identifier or NULL */
    const char *action;      /* "framework.import" */
    const char *object_type; /* "CFDocument" */
    const char *object_id;
    const json_t *before; /* NULL when there was nothing */
    const json_t *after;  /* NULL when nothing remains */
    const char *request_id;
};

/* Appends one entry. Append-only: there is no update or delete. */
int store_audit_append(struct store *s, const struct audit_entry *e, struct cf_error *err);

/* What store_audit_list returns; NULL/0 members do not filter. */
struct audit_filter {
    const char *actor;     /* exactly */
    const char *action;    /* exactly, or as a dotted prefix ("person" matches "person.add") */
    const char *org;       /* exactly */
    const char *object_id; /* exactly */
    const char *since;     /* at >= since */
    const char *until;     /* at < until */
    int64_t before_id;     /* id < before_id (paging) */
    long limit;            /* at most (<= 0: 100) */
};

/*
 * The newest matching entries first, as a JSON array of {id, at, actor,
 * actor_name, org, org_name, action, object_type, object_id, before, after,
 * request_id, actor_erased, object_erased}; actor_name is the person's name
 * (their pseudonym once erased), *_erased 1 when that person was erased.
 */
int store_audit_list(struct store *s, const struct audit_filter *f, json_t **out,
                     struct cf_error *err);

/*
 * The organizations and people among ids (an array of strings), in one query,
 * as [{id, type: "org" | "person", name, erased}]: an erased person's name is
 * null and erased 1. Ids of neither (a deleted organization) are left out.
 */
int store_audit_names(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);

/*
 * Replaces the before/after values of entry id. The one exception to
 * append-only: erasing a person rewrites their personal fields to a pseudonym.
 * The database refuses every other UPDATE and every DELETE of audit_log
 * (migration 005); this call alone lifts that, inside its own transaction.
 */
int store_audit_rewrite(struct store *s, int64_t id, const json_t *before, const json_t *after,
                        struct cf_error *err);

/* --- reach: what a person's roles cover, and lists filtered by it (store/reach.c) --- */

/*
 * Every organization each of person's grants reaches, in one query: the
 * granted organization and everything below it, as [{role, root, org_id}]
 * (root: the organization of the grant).
 */
int store_reach_rows(struct store *s, const char *person, json_t **out, struct cf_error *err);

/*
 * A page of people, filtered in SQL. Visible: not erased, and
 *   everywhere = 1: every person, else: people of an organization reached by
 *   a grant of viewer in one of roles (comma-separated role names).
 * q (may be NULL): a piece of the name or e-mail address (case-insensitive).
 * org (may be NULL): only people of that organization or below it.
 * At most limit rows (0: no limit) from offset, ordered by name; rows are
 * person rows plus org_name. *total = how many match in all.
 */
struct store_people_query {
    int everywhere;
    const char *viewer;
    const char *roles;
    const char *q;
    const char *org;
    long offset, limit;
};
int store_people_page(struct store *s, const struct store_people_query *pq, json_t **out,
                      long *total, struct cf_error *err);

/* The grants of the people with ids (an array of strings), in one query per 100 people:
 * [{person_id, role, org_id, org_name, org_kind, created_at}]. */
int store_grants_of_people(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);

/* The organizations with ids (an array of strings), by name, each with its parent's name
 * (parent_name, null at the top): the organizations a reach covers, in one query. */
int store_org_list_in(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);

/* --- rules read from stored state (store/store.c) ------------------------ */

/* The locks of store_lock(): one per group of rules that read the same rows. */
enum store_lock {
    STORE_LOCK_PEOPLE = 1, /* organizations, people, roles: names, the last administrator, setup */
};

/*
 * Serializes the rest of the open transaction with every other transaction
 * holding the same lock, so a rule read from stored state (the last program
 * administrator, a name not yet taken) still holds when the transaction
 * commits. A svc action calls it right after store_begin(), before the rule's
 * first read. SQLite needs nothing more (BEGIN IMMEDIATE lets one writer in at
 * a time); PostgreSQL takes a transaction-level advisory lock, released by
 * the commit or rollback. CF_EDB outside a transaction.
 */
int store_lock(struct store *s, enum store_lock which, struct cf_error *err);

/*
 * Refusals of anonymous requests, counted per (address, reason, interval)
 * instead of one audit entry each (migration 008). window is the ISO start
 * of the interval.
 *
 * store_refusal_window: how many keys the interval holds (*keys), and
 * whether (address, reason) is one of them (*known).
 * store_refusal_add: counts one more; *count is the key's count after it (1:
 * the first of the interval).
 * store_refusals_take: removes the rows of intervals that started before
 * before (at most limit) and returns them, [{address, reason, window_start,
 * count, first_at, last_at, method, path}]; each row is taken once, also with
 * several processes. store_refusals_open: every row, the latest first (at
 * most limit).
 */
int store_refusal_window(struct store *s, const char *window, const char *address,
                         const char *reason, long *keys, int *known, struct cf_error *err);
int store_refusal_add(struct store *s, const char *address, const char *reason, const char *window,
                      const char *now, const char *method, const char *path, long *count,
                      struct cf_error *err);
int store_refusals_take(struct store *s, const char *before, long limit, json_t **out,
                        struct cf_error *err);
int store_refusals_open(struct store *s, long limit, json_t **out, struct cf_error *err);

/* --- background jobs (store/jobs.c) ----------------------------------------- */

/*
 * A job row: {id, kind, key, payload (JSON), state, attempts, max_attempts,
 * run_after, lease_owner, lease_until, last_error, created_at, updated_at}.
 * state is queued → running → done, or back to queued (a later run_after)
 * after a failure, or dead once max_attempts are used up; cancelled when its
 * work stopped being wanted. attempts counts claims. Each call below is one
 * statement, atomic on its own and safe between processes.
 */

/*
 * Queues a job due at run_after. With a key (may be NULL) held by a job
 * already, nothing is added: *id gets that job and *created 0.
 */
int store_job_enqueue(struct store *s, const char *kind, const char *key, const json_t *payload,
                      int max_attempts, const char *run_after, const char *now, int64_t *id,
                      int *created, struct cf_error *err);
/*
 * Claims the oldest queued job of kind (NULL: any) due at now: running,
 * attempts + 1, leased to owner until lease_until. *out = the job as it is
 * now, or NULL when none was free (CF_OK either way). Never the same job for
 * two callers.
 */
int store_job_claim(struct store *s, const char *kind, const char *owner, const char *now,
                    const char *lease_until, json_t **out, struct cf_error *err);
/* *n = queued jobs of kind (NULL: any) due at now. */
int store_job_due(struct store *s, const char *kind, const char *now, long *n,
                  struct cf_error *err);
/* Done, if still running under owner's lease (*ok = 1); else nothing changes (*ok = 0). */
int store_job_finish(struct store *s, int64_t id, const char *owner, const char *now, int *ok,
                     struct cf_error *err);
/*
 * A failed attempt of a job running under owner's lease: queued again at
 * retry_at, or dead when retry_at is NULL or its attempts reached
 * max_attempts; error is kept in last_error. *out = the job as it is now,
 * or NULL when the lease was lost (another owner, or not running).
 */
int store_job_fail(struct store *s, int64_t id, const char *owner, const char *error,
                   const char *retry_at, const char *now, json_t **out, struct cf_error *err);
/* Queued again as before the claim (that attempt uncounted), e.g. when a worker stops. */
int store_job_release(struct store *s, int64_t id, const char *owner, const char *now, int *ok,
                      struct cf_error *err);
/* Running jobs whose lease ended at or before now, at most limit (<= 0: 100). */
int store_job_expired(struct store *s, const char *now, long limit, json_t **out,
                      struct cf_error *err);
int store_job_get(struct store *s, int64_t id, json_t **out, struct cf_error *err);
/* Jobs newest first, filtered by state and kind (NULL: any), at most limit (<= 0: 100). */
int store_job_list(struct store *s, const char *state, const char *kind, long limit, json_t **out,
                   struct cf_error *err);
/* [{kind, state, n}] for every kind and state that has jobs. */
int store_job_counts(struct store *s, json_t **out, struct cf_error *err);
/* A dead or cancelled job queued again at now with attempts from 0; *n = rows changed. */
int store_job_retry(struct store *s, int64_t id, const char *now, int64_t *n, struct cf_error *err);
/*
 * Inside a transaction: *got = 1 when this connection may run the periodic
 * tick now. PostgreSQL: a transaction-level advisory lock with a fixed key
 * (released at commit or rollback), not waited for; SQLite: always, as the
 * caller's BEGIN IMMEDIATE already serializes writers.
 */
int store_tick_lock(struct store *s, int *got, struct cf_error *err);

/* --- certification programs and their rule versions (store/program.c) ---- */

/*
 * Every program with its current version: [{code, name, version, updated_at,
 * updated_by, updated_by_name}], by code. updated_by is the actor who saved
 * the version ("user:<id>", "cli", "system"); updated_by_name their name.
 */
int store_program_list(struct store *s, json_t **out, struct cf_error *err);

/*
 * One version of program code (version 0: the current one): {code, name,
 * version, rules (the JSON text as saved), created_at, created_by,
 * created_by_name, note}. CF_ENOTFOUND when there is no such program or version.
 */
int store_program_get(struct store *s, const char *code, int version, json_t **out,
                      struct cf_error *err);

/* The versions of program code, newest first: [{version, created_at, created_by,
 * created_by_name, note}] (empty when there is no such program). */
int store_program_versions(struct store *s, const char *code, json_t **out, struct cf_error *err);

/*
 * Saves rules (canonical JSON text, already checked) as the next version of
 * program code, adding the program (or renaming it to name) as needed, in its
 * own (nested) transaction. *version gets the new number. CF_ECONFLICT when
 * another transaction took that number meanwhile.
 */
int store_program_save(struct store *s, const char *code, const char *name, const char *rules,
                       const char *created_by, const char *note, const char *now, int *version,
                       struct cf_error *err);

/* --- settings (store/store.c) ---------------------------------------------- */

/*
 * Sets the setting name to value, replacing an older value. Settings are named
 * values every process shares (kept in the name/value table of store_secret).
 */
int store_setting_put(struct store *s, const char *name, const char *value, struct cf_error *err);

/* Copies the setting name into out (n bytes). CF_ENOTFOUND when it was never set. */
int store_setting_get(struct store *s, const char *name, char *out, size_t n, struct cf_error *err);

/* --- applications (issue 8 point 2: store/application.c) ------------------ */

/*
 * An application row: {id, program_code, person_id, person_name, person_email,
 * person_org, status, path, data (object), rules_version, submitted_at,
 * decided_at, decided_by, decided_by_name, reason, created_at, updated_at}.
 */
/* A new draft of person for program (code); CF_ENOTFOUND for an unknown program. */
int store_app_insert(struct store *s, const char *id, const char *program, const char *person,
                     const char *data, const char *now, struct cf_error *err);
int store_app_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
/* The newest application of person for program, or CF_ENOTFOUND. */
int store_app_latest(struct store *s, const char *person, const char *program, json_t **out,
                     struct cf_error *err);
/* [{id, program_code, status, submitted_at, decided_at, created_at}], newest first. */
int store_app_list_person(struct store *s, const char *person, json_t **out, struct cf_error *err);
int store_app_save_data(struct store *s, const char *id, const char *data, const char *now,
                        struct cf_error *err);
/*
 * Moves application id from status from to to, recording rules_version, path
 * (NULL: kept), who decided (NULL: kept; then decided_at is kept too) and
 * reason (NULL: kept); the first move to submitted sets submitted_at.
 * CF_ECONFLICT when the application is no longer in status from.
 */
int store_app_set_status(struct store *s, const char *id, const char *from, const char *to,
                         const char *path, int rules_version, const char *decided_by,
                         const char *reason, const char *now, struct cf_error *err);
int store_app_event_add(struct store *s, const char *app, const char *at, const char *actor,
                        const char *kind, const char *note, struct cf_error *err);
/* The timeline: [{id, at, actor, actor_name, kind, note}] in order. */
int store_app_events(struct store *s, const char *app, json_t **out, struct cf_error *err);
/* {actor, at} of the last event of kind, or CF_ENOTFOUND. */
int store_app_last_actor(struct store *s, const char *app, const char *kind, json_t **out,
                         struct cf_error *err);
/*
 * The review queue, oldest submission first, limit rows from offset:
 * [{id, program_code, person_name, status, submitted_at, updated_at, conflict
 * (1: a conflict of reviewer covers the candidate)}]; *total all of them.
 */
int store_app_queue(struct store *s, const char *reviewer, long limit, long offset, json_t **out,
                    long *total, struct cf_error *err);
/* *yes = 1 when a conflict of reviewer covers person (directly or by organization). */
int store_conflict_covers(struct store *s, const char *reviewer, const char *person, int *yes,
                          struct cf_error *err);
/* Declares a conflict of reviewer with person or org (exactly one of them not NULL). */
int store_conflict_add(struct store *s, const char *reviewer, const char *person, const char *org,
                       const char *reason, const char *now, struct cf_error *err);
/* [{id, person_id, person_name, org_id, org_name, reason, created_at}]. */
int store_conflict_list(struct store *s, const char *reviewer, json_t **out, struct cf_error *err);
/* The next sequence number of eligibility ids matching the LIKE pattern prefix. */
int store_auth_next_seq(struct store *s, const char *prefix, long *next, struct cf_error *err);
int store_auth_insert(struct store *s, const char *elig, const char *app, int rules_version,
                      const char *issued_on, const char *expires_on, const char *now,
                      struct cf_error *err);
/* [{eligibility_id, issued_on, expires_on, status, rules_version}]. */
int store_auth_for_app(struct store *s, const char *app, json_t **out, struct cf_error *err);
/*
 * A supervisor recommendation row: {application_id, supervisor_name,
 * supervisor_email, requested_at, expires_at, signed_at, signer_name,
 * signer_title, statement, recommend}. request: asks (again) with a new link.
 */
int store_supervisor_request(struct store *s, const char *app, const char *hash, const char *name,
                             const char *email, const char *now, const char *expires,
                             struct cf_error *err);
int store_supervisor_get(struct store *s, const char *app, json_t **out, struct cf_error *err);
int store_supervisor_by_hash(struct store *s, const char *hash, json_t **out, struct cf_error *err);
/* Signs it; CF_ECONFLICT when it was signed already. */
int store_supervisor_sign(struct store *s, const char *app, const char *name, const char *title,
                          const char *statement, const char *now, struct cf_error *err);
/*
 * The erasure of person (inside the caller's transaction): their open applications are
 * withdrawn (an event by actor at now) and their open authorizations cancelled; every
 * application's form data, reason and event notes are cleared, and its supervisor's
 * name, address and statement, whose link stops working. Status, dates and ids stay.
 */
int store_app_erase_person(struct store *s, const char *person, const char *actor, const char *now,
                           struct cf_error *err);
/* --- exam results and credentials (issue 8 points 3 and 4: store/results.c) -- */

/*
 * The authorizations to test with eligibility_id in ids (an array of
 * strings), with their program's code: [{eligibility_id, person_id,
 * program_id#, program_code, issued_on, expires_on, status}].
 */
int store_auths_in(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);
/*
 * Every stored sitting of the people in ids (person ids), for the retake and
 * attempt rules: [{person_id, program_id#, eligibility_id, form, taken_on,
 * passed#}] in date order.
 */
int store_sittings_of(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);
/* The credentials the people in ids hold: [{person_id, program_id#, number, status}]. */
int store_credentials_of(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);
/* Inserts one result; *id (may be NULL) gets its row id. CF_ECONFLICT when the sitting is
 * stored already. */
int store_result_insert(struct store *s, const char *eligibility_id, const char *form,
                        const char *taken_on, long scaled, const char *scores, int passed,
                        const char *retake_on, int rules_version, const char *import_id,
                        const char *now, int64_t *id, struct cf_error *err);
/*
 * Person's exam results for their data export: [{eligibility_id, form, taken_on,
 * scaled_score#, category_scores (an object), passed#, retake_on, rules_version#,
 * created_at}] in date order.
 */
int store_results_of_person(struct store *s, const char *person, json_t **out,
                            struct cf_error *err);
/* Sets the status of an authorization. */
int store_auth_set_status(struct store *s, const char *eligibility_id, const char *status,
                          struct cf_error *err);
/*
 * Takes count numbers of program's sequence for year (inside the caller's
 * transaction): *first gets the first, the next count follow it.
 */
int store_credential_numbers_take(struct store *s, int64_t program_id, int year, long count,
                                  long *first, struct cf_error *err);

/*
 * After the rows of import import_id are written (one transaction): the
 * authorizations of its passes are used, and each credential it issued gets
 * its "issue" event (by actor) and a job of job_kind that renders its
 * certificate. Set-based, a statement each, whatever the size of the file.
 */
int store_results_settle(struct store *s, const char *import_id, const char *actor,
                         const char *job_kind, int job_attempts, const char *now,
                         struct cf_error *err);

/* A credential row to insert (store/credential.c). */
struct store_credential {
    const char *id, *number, *person_id, *status, *issued_on, *term_start, *expires_on, *now;
    int64_t program_id, result_id; /* result_id 0: none */
    int rules_version;
};
int store_credential_insert(struct store *s, const struct store_credential *c,
                            struct cf_error *err);
/* Appends a credential_events row (from_status, expires_on, reason may be NULL). */
int store_credential_event(struct store *s, const char *credential_id, const char *at,
                           const char *actor, const char *kind, const char *from_status,
                           const char *to_status, const char *expires_on, const char *reason,
                           int rules_version, struct cf_error *err);
/*
 * One credential by number, with its holder and program: {id, number, status,
 * issued_on, term_start, expires_on, rules_version#, status_reason, demo#,
 * person_id, person_name, person_email, org_id, program_id#, program_code,
 * program_name, created_at, updated_at}. CF_ENOTFOUND.
 */
int store_credential_get(struct store *s, const char *number, json_t **out, struct cf_error *err);
/* The same by id. */
int store_credential_get_id(struct store *s, const char *id, json_t **out, struct cf_error *err);
/*
 * Credentials in number order, status (NULL: any), person (NULL: anyone),
 * limit rows from offset; *total the count of all that match.
 */
int store_credential_list(struct store *s, const char *status, const char *person, long limit,
                          long offset, json_t **out, long *total, struct cf_error *err);
/* Its events, oldest first: [{at, actor, kind, from_status, to_status, expires_on, reason,
 * rules_version#}]. */
int store_credential_events(struct store *s, const char *credential_id, json_t **out,
                            struct cf_error *err);
/* Sets status (and status_reason, expires_on) of credential id. */
int store_credential_set(struct store *s, const char *id, const char *status,
                         const char *expires_on, const char *reason, const char *now,
                         struct cf_error *err);
/* The approved CE activities of a credential: [{title, category, completed_on, quantity#,
 * skills}] in completion order. */
int store_ce_approved(struct store *s, const char *credential_id, json_t **out,
                      struct cf_error *err);
/* Stores (replaces) the certificate PDF of a credential; rendered_for says what it shows. */
int store_certificate_put(struct store *s, const char *credential_id, const char *pdf, size_t n,
                          const char *rendered_for, const char *now, struct cf_error *err);
/*
 * The stored certificate: *pdf (malloc'd) and *n, *rendered_for (malloc'd,
 * may be NULL). CF_ENOTFOUND when none is stored.
 */
int store_certificate_get(struct store *s, const char *credential_id, char **pdf, size_t *n,
                          char **rendered_for, struct cf_error *err);
/* Deletes the stored certificates of person's credentials (they show the name). */
int store_certificates_drop_of(struct store *s, const char *person, struct cf_error *err);
/* --- issue 8 points 5-6: continuing education, renewal and lapse (store/ce.c) --- */

/*
 * A credential as CE and renewal read it: {id, number, program_id, program_code,
 * person_id, holder_name, holder_email, status, issued_on, term_start, expires_on,
 * rules_version, result_id}; by number, of a person, or of a list of numbers.
 */
int store_ce_credential(struct store *s, const char *number, json_t **out, struct cf_error *err);
int store_ce_credential_by_id(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_ce_credentials_of(struct store *s, const char *person, json_t **out,
                            struct cf_error *err);
/* For an import: [{id, number, program_code}] of the numbers that exist. */
int store_ce_credentials_numbered(struct store *s, const json_t *numbers, json_t **out,
                                  struct cf_error *err);
/* A credential's activities, in the order they were completed. */
int store_ce_activities(struct store *s, const char *credential, json_t **out,
                        struct cf_error *err);
int store_ce_activity(struct store *s, const char *id, json_t **out, struct cf_error *err);
/*
 * Every activity of person's credentials for their data export, without evidence bytes:
 * [{id, credential_number, category, title, provider, started_on, completed_on,
 * quantity#, skills, source, status, reviewed_at, reason, rules_version#, created_at,
 * evidence_name, evidence_type, evidence_size#}].
 */
int store_ce_activities_of_person(struct store *s, const char *person, json_t **out,
                                  struct cf_error *err);
/* Inserts the activity a (an object with the columns of ce_activities). */
int store_ce_activity_add(struct store *s, const json_t *a, struct cf_error *err);
/* Approves or rejects a pending activity; CF_ECONFLICT when it is no longer pending. */
int store_ce_activity_decide(struct store *s, const char *id, const char *status, const char *by,
                             const char *reason, int version, const char *now,
                             struct cf_error *err);
/* Pending activities, oldest first, limit from offset; *total counts them all. */
int store_ce_review_queue(struct store *s, long limit, long offset, json_t **out, int64_t *total,
                          struct cf_error *err);
/* Moves a credential that still has from_status; CF_ECONFLICT when it changed meanwhile. */
int store_ce_credential_move(struct store *s, const char *id, const char *from_status,
                             const char *status, const char *term_start, const char *expires_on,
                             const char *now, struct cf_error *err);
int store_ce_credential_event(struct store *s, const char *credential, const char *at,
                              const char *actor, const char *kind, const char *from_status,
                              const char *to_status, const char *expires_on, const char *reason,
                              int version, struct cf_error *err);
int store_ce_credential_events(struct store *s, const char *credential, json_t **out,
                               struct cf_error *err);
/* *found: person passed program's exam between from and to (another sitting than except). */
int store_ce_exam_passed(struct store *s, const char *person, int64_t program, const char *from,
                         const char *to, int64_t except_result, int *found, struct cf_error *err);
/* Renewal audits (migration 017): one per credential and expiry. */
int store_renewal_audit(struct store *s, const char *credential, const char *expires_on,
                        json_t **out, struct cf_error *err);
int store_renewal_audit_by_id(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_renewal_audit_add(struct store *s, const char *id, const char *credential,
                            const char *expires_on, const char *by, int version, const char *now,
                            struct cf_error *err);
int store_renewal_audit_decide(struct store *s, const char *id, const char *status, const char *by,
                               const char *reason, const char *now, struct cf_error *err);
int store_renewal_audits_pending(struct store *s, json_t **out, struct cf_error *err);
/*
 * The tick, with only the credentials of program that need it: those whose status is
 * behind the dates (active expiring by expiring_by, expiring before today, expired before
 * lapse_before), and those in force expiring in (after, until] without a reminder of days
 * or fewer before their current expiry; and the reminders already sent for the current
 * expiry of the credentials ids ([{credential_id, days}]).
 */
int store_ce_tick_moves(struct store *s, int64_t program, const char *expiring_by,
                        const char *today, const char *lapse_before, json_t **out,
                        struct cf_error *err);
int store_ce_tick_remind(struct store *s, int64_t program, const char *after, const char *until,
                         int days, json_t **out, struct cf_error *err);
int store_ce_tick_sent(struct store *s, const json_t *ids, json_t **out, struct cf_error *err);
int store_ce_reminder_add(struct store *s, const char *credential, const char *expires_on, int days,
                          int version, const char *now, struct cf_error *err);
/* An evidence file (hex: "\\x" and the bytes in hex), and one of a credential's activities
 * back: {name, type, size, bytes (hex)}. */
int store_ce_evidence_add(struct store *s, const char *id, const char *name, const char *type,
                          int64_t size, const char *hex, const char *by, const char *now,
                          struct cf_error *err);
int store_ce_evidence_get(struct store *s, const char *credential, const char *id, json_t **out,
                          struct cf_error *err);
/* [{id, code}] of every program. */
int store_ce_programs(struct store *s, json_t **out, struct cf_error *err);
/* --- the public registry and the demo data (issue 8 points 7 and 9) ------- */
/* store/registry.c: the registry table (migration 018) is kept in step with
 * credentials, people and orgs by triggers; these functions only read it. */

/*
 * One page of the public registry: rows [{number, name, organization, state,
 * status, issued_on, expires_on, demo}] of visible credentials (listed, holder
 * not erased) ordered by name then number: the one numbered number (canonical;
 * NULL or "": not a number search), else those whose search text holds a word
 * starting with each of words (nwords of them; 0: every credential), in state
 * (a two-letter code; "" or NULL: every state). *total gets the number of
 * matches on every page. Words hold only letters, digits and non-ASCII
 * characters (core/registry.c).
 */
int store_registry_search(struct store *s, const char *number, const char *const *words, int nwords,
                          const char *state, long limit, long offset, json_t **rows, long *total,
                          struct cf_error *err);

/* Visible credentials counted by state and status: [{state, status, count}], one query
 * (of the counts the triggers of migration 018 keep). */
int store_registry_counts(struct store *s, json_t **out, struct cf_error *err);

/*
 * The public record of the credential numbered number (canonical, upper case):
 * {number, name, program, status, issued_on, expires_on, demo, listed}.
 * CF_ENOTFOUND when there is none or its holder was erased.
 */
int store_registry_verify(struct store *s, const char *number, json_t **out, struct cf_error *err);

/* The credentials person holds: [{id, number, program, status, issued_on,
 * expires_on, listed, demo}], newest first. */
int store_registry_mine(struct store *s, const char *person, json_t **out, struct cf_error *err);

/* Sets listed (0 or 1) on credential id when person holds it; CF_ENOTFOUND otherwise. */
int store_registry_set_listed(struct store *s, const char *id, const char *person, int listed,
                              const char *now, struct cf_error *err);

/* The registry generation: changes with every change of what the registry or verification shows. */
int store_registry_generation(struct store *s, int64_t *gen, struct cf_error *err);

/* The generation and the database's registry epoch (migration 024) into epoch (n bytes). */
int store_registry_stamp(struct store *s, int64_t *gen, char *epoch, size_t n,
                         struct cf_error *err);

/* One registry row as store_registry_each reads it (texts valid during the call). */
struct store_registry_row {
    int64_t id;
    const char *number, *name, *organization, *state, *status, *issued_on, *expires_on;
    const char *doc; /* the text searched, ndoc bytes */
    size_t ndoc;
    int demo;
};

/*
 * Calls fn(ctx, row) for every visible registry row in display order (name,
 * then number), for the in-memory index (core/regindex). *gen and epoch (n
 * bytes) get the stamp the rows belong to: the generation is read before and
 * after the rows, and CF_ECONFLICT is returned when a write moved it in
 * between (try again). A non-zero return of fn stops the walk and is returned.
 */
int store_registry_each(struct store *s, int64_t *gen, char *epoch, size_t n,
                        int (*fn)(void *ctx, const struct store_registry_row *row), void *ctx,
                        struct cf_error *err);

/* store/demo.c: rows of the demo, each marked demo = 1 (see svc/demo.c). */
struct store_demo_org {
    const char *id, *kind, *name, *parent_id, *state_code, *now;
};
struct store_demo_person {
    const char *id, *email, *name, *org_id, *pseudonym, *now;
};
struct store_demo_app {
    const char *id, *person_id, *status, *path, *submitted_at, *decided_at, *now;
    int64_t program_id;
    int rules_version;
};
struct store_demo_auth {
    const char *eligibility_id, *application_id, *person_id, *issued_on, *expires_on, *status, *now;
    int64_t program_id;
    int rules_version;
};
struct store_demo_result {
    const char *eligibility_id, *form, *taken_on, *retake_on, *now;
    int scaled_score, passed, rules_version;
};
struct store_demo_cred {
    const char *id, *number, *person_id, *status, *issued_on, *term_start, *expires_on, *reason,
        *now;
    int64_t program_id, result_id; /* result_id 0: none */
    int rules_version, listed;
};
struct store_demo_event {
    const char *parent_id, *at, *kind, *from_status, *to_status, *expires_on, *reason;
    int rules_version;
};
struct store_demo_ce {
    const char *id, *credential_id, *category, *title, *provider, *completed_on, *skills, *status,
        *now;
    long quantity;
    int rules_version;
};
int store_demo_org(struct store *s, const struct store_demo_org *o, struct cf_error *err);
int store_demo_person(struct store *s, const struct store_demo_person *p, struct cf_error *err);
int store_demo_app(struct store *s, const struct store_demo_app *a, struct cf_error *err);
int store_demo_app_event(struct store *s, const struct store_demo_event *e, struct cf_error *err);
int store_demo_auth(struct store *s, const struct store_demo_auth *a, struct cf_error *err);
/* *id gets the new result's id. */
int store_demo_result(struct store *s, const struct store_demo_result *r, int64_t *id,
                      struct cf_error *err);
int store_demo_cred(struct store *s, const struct store_demo_cred *c, struct cf_error *err);
int store_demo_cred_event(struct store *s, const struct store_demo_event *e, struct cf_error *err);
int store_demo_ce(struct store *s, const struct store_demo_ce *a, struct cf_error *err);
/* The id of program code; CF_ENOTFOUND when there is none. */
int store_demo_program_id(struct store *s, const char *code, int64_t *id, struct cf_error *err);
/* Before a large load: SQLite keeps up to 256 MB of pages in memory on this connection. */
int store_demo_bulk(struct store *s, struct cf_error *err);
/* Demo rows present: people with demo = 1 (0 when the demo is not loaded). */
int store_demo_count(struct store *s, long *n, struct cf_error *err);
/*
 * Deletes every demo row (and the events of demo applications and credentials),
 * children first. *out gets {table: rows deleted}. CF_ECONFLICT (a sentence)
 * when a row that is not demo data refers to a demo row (nothing is deleted
 * when the caller rolls back).
 */
int store_demo_remove(struct store *s, json_t **out, struct cf_error *err);

/* --- the program's reports (issue 8 point 8; store/report.c) --------------
 * Each is one grouped query. Applications by status and age bucket (0: since
 * d7, 1: since d30, 2: since d90, 3: older; ISO instants): [{status, bucket,
 * count, oldest}]. */
int store_report_applications(struct store *s, const char *d7, const char *d30, const char *d90,
                              json_t **out, struct cf_error *err);
/* Exam sittings taken from..to (dates, both included) by form and month (or quarter):
 * [{form, period, sittings, passed}]. */
int store_report_pass_rates(struct store *s, int quarter, const char *from, const char *to,
                            json_t **out, struct cf_error *err);
/* Every credential counted by state and status: [{state, status, count}]. */
int store_report_credentials(struct store *s, json_t **out, struct cf_error *err);
/* Credentials in force expiring today..until, soonest first, at most limit:
 * [{name, number, state, status, expires_on}]. */
int store_report_expirations(struct store *s, const char *today, const char *until, long limit,
                             json_t **out, struct cf_error *err);
/* One page (by number) of credentials in force, a row per approved CE activity (NULL
 * activity columns for a credential without any). */
int store_report_ce(struct store *s, long limit, long offset, json_t **out, struct cf_error *err);
/* How many credentials are in force (the CE report's pages). */
int store_report_ce_total(struct store *s, long *total, struct cf_error *err);

/* --- evaluations (issue 9: store/evaluation.c) ---------------------------- */

/*
 * An evaluation row: {id, org_id, subject_kind, subject_id, subject_name,
 * purpose, title, framework_doc, rubric_id, levels, status, blind, due_on,
 * opened_at, closed_at, created_by, created_at, updated_at} (subject_name is
 * the person's name for subject_kind "person", else null).
 */
/* A new draft (status "draft"): the fields of row as named above. */
int store_eval_insert(struct store *s, const json_t *row, struct cf_error *err);
int store_eval_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
/* Evaluations of the organizations in orgs (an array of ids), newest first. */
int store_eval_list(struct store *s, const json_t *orgs, long limit, json_t **out,
                    struct cf_error *err);
/*
 * Moves evaluation id from status from to to (opened_at set on the first
 * open, closed_at on a close). CF_ECONFLICT when it is no longer in status from.
 */
int store_eval_set_status(struct store *s, const char *id, const char *from, const char *to,
                          const char *now, struct cf_error *err);
/* Replaces the counted skills: skills is [{item_id, weight}] in their order. */
int store_eval_set_skills(struct store *s, const char *id, const json_t *skills,
                          struct cf_error *err);
/* [{item_id, weight, position}] in order. */
int store_eval_skills(struct store *s, const char *id, json_t **out, struct cf_error *err);
/*
 * A rater row: {id, evaluation_id, kind, person_id, name, email, status,
 * due_on, invited_at, started_at, submitted_at, reminded_at}. A new rater from
 * row (token_hash may be absent); CF_ECONFLICT when the evaluation already has
 * a self rater or the person is already one of its raters.
 */
int store_eval_rater_insert(struct store *s, const json_t *row, const char *token_hash,
                            struct cf_error *err);
int store_eval_rater_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
/* The rater whose link has token_hash; CF_ENOTFOUND when none. */
int store_eval_rater_by_token(struct store *s, const char *token_hash, json_t **out,
                              struct cf_error *err);
/* The raters of evaluation id, by kind then name. */
int store_eval_raters(struct store *s, const char *id, json_t **out, struct cf_error *err);
/*
 * Moves rater id from status from to to (started_at set on the first start,
 * submitted_at on submit, cleared on a reopen). CF_ECONFLICT when it is no
 * longer in status from.
 */
int store_eval_rater_set_status(struct store *s, const char *id, const char *from, const char *to,
                                const char *now, struct cf_error *err);
/*
 * Saves one answer of rater on item (level 0: none; links: JSON text of an
 * array). seen is the seq the saver last saw (0: none yet); the stored seq
 * must equal it, and becomes seen + 1 (*seq). CF_ECONFLICT when a newer save
 * got there first (a second tab, a retry): nothing is written.
 */
int store_eval_answer_save(struct store *s, const char *rater, const char *item, int level,
                           int no_basis, const char *note, const char *links, int64_t seen,
                           const char *now, int64_t *seq, struct cf_error *err);
/*
 * Answers of evaluation id ({rater_id, item_id, level, no_basis, note, links,
 * seq, updated_at}; level 0 for none), of one rater when rater is not NULL.
 */
int store_eval_answers(struct store *s, const char *id, const char *rater, json_t **out,
                       struct cf_error *err);
/* Appends to the evaluation's timeline (rater may be NULL). */
int store_eval_event_add(struct store *s, const char *id, const char *rater, const char *at,
                         const char *actor, const char *kind, const char *note,
                         struct cf_error *err);
/* The timeline: [{id, rater_id, at, actor, actor_name, kind, note}] in order. */
int store_eval_events(struct store *s, const char *id, json_t **out, struct cf_error *err);

/*
 * Inside a write transaction: holds evaluation id against every other writer
 * of it until the commit (PostgreSQL: SELECT ... FOR UPDATE; SQLite's write
 * transaction already does), so a rule read after it still holds.
 */
int store_eval_lock(struct store *s, const char *id, struct cf_error *err);
/* Replaces a rater's link (a new token_hash; NULL keeps it) and records when it was sent. */
int store_eval_rater_set_token(struct store *s, const char *id, const char *token_hash,
                               const char *now, struct cf_error *err);
/* Removes a rater who has not started; CF_ECONFLICT once they have. */
int store_eval_rater_remove(struct store *s, const char *id, struct cf_error *err);
/* Evaluations past draft that person rates or is the subject of, newest first. */
int store_eval_mine(struct store *s, const char *person, json_t **out, struct cf_error *err);
/* The rater row of person in evaluation id; CF_ENOTFOUND when they are not one. */
int store_eval_rater_of(struct store *s, const char *id, const char *person, json_t **out,
                        struct cf_error *err);

/* Every evaluation, newest first, at most limit (program-wide managers, the CLI). */
int store_eval_list_all(struct store *s, long limit, json_t **out, struct cf_error *err);

/*
 * Raters of open evaluations who have not submitted and are due on or before
 * until (YYYY-MM-DD; their own due date, else the evaluation's), at most limit:
 * [{id, evaluation_id, kind, person_id, name, email, status, due_on,
 * invited_at, reminded_at, title, org_id, subject_name}].
 */
int store_eval_raters_due(struct store *s, const char *until, long limit, json_t **out,
                          struct cf_error *err);

/*
 * A person's own data in evaluations, for their export: *about the evaluations
 * of them, *answers every answer they gave as a rater.
 */
int store_eval_export(struct store *s, const char *person, json_t **about, json_t **answers,
                      struct cf_error *err);

/* The latest closed evaluation of person: {id, closed_at}; CF_ENOTFOUND when none. */
int store_eval_latest_closed(struct store *s, const char *person, json_t **out,
                             struct cf_error *err);
/* --- team and aggregate views of evaluations (issue 9 point 6: store/eval_views.c) --- */

/*
 * For every person whose latest closed evaluation lies in the scope (scope
 * "district": run by district org or one of its schools; "state": by a
 * district of state org or one of its schools; "all": org ignored), one row
 * per counted skill and rater kind: {person_id, person_name, evaluation_id,
 * framework_doc, levels, closed_at, district_id, state_id, item_id, kind,
 * total (the sum of the levels), n (how many)}. CF_EINVAL for another scope.
 */
int store_eval_view_rows(struct store *s, const char *scope, const char *org, json_t **out,
                         struct cf_error *err);

/* --- growth plans (issue 9 point 5: store/growth.c, migration 020) -------- */

/*
 * A plan row: {id, evaluation_id, org_id, person_id, person_name,
 * evaluation_title, status, starts_on, months, half_hours, budget, version,
 * proven (null, 0 or 1), leader_agreed_at, supervisor_agreed_at,
 * supervisor_agreed_by, supervisor_agreed_name, created_by, created_at,
 * updated_at}. insert takes the row's id, evaluation_id, org_id, person_id,
 * starts_on, months, half_hours, budget, created_by and created_at; the plan
 * starts as a draft at version 1. One plan per evaluation (a second insert
 * fails on the unique key).
 */
int store_plan_insert(struct store *s, const json_t *row, struct cf_error *err);
int store_plan_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_plan_of_evaluation(struct store *s, const char *evaluation, json_t **out,
                             struct cf_error *err);
/* Inside a write transaction: holds plan id against every other writer until the commit. */
int store_plan_lock(struct store *s, const char *id, struct cf_error *err);
/* Plans of person as the leader or as the evaluation's supervisor rater, newest first. */
int store_plan_mine(struct store *s, const char *person, json_t **out, struct cf_error *err);
/* Plans run by the organizations orgs (an array of ids), newest first, at most 500. */
int store_plan_list(struct store *s, const json_t *orgs, json_t **out, struct cf_error *err);
/* Every plan, newest first, at most 500 (program-wide managers). */
int store_plan_list_all(struct store *s, json_t **out, struct cf_error *err);
/* After an edit: the next version, status draft, both agreements cleared. */
int store_plan_edited(struct store *s, const char *id, const char *now, struct cf_error *err);
/* The budgets, and whether the recommendation held is proven optimal (-1: none made). */
int store_plan_set_budget(struct store *s, const char *id, long half_hours, long budget, int proven,
                          struct cf_error *err);
/* Records an agreement (supervisor: the supervisor side, who = their person id; else the
 * leader's); the status becomes agreed when both sides have agreed. */
int store_plan_agree(struct store *s, const char *id, int supervisor, const char *who,
                     const char *now, struct cf_error *err);
int store_plan_set_status(struct store *s, const char *id, const char *status, const char *now,
                          struct cf_error *err);
/* Goals: [{skill, name, current (hundredths of a level), target, weight, due_on, position}]. */
int store_plan_goals(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_plan_goal_add(struct store *s, const char *id, const json_t *g, struct cf_error *err);
/* CF_ENOTFOUND (field "skill") when the plan has no goal on skill. */
int store_plan_goal_set(struct store *s, const char *id, const char *skill, long target,
                        const char *due_on, struct cf_error *err);
int store_plan_goal_remove(struct store *s, const char *id, const char *skill,
                           struct cf_error *err);
/*
 * Activities in plan order: [{id, plan_id, catalog_id, title, provider, format,
 * half_hours, cost, skills ("I.A;II.B"), ce_category, reason, source
 * (recommended | added), status (planned | done), completed_on, ce_activity_id,
 * position}]. add takes those fields but status and completion.
 */
int store_plan_activities(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_plan_activity_add(struct store *s, const json_t *a, const char *now,
                            struct cf_error *err);
/* Removes a planned activity; CF_ECONFLICT when it is done or not in the plan. */
int store_plan_activity_remove(struct store *s, const char *id, const char *act,
                               struct cf_error *err);
/* Removes the recommended activities not yet done (before a new recommendation). */
int store_plan_activities_unpick(struct store *s, const char *id, struct cf_error *err);
/* Marks act done on completed_on (NULL keeps it) with the CE claim's id (NULL keeps it). */
int store_plan_activity_done(struct store *s, const char *act, const char *completed_on,
                             const char *ce_id, struct cf_error *err);
/* The timeline: [{id, at, actor, actor_name, kind, note}] in order. */
int store_plan_event_add(struct store *s, const char *id, const char *at, const char *actor,
                         const char *kind, const char *note, struct cf_error *err);
int store_plan_events(struct store *s, const char *id, json_t **out, struct cf_error *err);

/* --- the exam's item bank (issue 10 point 1: store/bank.c, migration 021) --------- */

/*
 * An item row: {id, identifier, title, interaction (single | multiple), status, version,
 * skills ("I.A;II.B"), cognitive (recall | application | analysis | null), body (JSON text: prompt,
 * choices, correct, ...), source, created_by, created_at, updated_at, stimulus_id (migration
 * 023; null when the item is in no scenario set)}.
 */
int store_bank_item_by_identifier(struct store *s, const char *identifier, json_t **out,
                                  struct cf_error *err);
/* Every item, by identifier. */
int store_bank_items(struct store *s, json_t **out, struct cf_error *err);
/*
 * Puts item (id, identifier, title, interaction, status, skills, body) by its identifier:
 * a new item at version 1 (*outcome 1); for an identifier already in the bank a new
 * version when title, interaction or body differ (*outcome 2; status and skills stay),
 * nothing when they are the same (*outcome 0). note says where it came from.
 */
int store_bank_put(struct store *s, const json_t *item, const char *actor, const char *note,
                   const char *now, int *outcome, struct cf_error *err);
/* The versions of item id, oldest first: [{version, title, body, actor, note, at}]. */
int store_bank_versions(struct store *s, const char *item, json_t **out, struct cf_error *err);
/* Moves item id from status from to to; CF_ECONFLICT when it is no longer in from. */
int store_bank_set_status(struct store *s, const char *id, const char *from, const char *to,
                          const char *now, struct cf_error *err);
/* The item's skill codes ("I.A;II.B") and cognitive level (NULL: none). */
int store_bank_tag(struct store *s, const char *id, const char *skills, const char *cognitive,
                   const char *now, struct cf_error *err);
/* The item's history: kind import | status | tag | enemy | comment; from/to statuses for a move. */
int store_bank_event_add(struct store *s, const char *item, const char *at, const char *actor,
                         const char *kind, const char *from, const char *to, const char *note,
                         struct cf_error *err);
/* [{at, actor, kind, from_status, to_status, note}] in order. */
int store_bank_events(struct store *s, const char *item, json_t **out, struct cf_error *err);
/* Names (add) or removes the enemy pair a, b (item ids); CF_ECONFLICT when already so. */
int store_bank_enemy_set(struct store *s, const char *a, const char *b, int add, const char *actor,
                         const char *now, struct cf_error *err);
/* The enemies of item id: [{identifier, title}]. */
int store_bank_enemies(struct store *s, const char *item, json_t **out, struct cf_error *err);
/* Sets the scenario set of item id: stimulus (a stimulus id) or NULL for none. */
int store_bank_set_stimulus(struct store *s, const char *id, const char *stimulus, const char *now,
                            struct cf_error *err);

/*
 * A stimulus row (migration 023): {id, identifier, title, text, version, created_by,
 * created_at, updated_at}. By identifier, by id, and every one by identifier.
 */
int store_bank_stimulus_by_identifier(struct store *s, const char *identifier, json_t **out,
                                      struct cf_error *err);
int store_bank_stimulus_by_id(struct store *s, const char *id, json_t **out, struct cf_error *err);
int store_bank_stimuli(struct store *s, json_t **out, struct cf_error *err);
/*
 * Puts stimulus (id, identifier, title, text) by its identifier, as store_bank_put() does
 * items: a new one at version 1 (*outcome 1), a new version when title or text differ
 * (*outcome 2), nothing when they are the same (*outcome 0). note says where it came from.
 */
int store_bank_stimulus_put(struct store *s, const json_t *stimulus, const char *actor,
                            const char *note, const char *now, int *outcome, struct cf_error *err);

/*
 * The bank's pages (web/h_bank.c): one page of items matching every filter given (NULL: no
 * filter): status, skill (a skill code, matched whole against the ';' list), like (a LIKE
 * pattern with '!' as its escape, matched against the lowercased identifier and title);
 * by identifier, limit rows from offset: [{identifier, title, interaction, status, version,
 * skills, cognitive, stimulus (its identifier or null)}]. No body is read.
 */
int store_bank_items_page(struct store *s, const char *status, const char *skill, const char *like,
                          long limit, long offset, json_t **out, struct cf_error *err);
/* How many items match skill and like (as store_bank_items_page), per status: [{status, n}]. */
int store_bank_status_counts(struct store *s, const char *skill, const char *like, json_t **out,
                             struct cf_error *err);
/* The items of every scenario set: [{stimulus (its identifier), identifier, title, status}]. */
int store_bank_stimulus_items(struct store *s, json_t **out, struct cf_error *err);
/* The exam forms that carry item id: [{code, title, status, role}] by code. */
int store_bank_item_forms(struct store *s, const char *item, json_t **out, struct cf_error *err);

/* --- exam forms (issue 10 point 3: store/forms.c, migration 022) ------------------- */

/* A new draft form; CF_ECONFLICT (field "code") when the code is taken. */
int store_form_create(struct store *s, const char *id, const char *code, const char *title,
                      int pretest_slots, const char *actor, const char *now, struct cf_error *err);
/*
 * A form row: {id, code, title, status (draft | released | retired), pretest_slots, version,
 * created_at, created_by, updated_at, updated_by, released_at, released_by, retired_at,
 * retired_by}; CF_ENOTFOUND.
 */
int store_form_by_code(struct store *s, const char *code, json_t **out, struct cf_error *err);
/* Every form by code: [{code, title, status, pretest_slots, version, updated_at,
 * released_at, scored, pretest}] (scored and pretest: how many items in each role). */
int store_forms(struct store *s, json_t **out, struct cf_error *err);
/*
 * Inside a write transaction: holds form id against every other writer of it until the
 * commit (PostgreSQL: SELECT ... FOR UPDATE; SQLite's write transaction already does), so
 * the items and enemies read after it are the ones the commit keeps.
 */
int store_form_lock(struct store *s, const char *id, struct cf_error *err);
/* The form's items in order: [{item_id, identifier, title, skills, status, role, position}]. */
int store_form_items(struct store *s, const char *form, json_t **out, struct cf_error *err);
/*
 * The form's items in order with the content they are scored by: [{identifier, role,
 * version, body}], body the JSON text of the version the form was released with (migration
 * 028), or of the bank's current version for a draft form. One query.
 */
int store_form_item_bodies(struct store *s, const char *form, json_t **out, struct cf_error *err);
/* The enemy pairs among the form's items: [{a, b}] (identifiers). */
int store_form_enemies(struct store *s, const char *form, json_t **out, struct cf_error *err);
/* Puts item (a bank item id) on the form after the last one, in role scored | pretest. */
int store_form_item_add(struct store *s, const char *form, const char *item, const char *role,
                        const char *actor, const char *now, struct cf_error *err);
/* Takes item off the form; CF_ENOTFOUND when it is not on it. */
int store_form_item_remove(struct store *s, const char *form, const char *item,
                           struct cf_error *err);
/* A new version of the form (its items changed). */
int store_form_touch(struct store *s, const char *id, const char *actor, const char *now,
                     struct cf_error *err);
/* Moves the form from status from to to (released or retired, stamped with who and when);
 * CF_ECONFLICT when it is no longer in from. Released: each item's current version is
 * recorded with the form, which is scored by those versions from then on. */
int store_form_set_status(struct store *s, const char *id, const char *from, const char *to,
                          const char *actor, const char *now, struct cf_error *err);

/* --- response files of forms (issue 10 points 4 and 5: store/responses.c, migration 025) -- */

/* A new response set of form (an id) with its analysis (stored as JSON text). */
int store_response_set_add(struct store *s, const char *id, const char *form, const char *file_name,
                           const char *kind, int persons, int items, const json_t *analysis,
                           const char *actor, const char *now, struct cf_error *err);
/*
 * The n candidates' rows of set: candidate[i], cells[i] the JSON text of an object {item
 * identifier: text}, total[i]. PostgreSQL: in statements of RESPONSES_BATCH rows bound as one
 * JSON text each (no round trip per row); SQLite: a cached statement per row. CF_ECONFLICT
 * when a candidate is repeated.
 */
#define RESPONSES_BATCH       2000
#define RESPONSES_BATCH_BYTES (256u * 1024u * 1024u) /* a batch's JSON text at most */
int store_responses_add(struct store *s, const char *set, size_t n, char *const *candidate,
                        char *const *cells, const int *total, struct cf_error *err);
/*
 * The latest set of form: {id, file_name, kind (options | scored), persons, items, analysis
 * (JSON), created_at, created_by}; CF_ENOTFOUND when the form has none.
 */
int store_response_set_latest(struct store *s, const char *form, json_t **out,
                              struct cf_error *err);
/* The number of candidate rows set holds. */
int store_response_count(struct store *s, const char *set, int *n, struct cf_error *err);

/* --- Angoff studies of forms (issue 10 point 7: store/study.c, migration 027) -------------- */

/*
 * A study row: {id, form_id, title, status (open | closed), hofstee_kmin, hofstee_kmax,
 * hofstee_fmin, hofstee_fmax, beuk_pass, beuk_pass_sd (numbers as text, or null),
 * compromise_at, compromise_by, adopted_round, adopted_cut_raw, created_at, created_by,
 * closed_at, closed_by, adopted_impact (JSON: the impact data kept at adoption, or null)}.
 */
/* A new open study of form (an id); CF_ECONFLICT when the form has an open one. */
int store_study_create(struct store *s, const char *id, const char *form, const char *title,
                       const char *actor, const char *now, struct cf_error *err);
/* The open study of form; CF_ENOTFOUND when there is none. */
int store_study_open(struct store *s, const char *form, json_t **out, struct cf_error *err);
/* The latest study of form (open or closed); CF_ENOTFOUND when there is none. */
int store_study_latest(struct store *s, const char *form, json_t **out, struct cf_error *err);
/* The rounds of study: [{round, file_name, panelists, created_at, created_by}] by round. */
int store_study_rounds(struct store *s, const char *study, json_t **out, struct cf_error *err);
/* A new round of study; CF_ECONFLICT when the number is taken. */
int store_study_round_add(struct store *s, const char *study, int round, const char *file_name,
                          int panelists, const char *actor, const char *now, struct cf_error *err);
/* One rating of a round: panelist (row row_no of the file) on item, 0 to 1. */
int store_study_rating_add(struct store *s, const char *study, int round, int row_no,
                           const char *panelist, const char *item, double rating,
                           struct cf_error *err);
/* Every rating of study: [{round, row_no, panelist, item, rating (text)}] by round, row. */
int store_study_ratings(struct store *s, const char *study, json_t **out, struct cf_error *err);
/*
 * Records the compromise parameters of study (percent): hofstee {kmin, kmax, fmin, fmax}, and
 * Beuk's pass rate and SD (each < 0: none), stamped with who and when.
 */
int store_study_compromise(struct store *s, const char *study, const double hofstee[4],
                           double beuk_pass, double beuk_sd, const char *actor, const char *now,
                           struct cf_error *err);
/*
 * Closes open study with round's raw cut adopted, keeping impact (the impact data as the record
 * showed it then, or NULL) with it, and sets form's cut_raw and cut_study; CF_ECONFLICT when
 * the study is closed already.
 */
int store_study_adopt(struct store *s, const char *study, const char *form, int round, int cut_raw,
                      const json_t *impact, const char *actor, const char *now,
                      struct cf_error *err);
/* The form's adopted cut: {cut_raw (null: none), cut_study}. */
int store_form_cut(struct store *s, const char *form, json_t **out, struct cf_error *err);
/* The candidates' totals of a response set (scored items only): [{total}]. */
int store_response_totals(struct store *s, const char *set, json_t **out, struct cf_error *err);

/* --- Rasch calibrations of forms (issue 10 point 6: store/calibration.c, migration 026) -- */

/*
 * A calibration row: {id, form_id, set_id, state (queued | running | done | failed), job_id,
 * result (JSON or null), error, requested_at, requested_by, finished_at}.
 */
/* A new calibration of set (of form), queued, run by job. */
int store_calibration_add(struct store *s, const char *id, const char *form, const char *set,
                          int64_t job, const char *actor, const char *now, struct cf_error *err);
/* The calibration id; CF_ENOTFOUND. */
int store_calibration_get(struct store *s, const char *id, json_t **out, struct cf_error *err);
/* The queued or running calibration of set; CF_ENOTFOUND when none. */
int store_calibration_active(struct store *s, const char *set, json_t **out, struct cf_error *err);
/* The latest calibration of form; CF_ENOTFOUND when none. */
int store_calibration_latest(struct store *s, const char *form, json_t **out, struct cf_error *err);
/* Moves calibration id from state from to to with error and finished_at (may be NULL); *n rows. */
int store_calibration_state(struct store *s, const char *id, const char *from, const char *to,
                            const char *error, const char *finished_at, int64_t *n,
                            struct cf_error *err);
/* Keeps result with calibration id while it is running. */
int store_calibration_result(struct store *s, const char *id, const json_t *result,
                             struct cf_error *err);
/* A response set by id: {id, form_id, file_name, kind, persons, items, created_at}. */
int store_calibration_set(struct store *s, const char *set, json_t **out, struct cf_error *err);
/* The candidate rows of set: [{candidate, cells (JSON {identifier: text})}]. */
int store_calibration_rows(struct store *s, const char *set, json_t **out, struct cf_error *err);

#endif
