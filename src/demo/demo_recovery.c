/* demo_recovery.c - the sender's ACK processing and loss detection, following
 * RFC 9002 appendix A: RTT samples, packet threshold 3, time threshold
 * 9/8 x max(smoothed_rtt, latest_rtt), and the PTO with backoff. */
#include <errno.h>

#include "demo/demo_conn.h"

#define PACKET_THRESHOLD 3

static void stream_acked(demo_sim *s, demo_conn *c, const demo_frame *f)
{
	demo_send_stream *st = &c->ss[f->stream];
	if (f->reset) {
		st->reset_acked = true;
		st->reset_pending = false; /* a repeat queued meanwhile */
		return;
	}
	if (demo_ranges_add(&st->acked, f->offset, f->offset + f->len) < 0) {
		s->err = -ENOMEM;
		return;
	}
	demo_emit(s, c, st->flow_id, OJO_EV_DATA_ACKED,
		  OJO_RANGE(f->offset, f->len));
	if (!st->fin_acked &&
	    demo_ranges_covered(&st->acked, 0, st->size) == st->size) {
		st->fin_acked = true;
		demo_emit(s, c, st->flow_id, OJO_EV_STREAM_FIN_ACKED, 0);
	}
}

static void on_packet_acked(demo_sim *s, demo_conn *c, demo_sent_pkt *p)
{
	p->state = PKT_ACKED;
	c->bytes_in_flight -= p->size;
	c->st.packets_acked++;
	demo_emit(s, c, c->flow_id, OJO_EV_PACKET_ACKED, p->pn);
	for (uint8_t i = 0; i < p->nframes; i++)
		stream_acked(s, c, &p->frames[i]);
	demo_cc_on_ack(&c->cc, p->size, p->sent_ns, s->now, c->rtt.smoothed,
		       !c->cwnd_limited);
}

static void declare_lost(demo_sim *s, demo_conn *c, demo_sent_pkt *p,
			 uint32_t type)
{
	p->state = PKT_LOST;
	p->lost_gen = c->loss_gen;
	c->bytes_in_flight -= p->size;
	c->st.packets_lost++;
	if (type == OJO_EV_PACKET_LOST_THRESHOLD)
		c->st.lost_threshold++;
	else
		c->st.lost_timeout++;
	demo_emit(s, c, c->flow_id, type, p->pn);
	for (uint8_t i = 0; i < p->nframes; i++) {
		const demo_frame *f = &p->frames[i];
		demo_send_stream *st = &c->ss[f->stream];
		if (f->reset) {
			if (!st->reset_acked) {
				st->reset_pending = st->reset_retx = true;
				st->reset_old_pn = p->pn;
			}
			continue;
		}
		demo_emit(s, c, st->flow_id, OJO_EV_DATA_LOST,
			  OJO_RANGE(f->offset, f->len));
		if (st->reset)
			continue; /* a cancelled stream's data is not repeated
				   */
		demo_retx r = {f->stream, f->offset, f->len, p->pn};
		demo_sender_queue_retx(s, c, &r);
	}
}

/* RFC 9002 7.6.2: two packets lost in this round, sent after the first
 * RTT sample, more than the persistent congestion duration apart, with
 * nothing acknowledged in between. */
static bool persistent_congestion(demo_sim *s, demo_conn *c)
{
	uint64_t var = 4 * c->rtt.rttvar;
	if (var < DEMO_TIMER_GRANULARITY_NS)
		var = DEMO_TIMER_GRANULARITY_NS;
	uint64_t duration =
	    (c->rtt.smoothed + var + s->cfg.max_ack_delay_ns) * 3;
	bool have = false;
	uint64_t start = 0;
	for (size_t i = 0; i < c->sent_n; i++) {
		demo_sent_pkt *p = &c->sent[(c->sent_head + i) % c->sent_cap];
		if (p->pn > c->largest_acked)
			break;
		if (p->state == PKT_ACKED) {
			have = false;
			continue;
		}
		if (p->state != PKT_LOST || p->lost_gen != c->loss_gen ||
		    p->sent_ns < c->first_rtt_sample_ns)
			continue;
		if (!have) {
			have = true;
			start = p->sent_ns;
		} else if (p->sent_ns - start > duration) {
			return true;
		}
	}
	return false;
}

static void detect_lost(demo_sim *s, demo_conn *c)
{
	c->loss_time = 0;
	c->loss_gen++;
	if (!c->has_largest_acked)
		return;
	uint64_t base =
	    c->rtt.latest > c->rtt.smoothed ? c->rtt.latest : c->rtt.smoothed;
	uint64_t loss_delay = base + base / 8;
	if (loss_delay < DEMO_TIMER_GRANULARITY_NS)
		loss_delay = DEMO_TIMER_GRANULARITY_NS;
	bool any = false;
	uint64_t latest_lost_sent = 0;
	for (size_t i = 0; i < c->sent_n; i++) {
		demo_sent_pkt *p = &c->sent[(c->sent_head + i) % c->sent_cap];
		if (p->pn > c->largest_acked)
			break;
		if (p->state != PKT_OUTSTANDING)
			continue;
		uint32_t type;
		if (c->largest_acked >= p->pn + PACKET_THRESHOLD) {
			type = OJO_EV_PACKET_LOST_THRESHOLD;
		} else if (s->now >= loss_delay &&
			   p->sent_ns <= s->now - loss_delay) {
			type = OJO_EV_PACKET_LOST_TIMEOUT;
		} else {
			uint64_t t = p->sent_ns + loss_delay;
			if (!c->loss_time || t < c->loss_time)
				c->loss_time = t;
			continue;
		}
		declare_lost(s, c, p, type);
		any = true;
		if (p->sent_ns > latest_lost_sent)
			latest_lost_sent = p->sent_ns;
	}
	if (any) {
		/* record the window the loss cut, then the cut itself */
		demo_emit_cc(s, c);
		demo_cc_on_loss(&c->cc, latest_lost_sent, s->now);
		demo_emit_cc(s, c);
		if (c->rtt.has_sample && persistent_congestion(s, c)) {
			c->st.persistent_congestion++;
			demo_cc_on_persistent_congestion(&c->cc);
			demo_emit_cc(s, c);
		}
	}
}

static void pop_resolved(demo_conn *c)
{
	while (c->sent_n && c->sent[c->sent_head].state != PKT_OUTSTANDING) {
		c->sent_head = (c->sent_head + 1) % c->sent_cap;
		c->sent_n--;
	}
}

static void check_done(demo_sim *s, demo_conn *c)
{
	for (uint32_t i = 0; i < c->n_streams; i++)
		if (!c->ss[i].fin_acked && !c->ss[i].reset_acked)
			return;
	c->done = true;
	c->st.completed = true;
	c->st.end_ns = s->now;
	c->timer_gen++; /* disarms the loss timer */
	c->timer_at = 0;
	s->n_done++;
}

static void apply_flow_control(demo_sim *s, demo_conn *c, const demo_ack *a)
{
	if (a->max_data > c->max_data) {
		c->max_data = a->max_data;
		demo_emit(s, c, c->flow_id, OJO_EV_MAX_DATA, c->max_data);
	}
	for (uint32_t i = 0; i < a->nupdates; i++) {
		demo_send_stream *st = &c->ss[a->updates[i].stream];
		if (a->updates[i].limit > st->max_stream_data) {
			st->max_stream_data = a->updates[i].limit;
			demo_emit(s, c, st->flow_id, OJO_EV_MAX_STREAM_DATA,
				  st->max_stream_data);
		}
	}
}

void demo_on_ack(demo_sim *s, demo_conn *c, const demo_ack *a)
{
	if (c->done)
		return;
	/* the peer's ACK-only packet, as a real endpoint logs it */
	demo_emit(s, c, c->flow_id, OJO_EV_PACKET_RECEIVED, a->pn);
	if (a->nranges) {
		if (!c->has_largest_acked || a->largest > c->largest_acked) {
			c->has_largest_acked = true;
			c->largest_acked = a->largest;
		}
		/* RTT sample only when the largest acked is newly acked */
		demo_sent_pkt *lp = demo_sent_find(c, a->largest);
		if (lp && lp->state == PKT_OUTSTANDING) {
			uint64_t prev_min = c->rtt.min;
			if (!c->rtt.has_sample)
				c->first_rtt_sample_ns = s->now;
			demo_rtt_update(&c->rtt, s->now - lp->sent_ns,
					a->ack_delay_ns,
					s->cfg.max_ack_delay_ns);
			demo_emit(s, c, c->flow_id, OJO_EV_RTT_SAMPLE,
				  c->rtt.latest);
			demo_emit(s, c, c->flow_id, OJO_EV_SMOOTHED_RTT,
				  c->rtt.smoothed);
			demo_emit(s, c, c->flow_id, OJO_EV_RTT_VAR,
				  c->rtt.rttvar);
			if (c->rtt.min != prev_min || !c->ev_min_rtt) {
				c->ev_min_rtt = c->rtt.min;
				demo_emit(s, c, c->flow_id, OJO_EV_MIN_RTT,
					  c->rtt.min);
			}
		}
		bool any = false;
		for (uint32_t r = a->nranges; r-- > 0;) {
			for (uint64_t pn = a->ranges[r].lo;
			     pn <= a->ranges[r].hi; pn++) {
				demo_sent_pkt *p = demo_sent_find(c, pn);
				if (!p) {
					/* below the ring: resolved long ago */
					if (c->sent_n &&
					    pn < c->sent[c->sent_head].pn)
						pn = c->sent[c->sent_head].pn -
						     1;
					else if (!c->sent_n)
						break;
					continue;
				}
				if (p->state != PKT_OUTSTANDING)
					continue;
				on_packet_acked(s, c, p);
				any = true;
			}
		}
		if (any) {
			detect_lost(s, c);
			c->pto_count = 0;
			pop_resolved(c);
		}
	}
	apply_flow_control(s, c, a);
	demo_emit_cc(s, c);
	check_done(s, c);
	if (c->done) {
		demo_emit_cc(s, c);
		return;
	}
	demo_set_loss_timer(s, c);
	demo_sender_send(s, c);
}

void demo_set_loss_timer(demo_sim *s, demo_conn *c)
{
	uint64_t at = 0;
	if (c->done) {
		at = 0;
	} else if (c->loss_time) {
		at = c->loss_time;
	} else if (c->bytes_in_flight > 0) {
		uint64_t var = 4 * c->rtt.rttvar;
		if (var < DEMO_TIMER_GRANULARITY_NS)
			var = DEMO_TIMER_GRANULARITY_NS;
		uint64_t pto = c->rtt.smoothed + var + s->cfg.max_ack_delay_ns;
		uint32_t shift = c->pto_count < 16 ? c->pto_count : 16;
		at = c->last_ack_eliciting_ns + (pto << shift);
	}
	if (at == c->timer_at)
		return;
	c->timer_at = at;
	c->timer_gen++;
	if (at)
		demo_schedule(s, at > s->now ? at : s->now, DEMO_EV_LOSS_TIMER,
			      c, c->timer_gen, NULL);
}

void demo_on_loss_timer(demo_sim *s, demo_conn *c, uint64_t gen)
{
	if (gen != c->timer_gen || c->done)
		return;
	c->timer_at = 0;
	if (c->loss_time) {
		detect_lost(s, c);
		pop_resolved(c);
		demo_emit_cc(s, c);
	} else {
		/* PTO: two probes, which may exceed the congestion window */
		c->pto_count++;
		c->st.ptos++;
		demo_sender_probe(s, c);
		demo_sender_probe(s, c);
	}
	demo_set_loss_timer(s, c);
	demo_sender_send(s, c);
}
