/* recommend.c — growth-plan goals and the exact branch-and-bound PD plan recommender. */
#include "core/recommend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECO_HALF_HOURS_MAX 200000 /* a budget of 100000 hours */
#define RECO_COST_MAX       100000000
#define QUARTER             0.25 /* gains are kept in quarter levels */

/* One activity the search may pick. */
struct cand {
    int act; /* catalog index */
    int hh;  /* half-hours */
    int cost;
    const int *gq; /* gain in quarters per skill */
};

/* The state of one search. */
struct search {
    const struct cand *cands;
    int m;
    const double *w, *gap;

    int cov[PD_NSKILLS]; /* quarters covered by the fixed and the included activities */
    int hh_left, cost_left;
    int hh_used, cost_used; /* of the included candidates */
    int *cur;               /* included candidates (indexes into cands), ncur of them */
    int ncur;

    double best_value;
    int best_hh, best_cost;
    int *best; /* its catalog indexes, sorted; nbest of them */
    int nbest;

    long nodes, limit;
    int stopped;
    double eps;

    double *v;   /* scratch for the bound: value alone of each undecided candidate */
    double *key; /* ratio being sorted */
    double *mix; /* a candidate's share of both budgets (the surrogate bound) */
    int *hhs;    /* its half-hours */
    int *costs;  /* its cost */
    int *order;
    int nv; /* how many of v, hhs and costs the last bound filled */
};

/* V for coverage cov (quarters per skill). */
static double value_of(const double *w, const double *gap, const int *cov)
{
    double v = 0;

    for (int s = 0; s < PD_NSKILLS; s++)
        v += w[s] * fmin(gap[s], cov[s] * QUARTER);
    return v;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/*
 * 1 when the current set (catalog indexes acts, n of them, sorted) comes before
 * the best one in the order of the header: value, then hours, then cost, then
 * catalog order.
 */
static int better(const struct search *s, double v, const int *acts, int n)
{
    if (v > s->best_value + s->eps)
        return 1;
    if (v < s->best_value - s->eps)
        return 0;
    if (s->hh_used != s->best_hh)
        return s->hh_used < s->best_hh;
    if (s->cost_used != s->best_cost)
        return s->cost_used < s->best_cost;
    for (int i = 0; i < n && i < s->nbest; i++)
        if (acts[i] != s->best[i])
            return acts[i] < s->best[i];
    return n < s->nbest;
}

/* Makes the current set the best when it is better. */
static void consider(struct search *s, int *tmp)
{
    double v = value_of(s->w, s->gap, s->cov);

    for (int i = 0; i < s->ncur; i++)
        tmp[i] = s->cands[s->cur[i]].act;
    qsort(tmp, (size_t)s->ncur, sizeof *tmp, cmp_int);
    if (!better(s, v, tmp, s->ncur))
        return;
    s->best_value = v;
    s->best_hh = s->hh_used;
    s->best_cost = s->cost_used;
    memcpy(s->best, tmp, (size_t)s->ncur * sizeof *tmp);
    s->nbest = s->ncur;
}

/* Sorts s->order[0..n) by value per unit of wt, highest first (weight 0 first of all). */
static void sort_by_ratio(struct search *s, int n, const int *wt)
{
    for (int i = 0; i < n; i++) {
        s->order[i] = i;
        s->key[i] = wt[i] == 0 ? INFINITY : s->v[i] / wt[i];
    }

    /* Insertion sort: n is small. */
    for (int i = 1; i < n; i++) {
        int x = s->order[i], j = i - 1;

        while (j >= 0 && s->key[s->order[j]] < s->key[x]) {
            s->order[j + 1] = s->order[j];
            j--;
        }
        s->order[j + 1] = x;
    }
}

/*
 * The fractional knapsack of the n values s->v[i] with weights wt[i] in
 * capacity cap: an upper bound on the sum of values of any subset whose
 * weights fit. Items of weight 0 count whole.
 */
static double frac_knapsack(struct search *s, int n, const int *wt, int cap)
{
    double total = 0;
    int left = cap;

    sort_by_ratio(s, n, wt);
    for (int i = 0; i < n; i++) {
        int j = s->order[i];

        if (wt[j] <= left) {
            total += s->v[j];
            left -= wt[j];
        } else {
            total += s->v[j] * left / wt[j];
            break;
        }
    }
    return total;
}

/*
 * The fewest half-hours, fractions allowed, in which the n values s->v[i]
 * (taking s->hhs[i]) add up to need: a lower bound on the hours of any subset
 * of the undecided candidates adding need to the value (each adds at most its
 * v). INFINITY when they cannot.
 */
static double frac_cover(struct search *s, int n, double need)
{
    double hh = 0;

    sort_by_ratio(s, n, s->hhs);
    for (int i = 0; i < n && need > 0; i++) {
        int j = s->order[i];

        if (s->v[j] >= need)
            return hh + s->hhs[j] * need / s->v[j];
        hh += s->hhs[j];
        need -= s->v[j];
    }
    return need > 0 ? INFINITY : hh;
}

/*
 * The surrogate bound: a plan within both budgets is within every mix of them,
 * lambda * hours / hours left + (1 - lambda) * cost / money left <= 1, so the
 * fractional knapsack of the s->v on such a mix bounds them too. The least over
 * a few mixes is often well below the bound of either budget alone.
 */
static double surrogate(struct search *s, int n)
{
    static const double lambdas[] = {0.25, 0.5, 0.75};
    double best = INFINITY;

    if (s->hh_left <= 0 || s->cost_left <= 0)
        return INFINITY;
    for (size_t l = 0; l < sizeof lambdas / sizeof lambdas[0]; l++) {
        double total = 0, left = 1;

        for (int i = 0; i < n; i++) {
            s->mix[i] =
                lambdas[l] * s->hhs[i] / s->hh_left + (1 - lambdas[l]) * s->costs[i] / s->cost_left;
            s->order[i] = i;
            s->key[i] = s->v[i] / s->mix[i];
        }
        for (int i = 1; i < n; i++) {
            int x = s->order[i], j = i - 1;

            while (j >= 0 && s->key[s->order[j]] < s->key[x]) {
                s->order[j + 1] = s->order[j];
                j--;
            }
            s->order[j + 1] = x;
        }
        for (int i = 0; i < n; i++) {
            int j = s->order[i];

            if (s->mix[j] <= left) {
                total += s->v[j];
                left -= s->mix[j];
            } else {
                total += s->v[j] * left / s->mix[j];
                break;
            }
        }
        best = fmin(best, total);
    }
    return best;
}

/*
 * An upper bound on what the candidates from k on can still add to the current
 * set (see the header: the least of three sound bounds). Each candidate's value
 * alone against the gaps still open, v_a, is at least what it adds to any plan,
 * because adding gains to a capped sum never adds more than the gains alone.
 */
static double bound(struct search *s, int k)
{
    double open[PD_NSKILLS], b1 = 0, b2, b3;
    int reach[PD_NSKILLS] = {0}, n = 0;

    for (int t = 0; t < PD_NSKILLS; t++)
        open[t] = fmax(0, s->gap[t] - s->cov[t] * QUARTER);
    for (int i = k; i < s->m; i++) {
        const struct cand *c = &s->cands[i];
        double v = 0;

        if (c->hh > s->hh_left || c->cost > s->cost_left)
            continue;
        for (int t = 0; t < PD_NSKILLS; t++) {
            v += s->w[t] * fmin(c->gq[t] * QUARTER, open[t]);
            reach[t] += c->gq[t];
        }
        if (v <= 0)
            continue;
        s->v[n] = v;
        s->hhs[n] = c->hh;
        s->costs[n] = c->cost;
        n++;
    }
    s->nv = n;
    for (int t = 0; t < PD_NSKILLS; t++)
        b1 += s->w[t] * fmin(open[t], reach[t] * QUARTER);
    if (n == 0)
        return 0;
    b2 = frac_knapsack(s, n, s->hhs, s->hh_left);
    b3 = frac_knapsack(s, n, s->costs, s->cost_left);
    return fmin(fmin(b1, surrogate(s, n)), fmin(b2, b3));
}

/*
 * The fewest half-hours, fractions allowed, in which the candidates from k on
 * (fitting the budgets left) add req levels to skill t: their gains on t
 * taken by gain per hour, highest first. INFINITY when they cannot.
 */
static double skill_cover(struct search *s, int k, int t, double req)
{
    int n = 0;
    double hh = 0;

    for (int i = k; i < s->m; i++) {
        const struct cand *c = &s->cands[i];

        if (c->gq[t] == 0 || c->hh > s->hh_left || c->cost > s->cost_left)
            continue;
        s->v[n] = c->gq[t] * QUARTER;
        s->hhs[n] = c->hh;
        n++;
    }
    sort_by_ratio(s, n, s->hhs);
    for (int i = 0; i < n && req > 0; i++) {
        int j = s->order[i];

        if (s->v[j] >= req)
            return hh + s->hhs[j] * req / s->v[j];
        hh += s->hhs[j];
        req -= s->v[j];
    }
    return req > 0 ? INFINITY : hh;
}

/*
 * A lower bound on the half-hours the candidates from k on need to add need to
 * the value. The value can only reach need if every skill t gets at least
 * req_t = u_t - (U - need) / w_t more levels, where u_t is what the candidates
 * can still close of t and U the sum of w_t * u_t. Covering every req_t takes
 * at least sum of req_t * p_t hours, p_t being the least hours per level
 * closed (counted over every open skill) among the candidates serving t: p is
 * a feasible dual of the covering linear program, so the sum is a bound.
 */
static double cover_hours(struct search *s, int k, double need)
{
    double open[PD_NSKILLS], reach[PD_NSKILLS] = {0}, price[PD_NSKILLS], u = 0, lb = 0, one = 0;

    for (int t = 0; t < PD_NSKILLS; t++) {
        open[t] = fmax(0, s->gap[t] - s->cov[t] * QUARTER);
        price[t] = INFINITY;
    }
    for (int i = k; i < s->m; i++) {
        const struct cand *c = &s->cands[i];
        double g = 0;

        if (c->hh > s->hh_left || c->cost > s->cost_left)
            continue;
        for (int t = 0; t < PD_NSKILLS; t++)
            if (s->w[t] > 0)
                g += fmin(c->gq[t] * QUARTER, open[t]);
        if (g <= 0)
            continue;
        for (int t = 0; t < PD_NSKILLS; t++)
            if (s->w[t] > 0 && c->gq[t] > 0 && open[t] > 0) {
                reach[t] += c->gq[t] * QUARTER;
                price[t] = fmin(price[t], c->hh / g);
            }
    }
    for (int t = 0; t < PD_NSKILLS; t++)
        u += s->w[t] * fmin(open[t], reach[t]);
    for (int t = 0; t < PD_NSKILLS; t++) {
        double req;

        if (s->w[t] <= 0)
            continue;
        req = fmin(open[t], reach[t]) - (u - need) / s->w[t];
        if (req > 1e-12) {
            lb += req * price[t];
            one = fmax(one, skill_cover(s, k, t, req));
        }
    }
    return fmax(lb, one);
}

/* Decides candidates k..m-1, depth first, include first. */
static void dfs(struct search *s, int k, int *tmp)
{
    const struct cand *c;
    double cur, b;

    if (s->stopped)
        return;
    if (++s->nodes > s->limit) {
        s->stopped = 1;
        return;
    }
    if (k == s->m)
        return;

    /* Cut when the subtree cannot beat the best, or can only tie and not win on hours. */
    cur = value_of(s->w, s->gap, s->cov);
    b = cur + bound(s, k);
    if (b < s->best_value - s->eps)
        return;
    if (b <= s->best_value + s->eps) {
        double need = s->best_value - s->eps - cur;

        /* Only a tie is possible: it must win on hours, and adding need takes this many. */
        if (s->hh_used >= s->best_hh)
            return;
        if (need > 0) {
            /* frac_cover reads what bound() left in the scratch; cover_hours reuses it. */
            double lb = frac_cover(s, s->nv, need);

            lb = fmax(lb, cover_hours(s, k, need));
            if (s->hh_used + lb > s->best_hh + 1e-9)
                return;
        }
    }

    c = &s->cands[k];
    if (c->hh <= s->hh_left && c->cost <= s->cost_left) {
        for (int t = 0; t < PD_NSKILLS; t++)
            s->cov[t] += c->gq[t];
        s->hh_left -= c->hh;
        s->cost_left -= c->cost;
        s->hh_used += c->hh;
        s->cost_used += c->cost;
        s->cur[s->ncur++] = k;
        consider(s, tmp);
        dfs(s, k + 1, tmp);
        s->ncur--;
        s->hh_left += c->hh;
        s->cost_left += c->cost;
        s->hh_used -= c->hh;
        s->cost_used -= c->cost;
        for (int t = 0; t < PD_NSKILLS; t++)
            s->cov[t] -= c->gq[t];
    }
    dfs(s, k + 1, tmp);
}

/* Checks in; CF_OK or CF_EINVAL with err naming the field. */
static int check_input(const struct pd_catalog *c, const struct reco_input *in,
                       struct cf_error *err)
{
    char field[64];

    for (int s = 0; s < PD_NSKILLS; s++) {
        if (!isfinite(in->gap[s]) || in->gap[s] < 0 || in->gap[s] > RECO_GAP_MAX) {
            snprintf(field, sizeof field, "gap.%s", pd_skill_codes[s]);
            return cf_error_set(err, CF_EINVAL, field,
                                "The gap on %s must be a number of levels from 0 to %g.",
                                pd_skill_codes[s], RECO_GAP_MAX);
        }
        if (!isfinite(in->weight[s]) || in->weight[s] < 0 || in->weight[s] > RECO_WEIGHT_MAX) {
            snprintf(field, sizeof field, "weight.%s", pd_skill_codes[s]);
            return cf_error_set(err, CF_EINVAL, field,
                                "The weight of %s must be a number from 0 to %g.",
                                pd_skill_codes[s], RECO_WEIGHT_MAX);
        }
    }
    if (in->half_hours < 0 || in->half_hours > RECO_HALF_HOURS_MAX)
        return cf_error_set(err, CF_EINVAL, "hours", "The hours must be from 0 to %d.",
                            RECO_HALF_HOURS_MAX / 2);
    if (in->cost < 0 || in->cost > RECO_COST_MAX)
        return cf_error_set(err, CF_EINVAL, "budget", "The budget must be from 0 to %d US dollars.",
                            RECO_COST_MAX);
    if (in->node_limit < 0)
        return cf_error_set(err, CF_EINVAL, "node_limit", "The node limit must not be negative.");
    for (int i = 0; in->status != NULL && i < c->n; i++)
        if (in->status[i] > RECO_CHOSEN)
            return cf_error_set(err, CF_EINVAL, "status", "Activity %s has an unknown status %d.",
                                c->acts[i].id, in->status[i]);
    return CF_OK;
}

/* Fills the picks of out (acts: the plan's catalog indexes, sorted) with why each is there. */
static void explain(const struct pd_catalog *c, const struct reco_input *in, const int *acts, int n,
                    struct reco_result *out)
{
    double open[PD_NSKILLS];
    int cov[PD_NSKILLS] = {0};

    for (int t = 0; t < PD_NSKILLS; t++)
        open[t] = in->gap[t];
    for (int i = 0; i < n; i++)
        for (int t = 0; t < PD_NSKILLS; t++)
            cov[t] += c->acts[acts[i]].gain_q[t];
    out->value = value_of(in->weight, in->gap, cov);
    for (int i = 0; i < n; i++) {
        const struct pd_activity *a = &c->acts[acts[i]];
        struct reco_pick *p = &out->picks[i];
        int without[PD_NSKILLS];

        p->act = acts[i];
        p->fixed = in->status != NULL && in->status[acts[i]] == RECO_CHOSEN;
        for (int j = 0; j < a->nskills; j++) {
            struct reco_part *pt = &p->parts[p->nparts++];
            int t = a->skills[j];

            pt->skill = t;
            pt->gain = a->gain_q[t] * QUARTER;
            pt->gap_before = open[t];
            pt->closed = fmin(pt->gain, open[t]);
            pt->weighted = in->weight[t] * pt->closed;
            open[t] -= pt->closed;
        }
        for (int t = 0; t < PD_NSKILLS; t++)
            without[t] = cov[t] - a->gain_q[t];
        p->marginal = out->value - value_of(in->weight, in->gap, without);
    }
    out->npicks = n;
    for (int t = 0; t < PD_NSKILLS; t++)
        out->gap_left[t] = fmax(0, in->gap[t] - cov[t] * QUARTER);
}

/* The order candidates are tried in: value alone per share of the budgets, highest first. */
static double density(const struct cand *c, const double *w, const double *gap, int hh_left,
                      int cost_left)
{
    double v = 0, share;

    for (int t = 0; t < PD_NSKILLS; t++)
        v += w[t] * fmin(c->gq[t] * QUARTER, gap[t]);
    share = (double)c->hh / (hh_left > 0 ? hh_left : 1) +
            (double)c->cost / (cost_left > 0 ? cost_left : 1);
    return v / (share > 0 ? share : 1e-12);
}

/* Candidates with their density, for sorting. */
struct ranked {
    struct cand c;
    double d;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    if (x->d != y->d)
        return x->d < y->d ? 1 : -1;
    return (x->c.act > y->c.act) - (x->c.act < y->c.act);
}

int recommend(const struct pd_catalog *c, const struct reco_input *in, struct reco_result *out,
              struct cf_error *err)
{
    struct search s;
    struct ranked *rk = NULL;
    struct cand *cands = NULL;
    int *scratch = NULL, *plan = NULL, nplan = 0, fixed_hh = 0, fixed_cost = 0, m = 0;
    int rc = CF_OK;
    size_t n = (size_t)(c->n > 0 ? c->n : 1);

    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    rc = check_input(c, in, err);
    if (rc != CF_OK)
        goto out;

    /* Six scratch arrays of n ints (cur, best, tmp, hhs, costs, order) and two of doubles. */
    rk = calloc(n, sizeof *rk);
    cands = calloc(n, sizeof *cands);
    scratch = calloc(n * 6, sizeof *scratch);
    plan = calloc(n, sizeof *plan);
    s.v = calloc(n, sizeof *s.v);
    s.key = calloc(n, sizeof *s.key);
    s.mix = calloc(n, sizeof *s.mix);
    out->picks = calloc(n, sizeof *out->picks);
    if (rk == NULL || cands == NULL || scratch == NULL || plan == NULL || s.v == NULL ||
        s.key == NULL || s.mix == NULL || out->picks == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "Out of memory while recommending a plan.");
        goto out;
    }
    s.cur = scratch;
    s.best = scratch + n;
    s.hhs = scratch + 3 * n;
    s.costs = scratch + 4 * n;
    s.order = scratch + 5 * n;

    /* The activities already chosen count first. */
    s.w = in->weight;
    s.gap = in->gap;
    for (int i = 0; in->status != NULL && i < c->n; i++)
        if (in->status[i] == RECO_CHOSEN) {
            fixed_hh += c->acts[i].half_hours;
            fixed_cost += c->acts[i].cost;
            for (int t = 0; t < PD_NSKILLS; t++)
                s.cov[t] += c->acts[i].gain_q[t];
            plan[nplan++] = i;
        }
    if (fixed_hh > in->half_hours) {
        rc = cf_error_set(err, CF_EINVAL, "hours",
                          "The activities already chosen take %g hours, over the %g hours "
                          "of the budget.",
                          fixed_hh / 2.0, in->half_hours / 2.0);
        goto out;
    }
    if (fixed_cost > in->cost) {
        rc = cf_error_set(err, CF_EINVAL, "budget",
                          "The activities already chosen cost %d US dollars, over the budget "
                          "of %d.",
                          fixed_cost, in->cost);
        goto out;
    }
    s.hh_left = in->half_hours - fixed_hh;
    s.cost_left = in->cost - fixed_cost;

    /* Pre-filter: free, fits what is left, serves a skill with a weighted gap still open. */
    for (int i = 0; i < c->n; i++) {
        const struct pd_activity *a = &c->acts[i];
        int useful = 0;

        if (in->status != NULL && in->status[i] != RECO_FREE)
            continue;
        if (a->half_hours > s.hh_left || a->cost > s.cost_left)
            continue;
        for (int t = 0; t < PD_NSKILLS && !useful; t++)
            useful = a->gain_q[t] > 0 && in->weight[t] > 0 && in->gap[t] > s.cov[t] * QUARTER;
        if (!useful)
            continue;
        rk[m].c = (struct cand){i, a->half_hours, a->cost, a->gain_q};
        rk[m].d = density(&rk[m].c, in->weight, in->gap, s.hh_left, s.cost_left);
        m++;
    }
    qsort(rk, (size_t)m, sizeof *rk, cmp_ranked);
    for (int i = 0; i < m; i++)
        cands[i] = rk[i].c;
    s.cands = cands;
    s.m = m;

    /* The empty choice is the first best; then the search. */
    for (int t = 0; t < PD_NSKILLS; t++)
        out->max_value += in->weight[t] * in->gap[t];
    s.eps = 1e-9 * fmax(1, out->max_value);
    s.best_value = value_of(s.w, s.gap, s.cov);
    s.limit = in->node_limit > 0 ? in->node_limit : RECO_NODE_LIMIT;
    dfs(&s, 0, scratch + 2 * n);

    for (int i = 0; i < s.nbest; i++)
        plan[nplan++] = s.best[i];
    qsort(plan, (size_t)nplan, sizeof *plan, cmp_int);
    out->half_hours = fixed_hh + s.best_hh;
    out->cost = fixed_cost + s.best_cost;
    out->proven = !s.stopped;
    out->nodes = s.nodes;
    out->ncandidates = m;
    explain(c, in, plan, nplan, out);
out:
    if (rc != CF_OK)
        reco_result_free(out);
    free(rk);
    free(cands);
    free(scratch);
    free(plan);
    free(s.v);
    free(s.key);
    free(s.mix);
    return rc;
}

void reco_result_free(struct reco_result *r)
{
    free(r->picks);
    memset(r, 0, sizeof *r);
}

int reco_goals(const double *current, const double *target, struct clock_date start, int months,
               struct reco_goal *out)
{
    struct clock_date due;
    int n = 0, total, last;

    if (months < 1 || months > 120 || !clock_date_valid(start))
        return -1;
    total = start.y * 12 + (start.m - 1) + months;
    due.y = total / 12;
    due.m = total % 12 + 1;
    last = clock_month_days(due.y, due.m);
    due.d = start.d < last ? start.d : last;
    if (!clock_date_valid(due))
        return -1;
    for (int s = 0; s < PD_NSKILLS; s++)
        if (current[s] < target[s])
            out[n++] = (struct reco_goal){s, current[s], target[s], due};
    return n;
}
