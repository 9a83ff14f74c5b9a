/*
 * fuzz_csv.c — libFuzzer harness for the CSV reader (src/lib/csv.c), run with
 * small limits (so the caps are reached) and with the defaults.
 *
 * Any bytes give rows and a list of problems: CF_OK exactly when there is no
 * problem; every problem has a line and column from 1, a line no later than
 * the input has, and a message; no row is longer than the limit allows.
 * The streaming reader csv_read() under it, on the same bytes: records come with
 * indexes 0, 1, 2, ... on lines that do not go back; each field is UTF-8 with no NUL
 * byte, at the column csv_column_of() gives it; a record is marked bad exactly when
 * a problem was added while it was read; and it reports what csv_parse() reports.
 * Seeds: tests/fuzz/corpus/csv/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the csv_read() check carries from record to record. */
struct walk {
    json_t *problems;
    size_t index, line, seen, max; /* seen: problems before this record */
};

static int walk_record(const struct csv_record *rec, void *arg)
{
    struct walk *w = arg;
    json_t *fields = json_array();

    if (rec->index != w->index++ || rec->line < w->line || rec->nfields == 0 ||
        rec->nfields > w->max || rec->bad != (json_array_size(w->problems) != w->seen))
        abort();
    w->line = rec->line;
    w->seen = json_array_size(w->problems);
    for (size_t i = 0; i < rec->nfields; i++) {
        json_t *v = json_stringn(rec->field[i].p, rec->field[i].n);

        if (v == NULL || memchr(rec->field[i].p, '\0', rec->field[i].n) != NULL)
            abort();
        json_array_append_new(fields, v);
        if (rec->field[i].col != csv_column_of(fields, i))
            abort();
    }
    json_decref(fields);
    return CF_OK;
}

/* csv_read() on the bytes, its problems compared with csv_parse()'s (parsed). */
static void walk(const uint8_t *data, size_t size, const struct csv_limits *lim,
                 const json_t *parsed)
{
    struct walk w = {json_array(), 0, 1, 0, 0};
    int rc;

    w.max = lim != NULL ? lim->max_fields : csv_default_limits.max_fields;
    if (w.problems == NULL)
        return;
    rc = csv_read((const char *)data, size, lim, w.problems, walk_record, &w);
    if (rc != CF_ENOMEM &&
        ((rc == CF_OK) != (json_array_size(w.problems) == 0) || !json_equal(w.problems, parsed)))
        abort();
    json_decref(w.problems);
}

static void check(const uint8_t *data, size_t size, const struct csv_limits *lim)
{
    json_t *out = NULL, *problems = NULL, *pb, *row;
    size_t i, lines = 1, max = lim != NULL ? lim->max_fields : csv_default_limits.max_fields;
    int rc = csv_parse((const char *)data, size, lim, &out, &problems);

    if (rc == CF_ENOMEM)
        return;
    if ((rc == CF_OK) != (json_array_size(problems) == 0) || out == NULL)
        abort();
    for (i = 0; i < size; i++)
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
            lines++;
    json_array_foreach(problems, i, pb)
    {
        json_int_t l = json_integer_value(json_object_get(pb, "line"));
        json_int_t c = json_integer_value(json_object_get(pb, "column"));

        if (l < 1 || c < 1 || (size_t)l > lines ||
            json_string_value(json_object_get(pb, "message")) == NULL)
            abort();
    }
    if (json_array_size(json_object_get(out, "header")) > max)
        abort();
    json_array_foreach(json_object_get(out, "rows"), i, row)
    {
        if (json_array_size(json_object_get(row, "fields")) > max)
            abort();
    }
    walk(data, size, lim, problems);
    json_decref(out);
    json_decref(problems);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct csv_limits small = {16, 4, 8, 10};

    check(data, size, &small);
    check(data, size, NULL);
    return 0;
}
