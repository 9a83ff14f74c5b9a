/*
 * fuzz_agreement.c — libFuzzer harness for the ratings file and the agreement statistics
 * (core/agreement.c: agreement_report, the path of `ctoframe stats agreement`).
 *
 * The first byte picks the scale given (0: none, else 1..8 levels, as --levels would), the
 * rest is the file. Any bytes must come back as a report or as a list of problems, each
 * with a line and column from 1 and a message, never as CF_ENOMEM (memory does not run out
 * under the fuzzer: it would be JSON that jansson refused, such as a message cut inside a
 * UTF-8 character). CF_OK exactly when there is a report and no problem; the report counts
 * no more complete subjects than subjects, has kappa exactly when there are two raters, and
 * every value is null or a finite number no greater than 1 (never NaN or infinity).
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_agreement -max_total_time=60 build/fuzz/work/agreement \
 *       tests/fuzz/corpus/agreement
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/agreement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless every member of obj is null or a finite real no greater than 1. */
static void check_values(const json_t *obj)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        abort();
    json_object_foreach((json_t *)obj, key, v)
    {
        (void)key;
        if (!json_is_null(v) &&
            !(json_is_real(v) && isfinite(json_real_value(v)) && json_real_value(v) <= 1.0 + 1e-9))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = NULL, *problems = NULL, *pb;
    int levels = 0, rc;
    size_t i;

    if (size > 0) {
        levels = data[0] % 9;
        data++;
        size--;
    }
    rc = agreement_report((const char *)data, size, levels, &out, &problems);
    if (rc == CF_ENOMEM)
        abort();
    if ((rc == CF_OK) != (out != NULL) || (rc == CF_OK) != (json_array_size(problems) == 0))
        abort();
    json_array_foreach(problems, i, pb)
    {
        if (json_integer_value(json_object_get(pb, "line")) < 1 ||
            json_integer_value(json_object_get(pb, "column")) < 1 ||
            json_string_value(json_object_get(pb, "message")) == NULL)
            abort();
    }
    if (out != NULL) {
        json_int_t raters = json_integer_value(json_object_get(out, "raters"));

        if (json_integer_value(json_object_get(out, "complete_subjects")) >
                json_integer_value(json_object_get(out, "subjects")) ||
            json_integer_value(json_object_get(out, "complete_subjects")) < 2 || raters < 2)
            abort();
        check_values(json_object_get(out, "icc"));
        if ((raters == 2) != (json_object_get(out, "kappa") != NULL))
            abort();
        if (raters == 2)
            check_values(json_object_get(out, "kappa"));
    }

    json_decref(out);
    json_decref(problems);
    return 0;
}
