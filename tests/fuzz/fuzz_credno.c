/*
 * fuzz_credno.c — libFuzzer harness for credential numbers
 * (cred_number_parse in src/core/credential.c): registry lookups, /verify/NUMBER,
 * the number column of the CE import.
 *
 * Any text is read or refused without a crash or sanitizer report, with the
 * CETL rules and without rules. A number read with the rules is the number
 * cred_number_format() writes for its year and sequence; a canonical form
 * reads again to the same year and sequence.
 * Seeds: tests/fuzz/corpus/credno/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/credential.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cred_rules r;
    static int ready;
    char s[64], canon[CRED_NUMBER_MAX], again[CRED_NUMBER_MAX], made[CRED_NUMBER_MAX];
    int year, y2;
    long seq, s2;

    if (!ready) {
        cred_rules_default(&r);
        ready = 1;
    }
    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    if (cred_number_parse(NULL, s, &year, &seq, canon, sizeof canon, NULL) == CF_OK) {
        if (cred_number_parse(NULL, canon, &y2, &s2, again, sizeof again, NULL) != CF_OK ||
            y2 != year || s2 != seq || strcmp(again, canon) != 0)
            abort();
    }
    if (cred_number_parse(&r, s, &year, &seq, canon, sizeof canon, NULL) == CF_OK) {
        if (cred_number_format(&r, year, seq, made, sizeof made) != CF_OK ||
            strcmp(made, canon) != 0)
            abort();
    }
    return 0;
}
