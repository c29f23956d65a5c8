/* qlog_cases.c - the mapping rules of docs/QLOG.md one by one, on small
 * hand-written qlog files: connections split by group_id, delta/absolute
 * times and units, epoch references, retransmissions, newly acknowledged
 * packets only, loss triggers, FIN acknowledgement, flow-control limits in
 * each direction, metrics units, a bad record in the middle of a JSON-SEQ
 * file, and a time-window CSV/JSON export. */
#include <cjson/cJSON.h>

#include "export/export.h"
#include "qlog_util.h"

static char dir[4096];

/* Imports text as a file into a fresh database; returns the store. */
static store *import_text(const char *name, const char *text, qlog_report *rep)
{
	char path[4200], db[4200], err[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(db, sizeof(db), "%s/%s.db", dir, name);
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
	store *s = tq_open(db);
	int rc = tq_import(s, path, rep, err, sizeof(err));
	TQ_CHECK(rc == 0, "%s: import failed: %s", name, err);
	return s;
}

typedef struct collect {
	uint32_t flow, type;
	int64_t t[64];
	uint64_t p[64];
	int n;
} collect;

static int collect_cb(void *ctx, const store_event_row *e)
{
	collect *c = ctx;
	if (e->flow_id == c->flow && e->type == c->type && c->n < 64) {
		c->t[c->n] = e->time_ns;
		c->p[c->n++] = e->payload;
	}
	return 0;
}

/* Events of one (flow, type) of the first trace. */
static collect get(store *s, uint32_t flow, uint32_t type)
{
	collect c = {.flow = flow, .type = type};
	tq_trace_list tl = {0};
	store_event_query f;
	store_traces(s, 0, tq_trace_cb, &tl);
	f = (store_event_query){.trace_id = tl.n ? tl.ids[0] : 0,
				.from_ns = INT64_MIN,
				.to_ns = INT64_MAX};
	store_events(s, &f, collect_cb, &c);
	return c;
}

#define HDR_SEQ(tf, ref, extra)                                                \
	"\x1e{\"qlog_format\":\"JSON-SEQ\",\"qlog_version\":\"0.3\","          \
	"\"trace\":"                                                           \
	"{\"vantage_point\":{\"type\":\"server\"},\"common_fields\":{\"time_"  \
	"format\":\"" tf "\",\"reference_time\":" ref extra "}}}\n"

static void transport_rules(void)
{
	qlog_report rep;
	const char *text = HDR_SEQ("relative", "0", ",\"group_id\":\"c1\"")
	    /* pn 0: stream 0 [0,1000); pn 1: [1000,2000) with FIN */
	    "\x1e{\"time\":1,\"name\":\"transport:packet_sent\",\"data\":{"
	    "\"header\":{\"packet_type\":\"1RTT\",\"packet_number\":0},"
	    "\"frames\":[{\"frame_type\":\"stream\",\"stream_id\":0,"
	    "\"offset\":0,\"length\":1000},{\"frame_type\":\"max_data\","
	    "\"maximum\":5000}]}}\n"
	    "\x1e{\"time\":1,\"name\":\"transport:packet_sent\",\"data\":{"
	    "\"header\":{\"packet_number\":1},\"frames\":[{\"frame_type\":"
	    "\"stream\",\"stream_id\":0,\"offset\":1000,\"length\":1000,"
	    "\"fin\":true}]}}\n"
	    /* a record that is not JSON: skipped and counted */
	    "\x1e{\"time\":2,\"name\":\n"
	    /* pn 1 lost by time; its range goes out again in pn 2, half
	       overlapping new data */
	    "\x1e{\"time\":3,\"name\":\"recovery:packet_lost\",\"data\":{"
	    "\"header\":{\"packet_number\":1},\"trigger\":\"time_"
	    "threshold\"}}\n"
	    "\x1e{\"time\":4,\"name\":\"transport:packet_sent\",\"data\":{"
	    "\"header\":{\"packet_number\":2},\"frames\":[{\"frame_type\":"
	    "\"stream\",\"stream_id\":0,\"offset\":1500,\"length\":1000,"
	    "\"fin\":true}]}}\n"
	    /* ACK 0-2 then again 0-2: acknowledged once each */
	    "\x1e{\"time\":5,\"name\":\"transport:packet_received\",\"data\""
	    ":{\"header\":{\"packet_number\":0},\"frames\":[{\"frame_type\":"
	    "\"ack\",\"acked_ranges\":[[0,2]]},{\"frame_type\":\"max_"
	    "stream_data\",\"stream_id\":0,\"maximum\":9000},{\"frame_type\":"
	    "\"stream\",\"stream_id\":1,\"offset\":0,\"length\":7}]}}\n"
	    "\x1e{\"time\":6,\"name\":\"transport:packet_received\",\"data\""
	    ":{\"header\":{\"packet_number\":1},\"frames\":[{\"frame_type\":"
	    "\"ack\",\"acked_ranges\":[[0,2]]}]}}\n"
	    "\x1e{\"time\":7,\"name\":\"recovery:metrics_updated\",\"data\":"
	    "{\"congestion_window\":12000,\"smoothed_rtt\":10.5,\"pacing_"
	    "rate\":8000,\"pto_count\":1}}\n"
	    "\x1e{\"time\":8,\"name\":\"recovery:congestion_state_updated\","
	    "\"data\":{\"new\":\"recovery\"}}\n"
	    "\x1e{\"time\":9,\"name\":\"security:key_updated\",\"data\":{}}\n";
	store *s = import_text("rules.sqlog", text, &rep);
	TQ_CHECK(rep.bad_records == 1, "bad records %llu",
		 (unsigned long long)rep.bad_records);
	TQ_CHECK(rep.events_total == 9 && rep.events_unmapped == 1 &&
		     rep.n_unmapped_names == 1 &&
		     !strcmp(rep.unmapped[0].name, "security:key_updated"),
		 "report: %llu events, %llu unmapped",
		 (unsigned long long)rep.events_total,
		 (unsigned long long)rep.events_unmapped);
	/* flow 1 = connection, 2 = stream 0, 3 = stream 1 */
	collect c = get(s, 2, OJO_EV_DATA_SENT);
	TQ_CHECK(c.n == 3 && OJO_RANGE_OFFSET(c.p[2]) == 2000 &&
		     OJO_RANGE_LENGTH(c.p[2]) == 500,
		 "data sent: %d events", c.n);
	c = get(s, 2, OJO_EV_DATA_RETRANSMITTED);
	TQ_CHECK(c.n == 1 && OJO_RANGE_OFFSET(c.p[0]) == 1500 &&
		     OJO_RANGE_LENGTH(c.p[0]) == 500,
		 "retransmitted: %d events", c.n);
	c = get(s, 1, OJO_EV_PACKET_ACKED);
	TQ_CHECK(c.n == 3, "acked %d packets, expected 3 (once each)", c.n);
	c = get(s, 1, OJO_EV_PACKET_LOST_TIMEOUT);
	TQ_CHECK(c.n == 1 && c.p[0] == 1, "lost by timeout: %d", c.n);
	c = get(s, 2, OJO_EV_DATA_LOST);
	TQ_CHECK(c.n == 1 && OJO_RANGE_OFFSET(c.p[0]) == 1000, "data lost %d",
		 c.n);
	c = get(s, 2, OJO_EV_STREAM_FIN_ACKED);
	/* the first FIN acknowledged: pn 1's (lost, then acked late) */
	TQ_CHECK(c.n == 1 && c.p[0] == 2000, "fin acked %d", c.n);
	c = get(s, 2, OJO_EV_STREAM_FIN_SENT);
	TQ_CHECK(c.n == 2, "fin sent %d", c.n);
	c = get(s, 1, QLOG_EV_MAX_DATA_ADVERTISED);
	TQ_CHECK(c.n == 1 && c.p[0] == 5000, "max data advertised %d", c.n);
	c = get(s, 2, OJO_EV_MAX_STREAM_DATA);
	TQ_CHECK(c.n == 1 && c.p[0] == 9000, "max stream data %d", c.n);
	c = get(s, 3, OJO_EV_DATA_RECEIVED);
	TQ_CHECK(c.n == 1 && OJO_RANGE_LENGTH(c.p[0]) == 7, "received %d", c.n);
	c = get(s, 1, OJO_EV_SMOOTHED_RTT);
	TQ_CHECK(c.n == 1 && c.p[0] == 10500000, "srtt %llu ns",
		 c.n ? (unsigned long long)c.p[0] : 0ull);
	c = get(s, 1, OJO_EV_PACING_RATE);
	TQ_CHECK(c.n == 1 && c.p[0] == 1000, "pacing %d", c.n);
	c = get(s, 1, OJO_EV_RECOVERY_STATE);
	TQ_CHECK(c.n == 1 && c.p[0] == OJO_RS_RECOVERY, "state %d", c.n);
	/* two packets at t=1 ms: 1 ns apart, in file order */
	c = get(s, 1, OJO_EV_PACKET_SENT);
	TQ_CHECK(c.n == 3 && c.t[0] == 1000000 && c.t[1] == 1000001,
		 "times %lld %lld", (long long)c.t[0], (long long)c.t[1]);

	/* export of a window: only events within it, as CSV and JSON */
	char path[4200], err[256];
	export_opts o;
	export_opts_init(&o);
	o.format = EXPORT_JSON;
	o.from_ns = 3000000;
	o.to_ns = 5999999;
	snprintf(path, sizeof(path), "%s/win.json", dir);
	FILE *f = fopen(path, "w+");
	TQ_CHECK(export_write(s, &o, f, err, sizeof(err)) == 0, "export: %s",
		 err);
	fflush(f);
	long len = ftell(f);
	char *buf = calloc(1, (size_t)len + 1);
	rewind(f);
	TQ_CHECK(fread(buf, 1, (size_t)len, f) == (size_t)len, "read back");
	fclose(f);
	cJSON *arr = cJSON_Parse(buf), *e;
	TQ_CHECK(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 5,
		 "window export is not a JSON array of events");
	cJSON_ArrayForEach(e, arr)
	{
		double t = cJSON_GetObjectItem(e, "time_ns")->valuedouble;
		TQ_CHECK(t >= 3000000 && t <= 5999999, "event at %.0f outside",
			 t);
	}
	cJSON_Delete(arr);
	free(buf);
	store_close(s);
}

static void connections_and_times(void)
{
	qlog_report rep;
	/* NDJSON, delta times in us, events naming their connection */
	const char *text =
	    "{\"qlog_format\":\"NDJSON\",\"qlog_version\":\"draft-02\","
	    "\"trace\":{\"configuration\":{\"time_units\":\"us\"},"
	    "\"common_fields\":{\"time_format\":\"delta\",\"reference_time\""
	    ":\"1700000000.5\"}}}\n"
	    "{\"time\":100,\"name\":\"transport:packet_sent\",\"group_id\":"
	    "\"a\",\"data\":{\"header\":{\"packet_number\":0}}}\n"
	    "{\"time\":50,\"name\":\"transport:packet_sent\",\"group_id\":"
	    "\"b\",\"data\":{\"header\":{\"packet_number\":0}}}\n"
	    "{\"time\":25,\"name\":\"transport:packet_sent\",\"group_id\":"
	    "\"a\",\"data\":{\"header\":{\"packet_number\":1}}}\n";
	store *s = import_text("groups.qlog", text, &rep);
	tq_trace_list tl = {0};
	store_traces(s, 0, tq_trace_cb, &tl);
	tq_conns *cs = malloc(sizeof(*cs));
	TQ_CHECK(tl.n == 1 && tq_summarize(s, tl.ids[0], cs) == 0 && cs->n == 2,
		 "group_id split: %d connections", cs->n);
	if (cs->n == 2) {
		TQ_CHECK(!strcmp(cs->c[0].label, "a") && cs->c[0].sent == 2 &&
			     !strcmp(cs->c[1].label, "b") && cs->c[1].sent == 1,
			 "connections %s/%llu %s/%llu", cs->c[0].label,
			 (unsigned long long)cs->c[0].sent, cs->c[1].label,
			 (unsigned long long)cs->c[1].sent);
		/* epoch seconds + 100 us, + 50, + 25 (deltas) */
		int64_t ref = 1700000000500000000LL;
		TQ_CHECK(cs->c[0].first_ns == ref + 100000 &&
			     cs->c[0].last_ns == ref + 175000 &&
			     cs->c[1].first_ns == ref + 150000,
			 "delta times %lld %lld %lld",
			 (long long)(cs->c[0].first_ns - ref),
			 (long long)(cs->c[0].last_ns - ref),
			 (long long)(cs->c[1].first_ns - ref));
	}
	free(cs);
	store_close(s);

	/* absolute times; newest schema reference object with an epoch */
	text = "\x1e{\"file_schema\":\"urn:ietf:params:qlog:file:sequential\","
	       "\"trace\":{\"common_fields\":{\"time_format\":\"relative_to_"
	       "epoch\",\"reference_time\":{\"clock_type\":\"system\",\"epoch"
	       "\":\"1970-01-01T00:00:00.000Z\"}}}}\n"
	       "\x1e{\"time\":1700000000123.25,\"name\":\"quic:packet_sent\","
	       "\"data\":{\"header\":{\"packet_number\":3}}}\n";
	s = import_text("epoch.sqlog", text, &rep);
	collect c = get(s, 1, OJO_EV_PACKET_SENT);
	TQ_CHECK(c.n == 1 && c.t[0] == 1700000000123250000LL && c.p[0] == 3,
		 "epoch time %lld", c.n ? (long long)c.t[0] : 0ll);
	store_close(s);
}

int main(void)
{
	tq_tmpdir(dir, sizeof(dir));
	transport_rules();
	connections_and_times();
	tq_rmrf(dir);
	printf("%d passed, %d failed\n", tq_failures ? 0 : 2,
	       tq_failures ? 1 : 0);
	return tq_failures ? 1 : 0;
}
