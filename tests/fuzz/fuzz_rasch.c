/*
 * fuzz_rasch.c — libFuzzer harness for CML calibration (core/rasch.c: rasch_cml, the path of
 * `ctoframe exam calibrate` once a response file is read).
 *
 * The first byte picks the number of items k (2 to 9), every further byte is a cell, row by
 * row: byte % 3 gives 0, 1 or RASCH_MISSING, except the byte 255, which gives the value 7
 * that must be refused. Any matrix must come back as a calibration or as CF_EINVAL with a
 * message, never CF_ENOMEM, a hang or a crash. A calibration has converged (every gradient
 * below RASCH_TOL), counts every person once, and has finite difficulties summing to 0,
 * positive finite SEs and finite non-negative infit and outfit.
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_rasch -max_total_time=60 build/fuzz/work/rasch tests/fuzz/corpus/rasch
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rasch.h"

#define FUZZ_CELLS_MAX 4096 /* cells read at most: keeps each run short */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    signed char x[FUZZ_CELLS_MAX];
    struct rasch_fit f;
    struct cf_error err;
    int k, n, rc;
    double sum = 0.0;

    if (size < 1)
        return 0;
    k = 2 + data[0] % 8;
    data++;
    size--;
    if (size > FUZZ_CELLS_MAX)
        size = FUZZ_CELLS_MAX;
    n = (int)(size / (size_t)k);
    for (size_t i = 0; i < (size_t)n * (size_t)k; i++)
        x[i] = data[i] == 255 ? 7 : data[i] % 3 == 2 ? RASCH_MISSING : (signed char)(data[i] % 3);

    memset(&err, 0, sizeof err);
    rc = rasch_cml(x, n, k, &f, &err);
    if (rc != CF_OK) {
        if (rc != CF_EINVAL || err.message[0] == '\0' || f.difficulty != NULL)
            abort();
        return 0;
    }
    if (f.max_gradient >= RASCH_TOL || f.used + f.zero + f.perfect + f.none != n || f.used < 2)
        abort();
    for (int i = 0; i < k; i++) {
        if (!isfinite(f.difficulty[i]) || !isfinite(f.se[i]) || !(f.se[i] > 0.0) ||
            !isfinite(f.infit[i]) || !(f.infit[i] >= 0.0) || !isfinite(f.outfit[i]) ||
            !(f.outfit[i] >= 0.0) || f.score[i] <= 0 || f.score[i] >= f.count[i])
            abort();
        sum += f.difficulty[i];
    }
    if (fabs(sum) > 1e-6)
        abort();
    rasch_fit_free(&f);
    return 0;
}
