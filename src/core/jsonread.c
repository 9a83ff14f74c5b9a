/*
 * jsonread.c — problems with their JSON paths, for the rule readers (jsonread.h).
 */
#include "core/jsonread.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void jr_problem(struct jr *rd, const char *path, const char *fmt, ...)
{
    char msg[JR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rd->n++;
    if (rd->problems != NULL)
        json_array_append_new(rd->problems, json_pack("{s:s, s:s}", "path", path, "message", msg));
}

void jr_sub(char out[JR_PATH_MAX], const char *path, const char *key)
{
    int w = snprintf(out, JR_PATH_MAX, "%s.%s", path, key);

    if (w < 0 || w >= JR_PATH_MAX)
        snprintf(out, JR_PATH_MAX, "%s", "$.(path too long)");
}

void jr_idx(char out[JR_PATH_MAX], const char *path, size_t i)
{
    int w = snprintf(out, JR_PATH_MAX, "%s[%zu]", path, i);

    if (w < 0 || w >= JR_PATH_MAX)
        snprintf(out, JR_PATH_MAX, "%s", "$.(path too long)");
}

void jr_join(char *out, size_t n, const char *const *list)
{
    size_t off = 0;

    if (n == 0)
        return;
    out[0] = '\0';
    for (const char *const *a = list; *a != NULL; a++) {
        int w = snprintf(out + off, n - off, "%s%s", off > 0 ? ", " : "", *a);

        if (w < 0 || (size_t)w >= n - off)
            break;
        off += (size_t)w;
    }
}

int jr_keys_ok(struct jr *rd, const json_t *obj, const char *path, const char *const *allowed)
{
    const char *k;
    json_t *v;

    if (!json_is_object(obj)) {
        jr_problem(rd, path, "must be an object ({…}).");
        return 0;
    }
    json_object_foreach((json_t *)obj, k, v)
    {
        int known = 0;

        for (const char *const *a = allowed; *a != NULL && !known; a++)
            known = strcmp(k, *a) == 0;
        if (!known) {
            char p[JR_PATH_MAX], list[JR_MSG_MAX / 2];

            jr_join(list, sizeof list, allowed);
            jr_sub(p, path, k);
            jr_problem(rd, p, "is not a known key (a typo?); the keys here are %s.", list);
        }
    }
    return 1;
}

void jr_text(struct jr *rd, const json_t *obj, const char *path, const char *key, char *out,
             size_t n)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    char p[JR_PATH_MAX];

    jr_sub(p, path, key);
    out[0] = '\0';
    if (s == NULL) {
        jr_problem(rd, p, "%s; it must be a text.", v == NULL ? "is missing" : "is not a text");
        return;
    }
    if (s[0] == '\0' || strlen(s) >= n) {
        jr_problem(rd, p, "must be a text of 1 to %zu characters.", n - 1);
        return;
    }
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
        if (*c < 0x20 || *c == 0x7f) {
            jr_problem(rd, p, "must not hold control characters (line breaks, tabs).");
            return;
        }
    snprintf(out, n, "%s", s);
}
