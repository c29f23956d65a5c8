/* demo_pacer.c - the token bucket behind the simulated sender's pacing. */
#include "demo/demo_pacer.h"

#define NS_PER_S UINT64_C(1000000000)

static void refill(demo_pacer *p, uint64_t now_ns)
{
	if (now_ns <= p->last_ns)
		return;
	uint64_t full = p->burst * NS_PER_S;
	uint64_t dt = now_ns - p->last_ns;
	p->last_ns = now_ns;
	if (p->tokens >= full)
		return;
	/* dt large enough to fill the bucket: no product to overflow */
	if (dt >= (full - p->tokens) / p->rate + 1)
		p->tokens = full;
	else
		p->tokens += dt * p->rate;
	if (p->tokens > full)
		p->tokens = full;
}

void demo_pacer_init(demo_pacer *p, uint64_t burst, uint64_t rate,
		     uint64_t now_ns)
{
	*p = (demo_pacer){.rate = rate ? rate : 1,
			  .burst = burst,
			  .tokens = burst * NS_PER_S,
			  .last_ns = now_ns};
}

uint64_t demo_pacing_rate(uint64_t cwnd, uint64_t srtt_ns)
{
	if (!srtt_ns)
		srtt_ns = 1;
	double r = 1.25 * (double)cwnd * 1e9 / (double)srtt_ns;
	return r < 1 ? 1 : (uint64_t)r;
}

void demo_pacer_set_rate(demo_pacer *p, uint64_t rate, uint64_t now_ns)
{
	refill(p, now_ns);
	p->rate = rate ? rate : 1;
}

uint64_t demo_pacer_ready_at(demo_pacer *p, uint64_t size, uint64_t now_ns)
{
	refill(p, now_ns);
	uint64_t need = size * NS_PER_S;
	if (p->tokens >= need)
		return now_ns;
	return now_ns + (need - p->tokens + p->rate - 1) / p->rate;
}

void demo_pacer_spend(demo_pacer *p, uint64_t size, uint64_t now_ns)
{
	refill(p, now_ns);
	uint64_t need = size * NS_PER_S;
	p->tokens = p->tokens > need ? p->tokens - need : 0;
}
