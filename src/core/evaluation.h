/*
 * evaluation.h — the rules of the one rating engine (issue 9), pure: how an
 * evaluation (a review cycle) and each of its raters move, when a rater may
 * submit, and who may read whose answers.
 *
 * No I/O, no SQL, no clock. The svc layer loads the rows inside its write
 * transaction, asks these functions, stores the outcome, and answers a
 * CF_ECONFLICT with the sentence written here (409). The shape of the tables
 * and the reasons are in docs/internals/evaluations.md.
 */
#ifndef CF_CORE_EVALUATION_H
#define CF_CORE_EVALUATION_H

#include <stddef.h>

#include "lib/err.h"

#define EVAL_LEVELS_MIN 2  /* a rubric scale has at least this many levels */
#define EVAL_LEVELS_MAX 10 /* and at most (migration 019 checks it too) */

enum eval_status { EVAL_DRAFT = 0, EVAL_OPEN, EVAL_CLOSED, EVAL_CANCELLED };
#define EVAL_STATUS_COUNT 4

enum eval_action { EVAL_ACT_OPEN = 0, EVAL_ACT_CLOSE, EVAL_ACT_REOPEN, EVAL_ACT_CANCEL };
#define EVAL_ACTION_COUNT 4

enum rater_kind { RATER_SELF = 0, RATER_SUPERVISOR, RATER_PEER, RATER_PANEL };
#define RATER_KIND_COUNT 4

enum rater_status { RATER_INVITED = 0, RATER_STARTED, RATER_SUBMITTED };
#define RATER_STATUS_COUNT 3

/* Codes as stored ("open", "supervisor", "started"), and back; -1 for an unknown code. */
const char *eval_status_code(enum eval_status s);
int eval_status_parse(const char *code);
const char *eval_action_code(enum eval_action a);
int eval_action_parse(const char *code);
const char *rater_kind_code(enum rater_kind k);
int rater_kind_parse(const char *code);
const char *rater_status_code(enum rater_status s);
int rater_status_parse(const char *code);

/* Words for people ("Open", "Supervisor", "Submitted"). */
const char *eval_status_label(enum eval_status s);
const char *rater_kind_label(enum rater_kind k);
const char *rater_status_label(enum rater_status s);

/*
 * The status after action a on an evaluation in status s, into *next. open
 * needs nskills >= 1 and nraters >= 1. CF_OK, or CF_ECONFLICT with a sentence
 * in err saying why the action does not apply now (the svc answers 409).
 */
int eval_apply(enum eval_status s, enum eval_action a, size_t nskills, size_t nraters,
               enum eval_status *next, struct cf_error *err);

/*
 * Whether a rater in rater status r may give or change an answer while the
 * evaluation is in status s: CF_OK, or CF_ECONFLICT with the sentence.
 */
int eval_may_answer(enum eval_status s, enum rater_status r, struct cf_error *err);

/*
 * Checks one answer: level is 0 (none) or 1..levels; no_basis (1: "no basis
 * to rate") only without a level and never for the self rater (a leader
 * always has a basis to rate themselves). CF_OK or CF_EINVAL naming field
 * "level".
 */
int eval_answer_check(enum rater_kind k, int level, int no_basis, int levels, struct cf_error *err);

/* One counted skill's answer as submit sees it. */
struct eval_answer_state {
    int level;    /* 0: none */
    int no_basis; /* 1: "no basis to rate" */
};

/*
 * Whether a rater of kind k in status r may submit while the evaluation is in
 * status s, given the answers to the n counted skills (in the evaluation's
 * order). Every skill needs a level, or "no basis to rate" from a rater other
 * than self. On a missing answer CF_EINVAL (field "answers") saying how many
 * are missing, and *first_missing (may be NULL) gets the index of the first;
 * CF_ECONFLICT when the state does not allow it.
 */
int eval_may_submit(enum eval_status s, enum rater_status r, enum rater_kind k,
                    const struct eval_answer_state *answers, size_t n, size_t *first_missing,
                    struct cf_error *err);

/*
 * Whether a rater submitted in an evaluation in status s may be reopened (by
 * an administrator, with a reason — the svc records it): CF_OK or CF_ECONFLICT.
 */
int eval_may_reopen_rater(enum eval_status s, enum rater_status r, struct cf_error *err);

/* How the viewer stands to an evaluation. */
enum eval_viewer {
    VIEWER_RATER = 0, /* one of its raters (sees their own answers always) */
    VIEWER_SUBJECT,   /* the person rated (also the self rater when there is one) */
    VIEWER_ADMIN,     /* an administrator of its organization (or the program, the CLI) */
    VIEWER_NONE,      /* anyone else: the svc answers 404 before asking */
};

/*
 * 1 when the viewer may read the answers of raters other than themselves: the
 * cycle is closed, or (for a rater) the cycle is not blind. Administrators
 * see progress before the close but answers only after it, and the subject
 * sees results after it.
 */
int eval_may_read_others(enum eval_viewer v, enum eval_status s, int blind);

#endif
