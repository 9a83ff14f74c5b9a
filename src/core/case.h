/*
 * case.h — reading and checking CASE 1.0 CFPackages (pure: no I/O).
 *
 * case_parse() turns bytes into a package and lists every problem it finds,
 * each with the JSON path of the offending value ("$.CFItems[3].uri") and a
 * sentence for people. A package with any problem must not be stored.
 */
#ifndef CF_CORE_CASE_H
#define CF_CORE_CASE_H

#include <jansson.h>
#include <stddef.h>

/* The most bytes a CASE package may have. */
#define CASE_MAX_BYTES (32u * 1024u * 1024u)

/* The characters of a UUID in 8-4-4-4-12 form. */
#define CASE_UUID_CHARS 36

/* The most problems (and warnings) listed for one package (the rest are counted). */
#define CASE_MAX_PROBLEMS 100

/*
 * Asks whether a node that the package refers to but does not contain already
 * exists elsewhere (in the database). Returns 1 yes, 0 no.
 */
typedef int (*case_exists_fn)(void *ctx, const char *identifier);

/*
 * Parses n bytes of JSON and validates them as a CFPackage. Always sets
 * *problems to a new array of {"path","message"} objects (empty when the
 * package is good) and *pkg to the parsed package or NULL when the bytes are
 * not JSON. exists may be NULL (then references outside the package are
 * problems). The caller json_decref()s both.
 */
void case_parse(const char *bytes, size_t n, case_exists_fn exists, void *ctx, json_t **pkg,
                json_t **problems);

/*
 * The lenient reading of case_parse, for packages from the wild (OpenSALT and
 * other CASE tools bend the 1.0 schema). Before validating, every value that
 * has one obvious strict reading is rewritten to it (case_normalize) and
 * *warnings gets one {"path","message"} per rewrite; what remains wrong is a
 * problem as in case_parse. Returns how many values were rewritten (the
 * warnings list stops at CASE_MAX_PROBLEMS plus one summary entry). The caller
 * json_decref()s *pkg, *problems and *warnings.
 */
size_t case_parse_lenient(const char *bytes, size_t n, case_exists_fn exists, void *ctx,
                          json_t **pkg, json_t **problems, json_t **warnings);

/*
 * Rewrites, in place, what a package from the wild writes in a way the CASE
 * 1.0 schema does not allow but whose meaning is plain:
 *   - a date-time without a zone is UTC ("2017-05-25T18:05:33" gets a Z); an
 *     offset without a colon (+0000) gets one; a space between date and time
 *     becomes a T; a bare date where a date-time belongs is midnight UTC;
 *   - a link (LinkURI) given as a URI string becomes {title, identifier, uri}:
 *     the identifier is the UUID the URI's last path segment names, the title
 *     that of the object of the package it names (empty when not known); a
 *     link object without identifier or title is completed the same way;
 *   - an optional field that is null or an empty string where neither is
 *     allowed is left out; a number given as a string ("2") becomes a number,
 *     a whole number given where text belongs becomes its digits;
 *   - a missing lastChangeDateTime (not the CFDocument's) is the CFDocument's.
 * What has no obvious reading (a URI naming no UUID, a bad UUID, a missing
 * title or uri…) is left as it is, for case_validate to report. Appends a
 * warning per rewrite to warnings (see case_parse_lenient); returns how many.
 */
size_t case_normalize(json_t *pkg, json_t *warnings);

/* Validates an already parsed package; appends problems to the array. */
void case_validate(const json_t *pkg, case_exists_fn exists, void *ctx, json_t *problems);

/* 1 when s is a UUID in 8-4-4-4-12 hex form (any case, any version). */
int case_is_uuid(const char *s);

/* 1 when s is a lowercase RFC 4122 UUID of version 1–5 (the CASE 1.1 rule). */
int case_is_strict_uuid(const char *s);

/* The nine CASE 1.0 association types; NULL-terminated. */
extern const char *const case_association_types[];

#endif
