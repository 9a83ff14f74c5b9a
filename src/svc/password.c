/*
 * password.c — the checks a new password passes (core/password.c) with the
 * list of common and breached passwords read once from a file, and the one
 * sentence that tells a person why a password was refused.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "lib/buf.h"
#include "svc/svc_impl.h"

#define PW_LIST_MAX_BYTES (32u << 20) /* a larger list file is refused */
#define PW_LIST_ENV       "CTOFRAME_COMMON_PASSWORDS"

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static char list_path[PATH_MAX] = "data/common-passwords.txt";
static struct pw_list *list; /* loaded once, then only read */
static int list_rc = 1;      /* 1: not tried yet; then the outcome of the load */
static char list_why[PATH_MAX + 200];

void svc_password_list_use(const char *path)
{
    pthread_mutex_lock(&list_lock);
    if (list_rc == 1 && path != NULL)
        snprintf(list_path, sizeof list_path, "%s", path);
    pthread_mutex_unlock(&list_lock);
}

/* Reads the file at list_path (or $CTOFRAME_COMMON_PASSWORDS) into list; under list_lock. */
static int load(void)
{
    const char *env = getenv(PW_LIST_ENV);
    const char *path = env != NULL && env[0] != '\0' ? env : list_path;
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[65536];
    size_t n;
    int rc = CF_OK;

    buf_init(&b, PW_LIST_MAX_BYTES);
    if (f == NULL) {
        snprintf(list_why, sizeof list_why, "%s cannot be opened", path);
        return CF_EIO;
    }
    while (rc == CF_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_add(&b, chunk, n);
    if (rc == CF_OK && ferror(f))
        rc = CF_EIO;
    fclose(f);
    if (rc == CF_OK)
        rc = pw_list_parse(b.p != NULL ? b.p : "", b.n, &list);
    if (rc == CF_OK && pw_list_size(list) == 0) {
        pw_list_free(list);
        list = NULL;
        rc = CF_EIO;
    }
    buf_free(&b);
    if (rc != CF_OK)
        snprintf(list_why, sizeof list_why, "%s cannot be read, is over %u MB, or is empty", path,
                 PW_LIST_MAX_BYTES >> 20);
    return rc;
}

int svc_password_list_ready(size_t *n, struct cf_error *err)
{
    int rc;

    pthread_mutex_lock(&list_lock);
    if (list_rc == 1)
        list_rc = load();
    rc = list_rc;
    pthread_mutex_unlock(&list_lock);
    if (n != NULL)
        *n = rc == CF_OK ? pw_list_size(list) : 0;
    if (rc != CF_OK)
        return cf_error_set(err, rc, NULL,
                            "The list of common passwords (%s) is needed to check new "
                            "passwords; restore it, or set " PW_LIST_ENV ".",
                            list_why);
    return CF_OK;
}

int svc__password_ok(const char *pw, const char *email, const char *name, const char *field,
                     struct cf_error *err)
{
    int rc = svc_password_list_ready(NULL, err);

    if (rc != CF_OK)
        return rc;
    switch (pw_check(pw, email, name, list)) {
    case PW_OK:
        return CF_OK;
    case PW_SHORT:
        return cf_error_set(err, CF_EINVAL, field,
                            "Use at least %d characters for the password (a few words work well).",
                            PW_MIN_CHARS);
    case PW_LONG:
        return cf_error_set(err, CF_EINVAL, field, "Use at most %d characters for the password.",
                            PW_MAX_CHARS);
    case PW_NOT_TEXT:
        return cf_error_set(err, CF_EINVAL, field,
                            "Type the password again: what was sent is not text (UTF-8).");
    case PW_CONTROL:
        return cf_error_set(err, CF_EINVAL, field,
                            "Leave line breaks, tabs and other control characters out of the "
                            "password.");
    case PW_REPEATED:
        return cf_error_set(err, CF_EINVAL, field,
                            "One character repeated is easy to guess. Choose another password.");
    case PW_SEQUENCE:
        return cf_error_set(err, CF_EINVAL, field,
                            "A run of consecutive characters (like 1234567890 or abcdefghij) is "
                            "easy to guess. Choose another password.");
    case PW_COMMON:
        return cf_error_set(err, CF_EINVAL, field,
                            "This password appears in lists of common passwords and of passwords "
                            "stolen from other sites. Choose another.");
    case PW_PERSONAL:
        return cf_error_set(err, CF_EINVAL, field,
                            "A password built from your name or e-mail address is easy to guess. "
                            "Choose another.");
    case PW_PRODUCT:
        return cf_error_set(err, CF_EINVAL, field,
                            "A password built from the name of this site (ctoframe, CoSN, CETL) is "
                            "easy to guess. Choose another.");
    }
    return cf_error_set(err, CF_EINVAL, field, "Choose another password.");
}
