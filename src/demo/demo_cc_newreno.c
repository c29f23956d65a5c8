/* demo_cc_newreno.c - NewReno congestion avoidance and reduction (RFC
 * 9002 7.3). */
#include "demo/demo_cc.h"

void demo_newreno_ca(demo_cc *cc, uint64_t size)
{
	/* one max_datagram per congestion window of acked bytes */
	cc->ca_acked += size;
	if (cc->ca_acked >= cc->cwnd) {
		cc->ca_acked -= cc->cwnd;
		cc->cwnd += cc->max_datagram;
	}
}

void demo_newreno_reduce(demo_cc *cc)
{
	/* kLossReductionFactor = 0.5 */
	cc->ssthresh = cc->cwnd / 2;
	uint64_t min = demo_cc_min_window(cc);
	if (cc->ssthresh < min)
		cc->ssthresh = min;
	cc->cwnd = cc->ssthresh;
	cc->ca_acked = 0;
}
