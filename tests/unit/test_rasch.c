/*
 * test_rasch.c — src/core/rasch.c and src/core/simulate.c: the elementary symmetric
 * functions against enumeration of every response pattern, CML on two items against its
 * closed form, the conditional likelihood, gradient and SEs against a brute-force likelihood
 * (every pattern enumerated, derivatives by finite differences), parameter recovery from
 * simulated data with and without missing cells, person abilities, and the refusals.
 *
 * References:
 *   Rasch, G. (1960). Probabilistic models for some intelligence and attainment tests.
 *   Fischer, G. H. (1981). On the existence and uniqueness of maximum-likelihood estimates
 *     in the Rasch model. Psychometrika, 46(1), 59-77.
 *   Mair, P., & Hatzinger, R. (2007). Extended Rasch modeling: the eRm package. Journal of
 *     Statistical Software, 20(9).
 */
#include "testutil.h"

#include <math.h>

#include "core/rasch.h"
#include "core/simulate.h"

#define M RASCH_MISSING

/* gamma_r of e[0..m-1] by enumerating all 2^m patterns. */
static double esf_brute(const double *e, int m, int r)
{
    double sum = 0.0;

    for (unsigned pat = 0; pat < (1u << m); pat++) {
        double prod = 1.0;
        int s = 0;

        for (int i = 0; i < m; i++)
            if (pat & (1u << i)) {
                prod *= e[i];
                s++;
            }
        if (s == r)
            sum += prod;
    }
    return sum;
}

static void test_esf_enumeration(void **state)
{
    const double e[] = {0.3, 1.7, 2.5, 0.05, 1.0, 12.0, 0.8, 4.4};
    int m = (int)(sizeof e / sizeof e[0]);
    struct rasch_esf esf;

    (void)state;
    assert_int_equal(rasch_esf(e, m, &esf), CF_OK);
    assert_int_equal(esf.m, m);
    for (int r = 0; r <= m; r++) {
        double want = esf_brute(e, m, r), got = esf.g[r] * exp(esf.scale);

        if (fabs(got - want) > 1e-12 * want)
            fail_msg("gamma_%d = %.15g, want %.15g", r, got, want);
    }
    /* gamma_0 = 1, gamma_m = the product of all eps */
    assert_true(fabs(esf.g[0] * exp(esf.scale) - 1.0) < 1e-12);
    rasch_esf_free(&esf);
    assert_null(esf.g);

    /* 400 items of eps e^3: gamma_r = C(400, r) e^{3r} would overflow unscaled at r = 400 */
    {
        double big[400], lg;

        for (int i = 0; i < 400; i++)
            big[i] = exp(3.0);
        assert_int_equal(rasch_esf(big, 400, &esf), CF_OK);
        /* log gamma_200 = log C(400,200) + 600 */
        lg = lgamma(401.0) - 2.0 * lgamma(201.0) + 600.0;
        assert_true(fabs(log(esf.g[200]) + esf.scale - lg) < 1e-9 * lg);
        lg = 1200.0;
        assert_true(fabs(log(esf.g[400]) + esf.scale - lg) < 1e-9 * lg);
        rasch_esf_free(&esf);
    }
}

/*
 * Two items. Only persons with score 1 count: given r = 1, P(item 1 right, item 2 wrong) =
 * eps1 / (eps1 + eps2), so logL = n10 log eps1 + n01 log eps2 - (n10 + n01) log(eps1 + eps2)
 * with eps = exp(-b), maximal at eps1 / eps2 = n10 / n01: b2 - b1 = log(n10 / n01).
 * Here n10 = 30, n01 = 10: b2 - b1 = log 3, centred b1 = -log(3)/2, b2 = log(3)/2.
 *
 * SE: with b1 = 0 held, the information on b2 is n pi (1 - pi), pi = P(item 2 right | r = 1)
 * = 10/40 = 1/4: I = 40 x 1/4 x 3/4 = 7.5, var(b2) = 1/7.5. The centred c2 = b2/2 (and
 * c1 = -b2/2), so var(c) = 1/(4 x 7.5) = 1/30 and SE = sqrt(1/30) = 0.182574 for both.
 *
 * Fit: a person with r = 1 has theta solving P1 + P2 = 1, which by symmetry is theta = 0.
 * P1 = 1/(1 + exp(b1)) = sqrt3/(sqrt3 + 1), so (1 - P1)/P1 = 1/sqrt3. For item 1, the 30
 * right have z^2 = (1 - P1)^2/(P1(1 - P1)) = 1/sqrt3, the 10 wrong z^2 = P1/(1 - P1) = sqrt3:
 * outfit = (30/sqrt3 + 10 sqrt3)/40 = sqrt3/2; infit divides the same squared residuals by
 * 40 x P1(1 - P1) with every variance equal, so infit = sqrt3/2 too. Item 2 mirrors item 1.
 *
 * Also 5 persons with both wrong and 7 with both right: excluded, counted.
 */
static void test_two_items_closed_form(void **state)
{
    signed char x[(30 + 10 + 5 + 7 + 2) * 2];
    struct rasch_fit f;
    struct cf_error err;
    int p = 0;

    (void)state;
    for (int i = 0; i < 30; i++, p++) {
        x[2 * p] = 1;
        x[2 * p + 1] = 0;
    }
    for (int i = 0; i < 10; i++, p++) {
        x[2 * p] = 0;
        x[2 * p + 1] = 1;
    }
    for (int i = 0; i < 5; i++, p++)
        x[2 * p] = x[2 * p + 1] = 0;
    for (int i = 0; i < 7; i++, p++)
        x[2 * p] = x[2 * p + 1] = 1;
    x[2 * p] = M; /* one person with item 2 only, right: perfect on what was presented */
    x[2 * p + 1] = 1;
    p++;
    x[2 * p] = x[2 * p + 1] = M; /* one presented nothing */
    p++;

    assert_int_equal(rasch_cml(x, p, 2, &f, &err), CF_OK);
    assert_int_equal(f.persons, 54);
    assert_int_equal(f.used, 40);
    assert_int_equal(f.zero, 5);
    assert_int_equal(f.perfect, 8);
    assert_int_equal(f.none, 1);
    assert_int_equal(f.groups, 1);
    assert_true(fabs(f.difficulty[0] + log(3.0) / 2.0) < 1e-9);
    assert_true(fabs(f.difficulty[1] - log(3.0) / 2.0) < 1e-9);
    assert_true(fabs(f.se[0] - sqrt(1.0 / 30.0)) < 1e-9);
    assert_true(fabs(f.se[1] - sqrt(1.0 / 30.0)) < 1e-9);
    assert_true(fabs(f.outfit[0] - sqrt(3.0) / 2.0) < 1e-9);
    assert_true(fabs(f.infit[0] - sqrt(3.0) / 2.0) < 1e-9);
    assert_true(fabs(f.outfit[1] - sqrt(3.0) / 2.0) < 1e-9);
    assert_true(fabs(f.infit[1] - sqrt(3.0) / 2.0) < 1e-9);
    assert_int_equal(f.count[0], 40);
    assert_int_equal(f.score[0], 30);
    /* logL = 30 log(3/4) + 10 log(1/4) */
    assert_true(fabs(f.loglik - (30.0 * log(0.75) + 10.0 * log(0.25))) < 1e-9);
    assert_true(f.max_gradient < RASCH_TOL);
    /* the score table: r = 1 of 2 items at b = -+log(3)/2 is theta = 0 (P1 + P2 = 1 by
     * symmetry), SE = 1/sqrt(2 P1 (1 - P1)) with P1 (1 - P1) = sqrt3/(sqrt3 + 1)^2 */
    assert_true(fabs(f.theta[1]) < 1e-10);
    assert_true(fabs(f.theta_se[1] - (sqrt(3.0) + 1.0) / sqrt(2.0 * sqrt(3.0))) < 1e-10);
    assert_true(f.theta[0] == 0.0 && f.theta[2] == 0.0 && f.theta_se[2] == 0.0);
    rasch_fit_free(&f);
}

/*
 * The conditional log-likelihood by brute force: for each person with 0 < r < m on the m
 * items presented, log(prod eps_i^x_i / gamma_r) with gamma_r enumerated over the presented
 * items (esf_brute). Persons with an extreme score add nothing.
 */
static double loglik_brute(const signed char *x, int n, int k, const double *b)
{
    double ll = 0.0;

    for (int p = 0; p < n; p++) {
        double e[16], num = 0.0;
        int m = 0, r = 0;

        for (int i = 0; i < k; i++) {
            signed char v = x[p * k + i];

            if (v == M)
                continue;
            e[m++] = exp(-b[i]);
            r += v;
            num += v ? -b[i] : 0.0;
        }
        if (r == 0 || r == m)
            continue;
        ll += num - log(esf_brute(e, m, r));
    }
    return ll;
}

/* Inverts the n x n symmetric positive definite a in place (Gauss-Jordan, n small). */
static void invert_small(double *a, int n)
{
    double aug[8][16];

    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            aug[i][j] = j < n ? a[i * n + j] : (j - n == i ? 1.0 : 0.0);
    for (int c = 0; c < n; c++) {
        double piv = aug[c][c];

        assert_true(fabs(piv) > 1e-12);
        for (int j = 0; j < 2 * n; j++)
            aug[c][j] /= piv;
        for (int i = 0; i < n; i++) {
            double f = aug[i][c];

            if (i == c)
                continue;
            for (int j = 0; j < 2 * n; j++)
                aug[i][j] -= f * aug[c][j];
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            a[i * n + j] = aug[i][j + n];
}

/*
 * Checks a fit of x against the brute-force likelihood: the same log-likelihood at the
 * estimates, a gradient of 0 there (central differences, h = 1e-5), and SEs equal to those
 * from the finite-difference Hessian with item 1 held at its value, inverted and carried to
 * the centred difficulties by A V A' (A = I - J/k).
 */
static void check_brute(const signed char *x, int n, int k)
{
    struct rasch_fit f;
    struct cf_error err;
    double b[8], h = 1e-4, hess[7 * 7], var[8][8] = {{0}};
    int q = k - 1;

    assert_true(k <= 8);
    if (rasch_cml(x, n, k, &f, &err) != CF_OK)
        fail_msg("rasch_cml: %s", err.message);
    memcpy(b, f.difficulty, (size_t)k * sizeof *b);
    {
        double sum = 0.0;

        for (int i = 0; i < k; i++)
            sum += b[i];
        assert_true(fabs(sum) < 1e-10);
    }
    if (fabs(loglik_brute(x, n, k, b) - f.loglik) > 1e-9)
        fail_msg("logL %.12f, brute force %.12f", f.loglik, loglik_brute(x, n, k, b));
    for (int i = 0; i < k; i++) {
        double bp[8], bm[8], g;

        memcpy(bp, b, sizeof bp);
        memcpy(bm, b, sizeof bm);
        bp[i] += 1e-5;
        bm[i] -= 1e-5;
        g = (loglik_brute(x, n, k, bp) - loglik_brute(x, n, k, bm)) / 2e-5;
        if (fabs(g) > 1e-6)
            fail_msg("dlogL/db_%d = %g at the estimate", i + 1, g);
    }

    /* -Hessian over b_2..b_k by central differences */
    for (int i = 1; i < k; i++)
        for (int j = 1; j < k; j++) {
            double t[4], bb[8];
            int si[4] = {1, 1, -1, -1}, sj[4] = {1, -1, 1, -1};

            for (int c = 0; c < 4; c++) {
                memcpy(bb, b, sizeof bb);
                bb[i] += si[c] * h;
                bb[j] += sj[c] * h;
                t[c] = loglik_brute(x, n, k, bb);
            }
            hess[(i - 1) * q + (j - 1)] = -(t[0] - t[1] - t[2] + t[3]) / (4.0 * h * h);
        }
    invert_small(hess, q);
    for (int i = 1; i < k; i++)
        for (int j = 1; j < k; j++)
            var[i][j] = hess[(i - 1) * q + (j - 1)];
    for (int i = 0; i < k; i++) {
        /* (A V A')_ii = V_ii - 2/k sum_j V_ij + 1/k^2 sum_jl V_jl */
        double row = 0.0, all = 0.0, se;

        for (int j = 0; j < k; j++) {
            row += var[i][j];
            for (int l = 0; l < k; l++)
                all += var[j][l];
        }
        all /= k;
        se = sqrt(var[i][i] - 2.0 * row / k + all / k);
        if (fabs(se - f.se[i]) > 1e-5)
            fail_msg("SE of item %d: %.8f, brute force %.8f", i + 1, f.se[i], se);
    }
    rasch_fit_free(&f);
}

/* Random responses from the simulator, some cells made missing, checked by brute force. */
static void test_brute_force_missing(void **state)
{
    struct sim_rng r;
    double b[5] = {-1.0, -0.3, 0.2, 0.5, 0.6}, theta[60];
    signed char x[60 * 5];

    (void)state;
    sim_seed(&r, 7);
    sim_normals(&r, theta, 60, 0);
    sim_responses(&r, b, 5, theta, 60, 0.25, x);
    check_brute(x, 60, 5);
}

/*
 * Complete data where items 2 and 3 have identical columns: their estimates are equal, so
 * their information term takes the direct route (pair_direct), not the difference formula.
 */
static void test_brute_force_tied_items(void **state)
{
    struct sim_rng r;
    double b[6] = {-1.2, 0.1, 0.1, 0.4, -0.2, 0.8}, theta[50];
    signed char x[50 * 6];
    struct rasch_fit f;

    (void)state;
    sim_seed(&r, 11);
    sim_normals(&r, theta, 50, 0);
    sim_responses(&r, b, 6, theta, 50, 0.0, x);
    for (int p = 0; p < 50; p++)
        x[p * 6 + 2] = x[p * 6 + 1];
    check_brute(x, 50, 6);
    assert_int_equal(rasch_cml(x, 50, 6, &f, NULL), CF_OK);
    assert_true(fabs(f.difficulty[1] - f.difficulty[2]) < 1e-9);
    rasch_fit_free(&f);
}

/* Pearson's correlation of a and b (n values). */
static double correlation(const double *a, const double *b, int n)
{
    double ma = 0.0, mb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0;

    for (int i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

/*
 * Simulates 5000 persons x 100 items (difficulties and abilities N(0,1), difficulties
 * centred, seed fixed), calibrates, and checks the recovery the issue asks for: r >= 0.99
 * with the truth and the 95% intervals b +- 1.96 SE covering the true difficulty for 90 to
 * 99 of the 100 items (the expected count is 95, its binomial SD about 2.2). The fit
 * mean-squares of data that follow the model are near 1.
 */
static void recovery(uint64_t seed, double missing)
{
    enum { N = 5000, K = 100 };
    struct sim_rng r;
    double b[K], theta[N], cor, sum = 0.0;
    signed char *x = malloc((size_t)N * K);
    struct rasch_fit f;
    struct cf_error err;
    int cover = 0;

    assert_non_null(x);
    sim_seed(&r, seed);
    sim_normals(&r, b, K, 1);
    sim_normals(&r, theta, N, 0);
    sim_responses(&r, b, K, theta, N, missing, x);
    if (rasch_cml(x, N, K, &f, &err) != CF_OK)
        fail_msg("rasch_cml: %s", err.message);
    cor = correlation(f.difficulty, b, K);
    for (int i = 0; i < K; i++) {
        sum += f.difficulty[i];
        if (fabs(f.difficulty[i] - b[i]) <= 1.96 * f.se[i])
            cover++;
        if (f.infit[i] < 0.8 || f.infit[i] > 1.2 || f.outfit[i] < 0.7 || f.outfit[i] > 1.3)
            fail_msg("item %d: infit %.3f outfit %.3f on data from the model", i + 1, f.infit[i],
                     f.outfit[i]);
    }
    print_message("missing %.0f%%: r = %.5f, coverage %d/100, %d groups, %d steps, "
                  "%d used\n",
                  missing * 100.0, cor, cover, f.groups, f.iterations, f.used);
    assert_true(cor >= 0.99);
    assert_true(cover >= 90 && cover <= 99);
    assert_true(fabs(sum) < 1e-9);
    assert_int_equal(f.used + f.zero + f.perfect + f.none, N);
    if (missing > 0.0)
        assert_true(f.groups > 1);
    rasch_fit_free(&f);
    free(x);
}

static void test_recovery_complete(void **state)
{
    (void)state;
    recovery(20261203, 0.0);
}

static void test_recovery_missing(void **state)
{
    (void)state;
    recovery(20261204, 0.2);
}

/*
 * ML ability for each raw score: sum_i P_i(theta_r) = r, SE = 1/sqrt(sum P(1 - P)). With
 * every difficulty equal to c, P = r/k for each item, so theta_r = c + log(r / (k - r))
 * exactly and SE = 1/sqrt(k (r/k)(1 - r/k)) = sqrt(k / (r (k - r))).
 */
static void test_person_abilities(void **state)
{
    const double b[] = {-1.5, -0.7, -0.2, 0.0, 0.3, 0.9, 1.2};
    double eq[10], t, se;
    int k = (int)(sizeof b / sizeof b[0]);

    (void)state;
    for (int r = 1; r < k; r++) {
        double sum = 0.0, info = 0.0;

        assert_int_equal(rasch_theta(b, k, r, &t, &se), CF_OK);
        for (int i = 0; i < k; i++) {
            double p = 1.0 / (1.0 + exp(b[i] - t));

            sum += p;
            info += p * (1.0 - p);
        }
        if (fabs(sum - r) > 1e-10)
            fail_msg("r = %d: sum P = %.12f at theta %.6f", r, sum, t);
        assert_true(fabs(se - 1.0 / sqrt(info)) < 1e-12);
    }
    for (int i = 0; i < 10; i++)
        eq[i] = 0.4;
    for (int r = 1; r < 10; r++) {
        assert_int_equal(rasch_theta(eq, 10, r, &t, &se), CF_OK);
        assert_true(fabs(t - (0.4 + log(r / (10.0 - r)))) < 1e-10);
        assert_true(fabs(se - sqrt(10.0 / (r * (10.0 - r)))) < 1e-10);
    }
    assert_int_equal(rasch_theta(b, k, 0, &t, &se), CF_EINVAL);
    assert_int_equal(rasch_theta(b, k, k, &t, &se), CF_EINVAL);
}

static void test_refusals(void **state)
{
    struct rasch_fit f;
    struct cf_error err;
    /* item 3 right for every person used: infinite (negative) difficulty */
    const signed char all_right[] = {1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1};
    /*
     * items 1 and 2 easy, 3 and 4 hard, and nobody got 3 or 4 right with 1 or 2 wrong:
     * edges run from {1, 2} to {3, 4} and never back
     */
    const signed char guttman[] = {1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1};
    const signed char bad[] = {1, 0, 2, 0};
    const signed char few[] = {1, 0, 1, 1};

    (void)state;
    assert_int_equal(rasch_cml(all_right, 4, 3, &f, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "Item 3"));
    assert_string_equal(err.field, "item 3");
    assert_null(f.difficulty);
    assert_int_equal(rasch_cml(guttman, 4, 4, &f, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "Items 1 and 3 are not linked"));
    assert_string_equal(err.field, "item 3");
    assert_int_equal(rasch_cml(bad, 2, 2, &f, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "Person 2, item 1"));
    assert_string_equal(err.field, "item 1");
    assert_int_equal(rasch_cml(few, 2, 2, &f, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "Only 1 person has"));
    assert_string_equal(err.field, "responses");
    assert_int_equal(rasch_cml(few, 4, 1, &f, &err), CF_EINVAL);
    assert_int_equal(rasch_cml(few, 1, RASCH_ITEMS_MAX + 1, &f, &err), CF_EINVAL);
}

/*
 * The simulator: the same seed gives the same stream; xoshiro256** seeded by splitmix64
 * from 0 starts with the splitmix64 outputs of 0, which are published (Vigna's
 * splitmix64.c reference: 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ...); uniforms lie in
 * [0, 1); the normal deviates have mean near 0 and variance near 1; the share of missing
 * cells is near the one asked; centred difficulties sum to 0.
 */
static void test_simulator(void **state)
{
    struct sim_rng a, c;
    double v[20000], mean = 0.0, var = 0.0, b[4] = {0.0, 0.0, 0.0, 0.0}, th[1000];
    signed char *x = malloc(4000);
    int miss = 0, right = 0;

    (void)state;
    assert_non_null(x);
    sim_seed(&a, 0);
    assert_true(a.s[0] == 0xe220a8397b1dcdafULL);
    assert_true(a.s[1] == 0x6e789e6aa1b965f4ULL);
    sim_seed(&a, 42);
    sim_seed(&c, 42);
    for (int i = 0; i < 100; i++)
        assert_true(sim_next(&a) == sim_next(&c));
    for (int i = 0; i < 1000; i++) {
        double u = sim_uniform(&a);

        assert_true(u >= 0.0 && u < 1.0);
    }
    sim_normals(&a, v, 20000, 0);
    for (int i = 0; i < 20000; i++)
        mean += v[i];
    mean /= 20000;
    for (int i = 0; i < 20000; i++)
        var += (v[i] - mean) * (v[i] - mean);
    var /= 19999;
    assert_true(fabs(mean) < 0.03);      /* SD of the mean 0.007 */
    assert_true(fabs(var - 1.0) < 0.05); /* SD of the variance 0.01 */
    sim_normals(&a, v, 50, 1);
    mean = 0.0;
    for (int i = 0; i < 50; i++)
        mean += v[i];
    assert_true(fabs(mean) < 1e-12);

    /* theta = b = 0: P = 1/2; 20% missing of 4000 cells (SD 25), right half the rest */
    for (int i = 0; i < 1000; i++)
        th[i] = 0.0;
    sim_responses(&a, b, 4, th, 1000, 0.2, x);
    for (int i = 0; i < 4000; i++) {
        miss += x[i] == SIM_MISSING;
        right += x[i] == 1;
        assert_true(x[i] == SIM_MISSING || x[i] == 0 || x[i] == 1);
    }
    assert_true(miss > 700 && miss < 900);
    assert_true(abs(2 * right - (4000 - miss)) < 250);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esf_enumeration),     cmocka_unit_test(test_two_items_closed_form),
        cmocka_unit_test(test_brute_force_missing), cmocka_unit_test(test_brute_force_tied_items),
        cmocka_unit_test(test_recovery_complete),   cmocka_unit_test(test_recovery_missing),
        cmocka_unit_test(test_person_abilities),    cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_simulator),
    };

    return cmocka_run_group_tests_name("rasch", tests, NULL, NULL);
}
