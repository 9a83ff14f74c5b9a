/*
 * simulate.c — the seeded generator and the Rasch response simulator.
 */
#include "core/simulate.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 (Steele, Lea & Flood 2014): spreads one seed over the four state words. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sim_seed(struct sim_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->spare = 0.0;
    r->has_spare = 0;
}

uint64_t sim_next(struct sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_uniform(struct sim_rng *r)
{
    return (double)(sim_next(r) >> 11) * 0x1.0p-53;
}

double sim_normal(struct sim_rng *r)
{
    double u, v, q;

    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    do {
        u = 2.0 * sim_uniform(r) - 1.0;
        v = 2.0 * sim_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    q = sqrt(-2.0 * log(q) / q);
    r->spare = v * q;
    r->has_spare = 1;
    return u * q;
}

void sim_normals(struct sim_rng *r, double *v, size_t n, int centre)
{
    double mean = 0.0;

    for (size_t i = 0; i < n; i++) {
        v[i] = sim_normal(r);
        mean += v[i];
    }
    if (!centre || n == 0)
        return;
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        v[i] -= mean;
}

void sim_responses(struct sim_rng *r, const double *b, size_t k, const double *theta, size_t n,
                   double missing, signed char *x)
{
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i < k; i++) {
            double pr = 1.0 / (1.0 + exp(-(theta[p] - b[i])));

            if (missing > 0.0 && sim_uniform(r) < missing) {
                x[p * k + i] = SIM_MISSING;
                continue;
            }
            x[p * k + i] = sim_uniform(r) < pr ? 1 : 0;
        }
}
