/* demo_scenario.c - the default demo scenarios and the tracer-backed sink: one
 * tracer for the senders' vantage point, one for the receivers'.
 *
 * A simulation produces events far faster than real time, so the sink
 * flushes each tracer every so many events: the ring never fills and no
 * event is dropped. */
#include "demo/demo_scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SINK_BUFFER_BYTES (8u << 20)
#define SINK_FLUSH_EVERY  65536 /* well under the ring's capacity */

const char *demo_cc_name(demo_cc_algo cc)
{
	return cc == DEMO_CC_CUBIC ? "cubic" : "newreno";
}

/* What a default scenario changes from demo_config_init(); 0 keeps
 * the default. */
typedef struct scenario_spec {
	const char *name;
	demo_cc_algo cc;
	uint64_t bandwidth_bps, delay_ns;
	uint32_t queue_packets;
	double loss_rate;
	uint64_t outage_start_ns, outage_ns;
	uint32_t connections, streams;
	uint64_t bytes_per_stream, max_data, max_stream_data, app_read_bps;
	uint64_t conn_gap_ns, stream_gap_ns;
	uint32_t reset_stream;
	uint64_t reset_after_bytes;
} scenario_spec;

static const scenario_spec default_specs[] = {
    /* a clean path: slow start, then a drop-tail overshoot or two; the
     * app cancels its third stream part-way (RESET_STREAM) */
    {.name = "clean",
     .bandwidth_bps = 50000000,
     .delay_ns = 10000000,
     .queue_packets = 200,
     .streams = 4,
     .bytes_per_stream = 2000000,
     .max_data = 4u << 20,
     .max_stream_data = 2u << 20,
     .stream_gap_ns = 50000000,
     .reset_stream = 3,
     .reset_after_bytes = 600000},
    /* random loss and a 1 s outage: fast retransmits, time-threshold
     * losses, recovery periods, PTOs with backoff, persistent congestion */
    {.name = "lossy",
     .bandwidth_bps = 20000000,
     .delay_ns = 30000000,
     .queue_packets = 100,
     .loss_rate = 0.01,
     .outage_start_ns = 5000000000,
     .outage_ns = 1000000000,
     .streams = 3,
     .bytes_per_stream = 1000000,
     .stream_gap_ns = 100000000},
    /* a fat pipe with small windows and a slow reader: flow control, not
     * congestion, sets the pace */
    {.name = "flow-control",
     .bandwidth_bps = 100000000,
     .delay_ns = 40000000,
     .queue_packets = 500,
     .streams = 2,
     .bytes_per_stream = 1500000,
     .max_data = 96 * 1024,
     .max_stream_data = 64 * 1024,
     .app_read_bps = 12000000},
    /* CUBIC connections arriving one after the other on one bottleneck */
    {.name = "cubic-shared",
     .cc = DEMO_CC_CUBIC,
     .bandwidth_bps = 30000000,
     .delay_ns = 25000000,
     .queue_packets = 80,
     .loss_rate = 0.001,
     .connections = 2,
     .streams = 3,
     .bytes_per_stream = 2000000,
     .conn_gap_ns = 500000000,
     .stream_gap_ns = 20000000},
};

#define SET_IF(dst, v)                                                         \
	do {                                                                   \
		if (v)                                                         \
			(dst) = (v);                                           \
	} while (0)

size_t demo_default_scenarios(uint64_t seed, demo_scenario *out, size_t max)
{
	size_t n = sizeof(default_specs) / sizeof(default_specs[0]);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		const scenario_spec *sp = &default_specs[i];
		demo_config *c = &out[i].cfg;
		snprintf(out[i].name, sizeof(out[i].name), "%s", sp->name);
		demo_config_init(c);
		c->seed = seed + i; /* each its own randomness */
		SET_IF(c->cc, sp->cc);
		SET_IF(c->link.loss_rate, sp->loss_rate);
		SET_IF(c->link.outage_start_ns, sp->outage_start_ns);
		SET_IF(c->link.outage_ns, sp->outage_ns);
		SET_IF(c->conn_start_gap_ns, sp->conn_gap_ns);
		SET_IF(c->stream_start_gap_ns, sp->stream_gap_ns);
		SET_IF(c->app_read_bps, sp->app_read_bps);
		SET_IF(c->link.bandwidth_bps, sp->bandwidth_bps);
		SET_IF(c->link.delay_ns, sp->delay_ns);
		SET_IF(c->link.queue_packets, sp->queue_packets);
		SET_IF(c->connections, sp->connections);
		SET_IF(c->streams_per_conn, sp->streams);
		SET_IF(c->bytes_per_stream, sp->bytes_per_stream);
		SET_IF(c->initial_max_data, sp->max_data);
		SET_IF(c->initial_max_stream_data, sp->max_stream_data);
		SET_IF(c->reset_stream, sp->reset_stream);
		SET_IF(c->reset_after_bytes, sp->reset_after_bytes);
	}
	return n;
}

void demo_describe(const demo_config *cfg, char *buf, size_t len)
{
	char q[32] = "no queue limit";
	if (cfg->link.queue_packets)
		snprintf(q, sizeof(q), "queue %u pkts",
			 cfg->link.queue_packets);
	else if (cfg->link.queue_bytes)
		snprintf(q, sizeof(q), "queue %llu B",
			 (unsigned long long)cfg->link.queue_bytes);
	char outage[64] = "";
	if (cfg->link.outage_ns)
		snprintf(outage, sizeof(outage), ", %g s outage at %g s",
			 (double)cfg->link.outage_ns / 1e9,
			 (double)cfg->link.outage_start_ns / 1e9);
	snprintf(buf, len, "%s, %g Mbit/s, %g ms, %g%% loss, %s%s",
		 demo_cc_name(cfg->cc), (double)cfg->link.bandwidth_bps / 1e6,
		 (double)cfg->link.delay_ns / 1e6, cfg->link.loss_rate * 100, q,
		 outage);
}

typedef struct tracer_sink {
	ojo_tracer *t[2]; /* the sender's, the receiver's */
	uint64_t n[2];
	uint64_t rx_shift; /* sender's open time - receiver's, ns */
} tracer_sink;

static int record(tracer_sink *ts, int side, const ojo_event *ev)
{
	int rc = ojo_record(ts->t[side], ev);
	if (++ts->n[side] % SINK_FLUSH_EVERY == 0) {
		int frc = ojo_tracer_flush(ts->t[side]);
		if (frc < 0)
			return frc;
	}
	return rc;
}

static int sender_emit(void *user, const ojo_event *ev)
{
	return record(user, 0, ev);
}

static int receiver_emit(void *user, const ojo_event *ev)
{
	tracer_sink *ts = user;
	ojo_event e = *ev;
	e.timestamp_ns += ts->rx_shift;
	return record(ts, 1, &e);
}

/* A trace name starts with its tracer's open time, Unix epoch ns
 * (FORMAT.md). Simulated time 0 must be one instant in both traces, so
 * the receiver's tracer, opened first, gets its events shifted by the
 * gap between the two opens. */
static uint64_t open_gap(const ojo_tracer *sender, const ojo_tracer *receiver)
{
	unsigned long long a = strtoull(ojo_tracer_name(sender), NULL, 10);
	unsigned long long b = strtoull(ojo_tracer_name(receiver), NULL, 10);
	return a > b ? a - b : 0;
}

int demo_run_traced(const demo_config *cfg, const char *output_dir,
		    demo_result *res, demo_trace_info *info)
{
	memset(info, 0, sizeof(*info));
	memset(res, 0, sizeof(*res));
	ojo_config tc;
	ojo_config_init(&tc);
	tc.output_dir = output_dir;
	tc.buffer_size = SINK_BUFFER_BYTES;
	tc.max_writers = 1;
	tracer_sink ts = {0};
	int rc = ojo_tracer_open(&tc, &ts.t[1]);
	if (rc == 0)
		rc = ojo_tracer_open(&tc, &ts.t[0]);
	if (rc < 0) {
		ojo_tracer_close(ts.t[1]);
		return rc;
	}
	ts.rx_shift = open_gap(ts.t[0], ts.t[1]);
	snprintf(info->trace_name, sizeof(info->trace_name), "%s",
		 ojo_tracer_name(ts.t[0]));
	snprintf(info->receiver_trace_name, sizeof(info->receiver_trace_name),
		 "%s", ojo_tracer_name(ts.t[1]));
	demo_sink sink = {
	    .emit = sender_emit, .user = &ts, .emit_receiver = receiver_emit};
	rc = demo_run(cfg, &sink, res);
	for (int side = 0; side < 2; side++) {
		int frc = ojo_tracer_flush(ts.t[side]);
		ojo_tracer_stats(ts.t[side],
				 side ? &info->receiver_stats : &info->stats);
		int crc = ojo_tracer_close(ts.t[side]);
		if (rc == 0)
			rc = frc < 0 ? frc : crc;
	}
	if (rc < 0)
		demo_result_free(res);
	return rc;
}
