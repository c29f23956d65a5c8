/* heap.c - binary min-heap of simulation events. */
#include "demo/heap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

void ojo_demo_heap_init(ojo_demo_heap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->next_seq = 0;
}

void ojo_demo_heap_free(ojo_demo_heap *h)
{
	free(h->v);
	ojo_demo_heap_init(h);
}

static bool before(const ojo_demo_ev *a, const ojo_demo_ev *b)
{
	if (a->time_ns != b->time_ns)
		return a->time_ns < b->time_ns;
	return a->seq < b->seq;
}

int ojo_demo_heap_push(ojo_demo_heap *h, const ojo_demo_ev *ev)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		ojo_demo_ev *v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	size_t i = h->n++;
	ojo_demo_ev e = *ev;
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

int ojo_demo_heap_pop(ojo_demo_heap *h, ojo_demo_ev *out)
{
	if (h->n == 0)
		return -ENOENT;
	*out = h->v[0];
	ojo_demo_ev last = h->v[--h->n];
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
