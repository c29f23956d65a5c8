/* ranges.h - a set of half-open [start, end) uint64 ranges, kept sorted
 * and merged: acked stream bytes, received bytes, received packet numbers. */
#ifndef OJO_DEMO_RANGES_H
#define OJO_DEMO_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ojo_demo_range {
	uint64_t start, end;
} ojo_demo_range;

typedef struct ojo_demo_ranges {
	ojo_demo_range *v;
	size_t n, cap;
} ojo_demo_ranges;

void ojo_demo_ranges_init(ojo_demo_ranges *r);
void ojo_demo_ranges_free(ojo_demo_ranges *r);
/* Adds [start, end); merges neighbours. 0 or -ENOMEM. */
int ojo_demo_ranges_add(ojo_demo_ranges *r, uint64_t start, uint64_t end);
/* Removes the ranges wholly below `below` (to bound memory). */
void ojo_demo_ranges_drop_below(ojo_demo_ranges *r, uint64_t below);
/* Bytes of [start, end) covered by the set. */
uint64_t ojo_demo_ranges_covered(const ojo_demo_ranges *r, uint64_t start,
				 uint64_t end);
/* First sub-range of [start, end) NOT in the set; false if all covered. */
bool ojo_demo_ranges_first_gap(const ojo_demo_ranges *r, uint64_t start,
			       uint64_t end, ojo_demo_range *gap);
/* End of the range starting at 0 (the contiguous prefix), 0 if none. */
uint64_t ojo_demo_ranges_prefix(const ojo_demo_ranges *r);

#endif
