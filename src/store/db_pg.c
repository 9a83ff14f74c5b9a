/*
 * db_pg.c — connecting to PostgreSQL through libpq.
 *
 * The session runs in UTC with standard strings, and notices are silenced
 * (they would go to stderr mid-request).
 */
#include "store/db_impl.h"

#include <stdio.h>
#include <string.h>

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int db__pg_open(struct db *db, const char *url, struct cf_error *err)
{
    char msg[400];
    size_t n;
    PGresult *res;

    db->pg = PQconnectdb(url);
    if (db->pg == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
    if (PQstatus(db->pg) != CONNECTION_OK) {
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->pg));
        n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
        return cf_error_set(err, CF_EIO, "db", "cannot connect to PostgreSQL: %s", msg);
    }
    PQsetNoticeProcessor(db->pg, quiet_notice, NULL);
    res = PQexec(db->pg, "SET TIME ZONE 'UTC'; SET client_min_messages = warning");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = cf_error_set(err, CF_EDB, "db", "cannot configure PostgreSQL session: %s",
                              PQresultErrorMessage(res));

        PQclear(res);
        return rc;
    }
    PQclear(res);
    return CF_OK;
}
