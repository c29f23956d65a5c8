/* demo_rng.h - the simulator's seeded PRNG (xoshiro256** seeded by splitmix64).
 * Each simulation owns one, so runs with the same seed are identical. */
#ifndef OJO_DEMO_RNG_H
#define OJO_DEMO_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct demo_rng {
	uint64_t s[4];
} demo_rng;

/* Expands one 64-bit seed into the full state (never all zero). */
void demo_rng_seed(demo_rng *r, uint64_t seed);
uint64_t demo_rng_next(demo_rng *r);
/* Uniform in [0, 1), 53 bits of precision. */
double demo_rng_double(demo_rng *r);
/* True with probability p (p <= 0 never, p >= 1 always). */
bool demo_rng_chance(demo_rng *r, double p);

#endif
