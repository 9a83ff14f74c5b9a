/*
 * path.h — is a string a path on this site?
 *
 * Used where a request names the place to go next (the sign-in form's
 * "next", a redirect's Location): only a path that every browser resolves to
 * this site is accepted, judged as a WHATWG URL parser would read it.
 */
#ifndef CF_PATH_H
#define CF_PATH_H

#include <stddef.h>

/* The longest path accepted as a place to go next. */
#define PATH_LOCAL_MAX 2048

/*
 * 1 when s is a path on this site: it starts with one "/", and holds only
 * printable ASCII other than space and backslash (browsers drop tabs and
 * newlines and read a backslash as a slash, so "/\t/evil.example" and
 * "/\evil.example" would leave the site); no "." or ".." segment, in clear or
 * percent-encoded; no percent-encoded slash, backslash, percent sign or
 * control character, nor a "%" without two hex digits; at most PATH_LOCAL_MAX
 * bytes. 0 otherwise, and for NULL. When in doubt the answer is 0.
 */
int path_is_local(const char *s);

/* s when path_is_local(s), else fallback. */
const char *path_local_or(const char *s, const char *fallback);

#endif
