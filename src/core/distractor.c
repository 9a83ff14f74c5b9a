/*
 * distractor.c — scoring chosen options and the distractor analysis (see
 * distractor.h). One pass scores every cell and sums each candidate's total;
 * a second pass adds each candidate's total to every option they chose.
 */
#include "core/distractor.h"

#include <stdlib.h>
#include <string.h>

/* The option named by one token (n bytes): its place, or -1. */
static int option_of(const char *t, size_t n, const char *const *ids, int noptions)
{
    for (int i = 0; i < noptions; i++)
        if (ids != NULL && ids[i] != NULL && strlen(ids[i]) == n && memcmp(ids[i], t, n) == 0)
            return i;
    if (n == 1 && t[0] >= 'A' && t[0] <= 'Z' && t[0] - 'A' < noptions)
        return t[0] - 'A';
    return -1;
}

int distractor_cell(const char *text, size_t n, const char *const *ids, int noptions,
                    uint32_t *mask, struct cf_error *err)
{
    size_t i = 0;

    *mask = 0;
    while (n > 0 && (text[0] == ' ' || text[0] == '\t'))
        text++, n--;
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    if (n == 0) {
        *mask = DISTRACTOR_NOT_PRESENTED;
        return CF_OK;
    }
    if (n == 1 && (text[0] == '-' || text[0] == '*'))
        return CF_OK;
    while (i <= n) {
        size_t start = i, end;
        int o;

        while (i < n && text[i] != ';')
            i++;
        end = i;
        while (start < end && (text[start] == ' ' || text[start] == '\t'))
            start++;
        while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
            end--;
        if (end == start)
            return cf_error_set(err, CF_EINVAL, NULL,
                                "Name the options chosen separated by ';', with none empty.");
        o = option_of(text + start, end - start, ids, noptions);
        if (o < 0)
            return cf_error_set(err, CF_EINVAL, NULL,
                                "\"%.*s\" is not an option of this item (it has %d).",
                                (int)(end - start > 40 ? 40 : end - start), text + start, noptions);
        if (*mask & (1u << o))
            return cf_error_set(err, CF_EINVAL, NULL, "The option \"%.*s\" is named twice.",
                                (int)(end - start > 40 ? 40 : end - start), text + start);
        *mask |= 1u << o;
        i++;
    }
    return CF_OK;
}

void distractor_score(const uint32_t *cells, size_t persons, size_t items,
                      const struct distractor_key *keys, signed char *scores, int *totals)
{
    for (size_t p = 0; p < persons; p++) {
        int total = 0;

        for (size_t j = 0; j < items; j++) {
            uint32_t c = cells[p * items + j];
            signed char s = c == DISTRACTOR_NOT_PRESENTED ? -1 : c == keys[j].key ? 1 : 0;

            if (scores != NULL)
                scores[p * items + j] = s;
            total += s == 1 && !keys[j].uncounted;
        }
        if (totals != NULL)
            totals[p] = total;
    }
}

/* The options of an item as a mask: its noptions lowest bits. */
static uint32_t all_options(int noptions)
{
    return noptions >= 32 ? 0xFFFFFFFFu : (1u << noptions) - 1u;
}

int distractor_analyze(const uint32_t *cells, size_t persons, size_t items,
                       const struct distractor_key *keys, struct distractor_item *out,
                       struct cf_error *err)
{
    int *totals = malloc((persons > 0 ? persons : 1) * sizeof *totals);
    double *key_sum = calloc(items > 0 ? items : 1, sizeof *key_sum);
    double(*sum)[DISTRACTOR_OPTIONS_MAX] = calloc(items > 0 ? items : 1, sizeof *sum);
    int rc = CF_OK;

    if (totals == NULL || key_sum == NULL || sum == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
        goto out;
    }
    for (size_t j = 0; j < items; j++) {
        if (keys[j].noptions < 1 || keys[j].noptions > DISTRACTOR_OPTIONS_MAX || keys[j].key == 0 ||
            (keys[j].key & ~all_options(keys[j].noptions)) != 0) {
            rc = cf_error_set(err, CF_EINVAL, "key",
                              "Item %zu: its key must name one or more of its %d options.", j + 1,
                              keys[j].noptions);
            goto out;
        }
        memset(&out[j], 0, sizeof out[j]);
        out[j].noptions = keys[j].noptions;
        for (int o = 0; o < keys[j].noptions; o++)
            out[j].option[o].is_key = (keys[j].key >> o) & 1u;
    }
    for (size_t p = 0; p < persons; p++)
        for (size_t j = 0; j < items; j++) {
            uint32_t c = cells[p * items + j];

            if (c != DISTRACTOR_NOT_PRESENTED && (c & ~all_options(keys[j].noptions)) != 0) {
                rc = cf_error_set(err, CF_EINVAL, "cell",
                                  "Person %zu, item %zu: an option past the item's %d.", p + 1,
                                  j + 1, keys[j].noptions);
                goto out;
            }
        }
    distractor_score(cells, persons, items, keys, NULL, totals);

    for (size_t p = 0; p < persons; p++)
        for (size_t j = 0; j < items; j++) {
            uint32_t c = cells[p * items + j];
            struct distractor_item *it = &out[j];

            if (c == DISTRACTOR_NOT_PRESENTED)
                continue;
            it->presented++;
            it->omitted += c == 0;
            if (c == keys[j].key) {
                it->right++;
                key_sum[j] += totals[p];
            }
            for (int o = 0; o < it->noptions; o++)
                if ((c >> o) & 1u) {
                    it->option[o].chosen++;
                    sum[j][o] += totals[p];
                }
        }

    for (size_t j = 0; j < items; j++) {
        struct distractor_item *it = &out[j];
        int least_key = -1;

        it->key_mean_defined = it->right > 0;
        it->key_mean_total = it->right > 0 ? key_sum[j] / it->right : 0;
        for (int o = 0; o < it->noptions; o++) {
            struct distractor_option *op = &it->option[o];

            op->rate = it->presented > 0 ? (double)op->chosen / it->presented : 0;
            op->mean_defined = op->chosen > 0;
            op->mean_total = op->chosen > 0 ? sum[j][o] / op->chosen : 0;
            if (op->is_key && (least_key < 0 || op->chosen < least_key))
                least_key = op->chosen;
        }
        for (int o = 0; o < it->noptions; o++) {
            struct distractor_option *op = &it->option[o];

            if (op->is_key)
                continue;
            if (op->chosen > least_key)
                op->flags |= DISTRACTOR_OUTDRAWS_KEY;
            if (op->mean_defined && it->key_mean_defined && op->mean_total > it->key_mean_total)
                op->flags |= DISTRACTOR_DRAWS_STRONGER;
            it->flags |= op->flags;
        }
    }

out:
    free(totals);
    free(key_sum);
    free(sum);
    return rc;
}
