/* store_impl.h — the store's private struct, shared by the entity files. */
#ifndef CF_STORE_IMPL_H
#define CF_STORE_IMPL_H

#include "store/db.h"
#include "store/store.h"

struct store {
    struct db *db;
};

/* Parses a JSON column; NULL (with err filled) when the stored text is not JSON. */
json_t *store__parse(const char *text, long n, struct cf_error *err);

/* Compact JSON text of v (malloc'd), order kept; NULL on memory failure. */
char *store__dump(const json_t *v);

/*
 * Runs sql with parameters bound from args, one per character of binds:
 *   's' const char * (NULL binds NULL)   'i' int64_t   'l' long
 * Returns CF_OK (or a negative/positive cf_err); *changes (may be NULL) gets
 * the number of rows changed.
 */
int store__exec(struct store *s, const char *sql, int64_t *changes, struct cf_error *err,
                const char *binds, ...);

/*
 * Runs a query and collects every row as a JSON object into a new array.
 * cols names the result columns in order, comma-separated; a name ending in
 * '#' is an integer, in '@' a JSON text, else a text (SQL NULL → null).
 */
int store__query(struct store *s, const char *sql, const char *cols, json_t **out,
                 struct cf_error *err, const char *binds, ...);

/* store__query for at most one row: CF_ENOTFOUND when there is none. */
int store__query_one(struct store *s, const char *sql, const char *cols, json_t **out,
                     struct cf_error *err, const char *binds, ...);

/*
 * Runs the query of the database's dialect (sqlite_sql or pg_sql) with ids,
 * an array of strings, bound as one JSON text (SQLite: json_each(?), PostgreSQL:
 * json_array_elements_text(CAST(? AS json))): a list of any length in one
 * statement. No ids: an empty array without a query (store/reach.c).
 */
int store__query_ids(struct store *s, const char *sqlite_sql, const char *pg_sql, const char *cols,
                     const json_t *ids, json_t **out, struct cf_error *err);

/* The list of ids as each dialect takes it (see store__query_ids). */
#define IDS_SQLITE " IN (SELECT value FROM json_each(?))"
#define IDS_PG     " IN (SELECT json_array_elements_text(CAST(? AS json)))"

#endif
