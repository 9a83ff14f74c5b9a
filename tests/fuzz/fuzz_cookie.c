/*
 * fuzz_cookie.c — libFuzzer harness for what a request's credentials go
 * through: the session cookie's value (svc_session_principal) and the API
 * token of an "Authorization: Bearer" header (svc_token_principal).
 *
 * We have no Cookie header parser of our own: libmicrohttpd splits the header
 * (MHD_COOKIE_KIND) and hands us each value, which reaches these functions
 * as it came (web_authorize in src/web/session.c). So this harness fuzzes
 * that value against a real SQLite store made once per process: whatever the
 * bytes, the answer is "not signed in" (CF_EUNAUTH), never another error (a
 * bind or text-encoding failure would show here as CF_EDB) or a crash.
 * Seeds: tests/fuzz/corpus/cookie/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "store/store.h"
#include "svc/svc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static char dir[64], dbfile[96];

static void done(void)
{
    if (st != NULL)
        store_close(st);
    unlink(dbfile);
    (void)snprintf(dbfile, sizeof dbfile, "%s/fuzz.db-wal", dir);
    unlink(dbfile);
    (void)snprintf(dbfile, sizeof dbfile, "%s/fuzz.db-shm", dir);
    unlink(dbfile);
    rmdir(dir);
}

/* The store, opened (and migrated) on the first call. */
static struct store *store(void)
{
    struct cf_error err;

    if (st != NULL)
        return st;
    (void)snprintf(dir, sizeof dir, "/tmp/ctoframe-fuzz-cookie.XXXXXX");
    if (mkdtemp(dir) == NULL)
        abort();
    (void)snprintf(dbfile, sizeof dbfile, "%s/fuzz.db", dir);
    setenv("CTOFRAME_QUIET", "1", 1);
    if (store_open(dbfile, STORE_CREATE | STORE_MIGRATE, &st, NULL, &err) != CF_OK) {
        fprintf(stderr, "fuzz_cookie: %s\n", err.message);
        abort();
    }
    atexit(done);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct svc sv;
    struct cf_error err;
    json_t *person = NULL, *grants = NULL;
    char value[4096];

    /* A header value is text up to its first NUL, as libmicrohttpd gives it. */
    if (size >= sizeof value)
        return 0;
    memcpy(value, data, size);
    value[size] = '\0';
    memset(&sv, 0, sizeof sv);
    sv.store = store();
    sv.actor = "anonymous";

    if (svc_session_principal(&sv, value, &person, &grants, &err) != CF_EUNAUTH)
        abort();
    if (person != NULL || grants != NULL)
        abort();
    if (svc_token_principal(&sv, value, &person, &grants, &err) != CF_EUNAUTH)
        abort();
    if (person != NULL || grants != NULL)
        abort();
    return 0;
}
