/*
 * db_impl.h — what db.c shares with the two drivers (private to store/).
 */
#ifndef CF_STORE_DB_IMPL_H
#define CF_STORE_DB_IMPL_H

#include <sqlite3.h>
#include <libpq-fe.h>

#include "store/db.h"

#define DB_STMT_CACHE 64

struct db_stmt {
    struct db *db;
    const char *sql; /* cache key: the caller's literal */
    int in_use;
    int64_t changes;
    /* SQLite */
    sqlite3_stmt *sq;
    /* PostgreSQL */
    char name[16]; /* prepared-statement name, "" until prepared */
    char *pgsql;   /* sql with $n placeholders */
    int nparams;
    char **vals; /* nparams owned copies (NULL for SQL NULL) */
    PGresult *res;
    int row; /* current row, -1 before the first */
    int nrows;
};

struct db {
    enum db_kind kind;
    sqlite3 *sq;
    PGconn *pg;
    int txdepth;
    int failed; /* an inner level rolled back: the outer commit must fail */
    int nstmts;
    int nprepared; /* PostgreSQL statement names handed out */
    struct db_stmt stmts[DB_STMT_CACHE];
    char errmsg[512];
};

int db__sqlite_open(struct db *db, const char *path, int create, struct cf_error *err);
int db__pg_open(struct db *db, const char *url, struct cf_error *err);

#endif
