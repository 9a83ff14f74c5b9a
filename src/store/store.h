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

/* The newest entries first (at most limit), as a JSON array of objects. */
int store_audit_list(struct store *s, long limit, json_t **out, struct cf_error *err);

#endif
