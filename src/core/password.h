/*
 * password.h — whether a new password is good enough (NIST SP 800-63B 5.1.1.2).
 *
 * At least PW_MIN_CHARS characters (Unicode code points), at most PW_MAX_CHARS;
 * any printable character, spaces included; no composition rules. Refused: one
 * character repeated, a run of consecutive characters, anything in the list of
 * common and breached passwords (compared case-insensitively, also with the
 * digits and symbols around a common word taken off), and a password built from
 * the person's name, e-mail address or the product's names. Pure: the list
 * comes in as text (svc/password.c reads the file once).
 */
#ifndef CF_CORE_PASSWORD_H
#define CF_CORE_PASSWORD_H

#include <stddef.h>

#define PW_MIN_CHARS 10  /* NIST: at least 8; we ask for 10 */
#define PW_MAX_CHARS 256 /* NIST: allow at least 64 */
#define PW_MAX_BYTES (PW_MAX_CHARS * 4)
/* A password built around a name keeps at least this many letters of its own. */
#define PW_OWN_MIN 6

enum pw_verdict {
    PW_OK = 0,
    PW_SHORT,    /* fewer than PW_MIN_CHARS characters */
    PW_LONG,     /* more than PW_MAX_CHARS characters */
    PW_NOT_TEXT, /* not UTF-8 */
    PW_CONTROL,  /* a line break, tab or other control character */
    PW_REPEATED, /* one character repeated */
    PW_SEQUENCE, /* consecutive characters: 0123456789, abcdefghij, 9876543210 */
    PW_COMMON,   /* in the list, or a listed word with digits or symbols around it */
    PW_PERSONAL, /* built from the person's name or e-mail address */
    PW_PRODUCT,  /* built from ctoframe, CoSN or CETL */
};

struct pw_list; /* a sorted set of lower-case passwords */

/*
 * The list in text (one password a line; blank lines and lines starting with
 * '#' skipped; upper-case ASCII letters folded). *out is the caller's, freed
 * with pw_list_free; CF_ENOMEM (and *out NULL) when memory runs out.
 */
int pw_list_parse(const char *text, size_t n, struct pw_list **out);
void pw_list_free(struct pw_list *l);
size_t pw_list_size(const struct pw_list *l);

/* 1 when s (compared case-insensitively for ASCII letters) is in l (NULL: an empty list). */
int pw_list_has(const struct pw_list *l, const char *s);

/*
 * The verdict on pw for the person with e-mail address email and name name
 * (either may be NULL), against list l (may be NULL: no list). The first rule
 * broken, in the order of enum pw_verdict.
 */
enum pw_verdict pw_check(const char *pw, const char *email, const char *name,
                         const struct pw_list *l);

#endif
