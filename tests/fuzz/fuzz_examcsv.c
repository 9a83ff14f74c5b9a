/*
 * fuzz_examcsv.c — libFuzzer harness for the calibration, group and category files
 * (core/examcsv.c: the readers of `ctoframe exam equate`, `exam scale` and `exam dif`).
 *
 * The first byte picks the kind (byte % 3), the rest is the file. Any bytes must come back
 * as a filled struct examcsv (0 problems) or as a list of problems with nothing filled, each
 * with a line and column from 1 and a message. A file read has at least one row and
 * distinct non-empty keys; a calibration finite difficulties and SEs above 0 (and then
 * equate_shift of the file against itself gives a shift of 0); a group file exactly two
 * labels.
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_examcsv -max_total_time=60 build/fuzz/work/examcsv tests/fuzz/corpus/examcsv
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/equate.h"
#include "core/examcsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_problems(const json_t *problems, int count)
{
    const json_t *pb;
    size_t i;

    if (problems == NULL || count < 1 || json_array_size(problems) != (size_t)count)
        abort();
    json_array_foreach(problems, i, pb)
    {
        if (json_integer_value(json_object_get(pb, "line")) < 1 ||
            json_integer_value(json_object_get(pb, "column")) < 1 ||
            json_string_value(json_object_get(pb, "message")) == NULL)
            abort();
    }
}

static void check_calibration(const struct examcsv *f)
{
    struct equate_result r;
    int *kept = malloc((size_t)f->n * sizeof *kept);
    double *d = malloc((size_t)f->n * sizeof *d);

    if (kept == NULL || d == NULL)
        abort();
    for (int i = 0; i < f->n; i++)
        if (!isfinite(f->value[i]) || !(f->se[i] > 0.0) || !isfinite(f->se[i]))
            abort();
    if (f->n >= EQUATE_MIN_ANCHORS) {
        if (equate_shift(f->value, f->se, f->value, f->se, f->n, EQUATE_DRIFT, &r, kept, d, NULL) !=
                0 ||
            r.shift != 0.0 || r.kept_n != f->n)
            abort();
    }
    free(kept);
    free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct examcsv f;
    json_t *problems = NULL;
    enum examcsv_kind kind;
    int count;

    if (size < 1)
        return 0;
    kind = (enum examcsv_kind)(data[0] % 3);
    count = examcsv_parse(kind, (const char *)data + 1, size - 1, &f, &problems);
    if (count != 0) {
        check_problems(problems, count);
        if (f.n != 0 || f.key != NULL)
            abort();
        json_decref(problems);
        return 0;
    }
    if (problems != NULL || f.n < 1)
        abort();
    for (int i = 0; i < f.n; i++) {
        if (f.key[i][0] == '\0')
            abort();
        for (int j = 0; j < i; j++)
            if (strcmp(f.key[i], f.key[j]) == 0)
                abort();
    }
    if (kind == EXAMCSV_CALIBRATION) {
        check_calibration(&f);
    } else {
        int other = -1;

        for (int i = 0; i < f.n; i++) {
            if (f.label[i][0] == '\0')
                abort();
            if (other < 0 && strcmp(f.label[i], f.label[0]) != 0)
                other = i;
        }
        if (kind == EXAMCSV_GROUPS && other < 0)
            abort();
    }
    examcsv_free(&f);
    return 0;
}
