/*
 * blueprint.h — the exam's blueprint and the check of a form against it (issue 10 point 3),
 * pure. docs/exam-forms.md describes the checks.
 *
 * The blueprint is the framework's exam weights: of the 100 scored items, I.A 15, I.B 15,
 * I.C 10, II.A 12, II.B 9, II.C 9, III.A 9, III.B 7, III.C 7, III.D 7. It is the one table
 * of them: the growth plan's crosswalk and `pd recommend` weigh skills by it too.
 *
 * An item counts toward the FIRST skill code it is tagged with ("II.B;I.A" counts for
 * II.B): a form counts each item once, and the first code is the skill the item was
 * written for.
 *
 * A form passes when every check holds:
 *   - per skill, the scored items counted toward it equal the blueprint's number;
 *   - the scored items total BLUEPRINT_SCORED;
 *   - every scored item serves a skill area (it has a skill code the framework knows);
 *   - every scored item is operational, every pretest item in status pretest;
 *   - the pretest items number the form's pretest slots;
 *   - no two items on the form are enemies.
 */
#ifndef CF_CORE_BLUEPRINT_H
#define CF_CORE_BLUEPRINT_H

#include <jansson.h>
#include <stddef.h>

#include "core/pdcatalog.h"

#define BLUEPRINT_SCORED      100 /* scored items on a form */
#define BLUEPRINT_PRETEST_MAX 50  /* pretest slots a form may have */
#define BLUEPRINT_NAMED_MAX   12  /* items a message names before "and N more" */

/* Scored items per skill, in the order of pd_skill_codes; they sum to BLUEPRINT_SCORED. */
extern const int blueprint_weights[PD_NSKILLS];

/* One item on a form. */
struct bp_item {
    const char *identifier; /* the bank's identifier */
    const char *skills;     /* skill codes separated by ';' ("I.A;II.B"), may be "" */
    const char *status;     /* the bank status: draft, review, pretest, operational, retired */
    int pretest;            /* 1: the item's role is pretest; 0: scored */
};

/* Two items (identifiers) that must never be on one form. */
struct bp_enemy {
    const char *a, *b;
};

/* The index in pd_skill_codes of the first code of skills ("II.B;I.A" -> II.B), or -1. */
int blueprint_skill_of(const char *skills);

/*
 * Checks the n items of a form with pretest_slots slots against the blueprint; enemies are
 * the enemy pairs among them (pairs naming an item not on the form are ignored). Returns
 * {ok, scored, scored_required, pretest, pretest_slots,
 *  skills: [{code, required, have, ok}],
 *  enemies: [[a, b]],
 *  problems: [{check, skill?, items: [identifiers], message}]}
 * where check is skill | total | unskilled | status | pretest | enemy, and each message
 * is a sentence naming the items at fault. The caller owns the result; NULL when memory
 * runs out.
 */
json_t *blueprint_check(const struct bp_item *items, size_t n, const struct bp_enemy *enemies,
                        size_t nenemies, int pretest_slots);

#endif
