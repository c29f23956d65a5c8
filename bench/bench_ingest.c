/* bench_ingest.c - end-to-end ingest throughput of the store, next to plain
 * SQLite baselines measured in the same run on the same corpus.
 *
 *   bench_ingest [EVENTS] [INDEX_BASELINE_EVENTS] [KEEP_DB]
 *
 * 1. Writes a corpus of EVENTS (default 10 million) events with the real
 *    libojo tracer into a temporary directory, in ~1 MiB batch files: a
 *    plausible mix of connections and streams (packets sent/acked/lost,
 *    byte ranges, cwnd, bytes in flight, RTT samples, stream links).
 * 2. Ingests every file with ojo_ingest_file() (what `ojo watch` does: one
 *    transaction per file with its ledger mark) into a fresh database.
 * 3. Baseline: the same rows inserted one at a time by a minimal prepared
 *    INSERT into a table without index, one transaction per file, same
 *    WAL + synchronous=NORMAL settings.
 * 4. Baseline: the same with a (flow, time) index maintained during the
 *    load, on the first INDEX_BASELINE_EVENTS events (default 2 million:
 *    it is slow).
 * Prints events/s of each and the ratios. With KEEP_DB, the database of
 * step 2 is moved there instead of deleted (a large test database). */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted paths of the .ojo files in dir/output. */
static char **list_files(const char *dir, size_t *n)
{
	char out[1024];
	snprintf(out, sizeof(out), "%s/output", dir);
	DIR *d = opendir(out);
	if (!d)
		die(out, strerror(errno));
	char **v = NULL;
	size_t k = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".ojo"))
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("list", "out of memory");
		}
		char p[1400];
		snprintf(p, sizeof(p), "%s/%s", out, de->d_name);
		v[k++] = strdup(p);
	}
	closedir(d);
	qsort(v, k, sizeof(*v), cmp_str);
	*n = k;
	return v;
}

static uint64_t ingest_store(const char *db, char **files, size_t n)
{
	ojo_store *s;
	char err[512];
	if (ojo_store_open(db, OJO_STORE_READWRITE, &s, err, sizeof(err)))
		die(db, err);
	uint64_t events = 0;
	for (size_t i = 0; i < n; i++) {
		ojo_ingest_result res;
		int rc = ojo_ingest_file(s, files[i], &res);
		if (rc < 0)
			die(files[i], ojo_store_errmsg(s));
		if (res.status != OJO_FILE_INGESTED)
			die(files[i],
			    res.reason[0] ? res.reason : "not ingested");
		events += res.events;
	}
	ojo_store_close(s);
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

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
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

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	uint64_t idx_max = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
	const char *base = getenv("TMPDIR");
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/ojo-bench-ingest-XXXXXX",
		 base ? base : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp", strerror(errno));
	char trace_dir[600], db[700];
	snprintf(trace_dir, sizeof(trace_dir), "%s/traces", dir);

	double t0 = now_s();
	uint64_t written = write_corpus(trace_dir, total);
	double t1 = now_s();
	size_t nfiles;
	char **files = list_files(trace_dir, &nfiles);
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

	snprintf(db, sizeof(db), "%s/rows.db", dir);
	a = now_s();
	uint64_t rows = ingest_rows(db, files, nfiles, false, UINT64_MAX);
	b = now_s();
	double rows_rate = (double)rows / (b - a);
	printf("baseline: row inserts, no index:        %10.0f events/s"
	       "  (%" PRIu64 " rows, %.2f s, db %.0f MiB)\n",
	       rows_rate, rows, b - a, file_mib(db));
	rm_db(db);

	snprintf(db, sizeof(db), "%s/rows_idx.db", dir);
	a = now_s();
	uint64_t irows = ingest_rows(db, files, nfiles, true, idx_max);
	b = now_s();
	double irows_rate = (double)irows / (b - a);
	printf("baseline: row inserts, (flow,time) index:%10.0f events/s"
	       "  (first %" PRIu64 " rows, %.2f s)\n",
	       irows_rate, irows, b - a);
	rm_db(db);

	printf("ratio: ojo / no-index baseline = %.2fx (target >= 1.3x), "
	       "ojo / indexed baseline = %.1fx; target >= 2000000 events/s: "
	       "%s\n",
	       ours_rate / rows_rate, ours_rate / irows_rate,
	       ours_rate >= 2e6 ? "met" : "NOT met");
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
