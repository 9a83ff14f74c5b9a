/*
 * fuzz_qti.c — libFuzzer harness for one QTI item's XML (core/qti.c: qti_parse, the path of
 * `ctoframe bank import FILE.xml`).
 *
 * Any bytes must come back as an item or as a refusal with a message, never as CF_ENOMEM
 * (memory does not run out under the fuzzer). A refused item is zeroed. An item read has an
 * identifier, 1 to QTI_CHOICES_MAX choices, and a correct response of choice identifiers
 * (exactly one for cardinality single); written as QTI 3.0 and as QTI 2.1 it must be read
 * back equal, field by field (unless the writing grew past QTI_MAX_BYTES and was refused). Built by
 * `make fuzz` (clang): build/fuzz/fuzz_qti -max_total_time=60 build/fuzz/work/qti
 * tests/fuzz/corpus/qti
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/qti.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless it written as version v reads back equal to it. */
static void round_trip(const struct qti_item *it, enum qti_version v)
{
    struct qti_item back;
    struct cf_error err;
    char *xml = NULL;
    size_t n = 0;

    int rc = qti_write(it, v, &xml, &n, &err);

    if (rc == CF_ETOOBIG) /* escaping made it longer than QTI_MAX_BYTES */
        return;
    if (rc != CF_OK)
        abort();
    if (qti_parse(xml, n, &back, &err) != CF_OK || !qti_item_equal(it, &back, NULL, 0))
        abort();
    qti_item_free(&back);
    free(xml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qti_item it;
    struct cf_error err;
    int rc;

    cf_error_clear(&err);
    rc = qti_parse((const char *)data, size, &it, &err);
    if (rc == CF_ENOMEM)
        abort();
    if (rc != CF_OK) {
        if (err.message[0] == '\0' || it.identifier != NULL || it.choices != NULL)
            abort();
        return 0;
    }
    if (it.identifier == NULL || it.identifier[0] == '\0' || it.nchoices == 0 ||
        it.nchoices > QTI_CHOICES_MAX || it.ncorrect == 0 ||
        (it.cardinality == QTI_SINGLE && it.ncorrect != 1))
        abort();
    for (size_t i = 0; i < it.ncorrect; i++) {
        size_t j = 0;

        while (j < it.nchoices && strcmp(it.choices[j].id, it.correct[i]) != 0)
            j++;
        if (j == it.nchoices)
            abort();
    }
    round_trip(&it, QTI_V3);
    round_trip(&it, QTI_V21);
    qti_item_free(&it);
    return 0;
}
