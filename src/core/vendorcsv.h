/*
 * vendorcsv.h — a testing vendor's response file for one exam form, and its item analysis
 * (issue 10 points 4 and 5). Pure: bytes and the form's items in, a checked matrix and a
 * JSON analysis out.
 *
 * The file is CSV (lib/csv.h rules). The header's first field names the candidate column;
 * every other field is the identifier of one of the form's items, each of the form's items
 * exactly once, in any order. Then one row per candidate: the candidate's id (non-empty,
 * unique in the file) and per item one cell. A cell is either
 *   - the option(s) chosen, read as distractor_cell() reads them (identifiers or letters,
 *     ';' between several, "-" or "*" an omit, empty not presented), or
 *   - 0 or 1, already scored — only when every cell of the whole file is 0, 1 or empty
 *     (then the file is "scored" and there is no distractor analysis).
 * The file is taken whole or not at all: every bad cell is reported with its line and
 * column (both from 1) and the reason, at most VENDORCSV_MAX_PROBLEMS of them.
 */
#ifndef CF_CORE_VENDORCSV_H
#define CF_CORE_VENDORCSV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/distractor.h"
#include "lib/err.h"

#define VENDORCSV_MAX_BYTES    (64u * 1024u * 1024u) /* a file is at most this many bytes */
#define VENDORCSV_MAX_ITEMS    500                   /* items of one form at most */
#define VENDORCSV_MAX_PROBLEMS 100 /* problems reported at most (the last says more exist) */

/* One item of the form, as the bank holds it. */
struct vendor_item {
    const char *identifier;       /* the item's identifier: its column's header */
    int noptions;                 /* 1 .. DISTRACTOR_OPTIONS_MAX */
    const char *const *option_id; /* noptions identifiers, in the item's order */
    uint32_t key;                 /* the right options, a bit each (bit i: option_id[i]) */
    int pretest;                  /* 1: tried out, not scored: left out of every total */
};

struct vendorcsv {
    int scored;         /* 1: the file held 0/1 cells; 0: the options chosen */
    size_t persons;     /* candidate rows */
    size_t items;       /* the form's items, in the order given to vendorcsv_parse */
    char **candidate;   /* persons ids */
    uint32_t *cells;    /* persons * items chosen options (distractor.h); NULL when scored */
    signed char *score; /* persons * items: 1 right, 0 wrong or omitted, -1 not presented */
    int *total;         /* persons: number right over the scored (not pretest) items */
    char **kept;        /* persons: the row's cells as JSON text {identifier: text}, the
                           items presented only: what to keep */
};

/*
 * Reads the n bytes at p as the response file of a form with the nitems items given.
 * CF_OK: *out is filled (vendorcsv_free() it) and *problems is NULL. CF_EINVAL: *out is
 * empty and *problems a new array [{line, column, message}] in file order. CF_ENOMEM: *out
 * empty, *problems NULL.
 */
int vendorcsv_parse(const char *p, size_t n, const struct vendor_item *items, size_t nitems,
                    struct vendorcsv *out, json_t **problems);

/* Frees what v holds and empties it (an empty v is fine). */
void vendorcsv_free(struct vendorcsv *v);

/*
 * The item analysis of v (read for items, the same list given to vendorcsv_parse):
 * itemstats_view()'s object with "kind" ("options" | "scored") and "flagged" (the
 * identifiers of the flagged items).
 *
 * The total score is the number right over the scored items: the test statistics (alpha,
 * KR-20, SEM, mean and SD of the total) and the scored items' statistics are computed on the
 * scored items alone. A pretest item is analysed against that total without being part of
 * it: its p, and its correlation with the scored total as r_pb_rest (r_pb is with the scored
 * total plus the item), over the persons presented every scored item and it; its
 * alpha_if_deleted is null (it is not in the score). "item_count" counts every item,
 * "scored_count" the scored ones; each item has "role" ("scored" | "pretest"),
 * "flagged" (true | false) and, for an
 * options file, "right", "omitted" and "options": [{id, key, chosen, share, mean_total,
 * flags}] (mean_total null when no one chose it); an option that out-draws the key or
 * draws stronger candidates adds "distractor_outdraws_key" or "distractor_draws_stronger"
 * to its item's flags. A new reference, or NULL when memory runs out.
 */
json_t *vendorcsv_analysis(const struct vendorcsv *v, const struct vendor_item *items);

#endif
