/* demo_cc.c - what NewReno and CUBIC share: slow start, the recovery period and
 * dispatch to the congestion-avoidance and reduction rules. */
#include "demo/demo_cc.h"

#include "ojo/events.h"

void demo_cc_init(demo_cc *cc, demo_cc_algo algo, uint64_t max_datagram)
{
	*cc = (demo_cc){.algo = algo, .max_datagram = max_datagram};
	/* RFC 9002 7.2: min(10 * max_datagram, max(14720, 2 * max_datagram)) */
	uint64_t a = 10 * max_datagram;
	uint64_t b = 14720 > 2 * max_datagram ? 14720 : 2 * max_datagram;
	cc->cwnd = a < b ? a : b;
	cc->ssthresh = UINT64_MAX;
}

uint64_t demo_cc_min_window(const demo_cc *cc)
{
	return 2 * cc->max_datagram;
}

void demo_cc_on_ack(demo_cc *cc, uint64_t size, uint64_t sent_ns,
		    uint64_t now_ns, uint64_t srtt_ns, bool app_limited)
{
	if (cc->in_recovery) {
		if (sent_ns <= cc->recovery_start_ns)
			return;
		/* first packet sent after the loss came back: period over */
		cc->in_recovery = false;
	}
	if (app_limited)
		return;
	if (cc->cwnd < cc->ssthresh) {
		cc->cwnd += size;
		return;
	}
	if (cc->algo == DEMO_CC_CUBIC)
		demo_cubic_ca(cc, size, now_ns, srtt_ns);
	else
		demo_newreno_ca(cc, size);
}

void demo_cc_on_loss(demo_cc *cc, uint64_t sent_ns, uint64_t now_ns)
{
	if (cc->in_recovery && sent_ns <= cc->recovery_start_ns)
		return;
	cc->in_recovery = true;
	cc->recovery_start_ns = now_ns;
	if (cc->algo == DEMO_CC_CUBIC)
		demo_cubic_reduce(cc);
	else
		demo_newreno_reduce(cc);
}

void demo_cc_on_persistent_congestion(demo_cc *cc)
{
	cc->cwnd = demo_cc_min_window(cc);
	cc->in_recovery = false;
	cc->ca_acked = 0;
	if (cc->algo == DEMO_CC_CUBIC)
		demo_cubic_reset(cc);
}

int demo_cc_state(const demo_cc *cc)
{
	if (cc->in_recovery)
		return OJO_RS_RECOVERY;
	return cc->cwnd < cc->ssthresh ? OJO_RS_SLOW_START
				       : OJO_RS_CONGESTION_AVOIDANCE;
}
