/*
 * evaluation.c — the rules of evaluations and their raters (evaluation.h).
 */
#include "core/evaluation.h"

#include <string.h>

static const char *const STATUS_CODES[EVAL_STATUS_COUNT] = {"draft", "open", "closed", "cancelled"};
static const char *const STATUS_LABELS[EVAL_STATUS_COUNT] = {"Draft", "Open", "Closed",
                                                             "Cancelled"};
static const char *const ACTION_CODES[EVAL_ACTION_COUNT] = {"open", "close", "reopen", "cancel"};
static const char *const KIND_CODES[RATER_KIND_COUNT] = {"self", "supervisor", "peer", "panel"};
static const char *const KIND_LABELS[RATER_KIND_COUNT] = {"Self", "Supervisor", "Peer",
                                                          "Panel member"};
static const char *const RATER_CODES[RATER_STATUS_COUNT] = {"invited", "started", "submitted"};
static const char *const RATER_LABELS[RATER_STATUS_COUNT] = {"Not started", "In progress",
                                                             "Submitted"};

/* The index of code in the n codes, or -1. */
static int find(const char *const *codes, int n, const char *code)
{
    if (code == NULL)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(codes[i], code) == 0)
            return i;
    return -1;
}

/* codes[i] when 0 <= i < n, else "". */
static const char *at(const char *const *codes, int n, int i)
{
    return i >= 0 && i < n ? codes[i] : "";
}

const char *eval_status_code(enum eval_status s)
{
    return at(STATUS_CODES, EVAL_STATUS_COUNT, (int)s);
}

int eval_status_parse(const char *code)
{
    return find(STATUS_CODES, EVAL_STATUS_COUNT, code);
}

const char *eval_action_code(enum eval_action a)
{
    return at(ACTION_CODES, EVAL_ACTION_COUNT, (int)a);
}

int eval_action_parse(const char *code)
{
    return find(ACTION_CODES, EVAL_ACTION_COUNT, code);
}

const char *rater_kind_code(enum rater_kind k)
{
    return at(KIND_CODES, RATER_KIND_COUNT, (int)k);
}

int rater_kind_parse(const char *code)
{
    return find(KIND_CODES, RATER_KIND_COUNT, code);
}

const char *rater_status_code(enum rater_status s)
{
    return at(RATER_CODES, RATER_STATUS_COUNT, (int)s);
}

int rater_status_parse(const char *code)
{
    return find(RATER_CODES, RATER_STATUS_COUNT, code);
}

const char *eval_status_label(enum eval_status s)
{
    return at(STATUS_LABELS, EVAL_STATUS_COUNT, (int)s);
}

const char *rater_kind_label(enum rater_kind k)
{
    return at(KIND_LABELS, RATER_KIND_COUNT, (int)k);
}

const char *rater_status_label(enum rater_status s)
{
    return at(RATER_LABELS, RATER_STATUS_COUNT, (int)s);
}

/* The sentence for an evaluation that is not open, as the reason an action cannot happen. */
static int not_open(enum eval_status s, struct cf_error *err)
{
    switch (s) {
    case EVAL_DRAFT:
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "The evaluation has not been opened yet. Open it first.");
    case EVAL_CLOSED:
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "The evaluation is closed. An administrator can reopen it.");
    case EVAL_CANCELLED:
        return cf_error_set(err, CF_ECONFLICT, NULL, "The evaluation was cancelled.");
    case EVAL_OPEN:
        break;
    }
    return cf_error_set(err, CF_ECONFLICT, NULL, "The evaluation cannot change now.");
}

int eval_apply(enum eval_status s, enum eval_action a, size_t nskills, size_t nraters,
               enum eval_status *next, struct cf_error *err)
{
    *next = s;
    switch (a) {
    case EVAL_ACT_OPEN:
        if (s == EVAL_OPEN)
            return cf_error_set(err, CF_ECONFLICT, NULL, "The evaluation is already open.");
        if (s != EVAL_DRAFT)
            return not_open(s, err);
        if (nskills == 0)
            return cf_error_set(err, CF_ECONFLICT, NULL,
                                "Choose at least one skill to rate before opening the evaluation.");
        if (nraters == 0)
            return cf_error_set(err, CF_ECONFLICT, NULL,
                                "Invite at least one rater before opening the evaluation.");
        *next = EVAL_OPEN;
        return CF_OK;
    case EVAL_ACT_CLOSE:
        if (s != EVAL_OPEN)
            return s == EVAL_CLOSED
                       ? cf_error_set(err, CF_ECONFLICT, NULL, "The evaluation is already closed.")
                       : not_open(s, err);
        *next = EVAL_CLOSED;
        return CF_OK;
    case EVAL_ACT_REOPEN:
        if (s != EVAL_CLOSED)
            return cf_error_set(err, CF_ECONFLICT, NULL,
                                "Only a closed evaluation can be reopened.");
        *next = EVAL_OPEN;
        return CF_OK;
    case EVAL_ACT_CANCEL:
        if (s == EVAL_CANCELLED)
            return cf_error_set(err, CF_ECONFLICT, NULL, "The evaluation is already cancelled.");
        if (s == EVAL_CLOSED)
            return cf_error_set(err, CF_ECONFLICT, NULL,
                                "A closed evaluation is a record and cannot be cancelled.");
        *next = EVAL_CANCELLED;
        return CF_OK;
    }
    return cf_error_set(err, CF_EINVAL, "action", "Choose open, close, reopen or cancel.");
}

int eval_may_answer(enum eval_status s, enum rater_status r, struct cf_error *err)
{
    if (s != EVAL_OPEN)
        return not_open(s, err);
    if (r == RATER_SUBMITTED)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "These ratings were submitted and are locked. Ask the administrator"
                            " to reopen them.");
    return CF_OK;
}

int eval_answer_check(enum rater_kind k, int level, int no_basis, int levels, struct cf_error *err)
{
    if (level < 0 || level > levels)
        return cf_error_set(err, CF_EINVAL, "level", "Choose a level from 1 to %d.", levels);
    if (no_basis && level != 0)
        return cf_error_set(err, CF_EINVAL, "level",
                            "Choose a level or \"no basis to rate\", not both.");
    if (no_basis && k == RATER_SELF)
        return cf_error_set(err, CF_EINVAL, "level",
                            "Rate yourself on every skill: \"no basis to rate\" is for other"
                            " raters.");
    return CF_OK;
}

int eval_may_submit(enum eval_status s, enum rater_status r, enum rater_kind k,
                    const struct eval_answer_state *answers, size_t n, size_t *first_missing,
                    struct cf_error *err)
{
    size_t missing = 0, first = n;
    int rc = eval_may_answer(s, r, err);

    if (first_missing != NULL)
        *first_missing = n;
    if (rc != CF_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int ok = answers[i].level > 0 || (answers[i].no_basis && k != RATER_SELF);

        if (!ok) {
            if (missing == 0)
                first = i;
            missing++;
        }
    }
    if (first_missing != NULL)
        *first_missing = first;
    if (missing == 1)
        return cf_error_set(err, CF_EINVAL, "answers",
                            "One skill has no rating yet. Rate it, then submit.");
    if (missing > 1)
        return cf_error_set(err, CF_EINVAL, "answers",
                            "%zu skills have no rating yet. Rate them, then submit.", missing);
    return CF_OK;
}

int eval_may_reopen_rater(enum eval_status s, enum rater_status r, struct cf_error *err)
{
    if (s != EVAL_OPEN)
        return not_open(s, err);
    if (r != RATER_SUBMITTED)
        return cf_error_set(err, CF_ECONFLICT, NULL,
                            "These ratings have not been submitted, so there is nothing to"
                            " reopen.");
    return CF_OK;
}

int eval_may_read_others(enum eval_viewer v, enum eval_status s, int blind)
{
    switch (v) {
    case VIEWER_RATER:
        return s == EVAL_CLOSED || (s == EVAL_OPEN && !blind);
    case VIEWER_SUBJECT:
    case VIEWER_ADMIN:
        return s == EVAL_CLOSED;
    case VIEWER_NONE:
        break;
    }
    return 0;
}
