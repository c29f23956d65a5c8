/* demo_trace.c - the simulator recorded through a real libojo tracer and
 * read back with the reader API: nothing lost or reordered, same seed
 * gives the same trace, and the recorded flow-control limits are never
 * exceeded by the recorded stream data. */
#include "demo/demo_scenario.h"
#include "demo_common.h"

/* Runs cfg into dir/<name> and reads the batches back: the senders' trace
 * into log, the receivers' into rx (if not NULL). The times become
 * simulated ns again (the senders' first event is at 0). */
static void traced_both(const char *dir, const char *name,
			const demo_config *cfg, ev_log *log, ev_log *rx,
			demo_result *res)
{
	char out[1024], batches[1100];
	snprintf(out, sizeof(out), "%s/%s", dir, name);
	demo_trace_info info;
	CHECK_EQ(demo_run_traced(cfg, out, res, &info), 0);
	CHECK(info.trace_name[0] != '\0');
	CHECK(strcmp(info.trace_name, info.receiver_trace_name) != 0);
	CHECK_EQ(info.stats.events_dropped, 0);
	CHECK_EQ(info.receiver_stats.events_dropped, 0);
	CHECK_EQ(info.stats.events_recorded, res->events);
	CHECK_EQ(info.receiver_stats.events_recorded, res->rx_events);
	CHECK(res->rx_events > 0);
	snprintf(batches, sizeof(batches), "%s/output", out);
	CHECK(read_back_trace(batches, info.trace_name, log) >= 1);
	CHECK_EQ(log->n, res->events);
	uint64_t t0 = log->v[0].timestamp_ns;
	for (size_t i = 0; i < log->n; i++) {
		CHECK(log->v[i].timestamp_ns >= t0);
		log->v[i].timestamp_ns -= t0;
	}
	if (!rx)
		return;
	CHECK(read_back_trace(batches, info.receiver_trace_name, rx) >= 1);
	CHECK_EQ(rx->n, res->rx_events);
	/* both traces on one clock: nothing arrives before a one-way delay
	 * after the senders' first event */
	for (size_t i = 0; i < rx->n; i++) {
		CHECK(rx->v[i].timestamp_ns >= t0);
		rx->v[i].timestamp_ns -= t0;
		if (rx->v[i].event_type == OJO_EV_PACKET_RECEIVED)
			CHECK(rx->v[i].timestamp_ns >= cfg->link.delay_ns);
	}
}

static void traced(const char *dir, const char *name, const demo_config *cfg,
		   ev_log *log, demo_result *res)
{
	traced_both(dir, name, cfg, log, NULL, res);
}

typedef struct fc_flow {
	uint32_t parent; /* 0: a connection */
	bool has_limit;
	uint64_t limit;	  /* MAX_DATA or MAX_STREAM_DATA */
	uint64_t sent;	  /* streams: highest offset sent */
	uint64_t total;	  /* connections: new bytes of all streams */
	uint64_t blocked; /* DATA_BLOCKED / STREAM_DATA_BLOCKED seen */
	bool reached;	  /* data went right up to the limit */
} fc_flow;

/* Follows a flow's parent link and limits; true if e was one of those.
 * MAX_DATA belongs to connections, MAX_STREAM_DATA to streams, and
 * limits only grow (RFC 9000 4.1). */
static bool fc_track(fc_flow *fl, const ojo_event *e)
{
	switch (e->event_type) {
	case OJO_EV_STREAM_LINK:
		fl->parent = (uint32_t)e->payload;
		return true;
	case OJO_EV_MAX_DATA:
	case OJO_EV_MAX_STREAM_DATA:
		CHECK(e->event_type == OJO_EV_MAX_DATA ? !fl->parent
						       : fl->parent);
		CHECK(!fl->has_limit || e->payload > fl->limit);
		fl->has_limit = true;
		fl->limit = e->payload;
		return true;
	}
	return false;
}

/* Replays the events in order and checks every DATA_SENT against the
 * limits recorded before it. Returns how often a limit was reached. */
static int check_flow_control(const ev_log *log)
{
	static fc_flow f[1024];
	memset(f, 0, sizeof(f));
	int reached = 0;
	for (size_t i = 0; i < log->n; i++) {
		const ojo_event *e = &log->v[i];
		CHECK(e->flow_id < 1024);
		fc_flow *fl = &f[e->flow_id];
		if (fc_track(fl, e))
			continue;
		switch (e->event_type) {
		case OJO_EV_DATA_SENT: {
			CHECK(fl->parent);
			fc_flow *conn = &f[fl->parent];
			uint64_t off = OJO_RANGE_OFFSET(e->payload);
			uint64_t end = off + OJO_RANGE_LENGTH(e->payload);
			CHECK(fl->has_limit && conn->has_limit);
			CHECK_EQ(off, fl->sent); /* new data is contiguous */
			conn->total += end - fl->sent;
			fl->sent = end;
			CHECK(end <= fl->limit);
			CHECK(conn->total <= conn->limit);
			if (end == fl->limit || conn->total == conn->limit)
				reached++;
			break;
		}
		case OJO_EV_DATA_RETRANSMITTED: {
			uint64_t end = OJO_RANGE_OFFSET(e->payload) +
				       OJO_RANGE_LENGTH(e->payload);
			CHECK(end <= fl->sent);
			break;
		}
		case OJO_EV_DATA_BLOCKED:
			CHECK(!fl->parent);
			CHECK_EQ(e->payload, fl->limit);
			CHECK_EQ(fl->total, fl->limit);
			fl->blocked++;
			break;
		case OJO_EV_STREAM_DATA_BLOCKED:
			CHECK(fl->parent);
			CHECK_EQ(e->payload, fl->limit);
			CHECK_EQ(fl->sent, fl->limit);
			fl->blocked++;
			break;
		}
	}
	return reached;
}

static int count_type(const ev_log *log, uint32_t type)
{
	int n = 0;
	for (size_t i = 0; i < log->n; i++)
		n += log->v[i].event_type == type;
	return n;
}

static void test_flow_control(const char *dir)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.bandwidth_bps = 100000000;
	cfg.link.delay_ns = 30000000;
	cfg.link.queue_packets = 300;
	cfg.link.loss_rate = 0.005;
	cfg.connections = 2;
	cfg.streams_per_conn = 3;
	cfg.bytes_per_stream = 600000;
	cfg.initial_max_data = 100000;
	cfg.initial_max_stream_data = 48000;
	cfg.app_read_bps = 10000000;
	ev_log log = {0};
	demo_result res;
	traced(dir, "fc", &cfg, &log, &res);
	for (size_t k = 0; k < res.n_conns; k++)
		CHECK(res.conns[k].completed);
	int reached = check_flow_control(&log);
	int blocked = count_type(&log, OJO_EV_DATA_BLOCKED) +
		      count_type(&log, OJO_EV_STREAM_DATA_BLOCKED);
	int updates = count_type(&log, OJO_EV_MAX_DATA) +
		      count_type(&log, OJO_EV_MAX_STREAM_DATA);
	printf("flow control: %d sends up to a limit, %d blocked, %d limit "
	       "updates, never exceeded\n",
	       reached, blocked, updates);
	/* the limits did bind, or the check above proved nothing */
	CHECK(reached > 10);
	CHECK(blocked > 10);
	CHECK(updates > 20);
	demo_result_free(&res);
	ev_log_free(&log);
}

static void test_faithful_and_deterministic(const char *dir)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.loss_rate = 0.01;
	cfg.connections = 2;
	cfg.conn_start_gap_ns = 100000000;
	cfg.bytes_per_stream = 3000000; /* > 64k events: several flushes */

	ev_log mem = {0};
	demo_result rm;
	demo_sink sink = {.emit = ev_log_emit, .user = &mem};
	CHECK_EQ(demo_run(&cfg, &sink, &rm), 0);

	ev_log a = {0}, b = {0}, c = {0}, rxa = {0}, rxb = {0};
	demo_result ra, rb, rc;
	traced_both(dir, "a", &cfg, &a, &rxa, &ra);
	traced_both(dir, "b", &cfg, &b, &rxb, &rb);
	/* the receivers' traces too, on the senders' clock */
	CHECK_SAME_LOG(&rxa, &rxb);
	ev_log_free(&rxa);
	ev_log_free(&rxb);
	cfg.seed = 99;
	traced(dir, "c", &cfg, &c, &rc);
	printf("traced: %zu events each, read back identical to the run\n",
	       a.n);
	CHECK(a.n > 100000);
	/* what the files hold is exactly what the simulation emitted */
	CHECK_SAME_LOG(&a, &mem);
	CHECK_SAME_LOG(&a, &b);
	CHECK(ev_log_differs(&a, &c));
	check_flow_control(&a);
	demo_result_free(&rm);
	demo_result_free(&ra);
	demo_result_free(&rb);
	demo_result_free(&rc);
	ev_log_free(&mem);
	ev_log_free(&a);
	ev_log_free(&b);
	ev_log_free(&c);
}

/* What `ojo demo` ships: every scenario finishes, respects flow control,
 * and together they emit every sender-side type of the catalog. */
/* The same limits seen from the receiver's end: no stream byte arrives
 * beyond the MAX_STREAM_DATA it had advertised, nor the connection's new
 * bytes beyond its MAX_DATA (a reset stream counts up to its final size,
 * which is where its data stopped). Returns the closest approach, in
 * bytes, to a connection limit. */
static uint64_t check_receiver_limits(const ev_log *rx)
{
	static fc_flow f[1024];
	memset(f, 0, sizeof(f));
	uint64_t closest = UINT64_MAX;
	for (size_t i = 0; i < rx->n; i++) {
		const ojo_event *e = &rx->v[i];
		CHECK(e->flow_id < 1024);
		fc_flow *fl = &f[e->flow_id];
		if (fc_track(fl, e))
			continue;
		switch (e->event_type) {
		case OJO_EV_DATA_RECEIVED: {
			CHECK(fl->parent && fl->has_limit);
			fc_flow *conn = &f[fl->parent];
			uint64_t end = OJO_RANGE_OFFSET(e->payload) +
				       OJO_RANGE_LENGTH(e->payload);
			CHECK(end <= fl->limit);
			if (end > fl->sent) {
				conn->total += end - fl->sent;
				fl->sent = end;
			}
			CHECK(conn->has_limit && conn->total <= conn->limit);
			if (conn->limit - conn->total < closest)
				closest = conn->limit - conn->total;
			break;
		}
		}
	}
	return closest;
}

static void test_default_scenarios(const char *dir)
{
	demo_scenario sc[DEMO_MAX_SCENARIOS];
	size_t n = demo_default_scenarios(1, sc, DEMO_MAX_SCENARIOS);
	CHECK(n >= 4);
	int seen[DEMO_N_SENDER_TYPES] = {0};
	bool states[4] = {0};
	for (size_t i = 0; i < n; i++) {
		ev_log log = {0}, rx = {0};
		demo_result res;
		char name[64];
		snprintf(name, sizeof(name), "default-%zu", i);
		traced_both(dir, name, &sc[i].cfg, &log, &rx, &res);
		for (size_t k = 0; k < res.n_conns; k++)
			CHECK(res.conns[k].completed);
		check_flow_control(&log);
		uint64_t margin = check_receiver_limits(&rx);
		printf("%s: the receiver never got data beyond its limits "
		       "(closest %llu bytes below MAX_DATA)\n",
		       sc[i].name, (unsigned long long)margin);
		ev_log_free(&rx);
		for (size_t w = 0; w < DEMO_N_SENDER_TYPES; w++)
			seen[w] += count_type(&log, demo_sender_types[w]);
		for (size_t e = 0; e < log.n; e++)
			if (log.v[e].event_type == OJO_EV_RECOVERY_STATE) {
				CHECK(log.v[e].payload < 4);
				states[log.v[e].payload] = true;
			}
		demo_result_free(&res);
		ev_log_free(&log);
	}
	for (size_t w = 0; w < DEMO_N_SENDER_TYPES; w++) {
		if (!seen[w])
			fprintf(stderr, "type %u never emitted\n",
				demo_sender_types[w]);
		CHECK(seen[w] > 0);
	}
	for (int s = 0; s < 4; s++)
		CHECK(states[s]);
}

int main(void)
{
	char *dir = test_tmpdir();
	test_flow_control(dir);
	test_faithful_and_deterministic(dir);
	test_default_scenarios(dir);
	test_rmtree(dir);
	free(dir);
	printf("demo_trace: ok\n");
	return 0;
}
