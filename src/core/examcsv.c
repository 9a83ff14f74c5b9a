/*
 * examcsv.c — the calibration, group and category files of the exam commands: read in one
 * pass with lib/csvtable.h, the header, each key and each value checked as they go by,
 * every problem named with its line and column.
 */
#include "core/examcsv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/csvtable.h"
#include "lib/err.h"

/* What examcsv_parse() carries while it reads. */
struct rd {
    struct csv_table t;
    enum examcsv_kind kind;
    struct examcsv *out;
    int header_ok; /* the header is the kind's: the rows are checked */
    size_t cap;    /* rows out's arrays have room for */
};

/*
 * The n bytes at s as a finite number into *v: 1 when they are one (no blank around), 0
 * when not, -1 when memory runs out.
 */
static int number(const char *s, size_t n, double *v)
{
    char *copy, *end = NULL;
    int ok;

    if (n == 0 || s[0] == ' ' || s[0] == '\t')
        return 0;
    copy = strndup(s, n);
    if (copy == NULL)
        return -1;
    errno = 0;
    *v = strtod(copy, &end);
    ok = errno == 0 && end != copy && *end == '\0' && isfinite(*v);
    free(copy);
    return ok;
}

/* The expected header of each kind. */
static const char *const headers[][5] = {
    [EXAMCSV_CALIBRATION] = {"item", "difficulty", "se", "infit", "outfit"},
    [EXAMCSV_GROUPS] = {"person", "group", NULL, NULL, NULL},
    [EXAMCSV_CATEGORIES] = {"item", "category", NULL, NULL, NULL},
};

/* Checks the header h against the kind's; returns 1 when it matches. */
static int read_header(struct rd *rd, const struct csv_record *h)
{
    const char *const *want_name = headers[rd->kind];
    size_t want = 0;
    int ok = 1;

    while (want < 5 && want_name[want] != NULL)
        want++;
    if (h->nfields != want) {
        csv_table_problem(
            &rd->t, 1, 1, "The header has %zu columns; it must be %s%s%s%s%s%s%s%s%s.", h->nfields,
            want_name[0], ",", want_name[1], want > 2 ? "," : "", want > 2 ? want_name[2] : "",
            want > 2 ? "," : "", want > 2 ? want_name[3] : "", want > 2 ? "," : "",
            want > 2 ? want_name[4] : "");
        return 0;
    }
    for (size_t j = 0; j < want; j++) {
        const struct csv_field *f = &h->field[j];

        if (f->n != strlen(want_name[j]) || memcmp(f->p, want_name[j], f->n) != 0) {
            csv_table_problem(&rd->t, 1, (size_t)f->col, "Column %zu of the header must be \"%s\".",
                              j + 1, want_name[j]);
            ok = 0;
        }
    }
    return ok;
}

/* Makes room in out for row i (its strings NULL until it is read). */
static int room_for(struct rd *rd, size_t i)
{
    struct examcsv *out = rd->out;
    int cal = rd->kind == EXAMCSV_CALIBRATION;
    /* a calibration keeps a value and an SE a row, the other kinds a label */
    void *arr[4] = {out->key, out->line, cal ? (void *)out->value : (void *)out->label, out->se};
    const size_t size[4] = {sizeof *out->key, sizeof *out->line,
                            cal ? sizeof *out->value : sizeof *out->label, sizeof *out->se};
    int rc = csv_table_grow(arr, size, cal ? 4u : 3u, i, &rd->cap);

    out->key = arr[0];
    out->line = arr[1];
    if (cal) {
        out->value = arr[2];
        out->se = arr[3];
    } else {
        out->label = arr[2];
    }
    return rc;
}

/* Checks one row (record r) and keeps it as row i of out. */
static void read_row(struct rd *rd, const struct csv_record *r, int i)
{
    struct examcsv *out = rd->out;
    const struct csv_field *key = &r->field[0];
    const char *what = rd->kind == EXAMCSV_GROUPS ? "person" : "item";
    long line = (long)r->line;
    long first;

    out->line[i] = line;
    out->key[i] = strndup(key->p, key->n);
    if (out->key[i] == NULL) {
        rd->t.nomem = 1;
        return;
    }
    if (key->n == 0) {
        csv_table_problem(&rd->t, r->line, 1, "The %s is empty; give its id.", what);
    } else if ((first = csv_table_seen(&rd->t, out->key[i], r->line)) > 0) {
        csv_table_problem(&rd->t, r->line, 1,
                          "The %s \"%.*s\" is already on line %ld; give each once.", what,
                          csv_shown_len(key->p, key->n), key->p, first);
    }

    if (rd->kind == EXAMCSV_CALIBRATION) {
        static const char *const names[] = {"difficulty", "se", "infit", "outfit"};
        double v[4] = {0, 0, 0, 0};

        for (size_t j = 1; j < 5; j++) {
            const struct csv_field *f = &r->field[j];
            size_t col = (size_t)f->col;
            int ok = number(f->p, f->n, &v[j - 1]);

            if (ok < 0)
                rd->t.nomem = 1;
            else if (ok == 0)
                csv_table_problem(&rd->t, r->line, col, "The %s \"%.*s\" is not a finite number.",
                                  names[j - 1], csv_shown_len(f->p, f->n), f->p);
            else if (j == 2 && !(v[1] > 0.0))
                csv_table_problem(&rd->t, r->line, col, "The se %.*s must be greater than 0.",
                                  csv_shown_len(f->p, f->n), f->p);
            else if (j >= 3 && v[j - 1] < 0.0)
                csv_table_problem(&rd->t, r->line, col, "The %s %.*s must not be negative.",
                                  names[j - 1], csv_shown_len(f->p, f->n), f->p);
        }
        out->value[i] = v[0];
        out->se[i] = v[1];
        return;
    }

    {
        const struct csv_field *lab = &r->field[1];

        if (lab->n == 0)
            csv_table_problem(&rd->t, r->line, (size_t)lab->col, "The %s is empty; give one.",
                              rd->kind == EXAMCSV_GROUPS ? "group" : "category");
        out->label[i] = strndup(lab->p, lab->n);
        if (out->label[i] == NULL)
            rd->t.nomem = 1;
    }
}

/* Groups: exactly two labels. Problems at the first row with a third label, or line 1. */
static void check_two_groups(struct csv_table *t, const struct examcsv *out)
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
            csv_table_problem(t, (size_t)out->line[i], 2,
                              "The group \"%.*s\" is a third one; the file must name exactly two "
                              "groups (\"%.*s\" and \"%.*s\").",
                              csv_shown_len(l, strlen(l)), l, csv_shown_len(a, strlen(a)), a,
                              csv_shown_len(b, strlen(b)), b);
            return;
        }
    }
    if (b == NULL)
        csv_table_problem(t, 1, 2, "The file names %s group; it must name exactly two.",
                          a == NULL ? "no" : "only one");
}

/* The checks of the whole file once its rows are read under a right header. */
static void after_rows(struct rd *rd)
{
    if (rd->out->n == 0)
        csv_table_problem(&rd->t, 1, 1, "The file has no row after the header.");
    else if (rd->kind == EXAMCSV_GROUPS)
        check_two_groups(&rd->t, rd->out);
}

/*
 * Each record as csv_read() passes it: the header checked, then each row while the header
 * is right. Once the reader has found a problem the rows are not checked: its problems
 * alone are the answer.
 */
static int on_record(const struct csv_record *r, void *arg)
{
    struct rd *rd = arg;

    if (r->index == 0) {
        rd->header_ok = !r->bad && read_header(rd, r);
    } else if (rd->header_ok && json_array_size(rd->t.csvp) == 0) {
        if (room_for(rd, (size_t)rd->out->n) != 0)
            return CF_ENOMEM;
        read_row(rd, r, rd->out->n++);
    }
    return rd->t.nomem ? CF_ENOMEM : CF_OK;
}

int examcsv_parse(enum examcsv_kind kind, const char *bytes, size_t n, struct examcsv *out,
                  json_t **problems)
{
    const struct csv_limits lim = {CSV_MAX_FIELD, 8u, EXAMCSV_MAX_ROWS, EXAMCSV_MAX_PROBLEMS};
    struct rd rd;
    int count;

    memset(out, 0, sizeof *out);
    memset(&rd, 0, sizeof rd);
    rd.kind = kind;
    rd.out = out;
    if (problems != NULL)
        *problems = NULL;
    if (csv_table_init(&rd.t, EXAMCSV_MAX_PROBLEMS) != CF_OK)
        return 1;

    /* The CSV itself first: a file the reader finds wrong is refused with its problems. */
    if (n > EXAMCSV_MAX_BYTES)
        csv_table_problem(&rd.t, 1, 1, "The file is larger than %u MB.",
                          EXAMCSV_MAX_BYTES / (1024u * 1024u));
    else if (csv_table_read(&rd.t, bytes, n, &lim, on_record, &rd) != CF_ENOMEM && rd.header_ok)
        after_rows(&rd);

    if ((count = csv_table_finish(&rd.t, CSV_TABLE_CSV_ONLY, problems)) != 0)
        examcsv_free(out);
    return count;
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
