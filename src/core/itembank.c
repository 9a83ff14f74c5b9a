/* itembank.c — the item bank's workflow and tags (see itembank.h). */
#include "core/itembank.h"

#include <string.h>

static const struct {
    const char *name, *label;
} STATUS[ITEM__COUNT] = {
    [ITEM_DRAFT] = {"draft", "Draft"},       [ITEM_REVIEW] = {"review", "In review"},
    [ITEM_PRETEST] = {"pretest", "Pretest"}, [ITEM_OPERATIONAL] = {"operational", "Operational"},
    [ITEM_RETIRED] = {"retired", "Retired"},
};

static const char *const COGNITIVE[] = {"recall", "application", "analysis"};

int item_status_parse(const char *s)
{
    for (int i = 0; s != NULL && i < ITEM__COUNT; i++)
        if (strcmp(s, STATUS[i].name) == 0)
            return i;
    return -1;
}

const char *item_status_name(enum item_status s)
{
    return (int)s >= 0 && s < ITEM__COUNT ? STATUS[s].name : "";
}

const char *item_status_label(enum item_status s)
{
    return (int)s >= 0 && s < ITEM__COUNT ? STATUS[s].label : "";
}

int item_cognitive_parse(const char *s)
{
    for (int i = 0; s != NULL && i < (int)(sizeof COGNITIVE / sizeof COGNITIVE[0]); i++)
        if (strcmp(s, COGNITIVE[i]) == 0)
            return i;
    return -1;
}

int item_move_check(enum item_status from, enum item_status to, int tagged, struct cf_error *err)
{
    /* allowed[from][to] */
    static const unsigned char allowed[ITEM__COUNT][ITEM__COUNT] = {
        [ITEM_DRAFT] = {[ITEM_REVIEW] = 1},
        [ITEM_REVIEW] = {[ITEM_DRAFT] = 1, [ITEM_PRETEST] = 1, [ITEM_RETIRED] = 1},
        [ITEM_PRETEST] = {[ITEM_REVIEW] = 1, [ITEM_OPERATIONAL] = 1, [ITEM_RETIRED] = 1},
        [ITEM_OPERATIONAL] = {[ITEM_REVIEW] = 1, [ITEM_RETIRED] = 1},
        [ITEM_RETIRED] = {0},
    };

    if ((int)from < 0 || from >= ITEM__COUNT || (int)to < 0 || to >= ITEM__COUNT)
        return cf_error_set(err, CF_EINVAL, "status",
                            "Choose draft, review, pretest, operational or retired.");
    if (from == to)
        return cf_error_set(err, CF_ECONFLICT, "status", "The item is already %s.",
                            STATUS[to].name);
    if (from == ITEM_RETIRED)
        return cf_error_set(err, CF_ECONFLICT, "status",
                            "A retired item stays retired; write a new item to replace it.");
    if (!allowed[from][to])
        return cf_error_set(err, CF_ECONFLICT, "status",
                            "An item in %s cannot move to %s: the workflow is draft, review, "
                            "pretest, operational, retired (a reviewer may send it back a step).",
                            STATUS[from].name, STATUS[to].name);
    if ((to == ITEM_PRETEST || to == ITEM_OPERATIONAL) && !tagged)
        return cf_error_set(err, CF_ECONFLICT, "status",
                            "Tag the item with the skill areas it serves and its cognitive level "
                            "before it goes to %s: forms are built by skill.",
                            STATUS[to].name);
    return CF_OK;
}
