/* demo_fifo.c - the ring buffers' growth keeps every element in FIFO order
 * whatever the wrap position, checked against a plain counter. */
#include "demo/demo_fifo.h"
#include "demo/demo_rng.h"
#include "demo_common.h"

typedef struct ring {
	uint64_t *v;
	size_t head, n, cap;
} ring;

static void push(ring *r, uint64_t x)
{
	if (r->n == r->cap) {
		uint64_t *v = demo_fifo_grow(r->v, sizeof(*v), &r->head, r->n,
					     &r->cap, 4);
		CHECK(v != NULL);
		CHECK_EQ(r->head, 0);
		r->v = v;
	}
	r->v[(r->head + r->n) % r->cap] = x;
	r->n++;
}

static uint64_t pop(ring *r)
{
	CHECK(r->n > 0);
	uint64_t x = r->v[r->head];
	r->head = (r->head + 1) % r->cap;
	r->n--;
	return x;
}

int main(void)
{
	demo_rng rng;
	demo_rng_seed(&rng, 3);
	ring r = {0};
	uint64_t next_in = 0, next_out = 0;
	size_t grown = 0, last_cap = 0;
	for (int step = 0; step < 200000; step++) {
		/* pushes slightly more often than pops: the ring wraps at every
		 * size, then grows while wrapped */
		if (demo_rng_chance(&rng, 0.52) || r.n == 0)
			push(&r, next_in++);
		else
			CHECK_EQ(pop(&r), next_out++);
		if (r.cap != last_cap) {
			grown++;
			last_cap = r.cap;
		}
	}
	while (r.n)
		CHECK_EQ(pop(&r), next_out++);
	CHECK_EQ(next_out, next_in);
	CHECK(grown >= 6); /* 4 .. >= 128 slots: several growths */
	free(r.v);
	printf("demo_fifo: %llu elements in order through %zu growths, ok\n",
	       (unsigned long long)next_in, grown);
	return 0;
}
