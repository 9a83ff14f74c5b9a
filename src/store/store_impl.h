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

#endif
