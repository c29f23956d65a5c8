/* demo_cc.h - congestion controllers of the simulated sender: NewReno (RFC 9002
 * section 7) and CUBIC (RFC 9438), sharing slow start and the recovery
 * period. Windows are in bytes. */
#ifndef OJO_DEMO_CC_H
#define OJO_DEMO_CC_H

#include <stdbool.h>
#include <stdint.h>

typedef enum demo_cc_algo {
	DEMO_CC_NEWRENO = 0,
	DEMO_CC_CUBIC = 1,
} demo_cc_algo;

typedef struct demo_cc {
	demo_cc_algo algo;
	uint64_t max_datagram;
	uint64_t cwnd;
	uint64_t ssthresh; /* UINT64_MAX until the first loss */
	bool in_recovery;
	uint64_t recovery_start_ns; /* packets sent before it end no period */
	uint64_t ca_acked;	    /* NewReno: bytes acked toward +1 MSS */
	/* CUBIC state, in segments and seconds (RFC 9438 4.1) */
	double w_max, k, w_est;
	bool epoch_valid;
	uint64_t epoch_start_ns;
} demo_cc;

void demo_cc_init(demo_cc *cc, demo_cc_algo algo, uint64_t max_datagram);
uint64_t demo_cc_min_window(const demo_cc *cc);

/* A packet of size bytes sent at sent_ns was acked. app_limited: the
 * sender did not fill the window, so it must not grow (RFC 9002 7.8). */
void demo_cc_on_ack(demo_cc *cc, uint64_t size, uint64_t sent_ns,
		    uint64_t now_ns, uint64_t srtt_ns, bool app_limited);

/* Packets were declared lost, the latest of them sent at sent_ns. Starts a
 * recovery period unless that packet belongs to the current one. */
void demo_cc_on_loss(demo_cc *cc, uint64_t sent_ns, uint64_t now_ns);

/* Persistent congestion (RFC 9002 7.6): back to the minimum window and
 * slow start, recovery period over. */
void demo_cc_on_persistent_congestion(demo_cc *cc);

/* Current enum ojo_recovery_state. */
int demo_cc_state(const demo_cc *cc);

/* Algorithm-specific halves, called by cc.c. */
void demo_newreno_ca(demo_cc *cc, uint64_t size);
void demo_newreno_reduce(demo_cc *cc);
void demo_cubic_ca(demo_cc *cc, uint64_t size, uint64_t now_ns,
		   uint64_t srtt_ns);
void demo_cubic_reduce(demo_cc *cc);
void demo_cubic_reset(demo_cc *cc);

#endif
