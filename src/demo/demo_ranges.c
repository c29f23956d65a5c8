/* demo_ranges.c - sorted merged range sets. Sets stay small (one range per
 * hole left by a loss), so linear scans beat anything cleverer. */
#include "demo/demo_ranges.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void demo_ranges_init(demo_ranges *r)
{
	r->v = NULL;
	r->n = r->cap = 0;
}

void demo_ranges_free(demo_ranges *r)
{
	free(r->v);
	demo_ranges_init(r);
}

int demo_ranges_add(demo_ranges *r, uint64_t start, uint64_t end)
{
	if (start >= end)
		return 0;
	/* i: first range that ends at or after start (may merge) */
	size_t i = 0;
	while (i < r->n && r->v[i].end < start)
		i++;
	/* j: one past the last range that starts at or before end */
	size_t j = i;
	while (j < r->n && r->v[j].start <= end)
		j++;
	if (i == j) {
		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 8;
			demo_range *v = realloc(r->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			r->v = v;
			r->cap = cap;
		}
		memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
		r->v[i].start = start;
		r->v[i].end = end;
		r->n++;
		return 0;
	}
	if (r->v[i].start < start)
		start = r->v[i].start;
	if (r->v[j - 1].end > end)
		end = r->v[j - 1].end;
	r->v[i].start = start;
	r->v[i].end = end;
	memmove(&r->v[i + 1], &r->v[j], (r->n - j) * sizeof(*r->v));
	r->n -= j - i - 1;
	return 0;
}

void demo_ranges_drop_below(demo_ranges *r, uint64_t below)
{
	size_t k = 0;
	while (k < r->n && r->v[k].end <= below)
		k++;
	if (k) {
		memmove(&r->v[0], &r->v[k], (r->n - k) * sizeof(*r->v));
		r->n -= k;
	}
}

uint64_t demo_ranges_covered(const demo_ranges *r, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < r->n && r->v[i].start < end; i++) {
		uint64_t a = r->v[i].start > start ? r->v[i].start : start;
		uint64_t b = r->v[i].end < end ? r->v[i].end : end;
		if (a < b)
			sum += b - a;
	}
	return sum;
}

bool demo_ranges_first_gap(const demo_ranges *r, uint64_t start, uint64_t end,
			   demo_range *gap)
{
	uint64_t pos = start;
	for (size_t i = 0; i < r->n && pos < end; i++) {
		if (r->v[i].end <= pos)
			continue;
		if (r->v[i].start > pos)
			break;
		pos = r->v[i].end;
	}
	if (pos >= end)
		return false;
	uint64_t stop = end;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].start > pos && r->v[i].start < stop) {
			stop = r->v[i].start;
			break;
		}
	gap->start = pos;
	gap->end = stop;
	return true;
}

uint64_t demo_ranges_prefix(const demo_ranges *r)
{
	return (r->n && r->v[0].start == 0) ? r->v[0].end : 0;
}
