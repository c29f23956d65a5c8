/* demo_sim.c - the simulator behaves like the transport it claims to be:
 * every figure below comes from a real run, checked against what RFC 9002
 * and RFC 9438 say must happen. */
#include <math.h>

#include "demo/demo.h"
#include "demo_common.h"

static void run(const demo_config *cfg, ev_log *log, demo_result *res)
{
	demo_sink sink = {.emit = ev_log_emit, .user = log};
	int rc = demo_run(cfg, &sink, res);
	CHECK_EQ(rc, 0);
	CHECK_EQ(res->events, log->n);
}

/* The same without keeping the events: only the result is looked at. */
static void run_unrecorded(const demo_config *cfg, demo_result *res)
{
	demo_sink none = {0};
	CHECK_EQ(demo_run(cfg, &none, res), 0);
}

/* How far c's losses are from Binomial(packets sent, p), in sigmas. */
static double loss_sigmas(const demo_conn_stats *c, double p)
{
	double n = (double)c->packets_sent;
	return ((double)c->packets_lost - n * p) / sqrt(n * p * (1 - p));
}

/* Lossless link, queue that never overflows: the transfer runs at close
 * to the bottleneck rate. */
static void test_lossless_rate(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.bandwidth_bps = 20000000;
	cfg.link.delay_ns = 20000000;
	cfg.link.queue_packets = 0; /* unlimited */
	cfg.streams_per_conn = 4;
	cfg.bytes_per_stream = 4000000;
	cfg.initial_max_data = 32u << 20;
	cfg.initial_max_stream_data = 16u << 20;
	ev_log log = {0};
	demo_result res;
	run(&cfg, &log, &res);
	CHECK_EQ(res.n_conns, 1);
	const demo_conn_stats *c = &res.conns[0];
	CHECK(c->completed);
	CHECK_EQ(c->packets_lost, 0);
	CHECK_EQ(res.link.dropped_queue + res.link.dropped_random, 0);
	CHECK_EQ(c->bytes_sent_new, c->bytes_total);
	double ratio = demo_goodput_bps(c) / (double)cfg.link.bandwidth_bps;
	printf("lossless: goodput %.2f Mbit/s = %.1f%% of the bottleneck\n",
	       demo_goodput_bps(c) / 1e6, ratio * 100);
	CHECK(ratio >= 0.85);
	CHECK(ratio <= 1.0);
	demo_result_free(&res);
	ev_log_free(&log);
}

/* The slow-start setup: a fat, long pipe keeps queueing out of the
 * picture, so each round's ACKs are all back well within half an RTT. */
static void slow_start_cfg(demo_config *cfg, bool pacing)
{
	demo_config_init(cfg);
	cfg->pacing = pacing;
	cfg->link.bandwidth_bps = 1000000000;
	cfg->link.delay_ns = 50000000; /* RTT 100 ms */
	cfg->link.queue_packets = 0;
	cfg->streams_per_conn = 1;
	cfg->bytes_per_stream = 200000000;
	cfg->initial_max_data = 256u << 20;
	cfg->initial_max_stream_data = 256u << 20;
	cfg->time_limit_ns = 1000000000;
}

/* cwnd growth over each RTT (mid-round to mid-round) into r[1..n]. */
static void slow_start_rounds(const demo_config *cfg, double *r, int n)
{
	ev_log log = {0};
	demo_result res;
	run(cfg, &log, &res);
	CHECK_EQ(res.conns[0].packets_lost, 0);
	uint64_t rtt = 2 * cfg->link.delay_ns;
	uint64_t w0 = ev_log_last(&log, 1, OJO_EV_CWND, 0);
	CHECK_EQ(w0, 10 * cfg->max_packet_size); /* RFC 9002 7.2 */
	uint64_t prev = w0;
	for (int k = 1; k <= n; k++) {
		uint64_t w =
		    ev_log_last(&log, 1, OJO_EV_CWND, k * rtt + rtt / 2);
		r[k] = (double)w / (double)prev;
		printf("slow start (%s): round %d cwnd %llu (x%.3f)\n",
		       cfg->pacing ? "paced" : "ACK-clocked", k,
		       (unsigned long long)w, r[k]);
		prev = w;
	}
	/* no SSTHRESH but the initial "infinite" one: still slow start */
	for (size_t i = 0; i < log.n; i++)
		if (log.v[i].event_type == OJO_EV_SSTHRESH)
			CHECK(log.v[i].payload == UINT64_MAX);
	demo_result_free(&res);
	ev_log_free(&log);
}

/* ACK-clocked (pacing off), slow start doubles the window every round
 * trip: each acked byte adds one and lets two leave. */
static void test_slow_start_doubles(void)
{
	demo_config cfg;
	slow_start_cfg(&cfg, false);
	double r[7];
	slow_start_rounds(&cfg, r, 6);
	for (int k = 1; k <= 6; k++)
		CHECK(r[k] > 1.9 && r[k] < 2.1);
}

/* Paced at N x cwnd / srtt, slow start is limited by the pacer, not the
 * window: what is acked in an RTT is what the pacer let out one RTT
 * before, so cwnd' = N cwnd(t - RTT) / RTT and cwnd ~ g^(t/RTT) with
 * g ln g = N. For N = 1.25, g = 1.920 per RTT instead of 2 (why Linux
 * paces slow start at 2x). The run must settle on that g. */
static void test_slow_start_paced(void)
{
	double lo = 1, hi = 3;
	for (int i = 0; i < 60; i++) {
		double g = (lo + hi) / 2;
		if (g * log(g) < 1.25)
			lo = g;
		else
			hi = g;
	}
	double g = lo;
	demo_config cfg;
	slow_start_cfg(&cfg, true);
	double r[10];
	slow_start_rounds(&cfg, r, 9);
	printf("slow start (paced): theory x%.3f per RTT\n", g);
	for (int k = 1; k <= 9; k++)
		CHECK(r[k] > 1.75 && r[k] <= 2.0 + 1e-9);
	for (int k = 6; k <= 9; k++)
		CHECK(fabs(r[k] - g) < 0.015 * g);
}

/* Every reduction, as recorded: at the instant of a loss the window the
 * loss hit is recorded, then the reduced one and SSTHRESH, both beta times
 * it (RFC 9002 7.3.2, RFC 9438 4.6). Returns the number of reductions. */
static int check_reductions(const ev_log *log, uint32_t flow, double beta,
			    uint64_t min_window)
{
	uint64_t prev = 0, cur = 0, cur_ts = 0;
	int n = 0;
	for (size_t i = 0; i < log->n; i++) {
		const ojo_event *e = &log->v[i];
		if (e->flow_id != flow)
			continue;
		if (e->event_type == OJO_EV_CWND) {
			prev = cur;
			cur = e->payload;
			cur_ts = e->timestamp_ns;
			continue;
		}
		if (e->event_type != OJO_EV_SSTHRESH ||
		    e->payload == UINT64_MAX)
			continue;
		/* the window before the cut: prev, unless the cut left the
		 * window unchanged (already at the minimum) */
		uint64_t hit = cur_ts == e->timestamp_ns ? prev : cur;
		uint64_t want =
		    beta == 0.5 ? hit / 2 : (uint64_t)((double)hit * beta);
		if (want < min_window)
			want = min_window;
		CHECK_EQ(e->payload, want);
		CHECK_EQ(cur, want);
		CHECK(want < hit || hit == min_window);
		/* and it follows a loss declared at that instant */
		bool lost = false;
		for (size_t k = i;
		     k-- > 0 && log->v[k].timestamp_ns == e->timestamp_ns;)
			lost |= log->v[k].flow_id == flow &&
				(log->v[k].event_type ==
				     OJO_EV_PACKET_LOST_THRESHOLD ||
				 log->v[k].event_type ==
				     OJO_EV_PACKET_LOST_TIMEOUT);
		CHECK(lost);
		n++;
	}
	return n;
}

static void test_newreno_halves(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.loss_rate = 0.01;
	cfg.link.queue_packets = 50;
	cfg.bytes_per_stream = 2000000;
	ev_log log = {0};
	demo_result res;
	run(&cfg, &log, &res);
	CHECK(res.conns[0].completed);
	int n = check_reductions(&log, 1, 0.5, 2 * cfg.max_packet_size);
	printf("newreno: %d reductions, each to half the window\n", n);
	CHECK(n >= 5);
	demo_result_free(&res);
	ev_log_free(&log);
}

static void test_cubic(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.cc = DEMO_CC_CUBIC;
	cfg.link.loss_rate = 0.002;
	cfg.link.queue_packets = 60;
	cfg.connections = 2;
	cfg.conn_start_gap_ns = 300000000;
	cfg.bytes_per_stream = 2000000;
	ev_log log = {0};
	demo_result res;
	run(&cfg, &log, &res);
	int n = 0;
	for (size_t k = 0; k < res.n_conns; k++) {
		CHECK(res.conns[k].completed);
		CHECK(demo_goodput_bps(&res.conns[k]) > 1e6);
		n += check_reductions(&log, res.conns[k].flow_id, 0.7,
				      2 * cfg.max_packet_size);
	}
	printf("cubic: %d reductions to 0.7 of the window\n", n);
	CHECK(n >= 2);

	/* the same run with NewReno takes a different course */
	ev_log log2 = {0};
	demo_result res2;
	cfg.cc = DEMO_CC_NEWRENO;
	run(&cfg, &log2, &res2);
	CHECK(ev_log_differs(&log, &log2));
	demo_result_free(&res);
	demo_result_free(&res2);
	ev_log_free(&log);
	ev_log_free(&log2);
}

/* On a long fat pipe with rare random loss, NewReno's one segment per RTT
 * recovers slowly, and CUBIC's cubic growth is what RFC 9438 is for: it
 * must move clearly more data in the same conditions. */
static void test_cubic_long_fat_pipe(void)
{
	double gp[2] = {0, 0};
	for (int algo = 0; algo < 2; algo++) {
		demo_config cfg;
		demo_config_init(&cfg);
		cfg.cc = algo ? DEMO_CC_CUBIC : DEMO_CC_NEWRENO;
		cfg.link.bandwidth_bps = 200000000;
		cfg.link.delay_ns = 50000000;
		cfg.link.queue_packets = 1000;
		cfg.link.loss_rate = 0.0002;
		cfg.streams_per_conn = 1;
		cfg.bytes_per_stream = 60000000;
		cfg.initial_max_stream_data = 8u << 20;
		cfg.initial_max_data = 16u << 20;
		demo_result res;
		run_unrecorded(&cfg, &res);
		CHECK(res.conns[0].completed);
		gp[algo] = demo_goodput_bps(&res.conns[0]);
		demo_result_free(&res);
	}
	printf("long fat pipe: newreno %.1f Mbit/s, cubic %.1f Mbit/s\n",
	       gp[0] / 1e6, gp[1] / 1e6);
	CHECK(gp[1] > 1.5 * gp[0]);
}

/* With a queue that never overflows, every loss is the link's random
 * loss: the sender's count must be Binomial(sent, p) within 4 sigma. */
static void test_loss_rate(void)
{
	const double rates[] = {0.005, 0.02, 0.05};
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		demo_config cfg;
		demo_config_init(&cfg);
		cfg.seed = 7 + i;
		cfg.link.loss_rate = rates[i];
		cfg.link.queue_packets = 0;
		cfg.link.bandwidth_bps = 100000000;
		cfg.link.delay_ns = 5000000;
		cfg.streams_per_conn = 4;
		cfg.bytes_per_stream = 3000000;
		demo_result res;
		run_unrecorded(&cfg, &res);
		const demo_conn_stats *c = &res.conns[0];
		CHECK(c->completed);
		double n = (double)c->packets_sent, p = rates[i];
		double dev = loss_sigmas(c, p);
		printf("loss %.1f%%: %llu of %llu packets lost (expected "
		       "%.0f, %+.2f sigma), link dropped %llu\n",
		       p * 100, (unsigned long long)c->packets_lost,
		       (unsigned long long)c->packets_sent, n * p, dev,
		       (unsigned long long)res.link.dropped_random);
		CHECK(n > 9000);
		CHECK(fabs(dev) <= 4.0);
		CHECK_EQ(res.link.dropped_queue, 0);
		/* the sender never blames a packet the link delivered */
		CHECK(c->packets_lost <= res.link.dropped_random);
		CHECK(c->packets_acked + c->packets_lost <= c->packets_sent);
		demo_result_free(&res);
	}
}

/* Heavy loss: tails are lost too, so recovery needs the PTO, and the
 * transfer still completes with every byte acked. */
static void test_heavy_loss(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.loss_rate = 0.3;
	cfg.connections = 2;
	demo_result res;
	run_unrecorded(&cfg, &res);
	for (size_t k = 0; k < res.n_conns; k++) {
		const demo_conn_stats *c = &res.conns[k];
		CHECK(c->completed);
		CHECK(c->ptos > 0);
		CHECK(c->lost_timeout > 0 && c->lost_threshold > 0);
		CHECK(c->packets_acked + c->packets_lost <= c->packets_sent);
		double dev = loss_sigmas(c, cfg.link.loss_rate);
		printf(
		    "loss 30%%: %llu of %llu lost (%+.2f sigma), %llu PTOs\n",
		    (unsigned long long)c->packets_lost,
		    (unsigned long long)c->packets_sent, dev,
		    (unsigned long long)c->ptos);
		CHECK(fabs(dev) <= 4.0);
	}
	demo_result_free(&res);
}

/* A 2 s outage mid-transfer: the PTO fires with exponential backoff
 * (measured on the recorded probe send times), persistent congestion
 * drops the window to the minimum, and the transfer then completes. */
static void test_outage(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.streams_per_conn = 1;
	cfg.bytes_per_stream = 4000000;
	cfg.link.outage_start_ns = 800000000;
	cfg.link.outage_ns = 2000000000;
	ev_log log = {0};
	demo_result res;
	run(&cfg, &log, &res);
	const demo_conn_stats *c = &res.conns[0];
	CHECK(c->completed);
	CHECK(res.link.dropped_outage > 0);
	CHECK(c->ptos >= 3);
	CHECK(c->persistent_congestion >= 1);

	/* distinct send instants inside the outage, after the first probe
	 * round: the gaps between PTO rounds at least double */
	uint64_t start = cfg.link.outage_start_ns,
		 end = start + cfg.link.outage_ns;
	uint64_t times[64];
	int n = 0;
	for (size_t i = 0; i < log.n && n < 64; i++) {
		const ojo_event *e = &log.v[i];
		if (e->event_type != OJO_EV_PACKET_SENT ||
		    e->timestamp_ns < start || e->timestamp_ns >= end)
			continue;
		if (n && times[n - 1] == e->timestamp_ns)
			continue;
		times[n++] = e->timestamp_ns;
	}
	/* the first instants may still be ACK-clocked sends of the flight
	 * in the air; the last three are PTO rounds */
	CHECK(n >= 4);
	uint64_t g1 = times[n - 2] - times[n - 3];
	uint64_t g2 = times[n - 1] - times[n - 2];
	printf("outage: %llu PTOs, last gaps %.0f ms then %.0f ms, %llu "
	       "persistent congestion\n",
	       (unsigned long long)c->ptos, g1 / 1e6, g2 / 1e6,
	       (unsigned long long)c->persistent_congestion);
	CHECK(g2 >= 2 * g1 - 1000000 && g2 <= 2 * g1 + 1000000);

	/* the window fell to the minimum after the outage */
	bool min_seen = false;
	for (size_t i = 0; i < log.n; i++)
		if (log.v[i].event_type == OJO_EV_CWND &&
		    log.v[i].timestamp_ns >= start &&
		    log.v[i].payload == 2 * cfg.max_packet_size)
			min_seen = true;
	CHECK(min_seen);
	demo_result_free(&res);
	ev_log_free(&log);
}

static void test_determinism(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.loss_rate = 0.01;
	cfg.connections = 2;
	cfg.conn_start_gap_ns = 100000000;
	ev_log a = {0}, b = {0}, c = {0};
	demo_result ra, rb, rc;
	run(&cfg, &a, &ra);
	run(&cfg, &b, &rb);
	cfg.seed = 2;
	run(&cfg, &c, &rc);
	CHECK_SAME_LOG(&a, &b);
	CHECK(ev_log_differs(&a, &c));
	demo_result_free(&ra);
	demo_result_free(&rb);
	demo_result_free(&rc);
	ev_log_free(&a);
	ev_log_free(&b);
	ev_log_free(&c);
}

/* The events tell a consistent story: every packet sent is acked or lost
 * at most once, stream data is acked in full, every stream is linked. */
static void test_consistency(void)
{
	demo_config cfg;
	demo_config_init(&cfg);
	cfg.link.loss_rate = 0.02;
	cfg.connections = 3;
	cfg.conn_start_gap_ns = 50000000;
	ev_log log = {0};
	demo_result res;
	run(&cfg, &log, &res);
	uint64_t npkts = 0;
	for (size_t k = 0; k < res.n_conns; k++)
		npkts += res.conns[k].packets_sent;
	uint8_t *fate = calloc(npkts * 4 + 16, 1);
	CHECK(fate != NULL);
	for (size_t k = 0; k < res.n_conns; k++) {
		const demo_conn_stats *c = &res.conns[k];
		CHECK(c->completed);
		uint64_t sent = 0, acked = 0, lost = 0, links = 0, fins = 0;
		uint64_t data_acked = 0;
		memset(fate, 0, npkts * 4 + 16);
		for (size_t i = 0; i < log.n; i++) {
			const ojo_event *e = &log.v[i];
			bool mine = e->flow_id >= c->flow_id &&
				    e->flow_id <= c->flow_id + c->n_streams;
			if (!mine)
				continue;
			switch (e->event_type) {
			case OJO_EV_PACKET_SENT:
				CHECK_EQ(e->payload, sent); /* 0, 1, 2 ... */
				sent++;
				break;
			case OJO_EV_PACKET_ACKED:
			case OJO_EV_PACKET_LOST_THRESHOLD:
			case OJO_EV_PACKET_LOST_TIMEOUT:
				CHECK(e->payload < sent);
				CHECK_EQ(fate[e->payload], 0);
				fate[e->payload] = 1;
				if (e->event_type == OJO_EV_PACKET_ACKED)
					acked++;
				else
					lost++;
				break;
			case OJO_EV_STREAM_LINK:
				CHECK_EQ(e->payload, c->flow_id);
				links++;
				break;
			case OJO_EV_STREAM_FIN_ACKED:
				fins++;
				break;
			case OJO_EV_DATA_ACKED:
				data_acked += OJO_RANGE_LENGTH(e->payload);
				break;
			}
		}
		CHECK_EQ(sent, c->packets_sent);
		CHECK_EQ(acked, c->packets_acked);
		CHECK_EQ(lost, c->packets_lost);
		CHECK_EQ(links, c->n_streams);
		CHECK_EQ(fins, c->n_streams);
		CHECK(data_acked >= c->bytes_total);
	}
	free(fate);
	demo_result_free(&res);
	ev_log_free(&log);
}

int main(void)
{
	test_lossless_rate();
	test_slow_start_doubles();
	test_slow_start_paced();
	test_newreno_halves();
	test_cubic();
	test_cubic_long_fat_pipe();
	test_loss_rate();
	test_heavy_loss();
	test_outage();
	test_determinism();
	test_consistency();
	printf("demo_sim: ok\n");
	return 0;
}
