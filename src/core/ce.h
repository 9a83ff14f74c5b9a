/*
 * ce.h — continuing-education points, pure: what each approved activity
 * earns, what counts after the caps of its category, and what is still
 * needed to renew.
 *
 * Points are kept in hundredths (CE_SCALE) so a 1.5-hour webinar counts
 * exactly 1.5 points; ce_points_format() prints them for people ("1.5",
 * "4"). The rules are a struct ce_rules filled by the caller from the
 * program document; the computation is described in
 * docs/internals/credential.md.
 */
#ifndef CF_CORE_CE_H
#define CF_CORE_CE_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

#define CE_SCALE          100    /* hundredths: points and quantities are kept x100 */
#define CE_CATEGORIES_MAX 16     /* categories in a program */
#define CE_CODE_MAX       32     /* a category code and its NUL */
#define CE_NOUN_MAX       48     /* what one item is called, and its NUL */
#define CE_TEXT_MAX       320    /* the explanation of one activity's points */
#define CE_POINTS_MAX     24     /* a formatted number of points and its NUL */
#define CE_QUANTITY_MAX   100000 /* 1,000 hours, items or years (x100) in one activity */
#define CE_DEFAULT_NEEDED 60     /* points per term */

enum ce_unit {
    CE_PER_HOUR = 0,        /* quantity: hours, to the hundredth */
    CE_PER_ITEM,            /* quantity: whole items */
    CE_PER_MEMBERSHIP_YEAR, /* quantity: whole membership-years */
};

struct ce_category {
    char code[CE_CODE_MAX]; /* "certification" */
    char noun[CE_NOUN_MAX]; /* one item in texts ("certification"); "" reads "item" */
    enum ce_unit unit;
    int points; /* whole points per unit (>= 0) */
    int cap;    /* points counted per term at most; 0: no cap */
};

struct ce_rules {
    struct ce_category cats[CE_CATEGORIES_MAX];
    int ncats;
    int required; /* whole points per term */
};

/* One approved activity. The strings are the caller's and only read. */
struct ce_activity {
    const char *title;              /* names the activity in messages */
    const char *category;           /* a code of the rules */
    struct clock_date completed_on; /* the day it was completed */
    long quantity;                  /* x CE_SCALE: 150 is 1.5 hours; 200 is 2 items */
    const char *const *skills;      /* skill area codes ("I.A"), at least one */
    size_t nskills;
};

/* What one activity gives, in the order the activities were passed. */
struct ce_line {
    long earned;            /* x CE_SCALE: what the category's value gives */
    long counted;           /* x CE_SCALE: what counts after the window and the cap */
    int in_term;            /* completed within the term */
    char text[CE_TEXT_MAX]; /* which rule applied, one sentence */
};

struct ce_tally {
    char code[CE_CODE_MAX];
    long earned;  /* x CE_SCALE, activities within the term only */
    long counted; /* x CE_SCALE, after the cap */
};

struct ce_result {
    struct ce_tally cats[CE_CATEGORIES_MAX]; /* in the rules' order */
    int ncats;
    long earned;          /* x CE_SCALE, within the term, before caps */
    long counted;         /* x CE_SCALE, the total that counts */
    long required;        /* x CE_SCALE */
    long needed;          /* x CE_SCALE, still needed (0 when met) */
    struct clock_date by; /* the day it is needed by: the last day of the term */
    int eligible;         /* counted >= required: the requirement is met */
};

/* The CETL table: pd, certification, membership, publication, teaching, volunteer; 60 needed. */
void ce_rules_default(struct ce_rules *r);

/*
 * Computes the points of n approved activities for the term from..to (both
 * days included). Activities count in the order they were completed (ties in
 * the order given); within a category the activity that crosses the cap
 * counts in part, later ones not at all. Activities completed outside the
 * term earn nothing that counts and say so in their text. lines (n of them)
 * and res are filled on CF_OK. On failure they are zeroed and err says what
 * to fix: CF_EINVAL naming the activity (by position and title) and the
 * field ("category", "skills", "quantity", "completed_on"), or, field NULL,
 * unusable rules or dates; CF_ENOMEM.
 */
int ce_compute(const struct ce_rules *r, const struct ce_activity *acts, size_t n,
               struct clock_date from, struct clock_date to, struct ce_line *lines,
               struct ce_result *res, struct cf_error *err);

/* Writes hundredths of a point as people read them: 400 "4", 150 "1.5", 25 "0.25". */
void ce_points_format(long hundredths, char *buf, size_t n);

/*
 * Reads a quantity as written in a form or a file ("1.5", "2", "0.25": digits
 * with at most two decimals) into hundredths. 0 on success; -1 when s is not
 * such a number or is 0 or more than CE_QUANTITY_MAX hundredths.
 */
int ce_quantity_parse(const char *s, long *hundredths);

#endif
