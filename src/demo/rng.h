/* rng.h - the simulator's seeded PRNG (xoshiro256** seeded by splitmix64).
 * Each simulation owns one, so runs with the same seed are identical. */
#ifndef OJO_DEMO_RNG_H
#define OJO_DEMO_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ojo_demo_rng {
	uint64_t s[4];
} ojo_demo_rng;

/* Expands one 64-bit seed into the full state (never all zero). */
void ojo_demo_rng_seed(ojo_demo_rng *r, uint64_t seed);
uint64_t ojo_demo_rng_next(ojo_demo_rng *r);
/* Uniform in [0, 1), 53 bits of precision. */
double ojo_demo_rng_double(ojo_demo_rng *r);
/* True with probability p (p <= 0 never, p >= 1 always). */
bool ojo_demo_rng_chance(ojo_demo_rng *r, double p);

#endif
