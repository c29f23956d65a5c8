/* demo_pacer.h - RFC 9002 7.7 pacing as a token bucket: tokens (bytes) refill
 * at the pacing rate up to a burst allowance; a packet leaves when the
 * bucket holds its size. Integer arithmetic, so runs stay deterministic. */
#ifndef OJO_DEMO_PACER_H
#define OJO_DEMO_PACER_H

#include <stdint.h>

typedef struct demo_pacer {
	uint64_t rate;	 /* bytes per second, > 0 */
	uint64_t burst;	 /* bytes */
	uint64_t tokens; /* bytes x 1e9, so ns x bytes/s adds exactly */
	uint64_t last_ns;
} demo_pacer;

/* Starts full: the first burst bytes may leave at once. */
void demo_pacer_init(demo_pacer *p, uint64_t burst, uint64_t rate,
		     uint64_t now_ns);
/* N x cwnd / smoothed_rtt with N = 1.25 (RFC 9002 7.7), in bytes/s. */
uint64_t demo_pacing_rate(uint64_t cwnd, uint64_t srtt_ns);
/* Refills at the old rate up to now, then paces at rate. */
void demo_pacer_set_rate(demo_pacer *p, uint64_t rate, uint64_t now_ns);
/* When size bytes may leave: now_ns if the bucket holds them already. */
uint64_t demo_pacer_ready_at(demo_pacer *p, uint64_t size, uint64_t now_ns);
/* size bytes left at now_ns (a forced probe may overdraw: floor 0). */
void demo_pacer_spend(demo_pacer *p, uint64_t size, uint64_t now_ns);

#endif
