/*
 * responses.h — a scored response file of an exam (issue 10, pure).
 *
 * The file the interfaces `ctoframe exam analyze` and `ctoframe exam calibrate` read: CSV
 * (lib/csv.h rules), a header row whose first field names the person column and whose
 * other fields are the item ids (distinct, non-empty), then one row per person: the
 * person's id (non-empty, distinct) and per item 0 (wrong), 1 (right) or empty (not
 * presented). responses_parse() checks it whole and reports every bad cell with its line
 * and column (1-based, as lib/csv.h counts them).
 */
#ifndef CF_CORE_RESPONSES_H
#define CF_CORE_RESPONSES_H

#include <jansson.h>
#include <stddef.h>

#define RESP_MISSING      (-1)                   /* a cell of an item not presented */
#define RESP_MAX_BYTES    (256u * 1024u * 1024u) /* a file is at most this many bytes */
#define RESP_MAX_ITEMS    1000
#define RESP_MAX_PERSONS  1000000
#define RESP_MAX_PROBLEMS 100 /* problems reported at most (then "and more") */

struct responses {
    int persons;      /* rows */
    int items;        /* columns after the person column */
    char **person_id; /* persons strings */
    char **item_id;   /* items strings */
    signed char *x;   /* persons * items: x[p * items + i] is 0, 1 or RESP_MISSING */
};

/*
 * Reads bytes (n of them). Returns the number of problems: 0 means *out is filled (free
 * it with responses_free()); else *out is empty and *problems (may be NULL) gets a new
 * array [{line, column, message}] in file order (at most RESP_MAX_PROBLEMS, then one
 * saying how many more). A file with no person row, or no item column, is a problem.
 * When memory runs out it returns 1 with *out empty and *problems left NULL.
 */
int responses_parse(const char *bytes, size_t n, struct responses *out, json_t **problems);

/* Frees what responses_parse() put in r and empties it (an empty r is fine). */
void responses_free(struct responses *r);

#endif
