/*
 * fuzz_vendorcsv.c — libFuzzer harness for a vendor's response file read for a form
 * (core/vendorcsv.c: vendorcsv_parse and vendorcsv_analysis, the path of `ctoframe form
 * responses` and the form page's upload).
 *
 * The first byte picks how many of three items the form has (1 to 3; options A, B, C and a
 * key each), the rest is the file. Any bytes must come back as a matrix and an analysis or
 * as a list of problems, each with a line and column from 1 and a message, never as
 * CF_ENOMEM (memory does not run out under the fuzzer). On CF_OK every score is -1, 0 or 1,
 * every total is the count of its row's 1s, the kept rows number the persons, and the
 * analysis exists and has as many items as the form. Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_vendorcsv -max_total_time=10 build/fuzz/work/vendorcsv \
 *       tests/fuzz/corpus/vendorcsv
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/vendorcsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const abc[] = {"A", "B", "C"};
static const struct vendor_item form[] = {
    {"Q1", 3, abc, 1u << 0, 0},
    {"Q2", 3, abc, (1u << 1) | (1u << 2), 0}, /* multiple response: B and C */
    {"Q3", 3, abc, 1u << 2, 1},               /* a pretest item */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vendorcsv v;
    json_t *pb = NULL, *a, *x;
    size_t nitems, i;
    int rc;

    if (size < 1)
        return 0;
    nitems = 1 + data[0] % 3;
    rc = vendorcsv_parse((const char *)data + 1, size - 1, form, nitems, &v, &pb);
    if (rc == CF_ENOMEM)
        abort();
    if (rc != CF_OK) {
        if (rc != CF_EINVAL || json_array_size(pb) == 0 ||
            json_array_size(pb) > VENDORCSV_MAX_PROBLEMS || v.persons != 0 || v.kept != NULL)
            abort();
        json_array_foreach(pb, i, x)
        {
            if (json_integer_value(json_object_get(x, "line")) < 1 ||
                json_integer_value(json_object_get(x, "column")) < 1 ||
                json_string_value(json_object_get(x, "message")) == NULL)
                abort();
        }
        json_decref(pb);
        return 0;
    }
    if (pb != NULL || v.persons == 0 || v.items != nitems || v.kept == NULL ||
        (v.cells == NULL) != (v.scored != 0))
        abort();
    for (size_t p = 0; p < v.persons; p++) {
        json_t *kept;
        int total = 0;

        for (size_t j = 0; j < nitems; j++) {
            signed char s = v.score[p * nitems + j];

            if (s < -1 || s > 1)
                abort();
            total += s == 1 && !form[j].pretest;
        }
        if (total != v.total[p])
            abort();
        /* the kept cells are a JSON object of the items presented */
        kept = json_loads(v.kept[p], 0, NULL);
        if (!json_is_object(kept) || json_object_size(kept) > nitems)
            abort();
        json_decref(kept);
    }
    a = vendorcsv_analysis(&v, form);
    if (a == NULL || json_array_size(json_object_get(a, "items")) != nitems)
        abort();
    json_decref(a);
    vendorcsv_free(&v);
    return 0;
}
