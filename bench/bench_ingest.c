/* bench_ingest.c - end-to-end ingest throughput of the store, next to plain
 * SQLite baselines measured in the same run on the same corpus.
 *
 *   bench_ingest [EVENTS] [INDEX_BASELINE_EVENTS] [KEEP_DB]
 *
 * 1. Writes a corpus of EVENTS (default 10 million) events with the real
 *    libojo tracer into a temporary directory, in ~1 MiB batch files: a
 *    plausible mix of connections and streams (packets sent/acked/lost,
 *    byte ranges, cwnd, bytes in flight, RTT samples, stream links).
 * 2. Ingests every file with ingest_file() (what `ojo watch` does: one
 *    transaction per file with its ledger mark) into a fresh database.
 * 3. Baseline: the same rows inserted one at a time by a minimal prepared
 *    INSERT into a table without index, one transaction per file, same
 *    WAL + synchronous=NORMAL settings.
 * 4. Baseline: the same with a (flow, time) index maintained during the
 *    load, on the first INDEX_BASELINE_EVENTS events (default 2 million:
 *    it is slow).
 * Prints events/s of each and the ratios. With KEEP_DB, the database of
 * step 2 is moved there instead of deleted (a large test database). */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_ojo.h" /* tests/: temporary directory, listing .ojo files */
#include "ingest/ingest.h"
#include "ojo/ojo.h"
#include "ojo/reader.h"
#include "store/store.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_ingest: %s: %s\n", what, detail);
	exit(1);
}

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A connection of the simulated workload. */
typedef struct conn {
	uint32_t flow, stream_base;
	uint64_t pn, acked_pn, offset, acked_off, cwnd, inflight;
	int nstreams;
} conn;

#define NCONN	 24
#define PER_FILE 43690 /* ~1 MiB per batch file */

static void rec(ojo_tracer *t, uint64_t ts, uint32_t flow, uint32_t type,
		uint64_t payload, uint64_t *n, uint64_t *dropped)
{
	ojo_event e = {ts, flow, type, payload};
	if (ojo_record(t, &e) == -OJO_EDROPPED)
		(*dropped)++;
	(*n)++;
}

/* Writes about `total` events; returns how many were recorded. */
static uint64_t write_corpus(const char *dir, uint64_t total)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = 4u << 20;
	cfg.flush_interval_ms = 60000; /* we flush per batch ourselves */
	ojo_tracer *t;
	int rc = ojo_tracer_open(&cfg, &t);
	if (rc)
		die(dir, ojo_strerror(rc));
	conn c[NCONN];
	memset(c, 0, sizeof(c));
	uint64_t n = 0, dropped = 0, ts = 1000, since_flush = 0;
	uint32_t next_flow = 1;
	for (int i = 0; i < NCONN; i++) {
		c[i].flow = next_flow++;
		c[i].stream_base = next_flow;
		c[i].nstreams = 1 + (int)(rnd() % 4);
		next_flow += (uint32_t)c[i].nstreams;
		c[i].cwnd = 14720;
		for (int s = 0; s < c[i].nstreams; s++) {
			rec(t, ts, c[i].stream_base + (uint32_t)s,
			    OJO_EV_STREAM_OPENED, (uint64_t)s * 4, &n,
			    &dropped);
			rec(t, ts, c[i].stream_base + (uint32_t)s,
			    OJO_EV_STREAM_LINK, c[i].flow, &n, &dropped);
		}
	}
	while (n < total) {
		conn *k = &c[rnd() % NCONN];
		ts += 200 + rnd() % 800;
		uint32_t stream =
		    k->stream_base + (uint32_t)(rnd() % (uint64_t)k->nstreams);
		uint64_t before = n;
		/* send a packet */
		rec(t, ts, k->flow, OJO_EV_PACKET_SENT, k->pn++, &n, &dropped);
		rec(t, ts, stream, OJO_EV_DATA_SENT, OJO_RANGE(k->offset, 1200),
		    &n, &dropped);
		k->offset += 1200;
		k->inflight += 1252;
		rec(t, ts, k->flow, OJO_EV_BYTES_IN_FLIGHT, k->inflight, &n,
		    &dropped);
		/* an ACK about every other packet, a loss now and then */
		if (rnd() % 2 == 0 && k->acked_pn < k->pn) {
			if (rnd() % 50 == 0) {
				rec(t, ts + 10, k->flow,
				    OJO_EV_PACKET_LOST_THRESHOLD, k->acked_pn++,
				    &n, &dropped);
				k->cwnd =
				    k->cwnd / 2 > 2400 ? k->cwnd / 2 : 2400;
				rec(t, ts + 10, k->flow, OJO_EV_RECOVERY_STATE,
				    OJO_RS_RECOVERY, &n, &dropped);
			}
			while (k->acked_pn < k->pn) {
				rec(t, ts + 20, k->flow, OJO_EV_PACKET_ACKED,
				    k->acked_pn++, &n, &dropped);
				rec(t, ts + 20, stream, OJO_EV_DATA_ACKED,
				    OJO_RANGE(k->acked_off, 1200), &n,
				    &dropped);
				k->acked_off += 1200;
				k->inflight -= k->inflight >= 1252 ? 1252 : 0;
				k->cwnd += 1200;
			}
			rec(t, ts + 20, k->flow, OJO_EV_CWND, k->cwnd, &n,
			    &dropped);
			rec(t, ts + 20, k->flow, OJO_EV_RTT_SAMPLE,
			    20000000 + rnd() % 5000000, &n, &dropped);
			rec(t, ts + 20, k->flow, OJO_EV_SMOOTHED_RTT,
			    22000000 + rnd() % 1000000, &n, &dropped);
		}
		since_flush += n - before;
		if (since_flush >= PER_FILE) {
			if ((rc = ojo_tracer_flush(t)))
				die("flush", ojo_strerror(rc));
			since_flush = 0;
		}
	}
	ojo_tracer_close(t);
	if (dropped)
		fprintf(stderr,
			"bench_ingest: warning: %" PRIu64
			" events dropped while writing the corpus\n",
			dropped);
	return n;
}

static uint64_t ingest_store(const char *db, char **files, size_t n)
{
	store *s;
	char err[512];
	if (store_open_db(db, STORE_WRITE, &s, err, sizeof(err)))
		die(db, err);
	uint64_t events = 0;
	for (size_t i = 0; i < n; i++) {
		ingest_result res;
		int rc = ingest_file(s, files[i], &res);
		if (rc < 0)
			die(files[i], store_errmsg(s));
		if (res.status != STORE_FILE_INGESTED)
			die(files[i],
			    res.reason[0] ? res.reason : "not ingested");
		events += res.events;
	}
	store_close(s);
	return events;
}

static void sql(sqlite3 *h, const char *q)
{
	char *msg = NULL;
	if (sqlite3_exec(h, q, NULL, NULL, &msg) != SQLITE_OK)
		die(q, msg ? msg : "?");
}

/* The minimal row-at-a-time loader; stops after max_events. */
static uint64_t ingest_rows(const char *db, char **files, size_t n, bool index,
			    uint64_t max_events)
{
	sqlite3 *h;
	if (sqlite3_open(db, &h) != SQLITE_OK)
		die(db, sqlite3_errmsg(h));
	sql(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	       "CREATE TABLE ev(trace INTEGER, time_ns INTEGER, flow INTEGER,"
	       " type INTEGER, payload INTEGER)");
	if (index)
		sql(h, "CREATE INDEX ev_flow_time ON ev(flow, time_ns)");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, "INSERT INTO ev VALUES(?,?,?,?,?)", -1, &st,
			       NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(h));
	uint64_t events = 0;
	for (size_t i = 0; i < n && events < max_events; i++) {
		ojo_reader *r;
		ojo_reader_error e;
		if (ojo_reader_open(files[i], &r, &e))
			die(files[i], e.message);
		size_t m = ojo_reader_count(r);
		sql(h, "BEGIN");
		for (size_t j = 0; j < m; j++) {
			ojo_record_view v;
			ojo_reader_get(r, j, &v);
			sqlite3_bind_int64(st, 1, 1);
			sqlite3_bind_int64(st, 2, (int64_t)v.time_ns);
			sqlite3_bind_int64(st, 3, v.flow_id);
			sqlite3_bind_int64(st, 4, v.event_type);
			sqlite3_bind_int64(st, 5, (int64_t)v.payload);
			if (sqlite3_step(st) != SQLITE_DONE)
				die("insert", sqlite3_errmsg(h));
			sqlite3_reset(st);
		}
		sql(h, "COMMIT");
		events += m;
		ojo_reader_close(r);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return events;
}

static void rm_db(const char *db)
{
	char p[1100];
	remove(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	remove(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	remove(p);
}

static double file_mib(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (double)sb.st_size / (1 << 20) : 0;
}

/* One timed load of dir/name, removed afterwards. */
typedef struct load {
	uint64_t events;
	double secs, rate, db_mib;
} load;

/* Times the row-at-a-time baseline into dir/name. */
static load row_baseline(const char *dir, const char *name, char **files,
			 size_t n, bool index, uint64_t max_events)
{
	char db[700];
	load l;
	snprintf(db, sizeof(db), "%s/%s", dir, name);
	double a = now_s();
	l.events = ingest_rows(db, files, n, index, max_events);
	l.secs = now_s() - a;
	l.rate = (double)l.events / l.secs;
	l.db_mib = file_mib(db);
	rm_db(db);
	return l;
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	uint64_t idx_max = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
	char *dir = test_tmpdir();
	char trace_dir[600], out_dir[700], db[700];
	snprintf(trace_dir, sizeof(trace_dir), "%s/traces", dir);
	snprintf(out_dir, sizeof(out_dir), "%s/output", trace_dir);

	double t0 = now_s();
	uint64_t written = write_corpus(trace_dir, total);
	double t1 = now_s();
	size_t nfiles;
	char **files = test_ojo_files(out_dir, &nfiles);
	uint64_t corpus_bytes = 0;
	for (size_t i = 0; i < nfiles; i++) {
		struct stat sb;
		if (stat(files[i], &sb) == 0)
			corpus_bytes += (uint64_t)sb.st_size;
	}
	printf("corpus: %" PRIu64 " events in %zu files (%.2f MiB avg), "
	       "written by libojo in %.2f s\n",
	       written, nfiles,
	       nfiles ? (double)corpus_bytes / nfiles / (1 << 20) : 0.0,
	       t1 - t0);

	snprintf(db, sizeof(db), "%s/ojo.db", dir);
	double a = now_s();
	uint64_t ours = ingest_store(db, files, nfiles);
	double b = now_s();
	double ours_rate = (double)ours / (b - a);
	printf("ojo store (ojo_ingest_file, blocks):    %10.0f events/s"
	       "  (%" PRIu64 " events, %.2f s, db %.0f MiB)\n",
	       ours_rate, ours, b - a, file_mib(db));
	if (argc > 3 && rename(db, argv[3]) != 0)
		die(argv[3], strerror(errno));
	rm_db(db);

	load rows =
	    row_baseline(dir, "rows.db", files, nfiles, false, UINT64_MAX);
	printf("baseline: row inserts, no index:        %10.0f events/s"
	       "  (%" PRIu64 " rows, %.2f s, db %.0f MiB)\n",
	       rows.rate, rows.events, rows.secs, rows.db_mib);
	load irows =
	    row_baseline(dir, "rows_idx.db", files, nfiles, true, idx_max);
	printf("baseline: row inserts, (flow,time) index:%10.0f events/s"
	       "  (first %" PRIu64 " rows, %.2f s)\n",
	       irows.rate, irows.events, irows.secs);

	printf("ratio: ojo / no-index baseline = %.2fx (target >= 1.3x), "
	       "ojo / indexed baseline = %.1fx; target >= 2000000 events/s: "
	       "%s\n",
	       ours_rate / rows.rate, ours_rate / irows.rate,
	       ours_rate >= 2e6 ? "met" : "NOT met");
	test_free_list(files, nfiles);
	test_rmtree(dir);
	free(dir);
	return 0;
}
