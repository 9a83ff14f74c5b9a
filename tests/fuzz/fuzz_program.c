/*
 * fuzz_program.c — libFuzzer harness for the program rules reader (core/program.c).
 *
 * Any bytes must come back as rules or as a list of problems, each with a JSON
 * path starting "$" and a message: no crash, no leak, no undefined behaviour.
 * Rules that read cleanly are then used: a credential number and the points
 * of every category with and without a cap reached (core/credential.h and
 * core/ce.h through the adapters), and eligibility — none may misbehave, and counted
 * points never exceed earned ones. Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_program -max_total_time=60 build/fuzz/work/program tests/fuzz/corpus/program
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Uses every computation on rules that read cleanly, through the adapters. */
static void exercise(const struct program *p)
{
    struct cred_rules cr;
    struct ce_rules ce;
    char num[CRED_NUMBER_MAX];
    struct program_eligibility e;
    struct program_applicant a = {PROGRAM_DEGREE_BACHELOR, 50, 1, 0, 1};
    struct clock_date from = {2024, 2, 29}, to = {2027, 2, 28};
    const char *skills[] = {"I.A"};
    struct ce_activity acts[2];
    struct ce_line lines[2];
    struct ce_result res;
    struct cf_error err = {0};

    program_cred_rules(p, &cr);
    (void)cred_number_format(&cr, 2026, 123, num, sizeof num);
    program_ce_rules(p, &ce);
    for (int i = 0; i < ce.ncats; i++) {
        for (int k = 0; k < 2; k++) {
            acts[k].title = "fuzz";
            acts[k].category = ce.cats[i].code;
            acts[k].completed_on = (struct clock_date){2025, 6, 1 + k};
            acts[k].quantity = k == 0 ? 200 : 100000;
            acts[k].skills = skills;
            acts[k].nskills = 1;
        }
        if (ce_compute(&ce, acts, 2, from, to, lines, &res, &err) == CF_OK &&
            (res.counted > res.earned || res.counted < 0))
            abort();
        cf_error_clear(&err);
    }
    program_eligibility(p, &a, &e);
    if (e.eligible && (e.path < 0 || e.path >= p->npaths))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct program *p = malloc(sizeof *p);
    json_t *doc = NULL, *problems = NULL, *pb;
    size_t i;
    int n;

    if (p == NULL)
        return 0;
    n = program_parse((const char *)data, size, p, &doc, &problems);
    if ((size_t)n != json_array_size(problems) || (n == 0) != (doc != NULL))
        abort();
    json_array_foreach(problems, i, pb)
    {
        const char *path = json_string_value(json_object_get(pb, "path"));
        const char *msg = json_string_value(json_object_get(pb, "message"));

        if (path == NULL || path[0] != '$' || msg == NULL || msg[0] == '\0')
            abort();
    }
    if (n == 0)
        exercise(p);
    json_decref(doc);
    json_decref(problems);
    free(p);
    return 0;
}
