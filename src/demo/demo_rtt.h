/* demo_rtt.h - RTT estimation as in RFC 9002 section 5. */
#ifndef OJO_DEMO_RTT_H
#define OJO_DEMO_RTT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct demo_rtt {
	uint64_t latest, smoothed, rttvar, min; /* ns */
	bool has_sample;
} demo_rtt;

/* Before the first sample: smoothed = initial, rttvar = initial / 2. */
void demo_rtt_init(demo_rtt *r, uint64_t initial_ns);
/* One sample; ack_delay is capped at max_ack_delay and only subtracted
 * when that keeps the sample above min_rtt (RFC 9002 5.3). */
void demo_rtt_update(demo_rtt *r, uint64_t latest_ns, uint64_t ack_delay_ns,
		     uint64_t max_ack_delay_ns);

#endif
