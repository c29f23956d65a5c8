/* cc.h - congestion controllers of the simulated sender: NewReno (RFC 9002
 * section 7) and CUBIC (RFC 9438), sharing slow start and the recovery
 * period. Windows are in bytes. */
#ifndef OJO_DEMO_CC_H
#define OJO_DEMO_CC_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ojo_demo_cc_algo {
	OJO_DEMO_CC_NEWRENO = 0,
	OJO_DEMO_CC_CUBIC = 1,
} ojo_demo_cc_algo;

typedef struct ojo_demo_cc {
	ojo_demo_cc_algo algo;
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
} ojo_demo_cc;

void ojo_demo_cc_init(ojo_demo_cc *cc, ojo_demo_cc_algo algo,
		      uint64_t max_datagram);
uint64_t ojo_demo_cc_min_window(const ojo_demo_cc *cc);

/* A packet of size bytes sent at sent_ns was acked. app_limited: the
 * sender did not fill the window, so it must not grow (RFC 9002 7.8). */
void ojo_demo_cc_on_ack(ojo_demo_cc *cc, uint64_t size, uint64_t sent_ns,
			uint64_t now_ns, uint64_t srtt_ns, bool app_limited);

/* Packets were declared lost, the latest of them sent at sent_ns. Starts a
 * recovery period unless that packet belongs to the current one. */
void ojo_demo_cc_on_loss(ojo_demo_cc *cc, uint64_t sent_ns, uint64_t now_ns);

/* Persistent congestion (RFC 9002 7.6): back to the minimum window and
 * slow start, recovery period over. */
void ojo_demo_cc_on_persistent_congestion(ojo_demo_cc *cc);

/* Current enum ojo_recovery_state. */
int ojo_demo_cc_state(const ojo_demo_cc *cc);

/* Algorithm-specific halves, called by cc.c. */
void ojo_demo_newreno_ca(ojo_demo_cc *cc, uint64_t size);
void ojo_demo_newreno_reduce(ojo_demo_cc *cc);
void ojo_demo_cubic_ca(ojo_demo_cc *cc, uint64_t size, uint64_t now_ns,
		       uint64_t srtt_ns);
void ojo_demo_cubic_reduce(ojo_demo_cc *cc);
void ojo_demo_cubic_reset(ojo_demo_cc *cc);

#endif
