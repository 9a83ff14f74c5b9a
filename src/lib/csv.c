/* csv.c — an RFC 4180 reader that reports every problem where it is; see csv.h. */
#include "lib/csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

const struct csv_limits csv_default_limits = {CSV_MAX_FIELD, CSV_MAX_FIELDS, CSV_MAX_ROWS,
                                              CSV_MAX_PROBLEMS};

/* The reader's state: where it is, the record being read, what it has found wrong. */
struct rd {
    const unsigned char *p, *end;
    size_t line, col; /* of *p */
    const struct csv_limits *lim;
    char *text; /* the record's field texts, one after another */
    size_t ntext, atext;
    struct csv_field *field; /* the record's fields (p set once the record is read) */
    size_t nfield, afield;
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

/* 1 when the byte at the reader ends an unquoted field: a comma, a line break. */
static int at_delim(const struct rd *r)
{
    return *r->p == ',' || *r->p == '\r' || *r->p == '\n';
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

/*
 * Adds the n bytes at s to the field that starts at text offset start; what would take it
 * past max_field is dropped and *too_long set (reported once by the caller).
 */
static void keep(struct rd *r, size_t start, const unsigned char *s, size_t n, int *too_long)
{
    size_t room = r->lim->max_field - (r->ntext - start);

    if (n > room) {
        *too_long = 1;
        n = room;
    }
    if (n == 0)
        return;
    if (r->ntext + n > r->atext) {
        size_t a = r->atext > 0 ? r->atext : 256;
        char *t;

        while (a < r->ntext + n)
            a *= 2;
        t = realloc(r->text, a);
        if (t == NULL) {
            r->nomem = 1;
            return;
        }
        r->text = t;
        r->atext = a;
    }
    memcpy(r->text + r->ntext, s, n);
    r->ntext += n;
}

/* Reads a quoted field (at its opening quote); stops at the delimiter after it. */
static void quoted(struct rd *r, size_t start, size_t line, size_t col, int *too_long)
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
        keep(r, start, r->p, 1, too_long);
        step(r);
    }
    if (!at_end(r) && !at_delim(r)) {
        problem(r, r->line, r->col,
                "There is text after the closing quote of a field. Put the whole field in "
                "quotes and write each quote inside it twice (\"\").");
        while (!at_end(r) && !at_delim(r)) {
            keep(r, start, r->p, 1, too_long);
            step(r);
        }
    }
}

/*
 * Reads an unquoted field; stops at a comma, a line break or the end. It holds no line
 * break, so the column moves by its characters and the bytes are kept in one piece.
 */
static void unquoted(struct rd *r, size_t start, int *too_long)
{
    const unsigned char *from = r->p;
    int told = 0;

    while (!at_end(r) && !at_delim(r)) {
        if (*r->p == '"' && !told) {
            problem(r, r->line, r->col,
                    "There is a quote (\") inside a field that does not start with one. Put "
                    "the whole field in quotes and write each quote inside it twice (\"\").");
            told = 1;
        }
        if ((*r->p & 0xC0) != 0x80)
            r->col++;
        r->p++;
    }
    keep(r, start, from, (size_t)(r->p - from), too_long);
}

/*
 * The characters in the n bytes at s when they are UTF-8 as jansson takes it (no overlong
 * form, no surrogate, nothing above U+10FFFF) with no NUL byte; else -2 when they hold a NUL
 * byte, -1 when they are not UTF-8.
 */
static long utf8_chars(const unsigned char *s, size_t n)
{
    size_t i = 0;
    long chars = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t v;

        chars++;
        if (c < 0x80) {
            if (c == 0)
                return -2;
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, v = c & 0x1Fu;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, v = c & 0x0Fu;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, v = c & 0x07u;
        else
            goto not_utf8;
        if (n - i < len)
            goto not_utf8;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto not_utf8;
            v = (v << 6) | (s[i + k] & 0x3Fu);
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (len == 3 && v < 0x800) ||
            (len == 4 && v < 0x10000))
            goto not_utf8;
        i += len;
    }
    return chars;

not_utf8:
    /* A NUL byte further on is what is reported. */
    return memchr(s + i, '\0', n - i) != NULL ? -2 : -1;
}

/*
 * Checks the field just read (from text offset start): after a NUL byte or bytes that are
 * not UTF-8 it is reported and emptied. Returns its characters.
 */
static long field_check(struct rd *r, size_t start, size_t line, size_t col)
{
    size_t n = r->ntext - start;
    long chars;

    if (n == 0)
        return 0; /* (r->text may still be NULL) */
    chars = utf8_chars((const unsigned char *)r->text + start, n);
    if (chars == -2)
        problem(r, line, col, "This field holds a NUL byte. Save the file as UTF-8 text.");
    else if (chars == -1)
        problem(r, line, col, "This field is not UTF-8 text. Save the file as UTF-8 (CSV UTF-8).");
    if (chars < 0) {
        r->ntext = start;
        return 0;
    }
    return chars;
}

/* Appends a field of n bytes at column col to the record. */
static void add_field(struct rd *r, size_t n, long col)
{
    if (r->nfield == r->afield) {
        size_t a = r->afield > 0 ? 2 * r->afield : 16;
        struct csv_field *f;

        if (a > r->lim->max_fields)
            a = r->lim->max_fields;
        f = realloc(r->field, a * sizeof *f);
        if (f == NULL) {
            r->nomem = 1;
            return;
        }
        r->field = f;
        r->afield = a;
    }
    r->field[r->nfield].p = NULL;
    r->field[r->nfield].n = n;
    r->field[r->nfield].col = col;
    r->nfield++;
}

/*
 * Reads the next record into r->text and r->field, and its first line into *line. expect
 * is the header's field count (0 while reading the header): a record with another count
 * is a problem. Returns 1 for a record, 0 at the end.
 */
static int record(struct rd *r, size_t expect, size_t *line)
{
    size_t count = 0;
    long vcol = 1; /* csv_column_of()'s column: the characters of the values before, plus commas */

    r->ntext = 0;
    r->nfield = 0;
    /* Empty lines are not records. */
    while (!at_end(r) && (*r->p == '\r' || *r->p == '\n'))
        step(r);
    if (at_end(r) || r->full || r->nomem)
        return 0;
    *line = r->line;
    for (;;) {
        size_t fline = r->line, fcol = r->col, start = r->ntext;
        int too_long = 0;

        if (expect > 0 && count == expect)
            problem(r, fline, fcol,
                    "This row has more fields than the header (%zu). Put a field that holds a "
                    "comma in quotes.",
                    expect);
        if (!at_end(r) && *r->p == '"')
            quoted(r, start, fline, fcol, &too_long);
        else
            unquoted(r, start, &too_long);
        if (too_long)
            problem(r, fline, fcol, "This field is longer than %zu bytes.", r->lim->max_field);
        count++;
        if (count == r->lim->max_fields + 1)
            problem(r, fline, fcol, "This row has more than %zu fields.", r->lim->max_fields);
        if (count <= r->lim->max_fields) {
            long chars = field_check(r, start, fline, fcol);

            add_field(r, r->ntext - start, vcol);
            vcol += chars + 1;
        } else {
            r->ntext = start;
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

int csv_read(const char *p, size_t n, const struct csv_limits *lim, json_t *problems,
             csv_record_fn fn, void *arg)
{
    struct rd r;
    struct csv_record rec;
    size_t expect = 0;
    int rc = CF_OK;

    memset(&r, 0, sizeof r);
    memset(&rec, 0, sizeof rec);
    r.p = (const unsigned char *)p;
    r.end = r.p + n;
    r.line = r.col = 1;
    r.lim = lim != NULL ? lim : &csv_default_limits;
    r.problems = problems;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;

    for (;;) {
        size_t before = json_array_size(problems), at = 0;

        if (!record(&r, expect, &rec.line) || r.nomem)
            break;
        if (rec.index > r.lim->max_rows) {
            problem(&r, rec.line, 1,
                    "The file has more than %zu rows. Split it into smaller files.",
                    r.lim->max_rows);
            break;
        }
        /* The text is complete: its fields can point into it. */
        for (size_t i = 0; i < r.nfield; i++) {
            r.field[i].p = r.text != NULL ? r.text + at : "";
            at += r.field[i].n;
        }
        rec.nfields = r.nfield;
        rec.field = r.field;
        rec.bad = json_array_size(problems) != before;
        if (rec.index == 0)
            expect = r.nfield;
        rc = fn(&rec, arg);
        if (rc != CF_OK)
            goto out;
        rec.index++;
    }
    if (rec.index == 0 && !r.nomem)
        problem(&r, 1, 1, "The file is empty. The first line must name the columns.");
    if (r.nomem)
        rc = CF_ENOMEM;
    else
        rc = json_array_size(problems) > 0 ? CF_EINVAL : CF_OK;
out:
    free(r.text);
    free(r.field);
    return rc;
}

/* What csv_parse() builds while csv_read() reads. */
struct parse {
    json_t *header, *rows;
};

/* Keeps a record as JSON: the header's names, or a row {line, fields}. */
static int keep_record(const struct csv_record *rec, void *arg)
{
    struct parse *ps = arg;
    json_t *fields = json_array();

    if (fields == NULL)
        return CF_ENOMEM;
    for (size_t i = 0; i < rec->nfields; i++)
        if (json_array_append_new(fields, json_stringn_nocheck(rec->field[i].p, rec->field[i].n)) !=
            0) {
            json_decref(fields);
            return CF_ENOMEM;
        }
    if (rec->index == 0) {
        ps->header = fields;
        return CF_OK;
    }
    if (json_array_append_new(ps->rows, json_pack("{s:I, s:o}", "line", (json_int_t)rec->line,
                                                  "fields", fields)) != 0)
        return CF_ENOMEM;
    return CF_OK;
}

int csv_parse(const char *p, size_t n, const struct csv_limits *lim, json_t **out,
              json_t **problems)
{
    struct parse ps = {NULL, json_array()};
    json_t *pbs = json_array();
    int rc;

    *out = *problems = NULL;
    if (ps.rows == NULL || pbs == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    rc = csv_read(p, n, lim, pbs, keep_record, &ps);
    if (rc == CF_ENOMEM)
        goto out;
    if (ps.header == NULL && (ps.header = json_array()) == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    *out = json_pack("{s:o, s:O}", "header", ps.header, "rows", ps.rows);
    ps.header = NULL;
    if (*out == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    *problems = pbs;
    pbs = NULL;
out:
    json_decref(ps.header);
    json_decref(ps.rows);
    json_decref(pbs);
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
