/* demo_receiver.c - the receiving side of a simulated connection: ACK frames
 * (every second packet, at once on a gap, else after max_ack_delay),
 * stream reassembly, the receiving app, flow-control credit given back as
 * the app consumes (MAX_DATA / MAX_STREAM_DATA), and RESET_STREAM. What it
 * sees and does is recorded from its own vantage point (emit_rx). */
#include <errno.h>
#include <stdlib.h>

#include "demo/demo_conn.h"

int demo_receiver_init(demo_sim *s, demo_conn *c)
{
	c->rs = calloc(s->cfg.streams_per_conn, sizeof(*c->rs));
	if (!c->rs)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->cfg.streams_per_conn; i++) {
		demo_ranges_init(&c->rs[i].received);
		c->rs[i].advertised = s->cfg.initial_max_stream_data;
	}
	demo_ranges_init(&c->rx_pns);
	c->rx_advertised = s->cfg.initial_max_data;
	return 0;
}

void demo_receiver_free(demo_conn *c)
{
	for (uint32_t i = 0; c->rs && i < c->n_streams; i++)
		demo_ranges_free(&c->rs[i].received);
	free(c->rs);
	c->rs = NULL;
	demo_ranges_free(&c->rx_pns);
}

/* Credit is returned once half a window has been consumed, the usual
 * trade-off between update traffic and stalls. */
static bool check_credit(demo_sim *s, demo_conn *c)
{
	bool due = false;
	uint64_t sw = s->cfg.initial_max_stream_data;
	for (uint32_t i = 0; i < c->n_streams; i++) {
		demo_recv_stream *rs = &c->rs[i];
		/* past the final size, credit is of no use to the peer */
		if (rs->reset ||
		    (rs->fin_known && rs->advertised >= rs->final_size))
			continue;
		if (rs->consumed + sw - rs->advertised >= sw / 2) {
			rs->advertised = rs->consumed + sw;
			rs->update_due = true;
		}
		due |= rs->update_due;
	}
	uint64_t cw = s->cfg.initial_max_data;
	if (c->rx_consumed + cw - c->rx_advertised >= cw / 2) {
		c->rx_advertised = c->rx_consumed + cw;
		c->max_data_due = true;
	}
	return due || c->max_data_due;
}

static void send_ack(demo_sim *s, demo_conn *c)
{
	uint32_t nup = 0;
	for (uint32_t i = 0; i < c->n_streams; i++)
		nup += c->rs[i].update_due;
	demo_ack *a = malloc(sizeof(*a) + nup * sizeof(a->updates[0]));
	if (!a) {
		s->err = -ENOMEM;
		return;
	}
	a->pn = c->rx_next_pn++;
	a->largest = c->rx_largest;
	a->ack_delay_ns = c->rx_any ? s->now - c->rx_largest_ns : 0;
	a->nranges = 0;
	for (size_t i = c->rx_pns.n;
	     i-- > 0 && a->nranges < DEMO_MAX_ACK_RANGES;) {
		a->ranges[a->nranges].lo = c->rx_pns.v[i].start;
		a->ranges[a->nranges].hi = c->rx_pns.v[i].end - 1;
		a->nranges++;
	}
	a->max_data = c->max_data_due ? c->rx_advertised : 0;
	c->max_data_due = false;
	demo_emit_rx(s, c, c->flow_id, OJO_EV_PACKET_SENT, a->pn);
	if (a->max_data)
		demo_emit_rx(s, c, c->flow_id, OJO_EV_MAX_DATA, a->max_data);
	a->nupdates = 0;
	for (uint32_t i = 0; i < c->n_streams; i++)
		if (c->rs[i].update_due) {
			c->rs[i].update_due = false;
			a->updates[a->nupdates++] =
			    (demo_stream_update){i, c->rs[i].advertised};
			demo_emit_rx(s, c, c->ss[i].flow_id,
				     OJO_EV_MAX_STREAM_DATA,
				     c->rs[i].advertised);
		}
	c->rx_unacked = 0;
	c->ack_timer_armed = false;
	c->ack_timer_gen++;
	/* the return path is uncongested and lossless: only the delay */
	demo_schedule(s, s->now + s->cfg.link.delay_ns, DEMO_EV_ACK_ARRIVE, c,
		      0, a);
}

static void consume_all(demo_conn *c)
{
	for (uint32_t i = 0; i < c->n_streams; i++) {
		demo_recv_stream *rs = &c->rs[i];
		if (rs->reset)
			continue;
		uint64_t prefix = demo_ranges_prefix(&rs->received);
		if (prefix > rs->consumed) {
			c->rx_consumed += prefix - rs->consumed;
			rs->consumed = prefix;
		}
	}
}

/* A stream's first frame: the receiver learns of it. */
static void first_heard(demo_sim *s, demo_conn *c, uint32_t i)
{
	demo_recv_stream *rs = &c->rs[i];
	if (rs->seen)
		return;
	rs->seen = true;
	uint32_t flow = c->ss[i].flow_id;
	demo_emit_rx(s, c, flow, OJO_EV_STREAM_OPENED, c->ss[i].stream_id);
	demo_emit_rx(s, c, flow, OJO_EV_STREAM_LINK, c->flow_id);
	demo_emit_rx(s, c, flow, OJO_EV_MAX_STREAM_DATA, rs->advertised);
}

/* RFC 9000 4.5: the final size counts as consumed for connection flow
 * control, whatever of it arrived; the stream's data is discarded. */
static void on_reset(demo_sim *s, demo_conn *c, const demo_frame *f)
{
	demo_recv_stream *rs = &c->rs[f->stream];
	if (rs->reset)
		return;
	rs->reset = true;
	rs->fin_known = true;
	rs->final_size = f->offset;
	if (f->offset > rs->consumed) {
		c->rx_consumed += f->offset - rs->consumed;
		rs->consumed = f->offset;
	}
	demo_emit_rx(s, c, c->ss[f->stream].flow_id, OJO_EV_STREAM_RESET,
		     s->cfg.reset_error_code);
}

void demo_receiver_start(demo_sim *s, demo_conn *c)
{
	demo_emit_rx(s, c, c->flow_id, OJO_EV_MAX_DATA, c->rx_advertised);
}

void demo_on_packet(demo_sim *s, demo_conn *c, const demo_wire_pkt *p)
{
	bool gap = c->rx_any && p->pn != c->rx_largest + 1;
	if (!c->rx_any || p->pn > c->rx_largest) {
		c->rx_any = true;
		c->rx_largest = p->pn;
		c->rx_largest_ns = s->now;
	}
	if (demo_ranges_add(&c->rx_pns, p->pn, p->pn + 1) < 0) {
		s->err = -ENOMEM;
		return;
	}
	if (c->rx_pns.n > 4 * DEMO_MAX_ACK_RANGES)
		demo_ranges_drop_below(
		    &c->rx_pns,
		    c->rx_pns.v[c->rx_pns.n - DEMO_MAX_ACK_RANGES].start);
	demo_emit_rx(s, c, c->flow_id, OJO_EV_PACKET_RECEIVED, p->pn);
	for (uint8_t i = 0; i < p->nframes; i++) {
		const demo_frame *f = &p->frames[i];
		demo_recv_stream *rs = &c->rs[f->stream];
		first_heard(s, c, f->stream);
		if (f->reset) {
			on_reset(s, c, f);
			continue;
		}
		demo_emit_rx(s, c, c->ss[f->stream].flow_id,
			     OJO_EV_DATA_RECEIVED,
			     OJO_RANGE(f->offset, f->len));
		if (f->fin) {
			rs->fin_known = true;
			rs->final_size = f->offset + f->len;
		}
		if (demo_ranges_add(&rs->received, f->offset,
				    f->offset + f->len) < 0) {
			s->err = -ENOMEM;
			return;
		}
	}
	if (!s->cfg.app_read_bps)
		consume_all(c);
	bool credit = check_credit(s, c);
	c->rx_unacked++;
	if (c->rx_unacked >= 2 || gap || credit) {
		send_ack(s, c);
	} else if (!c->ack_timer_armed) {
		c->ack_timer_armed = true;
		c->ack_timer_gen++;
		demo_schedule(s, s->now + s->cfg.max_ack_delay_ns,
			      DEMO_EV_ACK_TIMER, c, c->ack_timer_gen, NULL);
	}
}

void demo_on_ack_timer(demo_sim *s, demo_conn *c, uint64_t gen)
{
	if (gen != c->ack_timer_gen || !c->ack_timer_armed)
		return;
	send_ack(s, c);
}

void demo_on_app_read(demo_sim *s, demo_conn *c)
{
	if (c->done)
		return;
	uint64_t budget = s->cfg.app_read_bps * DEMO_APP_READ_TICK_NS /
			  (8 * UINT64_C(1000000000));
	for (uint32_t i = 0; i < c->n_streams && budget; i++) {
		demo_recv_stream *rs = &c->rs[i];
		if (rs->reset)
			continue;
		uint64_t avail =
		    demo_ranges_prefix(&rs->received) - rs->consumed;
		uint64_t take = avail < budget ? avail : budget;
		rs->consumed += take;
		c->rx_consumed += take;
		budget -= take;
	}
	if (c->rx_any && check_credit(s, c))
		send_ack(s, c);
	demo_schedule(s, s->now + DEMO_APP_READ_TICK_NS, DEMO_EV_APP_READ, c, 0,
		      NULL);
}
