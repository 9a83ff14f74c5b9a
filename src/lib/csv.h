/*
 * csv.h — an RFC 4180 reader for imported files (results, response files).
 *
 * Fields are separated by commas and records by CRLF, LF or a lone CR. A field
 * that starts with a double quote runs to the next lone quote; inside it "" is
 * a quote and commas and line breaks are text. A UTF-8 byte order mark at the
 * start is skipped, and so are empty lines. The first record is the header;
 * every later record must have as many fields.
 *
 * The reader does not stop at the first problem: it reports each one with the
 * line and column where it is (both from 1; a column counts characters, not
 * bytes), so a person can fix a whole file at once. Sizes are capped: bytes in
 * a field, fields in a record, records in a file, problems reported.
 */
#ifndef CF_CSV_H
#define CF_CSV_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

struct csv_limits {
    size_t max_field;    /* bytes in one field */
    size_t max_fields;   /* fields in one record */
    size_t max_rows;     /* records after the header */
    size_t max_problems; /* problems reported before the reader gives up */
};

#define CSV_MAX_FIELD    (64u * 1024u)
#define CSV_MAX_FIELDS   1000u
#define CSV_MAX_ROWS     1000000u
#define CSV_MAX_PROBLEMS 100u

/* The limits used when csv_parse is given none. */
extern const struct csv_limits csv_default_limits;

/*
 * One field of a record as csv_read() hands it over: a slice of the reader's own buffer,
 * valid until the callback returns. The text has its quotes taken off and each "" read as
 * one quote; it is UTF-8 with no NUL byte (a field that was not is given as "", after a
 * problem saying why). Not NUL-terminated.
 */
struct csv_field {
    const char *p; /* n bytes */
    size_t n;
    long col; /* the column csv_column_of() gives the field: exact unless a quoted field is
                 before it on its record (its quotes are not counted) */
};

/* One record: the header (index 0), then each row (index 1, 2, ...). */
struct csv_record {
    size_t index;
    size_t line;    /* where the record starts */
    size_t nfields; /* at most the limit's max_fields */
    const struct csv_field *field;
    int bad; /* the reader reported a problem in this record */
};

/* What csv_read() calls per record: CF_OK to go on; any other code stops the reading. */
typedef int (*csv_record_fn)(const struct csv_record *rec, void *arg);

/*
 * The streaming reader: reads the n bytes at p by the rules above and calls fn(rec, arg)
 * once per record, in file order, with no allocation per field. Problems go to problems
 * (an empty array to start with) as csv_parse() reports them; a record with one is still
 * passed, with bad set. A row past max_rows is not passed, and the reading stops there;
 * it stops too once max_problems are reported. lim may be NULL (the defaults). Returns
 * what fn returned when it stopped the reading, else CF_ENOMEM when memory ran out,
 * CF_EINVAL when there is a problem, CF_OK.
 */
int csv_read(const char *p, size_t n, const struct csv_limits *lim, json_t *problems,
             csv_record_fn fn, void *arg);

/*
 * Reads the n bytes at p (NUL bytes included: they are a problem, not an end).
 * *out receives {"header": [names], "rows": [{"line": N, "fields": [...]}, ...]}
 * (a new reference; "line" is where the record starts), *problems an array of
 * {"line", "column", "message"} in the order found (a new reference; empty
 * when all is well). A field with a problem is kept as far as it could be
 * read (as "" when it is not UTF-8 text). lim may be NULL (the defaults).
 * Returns CF_OK when there is no problem, CF_EINVAL when there is one or more,
 * CF_ENOMEM (then *out and *problems are NULL).
 */
int csv_parse(const char *p, size_t n, const struct csv_limits *lim, json_t **out,
              json_t **problems);

/*
 * The character column (from 1) where field i of a record read by csv_parse
 * starts, fields being its "fields" array: for a problem in that field. Exact
 * for fields written without quotes (the usual case); a quoted field before it
 * puts it a few characters early.
 */
long csv_column_of(const json_t *fields, size_t i);

/*
 * A capped list of problems, shared by the readers built on csv_read(): appends
 * {line, column, message (fmt, at most CSV_PROBLEM_MSG_MAX - 1 bytes)} to problems; when it
 * already holds max - 1, the last one appended says only the first are shown and *full is
 * set, and later calls add nothing. *nomem is set when memory runs out.
 */
#define CSV_PROBLEM_MSG_MAX 256
void csv_problem_vadd(json_t *problems, size_t max, int *full, int *nomem, size_t line, size_t col,
                      const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));

#endif
