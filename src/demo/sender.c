/* sender.c - the sending side of a simulated connection: packet numbers,
 * STREAM frames (retransmissions first, then new data round-robin over the
 * open streams), connection and stream flow control, and PTO probes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demo/conn.h"
#include "demo/fifo.h"

static uint32_t varint_len(uint64_t v)
{
	if (v < 64)
		return 1;
	if (v < 16384)
		return 2;
	if (v < (UINT64_C(1) << 30))
		return 4;
	return 8;
}

/* type byte + stream id + offset + length */
static uint32_t frame_header(uint64_t stream_id, uint64_t off, uint64_t len)
{
	return 1 + varint_len(stream_id) + varint_len(off) + varint_len(len);
}

int ojo_demo_sender_init(demo_sim *s, demo_conn *c)
{
	const ojo_demo_config *cfg = &s->cfg;
	c->n_streams = cfg->streams_per_conn;
	c->ss = calloc(c->n_streams, sizeof(*c->ss));
	if (!c->ss)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->n_streams; i++) {
		demo_send_stream *st = &c->ss[i];
		st->flow_id = c->flow_id + 1 + i;
		st->stream_id = 4 * (uint64_t)i;
		st->size = cfg->bytes_per_stream;
		st->max_stream_data = cfg->initial_max_stream_data;
		ojo_demo_ranges_init(&st->acked);
	}
	ojo_demo_rtt_init(&c->rtt, DEMO_INITIAL_RTT_NS);
	ojo_demo_cc_init(&c->cc, cfg->cc, cfg->max_packet_size);
	c->max_data = cfg->initial_max_data;
	c->ev_bif = UINT64_MAX;
	c->ev_state = UINT64_MAX;
	c->st.flow_id = c->flow_id;
	c->st.n_streams = c->n_streams;
	c->st.bytes_total = (uint64_t)c->n_streams * cfg->bytes_per_stream;
	return 0;
}

void ojo_demo_sender_free(demo_conn *c)
{
	for (uint32_t i = 0; c->ss && i < c->n_streams; i++)
		ojo_demo_ranges_free(&c->ss[i].acked);
	free(c->ss);
	free(c->sent);
	free(c->retx);
	c->ss = NULL;
	c->sent = NULL;
	c->retx = NULL;
}

demo_sent_pkt *ojo_demo_sent_find(demo_conn *c, uint64_t pn)
{
	if (!c->sent_n)
		return NULL;
	uint64_t base = c->sent[c->sent_head].pn;
	if (pn < base || pn - base >= c->sent_n)
		return NULL;
	return &c->sent[(c->sent_head + (pn - base)) % c->sent_cap];
}

static int sent_push(demo_conn *c, const demo_sent_pkt *p)
{
	if (c->sent_n == c->sent_cap) {
		demo_sent_pkt *v =
		    ojo_demo_fifo_grow(c->sent, sizeof(*v), &c->sent_head,
				       c->sent_n, &c->sent_cap, 256);
		if (!v)
			return -ENOMEM;
		c->sent = v;
	}
	c->sent[(c->sent_head + c->sent_n) % c->sent_cap] = *p;
	c->sent_n++;
	return 0;
}

int ojo_demo_sender_queue_retx(demo_sim *s, demo_conn *c, const demo_retx *r)
{
	if (c->retx_n == c->retx_cap) {
		demo_retx *v =
		    ojo_demo_fifo_grow(c->retx, sizeof(*v), &c->retx_head,
				       c->retx_n, &c->retx_cap, 64);
		if (!v) {
			s->err = -ENOMEM;
			return -ENOMEM;
		}
		c->retx = v;
	}
	c->retx[(c->retx_head + c->retx_n) % c->retx_cap] = *r;
	c->retx_n++;
	return 0;
}

static void retx_pop(demo_conn *c)
{
	c->retx_head = (c->retx_head + 1) % c->retx_cap;
	c->retx_n--;
}

static bool add_frame(demo_sent_pkt *p, uint32_t *room, uint32_t stream,
		      const demo_send_stream *st, uint64_t off, uint64_t len,
		      bool retx, uint64_t old_pn)
{
	uint32_t hdr = frame_header(st->stream_id, off, len);
	if (p->nframes >= DEMO_MAX_FRAMES || *room <= hdr)
		return false;
	if (len > *room - hdr)
		len = *room - hdr;
	p->frames[p->nframes++] = (demo_frame){
	    .stream = stream,
	    .len = (uint32_t)len,
	    .offset = off,
	    .fin = off + len == st->size,
	    .retx = retx,
	    .old_pn = old_pn,
	};
	*room -= hdr + (uint32_t)len;
	return true;
}

/* Lost data first, each piece trimmed to what is still unacked. */
static void fill_retx(demo_conn *c, demo_sent_pkt *p, uint32_t *room)
{
	while (c->retx_n && p->nframes < DEMO_MAX_FRAMES) {
		demo_retx *r = &c->retx[c->retx_head];
		demo_send_stream *st = &c->ss[r->stream];
		uint64_t end = r->off + r->len;
		ojo_demo_range gap;
		if (!ojo_demo_ranges_first_gap(&st->acked, r->off, end, &gap)) {
			retx_pop(c);
			continue;
		}
		uint8_t before = p->nframes;
		if (!add_frame(p, room, r->stream, st, gap.start,
			       gap.end - gap.start, true, r->old_pn))
			return;
		uint64_t sent_end = gap.start + p->frames[before].len;
		if (sent_end >= end) {
			retx_pop(c);
		} else {
			r->off = sent_end;
			r->len = end - sent_end;
		}
	}
}

static void report_blocked(demo_sim *s, demo_conn *c, demo_send_stream *st)
{
	if (st) {
		if (st->blocked_at == st->max_stream_data)
			return;
		st->blocked_at = st->max_stream_data;
		ojo_demo_emit(s, c, st->flow_id, OJO_EV_STREAM_DATA_BLOCKED,
			      st->max_stream_data);
	} else {
		if (c->conn_blocked_at == c->max_data)
			return;
		c->conn_blocked_at = c->max_data;
		ojo_demo_emit(s, c, c->flow_id, OJO_EV_DATA_BLOCKED,
			      c->max_data);
	}
	c->st.data_blocked++;
}

/* New data, one stream after the other starting at rr_next, within the
 * peer's stream and connection limits. */
static void fill_new(demo_conn *c, demo_sent_pkt *p, uint32_t *room)
{
	uint32_t last = UINT32_MAX;
	for (uint32_t k = 0; k < c->n_streams && p->nframes < DEMO_MAX_FRAMES;
	     k++) {
		uint32_t i = (c->rr_next + k) % c->n_streams;
		demo_send_stream *st = &c->ss[i];
		if (!st->open || st->next_off >= st->size ||
		    st->next_off >= st->max_stream_data)
			continue;
		if (c->data_sent >= c->max_data)
			break;
		uint64_t len = st->size - st->next_off;
		if (len > st->max_stream_data - st->next_off)
			len = st->max_stream_data - st->next_off;
		if (len > c->max_data - c->data_sent)
			len = c->max_data - c->data_sent;
		uint8_t before = p->nframes;
		if (!add_frame(p, room, i, st, st->next_off, len, false, 0))
			break;
		len = p->frames[before].len;
		st->next_off += len;
		c->data_sent += len;
		last = i;
	}
	if (last != UINT32_MAX)
		c->rr_next = (last + 1) % c->n_streams;
}

/* After a packet (or finding nothing to send): streams with data that
 * their limit or the connection's holds back. Recorded once per limit
 * value, after the data that reached it. */
static void note_blocked(demo_sim *s, demo_conn *c)
{
	bool waiting = false;
	for (uint32_t i = 0; i < c->n_streams; i++) {
		demo_send_stream *st = &c->ss[i];
		if (!st->open || st->next_off >= st->size)
			continue;
		waiting = true;
		if (st->next_off >= st->max_stream_data)
			report_blocked(s, c, st);
	}
	if (waiting && c->data_sent >= c->max_data)
		report_blocked(s, c, NULL);
}

/* A probe with nothing new to say repeats the oldest unacked data. */
static void fill_probe_copy(demo_conn *c, demo_sent_pkt *p, uint32_t *room)
{
	for (size_t i = 0; i < c->sent_n; i++) {
		demo_sent_pkt *old = &c->sent[(c->sent_head + i) % c->sent_cap];
		if (old->state != PKT_OUTSTANDING)
			continue;
		for (uint8_t f = 0; f < old->nframes; f++) {
			const demo_frame *fr = &old->frames[f];
			demo_send_stream *st = &c->ss[fr->stream];
			ojo_demo_range gap;
			if (ojo_demo_ranges_first_gap(&st->acked, fr->offset,
						      fr->offset + fr->len,
						      &gap))
				add_frame(p, room, fr->stream, st, gap.start,
					  gap.end - gap.start, true, old->pn);
		}
		if (p->nframes)
			return;
	}
}

static void transmit(demo_sim *s, demo_conn *c, demo_sent_pkt *p, uint32_t size)
{
	p->pn = c->next_pn++;
	p->sent_ns = s->now;
	p->size = size;
	p->state = PKT_OUTSTANDING;
	if (sent_push(c, p) < 0) {
		s->err = -ENOMEM;
		return;
	}
	c->bytes_in_flight += size;
	c->last_ack_eliciting_ns = s->now;
	c->st.packets_sent++;
	ojo_demo_emit(s, c, c->flow_id, OJO_EV_PACKET_SENT, p->pn);
	uint64_t last_old = UINT64_MAX;
	for (uint8_t i = 0; i < p->nframes; i++) {
		const demo_frame *f = &p->frames[i];
		demo_send_stream *st = &c->ss[f->stream];
		uint64_t range = OJO_RANGE(f->offset, f->len);
		if (f->retx) {
			ojo_demo_emit(s, c, st->flow_id,
				      OJO_EV_DATA_RETRANSMITTED, range);
			c->st.bytes_retransmitted += f->len;
			if (f->old_pn != last_old) {
				last_old = f->old_pn;
				ojo_demo_emit(s, c, c->flow_id,
					      OJO_EV_PACKET_RETRANS_NEW,
					      OJO_RETRANS(f->old_pn, p->pn));
			}
		} else {
			ojo_demo_emit(s, c, st->flow_id, OJO_EV_DATA_SENT,
				      range);
			c->st.bytes_sent_new += f->len;
		}
		if (f->fin && !st->fin_sent) {
			st->fin_sent = true;
			ojo_demo_emit(s, c, st->flow_id, OJO_EV_STREAM_FIN_SENT,
				      st->size);
		}
	}
	ojo_demo_emit_cc(s, c);

	uint64_t arrive;
	int rc = ojo_demo_link_send(&s->link, &s->rng, s->now, size, &arrive);
	if (rc < 0) {
		s->err = rc;
		return;
	}
	if (rc != OJO_DEMO_LINK_DELIVERED)
		return;
	demo_wire_pkt *w = malloc(sizeof(*w));
	if (!w) {
		s->err = -ENOMEM;
		return;
	}
	w->pn = p->pn;
	w->nframes = p->nframes;
	memcpy(w->frames, p->frames, sizeof(w->frames));
	ojo_demo_schedule(s, arrive, DEMO_EV_PKT_ARRIVE, c, 0, w);
}

static bool send_one(demo_sim *s, demo_conn *c, bool probe)
{
	demo_sent_pkt p = {0};
	uint32_t room = s->cfg.max_packet_size - DEMO_PACKET_OVERHEAD;
	fill_retx(c, &p, &room);
	fill_new(c, &p, &room);
	if (probe && !p.nframes)
		fill_probe_copy(c, &p, &room);
	if (!p.nframes && !probe) {
		note_blocked(s, c);
		return false;
	}
	uint32_t size =
	    p.nframes ? s->cfg.max_packet_size - room : DEMO_PING_SIZE;
	transmit(s, c, &p, size);
	note_blocked(s, c);
	return true;
}

void ojo_demo_sender_send(demo_sim *s, demo_conn *c)
{
	if (!c->started || c->done)
		return;
	while (!s->err) {
		if (c->bytes_in_flight + s->cfg.max_packet_size > c->cc.cwnd) {
			c->cwnd_limited = true;
			break;
		}
		if (!send_one(s, c, false)) {
			c->cwnd_limited = false;
			break;
		}
	}
	c->app_limited =
	    !c->cwnd_limited &&
	    c->bytes_in_flight + s->cfg.max_packet_size <= c->cc.cwnd;
	ojo_demo_emit_cc(s, c);
	ojo_demo_set_loss_timer(s, c);
}

void ojo_demo_sender_probe(demo_sim *s, demo_conn *c)
{
	send_one(s, c, true);
}

void ojo_demo_sender_open_stream(demo_sim *s, demo_conn *c, uint32_t i)
{
	demo_send_stream *st = &c->ss[i];
	if (st->open)
		return;
	st->open = true;
	ojo_demo_emit(s, c, st->flow_id, OJO_EV_STREAM_OPENED, st->stream_id);
	ojo_demo_emit(s, c, st->flow_id, OJO_EV_STREAM_LINK, c->flow_id);
	ojo_demo_emit(s, c, st->flow_id, OJO_EV_MAX_STREAM_DATA,
		      st->max_stream_data);
}

void ojo_demo_sender_start(demo_sim *s, demo_conn *c)
{
	c->started = true;
	c->st.start_ns = s->now;
	ojo_demo_emit(s, c, c->flow_id, OJO_EV_MAX_DATA, c->max_data);
	ojo_demo_emit_cc(s, c);
	for (uint32_t i = 0; i < c->n_streams; i++) {
		uint64_t at = s->now + i * s->cfg.stream_start_gap_ns;
		if (at == s->now)
			ojo_demo_sender_open_stream(s, c, i);
		else
			ojo_demo_schedule(s, at, DEMO_EV_STREAM_OPEN, c, i,
					  NULL);
	}
	ojo_demo_sender_send(s, c);
}
