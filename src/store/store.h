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
    STORE_CREATE = 1,  /* create a missing SQLite file */
    STORE_MIGRATE = 2, /* apply pending migrations (refuse a newer schema) */
};

/*
 * Opens url (a SQLite path or a postgres:// URL). With STORE_MIGRATE the
 * schema is brought up to date first; *migrated (may be NULL) gets how many
 * migrations ran. Errors name the database and say what to do.
 */
int store_open(const char *url, int flags, struct store **out, int *migrated, struct cf_error *err);
void store_close(struct store *s);

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
 * links, blanks their outbox messages and replaces their personal fields
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
/* CF_ENOTFOUND unless person owns an unrevoked token id. */
int store_api_token_revoke(struct store *s, const char *person, const char *id, const char *now,
                           struct cf_error *err);

int store_login_failure_add(struct store *s, const char *key, const char *now,
                            struct cf_error *err);
/* Failures of key at or after since: *n and the oldest instant (oldest >= 32 bytes). */
int store_login_failures(struct store *s, const char *key, const char *since, long *n, char *oldest,
                         struct cf_error *err);
int store_login_failures_clear(struct store *s, const char *key, struct cf_error *err);

/* The secret called name, created from fresh (hex) the first time. out >= 129 bytes. */
int store_secret(struct store *s, const char *name, const char *fresh, char *out,
                 struct cf_error *err);

/* --- outbox (store/outbox.c) ---------------------------------------------- */

/* {id, kind, to_addr, subject, body, person_id, status, attempts, next_attempt_at,
 *  last_error, created_at, sent_at} */
int store_outbox_add(struct store *s, const char *kind, const char *to, const char *subject,
                     const char *body, const char *person, const char *now, int64_t *id,
                     struct cf_error *err);
/* Messages newest first, only those with status (NULL: all), at most limit. */
int store_outbox_list(struct store *s, const char *status, long limit, json_t **out,
                      struct cf_error *err);
/* Pending messages due at now, oldest first, at most limit. */
int store_outbox_due(struct store *s, const char *now, long limit, json_t **out,
                     struct cf_error *err);
int store_outbox_sent(struct store *s, int64_t id, const char *now, struct cf_error *err);
/* The person's pending messages of kind are not sent: failed, with why and cancelled_at. */
int store_outbox_cancel(struct store *s, const char *person, const char *kind, const char *why,
                        const char *now, struct cf_error *err);
/* One message; CF_ENOTFOUND when there is none with id. */
int store_outbox_get(struct store *s, int64_t id, json_t **out, struct cf_error *err);
/* A failed message pending again at now, attempts from 0; *n = rows changed (0 or 1). */
int store_outbox_requeue(struct store *s, int64_t id, const char *now, int64_t *n,
                         struct cf_error *err);
/*
 * Takes message id for one sender: moves its next_attempt_at from seen (the
 * value the sender read) to until, only while it is still pending and still
 * at seen. *claimed = 1 when this call moved it; 0 when another process had
 * already taken or settled it. Moving it back (seen = until, until = the old
 * value) releases it.
 */
int store_outbox_claim(struct store *s, int64_t id, const char *seen, const char *until,
                       int *claimed, struct cf_error *err);
/* Records a failed attempt: pending again at next (or 'failed' when next is NULL). */
int store_outbox_retry(struct store *s, int64_t id, const char *next, const char *error,
                       struct cf_error *err);

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
 * request_id}; actor_name is the person's name (their pseudonym once erased).
 */
int store_audit_list(struct store *s, const struct audit_filter *f, json_t **out,
                     struct cf_error *err);

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

#endif
