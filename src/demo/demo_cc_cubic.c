/* demo_cc_cubic.c - CUBIC (RFC 9438): window growth as a cubic function of the
 * time since the last reduction, with the Reno-friendly estimate as a
 * floor and fast convergence. Computed in segments and seconds. */
#include "demo/demo_cc.h"

#include <math.h>

#define CUBIC_C	   0.4
#define CUBIC_BETA 0.7

void demo_cubic_reduce(demo_cc *cc)
{
	double mss = (double)cc->max_datagram;
	double cwnd = (double)cc->cwnd / mss;
	/* fast convergence (4.7): release bandwidth to newer flows */
	if (cwnd < cc->w_max)
		cc->w_max = cwnd * (1.0 + CUBIC_BETA) / 2.0;
	else
		cc->w_max = cwnd;
	uint64_t ss = (uint64_t)((double)cc->cwnd * CUBIC_BETA);
	uint64_t min = demo_cc_min_window(cc);
	cc->ssthresh = ss < min ? min : ss;
	cc->cwnd = cc->ssthresh;
	double epoch = (double)cc->cwnd / mss;
	cc->k = cc->w_max > epoch ? cbrt((cc->w_max - epoch) / CUBIC_C) : 0.0;
	cc->w_est = epoch;
	cc->epoch_valid = false; /* starts with the first ack after recovery */
}

/* After persistent congestion the window restarts from the minimum: the
 * next epoch grows from there toward the old plateau. */
void demo_cubic_reset(demo_cc *cc)
{
	double epoch = (double)cc->cwnd / (double)cc->max_datagram;
	cc->k = cc->w_max > epoch ? cbrt((cc->w_max - epoch) / CUBIC_C) : 0.0;
	cc->w_est = epoch;
	cc->epoch_valid = false;
}

void demo_cubic_ca(demo_cc *cc, uint64_t size, uint64_t now_ns,
		   uint64_t srtt_ns)
{
	double mss = (double)cc->max_datagram;
	double cwnd = (double)cc->cwnd / mss;
	if (!cc->epoch_valid) {
		cc->epoch_valid = true;
		cc->epoch_start_ns = now_ns;
		if (cc->w_max < cwnd) {
			/* left slow start without a loss: the plateau is here
			 */
			cc->w_max = cwnd;
			cc->k = 0.0;
		}
		if (cc->w_est < 1.0)
			cc->w_est = cwnd;
	}
	double t = (double)(now_ns - cc->epoch_start_ns) / 1e9;
	double rtt = (double)srtt_ns / 1e9;
	double acked = (double)size / mss;

	/* Reno-friendly estimate (4.3) */
	double alpha = cc->w_est >= cc->w_max
			   ? 1.0
			   : 3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
	cc->w_est += alpha * acked / cwnd;

	double d = t - cc->k;
	double w_cubic = CUBIC_C * d * d * d + cc->w_max;
	double next;
	if (w_cubic < cc->w_est) {
		next = cc->w_est;
	} else {
		double dt = t + rtt - cc->k;
		double target = CUBIC_C * dt * dt * dt + cc->w_max;
		if (target < cwnd)
			target = cwnd;
		if (target > 1.5 * cwnd)
			target = 1.5 * cwnd;
		next = cwnd + (target - cwnd) / cwnd * acked;
	}
	uint64_t nb = (uint64_t)(next * mss);
	if (nb > cc->cwnd)
		cc->cwnd = nb;
}
