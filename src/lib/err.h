/*
 * err.h — the one error vocabulary of ctoframe.
 *
 * Every function that can fail returns an enum cf_err (CF_OK == 0, failures
 * negative) and, when it has something to say to a person, fills a
 * struct cf_error: the code, a message written for people, and the name of
 * the input field at fault (empty when no single field is). A form with
 * several fields at fault keeps the others in extra (cf_error_also), so a
 * person sees every problem at once.
 */
#ifndef CF_ERR_H
#define CF_ERR_H

#include <stddef.h>

enum cf_err {
    CF_OK = 0,
    CF_EINVAL = -1,     /* bad input: 400 */
    CF_ENOTFOUND = -2,  /* no such thing (or not visible to you): 404 */
    CF_ECONFLICT = -3,  /* duplicate or illegal state change: 409 */
    CF_EFORBIDDEN = -4, /* authenticated but not allowed: 403 */
    CF_ENOMEM = -5,     /* out of memory: 500 */
    CF_EIO = -6,        /* file or socket failure: 500 */
    CF_EDB = -7,        /* database failure: 500 */
    CF_ETOOBIG = -8,    /* input over its size limit: 413 */
    CF_EUNAUTH = -9,    /* not signed in: 401 */
    CF_ETOOMANY = -10,  /* throttled: 429 */
    CF_EVERSION = -11,  /* database schema newer than this binary */
    CF_EBUSY = -12,     /* resource busy (address in use, database locked) */
    CF_EREADONLY = -13, /* database or file is read-only */
};

#define CF_ERROR_EXTRA 6

struct cf_error {
    int code;
    char message[512];
    char field[128];
    int nextra; /* further fields at fault, after field */
    struct {
        char field[48];
        char message[208];
    } extra[CF_ERROR_EXTRA];
};

/*
 * Fills e (when not NULL) with code, field (may be NULL) and a printf-style
 * message, and returns code so callers can write `return cf_error_set(...)`.
 */
int cf_error_set(struct cf_error *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Adds another field at fault to e (already set by cf_error_set); ignored when
 * e is NULL, full, or already names field.
 */
void cf_error_also(struct cf_error *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets e to CF_OK with empty message and field. */
void cf_error_clear(struct cf_error *e);

/* A short English description of a code ("not found"); never NULL. */
const char *cf_strerror(int code);

/* The stable machine name of a code used in JSON errors ("not_found"); never NULL. */
const char *cf_err_name(int code);

#endif
