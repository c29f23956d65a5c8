/* demo_units.c - the simulator's building blocks against brute force:
 * the event heap pops in (time, insertion) order, the range set agrees
 * with a bitmap, the PRNG is seeded deterministically. */
#include "demo/demo_heap.h"
#include "demo/demo_pacer.h"
#include "demo/demo_ranges.h"
#include "demo/demo_rng.h"
#include "demo_common.h"

static void test_heap(void)
{
	demo_rng rng;
	demo_rng_seed(&rng, 42);
	demo_heap h;
	demo_heap_init(&h);
	enum { N = 20000 };
	static uint64_t times[N];
	for (uint32_t i = 0; i < N; i++) {
		/* few distinct times, so ties are common */
		times[i] = demo_rng_next(&rng) % 500;
		demo_ev ev = {.time_ns = times[i], .conn = i};
		CHECK_EQ(demo_heap_push(&h, &ev), 0);
	}
	uint64_t last_t = 0;
	uint32_t last_i = 0;
	for (uint32_t k = 0; k < N; k++) {
		demo_ev ev;
		CHECK_EQ(demo_heap_pop(&h, &ev), 0);
		CHECK_EQ(ev.time_ns, times[ev.conn]);
		CHECK(ev.time_ns >= last_t);
		if (k && ev.time_ns == last_t)
			CHECK(ev.conn > last_i); /* FIFO among equals */
		last_t = ev.time_ns;
		last_i = ev.conn;
	}
	demo_ev ev;
	CHECK(demo_heap_pop(&h, &ev) < 0);
	demo_heap_free(&h);
}

static void test_ranges(void)
{
	enum { SPACE = 400 };
	demo_rng rng;
	demo_rng_seed(&rng, 7);
	for (int round = 0; round < 200; round++) {
		bool bits[SPACE] = {0};
		demo_ranges r;
		demo_ranges_init(&r);
		for (int op = 0; op < 30; op++) {
			uint64_t a = demo_rng_next(&rng) % SPACE;
			uint64_t len = demo_rng_next(&rng) % 40;
			uint64_t b = a + len > SPACE ? SPACE : a + len;
			CHECK_EQ(demo_ranges_add(&r, a, b), 0);
			for (uint64_t x = a; x < b; x++)
				bits[x] = true;
			/* sorted, disjoint, not touching */
			for (size_t i = 0; i < r.n; i++) {
				CHECK(r.v[i].start < r.v[i].end);
				if (i)
					CHECK(r.v[i - 1].end < r.v[i].start);
			}
			uint64_t qa = demo_rng_next(&rng) % SPACE;
			uint64_t qb = qa + demo_rng_next(&rng) % 100;
			if (qb > SPACE)
				qb = SPACE;
			uint64_t want = 0;
			for (uint64_t x = qa; x < qb; x++)
				want += bits[x];
			CHECK_EQ(demo_ranges_covered(&r, qa, qb), want);
			demo_range gap;
			uint64_t first = qa;
			while (first < qb && bits[first])
				first++;
			bool has = demo_ranges_first_gap(&r, qa, qb, &gap);
			CHECK_EQ(has, first < qb);
			if (has) {
				uint64_t end = first;
				while (end < qb && !bits[end])
					end++;
				CHECK_EQ(gap.start, first);
				CHECK_EQ(gap.end, end);
			}
			uint64_t prefix = 0;
			while (prefix < SPACE && bits[prefix])
				prefix++;
			if (prefix < SPACE || bits[0])
				CHECK_EQ(demo_ranges_prefix(&r), prefix);
		}
		demo_ranges_free(&r);
	}
}

static void test_rng(void)
{
	demo_rng a, b, c;
	demo_rng_seed(&a, 1);
	demo_rng_seed(&b, 1);
	demo_rng_seed(&c, 2);
	bool differ = false;
	int hits = 0;
	for (int i = 0; i < 100000; i++) {
		uint64_t x = demo_rng_next(&a);
		CHECK_EQ(x, demo_rng_next(&b));
		differ |= x != demo_rng_next(&c);
		double d = demo_rng_double(&a);
		CHECK(d >= 0 && d < 1);
		demo_rng_next(&b);
		hits += demo_rng_chance(&c, 0.25);
	}
	CHECK(differ);
	/* 25000 expected, sigma ~137 */
	CHECK(hits > 25000 - 700 && hits < 25000 + 700);
}

/* The token bucket: a full burst at once, then one packet per size/rate,
 * a rate change counting from the instant it is made, and idle time
 * refilling no more than the burst. */
static void test_pacer(void)
{
	CHECK_EQ(demo_pacing_rate(12800, 100000000), 160000);
	demo_pacer p;
	demo_pacer_init(&p, 12800, 1000000, 0); /* 1 MB/s */
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(demo_pacer_ready_at(&p, 1280, 0), 0);
		demo_pacer_spend(&p, 1280, 0);
	}
	/* the burst is spent: 1280 bytes take 1.28 ms */
	CHECK_EQ(demo_pacer_ready_at(&p, 1280, 0), 1280000);
	demo_pacer_spend(&p, 1280, 1280000);
	CHECK_EQ(demo_pacer_ready_at(&p, 1280, 1280000), 2560000);
	/* half-way, the rate doubles: the rest comes twice as fast */
	demo_pacer_set_rate(&p, 2000000, 1920000);
	CHECK_EQ(demo_pacer_ready_at(&p, 1280, 1920000), 2240000);
	/* a second idle refills 1 MB at 2 MB/s... capped at the burst */
	demo_pacer_spend(&p, 1280, 2240000);
	uint64_t t = 2240000 + UINT64_C(1000000000);
	int n = 0;
	while (demo_pacer_ready_at(&p, 1280, t) == t) {
		demo_pacer_spend(&p, 1280, t);
		n++;
	}
	CHECK_EQ(n, 10);
	/* a forced probe overdraws to empty, never below */
	demo_pacer_spend(&p, 1500, t);
	CHECK_EQ(demo_pacer_ready_at(&p, 1280, t), t + 640000);
}

int main(void)
{
	test_heap();
	test_ranges();
	test_rng();
	test_pacer();
	printf("demo_units: ok\n");
	return 0;
}
