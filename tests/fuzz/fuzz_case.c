/*
 * fuzz_case.c — libFuzzer harness for the CASE package parser and validator.
 *
 * Any bytes must come back as a package or a list of problems: no crash, no
 * leak, no undefined behaviour. Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_case -max_total_time=60 build/fuzz/corpus data/frameworks
 */
#include <stddef.h>
#include <stdint.h>

#include "core/case.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int exists_never(void *ctx, const char *id)
{
    (void)ctx;
    return id[0] == '0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *pkg = NULL, *problems = NULL;

    case_parse((const char *)data, size, exists_never, NULL, &pkg, &problems);
    json_decref(pkg);
    json_decref(problems);
    return 0;
}
