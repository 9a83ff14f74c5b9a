/*
 * simulate.h — response data from known Rasch parameters, pure and seeded: the same seed
 * gives the same data on every machine. Our own PRNG (xoshiro256**, seeded by splitmix64;
 * Blackman & Vigna 2018), normal deviates by Marsaglia's polar method, and responses with
 * P(x = 1) = 1 / (1 + exp(-(theta - b))). docs/exam-rasch.md describes it.
 */
#ifndef CF_CORE_SIMULATE_H
#define CF_CORE_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

/* The generator's state. */
struct sim_rng {
    uint64_t s[4];
    double spare; /* the polar method's second deviate */
    int has_spare;
};

/* Seeds r from seed (any value, 0 included) through splitmix64. */
void sim_seed(struct sim_rng *r, uint64_t seed);

/* The next 64 random bits (xoshiro256**). */
uint64_t sim_next(struct sim_rng *r);

/* A uniform deviate in [0, 1): the top 53 bits of sim_next(). */
double sim_uniform(struct sim_rng *r);

/* A standard normal deviate (Marsaglia's polar method; every second call uses the spare). */
double sim_normal(struct sim_rng *r);

/* n standard normal deviates into v, then shifted to sum 0 when centre is non-zero. */
void sim_normals(struct sim_rng *r, double *v, size_t n, int centre);

/*
 * n x k responses into x (x[p * k + i], the caller's n * k bytes): for each person p in
 * order and each item i in order, one uniform deviate decides whether the cell is missing
 * (when missing > 0: with probability missing, the cell is SIM_MISSING), and then one more
 * whether it is right (1, with the Rasch probability of theta[p] and b[i]) or wrong (0).
 */
void sim_responses(struct sim_rng *r, const double *b, size_t k, const double *theta, size_t n,
                   double missing, signed char *x);

#define SIM_MISSING (-1) /* the same as RASCH_MISSING */

#endif
