/*
 * db_pg.c — connecting to PostgreSQL through libpq, and reconnecting.
 *
 * The session runs in UTC with standard strings, and notices are silenced
 * (they would go to stderr mid-request). A connection that broke (the server
 * restarted, a network cut) is reopened with the same settings.
 */
#include "store/db_impl.h"

#include <stdio.h>
#include <string.h>

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* libpq's last message for the connection, trimmed of its newline, into msg. */
static void conn_message(const PGconn *pg, char *msg, size_t n)
{
    size_t len;

    snprintf(msg, n, "%s",
             pg != NULL ? PQerrorMessage(pg) : "Out of memory. Try again in a moment.");
    len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = '\0';
}

/* Sets up a new session: notices off, UTC. CF_EDB when the server refuses. */
static int session_setup(struct db *db, struct cf_error *err)
{
    PGresult *res;
    int rc = CF_OK;

    PQsetNoticeProcessor(db->pg, quiet_notice, NULL);
    res = PQexec(db->pg, "SET TIME ZONE 'UTC'; SET client_min_messages = warning");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = cf_error_set(err, CF_EDB, "db", "cannot configure PostgreSQL session: %s",
                          PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

int db__pg_open(struct db *db, const char *url, struct cf_error *err)
{
    char msg[400];

    db->pg = PQconnectdb(url);
    if (db->pg == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
    if (PQstatus(db->pg) != CONNECTION_OK) {
        conn_message(db->pg, msg, sizeof msg);
        return cf_error_set(err, CF_EIO, "db", "cannot connect to PostgreSQL: %s", msg);
    }
    return session_setup(db, err);
}

/*
 * Reopens the connection with the parameters it was opened with (PQreset).
 * The old session's prepared statements are gone, so every cached statement
 * forgets its name and is prepared again when next run. CF_EBUSY (a 503:
 * try again) when the server cannot be reached yet; the next call tries again.
 */
int db__pg_reset(struct db *db, struct cf_error *err)
{
    char msg[400];

    for (struct db_stmt *st = db->newest; st != NULL; st = st->older)
        st->name[0] = '\0';
    PQreset(db->pg);
    db->nresets++;
    if (PQstatus(db->pg) != CONNECTION_OK) {
        conn_message(db->pg, msg, sizeof msg);
        snprintf(db->errmsg, sizeof db->errmsg, "%s", msg);
        return cf_error_set(err, CF_EBUSY, NULL,
                            "The database cannot be reached at the moment; try again shortly. "
                            "(PostgreSQL: %s)",
                            msg);
    }
    return session_setup(db, err);
}
