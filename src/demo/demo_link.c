/* demo_link.c - bottleneck link model. Queue occupancy is derived from the
 * transmission end times of accepted packets, so the link needs no events
 * of its own. */
#include "demo/demo_link.h"

#include "demo/demo_fifo.h"

#include <errno.h>
#include <stdlib.h>

void demo_link_init(demo_link *l, const demo_link_cfg *cfg)
{
	*l = (demo_link){.cfg = *cfg};
}

void demo_link_free(demo_link *l)
{
	free(l->q);
	l->q = NULL;
}

static void drain(demo_link *l, uint64_t now)
{
	while (l->q_n && l->q[l->q_head].tx_end <= now) {
		l->q_bytes -= l->q[l->q_head].size;
		l->q_head = (l->q_head + 1) % l->q_cap;
		l->q_n--;
	}
}

static int enqueue(demo_link *l, uint64_t tx_end, uint32_t size)
{
	if (l->q_n == l->q_cap) {
		struct demo_link_slot *q = demo_fifo_grow(
		    l->q, sizeof(*q), &l->q_head, l->q_n, &l->q_cap, 64);
		if (!q)
			return -ENOMEM;
		l->q = q;
	}
	l->q[(l->q_head + l->q_n) % l->q_cap] =
	    (struct demo_link_slot){tx_end, size};
	l->q_n++;
	l->q_bytes += size;
	return 0;
}

int demo_link_send(demo_link *l, demo_rng *rng, uint64_t now, uint32_t size,
		   uint64_t *arrive_ns)
{
	l->st.packets_in++;
	if (l->cfg.outage_ns && now >= l->cfg.outage_start_ns &&
	    now - l->cfg.outage_start_ns < l->cfg.outage_ns) {
		l->st.dropped_outage++;
		return DEMO_LINK_DROP_OUTAGE;
	}
	drain(l, now);
	if ((l->cfg.queue_packets && l->q_n >= l->cfg.queue_packets) ||
	    (l->cfg.queue_bytes && l->q_bytes + size > l->cfg.queue_bytes)) {
		l->st.dropped_queue++;
		return DEMO_LINK_DROP_QUEUE;
	}
	uint64_t start = l->busy_until > now ? l->busy_until : now;
	/* round up so back-to-back packets never share a nanosecond */
	uint64_t tx_ns = ((uint64_t)size * 8 * UINT64_C(1000000000) +
			  l->cfg.bandwidth_bps - 1) /
			 l->cfg.bandwidth_bps;
	l->busy_until = start + tx_ns;
	int rc = enqueue(l, l->busy_until, size);
	if (rc < 0)
		return rc;
	if (l->q_n > l->st.max_queue_packets)
		l->st.max_queue_packets = l->q_n;
	/* lost on the wire after the bottleneck: it used its share of the
	 * link like any other packet */
	if (demo_rng_chance(rng, l->cfg.loss_rate)) {
		l->st.dropped_random++;
		return DEMO_LINK_DROP_RANDOM;
	}
	l->st.delivered++;
	*arrive_ns = l->busy_until + l->cfg.delay_ns;
	return DEMO_LINK_DELIVERED;
}
