/*
 * jsonread.h — what the readers of JSON documents with rules share
 * (core/program.c, core/pdcatalog.c): every problem recorded with the JSON
 * path of the value at fault ("$.ce.categories[1].value"), so a person can fix
 * a whole file at once, and unknown keys refused by name.
 */
#ifndef CF_CORE_JSONREAD_H
#define CF_CORE_JSONREAD_H

#include <jansson.h>
#include <stddef.h>

#define JR_PATH_MAX 96  /* a JSON path as "$.activities[12].gain.III.D" */
#define JR_MSG_MAX  640 /* one problem's message */

/* What a reader carries: where problems go (may be NULL: only counted) and how many. */
struct jr {
    json_t *problems;
    int n;
};

/* Records one problem at path: {"path", "message"} appended to rd->problems. */
void jr_problem(struct jr *rd, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* path + "." + key into out ("$.(path too long)" when it does not fit). */
void jr_sub(char out[JR_PATH_MAX], const char *path, const char *key);

/* path + "[i]" into out. */
void jr_idx(char out[JR_PATH_MAX], const char *path, size_t i);

/* The NULL-terminated words of list joined by ", " into out (n bytes), cut when full. */
void jr_join(char *out, size_t n, const char *const *list);

/*
 * Refuses every key of obj not in allowed (NULL-terminated), naming the key
 * and the keys that are allowed. 0 when obj is not an object (then a problem
 * is recorded and the caller reads nothing from it), else 1.
 */
int jr_keys_ok(struct jr *rd, const json_t *obj, const char *path, const char *const *allowed);

/* Reads the text obj.key (1 to n-1 bytes, no control characters) into out ("" on a problem). */
void jr_text(struct jr *rd, const json_t *obj, const char *path, const char *key, char *out,
             size_t n);

#endif
