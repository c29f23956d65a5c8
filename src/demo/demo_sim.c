/* demo_sim.c - the simulation loop: configuration, event dispatch, and the
 * one place events are handed to the sink. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_conn.h"

void demo_config_init(demo_config *cfg)
{
	*cfg = (demo_config){
	    .link =
		{
		    .bandwidth_bps = 20000000,
		    .delay_ns = 20000000,
		    .queue_packets = 100,
		    .queue_bytes = 0,
		    .loss_rate = 0.0,
		},
	    .connections = 1,
	    .streams_per_conn = 3,
	    .bytes_per_stream = 1000000,
	    .cc = DEMO_CC_NEWRENO,
	    .seed = 1,
	    .max_packet_size = 1280,
	    .initial_max_data = 1048576,
	    .initial_max_stream_data = 524288,
	    .app_read_bps = 0,
	    .max_ack_delay_ns = 25000000,
	    .conn_start_gap_ns = 0,
	    .stream_start_gap_ns = 0,
	    .first_flow_id = 1,
	    .time_limit_ns = UINT64_C(600000000000),
	    .pacing = true,
	    .reset_error_code = 0x10c, /* HTTP/3's H3_REQUEST_CANCELLED */
	};
}

int demo_config_check(const demo_config *cfg)
{
	if (!cfg->link.bandwidth_bps || cfg->link.loss_rate < 0 ||
	    cfg->link.loss_rate >= 1 || !cfg->connections ||
	    !cfg->streams_per_conn || !cfg->bytes_per_stream ||
	    cfg->bytes_per_stream > OJO_RANGE_MAX_OFFSET ||
	    cfg->max_packet_size < 1200 || cfg->max_packet_size > 1500 ||
	    cfg->initial_max_data < cfg->max_packet_size ||
	    cfg->initial_max_stream_data < cfg->max_packet_size ||
	    !cfg->max_ack_delay_ns ||
	    (cfg->cc != DEMO_CC_NEWRENO && cfg->cc != DEMO_CC_CUBIC) ||
	    cfg->reset_stream > cfg->streams_per_conn ||
	    cfg->reset_error_code >= (UINT64_C(1) << 62))
		return -EINVAL;
	uint64_t flows =
	    (uint64_t)cfg->connections * ((uint64_t)cfg->streams_per_conn + 1);
	if (!cfg->first_flow_id || flows > UINT32_MAX - cfg->first_flow_id)
		return -EINVAL;
	return 0;
}

void demo_emit(demo_sim *s, demo_conn *c, uint32_t flow, uint32_t type,
	       uint64_t payload)
{
	if (s->err)
		return;
	ojo_event ev = {s->now, flow, type, payload};
	s->events++;
	if (c)
		c->st.events++;
	int rc = s->sink.emit ? s->sink.emit(s->sink.user, &ev) : 0;
	if (rc == -OJO_EDROPPED)
		s->dropped++;
	else if (rc < 0)
		s->err = rc;
}

void demo_emit_rx(demo_sim *s, demo_conn *c, uint32_t flow, uint32_t type,
		  uint64_t payload)
{
	if (s->err || !s->sink.emit_receiver)
		return;
	ojo_event ev = {s->now, flow, type, payload};
	s->rx_events++;
	c->st.rx_events++;
	int rc = s->sink.emit_receiver(s->sink.user, &ev);
	if (rc == -OJO_EDROPPED)
		s->dropped++;
	else if (rc < 0)
		s->err = rc;
}

/* Records v under type if it differs from the value last recorded. */
static void emit_changed(demo_sim *s, demo_conn *c, uint64_t *last, uint64_t v,
			 uint32_t type)
{
	if (v == *last)
		return;
	*last = v;
	demo_emit(s, c, c->flow_id, type, v);
}

void demo_emit_cc(demo_sim *s, demo_conn *c)
{
	if (c->cc.cwnd > c->st.max_cwnd)
		c->st.max_cwnd = c->cc.cwnd;
	emit_changed(s, c, &c->ev_cwnd, c->cc.cwnd, OJO_EV_CWND);
	emit_changed(s, c, &c->ev_ssthresh, c->cc.ssthresh, OJO_EV_SSTHRESH);
	uint64_t state = (uint64_t)demo_cc_state(&c->cc);
	if (state != OJO_RS_RECOVERY && c->app_limited)
		state = OJO_RS_APPLICATION_LIMITED;
	emit_changed(s, c, &c->ev_state, state, OJO_EV_RECOVERY_STATE);
	emit_changed(s, c, &c->ev_bif, c->bytes_in_flight,
		     OJO_EV_BYTES_IN_FLIGHT);
	if (s->cfg.pacing) {
		uint64_t rate = demo_pacing_rate(c->cc.cwnd, c->rtt.smoothed);
		if (rate != c->ev_pacing_rate)
			demo_pacer_set_rate(&c->pacer, rate, s->now);
		emit_changed(s, c, &c->ev_pacing_rate, rate,
			     OJO_EV_PACING_RATE);
	}
}

void demo_schedule(demo_sim *s, uint64_t at, uint32_t kind, demo_conn *c,
		   uint64_t gen, void *ptr)
{
	demo_ev ev = {.time_ns = at,
		      .kind = kind,
		      .conn = c->idx,
		      .gen = gen,
		      .ptr = ptr};
	if (demo_heap_push(&s->heap, &ev) < 0) {
		free(ptr);
		s->err = -ENOMEM;
	}
}

static void dispatch(demo_sim *s, const demo_ev *ev)
{
	demo_conn *c = &s->conns[ev->conn];
	switch (ev->kind) {
	case DEMO_EV_CONN_START:
		demo_receiver_start(s, c);
		demo_sender_start(s, c);
		if (s->cfg.app_read_bps)
			demo_schedule(s, s->now + DEMO_APP_READ_TICK_NS,
				      DEMO_EV_APP_READ, c, 0, NULL);
		break;
	case DEMO_EV_STREAM_OPEN:
		if (!c->done) {
			demo_sender_open_stream(s, c, (uint32_t)ev->gen);
			demo_sender_send(s, c);
		}
		break;
	case DEMO_EV_PKT_ARRIVE:
		demo_on_packet(s, c, ev->ptr);
		break;
	case DEMO_EV_ACK_ARRIVE:
		demo_on_ack(s, c, ev->ptr);
		break;
	case DEMO_EV_ACK_TIMER:
		demo_on_ack_timer(s, c, ev->gen);
		break;
	case DEMO_EV_LOSS_TIMER:
		demo_on_loss_timer(s, c, ev->gen);
		break;
	case DEMO_EV_APP_READ:
		demo_on_app_read(s, c);
		break;
	case DEMO_EV_PACER:
		demo_on_pacer(s, c, ev->gen);
		break;
	}
}

static void sim_free(demo_sim *s)
{
	demo_ev ev;
	while (demo_heap_pop(&s->heap, &ev) == 0)
		free(ev.ptr);
	demo_heap_free(&s->heap);
	demo_link_free(&s->link);
	for (uint32_t i = 0; s->conns && i < s->n_conns; i++) {
		demo_sender_free(&s->conns[i]);
		demo_receiver_free(&s->conns[i]);
	}
	free(s->conns);
	free(s);
}

int demo_run(const demo_config *cfg, const demo_sink *sink, demo_result *res)
{
	memset(res, 0, sizeof(*res));
	int rc = demo_config_check(cfg);
	if (rc < 0)
		return rc;
	demo_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (sink)
		s->sink = *sink;
	demo_rng_seed(&s->rng, cfg->seed);
	demo_heap_init(&s->heap);
	demo_link_init(&s->link, &cfg->link);
	s->conns = calloc(cfg->connections, sizeof(*s->conns));
	if (!s->conns) {
		sim_free(s);
		return -ENOMEM;
	}
	s->n_conns = cfg->connections;
	for (uint32_t k = 0; k < s->n_conns; k++) {
		demo_conn *c = &s->conns[k];
		c->idx = k;
		c->flow_id =
		    cfg->first_flow_id + k * (cfg->streams_per_conn + 1);
		c->n_streams = cfg->streams_per_conn;
		if (demo_sender_init(s, c) < 0 ||
		    demo_receiver_init(s, c) < 0) {
			sim_free(s);
			return -ENOMEM;
		}
		demo_schedule(s, k * cfg->conn_start_gap_ns, DEMO_EV_CONN_START,
			      c, 0, NULL);
	}

	demo_ev ev;
	while (!s->err && s->n_done < s->n_conns &&
	       demo_heap_pop(&s->heap, &ev) == 0) {
		if (ev.time_ns > cfg->time_limit_ns) {
			free(ev.ptr);
			break;
		}
		s->now = ev.time_ns;
		dispatch(s, &ev);
		free(ev.ptr);
	}
	rc = s->err;
	if (rc == 0) {
		res->conns = calloc(s->n_conns, sizeof(*res->conns));
		if (!res->conns)
			rc = -ENOMEM;
	}
	if (rc == 0) {
		res->n_conns = s->n_conns;
		for (uint32_t k = 0; k < s->n_conns; k++) {
			res->conns[k] = s->conns[k].st;
			if (!res->conns[k].completed)
				res->conns[k].end_ns = s->now;
		}
		res->link = s->link.st;
		res->events = s->events;
		res->rx_events = s->rx_events;
		res->dropped = s->dropped;
		res->end_ns = s->now;
	}
	sim_free(s);
	return rc;
}

void demo_result_free(demo_result *res)
{
	free(res->conns);
	memset(res, 0, sizeof(*res));
}

double demo_goodput_bps(const demo_conn_stats *st)
{
	if (!st->completed || st->end_ns <= st->start_ns)
		return 0.0;
	return (double)st->bytes_total * 8e9 /
	       (double)(st->end_ns - st->start_ns);
}
