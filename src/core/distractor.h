/*
 * distractor.h — the options candidates chose, scored against the keys, and
 * the distractor analysis of each item (issue 10 points 4 and 5). Pure.
 *
 * A vendor's response file gives, per candidate and item, the option(s)
 * chosen. Here a cell is a bit set of the item's options (bit i: the item's
 * i-th choice), 0 when the item was presented and nothing chosen (an omit),
 * DISTRACTOR_NOT_PRESENTED when it was not presented. A cell scores 1 when it
 * is exactly the key (every right option and no other: multiple response is
 * all or nothing, as QTI's match_correct), else 0.
 *
 * The analysis gives per option how many of the candidates presented the item
 * chose it, that share, and the mean total score (number right over the items
 * presented) of those who chose it. A working distractor draws fewer
 * candidates than the key and weaker ones; the flags say where one does not.
 */
#ifndef CF_CORE_DISTRACTOR_H
#define CF_CORE_DISTRACTOR_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define DISTRACTOR_OPTIONS_MAX   26          /* options of one item at most (A-Z) */
#define DISTRACTOR_NOT_PRESENTED 0xFFFFFFFFu /* a cell of an item not presented */

enum distractor_flag {
    /* a distractor chosen by more candidates than the key (for multiple response: than the
     * right option chosen least) */
    DISTRACTOR_OUTDRAWS_KEY = 1,
    /* a distractor whose choosers' mean total is above that of the key's choosers (for
     * multiple response: of those who chose the whole key) */
    DISTRACTOR_DRAWS_STRONGER = 2,
};

struct distractor_key {
    int noptions;  /* 1 .. DISTRACTOR_OPTIONS_MAX */
    uint32_t key;  /* the right options, a bit each; not 0 */
    int uncounted; /* 1: a pretest item, left out of the total score (0: counted) */
};

struct distractor_option {
    int chosen;        /* candidates presented the item who chose it */
    double rate;       /* chosen / presented (0 when no one was presented the item) */
    int mean_defined;  /* 0 when no one chose it */
    double mean_total; /* mean total score of those who chose it */
    int is_key;        /* a right option */
    unsigned flags;    /* enum distractor_flag raised by this option */
};

struct distractor_item {
    int presented; /* candidates presented the item */
    int omitted;   /* of them, chose nothing */
    int right;     /* of them, scored 1 */
    int key_mean_defined;
    double key_mean_total; /* mean total of those who scored 1 */
    int noptions;
    struct distractor_option option[DISTRACTOR_OPTIONS_MAX];
    unsigned flags; /* enum distractor_flag, or-ed over the options */
};

/*
 * Reads one cell's text (n bytes) for an item whose options have the
 * identifiers ids[0 .. noptions): empty is not presented; otherwise option
 * identifiers separated by ';' (spaces around them forgiven), each an
 * identifier of the item, or a letter A-Z naming the option at that place
 * (A the first) when no option has that identifier. "-" or "*" is an omit
 * (presented, nothing chosen). *mask gets the cell. CF_OK; CF_EINVAL with a
 * sentence (no field) for an unknown option, one named twice, or bad text.
 */
int distractor_cell(const char *text, size_t n, const char *const *ids, int noptions,
                    uint32_t *mask, struct cf_error *err);

/*
 * Scores the cells (persons x items, row by row) against the keys into scores
 * (persons x items: -1 not presented, 0, 1) and totals (persons: number right over the
 * counted items: an item whose key is uncounted is scored but not added).
 */
void distractor_score(const uint32_t *cells, size_t persons, size_t items,
                      const struct distractor_key *keys, signed char *scores, int *totals);

/*
 * The analysis of every item into out (items of them). CF_OK; CF_EINVAL when
 * a key is empty or names an option past noptions, or a cell an option past
 * its item's noptions (field "key" or "cell", message naming the item by its
 * place from 1 and the person likewise); CF_ENOMEM.
 */
int distractor_analyze(const uint32_t *cells, size_t persons, size_t items,
                       const struct distractor_key *keys, struct distractor_item *out,
                       struct cf_error *err);

#endif
