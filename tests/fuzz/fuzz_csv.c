/*
 * fuzz_csv.c — libFuzzer harness for the CSV reader (src/lib/csv.c), run with
 * small limits (so the caps are reached) and with the defaults.
 *
 * Any bytes give rows and a list of problems: CF_OK exactly when there is no
 * problem; every problem has a line and column from 1, a line no later than
 * the input has, and a message; no row is longer than the limit allows.
 * Seeds: tests/fuzz/corpus/csv/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
