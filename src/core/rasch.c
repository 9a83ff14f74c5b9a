/*
 * rasch.c — the dichotomous Rasch model by conditional maximum likelihood: the elementary
 * symmetric functions (summation algorithm), Newton-Raphson with the exact information, the
 * SEs of the centred difficulties, person abilities by raw score, infit and outfit.
 */
#include "core/rasch.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS   64
#define THETA_TOL   1e-12 /* rasch_theta stops when a step is this small */
#define THETA_ITERS 200
#define RESCALE_BIG 1e100 /* an ESF row is rescaled when its largest value leaves this range */

/* --- elementary symmetric functions ---------------------------------------------------- */

/*
 * Adds item e to the scaled ESF row g[0..t] (t items so far), making g[0..t+1], and keeps
 * the row's largest value near 1 by moving factors into *scale.
 */
static void esf_add(double *g, int t, double e, double *scale)
{
    double mx = 0.0;

    g[t + 1] = 0.0;
    for (int s = t + 1; s >= 1; s--)
        g[s] += e * g[s - 1];
    for (int s = 0; s <= t + 1; s++)
        if (g[s] > mx)
            mx = g[s];
    if (mx > RESCALE_BIG || mx < 1.0 / RESCALE_BIG) {
        for (int s = 0; s <= t + 1; s++)
            g[s] /= mx;
        *scale += log(mx);
    }
}

/* The scaled ESF of eps[0..m-1] into g[0..m] with its log scale. */
static void esf_fill(const double *eps, int m, double *g, double *scale)
{
    g[0] = 1.0;
    *scale = 0.0;
    for (int t = 0; t < m; t++)
        esf_add(g, t, eps[t], scale);
}

int rasch_esf(const double *eps, int m, struct rasch_esf *out)
{
    memset(out, 0, sizeof *out);
    out->g = malloc(((size_t)m + 1) * sizeof *out->g);
    if (out->g == NULL)
        return CF_ENOMEM;
    out->m = m;
    esf_fill(eps, m, out->g, &out->scale);
    return CF_OK;
}

void rasch_esf_free(struct rasch_esf *e)
{
    if (e == NULL)
        return;
    free(e->g);
    memset(e, 0, sizeof *e);
}

/* --- person abilities -------------------------------------------------------------------- */

int rasch_theta(const double *b, int k, int r, double *theta, double *se)
{
    double lo, hi, t, lr, bmin = b[0], bmax = b[0];

    *theta = 0.0;
    *se = 0.0;
    if (k < 1 || r <= 0 || r >= k)
        return CF_EINVAL;
    for (int i = 1; i < k; i++) {
        if (b[i] < bmin)
            bmin = b[i];
        if (b[i] > bmax)
            bmax = b[i];
    }

    /*
     * sum P_i(theta) rises with theta. At bmin + logit(r/k) every P_i is at most r/k, at
     * bmax + logit(r/k) at least: the root lies between. Newton, kept inside the bracket.
     */
    lr = log((double)r / (double)(k - r));
    lo = bmin + lr;
    hi = bmax + lr;
    t = 0.5 * (lo + hi);
    for (int it = 0; it < THETA_ITERS; it++) {
        double f = -(double)r, info = 0.0, next;

        for (int i = 0; i < k; i++) {
            double p = 1.0 / (1.0 + exp(b[i] - t));

            f += p;
            info += p * (1.0 - p);
        }
        if (f < 0)
            lo = t;
        else
            hi = t;
        next = t - f / info;
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - t) < THETA_TOL) {
            t = next;
            break;
        }
        t = next;
    }
    *theta = t;
    {
        double info = 0.0;

        for (int i = 0; i < k; i++) {
            double p = 1.0 / (1.0 + exp(b[i] - t));

            info += p * (1.0 - p);
        }
        *se = 1.0 / sqrt(info);
    }
    return CF_OK;
}

/* The error field naming item i (from 0) as "item N" (N from 1), written into buf. */
static const char *item_field(char *buf, int i)
{
    snprintf(buf, RASCH_FIELD_LEN, "item %d", i + 1);
    return buf;
}

/* --- the data: persons, groups ---------------------------------------------------------- */

/* One set of presented items and the persons used who were presented exactly those. */
struct group {
    int m;      /* items presented */
    int *item;  /* their indices, ascending (m) */
    int *nr;    /* persons per raw score r = 0..m */
    int nscore; /* distinct raw scores present */
    int *rs;    /* those scores, ascending (nscore) */
    int first;  /* its persons: order[first .. first + size - 1] */
    int size;
};

struct work {
    const signed char *x;
    int n, k;
    int words;      /* 64-bit words of a presence mask */
    uint64_t *mask; /* n x words: the items presented to each person */
    int *pscore;    /* each person's raw score, or -1 when not used */
    int *pgroup;    /* each person's group, or -1 */
    int *order;     /* the persons used, sorted by mask */
    int nused;
    struct group *g;
    int ngroups;
    double *s; /* item scores among the persons used */

    /* scratch, sized for k items */
    double *eps, *fw, *bw, *fs, *bs, *pi, *tmp;
    double *info, *grad, *chol;
};

/* A person used with their presence mask, for sorting (qsort has no context argument). */
struct keyed {
    const uint64_t *mask;
    size_t words;
    int p;
};

static int by_mask(const void *a, const void *b)
{
    const struct keyed *ka = a, *kb = b;
    int c = memcmp(ka->mask, kb->mask, ka->words * sizeof(uint64_t));

    return c != 0 ? c : (ka->p > kb->p) - (ka->p < kb->p);
}

static void work_free(struct work *w)
{
    for (int g = 0; g < w->ngroups; g++) {
        free(w->g[g].item);
        free(w->g[g].nr);
        free(w->g[g].rs);
    }
    free(w->g);
    free(w->mask);
    free(w->pscore);
    free(w->pgroup);
    free(w->order);
    free(w->s);
    free(w->eps);
    free(w->fw);
    free(w->bw);
    free(w->fs);
    free(w->bs);
    free(w->pi);
    free(w->tmp);
    free(w->info);
    free(w->grad);
    free(w->chol);
}

/*
 * Reads the persons: checks the cells, counts the extreme ones into out, and groups the
 * persons used by their presented items. CF_OK, CF_EINVAL (err set) or CF_ENOMEM.
 */
static int read_persons(struct work *w, struct rasch_fit *out, struct cf_error *err)
{
    size_t k = (size_t)w->k;
    char field[RASCH_FIELD_LEN];

    w->words = (w->k + WORD_BITS - 1) / WORD_BITS;
    w->mask = calloc((size_t)w->n * (size_t)w->words, sizeof *w->mask);
    w->pscore = malloc((size_t)w->n * sizeof *w->pscore);
    w->pgroup = malloc((size_t)w->n * sizeof *w->pgroup);
    w->order = malloc((size_t)w->n * sizeof *w->order);
    w->s = calloc(k, sizeof *w->s);
    if (w->mask == NULL || w->pscore == NULL || w->pgroup == NULL || w->order == NULL ||
        w->s == NULL)
        return CF_ENOMEM;

    for (int p = 0; p < w->n; p++) {
        const signed char *row = w->x + (size_t)p * k;
        uint64_t *mk = w->mask + (size_t)p * (size_t)w->words;
        int m = 0, r = 0;

        for (int i = 0; i < w->k; i++) {
            if (row[i] == RASCH_MISSING)
                continue;
            if (row[i] != 0 && row[i] != 1)
                return cf_error_set(err, CF_EINVAL, item_field(field, i),
                                    "Person %d, item %d: a response is 0, 1 or missing, not %d.",
                                    p + 1, i + 1, (int)row[i]);
            mk[i / WORD_BITS] |= (uint64_t)1 << (i % WORD_BITS);
            m++;
            r += row[i];
        }
        w->pscore[p] = -1;
        w->pgroup[p] = -1;
        if (m == 0)
            out->none++;
        else if (r == 0)
            out->zero++;
        else if (r == m)
            out->perfect++;
        else {
            w->pscore[p] = r;
            w->order[w->nused++] = p;
        }
    }
    out->used = w->nused;
    if (w->nused < 2)
        return cf_error_set(err, CF_EINVAL, "responses",
                            "Only %d person%s a score between 0 and the number of items "
                            "presented; CML needs at least 2.",
                            w->nused, w->nused == 1 ? " has" : "s have");

    /* persons presented the same items next to each other */
    {
        struct keyed *key = malloc((size_t)w->nused * sizeof *key);

        if (key == NULL)
            return CF_ENOMEM;
        for (int a = 0; a < w->nused; a++) {
            key[a].mask = w->mask + (size_t)w->order[a] * (size_t)w->words;
            key[a].words = (size_t)w->words;
            key[a].p = w->order[a];
        }
        qsort(key, (size_t)w->nused, sizeof *key, by_mask);
        for (int a = 0; a < w->nused; a++)
            w->order[a] = key[a].p;
        free(key);
    }

    /* one group per run of equal masks */
    w->g = calloc((size_t)w->nused, sizeof *w->g);
    if (w->g == NULL)
        return CF_ENOMEM;
    for (int a = 0; a < w->nused;) {
        int p = w->order[a], e = a;
        const uint64_t *mk = w->mask + (size_t)p * (size_t)w->words;
        struct group *gr = &w->g[w->ngroups];

        while (e < w->nused && memcmp(w->mask + (size_t)w->order[e] * (size_t)w->words, mk,
                                      (size_t)w->words * sizeof *mk) == 0)
            e++;
        gr->item = malloc(k * sizeof *gr->item);
        gr->nr = calloc(k + 1, sizeof *gr->nr);
        if (gr->item == NULL || gr->nr == NULL) {
            w->ngroups++;
            return CF_ENOMEM;
        }
        for (int i = 0; i < w->k; i++)
            if (mk[i / WORD_BITS] & ((uint64_t)1 << (i % WORD_BITS)))
                gr->item[gr->m++] = i;
        gr->first = a;
        gr->size = e - a;
        for (int q = a; q < e; q++) {
            int pp = w->order[q];
            const signed char *row = w->x + (size_t)pp * k;

            if (gr->nr[w->pscore[pp]]++ == 0)
                gr->nscore++;
            w->pgroup[pp] = w->ngroups;
            for (int t = 0; t < gr->m; t++)
                w->s[gr->item[t]] += row[gr->item[t]];
        }
        gr->rs = malloc((size_t)gr->nscore * sizeof *gr->rs);
        if (gr->rs == NULL) {
            w->ngroups++;
            return CF_ENOMEM;
        }
        for (int r = 0, at = 0; r <= gr->m; r++)
            if (gr->nr[r] > 0)
                gr->rs[at++] = r;
        w->ngroups++;
        a = e;
    }
    out->groups = w->ngroups;
    return CF_OK;
}

/*
 * Refuses items no person used was presented, or that all of them got right or wrong, then
 * checks Fischer's (1981) condition for a finite CML solution: the directed graph with an
 * edge i -> j whenever a person used got i right and j wrong is strongly connected.
 */
static int check_design(struct work *w, struct rasch_fit *out, struct cf_error *err)
{
    size_t k = (size_t)w->k, words = (size_t)w->words;
    uint64_t *edge = NULL, *right = NULL, *wrong = NULL;
    int *seen = NULL, *stack = NULL, rc = CF_OK;
    char field[RASCH_FIELD_LEN];

    for (int p = 0; p < w->n; p++) {
        if (w->pscore[p] < 0)
            continue;
        for (int i = 0; i < w->k; i++)
            if (w->x[(size_t)p * k + (size_t)i] != RASCH_MISSING)
                out->count[i]++;
    }
    for (int i = 0; i < w->k; i++) {
        out->score[i] = (int)w->s[i];
        if (out->count[i] == 0)
            return cf_error_set(err, CF_EINVAL, item_field(field, i),
                                "Item %d was presented to no person with a score between 0 and "
                                "the number of items presented; its difficulty cannot be "
                                "estimated.",
                                i + 1);
        if (out->score[i] == 0 || out->score[i] == out->count[i])
            return cf_error_set(err, CF_EINVAL, item_field(field, i),
                                "Item %d was answered %s by all %d persons used; its CML "
                                "difficulty would be infinite.",
                                i + 1, out->score[i] == 0 ? "wrongly" : "rightly", out->count[i]);
    }

    edge = calloc(k * words, sizeof *edge);
    right = malloc(words * sizeof *right);
    wrong = malloc(words * sizeof *wrong);
    seen = malloc(k * sizeof *seen);
    stack = malloc(k * sizeof *stack);
    if (edge == NULL || right == NULL || wrong == NULL || seen == NULL || stack == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    for (int p = 0; p < w->n; p++) {
        const signed char *row = w->x + (size_t)p * k;

        if (w->pscore[p] < 0)
            continue;
        memset(right, 0, words * sizeof *right);
        memset(wrong, 0, words * sizeof *wrong);
        for (int i = 0; i < w->k; i++) {
            if (row[i] == 1)
                right[i / WORD_BITS] |= (uint64_t)1 << (i % WORD_BITS);
            else if (row[i] == 0)
                wrong[i / WORD_BITS] |= (uint64_t)1 << (i % WORD_BITS);
        }
        for (int i = 0; i < w->k; i++)
            if (row[i] == 1)
                for (size_t q = 0; q < words; q++)
                    edge[(size_t)i * words + q] |= wrong[q];
    }

    /* every item reachable from item 1 along the edges, and item 1 from every item */
    for (int dir = 0; dir < 2; dir++) {
        int top = 0;

        memset(seen, 0, k * sizeof *seen);
        seen[0] = 1;
        stack[top++] = 0;
        while (top > 0) {
            int i = stack[--top];

            for (int j = 0; j < w->k; j++) {
                int has = dir == 0 ? (int)((edge[(size_t)i * words + (size_t)(j / WORD_BITS)] >>
                                            (j % WORD_BITS)) &
                                           1)
                                   : (int)((edge[(size_t)j * words + (size_t)(i / WORD_BITS)] >>
                                            (i % WORD_BITS)) &
                                           1);
                if (has && !seen[j]) {
                    seen[j] = 1;
                    stack[top++] = j;
                }
            }
        }
        for (int j = 0; j < w->k; j++)
            if (!seen[j]) {
                rc = cf_error_set(err, CF_EINVAL, item_field(field, j),
                                  "Items 1 and %d are not linked in both directions (no person "
                                  "got one right and the other wrong, directly or through "
                                  "other items); no finite CML estimates exist.",
                                  j + 1);
                goto out;
            }
    }

out:
    free(edge);
    free(right);
    free(wrong);
    free(seen);
    free(stack);
    return rc;
}

/* --- the conditional likelihood ---------------------------------------------------------- */

/*
 * gamma^(a,b)_{r-2} / gamma_r * eps_a * eps_b for every r of gr into w->tmp[r] (0 for r < 2),
 * from the ESF of the group's other items: the route for two items of (nearly) equal eps,
 * where the difference formula would cancel.
 */
static void pair_direct(struct work *w, const struct group *gr, int a, int b, double gscale)
{
    double *g = w->bw, scale = 0.0; /* bw is free again once pi is filled */
    int t = 0;

    g[0] = 1.0;
    for (int q = 0; q < gr->m; q++) {
        if (q == a || q == b)
            continue;
        esf_add(g, t, w->eps[q], &scale);
        t++;
    }
    for (int r = 0; r <= gr->m; r++) {
        if (r < 2 || gr->nr[r] == 0) {
            w->tmp[r] = 0.0;
            continue;
        }
        w->tmp[r] = w->eps[a] * w->eps[b] * g[r - 2] /
                    w->fw[(size_t)gr->m * (size_t)(w->k + 1) + (size_t)r] * exp(scale - gscale);
    }
}

/*
 * Adds group gr's share at the difficulties b: to *ll the log-likelihood, to w->grad the
 * expected item scores, and (when hess) to w->info the information. For each raw score r
 * present, pi_ri = eps_i gamma^(i)_{r-1} / gamma_r (the probability of item i right given
 * r) comes from prefix and suffix ESFs, all sums of positive terms. Off the diagonal,
 * pi_rij = eps_i eps_j gamma^(i,j)_{r-2} / gamma_r = (eps_i pi_rj - eps_j pi_ri) /
 * (eps_i - eps_j), since gamma^(j)_{r-1} - gamma^(i)_{r-1} = (eps_i - eps_j) gamma^(i,j)_{r-2};
 * items whose eps are within RASCH_CLOSE take pair_direct().
 */
static void group_add(struct work *w, const struct group *gr, const double *b, int hess, double *ll)
{
    int m = gr->m;
    size_t row = (size_t)w->k + 1;
    double *fw = w->fw, *bw = w->bw, gscale;

    for (int t = 0; t < m; t++)
        w->eps[t] = exp(-b[gr->item[t]]);

    /* prefix ESFs: row t holds items 0..t-1; suffix: row t holds items t..m-1 */
    fw[0] = 1.0;
    w->fs[0] = 0.0;
    for (int t = 0; t < m; t++) {
        memcpy(fw + (size_t)(t + 1) * row, fw + (size_t)t * row, ((size_t)t + 1) * sizeof *fw);
        w->fs[t + 1] = w->fs[t];
        esf_add(fw + (size_t)(t + 1) * row, t, w->eps[t], &w->fs[t + 1]);
    }
    bw[(size_t)m * row] = 1.0;
    w->bs[m] = 0.0;
    for (int t = m - 1; t >= 0; t--) {
        memcpy(bw + (size_t)t * row, bw + (size_t)(t + 1) * row,
               ((size_t)(m - t - 1) + 1) * sizeof *bw);
        w->bs[t] = w->bs[t + 1];
        esf_add(bw + (size_t)t * row, m - t - 1, w->eps[t], &w->bs[t]);
    }
    gscale = w->fs[m];

    /* pi for each raw score present: w->pi row at for score gr->rs[at] */
    for (int at = 0; at < gr->nscore; at++) {
        int r = gr->rs[at];
        double gr_r = fw[(size_t)m * row + (size_t)r];
        double *pi = w->pi + (size_t)at * (size_t)w->k;

        *ll -= gr->nr[r] * (log(gr_r) + gscale);
        for (int t = 0; t < m; t++) {
            const double *f = fw + (size_t)t * row, *bb = bw + (size_t)(t + 1) * row;
            int lo = r - 1 - (m - t - 1), hi = t < r - 1 ? t : r - 1;
            double sum = 0.0;

            for (int s = lo > 0 ? lo : 0; s <= hi; s++)
                sum += f[s] * bb[r - 1 - s];
            pi[t] = w->eps[t] * sum / gr_r * exp(w->fs[t] + w->bs[t + 1] - gscale);
            w->grad[gr->item[t]] += gr->nr[r] * pi[t];
        }
    }
    if (!hess)
        return;

    for (int a = 0; a < m; a++) {
        int ia = gr->item[a];

        double d = 0.0;

        for (int at = 0; at < gr->nscore; at++) {
            const double *pi = w->pi + (size_t)at * (size_t)w->k;

            d += gr->nr[gr->rs[at]] * pi[a] * (1.0 - pi[a]);
        }
        w->info[(size_t)ia * (size_t)w->k + (size_t)ia] += d;
        for (int c = a + 1; c < m; c++) {
            int ic = gr->item[c], close;
            double ea = w->eps[a], ec = w->eps[c];

            close = fabs(ea - ec) <= RASCH_CLOSE * (ea > ec ? ea : ec);
            if (close)
                pair_direct(w, gr, a, c, gscale);
            d = 0.0;
            for (int at = 0; at < gr->nscore; at++) {
                const double *pi = w->pi + (size_t)at * (size_t)w->k;
                int r = gr->rs[at];
                double pac = close ? w->tmp[r] : (ea * pi[c] - ec * pi[a]) / (ea - ec);

                d += gr->nr[r] * (pac - pi[a] * pi[c]);
            }
            w->info[(size_t)ia * (size_t)w->k + (size_t)ic] += d;
            w->info[(size_t)ic * (size_t)w->k + (size_t)ia] += d;
        }
    }
}

/* The log-likelihood at b into *ll, dlogL/db into w->grad, the information when hess. */
static void evaluate(struct work *w, const double *b, int hess, double *ll)
{
    size_t k = (size_t)w->k;

    *ll = 0.0;
    memset(w->grad, 0, k * sizeof *w->grad);
    if (hess)
        memset(w->info, 0, k * k * sizeof *w->info);
    for (int i = 0; i < w->k; i++)
        *ll -= w->s[i] * b[i];
    for (int g = 0; g < w->ngroups; g++)
        group_add(w, &w->g[g], b, hess, ll);
    for (int i = 0; i < w->k; i++)
        w->grad[i] -= w->s[i]; /* expected minus observed item score */
}

/*
 * The Cholesky factor of the information without item 1's row and column (k - 1 square)
 * into w->chol. 0 when it is not positive definite.
 */
static int cholesky(struct work *w)
{
    int n = w->k - 1;
    size_t k = (size_t)w->k;
    double *l = w->chol;

    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double sum = w->info[(size_t)(i + 1) * k + (size_t)(j + 1)];

            for (int q = 0; q < j; q++)
                sum -= l[(size_t)i * (size_t)n + (size_t)q] * l[(size_t)j * (size_t)n + (size_t)q];
            if (i == j) {
                if (!(sum > 0.0))
                    return 0;
                l[(size_t)i * (size_t)n + (size_t)i] = sqrt(sum);
            } else
                l[(size_t)i * (size_t)n + (size_t)j] = sum / l[(size_t)j * (size_t)n + (size_t)j];
        }
    return 1;
}

/* Solves L L' y = v in place (v has k - 1 values). */
static void chol_solve(const struct work *w, double *v)
{
    int n = w->k - 1;
    const double *l = w->chol;

    for (int i = 0; i < n; i++) {
        for (int q = 0; q < i; q++)
            v[i] -= l[(size_t)i * (size_t)n + (size_t)q] * v[q];
        v[i] /= l[(size_t)i * (size_t)n + (size_t)i];
    }
    for (int i = n - 1; i >= 0; i--) {
        for (int q = i + 1; q < n; q++)
            v[i] -= l[(size_t)q * (size_t)n + (size_t)i] * v[q];
        v[i] /= l[(size_t)i * (size_t)n + (size_t)i];
    }
}

static void centre(double *b, int k)
{
    double mean = 0.0;

    for (int i = 0; i < k; i++)
        mean += b[i];
    mean /= k;
    for (int i = 0; i < k; i++)
        b[i] -= mean;
}

/* The largest |dlogL/db_i| per person presented item i: the convergence criterion. */
static double max_gradient(const struct work *w, const struct rasch_fit *out)
{
    double mx = 0.0;

    for (int i = 0; i < w->k; i++)
        if (fabs(w->grad[i]) / out->count[i] > mx)
            mx = fabs(w->grad[i]) / out->count[i];
    return mx;
}

/*
 * The SEs of the centred difficulties into out->se: V = (I without item 1)^-1, padded with
 * a zero row and column for item 1; var(c_i) = V_ii - 2/k sum_j V_ij + 1/k^2 sum_jl V_jl.
 */
static int standard_errors(struct work *w, struct rasch_fit *out)
{
    int n = w->k - 1, k = w->k;
    double *v = malloc((size_t)n * (size_t)n * sizeof *v), *rowsum = NULL, total = 0.0;

    if (v == NULL)
        return CF_ENOMEM;
    rowsum = calloc((size_t)k, sizeof *rowsum);
    if (rowsum == NULL) {
        free(v);
        return CF_ENOMEM;
    }
    for (int j = 0; j < n; j++) {
        double *col = v + (size_t)j * (size_t)n; /* V is symmetric: column j as row j */

        memset(col, 0, (size_t)n * sizeof *col);
        col[j] = 1.0;
        chol_solve(w, col);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            rowsum[i + 1] += v[(size_t)i * (size_t)n + (size_t)j];
    for (int i = 1; i < k; i++)
        total += rowsum[i];
    for (int i = 0; i < k; i++) {
        double vii = i == 0 ? 0.0 : v[(size_t)(i - 1) * (size_t)n + (size_t)(i - 1)];
        double var = vii - 2.0 * rowsum[i] / k + total / ((double)k * (double)k);

        out->se[i] = sqrt(var > 0.0 ? var : 0.0);
    }
    free(v);
    free(rowsum);
    return CF_OK;
}

/*
 * Infit and outfit of every item from the persons used, each at the ML ability for their
 * raw score over the items presented to them.
 */
static int item_fit(struct work *w, struct rasch_fit *out)
{
    size_t k = (size_t)w->k;
    double *theta = malloc((k + 1) * sizeof *theta), *bg = malloc(k * sizeof *bg);
    double *num = calloc(k, sizeof *num), *den = calloc(k, sizeof *den);
    double *z2 = calloc(k, sizeof *z2);
    int rc = CF_OK;

    if (theta == NULL || bg == NULL || num == NULL || den == NULL || z2 == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    for (int g = 0; g < w->ngroups; g++) {
        const struct group *gr = &w->g[g];

        for (int t = 0; t < gr->m; t++)
            bg[t] = out->difficulty[gr->item[t]];
        for (int r = 1; r < gr->m; r++) {
            double se;

            theta[r] = 0.0;
            if (gr->nr[r] > 0)
                (void)rasch_theta(bg, gr->m, r, &theta[r], &se);
        }
        for (int a = gr->first; a < gr->first + gr->size; a++) {
            int p = w->order[a];
            double th = theta[w->pscore[p]];

            for (int t = 0; t < gr->m; t++) {
                int i = gr->item[t];
                double pr = 1.0 / (1.0 + exp(out->difficulty[i] - th));
                double res = w->x[(size_t)p * k + (size_t)i] - pr, var = pr * (1.0 - pr);

                num[i] += res * res;
                den[i] += var;
                z2[i] += res * res / var;
            }
        }
    }
    for (int i = 0; i < w->k; i++) {
        out->infit[i] = num[i] / den[i];
        out->outfit[i] = z2[i] / out->count[i];
    }

out:
    free(theta);
    free(bg);
    free(num);
    free(den);
    free(z2);
    return rc;
}

void rasch_fit_free(struct rasch_fit *f)
{
    if (f == NULL)
        return;
    free(f->difficulty);
    free(f->se);
    free(f->infit);
    free(f->outfit);
    free(f->count);
    free(f->score);
    free(f->theta);
    free(f->theta_se);
    memset(f, 0, sizeof *f);
}

int rasch_cml(const signed char *x, int n, int k, struct rasch_fit *out, struct cf_error *err)
{
    struct work w;
    size_t kk = (size_t)k;
    double *b = NULL, *step = NULL, ll = 0.0;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&w, 0, sizeof w);
    if (k < 2 || k > RASCH_ITEMS_MAX)
        return cf_error_set(err, CF_EINVAL, "responses",
                            "A calibration takes 2 to %d items, not %d.", RASCH_ITEMS_MAX, k);
    if (n < 0)
        return cf_error_set(err, CF_EINVAL, "responses", "The number of persons is negative.");
    w.x = x;
    w.n = n;
    w.k = k;
    out->k = k;
    out->persons = n;
    out->difficulty = calloc(kk, sizeof(double));
    out->se = calloc(kk, sizeof(double));
    out->infit = calloc(kk, sizeof(double));
    out->outfit = calloc(kk, sizeof(double));
    out->count = calloc(kk, sizeof(int));
    out->score = calloc(kk, sizeof(int));
    out->theta = calloc(kk + 1, sizeof(double));
    out->theta_se = calloc(kk + 1, sizeof(double));
    if (out->difficulty == NULL || out->se == NULL || out->infit == NULL || out->outfit == NULL ||
        out->count == NULL || out->score == NULL || out->theta == NULL || out->theta_se == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }
    rc = read_persons(&w, out, err);
    if (rc != CF_OK)
        goto out;
    rc = check_design(&w, out, err);
    if (rc != CF_OK)
        goto out;

    w.eps = malloc(kk * sizeof *w.eps);
    w.fw = malloc((kk + 1) * (kk + 1) * sizeof *w.fw);
    w.bw = malloc((kk + 1) * (kk + 1) * sizeof *w.bw);
    w.fs = malloc((kk + 1) * sizeof *w.fs);
    w.bs = malloc((kk + 1) * sizeof *w.bs);
    w.pi = malloc((kk + 1) * kk * sizeof *w.pi);
    w.tmp = malloc((kk + 1) * sizeof *w.tmp);
    w.info = malloc(kk * kk * sizeof *w.info);
    w.grad = malloc(kk * sizeof *w.grad);
    w.chol = malloc((kk - 1) * (kk - 1) * sizeof *w.chol);
    b = malloc(kk * sizeof *b);
    step = malloc(kk * sizeof *step);
    if (w.eps == NULL || w.fw == NULL || w.bw == NULL || w.fs == NULL || w.bs == NULL ||
        w.pi == NULL || w.tmp == NULL || w.info == NULL || w.grad == NULL || w.chol == NULL ||
        b == NULL || step == NULL) {
        rc = CF_ENOMEM;
        goto out;
    }

    /* start: the logit of each item's proportion wrong, centred */
    for (int i = 0; i < k; i++)
        b[i] = log((out->count[i] - w.s[i]) / w.s[i]);
    centre(b, k);

    /*
     * Newton-Raphson with item 1 held fixed: step = I~^-1 g~ (I~, g~ without item 1), where
     * g = dlogL/db and the information I = -d2logL/db2. The log-likelihood is concave in b;
     * a step that lowers it is halved.
     */
    evaluate(&w, b, 1, &ll);
    for (;;) {
        double ll_new = 0.0, lambda = 1.0;

        if (!cholesky(&w)) {
            rc = cf_error_set(err, CF_EINVAL, "responses",
                              "The information matrix is singular; the items cannot be "
                              "calibrated together.");
            goto out;
        }
        if (max_gradient(&w, out) < RASCH_TOL)
            break;
        if (out->iterations == RASCH_ITER_MAX) {
            rc = cf_error_set(err, CF_EINVAL, "responses",
                              "CML did not converge in %d Newton-Raphson steps (largest "
                              "gradient per person %g).",
                              RASCH_ITER_MAX, max_gradient(&w, out));
            goto out;
        }
        step[0] = 0.0;
        memcpy(step + 1, w.grad + 1, (kk - 1) * sizeof *step);
        chol_solve(&w, step + 1);
        for (int half = 0; half < 30; half++) {
            double *trial = w.tmp; /* k + 1 values: scratch free between evaluations */

            for (int i = 0; i < k; i++)
                trial[i] = b[i] + lambda * step[i];
            centre(trial, k);
            evaluate(&w, trial, 0, &ll_new);
            if (ll_new >= ll - 1e-12 * (1.0 + fabs(ll))) {
                memcpy(b, trial, kk * sizeof *b);
                break;
            }
            lambda *= 0.5;
        }
        out->iterations++;
        evaluate(&w, b, 1, &ll);
    }
    memcpy(out->difficulty, b, kk * sizeof *b);
    out->loglik = ll;
    out->max_gradient = max_gradient(&w, out);
    rc = standard_errors(&w, out);
    if (rc != CF_OK)
        goto out;
    rc = item_fit(&w, out);
    if (rc != CF_OK)
        goto out;
    for (int r = 1; r < k; r++)
        (void)rasch_theta(out->difficulty, k, r, &out->theta[r], &out->theta_se[r]);

out:
    work_free(&w);
    free(b);
    free(step);
    if (rc != CF_OK)
        rasch_fit_free(out);
    return rc;
}
