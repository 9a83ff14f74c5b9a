/*
 * angoff.h — standard setting for the exam (issue 10 point 7, pure): a modified Angoff
 * study over one or more rounds, impact data from a response file's raw scores, and the
 * Hofstee (1983) and Beuk (1984) compromise checks. docs/standard-setting.md has the
 * formulas and the sources.
 *
 * The ratings file (angoff_parse): CSV (lib/csv.h rules), the header
 * `round,panelist,<item ids...>`, then one row per panelist per round: the round (a whole
 * number 1..ANGOFF_ROUNDS_MAX), the panelist's id (non-empty, once per round) and per item
 * the probability, 0 to 1, that a minimally qualified candidate answers it right. Every
 * cell is required. A value above 1 is refused (percentages are not read), so a file
 * written in percent is never silently read as probabilities.
 *
 * Raw points: an item is one point, so a panelist's cut is the sum of their ratings and
 * lies in 0..items. A cut with a fraction is applied as the next whole raw score up
 * (angoff_raw_cut): a candidate passes with a raw score at or above it.
 */
#ifndef CF_CORE_ANGOFF_H
#define CF_CORE_ANGOFF_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

#define ANGOFF_MAX_BYTES      (16u * 1024u * 1024u) /* a ratings file read at most */
#define ANGOFF_ITEMS_MAX      1000                  /* item columns at most */
#define ANGOFF_ROWS_MAX       100000                /* panelist rows at most */
#define ANGOFF_ROUNDS_MAX     100                   /* the largest round number */
#define ANGOFF_MAX_PROBLEMS   100  /* problems reported at most (then "and more") */
#define ANGOFF_DISAGREE_SHOWN 5    /* items listed as those the panel disagrees on most */
#define ANGOFF_EPS            1e-9 /* a cut this close above a whole number is that number */

/* A ratings file as read. */
struct angoff_ratings {
    int items;       /* item columns */
    int rows;        /* panelist rows */
    char **item_id;  /* items strings */
    long *item_col;  /* items: the character column of each item's header cell */
    char **panelist; /* rows strings */
    int *round;      /* rows round numbers */
    long *line;      /* rows: the line each row starts on */
    double *rating;  /* rows * items: rating[r * items + i] in 0..1 */
};

/*
 * Reads bytes (n of them). Returns the number of problems: 0 means *out is filled (free it
 * with angoff_ratings_free()); else *out is empty and *problems (may be NULL) gets a new
 * array [{line, column, message}] in file order (at most ANGOFF_MAX_PROBLEMS, the last then
 * saying there are more). When memory runs out it returns 1 with *out empty and *problems
 * left NULL.
 */
int angoff_parse(const char *bytes, size_t n, struct angoff_ratings *out, json_t **problems);

/* Frees what angoff_parse() put in r and empties it (an empty r is fine). */
void angoff_ratings_free(struct angoff_ratings *r);

/* A value that may be undefined (a standard deviation of one panelist); 0 when not. */
struct angoff_value {
    double value;
    int defined;
};

/* One round of the study. */
struct angoff_round {
    int round;                    /* its number in the file */
    int panelists;                /* rows of the round (n) */
    int *row;                     /* panelists: the rows of ratings, in file order */
    double *panelist_cut;         /* panelists: the sum of that panelist's ratings */
    double cut;                   /* the mean of panelist_cut */
    struct angoff_value sd;       /* the SD of panelist_cut, divisor n - 1 (n >= 2) */
    struct angoff_value se;       /* sd / sqrt(n) */
    double *item_mean;            /* items: the mean rating of each item */
    struct angoff_value *item_sd; /* items: the SD of each item's ratings, divisor n - 1 */
    int *disagree;                /* items: item indexes by item SD, largest first (ties: file
                                     order); meaningful when panelists >= 2 */
};

/* Every round, in increasing round number. */
struct angoff_study {
    int items;
    int rounds;
    struct angoff_round *round;
};

/*
 * The study of r (filled by angoff_parse). Returns CF_OK, or CF_ENOMEM with *s empty. Free
 * with angoff_study_free().
 */
int angoff_study(const struct angoff_ratings *r, struct angoff_study *s);
void angoff_study_free(struct angoff_study *s);

/*
 * The study as JSON (a new reference, NULL when memory runs out): {items, rounds: [{round,
 * panelists, cut, cut_percent, sd, se, panelist_cuts: [{panelist, cut}], items: [{id, mean,
 * sd}], most_disagreement: [ids]}]}. An undefined value is null.
 */
json_t *angoff_study_view(const struct angoff_ratings *r, const struct angoff_study *s);

/* The whole raw score a cut applies as: cut rounded up, within ANGOFF_EPS. cut >= 0. */
int angoff_raw_cut(double cut);

/*
 * Impact data: pass[c] for c = 0..items (items + 1 values) is the fraction of the persons
 * whose total (0..items each) is c or more. persons > 0.
 */
void angoff_pass_rates(const int *total, int persons, int items, double *pass);

/* Why a compromise has no cut. */
enum angoff_cross {
    ANGOFF_CROSSES = 0,
    ANGOFF_FAIL_ABOVE, /* Hofstee: the fail rate at k_min is already above f_max */
    ANGOFF_FAIL_BELOW, /* Hofstee: the fail rate at k_max is still below f_min */
    ANGOFF_NO_MEET,    /* Beuk: the line meets the pass-rate curve nowhere in 0..items */
};

/* A compromise's result; x, rate, raw_cut and raw_pass only when why is ANGOFF_CROSSES. */
struct angoff_compromise {
    enum angoff_cross why;
    double x;        /* where the line meets the curve, in raw points */
    double rate;     /* the curve there: the fail rate (Hofstee) or pass rate (Beuk), 0..1 */
    int raw_cut;     /* angoff_raw_cut(x) */
    double raw_pass; /* the pass rate at raw_cut */
};

/*
 * Hofstee: the observed fail-rate curve 1 - pass[c] (pass from angoff_pass_rates), straight
 * between whole raw scores, against the line from (kmin, fmax) to (kmax, fmin); kmin < kmax
 * in raw points within 0..items, 0 <= fmin < fmax <= 1. The curve rises and the line falls,
 * so they meet at most once.
 */
void angoff_hofstee(const double *pass, int items, double kmin, double kmax, double fmin,
                    double fmax, struct angoff_compromise *out);

/*
 * Beuk: the panel's mean cut cut_pct (percent correct, 0..100) and mean pass rate pass_pct
 * (percent, 0..100) with their standard deviations (>= 0): the line through (cut_pct,
 * pass_pct) with slope -(pass_sd / cut_sd) against the observed pass-rate curve in percent
 * (straight between whole raw scores). When the line meets it more than once, the point
 * nearest cut_pct is taken. cut_sd = 0 makes the line vertical: the cut is cut_pct.
 */
void angoff_beuk(const double *pass, int items, double cut_pct, double cut_sd, double pass_pct,
                 double pass_sd, struct angoff_compromise *out);

/* A sentence for why (never NULL). */
const char *angoff_cross_text(enum angoff_cross why);

#endif
