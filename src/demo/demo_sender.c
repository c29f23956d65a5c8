/* demo_sender.c - the sending side of a simulated connection: packet numbers,
 * STREAM frames (RESET_STREAM and retransmissions first, then new data
 * round-robin over the open streams), connection and stream flow control,
 * PTO probes, and the queue of packets waiting for the pacer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_conn.h"
#include "demo/demo_fifo.h"

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

int demo_sender_init(demo_sim *s, demo_conn *c)
{
	const demo_config *cfg = &s->cfg;
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
		demo_ranges_init(&st->acked);
	}
	demo_rtt_init(&c->rtt, DEMO_INITIAL_RTT_NS);
	demo_cc_init(&c->cc, cfg->cc, cfg->max_packet_size);
	c->max_data = cfg->initial_max_data;
	c->ev_bif = UINT64_MAX;
	c->ev_state = UINT64_MAX;
	c->st.flow_id = c->flow_id;
	c->st.n_streams = c->n_streams;
	c->st.bytes_total = (uint64_t)c->n_streams * cfg->bytes_per_stream;
	return 0;
}

void demo_sender_free(demo_conn *c)
{
	for (uint32_t i = 0; c->ss && i < c->n_streams; i++)
		demo_ranges_free(&c->ss[i].acked);
	free(c->ss);
	free(c->sent);
	free(c->retx);
	free(c->paced);
	c->ss = NULL;
	c->sent = NULL;
	c->retx = NULL;
	c->paced = NULL;
}

demo_sent_pkt *demo_sent_find(demo_conn *c, uint64_t pn)
{
	if (!c->sent_n)
		return NULL;
	uint64_t base = c->sent[c->sent_head].pn;
	if (pn < base || pn - base >= c->sent_n)
		return NULL;
	return &c->sent[(c->sent_head + (pn - base)) % c->sent_cap];
}

/* Appends p to the packet ring *v (the sent ring or the pacer's). */
static int pkt_push(demo_sent_pkt **v, size_t *head, size_t *n, size_t *cap,
		    const demo_sent_pkt *p)
{
	if (*n == *cap) {
		demo_sent_pkt *g =
		    demo_fifo_grow(*v, sizeof(*g), head, *n, cap, 256);
		if (!g)
			return -ENOMEM;
		*v = g;
	}
	(*v)[(*head + *n) % *cap] = *p;
	(*n)++;
	return 0;
}

int demo_sender_queue_retx(demo_sim *s, demo_conn *c, const demo_retx *r)
{
	if (c->retx_n == c->retx_cap) {
		demo_retx *v =
		    demo_fifo_grow(c->retx, sizeof(*v), &c->retx_head,
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

/* RESET_STREAM: type + stream id + error code + final size. */
static bool add_reset(demo_sent_pkt *p, uint32_t *room, uint32_t stream,
		      const demo_send_stream *st, uint64_t code, bool retx,
		      uint64_t old_pn)
{
	uint32_t len = 1 + varint_len(st->stream_id) + varint_len(code) +
		       varint_len(st->next_off);
	if (p->nframes >= DEMO_MAX_FRAMES || *room < len)
		return false;
	p->frames[p->nframes++] = (demo_frame){
	    .stream = stream,
	    .offset = st->next_off,
	    .reset = true,
	    .retx = retx,
	    .old_pn = old_pn,
	};
	*room -= len;
	return true;
}

/* Resets due, new or repeating a lost one, before any data. */
static void fill_resets(demo_sim *s, demo_conn *c, demo_sent_pkt *p,
			uint32_t *room)
{
	for (uint32_t i = 0; i < c->n_streams; i++) {
		demo_send_stream *st = &c->ss[i];
		if (!st->reset_pending)
			continue;
		if (!add_reset(p, room, i, st, s->cfg.reset_error_code,
			       st->reset_retx, st->reset_old_pn))
			return;
		st->reset_pending = false;
	}
}

/* The application gives up on its stream part-way (RFC 9000 3.3): what was
 * sent is its final size, nothing more of it is sent or repeated. */
static void app_cancels(demo_sim *s, demo_conn *c)
{
	uint32_t k = s->cfg.reset_stream;
	if (!k)
		return;
	demo_send_stream *st = &c->ss[k - 1];
	if (!st->open || st->reset || st->fin_sent ||
	    st->next_off >= st->size || st->next_off < s->cfg.reset_after_bytes)
		return;
	st->reset = st->reset_pending = true;
	c->st.bytes_total -= st->size - st->next_off;
	c->st.streams_reset++;
}

/* Lost data first, each piece trimmed to what is still unacked. */
static void fill_retx(demo_conn *c, demo_sent_pkt *p, uint32_t *room)
{
	while (c->retx_n && p->nframes < DEMO_MAX_FRAMES) {
		demo_retx *r = &c->retx[c->retx_head];
		demo_send_stream *st = &c->ss[r->stream];
		uint64_t end = r->off + r->len;
		demo_range gap;
		if (st->reset ||
		    !demo_ranges_first_gap(&st->acked, r->off, end, &gap)) {
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

static void emit_blocked(demo_sim *s, demo_conn *c, demo_send_stream *st)
{
	if (st)
		demo_emit(s, c, st->flow_id, OJO_EV_STREAM_DATA_BLOCKED,
			  st->max_stream_data);
	else
		demo_emit(s, c, c->flow_id, OJO_EV_DATA_BLOCKED, c->max_data);
	c->st.data_blocked++;
}

/* The (STREAM_)DATA_BLOCKED frame goes with the packet that carried the
 * data up to the limit: if that one still waits for the pacer, it is
 * recorded when the packet leaves (see blocked_on_release). */
static void report_blocked(demo_sim *s, demo_conn *c, demo_send_stream *st)
{
	uint64_t *at = st ? &st->blocked_at : &c->conn_blocked_at;
	uint64_t limit = st ? st->max_stream_data : c->max_data;
	if (*at == limit)
		return;
	*at = limit;
	if (!c->paced_n) {
		emit_blocked(s, c, st);
		return;
	}
	if (st) {
		st->blocked_due = true;
		st->blocked_pn = c->next_pn - 1;
	} else {
		c->conn_blocked_due = true;
		c->conn_blocked_pn = c->next_pn - 1;
	}
}

/* Packet pn leaves: the blocked reports riding on it, unless a new limit
 * arrived meanwhile and made them moot. */
static void blocked_on_release(demo_sim *s, demo_conn *c, uint64_t pn)
{
	for (uint32_t i = 0; i < c->n_streams; i++) {
		demo_send_stream *st = &c->ss[i];
		if (!st->blocked_due || st->blocked_pn > pn)
			continue;
		st->blocked_due = false;
		if (st->blocked_at == st->max_stream_data && !st->reset)
			emit_blocked(s, c, st);
	}
	if (c->conn_blocked_due && c->conn_blocked_pn <= pn) {
		c->conn_blocked_due = false;
		if (c->conn_blocked_at == c->max_data)
			emit_blocked(s, c, NULL);
	}
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
		if (!st->open || st->reset || st->next_off >= st->size ||
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
		if (!st->open || st->reset || st->next_off >= st->size)
			continue;
		waiting = true;
		if (st->next_off >= st->max_stream_data)
			report_blocked(s, c, st);
	}
	if (waiting && c->data_sent >= c->max_data)
		report_blocked(s, c, NULL);
}

/* A probe with nothing new to say repeats the oldest unacked data. */
static void fill_probe_copy(demo_sim *s, demo_conn *c, demo_sent_pkt *p,
			    uint32_t *room)
{
	for (size_t i = 0; i < c->sent_n; i++) {
		demo_sent_pkt *old = &c->sent[(c->sent_head + i) % c->sent_cap];
		if (old->state != PKT_OUTSTANDING)
			continue;
		for (uint8_t f = 0; f < old->nframes; f++) {
			const demo_frame *fr = &old->frames[f];
			demo_send_stream *st = &c->ss[fr->stream];
			demo_range gap;
			if (fr->reset) {
				if (!st->reset_acked)
					add_reset(p, room, fr->stream, st,
						  s->cfg.reset_error_code, true,
						  old->pn);
			} else if (st->reset) {
				continue;
			} else if (demo_ranges_first_gap(&st->acked, fr->offset,
							 fr->offset + fr->len,
							 &gap))
				add_frame(p, room, fr->stream, st, gap.start,
					  gap.end - gap.start, true, old->pn);
		}
		if (p->nframes)
			return;
	}
}

/* The packet leaves now: it is in flight, its frames are on the wire. */
static void release(demo_sim *s, demo_conn *c, demo_sent_pkt *p)
{
	p->sent_ns = s->now;
	if (pkt_push(&c->sent, &c->sent_head, &c->sent_n, &c->sent_cap, p) <
	    0) {
		s->err = -ENOMEM;
		return;
	}
	c->bytes_in_flight += p->size;
	c->last_ack_eliciting_ns = s->now;
	c->st.packets_sent++;
	demo_emit(s, c, c->flow_id, OJO_EV_PACKET_SENT, p->pn);
	uint64_t last_old = UINT64_MAX;
	for (uint8_t i = 0; i < p->nframes; i++) {
		const demo_frame *f = &p->frames[i];
		demo_send_stream *st = &c->ss[f->stream];
		uint64_t range = OJO_RANGE(f->offset, f->len);
		if (f->retx && f->old_pn != last_old) {
			last_old = f->old_pn;
			demo_emit(s, c, c->flow_id, OJO_EV_PACKET_RETRANS_NEW,
				  OJO_RETRANS(f->old_pn, p->pn));
		}
		if (f->reset) {
			if (!st->reset_sent) {
				st->reset_sent = true;
				demo_emit(s, c, st->flow_id,
					  OJO_EV_STREAM_RESET,
					  s->cfg.reset_error_code);
			}
			continue;
		}
		if (f->retx) {
			demo_emit(s, c, st->flow_id, OJO_EV_DATA_RETRANSMITTED,
				  range);
			c->st.bytes_retransmitted += f->len;
		} else {
			demo_emit(s, c, st->flow_id, OJO_EV_DATA_SENT, range);
			c->st.bytes_sent_new += f->len;
		}
		if (f->fin && !st->fin_sent) {
			st->fin_sent = true;
			demo_emit(s, c, st->flow_id, OJO_EV_STREAM_FIN_SENT,
				  st->size);
		}
	}
	blocked_on_release(s, c, p->pn);
	demo_emit_cc(s, c);

	uint64_t arrive;
	int rc = demo_link_send(&s->link, &s->rng, s->now, p->size, &arrive);
	if (rc < 0) {
		s->err = rc;
		return;
	}
	if (rc != DEMO_LINK_DELIVERED)
		return;
	demo_wire_pkt *w = malloc(sizeof(*w));
	if (!w) {
		s->err = -ENOMEM;
		return;
	}
	w->pn = p->pn;
	w->nframes = p->nframes;
	memcpy(w->frames, p->frames, sizeof(w->frames));
	demo_schedule(s, arrive, DEMO_EV_PKT_ARRIVE, c, 0, w);
}

/* Releases the queued packets the pacer allows now (all of them when
 * forced: a PTO probe must not wait), and arms its timer for the next. */
static void pacer_release(demo_sim *s, demo_conn *c, bool force)
{
	while (c->paced_n && !s->err) {
		demo_sent_pkt *p = &c->paced[c->paced_head];
		uint64_t at = demo_pacer_ready_at(&c->pacer, p->size, s->now);
		if (at > s->now && !force) {
			if (at != c->pacer_at) {
				c->pacer_at = at;
				c->pacer_gen++;
				demo_schedule(s, at, DEMO_EV_PACER, c,
					      c->pacer_gen, NULL);
			}
			return;
		}
		demo_pacer_spend(&c->pacer, p->size, s->now);
		demo_sent_pkt q = *p;
		c->paced_head = (c->paced_head + 1) % c->paced_cap;
		c->paced_n--;
		c->paced_bytes -= q.size;
		release(s, c, &q);
	}
	c->pacer_at = 0;
	c->pacer_gen++;
}

/* The packet is built: numbered, and sent now or queued for the pacer. */
static void transmit(demo_sim *s, demo_conn *c, demo_sent_pkt *p, uint32_t size,
		     bool probe)
{
	p->pn = c->next_pn++;
	p->size = size;
	p->state = PKT_OUTSTANDING;
	if (!s->cfg.pacing) {
		release(s, c, p);
		return;
	}
	demo_emit(s, c, c->flow_id, OJO_EV_PACKET_CREATED, p->pn);
	if (pkt_push(&c->paced, &c->paced_head, &c->paced_n, &c->paced_cap, p) <
	    0) {
		s->err = -ENOMEM;
		return;
	}
	c->paced_bytes += size;
	pacer_release(s, c, probe);
}

static bool send_one(demo_sim *s, demo_conn *c, bool probe)
{
	demo_sent_pkt p = {0};
	uint32_t room = s->cfg.max_packet_size - DEMO_PACKET_OVERHEAD;
	fill_resets(s, c, &p, &room);
	fill_retx(c, &p, &room);
	fill_new(c, &p, &room);
	if (probe && !p.nframes)
		fill_probe_copy(s, c, &p, &room);
	if (!p.nframes && !probe) {
		note_blocked(s, c);
		return false;
	}
	uint32_t size =
	    p.nframes ? s->cfg.max_packet_size - room : DEMO_PING_SIZE;
	transmit(s, c, &p, size, probe);
	note_blocked(s, c);
	return true;
}

void demo_sender_send(demo_sim *s, demo_conn *c)
{
	if (!c->started || c->done)
		return;
	/* packets built but held by the pacer use the window too */
	while (!s->err) {
		app_cancels(s, c);
		if (c->bytes_in_flight + c->paced_bytes +
			s->cfg.max_packet_size >
		    c->cc.cwnd) {
			c->cwnd_limited = true;
			break;
		}
		if (!send_one(s, c, false)) {
			c->cwnd_limited = false;
			break;
		}
	}
	/* an ACK may have raised the rate: the next release may come sooner */
	if (c->paced_n)
		pacer_release(s, c, false);
	c->app_limited =
	    !c->cwnd_limited &&
	    c->bytes_in_flight + c->paced_bytes + s->cfg.max_packet_size <=
		c->cc.cwnd;
	demo_emit_cc(s, c);
	demo_set_loss_timer(s, c);
}

void demo_sender_probe(demo_sim *s, demo_conn *c)
{
	send_one(s, c, true);
}

void demo_on_pacer(demo_sim *s, demo_conn *c, uint64_t gen)
{
	if (gen != c->pacer_gen || c->done)
		return;
	c->pacer_at = 0;
	pacer_release(s, c, false);
	demo_emit_cc(s, c);
	demo_set_loss_timer(s, c);
}

void demo_sender_open_stream(demo_sim *s, demo_conn *c, uint32_t i)
{
	demo_send_stream *st = &c->ss[i];
	if (st->open)
		return;
	st->open = true;
	demo_emit(s, c, st->flow_id, OJO_EV_STREAM_OPENED, st->stream_id);
	demo_emit(s, c, st->flow_id, OJO_EV_STREAM_LINK, c->flow_id);
	demo_emit(s, c, st->flow_id, OJO_EV_MAX_STREAM_DATA,
		  st->max_stream_data);
}

void demo_sender_start(demo_sim *s, demo_conn *c)
{
	c->started = true;
	c->st.start_ns = s->now;
	demo_pacer_init(&c->pacer, c->cc.cwnd,
			demo_pacing_rate(c->cc.cwnd, c->rtt.smoothed), s->now);
	demo_emit(s, c, c->flow_id, OJO_EV_MAX_DATA, c->max_data);
	demo_emit_cc(s, c);
	for (uint32_t i = 0; i < c->n_streams; i++) {
		uint64_t at = s->now + i * s->cfg.stream_start_gap_ns;
		if (at == s->now)
			demo_sender_open_stream(s, c, i);
		else
			demo_schedule(s, at, DEMO_EV_STREAM_OPEN, c, i, NULL);
	}
	demo_sender_send(s, c);
}
