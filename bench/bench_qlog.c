/* bench_qlog.c - qlog import throughput (issue 5).
 *
 * Generates a qlog-like NDJSON trace of at least 100 MB (packets sent with
 * STREAM frames, packets received with ACK frames, metrics updates, some
 * losses: what real traces are made of) and a JSON-SEQ copy, then, in the
 * same run, measures:
 *   baseline: the same bytes split into records and parsed by cJSON, the
 *             JSON library the importer uses, with no database;
 *   import:   qlog_import() into a fresh SQLite database, committed.
 * Each is run 3 times, interleaved; the best of each is printed.
 * Target: import at no less than half the parse-only speed.
 * Usage: bench_qlog [MB] (default 110). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qlog/qlog.h"
#include "store/store.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the trace; returns its number of events. */
static uint64_t generate(const char *path, bool seq, size_t target)
{
	FILE *f = fopen(path, "w");
	const char *rs = seq ? "\x1e" : "";
	uint64_t events = 0, pn = 0, off[8] = {0};
	size_t bytes = 0;
	double t = 0;
	if (!f) {
		perror(path);
		exit(1);
	}
	bytes += (size_t)fprintf(
	    f,
	    "%s{\"qlog_format\":\"%s\",\"qlog_version\":\"0.3\",\"trace\":{"
	    "\"vantage_point\":{\"name\":\"bench\",\"type\":\"server\"},"
	    "\"common_fields\":{\"protocol_type\":[\"QUIC\"],\"time_format\":"
	    "\"relative\",\"reference_time\":1700000000000,\"group_id\":"
	    "\"5e5cc16581f65953bd8df632de936cfb2711\"}}}\n",
	    rs, seq ? "JSON-SEQ" : "NDJSON");
	while (bytes < target) {
		int sid = (int)(pn % 8) * 4;
		t += 0.013;
		bytes += (size_t)fprintf(
		    f,
		    "%s{\"time\":%.3f,\"name\":\"transport:packet_sent\","
		    "\"data\":{\"frames\":[{\"frame_type\":\"stream\","
		    "\"stream_id\":%d,\"offset\":%llu,\"length\":1159}],"
		    "\"header\":{\"packet_type\":\"1RTT\",\"packet_number\":"
		    "%llu},\"raw\":{\"length\":1200}}}\n",
		    rs, t, sid, (unsigned long long)off[pn % 8],
		    (unsigned long long)pn);
		off[pn % 8] += 1159;
		events++;
		if (pn % 2 == 1) {
			bytes += (size_t)fprintf(
			    f,
			    "%s{\"time\":%.3f,\"name\":\"transport:packet_"
			    "received\",\"data\":{\"frames\":[{\"frame_type\""
			    ":\"ack\",\"ack_delay\":0,\"acked_ranges\":[[%llu,"
			    "%llu]]}],\"header\":{\"packet_type\":\"1RTT\","
			    "\"packet_number\":%llu},\"raw\":{\"length\":42}}}"
			    "\n",
			    rs, t, (unsigned long long)(pn - 1),
			    (unsigned long long)pn,
			    (unsigned long long)(pn / 2));
			bytes += (size_t)fprintf(
			    f,
			    "%s{\"time\":%.3f,\"name\":\"recovery:metrics_"
			    "updated\",\"data\":{\"min_rtt\":46,\"smoothed_"
			    "rtt\":47,\"latest_rtt\":50,\"rtt_variance\":14,"
			    "\"pto_count\":0,\"congestion_window\":%llu,"
			    "\"bytes_in_flight\":%llu}}\n",
			    rs, t, (unsigned long long)(15000 + pn % 30000),
			    (unsigned long long)(pn % 20000));
			events += 2;
		}
		if (pn % 97 == 50) {
			bytes += (size_t)fprintf(
			    f,
			    "%s{\"time\":%.3f,\"name\":\"recovery:packet_"
			    "lost\",\"data\":{\"header\":{\"packet_type\":"
			    "\"1RTT\",\"packet_number\":%llu}}}\n",
			    rs, t, (unsigned long long)pn);
			events++;
		}
		pn++;
	}
	fclose(f);
	return events;
}

/* Parse-only baseline: read, split, cJSON_Parse each record. */
static uint64_t parse_only(const char *path, bool seq)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4 << 20, len = 0, n;
	char *buf = malloc(cap);
	uint64_t records = 0;
	char delim = seq ? 0x1e : '\n';
	while ((n = fread(buf + len, 1, cap - len, f)) > 0 || len) {
		len += n;
		char *p = buf, *end = buf + len, *q;
		while ((q = memchr(p, delim, (size_t)(end - p)))) {
			if (q > p) {
				cJSON *j =
				    cJSON_ParseWithLength(p, (size_t)(q - p));
				records += j != NULL;
				cJSON_Delete(j);
			}
			p = q + 1;
		}
		if (n == 0) {
			if (end > p) {
				cJSON *j =
				    cJSON_ParseWithLength(p, (size_t)(end - p));
				records += j != NULL;
				cJSON_Delete(j);
			}
			break;
		}
		len = (size_t)(end - p);
		memmove(buf, p, len);
	}
	free(buf);
	fclose(f);
	return records;
}

static int import(const char *db, const char *path, qlog_report *rep)
{
	char err[512];
	store *s;
	int rc;
	if (store_open_db(db, STORE_WRITE, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_qlog: %s: %s\n", db, err);
		return -1;
	}
	store_file_info fi = {
	    .path = path, .format = "qlog", .status = STORE_FILE_INGESTED};
	if ((rc = store_begin(s)) < 0 ||
	    (rc = qlog_import(s, path, rep, err, sizeof(err))) < 0 ||
	    (fi.events = rep->ojo_events, (rc = store_file_done(s, &fi)) < 0) ||
	    (rc = store_commit(s)) < 0) {
		fprintf(stderr, "bench_qlog: import: %s %s\n", err,
			store_errmsg(s));
		store_close(s);
		return -1;
	}
	store_close(s);
	return 0;
}

static void one(const char *dir, bool seq, size_t target)
{
	char path[4200], db[4200];
	struct stat st;
	qlog_report rep;
	snprintf(path, sizeof(path), "%s/trace.%s", dir,
		 seq ? "sqlog" : "qlog");
	snprintf(db, sizeof(db), "%s/bench.db", dir);
	uint64_t events = generate(path, seq, target);
	stat(path, &st);
	double mb = (double)st.st_size / 1e6;

	/* best of 3, interleaved: this machine is shared, and the best run
	   is the one least disturbed by others */
	double t_parse = 1e30, t_imp = 1e30;
	uint64_t recs = 0;
	for (int k = 0; k < 3; k++) {
		double t0 = now_s();
		recs = parse_only(path, seq);
		double t = now_s() - t0;
		if (t < t_parse)
			t_parse = t;
		remove(db);
		t0 = now_s();
		if (import(db, path, &rep) < 0)
			exit(1);
		t = now_s() - t0;
		if (t < t_imp)
			t_imp = t;
	}
	if (rep.events_total != events || recs != events + 1) {
		fprintf(stderr,
			"bench_qlog: event counts differ (%llu, %llu, "
			"%llu)\n",
			(unsigned long long)rep.events_total,
			(unsigned long long)recs, (unsigned long long)events);
		exit(1);
	}
	printf("%-8s %.1f MB, %llu qlog events -> %llu Ojo events\n",
	       seq ? "JSON-SEQ" : "NDJSON", mb, (unsigned long long)events,
	       (unsigned long long)rep.ojo_events);
	printf("  baseline cJSON parse only: %7.1f MB/s %9.0f events/s\n",
	       mb / t_parse, (double)events / t_parse);
	printf("  ojo_qlog_import + commit:  %7.1f MB/s %9.0f events/s"
	       "  (%.2fx parse-only; target >= 0.5x)\n",
	       mb / t_imp, (double)events / t_imp, t_parse / t_imp);
	remove(path);
	remove(db);
	char wal[4300];
	snprintf(wal, sizeof(wal), "%s-wal", db);
	remove(wal);
	snprintf(wal, sizeof(wal), "%s-shm", db);
	remove(wal);
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 110;
	char dir[] = "/tmp/ojo-bench-qlog-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	one(dir, false, mb * 1000000);
	one(dir, true, mb * 1000000);
	rmdir(dir);
	return 0;
}
