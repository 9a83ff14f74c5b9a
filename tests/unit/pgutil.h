/*
 * pgutil.h — PostgreSQL helpers for the unit suites that also run on a
 * throwaway cluster (CTOFRAME_TEST_PG). Kept out of testutil.h so only those
 * suites need libpq.
 */
#ifndef CF_TEST_PGUTIL_H
#define CF_TEST_PGUTIL_H

#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "testutil.h"

/* Runs SQL on a libpq connection to url; fails the test on error. */
static inline void pg_exec(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r;

    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];

        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        PQfinish(c);
        fail_msg("cannot connect to %s: %s", url, msg);
    }
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        char msg[512];

        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        fail_msg("%s: %s", sql, msg);
    }
    PQclear(r);
    PQfinish(c);
}

/* The URL admin with its database name replaced by db. */
static inline int pg_url_with_db(const char *admin, const char *db, char *out, size_t n)
{
    const char *scheme = strstr(admin, "://");
    const char *path, *query;
    int w;

    if (scheme == NULL)
        return -1;
    path = strchr(scheme + 3, '/');
    query = strchr(scheme + 3, '?');
    if (path != NULL && query != NULL && query < path)
        path = NULL;
    if (path == NULL)
        path = query != NULL ? query : admin + strlen(admin);
    w = snprintf(out, n, "%.*s/%s%s", (int)(path - admin), admin, db, query != NULL ? query : "");
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

#endif
