/*
 * db.h — the thin SQL driver under store/ (private to store/).
 *
 * One interface over SQLite and libpq so every entity file writes its SQL
 * once. SQL text uses `?` placeholders; the PostgreSQL driver rewrites them to
 * $1, $2 … when it prepares. Statements are cached per connection by the
 * address of their SQL text, so callers pass string literals and never
 * finalize by hand: db_done() resets a statement for its next use.
 *
 * Dialect differences live in db_dialect(): migrations may use the tokens
 * listed there and nothing else differs.
 */
#ifndef CF_STORE_DB_H
#define CF_STORE_DB_H

#include <stdint.h>

#include "lib/err.h"

enum db_kind { DB_SQLITE, DB_PG };

/* Results of db_step(): a row is ready, or the statement is finished. */
enum { DB_DONE = 0, DB_ROW = 1 };

struct db;
struct db_stmt;

/* db_open flags. */
enum {
    DB_OPEN_CREATE = 1,      /* create a missing SQLite file */
    DB_OPEN_READONLY_OK = 2, /* a SQLite database that cannot be written is opened for reading */
};

/*
 * Opens a connection. url is a file path or a file: URI (SQLite) or a
 * postgres:// or postgresql:// URL. A SQLite file is created when missing
 * with DB_OPEN_CREATE in flags. CF_EREADONLY when the file cannot be written, CF_EIO when it
 * cannot be opened; err says which and why.
 */
int db_open(const char *url, int flags, struct db **out, struct cf_error *err);
/* 1 when the connection can only read (a read-only SQLite file opened with
 * DB_OPEN_READONLY_OK). */
int db_readonly(const struct db *db);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/* The last error text of the connection, for logs and messages. */
const char *db_errmsg(const struct db *db);

/* Runs SQL without parameters; may hold several statements. */
int db_exec(struct db *db, const char *sql, struct cf_error *err);

/*
 * Returns the (cached) prepared statement for sql, ready for binding, or NULL
 * with err filled. sql must outlive the connection (a string literal).
 */
struct db_stmt *db_prepare(struct db *db, const char *sql, struct cf_error *err);

/* Bind parameter i (1-based). A NULL text binds SQL NULL. n < 0: NUL-terminated. */
int db_bind_text(struct db_stmt *st, int i, const char *s, long n);
int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_null(struct db_stmt *st, int i);

/*
 * Runs or advances the statement: DB_ROW, DB_DONE, or a negative cf_err
 * (CF_ECONFLICT on a unique-constraint violation, CF_EBUSY when locked,
 * CF_EREADONLY, else CF_EDB) with err filled.
 */
int db_step(struct db_stmt *st, struct cf_error *err);

/* Columns of the current row (0-based). Text is NULL for SQL NULL; valid until the next step. */
const char *db_col_text(struct db_stmt *st, int i);
long db_col_len(struct db_stmt *st, int i);
int64_t db_col_int64(struct db_stmt *st, int i);
int db_col_is_null(struct db_stmt *st, int i);

/* Resets the statement and clears its bindings so the cache can hand it out again. */
void db_done(struct db_stmt *st);

/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t db_changes(struct db_stmt *st);

/* Transactions. begin/commit/rollback nest by count: only the outermost pair acts. */
int db_begin(struct db *db, struct cf_error *err);
int db_commit(struct db *db, struct cf_error *err);
void db_rollback(struct db *db);
/* 1 inside db_begin() … db_commit()/db_rollback(), else 0. */
int db_in_transaction(const struct db *db);

/* Replaces the dialect tokens of a migration (see db.c) into a new malloc'd string;
 * NULL when memory runs out or a dialect block has no @END@. */
char *db_dialect(const struct db *db, const char *sql);

/* SQLite only: online backup of the open database into path. */
int db_backup(struct db *db, const char *path, struct cf_error *err);

#endif
