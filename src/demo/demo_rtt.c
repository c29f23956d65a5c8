/* demo_rtt.c - RFC 9002 RTT estimator. */
#include "demo/demo_rtt.h"

void demo_rtt_init(demo_rtt *r, uint64_t initial_ns)
{
	*r = (demo_rtt){.smoothed = initial_ns, .rttvar = initial_ns / 2};
}

void demo_rtt_update(demo_rtt *r, uint64_t latest_ns, uint64_t ack_delay_ns,
		     uint64_t max_ack_delay_ns)
{
	r->latest = latest_ns;
	if (!r->has_sample) {
		r->has_sample = true;
		r->min = latest_ns;
		r->smoothed = latest_ns;
		r->rttvar = latest_ns / 2;
		return;
	}
	if (latest_ns < r->min)
		r->min = latest_ns;
	if (ack_delay_ns > max_ack_delay_ns)
		ack_delay_ns = max_ack_delay_ns;
	uint64_t adjusted = latest_ns;
	if (latest_ns >= r->min + ack_delay_ns)
		adjusted = latest_ns - ack_delay_ns;
	uint64_t diff = r->smoothed > adjusted ? r->smoothed - adjusted
					       : adjusted - r->smoothed;
	r->rttvar = (3 * r->rttvar + diff) / 4;
	r->smoothed = (7 * r->smoothed + adjusted) / 8;
}
