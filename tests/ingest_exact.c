/* ingest_exact.c - a run recorded with libojo's public API (a tiny ring,
 * so events are dropped) and ingested by the watcher's --once path holds
 * exactly what the writer recorded: every accepted event with its flow,
 * type, absolute time and payload; per-flow counts; stream -> connection
 * links; the dropped total; the user types of its schema. Ingesting again
 * changes nothing. */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest_common.h"
#include "ojo/ojo.h"

typedef struct tuple {
	uint32_t flow, type;
	int64_t time;
	uint64_t payload;
} tuple;

static int cmp_tuple(const void *a, const void *b)
{
	const tuple *x = a, *y = b;
	if (x->flow != y->flow)
		return x->flow < y->flow ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->payload > y->payload) - (x->payload < y->payload);
}

static const char schema[] =
    "[{\"type\": 65536, \"name\": \"handshake_done\", \"category\": \"tls\","
    " \"description\": \"TLS handshake completed\","
    " \"payload_kind\": \"duration_ns\", \"unit\": \"ns\"}]";

enum { BURST = 300000, NFLOWS = 5 };

static int64_t q1(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	st = test_sql_prepare(db, sql);
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL
			? -2
			: sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every stored event of flows 1..NFLOWS, decoded from the blocks. */
static size_t db_tuples(sqlite3 *db, tuple *out, size_t cap)
{
	sqlite3_stmt *st;
	size_t n = 0;
	st = test_sql_prepare(db, "SELECT f.flow_id, b.type, b.n, b.data FROM "
				  "blocks b JOIN flows f USING(flow_key) WHERE "
				  "f.flow_id <> 0");
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint32_t flow = (uint32_t)sqlite3_column_int64(st, 0);
		uint32_t type = (uint32_t)sqlite3_column_int64(st, 1);
		int64_t m = sqlite3_column_int64(st, 2);
		const unsigned char *d = sqlite3_column_blob(st, 3);
		CHECK_EQ(sqlite3_column_bytes(st, 3), m * 16);
		for (int64_t i = 0; i < m; i++) {
			CHECK(n < cap);
			out[n++] =
			    (tuple){flow, type, (int64_t)itest_le64(d + 16 * i),
				    itest_le64(d + 16 * i + 8)};
		}
	}
	sqlite3_finalize(st);
	return n;
}

int main(void)
{
	char *tmp = test_tmpdir(), out_dir[600], db_path[600], trace[64];
	tuple *want = calloc(BURST + 64, sizeof(*want));
	tuple *got = calloc(BURST + 64, sizeof(*got));
	size_t n_want = 0;
	uint64_t per_flow[NFLOWS + 1] = {0}, dropped = 0;
	ojo_config cfg;
	ojo_tracer *t;
	ojo_stats st;

	CHECK(want && got);
	snprintf(out_dir, sizeof(out_dir), "%s/traces/output", tmp);
	snprintf(db_path, sizeof(db_path), "%s/traces.db", tmp);
	ojo_config_init(&cfg);
	snprintf(trace, sizeof(trace), "%s/traces", tmp);
	cfg.output_dir = trace;
	cfg.buffer_size = 16384; /* a small ring: bursts must drop */
	cfg.flush_interval_ms = 2;
	cfg.schema_json = schema;
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	snprintf(trace, sizeof(trace), "%s", ojo_tracer_name(t));
	int64_t epoch = strtoll(trace, NULL, 10);

	/* streams 2, 3 belong to connection 1; stream 5 to connection 4 */
	static const uint32_t link[][2] = {{2, 1}, {3, 1}, {5, 4}};
	for (int i = 0; i < 3; i++) {
		ojo_event ev = {.timestamp_ns = 10 + (uint64_t)i,
				.flow_id = link[i][0],
				.event_type = OJO_EV_STREAM_LINK,
				.payload = link[i][1]};
		CHECK_EQ(ojo_record(t, &ev), 0);
		want[n_want++] =
		    (tuple){ev.flow_id, ev.event_type,
			    epoch + (int64_t)ev.timestamp_ns, ev.payload};
		per_flow[ev.flow_id]++;
	}
	CHECK_EQ(ojo_tracer_flush(t), 0);
	static const uint32_t types[] = {OJO_EV_PACKET_SENT,
					 OJO_EV_PACKET_ACKED, OJO_EV_CWND,
					 OJO_EV_DATA_SENT, OJO_EV_USER_BASE};
	for (uint64_t i = 0; i < BURST; i++) {
		ojo_event ev = {
		    .timestamp_ns = 1000 + i * 97 + (itest_mix(i) & 63),
		    .flow_id = 1 + (uint32_t)(itest_mix(i ^ 5) % NFLOWS),
		    .event_type = types[i % 5],
		    .payload = itest_mix(i)};
		if (i % 10000 == 0) /* drops are reported in the next batch */
			CHECK_EQ(ojo_tracer_flush(t), 0);
		int rc = ojo_record(t, &ev);
		if (rc == -OJO_EDROPPED) {
			dropped++;
			continue;
		}
		CHECK_EQ(rc, 0);
		want[n_want++] =
		    (tuple){ev.flow_id, ev.event_type,
			    epoch + (int64_t)ev.timestamp_ns, ev.payload};
		per_flow[ev.flow_id]++;
	}
	CHECK_EQ(ojo_tracer_close(t), 0);
	(void)st;
	fprintf(stderr, "ingest_exact: %zu events accepted, %llu dropped\n",
		n_want, (unsigned long long)dropped);
	CHECK(dropped > 0);

	itest_watch_once(out_dir, db_path, 0, true);

	sqlite3 *db = test_sql_open(db_path, SQLITE_OPEN_READONLY);
	CHECK_EQ(q1(db, "SELECT count(*) FROM traces WHERE ?1=?1", 0), 1);
	sqlite3_stmt *s = test_sql_prepare(
	    db, "SELECT name, pid, dropped, source FROM traces");
	CHECK(sqlite3_step(s) == SQLITE_ROW);
	CHECK(!strcmp((const char *)sqlite3_column_text(s, 0), trace));
	CHECK_EQ(sqlite3_column_int64(s, 1), getpid());
	CHECK_EQ(sqlite3_column_int64(s, 2), dropped);
	CHECK(!strcmp((const char *)sqlite3_column_text(s, 3), "ojo"));
	sqlite3_finalize(s);

	for (uint32_t f = 1; f <= NFLOWS; f++)
		CHECK_EQ(
		    q1(db, "SELECT n_events FROM flows WHERE flow_id=?", f),
		    per_flow[f]);
	int64_t key1 = q1(db, "SELECT flow_key FROM flows WHERE flow_id=?", 1);
	int64_t key4 = q1(db, "SELECT flow_key FROM flows WHERE flow_id=?", 4);
	const char *parent = "SELECT parent_key FROM flows WHERE flow_id=?";
	CHECK_EQ(q1(db, parent, 2), key1);
	CHECK_EQ(q1(db, parent, 3), key1);
	CHECK_EQ(q1(db, parent, 5), key4);
	CHECK_EQ(q1(db, parent, 1), -2); /* NULL: a connection */
	CHECK_EQ(q1(db, parent, 4), -2);
	CHECK_EQ(q1(db,
		    "SELECT count(*) FROM event_types WHERE type=? AND "
		    "name='handshake_done' AND payload_kind='duration_ns'",
		    OJO_EV_USER_BASE),
		 1);
	CHECK_EQ(q1(db,
		    "SELECT count(*) FROM files WHERE status<>'ingested' "
		    "AND ?1=?1",
		    0),
		 0);

	size_t n_got = db_tuples(db, got, BURST + 64);
	CHECK_EQ(n_got, n_want);
	qsort(want, n_want, sizeof(*want), cmp_tuple);
	qsort(got, n_got, sizeof(*got), cmp_tuple);
	for (size_t i = 0; i < n_want; i++)
		if (cmp_tuple(&want[i], &got[i])) {
			fprintf(
			    stderr,
			    "event %zu differs: flow %u type %u t %lld p "
			    "%llu, want flow %u type %u t %lld p %llu\n",
			    i, got[i].flow, got[i].type, (long long)got[i].time,
			    (unsigned long long)got[i].payload, want[i].flow,
			    want[i].type, (long long)want[i].time,
			    (unsigned long long)want[i].payload);
			return 1;
		}
	int64_t blocks = q1(db, "SELECT count(*) FROM blocks WHERE ?1=?1", 0);

	/* a second pass finds everything in the ledger */
	itest_watch_once(out_dir, db_path, 0, true);
	CHECK_EQ(q1(db, "SELECT count(*) FROM blocks WHERE ?1=?1", 0), blocks);
	CHECK_EQ(db_tuples(db, got, BURST + 64), n_want);
	sqlite3_close(db);
	test_rmtree(tmp);
	free(tmp);
	free(want);
	free(got);
	printf("ingest_exact: ok (%zu events, %llu dropped)\n", n_want,
	       (unsigned long long)dropped);
	return 0;
}
