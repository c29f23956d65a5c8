/* demo_link.h - the shared bottleneck: a FIFO drop-tail queue drained at a
 * fixed bandwidth, then a fixed one-way delay, with random loss on the wire. */
#ifndef OJO_DEMO_LINK_H
#define OJO_DEMO_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "demo/demo_rng.h"

typedef struct demo_link_cfg {
	uint64_t bandwidth_bps; /* bits per second, > 0 */
	uint64_t delay_ns;	/* one-way propagation delay */
	uint32_t queue_packets; /* drop-tail limit in packets; 0 = none */
	uint64_t queue_bytes;	/* drop-tail limit in bytes; 0 = none */
	double loss_rate;	/* probability a queued packet is lost */
	/* an outage (handover, cable pulled): every packet offered in
	 * [outage_start_ns, outage_start_ns + outage_ns) is lost */
	uint64_t outage_start_ns;
	uint64_t outage_ns; /* 0 = none */
} demo_link_cfg;

typedef struct demo_link_stats {
	uint64_t packets_in;
	uint64_t dropped_queue;	 /* drop-tail */
	uint64_t dropped_random; /* loss_rate */
	uint64_t dropped_outage;
	uint64_t delivered;
	uint32_t max_queue_packets;
} demo_link_stats;

typedef struct demo_link {
	demo_link_cfg cfg;
	uint64_t busy_until; /* when the transmitter finishes its last packet */
	/* packets not yet fully serialized: (end of transmission, size) */
	struct demo_link_slot {
		uint64_t tx_end;
		uint32_t size;
	} * q;
	size_t q_head, q_n, q_cap;
	uint64_t q_bytes;
	demo_link_stats st;
} demo_link;

enum {
	DEMO_LINK_DELIVERED = 0,
	DEMO_LINK_DROP_QUEUE = 1,
	DEMO_LINK_DROP_RANDOM = 2,
	DEMO_LINK_DROP_OUTAGE = 3,
};

void demo_link_init(demo_link *l, const demo_link_cfg *cfg);
void demo_link_free(demo_link *l);
/* Offers a packet of size bytes at time now. Returns one of the
 * OJO_DEMO_LINK_* outcomes (with *arrive_ns set when delivered), or
 * -ENOMEM. */
int demo_link_send(demo_link *l, demo_rng *rng, uint64_t now, uint32_t size,
		   uint64_t *arrive_ns);

#endif
