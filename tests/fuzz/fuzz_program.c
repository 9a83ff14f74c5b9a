/*
 * fuzz_program.c — libFuzzer harness for the program rules reader (core/program.c).
 *
 * Any bytes must come back as rules or as a list of problems, each with a JSON
 * path starting "$" and a message: no crash, no leak, no undefined behaviour.
 * Rules that read cleanly are then used: the term end of a leap day, the
 * reminder dates, a credential number and the points of every category with
 * and without a cap reached, and eligibility — none may misbehave, and counted
 * points never exceed earned ones. Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_program -max_total_time=60 build/fuzz/work/program tests/fuzz/corpus/program
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Uses every computation on rules that read cleanly. */
static void exercise(const struct program *p)
{
    struct program_date d = {2024, 2, 29}, r[PROGRAM_REMIND_MAX];
    struct program_date end = program_term_end(p, d);
    char num[PROGRAM_NUMBER_MAX];
    struct program_eligibility e;
    struct program_applicant a = {PROGRAM_DEGREE_BACHELOR, 50, 1, 0, 1};

    if (program_reminder_dates(p, end, r) != p->nreminders)
        abort();
    (void)program_credential_number(p, 2026, 123, num, sizeof num);
    for (int i = 0; i < p->ncats; i++) {
        struct program_ce_points pts;

        if (program_ce_points(p, p->cats[i].code, 250, 0, &pts) == 0 && pts.counted > pts.earned)
            abort();
        if (program_ce_points(p, p->cats[i].code, 100, 1000000, &pts) == 0 &&
            (pts.counted > pts.earned || pts.counted < 0))
            abort();
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
