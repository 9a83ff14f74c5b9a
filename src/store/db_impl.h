/*
 * db_impl.h — what db.c shares with the two drivers (private to store/).
 */
#ifndef CF_STORE_DB_IMPL_H
#define CF_STORE_DB_IMPL_H

#include <sqlite3.h>
#include <libpq-fe.h>

#include "store/db.h"

/*
 * How many idle prepared statements a connection keeps. It is not a cap:
 * beyond it db_prepare() finalizes the least recently used idle statement,
 * and statements in use are never taken away, however many there are.
 */
#define DB_STMT_KEEP 128

struct db_stmt {
    struct db *db;
    const char *sql; /* cache key: the caller's literal */
    int in_use;
    int bind_rc; /* the first failed bind since db_prepare(), reported by db_step() */
    int bind_at; /* its parameter number */
    int64_t changes;
    struct db_stmt *hnext;         /* next in the same hash bucket */
    struct db_stmt *newer, *older; /* the connection's list, most recently handed out first */
    /* SQLite */
    sqlite3_stmt *sq;
    /* PostgreSQL */
    char name[24]; /* prepared-statement name, "" until prepared on this session */
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
    int failed;   /* an inner level rolled back: the outer commit must fail */
    int lost;     /* PostgreSQL: the connection broke inside the open transaction */
    int readonly; /* SQLite opened for reading only (DB_OPEN_READONLY_OK) */
    size_t nstmts;
    size_t nbuckets;          /* a power of two (0 before the first statement) */
    struct db_stmt **buckets; /* statements by the address of their SQL */
    struct db_stmt *newest, *oldest;
    unsigned long nprepared; /* PostgreSQL statement names handed out */
    unsigned long nresets;   /* PostgreSQL: times the connection was reopened */
    char errmsg[512];
};

int db__sqlite_open(struct db *db, const char *path, int flags, struct cf_error *err);
int db__pg_open(struct db *db, const char *url, struct cf_error *err);
/* Reopens a broken PostgreSQL connection and sets its session up again. */
int db__pg_reset(struct db *db, struct cf_error *err);

#endif
