/*
 * fuzz_qtipkg.c — libFuzzer harness for IMS content packages as zip bytes (core/qtipkg.c:
 * qtipkg_read, the path of `ctoframe bank import FILE.zip`).
 *
 * Any bytes must come back as a whole package or as a refusal with a message and no item,
 * never as CF_ENOMEM. A package read holds as many files as items; written again with
 * qtipkg_write() and read back, it gives the same items in the same order, field by field.
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_qtipkg -max_total_time=60 build/fuzz/work/qtipkg tests/fuzz/corpus/qtipkg
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/qtipkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qtipkg pkg, back;
    struct cf_error err;
    void *out = NULL;
    size_t outn = 0;
    int rc;

    cf_error_clear(&err);
    rc = qtipkg_read(data, size, &pkg, &err);
    if (rc == CF_ENOMEM)
        abort();
    if (rc != CF_OK) {
        if (err.message[0] == '\0' || pkg.items != NULL || pkg.n != 0)
            abort();
        return 0;
    }
    if (pkg.n == 0) {
        qtipkg_free(&pkg);
        return 0;
    }
    rc = qtipkg_write(pkg.items, pkg.n, &out, &outn, &err);
    if (rc == CF_ETOOBIG) { /* an item grew past QTI_MAX_BYTES when written */
        qtipkg_free(&pkg);
        return 0;
    }
    if (rc != CF_OK)
        abort();
    if (qtipkg_read(out, outn, &back, &err) != CF_OK || back.n != pkg.n)
        abort();
    for (size_t i = 0; i < pkg.n; i++)
        if (!qti_item_equal(&pkg.items[i], &back.items[i], NULL, 0))
            abort();
    qtipkg_free(&back);
    qtipkg_free(&pkg);
    free(out);
    return 0;
}
