/*
 * fuzz_responses.c — libFuzzer harness for the response file and the item analysis
 * (core/responses.c, core/itemstats.c: the path of `ctoframe exam analyze`).
 *
 * Any bytes must come back as a filled struct responses (0 problems) or as a list of
 * problems with nothing filled, each with a line and column from 1 and a message. The
 * count returned is the list's length (memory does not run out under the fuzzer). A file
 * read has at least one person and one item, distinct non-empty ids, and cells 0, 1 or
 * RESP_MISSING. Its analysis is CF_OK and every value is null or finite: p in 0..1, the
 * correlations in -1..1, alpha and KR-20 at most 1 and equal to each other within 1e-9,
 * the SEM not negative.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/itemstats.h"
#include "core/responses.h"

#define TOL 1e-9

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless v, when defined, is finite and within lo..hi. */
static void check(const struct itemstats_value *v, double lo, double hi)
{
    if (v->defined && (!isfinite(v->value) || v->value < lo - TOL || v->value > hi + TOL))
        abort();
    if (!v->defined && v->why == ITEMSTATS_DEFINED)
        abort();
}

/* The checks of a file read whole. */
static void check_read(const struct responses *r)
{
    struct itemstats s;

    if (r->persons < 1 || r->items < 1 || r->items > RESP_MAX_ITEMS)
        abort();
    for (int i = 0; i < r->persons; i++)
        if (r->person_id[i] == NULL || r->person_id[i][0] == '\0')
            abort();
    for (int j = 0; j < r->items; j++)
        if (r->item_id[j] == NULL || r->item_id[j][0] == '\0')
            abort();
    for (size_t c = 0; c < (size_t)r->persons * (size_t)r->items; c++)
        if (r->x[c] != 0 && r->x[c] != 1 && r->x[c] != RESP_MISSING)
            abort();

    if (itemstats_compute(r, &s) != CF_OK || s.persons_complete > s.persons)
        abort();
    check(&s.alpha, -INFINITY, 1.0);
    check(&s.kr20, -INFINITY, 1.0);
    check(&s.sem, 0.0, INFINITY);
    check(&s.sd, 0.0, INFINITY);
    if (s.alpha.defined != s.kr20.defined ||
        (s.alpha.defined && fabs(s.alpha.value - s.kr20.value) > TOL * (1.0 + fabs(s.kr20.value))))
        abort();
    for (int j = 0; j < s.items; j++) {
        check(&s.item[j].p, 0.0, 1.0);
        check(&s.item[j].r_pb, -1.0, 1.0);
        check(&s.item[j].r_pb_rest, -1.0, 1.0);
        check(&s.item[j].alpha_if_deleted, -INFINITY, 1.0);
    }
    {
        json_t *v = itemstats_view(r, &s);

        if (v == NULL || json_array_size(json_object_get(v, "items")) != (size_t)r->items)
            abort();
        json_decref(v);
    }
    itemstats_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct responses r;
    json_t *problems = NULL, *pb;
    size_t i;
    int n = responses_parse((const char *)data, size, &r, &problems);

    if (n < 0 || (n > 0 && problems == NULL) || (size_t)n != json_array_size(problems))
        abort();
    if (n > 0 && (r.persons != 0 || r.items != 0 || r.x != NULL || r.person_id != NULL ||
                  r.item_id != NULL || n > RESP_MAX_PROBLEMS))
        abort();
    json_array_foreach(problems, i, pb)
    {
        if (json_integer_value(json_object_get(pb, "line")) < 1 ||
            json_integer_value(json_object_get(pb, "column")) < 1 ||
            json_string_value(json_object_get(pb, "message")) == NULL)
            abort();
    }
    if (n == 0)
        check_read(&r);

    responses_free(&r);
    json_decref(problems);
    return 0;
}
