/* path.c — is a string a path on this site (see path.h). */
#include "lib/path.h"

#include <string.h>

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

/*
 * The byte s[*i] means, with "%XX" decoded (*i moves past it); -1 for a "%"
 * without two hex digits. Only one level is decoded: "%25" itself is refused
 * by the caller, so nothing decodes twice into something else.
 */
static int decoded(const char *s, size_t *i)
{
    if (s[*i] != '%')
        return (unsigned char)s[(*i)++];
    if (hexval(s[*i + 1]) < 0 || hexval(s[*i + 2]) < 0)
        return -1;
    *i += 3;
    return hexval(s[*i - 2]) * 16 + hexval(s[*i - 1]);
}

/* 1 when the segment s[b..e) is "." or ".." (in clear or as %2E). */
static int dot_segment(const char *s, size_t b, size_t e)
{
    int dots = 0;

    while (b < e) {
        int c = decoded(s, &b);

        if (c != '.')
            return 0;
        dots++;
    }
    return dots == 1 || dots == 2;
}

int path_is_local(const char *s)
{
    size_t n, i, seg;
    int in_path = 1;

    if (s == NULL || s[0] != '/')
        return 0;
    n = strlen(s);
    if (n > PATH_LOCAL_MAX)
        return 0;

    /* Bytes: printable ASCII only; no backslash anywhere (a browser reads it as "/"). */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c >= 0x7f || c == '\\')
            return 0;
    }

    /* Percent-encodings: well formed, and none of /, \, %, or a control character. */
    for (i = 0; i < n;) {
        int c;

        if (s[i] != '%') {
            i++;
            continue;
        }
        c = decoded(s, &i);
        if (c < ' ' || c >= 0x7f || c == '/' || c == '\\' || c == '%')
            return 0;
    }

    /* "//host" is another site; so is "/./" + "/host" once the dot segment goes. */
    if (s[1] == '/')
        return 0;
    for (i = 1, seg = 1; in_path && i <= n; i++) {
        if (i == n || s[i] == '/' || s[i] == '?' || s[i] == '#') {
            if (dot_segment(s, seg, i))
                return 0;
            if (i < n && s[i] != '/')
                in_path = 0; /* the query and fragment may hold dots freely */
            seg = i + 1;
        }
    }
    return 1;
}

const char *path_local_or(const char *s, const char *fallback)
{
    return path_is_local(s) ? s : fallback;
}
