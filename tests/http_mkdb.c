/* http_mkdb.c - builds the database the HTTP tests and bench_serve use:
 * records a plausible QUIC-like transfer with libojo (public API), then
 * ingests the trace files with ingest_file, the code `ojo watch` uses.
 *
 *   http_mkdb DIR [BIG_EVENTS [FILLER_EVENTS [DB]]]
 * writes the trace files under DIR/traces/output/ and DIR/ojo.db (or
 * appends them to DB). BIG_EVENTS adds a flow
 * (id 100) with that many cwnd events; FILLER_EVENTS spreads that many
 * more over 200 connections. Prints "events N" (recorded) on stdout. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ojo/ojo.h"
#include "store/store.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t n_recorded;

static void rec(ojo_tracer *t, uint64_t ts, uint32_t flow, uint32_t type,
		uint64_t payload)
{
	ojo_event ev = {ts, flow, type, payload};
	for (;;) {
		int rc = ojo_record(t, &ev);
		if (rc == 0)
			break;
		if (rc != -OJO_EDROPPED) {
			fprintf(stderr, "http_mkdb: record: %s\n",
				ojo_strerror(rc));
			exit(1);
		}
		/* never lose test data: make room and retry */
		ojo_tracer_flush(t);
	}
	if (++n_recorded % 200000 == 0)
		ojo_tracer_flush(t);
}

/* One connection (flow conn) with n_streams streams, packets of 1200
 * bytes, a loss now and then, cwnd/RTT/flow-control updates. */
static uint64_t connection(ojo_tracer *t, uint64_t ts, uint32_t conn,
			   int n_streams, int packets, bool with_cc)
{
	uint64_t cwnd = 12000, inflight = 0;
	uint64_t off[16] = {0};
	uint64_t srtt = 20000000;
	for (int s = 0; s < n_streams; s++) {
		uint32_t sid = conn + 1 + (uint32_t)s;
		rec(t, ts, sid, OJO_EV_STREAM_OPENED, (uint64_t)s * 4);
		rec(t, ts, sid, OJO_EV_STREAM_LINK, conn);
		rec(t, ts, sid, OJO_EV_MAX_STREAM_DATA, 1 << 20);
	}
	rec(t, ts, conn, OJO_EV_MAX_DATA, 4 << 20);
	if (with_cc)
		rec(t, ts, conn, OJO_EV_SSTHRESH, UINT64_MAX);
	for (int pn = 0; pn < packets; pn++) {
		ts += 10000 + rnd() % 5000;
		int s = pn % n_streams;
		uint32_t sid = conn + 1 + (uint32_t)s;
		rec(t, ts, conn, OJO_EV_PACKET_SENT, (uint64_t)pn);
		rec(t, ts, sid, OJO_EV_DATA_SENT, OJO_RANGE(off[s], 1200));
		inflight += 1200;
		if (with_cc)
			rec(t, ts, conn, OJO_EV_BYTES_IN_FLIGHT, inflight);
		uint64_t ack_ts = ts + srtt / 4;
		if (rnd() % 50 == 0) {
			rec(t, ack_ts, conn, OJO_EV_PACKET_LOST_THRESHOLD,
			    (uint64_t)pn);
			rec(t, ack_ts, sid, OJO_EV_DATA_LOST,
			    OJO_RANGE(off[s], 1200));
			rec(t, ack_ts + 1000, sid, OJO_EV_DATA_RETRANSMITTED,
			    OJO_RANGE(off[s], 1200));
			if (with_cc) {
				cwnd = cwnd / 2 < 2400 ? 2400 : cwnd / 2;
				rec(t, ack_ts, conn, OJO_EV_SSTHRESH, cwnd);
				rec(t, ack_ts, conn, OJO_EV_CWND, cwnd);
				rec(t, ack_ts, conn, OJO_EV_RECOVERY_STATE,
				    OJO_RS_RECOVERY);
			}
		} else {
			rec(t, ack_ts, conn, OJO_EV_PACKET_ACKED, (uint64_t)pn);
			rec(t, ack_ts, sid, OJO_EV_DATA_ACKED,
			    OJO_RANGE(off[s], 1200));
			uint64_t sample = srtt + rnd() % 4000000;
			srtt = (7 * srtt + sample) / 8;
			rec(t, ack_ts, conn, OJO_EV_RTT_SAMPLE, sample);
			rec(t, ack_ts, conn, OJO_EV_SMOOTHED_RTT, srtt);
			if (with_cc) {
				cwnd += 1200;
				rec(t, ack_ts, conn, OJO_EV_CWND, cwnd);
			}
		}
		inflight -= 1200;
		off[s] += 1200;
		if (pn % 64 == 63)
			rec(t, ts, conn, OJO_EV_MAX_DATA,
			    (4u << 20) + (uint64_t)pn * 1200);
	}
	for (int s = 0; s < n_streams; s++) {
		uint32_t sid = conn + 1 + (uint32_t)s;
		rec(t, ts + 1000, sid, OJO_EV_STREAM_FIN_SENT, off[s]);
		rec(t, ts + srtt, sid, OJO_EV_STREAM_FIN_ACKED, 0);
	}
	return ts + srtt;
}

static int ingest_dir(const char *dir, const char *db)
{
	char err[256];
	store *s;
	int rc = store_open_db(db, STORE_WRITE, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "http_mkdb: %s: %s\n", db, err);
		return rc;
	}
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (list[i]->d_name[0] != '.' &&
		    ingest_wants(list[i]->d_name)) {
			ingest_result res;
			rc = ingest_file(s, path, &res);
			if (rc || res.status != STORE_FILE_INGESTED) {
				fprintf(stderr, "http_mkdb: %s: %s (%d)\n",
					path, res.reason, rc);
				if (!rc)
					rc = -EIO;
			}
		}
		free(list[i]);
		if (rc)
			break;
	}
	free(list);
	store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: http_mkdb DIR [BIG [FILLER]]\n");
		return 2;
	}
	uint64_t big = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	uint64_t filler = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
	char tdir[4096], odir[4096], db[4096];
	snprintf(tdir, sizeof(tdir), "%s/traces", argv[1]);
	snprintf(odir, sizeof(odir), "%s/traces/output", argv[1]);
	snprintf(db, sizeof(db), "%s/ojo.db", argv[1]);
	if (argc > 4)
		snprintf(db, sizeof(db), "%s", argv[4]);
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = tdir;
	cfg.buffer_size = 16u << 20;
	cfg.flush_interval_ms = 1000;
	ojo_tracer *t;
	int rc = ojo_tracer_open(&cfg, &t);
	if (rc) {
		fprintf(stderr, "http_mkdb: %s: %s\n", tdir, ojo_strerror(rc));
		return 1;
	}
	uint64_t ts = 1000000;
	ts = connection(t, ts, 1, 4, 3000, true); /* flows 1..5 */
	connection(t, ts / 2, 10, 2, 800, false); /* 10..12: no cc events */
	if (big) {
		uint64_t bt = 5000000, cw = 20000;
		for (uint64_t i = 0; i < big; i++) {
			bt += 1000 + rnd() % 1000;
			cw = rnd() % 1000 == 0 ? cw / 2 + 1 : cw + rnd() % 3000;
			if (cw > 50000000)
				cw = 20000;
			rec(t, bt, 100, OJO_EV_CWND, cw);
		}
	}
	for (uint64_t i = 0; i < filler; i++) {
		uint32_t conn = 1000 + (uint32_t)(rnd() % 200) * 10;
		rec(t, 5000000 + i * 50, conn, (uint32_t)(rnd() % 4) + 48,
		    rnd() % 1000000);
	}
	rc = ojo_tracer_close(t);
	if (rc) {
		fprintf(stderr, "http_mkdb: close: %s\n", ojo_strerror(rc));
		return 1;
	}
	if (ingest_dir(odir, db))
		return 1;
	printf("events %" PRIu64 "\n", n_recorded);
	return 0;
}
