/* form.c — application/x-www-form-urlencoded decoding; see form.h. */
#include "web/form.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int web_urldecode(const char *s, size_t n, char *out, size_t *len)
{
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            int c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);

            if (c == 0)
                return CF_EINVAL; /* no NUL inside a field */
            out[j++] = (char)c;
            i += 2;
        } else {
            if (s[i] == '\0')
                return CF_EINVAL;
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    *len = j;
    return CF_OK;
}

/* Adds name = value to o; a repeated name becomes an array. CF_OK or CF_ENOMEM. */
static int add_field(json_t *o, const char *name, json_t *val)
{
    json_t *prev = json_object_get(o, name);

    if (prev == NULL)
        return json_object_set_new(o, name, val) == 0 ? CF_OK : CF_ENOMEM;
    if (json_is_array(prev))
        return json_array_append_new(prev, val) == 0 ? CF_OK : CF_ENOMEM;
    return json_object_set_new(o, name, json_pack("[O, o]", prev, val)) == 0 ? CF_OK : CF_ENOMEM;
}

/* 1 when the n bytes at s are UTF-8 (what jansson accepts as a name). */
static int utf8_ok(const char *s, size_t n)
{
    json_t *v = json_stringn(s, n);

    json_decref(v);
    return v != NULL;
}

/*
 * One scratch buffer of n + 2 bytes holds each decoded name and, after its
 * NUL, its value: a decoded piece is never longer than the text it came from,
 * so name, value and their two NULs fit in the piece's length + 1 when it has
 * a '=', and + 2 when it has none (the value is then "").
 */
int web_form_parse(const char *p, size_t n, json_t **out)
{
    const char *end = p + n;
    json_t *o = json_object();
    char *tmp = malloc(n + 2);
    int rc = CF_OK;

    *out = NULL;
    if (o == NULL || tmp == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        size_t klen = 0, vlen = 0;
        char *val;
        json_t *v;

        if (stop > p) {
            rc = web_urldecode(p, (size_t)((eq != NULL ? eq : stop) - p), tmp, &klen);
            if (rc != CF_OK)
                goto out;
            val = tmp + klen + 1;
            val[0] = '\0';
            if (eq != NULL &&
                (rc = web_urldecode(eq + 1, (size_t)(stop - eq - 1), val, &vlen)) != CF_OK)
                goto out;
            /* Not UTF-8 (name or value): jansson refuses it. */
            if (!utf8_ok(tmp, klen) || (v = json_stringn(val, vlen)) == NULL) {
                rc = CF_EINVAL;
                goto out;
            }
            if ((rc = add_field(o, tmp, v)) != CF_OK)
                goto out;
        }
        if (stop == end)
            break;
        p = stop + 1;
    }
out:
    free(tmp);
    if (rc != CF_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return CF_OK;
}
