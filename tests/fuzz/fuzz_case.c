/*
 * fuzz_case.c — libFuzzer harness for the CASE package parser and validator.
 *
 * Any bytes must come back as a package or a list of problems, in the strict
 * reading and in the lenient one (case_parse_lenient: the rewriting of what
 * packages from the wild bend): no crash, no leak, no undefined behaviour.
 * And what the lenient reading accepts must then pass the strict one with
 * nothing left to rewrite, or the export of an import could be refused.
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_case -max_total_time=60 build/fuzz/corpus data/frameworks
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/case.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int exists_never(void *ctx, const char *id)
{
    (void)ctx;
    return id[0] == '0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *pkg = NULL, *problems = NULL, *warnings = NULL;

    case_parse((const char *)data, size, exists_never, NULL, &pkg, &problems);
    json_decref(pkg);
    json_decref(problems);

    case_parse_lenient((const char *)data, size, exists_never, NULL, &pkg, &problems, &warnings);
    if (pkg != NULL && json_array_size(problems) == 0) {
        json_t *again = json_array(), *strict = json_array();

        /* Accepted leniently: strictly good now, and a fixed point of the rewriting. */
        if (case_normalize(pkg, again) != 0)
            abort();
        case_validate(pkg, exists_never, NULL, strict);
        if (json_array_size(strict) != 0)
            abort();
        json_decref(again);
        json_decref(strict);
    }
    json_decref(pkg);
    json_decref(problems);
    json_decref(warnings);
    return 0;
}
