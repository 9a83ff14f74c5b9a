/* err.c — error codes, their names and the cf_error filler. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cf_error_set(struct cf_error *e, int code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return code;
    e->code = code;
    e->nextra = 0;
    if (field != NULL)
        snprintf(e->field, sizeof e->field, "%s", field);
    else
        e->field[0] = '\0';
    va_start(ap, fmt);
    if (vsnprintf(e->message, sizeof e->message, fmt, ap) < 0)
        e->message[0] = '\0';
    va_end(ap);
    return code;
}

void cf_error_also(struct cf_error *e, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL || field == NULL || field[0] == '\0' || e->nextra < 0 ||
        e->nextra >= CF_ERROR_EXTRA || strcmp(e->field, field) == 0)
        return;
    for (int i = 0; i < e->nextra; i++)
        if (strcmp(e->extra[i].field, field) == 0)
            return;
    snprintf(e->extra[e->nextra].field, sizeof e->extra[0].field, "%s", field);
    va_start(ap, fmt);
    if (vsnprintf(e->extra[e->nextra].message, sizeof e->extra[0].message, fmt, ap) < 0)
        e->extra[e->nextra].message[0] = '\0';
    va_end(ap);
    e->nextra++;
}

void cf_error_clear(struct cf_error *e)
{
    if (e == NULL)
        return;
    e->code = CF_OK;
    e->nextra = 0;
    e->message[0] = '\0';
    e->field[0] = '\0';
}

static const struct {
    int code;
    const char *name;
    const char *text;
} errs[] = {
    {CF_OK, "ok", "success"},
    {CF_EINVAL, "invalid", "invalid input"},
    {CF_ENOTFOUND, "not_found", "not found"},
    {CF_ECONFLICT, "conflict", "conflict"},
    {CF_EFORBIDDEN, "forbidden", "forbidden"},
    {CF_ENOMEM, "internal", "out of memory"},
    {CF_EIO, "internal", "input/output error"},
    {CF_EDB, "internal", "database error"},
    {CF_ETOOBIG, "too_large", "input too large"},
    {CF_EUNAUTH, "unauthorized", "sign-in required"},
    {CF_ETOOMANY, "too_many_requests", "too many requests"},
    {CF_EVERSION, "version", "database is newer than this program"},
    {CF_EBUSY, "busy", "resource busy"},
    {CF_EREADONLY, "read_only", "read-only"},
};

const char *cf_strerror(int code)
{
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (errs[i].code == code)
            return errs[i].text;
    return "unknown error";
}

const char *cf_err_name(int code)
{
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (errs[i].code == code)
            return errs[i].name;
    return "internal";
}
