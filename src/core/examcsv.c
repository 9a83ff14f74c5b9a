/*
 * examcsv.c — the calibration, group and category files of the exam commands: read whole
 * with lib/csv.h, then the header, each key and each value checked, every problem named with
 * its line and column.
 */
#include "core/examcsv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/err.h"

#define SHOWN_MAX 40 /* bytes of a field quoted in a message */

/* What examcsv_parse() carries while it reads. */
struct rd {
    json_t *problems;
    int full;
    int nomem;
};

static void problem(struct rd *r, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a problem at line and column, unless the list is full (then one says so, once). */
static void problem(struct rd *r, long line, long col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    csv_problem_vadd(r->problems, EXAMCSV_MAX_PROBLEMS, &r->full, &r->nomem, (size_t)line,
                     (size_t)col, fmt, ap);
    va_end(ap);
}

/* How many bytes of s a message shows: at most SHOWN_MAX, not cutting a UTF-8 character. */
static int shown_len(const char *s)
{
    size_t len = strlen(s);

    if (len > SHOWN_MAX) {
        len = SHOWN_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    return (int)len;
}

/* s as a finite number into *v: 1 when it is one (no blank around it), else 0. */
static int number(const char *s, double *v)
{
    char *end = NULL;

    if (s[0] == '\0' || s[0] == ' ' || s[0] == '\t')
        return 0;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && isfinite(*v);
}

/* The expected header of each kind. */
static const char *const headers[][5] = {
    [EXAMCSV_CALIBRATION] = {"item", "difficulty", "se", "infit", "outfit"},
    [EXAMCSV_GROUPS] = {"person", "group", NULL, NULL, NULL},
    [EXAMCSV_CATEGORIES] = {"item", "category", NULL, NULL, NULL},
};

/* Checks the header against the kind's; returns 1 when it matches. */
static int read_header(struct rd *rd, enum examcsv_kind kind, const json_t *header)
{
    size_t want = 0;
    int ok = 1;

    while (want < 5 && headers[kind][want] != NULL)
        want++;
    if (json_array_size(header) != want) {
        problem(rd, 1, 1, "The header has %zu columns; it must be %s%s%s%s%s%s%s%s%s.",
                json_array_size(header), headers[kind][0], ",", headers[kind][1],
                want > 2 ? "," : "", want > 2 ? headers[kind][2] : "", want > 2 ? "," : "",
                want > 2 ? headers[kind][3] : "", want > 2 ? "," : "",
                want > 2 ? headers[kind][4] : "");
        return 0;
    }
    for (size_t j = 0; j < want; j++) {
        const char *h = json_string_value(json_array_get(header, j));

        if (h == NULL || strcmp(h, headers[kind][j]) != 0) {
            problem(rd, 1, csv_column_of(header, j), "Column %zu of the header must be \"%s\".",
                    j + 1, headers[kind][j]);
            ok = 0;
        }
    }
    return ok;
}

/* Checks one row (fields of a record at line) and keeps it as row i of out. */
static void read_row(struct rd *rd, enum examcsv_kind kind, json_t *seen, const json_t *fields,
                     long line, int i, struct examcsv *out)
{
    const char *key = json_string_value(json_array_get(fields, 0));
    const char *what = kind == EXAMCSV_GROUPS ? "person" : "item";
    json_t *first;

    out->line[i] = line;
    if (key == NULL || key[0] == '\0') {
        problem(rd, line, 1, "The %s is empty; give its id.", what);
    } else if ((first = json_object_get(seen, key)) != NULL) {
        problem(rd, line, 1, "The %s \"%.*s\" is already on line %lld; give each once.", what,
                shown_len(key), key, (long long)json_integer_value(first));
    } else {
        json_t *l = json_integer(line);

        if (l == NULL || json_object_set_new(seen, key, l) != 0)
            rd->nomem = 1;
    }
    out->key[i] = strdup(key != NULL ? key : "");
    if (out->key[i] == NULL)
        rd->nomem = 1;

    if (kind == EXAMCSV_CALIBRATION) {
        static const char *const names[] = {"difficulty", "se", "infit", "outfit"};
        double v[4] = {0, 0, 0, 0};

        for (size_t j = 1; j < 5; j++) {
            const char *s = json_string_value(json_array_get(fields, j));
            long col = csv_column_of(fields, j);

            if (s == NULL || !number(s, &v[j - 1]))
                problem(rd, line, col, "The %s \"%.*s\" is not a finite number.", names[j - 1],
                        s != NULL ? shown_len(s) : 0, s != NULL ? s : "");
            else if (j == 2 && !(v[1] > 0.0))
                problem(rd, line, col, "The se %.*s must be greater than 0.", shown_len(s), s);
            else if (j >= 3 && v[j - 1] < 0.0)
                problem(rd, line, col, "The %s %.*s must not be negative.", names[j - 1],
                        shown_len(s), s);
        }
        out->value[i] = v[0];
        out->se[i] = v[1];
        return;
    }

    {
        const char *lab = json_string_value(json_array_get(fields, 1));

        if (lab == NULL || lab[0] == '\0')
            problem(rd, line, csv_column_of(fields, 1), "The %s is empty; give one.",
                    kind == EXAMCSV_GROUPS ? "group" : "category");
        out->label[i] = strdup(lab != NULL ? lab : "");
        if (out->label[i] == NULL)
            rd->nomem = 1;
    }
}

/* Groups: exactly two labels. Problems at the first row with a third label, or line 1. */
static void check_two_groups(struct rd *rd, const struct examcsv *out)
{
    const char *a = NULL, *b = NULL;

    for (int i = 0; i < out->n; i++) {
        const char *l = out->label[i];

        if (l[0] == '\0')
            continue;
        if (a == NULL || strcmp(l, a) == 0) {
            a = l;
        } else if (b == NULL || strcmp(l, b) == 0) {
            b = l;
        } else {
            problem(rd, out->line[i], 2,
                    "The group \"%.*s\" is a third one; the file must name exactly two groups "
                    "(\"%.*s\" and \"%.*s\").",
                    shown_len(l), l, shown_len(a), a, shown_len(b), b);
            return;
        }
    }
    if (b == NULL)
        problem(rd, 1, 2, "The file names %s group; it must name exactly two.",
                a == NULL ? "no" : "only one");
}

int examcsv_parse(enum examcsv_kind kind, const char *bytes, size_t n, struct examcsv *out,
                  json_t **problems)
{
    const struct csv_limits lim = {CSV_MAX_FIELD, 8u, EXAMCSV_MAX_ROWS, EXAMCSV_MAX_PROBLEMS};
    struct rd rd = {NULL, 0, 0};
    json_t *parsed = NULL, *seen = NULL, *rows, *row;
    size_t i, nrows, count;

    memset(out, 0, sizeof *out);
    if (problems != NULL)
        *problems = NULL;

    if (n > EXAMCSV_MAX_BYTES) {
        rd.problems = json_array();
        if (rd.problems == NULL)
            goto nomem;
        problem(&rd, 1, 1, "The file is larger than %u MB.", EXAMCSV_MAX_BYTES / (1024u * 1024u));
        goto refused;
    }

    /* The CSV itself first: a file the reader finds wrong is refused with its problems. */
    if (csv_parse(bytes, n, &lim, &parsed, &rd.problems) == CF_ENOMEM)
        goto nomem;
    if (json_array_size(rd.problems) > 0)
        goto refused;
    rows = json_object_get(parsed, "rows");
    nrows = json_array_size(rows);

    if (!read_header(&rd, kind, json_object_get(parsed, "header")))
        goto refused;
    if (nrows == 0) {
        problem(&rd, 1, 1, "The file has no row after the header.");
        goto refused;
    }

    out->n = (int)nrows;
    out->key = calloc(nrows, sizeof *out->key);
    out->line = calloc(nrows, sizeof *out->line);
    if (kind == EXAMCSV_CALIBRATION) {
        out->value = calloc(nrows, sizeof *out->value);
        out->se = calloc(nrows, sizeof *out->se);
    } else {
        out->label = calloc(nrows, sizeof *out->label);
    }
    seen = json_object();
    if (out->key == NULL || out->line == NULL || seen == NULL ||
        (kind == EXAMCSV_CALIBRATION ? out->value == NULL || out->se == NULL : out->label == NULL))
        goto nomem;
    json_array_foreach(rows, i, row)
    {
        read_row(&rd, kind, seen, json_object_get(row, "fields"),
                 (long)json_integer_value(json_object_get(row, "line")), (int)i, out);
        if (rd.nomem)
            goto nomem;
    }
    if (kind == EXAMCSV_GROUPS)
        check_two_groups(&rd, out);
    if (rd.nomem)
        goto nomem;
    if (json_array_size(rd.problems) > 0)
        goto refused;

    json_decref(parsed);
    json_decref(seen);
    json_decref(rd.problems);
    return 0;

refused:
    json_decref(parsed);
    json_decref(seen);
    examcsv_free(out);
    count = json_array_size(rd.problems);
    if (problems != NULL)
        *problems = rd.problems;
    else
        json_decref(rd.problems);
    return count > 0 ? (int)count : 1;

nomem:
    json_decref(parsed);
    json_decref(seen);
    json_decref(rd.problems);
    examcsv_free(out);
    return 1;
}

void examcsv_free(struct examcsv *f)
{
    if (f == NULL)
        return;
    for (int i = 0; i < f->n; i++) {
        if (f->key != NULL)
            free(f->key[i]);
        if (f->label != NULL)
            free(f->label[i]);
    }
    free(f->key);
    free(f->label);
    free(f->value);
    free(f->se);
    free(f->line);
    memset(f, 0, sizeof *f);
}

int examcsv_find(const struct examcsv *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->key[i], key) == 0)
            return i;
    return -1;
}
