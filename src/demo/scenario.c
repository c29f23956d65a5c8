/* scenario.c - the default demo scenarios and the tracer-backed sink.
 *
 * A simulation produces events far faster than real time, so the sink
 * flushes the tracer every so many events: the ring never fills and no
 * event is dropped. */
#include "demo/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SINK_BUFFER_BYTES (8u << 20)
#define SINK_FLUSH_EVERY  65536 /* well under the ring's capacity */

const char *ojo_demo_cc_name(ojo_demo_cc_algo cc)
{
	return cc == OJO_DEMO_CC_CUBIC ? "cubic" : "newreno";
}

/* What a default scenario changes from ojo_demo_config_init(); 0 keeps
 * the default. */
typedef struct scenario_spec {
	const char *name;
	ojo_demo_cc_algo cc;
	uint64_t bandwidth_bps, delay_ns;
	uint32_t queue_packets;
	double loss_rate;
	uint64_t outage_start_ns, outage_ns;
	uint32_t connections, streams;
	uint64_t bytes_per_stream, max_data, max_stream_data, app_read_bps;
	uint64_t conn_gap_ns, stream_gap_ns;
} scenario_spec;

static const scenario_spec default_specs[] = {
    /* a clean path: slow start, then a drop-tail overshoot or two */
    {.name = "clean",
     .bandwidth_bps = 50000000,
     .delay_ns = 10000000,
     .queue_packets = 200,
     .streams = 4,
     .bytes_per_stream = 2000000,
     .max_data = 4u << 20,
     .max_stream_data = 2u << 20,
     .stream_gap_ns = 50000000},
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
     .cc = OJO_DEMO_CC_CUBIC,
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

size_t ojo_demo_default_scenarios(uint64_t seed, ojo_demo_scenario *out,
				  size_t max)
{
	size_t n = sizeof(default_specs) / sizeof(default_specs[0]);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		const scenario_spec *sp = &default_specs[i];
		ojo_demo_config *c = &out[i].cfg;
		snprintf(out[i].name, sizeof(out[i].name), "%s", sp->name);
		ojo_demo_config_init(c);
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
	}
	return n;
}

void ojo_demo_describe(const ojo_demo_config *cfg, char *buf, size_t len)
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
		 ojo_demo_cc_name(cfg->cc),
		 (double)cfg->link.bandwidth_bps / 1e6,
		 (double)cfg->link.delay_ns / 1e6, cfg->link.loss_rate * 100, q,
		 outage);
}

typedef struct tracer_sink {
	ojo_tracer *t;
	uint64_t n;
	int flush_err;
} tracer_sink;

static int tracer_emit(void *user, const ojo_event *ev)
{
	tracer_sink *ts = user;
	int rc = ojo_record(ts->t, ev);
	if (++ts->n % SINK_FLUSH_EVERY == 0) {
		int frc = ojo_tracer_flush(ts->t);
		if (frc < 0)
			return frc;
	}
	return rc;
}

int ojo_demo_run_traced(const ojo_demo_config *cfg, const char *output_dir,
			ojo_demo_result *res, ojo_demo_trace_info *info)
{
	memset(info, 0, sizeof(*info));
	memset(res, 0, sizeof(*res));
	ojo_config tc;
	ojo_config_init(&tc);
	tc.output_dir = output_dir;
	tc.buffer_size = SINK_BUFFER_BYTES;
	tc.max_writers = 1;
	ojo_tracer *t = NULL;
	int rc = ojo_tracer_open(&tc, &t);
	if (rc < 0)
		return rc;
	snprintf(info->trace_name, sizeof(info->trace_name), "%s",
		 ojo_tracer_name(t));
	tracer_sink ts = {.t = t};
	ojo_demo_sink sink = {tracer_emit, &ts};
	rc = ojo_demo_run(cfg, &sink, res);
	int frc = ojo_tracer_flush(t);
	ojo_tracer_stats(t, &info->stats);
	int crc = ojo_tracer_close(t);
	if (rc == 0)
		rc = frc < 0 ? frc : crc;
	if (rc < 0)
		ojo_demo_result_free(res);
	return rc;
}
