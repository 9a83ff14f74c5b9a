/*
 * recommend.h — growth-plan goals and the exact PD plan recommender (pure).
 *
 * The objective. A person has, per skill s of the ten, a gap g_s >= 0 (target
 * level minus current level, in rubric levels, fractions allowed) and a weight
 * w_s >= 0 (the skill's weight in the review cycle, e.g. its exam weight).
 * Activity a of the catalog (core/pdcatalog.h) moves skill s by gain q_as
 * levels (0 when it does not serve s). A plan P is a set of activities; its
 * value is
 *
 *     V(P) = sum over s of  w_s * min(g_s, sum over a in P of q_as)
 *
 * the weighted gap it closes: gains beyond a skill's gap count for nothing.
 * recommend() returns a plan of greatest V(P) with sum of hours <= H and sum
 * of cost <= B. Among plans of equal value (within 1e-9 of the largest value
 * possible) it returns the one with fewer hours, then lower cost, then the
 * one whose activities come first in catalog order (the sorted lists of
 * catalog indexes compared element by element).
 *
 * The method. The cap min(g_s, ...) makes this a knapsack with two budgets and
 * a concave (diminishing-returns) objective, so neither greedy choice nor the
 * textbook dynamic program is exact. recommend() solves it by depth-first
 * branch and bound over the candidates (include first, candidates ordered by
 * value per share of the budgets). At each node the bound is the value so far
 * plus the least of four upper bounds on what the undecided activities can
 * still add, each sound because an activity's value to a plan is never more
 * than its value alone against the gaps still open (v_a, below):
 *   1. every open gap closed as far as the undecided activities' gains reach;
 *   2. the fractional knapsack of the v_a on the hours left;
 *   3. the fractional knapsack of the v_a on the money left;
 *   4. the same on mixes of the two budgets (a surrogate relaxation:
 *      lambda * hours share + (1 - lambda) * money share <= 1, lambda 1/4, 1/2, 3/4).
 * A subtree is cut only when its bound is below the best value found, or when
 * it can at most tie that value and cannot win the tie on hours: the hours so
 * far plus a lower bound on the hours still needed to reach that value (a
 * fractional cover by v_a per hour; a feasible dual of the covering linear
 * program; per skill, a fractional cover of the levels it still needs) already
 * exceed the best plan's. Hours (whole half-hours) and cost (whole dollars)
 * are integers, so the budgets are checked exactly; values are doubles (gains
 * are quarter levels).
 *
 * The limits. The work grows exponentially in the worst case. Only candidates
 * are searched: activities not excluded or already chosen, serving a skill
 * with a gap and a weight above 0, and fitting the budgets left. The search
 * stops after node_limit nodes; the plan is then the best found and
 * out->proven is 0 ("not proven optimal"), never a silent heuristic.
 */
#ifndef CF_CORE_RECOMMEND_H
#define CF_CORE_RECOMMEND_H

#include "core/pdcatalog.h"
#include "lib/clock.h"
#include "lib/err.h"

#define RECO_NODE_LIMIT 5000000L /* nodes searched at most when the input says 0 */
#define RECO_GAP_MAX    10.0     /* a gap is at most this many levels */
#define RECO_WEIGHT_MAX 1000.0

/* What the person has already decided about an activity (reco_input.status). */
enum reco_status {
    RECO_FREE = 0,    /* the recommender may pick it */
    RECO_EXCLUDE = 1, /* never pick it */
    RECO_CHOSEN = 2,  /* already in the plan: its hours, cost and gains count first */
};

struct reco_input {
    double gap[PD_NSKILLS];      /* target level - current level, 0 to RECO_GAP_MAX */
    double weight[PD_NSKILLS];   /* 0 to RECO_WEIGHT_MAX */
    int half_hours;              /* the hours budget, in half-hours (hours * 2) */
    int cost;                    /* the money budget, whole US dollars */
    const unsigned char *status; /* an enum reco_status per catalog activity; NULL: all free */
    long node_limit;             /* 0: RECO_NODE_LIMIT */
};

/* What an activity of the plan does for one skill it serves. */
struct reco_part {
    int skill;         /* index into pd_skill_codes */
    double gain;       /* levels the activity can move it */
    double gap_before; /* the gap still open when this activity's turn came */
    double closed;     /* min(gain, gap_before): the gap it closes */
    double weighted;   /* weight * closed */
};

/*
 * Why an activity is in the plan. The plan's activities are credited in
 * catalog order: each closes, per skill, what its gain closes of the gap the
 * earlier ones left (parts). marginal is V(plan) - V(plan without it): what the
 * plan would lose without it. In a plan recommend() chose, marginal > 0 for
 * every activity it picked (a pick adding nothing would cost hours for no gain).
 */
struct reco_pick {
    int act;   /* index into the catalog */
    int fixed; /* already chosen (RECO_CHOSEN), not picked by the recommender */
    struct reco_part parts[PD_NSKILLS];
    int nparts;
    double marginal;
};

struct reco_result {
    struct reco_pick *picks; /* npicks, in catalog order; free with reco_result_free() */
    int npicks;
    int half_hours;              /* the plan's hours * 2 */
    int cost;                    /* the plan's cost, dollars */
    double value;                /* V(plan) */
    double max_value;            /* sum of w_s * g_s: the value of every gap closed */
    double gap_left[PD_NSKILLS]; /* g_s - what the plan closes of it */
    int proven;                  /* 1: optimal, proven; 0: node limit reached */
    long nodes;                  /* nodes searched */
    int ncandidates;             /* activities searched after the pre-filter */
};

/*
 * Recommends the plan described at the top of this file from catalog c for
 * in. Returns CF_OK with *out filled (free it with reco_result_free()),
 * CF_EINVAL with err naming the field ("gap.II.B", "weight.I.A", "hours",
 * "budget", "status") for input out of range or already-chosen activities
 * over a budget, CF_ENOMEM when memory runs out; *out is then empty.
 */
int recommend(const struct pd_catalog *c, const struct reco_input *in, struct reco_result *out,
              struct cf_error *err);

/* Frees what recommend() put in r and empties it (an empty r is fine). */
void reco_result_free(struct reco_result *r);

/* A proposed goal: reach target on skill by due. */
struct reco_goal {
    int skill; /* index into pd_skill_codes */
    double current;
    double target;
    struct clock_date due;
};

/*
 * Proposes goals from current and target levels (PD_NSKILLS each, in rubric
 * levels): one goal per skill whose current level is below its target, in
 * framework order, due months after start (the same day of the month, or the
 * month's last day when it has fewer days). out has room for PD_NSKILLS.
 * Returns the number of goals, or -1 when months is outside 1-120 or the due
 * date would not be a real date.
 */
int reco_goals(const double *current, const double *target, struct clock_date start, int months,
               struct reco_goal *out);

#endif
