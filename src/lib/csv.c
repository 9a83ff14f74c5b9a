/* csv.c — an RFC 4180 reader that reports every problem where it is; see csv.h. */
#include "lib/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"

const struct csv_limits csv_default_limits = {CSV_MAX_FIELD, CSV_MAX_FIELDS, CSV_MAX_ROWS,
                                              CSV_MAX_PROBLEMS};

/* The reader's state: where it is, what it has found wrong. */
struct rd {
    const unsigned char *p, *end;
    size_t line, col; /* of *p */
    const struct csv_limits *lim;
    struct buf field;
    json_t *problems;
    int full;     /* max_problems reached: stop reading */
    int unclosed; /* a quoted field ran to the end of the input */
    int nomem;    /* an allocation failed */
};

/* Records a problem at line:col (the last one says that more were left out). */
static void problem(struct rd *r, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void csv_problem_vadd(json_t *problems, size_t max, int *full, int *nomem, size_t line, size_t col,
                      const char *fmt, va_list ap)
{
    char msg[CSV_PROBLEM_MSG_MAX];
    json_t *pb;

    if (*full)
        return;
    if (json_array_size(problems) + 1 >= max) {
        *full = 1;
        snprintf(msg, sizeof msg,
                 "There are more problems; only the first %zu are shown. Fix these and try again.",
                 json_array_size(problems));
    } else
        vsnprintf(msg, sizeof msg, fmt, ap);
    pb = json_pack("{s:I, s:I, s:s}", "line", (json_int_t)line, "column", (json_int_t)col,
                   "message", msg);
    if (pb == NULL || json_array_append_new(problems, pb) != 0)
        *nomem = 1;
}

static void problem(struct rd *r, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    csv_problem_vadd(r->problems, r->lim->max_problems, &r->full, &r->nomem, line, col, fmt, ap);
    va_end(ap);
}

static int at_end(const struct rd *r)
{
    return r->p >= r->end;
}

/* Moves past one byte, keeping line and column (a column is a character). */
static void step(struct rd *r)
{
    unsigned char c = *r->p++;

    if (c == '\n' || (c == '\r' && (at_end(r) || *r->p != '\n'))) {
        r->line++;
        r->col = 1;
    } else if (c != '\r' && (c & 0xC0) != 0x80) {
        r->col++;
    }
}

/* Adds a byte to the field; past max_field it is dropped (reported once by the caller). */
static void keep(struct rd *r, unsigned char c, int *too_long)
{
    if (*too_long)
        return;
    if (r->field.n >= r->lim->max_field) {
        *too_long = 1;
        return;
    }
    if (buf_addc(&r->field, (char)c) != 0)
        r->nomem = 1;
}

/* Reads a quoted field (at its opening quote); stops at the delimiter after it. */
static void quoted(struct rd *r, size_t line, size_t col, int *too_long)
{
    step(r); /* the opening quote */
    for (;;) {
        if (at_end(r)) {
            problem(r, line, col,
                    "This quoted field has no closing quote. Add a quote (\") at its end.");
            r->unclosed = 1;
            return;
        }
        if (*r->p == '"') {
            step(r);
            if (at_end(r) || *r->p != '"')
                break;
        }
        keep(r, *r->p, too_long);
        step(r);
    }
    if (!at_end(r) && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
        problem(r, r->line, r->col,
                "There is text after the closing quote of a field. Put the whole field in "
                "quotes and write each quote inside it twice (\"\").");
        while (!at_end(r) && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
            keep(r, *r->p, too_long);
            step(r);
        }
    }
}

/* Reads an unquoted field; stops at a comma, a line break or the end. */
static void unquoted(struct rd *r, int *too_long)
{
    int told = 0;

    while (!at_end(r) && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
        if (*r->p == '"' && !told) {
            problem(r, r->line, r->col,
                    "There is a quote (\") inside a field that does not start with one. Put "
                    "the whole field in quotes and write each quote inside it twice (\"\").");
            told = 1;
        }
        keep(r, *r->p, too_long);
        step(r);
    }
}

/* The field just read as a JSON string; "" after reporting a NUL byte or bytes not UTF-8. */
static json_t *field_value(struct rd *r, size_t line, size_t col)
{
    const char *s = r->field.n > 0 ? r->field.p : "";
    json_t *v;

    if (memchr(s, '\0', r->field.n) != NULL) {
        problem(r, line, col, "This field holds a NUL byte. Save the file as UTF-8 text.");
        return json_string("");
    }
    v = json_stringn(s, r->field.n);
    if (v == NULL) {
        problem(r, line, col, "This field is not UTF-8 text. Save the file as UTF-8 (CSV UTF-8).");
        return json_string("");
    }
    return v;
}

/*
 * Reads the next record into *fields (a new array) and its first line into
 * *line. expect is the header's field count (0 while reading the header): a
 * record with another count is a problem. Returns 1 for a record, 0 at the end.
 */
static int record(struct rd *r, size_t expect, json_t **fields, size_t *line)
{
    size_t count = 0;

    *fields = NULL;
    /* Empty lines are not records. */
    while (!at_end(r) && (*r->p == '\r' || *r->p == '\n'))
        step(r);
    if (at_end(r) || r->full || r->nomem)
        return 0;
    *line = r->line;
    *fields = json_array();
    if (*fields == NULL) {
        r->nomem = 1;
        return 0;
    }
    for (;;) {
        size_t fline = r->line, fcol = r->col;
        int too_long = 0;
        json_t *v;

        buf_reset(&r->field);
        if (expect > 0 && count == expect)
            problem(r, fline, fcol,
                    "This row has more fields than the header (%zu). Put a field that holds a "
                    "comma in quotes.",
                    expect);
        if (!at_end(r) && *r->p == '"')
            quoted(r, fline, fcol, &too_long);
        else
            unquoted(r, &too_long);
        if (too_long)
            problem(r, fline, fcol, "This field is longer than %zu bytes.", r->lim->max_field);
        count++;
        if (count == r->lim->max_fields + 1)
            problem(r, fline, fcol, "This row has more than %zu fields.", r->lim->max_fields);
        if (count <= r->lim->max_fields) {
            v = field_value(r, fline, fcol);
            if (v == NULL || json_array_append_new(*fields, v) != 0)
                r->nomem = 1;
        }
        if (!at_end(r) && *r->p == ',') {
            step(r);
            continue;
        }
        break;
    }
    /* (After a quote left open, the count says nothing new.) */
    if (expect > 0 && count < expect && !r->unclosed)
        problem(r, r->line, r->col,
                "This row has %zu field%s; the header has %zu. Add the missing fields (they may "
                "be empty).",
                count, count == 1 ? "" : "s", expect);
    /* The line break that ends the record. */
    if (!at_end(r) && *r->p == '\r')
        step(r);
    if (!at_end(r) && *r->p == '\n')
        step(r);
    return 1;
}

int csv_parse(const char *p, size_t n, const struct csv_limits *lim, json_t **out,
              json_t **problems)
{
    struct rd r;
    json_t *header = NULL, *rows = json_array(), *fields;
    size_t line, nrows = 0;
    int rc = CF_OK;

    *out = *problems = NULL;
    memset(&r, 0, sizeof r);
    r.p = (const unsigned char *)p;
    r.end = r.p + n;
    r.line = r.col = 1;
    r.lim = lim != NULL ? lim : &csv_default_limits;
    buf_init(&r.field, r.lim->max_field + 1);
    r.problems = json_array();
    if (rows == NULL || r.problems == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;

    if (!record(&r, 0, &header, &line)) {
        if (!r.nomem)
            problem(&r, 1, 1, "The file is empty. The first line must name the columns.");
        header = json_array();
    }
    while (!r.nomem && record(&r, json_array_size(header), &fields, &line)) {
        if (++nrows > r.lim->max_rows) {
            json_decref(fields);
            problem(&r, line, 1, "The file has more than %zu rows. Split it into smaller files.",
                    r.lim->max_rows);
            break;
        }
        if (json_array_append_new(
                rows, json_pack("{s:I, s:o}", "line", (json_int_t)line, "fields", fields)) != 0)
            r.nomem = 1;
    }
    if (r.nomem || header == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    *out = json_pack("{s:o, s:O}", "header", header, "rows", rows);
    header = NULL;
    if (*out == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    *problems = r.problems;
    r.problems = NULL;
    rc = json_array_size(*problems) > 0 ? CF_EINVAL : CF_OK;
out:
    buf_free(&r.field);
    json_decref(header);
    json_decref(rows);
    json_decref(r.problems);
    return rc;
}

long csv_column_of(const json_t *fields, size_t i)
{
    long c = 1;

    for (size_t k = 0; k < i; k++) {
        const char *f = json_string_value(json_array_get(fields, k));

        /* Characters, not bytes: continuation bytes of UTF-8 are not counted. */
        for (const unsigned char *q = (const unsigned char *)f; q != NULL && *q != '\0'; q++)
            if ((*q & 0xC0) != 0x80)
                c++;
        c++;
    }
    return c;
}
