/* demo_ranges.h - a set of half-open [start, end) uint64 ranges, kept sorted
 * and merged: acked stream bytes, received bytes, received packet numbers. */
#ifndef OJO_DEMO_RANGES_H
#define OJO_DEMO_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct demo_range {
	uint64_t start, end;
} demo_range;

typedef struct demo_ranges {
	demo_range *v;
	size_t n, cap;
} demo_ranges;

void demo_ranges_init(demo_ranges *r);
void demo_ranges_free(demo_ranges *r);
/* Adds [start, end); merges neighbours. 0 or -ENOMEM. */
int demo_ranges_add(demo_ranges *r, uint64_t start, uint64_t end);
/* Removes the ranges wholly below `below` (to bound memory). */
void demo_ranges_drop_below(demo_ranges *r, uint64_t below);
/* Bytes of [start, end) covered by the set. */
uint64_t demo_ranges_covered(const demo_ranges *r, uint64_t start,
			     uint64_t end);
/* First sub-range of [start, end) NOT in the set; false if all covered. */
bool demo_ranges_first_gap(const demo_ranges *r, uint64_t start, uint64_t end,
			   demo_range *gap);
/* End of the range starting at 0 (the contiguous prefix), 0 if none. */
uint64_t demo_ranges_prefix(const demo_ranges *r);

#endif
