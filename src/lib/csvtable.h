/*
 * csvtable.h — what the readers of a CSV table with a header row share (the exam's response,
 * calibration, group, category and ratings files): the reading through csv_read(), the
 * checks of a header's item ids, the file's own problems kept apart from the reader's and
 * handed back together in line/column order, and the way a cell is quoted in a message.
 *
 *   struct csv_table t;
 *   if (csv_table_init(&t, MAX_PROBLEMS) != CF_OK) ...;
 *   csv_table_read(&t, bytes, n, &lim, on_record, &state);   on_record calls csv_table_problem
 *   count = csv_table_finish(&t, CSV_TABLE_MERGE, problems);
 */
#ifndef CF_CSVTABLE_H
#define CF_CSVTABLE_H

#include <jansson.h>
#include <stddef.h>

#include "lib/csv.h"

#define CSV_SHOWN_MAX 40                  /* bytes of a cell quoted in a message */
#define CSV_SHOWN_LEN (CSV_SHOWN_MAX + 4) /* the same with "..." and the NUL */

struct csv_table {
    json_t *csvp;     /* the reader's problems (csv_read) */
    json_t *problems; /* the file's own (csv_table_problem) */
    size_t max;       /* problems handed back at most, the last then saying there are more */
    json_t *seen;     /* the rows' keys (csv_table_seen): key -> line */
    int full;         /* problems holds max: it takes no more */
    int nomem;        /* memory ran out: the reading is to stop */
};

/* Starts t with room for max problems (max >= 2). CF_OK or CF_ENOMEM (then t is freed). */
int csv_table_init(struct csv_table *t, size_t max);

/* Frees what t holds; t may be freed twice. */
void csv_table_free(struct csv_table *t);

/* Adds one of the file's own problems at line and column (when full, nothing). */
void csv_table_problem(struct csv_table *t, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * csv_read() of the n bytes at p into t's reader problems. Returns as csv_read(); when that
 * is CF_ENOMEM, t->nomem is set too.
 */
int csv_table_read(struct csv_table *t, const char *p, size_t n, const struct csv_limits *lim,
                   csv_record_fn fn, void *arg);

/*
 * The item ids of header h, from field first on: each must be non-blank and not head an
 * earlier column (both reported at the id's column). Each good id is copied into id[j -
 * first] (malloc'd, NUL-terminated; a bad one leaves NULL) and its column into col[j -
 * first] when col is not NULL. Sets t->nomem when memory runs out.
 */
void csv_table_ids(struct csv_table *t, const struct csv_record *h, size_t first, char **id,
                   long *col);

/*
 * The line of the row that first had key (a row's id, unique in the file), or 0 when key is
 * new: then it is kept as the key of line. Sets t->nomem when memory runs out.
 */
long csv_table_seen(struct csv_table *t, const char *key, size_t line);

/*
 * Field i of record r; past its last field an empty one, at the column csv_column_of()
 * gives there (as if the record went on with empty fields).
 */
struct csv_field csv_table_field(const struct csv_record *r, size_t i);

/*
 * Makes room for row i in the n row arrays arr[] of a reader, which have room for *cap rows:
 * when i is past them, each grows (to twice as many rows, or 64 at first) and *cap with them;
 * array k takes size[k] bytes a row and the bytes added are zeroed. Returns 0, or -1 when
 * memory runs out; arr[] holds the arrays either way (some grown), for the caller to keep.
 */
int csv_table_grow(void **arr, const size_t *size, size_t n, size_t i, size_t *cap);

/* How the reader's problems and the file's own are handed back. */
enum csv_table_way {
    CSV_TABLE_MERGE,    /* both, in line/column order (the reader's alone when they fill it) */
    CSV_TABLE_CSV_ONLY, /* the reader's alone when there are any, else the file's own */
};

/*
 * Ends the reading, as the readers built on the table return: the count of problems handed
 * back into *problems (0: none, and *problems is left NULL), or 1 with *problems NULL when
 * memory ran out. problems may be NULL. Frees t.
 */
int csv_table_finish(struct csv_table *t, enum csv_table_way way, json_t **problems);

/* 1 when the n bytes at s are empty or blanks (spaces, tabs) only. */
int csv_blank(const char *s, size_t n);

/* How many of the n bytes at s a message shows: at most CSV_SHOWN_MAX, whole UTF-8. */
int csv_shown_len(const char *s, size_t n);

/*
 * The n bytes at s for a message, in out (size bytes, CSV_SHOWN_LEN is enough): the first
 * csv_shown_len() of them, "..." added when cut. Returns out.
 */
const char *csv_shown(const char *s, size_t n, char *out, size_t size);

#endif
