/* demo_heap.c - binary min-heap of simulation events. */
#include "demo/demo_heap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

void demo_heap_init(demo_heap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->next_seq = 0;
}

void demo_heap_free(demo_heap *h)
{
	free(h->v);
	demo_heap_init(h);
}

static bool before(const demo_ev *a, const demo_ev *b)
{
	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns;
	return a->seq < b->seq;
}

int demo_heap_push(demo_heap *h, const demo_ev *ev)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		demo_ev *v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	size_t i = h->n++;
	demo_ev e = *ev;
	e.seq = h->next_seq++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&e, &h->v[parent]))
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = e;
	return 0;
}

int demo_heap_pop(demo_heap *h, demo_ev *out)
{
	if (h->n == 0)
		return -ENOENT;
	*out = h->v[0];
	demo_ev last = h->v[--h->n];
	size_t i = 0, n = h->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (n > 0)
		h->v[i] = last;
	return 0;
}
