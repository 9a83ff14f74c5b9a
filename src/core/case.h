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

/* The most problems reported for one package (the rest are counted). */
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

/* Validates an already parsed package; appends problems to the array. */
void case_validate(const json_t *pkg, case_exists_fn exists, void *ctx, json_t *problems);

/* 1 when s is a UUID in 8-4-4-4-12 hex form (any case, any version). */
int case_is_uuid(const char *s);

/* 1 when s is a lowercase RFC 4122 UUID of version 1–5 (the CASE 1.1 rule). */
int case_is_strict_uuid(const char *s);

/* The nine CASE 1.0 association types; NULL-terminated. */
extern const char *const case_association_types[];

#endif
