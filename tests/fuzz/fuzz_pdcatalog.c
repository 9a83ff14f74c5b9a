/*
 * fuzz_pdcatalog.c — libFuzzer harness for the PD catalog reader (core/pdcatalog.c)
 * and the growth-plan recommender (core/recommend.c).
 *
 * Any bytes must come back as a catalog or as a list of problems, each with a
 * JSON path starting "$" and a message: no crash, no leak, no undefined
 * behaviour. A catalog that reads cleanly is then given to the recommender
 * (gaps on every skill, a small node limit): the plan must keep within both
 * budgets, its value may not exceed every gap closed, and the reasons must
 * add up. Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_pdcatalog -max_total_time=60 build/fuzz/work/pdcatalog \
 *       tests/fuzz/corpus/pdcatalog
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/recommend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Recommends from c for a made-up person; aborts on a plan that breaks a rule. */
static void exercise(const struct pd_catalog *c, size_t size)
{
    struct reco_input in;
    struct reco_result r;
    struct cf_error err = {0};
    int hh = 0, cost = 0;

    memset(&in, 0, sizeof in);
    for (int s = 0; s < PD_NSKILLS; s++) {
        in.gap[s] = (double)((size + (size_t)s) % 9) / 4.0;
        in.weight[s] = (double)(1 + s % 3);
    }
    in.half_hours = (int)(size % 200);
    in.cost = (int)(size * 7 % 5000);
    in.node_limit = 20000;
    if (recommend(c, &in, &r, &err) != CF_OK)
        abort();
    for (int i = 0; i < r.npicks; i++) {
        if (r.picks[i].act < 0 || r.picks[i].act >= c->n)
            abort();
        hh += c->acts[r.picks[i].act].half_hours;
        cost += c->acts[r.picks[i].act].cost;
        if (r.proven && r.picks[i].marginal <= 0)
            abort();
    }
    if (hh != r.half_hours || cost != r.cost || hh > in.half_hours || cost > in.cost ||
        r.value > r.max_value + 1e-9 || r.value < 0)
        abort();
    reco_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pd_catalog *c = NULL;
    json_t *problems = NULL, *pb;
    size_t i;
    int n;

    n = pdcatalog_parse((const char *)data, size, &c, &problems);
    if ((size_t)n != json_array_size(problems) || (n == 0) != (c != NULL))
        abort();
    json_array_foreach(problems, i, pb)
    {
        const char *path = json_string_value(json_object_get(pb, "path"));
        const char *msg = json_string_value(json_object_get(pb, "message"));

        if (path == NULL || path[0] != '$' || msg == NULL || msg[0] == '\0')
            abort();
    }
    if (n == 0)
        exercise(c, size);
    pdcatalog_free(c);
    json_decref(problems);
    return 0;
}
