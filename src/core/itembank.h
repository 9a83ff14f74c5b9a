/*
 * itembank.h — the rules of the exam's item bank (issue 10 point 1), pure: an item's
 * workflow and its tags. svc/bank.c checks them inside the write transaction.
 *
 * The workflow: draft -> review -> pretest -> operational -> retired. A reviewer sends an
 * item back (review -> draft, pretest -> review, operational -> review: statistics or a
 * complaint show a fault); an item is retired from any status but draft; a retired item
 * stays retired (its history is kept; a new item replaces it). An item reaches pretest or
 * operational only when it serves at least one skill area and has a cognitive level: the
 * blueprint counts items by skill.
 */
#ifndef CF_CORE_ITEMBANK_H
#define CF_CORE_ITEMBANK_H

#include "lib/err.h"

enum item_status {
    ITEM_DRAFT = 0,
    ITEM_REVIEW,
    ITEM_PRETEST,
    ITEM_OPERATIONAL,
    ITEM_RETIRED,
    ITEM__COUNT
};

/* The status named s ("review"), or -1. */
int item_status_parse(const char *s);
/* The status's code ("review") and its label ("In review"). */
const char *item_status_name(enum item_status s);
const char *item_status_label(enum item_status s);

/*
 * CF_OK when an item in from may move to to; CF_ECONFLICT with a sentence in err (field
 * "status") otherwise. tagged: the item serves a skill and has a cognitive level.
 */
int item_move_check(enum item_status from, enum item_status to, int tagged, struct cf_error *err);

/* The cognitive level named s (recall, application, analysis), or -1. */
int item_cognitive_parse(const char *s);

#endif
