/*
 * multipart.c — multipart/form-data decoding (RFC 7578). See multipart.h.
 */
#include "web/multipart.h"

#include <string.h>
#include <strings.h>

#include "lib/err.h"

#define MP_HEADERS_MAX 4096 /* bytes of one part's headers */

int web_multipart_boundary(const char *content_type, char *out, size_t n)
{
    const char *b = content_type != NULL ? strcasestr(content_type, "boundary=") : NULL;
    size_t len = 0;

    if (n < MP_BOUNDARY_MAX)
        return -1;
    out[0] = '\0';
    if (b == NULL)
        return -1;
    b += 9;
    if (*b == '"') {
        const char *e = strchr(b + 1, '"');

        if (e == NULL)
            return -1;
        len = (size_t)(e - b - 1);
        b++;
    } else {
        while (b[len] != '\0' && b[len] != ';' && b[len] != ' ' && b[len] != '\t')
            len++;
    }
    if (len == 0 || len > MP_BOUNDARY_MAX - 2)
        return -1;
    memcpy(out, b, len);
    out[len] = '\0';
    return 0;
}

/* The value of parameter key (name, filename) in a Content-Disposition line, into out. */
static int disposition_param(const char *line, size_t len, const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);

    out[0] = '\0';
    for (size_t i = 0; i + klen + 2 <= len; i++) {
        size_t j = 0;

        if ((i > 0 && line[i - 1] != ' ' && line[i - 1] != ';') ||
            strncasecmp(line + i, key, klen) != 0 || line[i + klen] != '=')
            continue;
        i += klen + 1;
        if (line[i] == '"') {
            for (i++; i < len && line[i] != '"'; i++) {
                if (line[i] == '\\' && i + 1 < len)
                    i++;
                if (j + 1 >= n)
                    return -1;
                out[j++] = line[i];
            }
            if (i >= len)
                return -1;
        } else {
            for (; i < len && line[i] != ';' && line[i] != ' '; i++) {
                if (j + 1 >= n)
                    return -1;
                out[j++] = line[i];
            }
        }
        out[j] = '\0';
        return 1;
    }
    return 0;
}

/* Adds a text field as web_form_parse would (repeated names make an array). */
static int add_field(json_t *o, const char *name, const char *v, size_t n)
{
    json_t *s, *old;

    if (memchr(v, '\0', n) != NULL)
        return CF_EINVAL;
    s = json_stringn(v, n);
    if (s == NULL)
        return CF_EINVAL; /* not UTF-8 */
    old = json_object_get(o, name);
    if (old == NULL)
        return json_object_set_new(o, name, s) == 0 ? CF_OK : CF_ENOMEM;
    if (json_is_array(old))
        return json_array_append_new(old, s) == 0 ? CF_OK : CF_ENOMEM;
    {
        json_t *a = json_pack("[O, o]", old, s);

        if (a == NULL)
            return CF_ENOMEM;
        return json_object_set_new(o, name, a) == 0 ? CF_OK : CF_ENOMEM;
    }
}

/*
 * Reads the headers of one part (hp .. he) for its name, filename and type.
 * Returns 1 for a file part, 0 for a text part, -1 when they do not name it.
 */
static int part_headers(const char *hp, const char *he, char *name, char *filename, char *type)
{
    int has_name = 0, is_file = 0;

    type[0] = '\0';
    while (hp < he) {
        const char *eol = memchr(hp, '\r', (size_t)(he - hp));
        size_t len = eol != NULL ? (size_t)(eol - hp) : (size_t)(he - hp);

        if (len > 20 && strncasecmp(hp, "Content-Disposition:", 20) == 0) {
            int r = disposition_param(hp + 20, len - 20, "name", name, MP_NAME_MAX);
            int f = disposition_param(hp + 20, len - 20, "filename", filename, MP_FILENAME_MAX);

            if (r < 0 || f < 0)
                return -1;
            has_name = r == 1 && name[0] != '\0';
            is_file = f == 1;
        } else if (len > 13 && strncasecmp(hp, "Content-Type:", 13) == 0) {
            size_t i = 13, j = 0;

            while (i < len && hp[i] == ' ')
                i++;
            for (; i < len && j + 1 < MP_TYPE_MAX; i++, j++)
                type[j] = hp[i];
            type[j] = '\0';
        }
        hp += len + 2;
    }
    return has_name ? is_file : -1;
}

/* The base name of a path a browser may send ("C:\dir\a.pdf" → "a.pdf"). */
static void base_name(char *s)
{
    char *b = s;

    for (char *p = s; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    if (b != s)
        memmove(s, b, strlen(b) + 1);
}

int web_multipart_parse(const char *p, size_t n, const char *boundary, json_t **fields,
                        struct mp_file *files, int *nfiles)
{
    char delim[MP_BOUNDARY_MAX + 4];
    size_t dlen, blen = strlen(boundary);
    const char *cur, *end = p + n;
    json_t *o = json_object();
    int rc = CF_EINVAL, parts = 0;

    *fields = NULL;
    *nfiles = 0;
    if (o == NULL)
        return CF_ENOMEM;
    if (blen == 0 || blen > MP_BOUNDARY_MAX - 2)
        goto out;
    /* Every delimiter but the first is preceded by CRLF. */
    delim[0] = '\r';
    delim[1] = '\n';
    delim[2] = '-';
    delim[3] = '-';
    memcpy(delim + 4, boundary, blen);
    dlen = blen + 4;
    if (n < dlen - 2 || memcmp(p, delim + 2, dlen - 2) != 0)
        goto out;
    cur = p + dlen - 2;

    for (;;) {
        const char *hs, *he, *body, *next;
        char name[MP_NAME_MAX], filename[MP_FILENAME_MAX], type[MP_TYPE_MAX];
        int kind;

        /* After a delimiter: "--" ends the body, CRLF starts a part. */
        if (end - cur >= 2 && cur[0] == '-' && cur[1] == '-') {
            rc = CF_OK;
            break;
        }
        if (end - cur < 2 || cur[0] != '\r' || cur[1] != '\n' || ++parts > MP_PARTS_MAX)
            goto out;
        hs = cur + 2;
        he = memmem(hs, (size_t)(end - hs), "\r\n\r\n", 4);
        if (he == NULL || he - hs > MP_HEADERS_MAX)
            goto out;
        body = he + 4;
        next = memmem(body, (size_t)(end - body), delim, dlen);
        if (next == NULL)
            goto out;
        name[0] = filename[0] = '\0';
        kind = part_headers(hs, he + 2, name, filename, type);
        if (kind < 0)
            goto out;
        if (kind == 1) {
            base_name(filename);
            if (filename[0] != '\0') {
                struct mp_file *f;

                if (*nfiles == MP_FILES_MAX)
                    goto out;
                f = &files[(*nfiles)++];
                memcpy(f->field, name, sizeof f->field);
                memcpy(f->filename, filename, sizeof f->filename);
                memcpy(f->type, type, sizeof f->type);
                f->data = body;
                f->n = (size_t)(next - body);
            }
        } else {
            int r = add_field(o, name, body, (size_t)(next - body));

            if (r != CF_OK) {
                rc = r;
                goto out;
            }
        }
        cur = next + dlen;
    }

out:
    if (rc != CF_OK) {
        json_decref(o);
        *nfiles = 0;
        return rc;
    }
    *fields = o;
    return CF_OK;
}
