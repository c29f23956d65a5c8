/* ingest_tool.c - helper of the ingestion shell tests: writes trace
 * corpora with libojo's public API and checks a database against them.
 *
 *   ingest_tool write DIR FILES EVENTS_PER_FILE   corpus in DIR/output
 *   ingest_tool verify DB DIR     every *.ojo of DIR stored exactly once
 *   ingest_tool grow PATH RECORDS CHUNK DELAY_MS  write a file in place,
 *                                  CHUNK bytes at a time
 *   ingest_tool sums DIR           "count,sum(time_ns % 1000003),
 *                                  sum(payload % 1000003)" over DIR's *.ojo
 *                                  files, in SQLite's signed arithmetic
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_ojo.h"
#include "ingest_common.h"
#include "ojo/ojo.h"
#include "ojo/reader.h"

static int cmd_write(const char *dir, long files, long per_file)
{
	static const uint32_t types[] = {
	    OJO_EV_PACKET_SENT, OJO_EV_PACKET_ACKED,
	    OJO_EV_CWND,	OJO_EV_RTT_SAMPLE,
	    OJO_EV_DATA_SENT,	OJO_EV_PACKET_LOST_TIMEOUT};
	ojo_config cfg;
	ojo_tracer *t;
	ojo_stats st;
	uint64_t n = 0;

	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = (size_t)per_file * 24 * 4 + 65536;
	cfg.flush_interval_ms = 600000; /* batches only where we flush */
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	for (long f = 0; f < files; f++) {
		for (long i = 0; i < per_file; i++, n++) {
			ojo_event ev = {
			    .timestamp_ns = n * 1000 + (itest_mix(n) & 511),
			    .flow_id = 1 + (uint32_t)(itest_mix(n ^ 77) % 50),
			    .event_type = types[n % 6],
			    .payload = itest_mix(n),
			};
			CHECK(ojo_record(t, &ev) == 0);
		}
		CHECK(ojo_tracer_flush(t) == 0);
	}
	ojo_tracer_stats(t, &st);
	CHECK(ojo_tracer_close(t) == 0);
	CHECK_EQ(st.events_dropped, 0);
	CHECK_EQ(st.events_recorded, n);
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

/* What a file holds, from the reader: the truth to compare with. */
typedef struct expect {
	uint64_t count, paysum, timesum;
} expect;

static int expect_file(const char *path, expect *e)
{
	ojo_reader *r;
	ojo_record_view v;
	memset(e, 0, sizeof(*e));
	if (ojo_reader_open(path, &r, NULL) != 0)
		return -1;
	e->count = ojo_reader_count(r);
	for (size_t i = 0; i < e->count; i++) {
		CHECK(ojo_reader_get(r, i, &v) == 0);
		e->paysum += v.payload * 31 + v.event_type;
		e->timesum += v.time_ns ^ v.flow_id;
	}
	ojo_reader_close(r);
	return 0;
}

/* The same sums from the database's blocks of one file. */
static void db_file(sqlite3 *db, int64_t file_id, expect *e)
{
	sqlite3_stmt *st;
	memset(e, 0, sizeof(*e));
	st = test_sql_prepare(db, "SELECT b.n, b.type, f.flow_id, b.data FROM "
				  "blocks b JOIN flows f USING(flow_key) "
				  "WHERE b.file_id = ?");
	sqlite3_bind_int64(st, 1, file_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0);
		uint32_t type = (uint32_t)sqlite3_column_int64(st, 1);
		uint32_t flow = (uint32_t)sqlite3_column_int64(st, 2);
		const unsigned char *d = sqlite3_column_blob(st, 3);
		CHECK_EQ(sqlite3_column_bytes(st, 3), n * 16);
		for (int64_t i = 0; i < n; i++) {
			uint64_t t = itest_le64(d + 16 * i);
			uint64_t p = itest_le64(d + 16 * i + 8);
			e->paysum += p * 31 + type;
			e->timesum += t ^ flow;
		}
		e->count += (uint64_t)n;
	}
	sqlite3_finalize(st);
}

static int cmd_verify(const char *dbpath, const char *dir)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	uint64_t total = 0, files = 0, db_total = 0;
	int bad = 0;
	size_t n;
	char **paths = test_ojo_files(dir, &n);

	db = test_sql_open(dbpath, SQLITE_OPEN_READONLY);
	st = test_sql_prepare(db, "SELECT file_id, status, n_events FROM files "
				  "WHERE path = ?");
	for (size_t i = 0; i < n; i++) {
		char abs[PATH_MAX];
		expect want, got;
		CHECK(realpath(paths[i], abs));
		CHECK(expect_file(abs, &want) == 0);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, abs, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW) {
			fprintf(stderr, "verify: %s: not in the ledger\n", abs);
			bad++;
			continue;
		}
		int64_t id = sqlite3_column_int64(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		int64_t ledger_n = sqlite3_column_int64(st, 2);
		db_file(db, id, &got);
		if (strcmp(status, "ingested") ||
		    ledger_n != (int64_t)want.count ||
		    got.count != want.count || got.paysum != want.paysum ||
		    got.timesum != want.timesum) {
			fprintf(stderr,
				"verify: %s: %s, ledger %lld, blocks %llu "
				"events, want %llu (sums %s)\n",
				abs, status, (long long)ledger_n,
				(unsigned long long)got.count,
				(unsigned long long)want.count,
				got.paysum == want.paysum &&
					got.timesum == want.timesum
				    ? "equal"
				    : "differ");
			bad++;
		}
		total += want.count;
		files++;
	}
	test_free_list(paths, n);
	sqlite3_finalize(st);
	/* nothing stored twice or from elsewhere */
	db_total =
	    (uint64_t)test_sql_int(db, "SELECT COALESCE(SUM(n),0) FROM blocks");
	sqlite3_close(db);
	if (db_total != total) {
		fprintf(
		    stderr, "verify: database holds %llu events, files %llu\n",
		    (unsigned long long)db_total, (unsigned long long)total);
		bad++;
	}
	if (bad)
		return 1;
	printf("verify: ok: %llu files, %llu events, each exactly once\n",
	       (unsigned long long)files, (unsigned long long)total);
	return 0;
}

static int cmd_sums(const char *dir)
{
	int64_t count = 0, tsum = 0, psum = 0;
	size_t n;
	char **paths = test_ojo_files(dir, &n);
	for (size_t i = 0; i < n; i++) {
		ojo_reader *r;
		ojo_record_view v;
		CHECK(ojo_reader_open(paths[i], &r, NULL) == 0);
		for (size_t j = 0; ojo_reader_get(r, j, &v) == 0; j++) {
			count++;
			tsum += (int64_t)v.time_ns % 1000003;
			psum += (int64_t)v.payload % 1000003;
		}
		ojo_reader_close(r);
	}
	test_free_list(paths, n);
	printf("%lld,%lld,%lld\n", (long long)count, (long long)tsum,
	       (long long)psum);
	return 0;
}

/* A valid trace file written in place, slowly, as a careless writer
 * would: the watcher must wait for it to be complete. */
static int cmd_grow(const char *path, long records, long chunk, long delay_ms)
{
	size_t size = 24 + (size_t)records * 24;
	unsigned char *buf = calloc(1, size);
	struct timespec ts;
	CHECK(buf);
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t start = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	memcpy(buf, OJO_MAGIC, 4);
	buf[4] = OJO_FORMAT_VERSION;
	for (int i = 0; i < 8; i++)
		buf[8 + i] = (unsigned char)(start >> (8 * i));
	for (long r = 0; r < records; r++) {
		unsigned char *p = buf + 24 + r * 24;
		uint64_t d = (uint64_t)r * 1000, pay = itest_mix((uint64_t)r);
		for (int i = 0; i < 8; i++) {
			p[i] = (unsigned char)(d >> (8 * i));
			p[16 + i] = (unsigned char)(pay >> (8 * i));
		}
		p[8] = 7;		    /* flow 7 */
		p[12] = OJO_EV_PACKET_SENT; /* type */
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	for (size_t off = 0; off < size;) {
		size_t m =
		    size - off < (size_t)chunk ? size - off : (size_t)chunk;
		CHECK(write(fd, buf + off, m) == (ssize_t)m);
		off += m;
		if (off < size)
			usleep((useconds_t)delay_ms * 1000);
	}
	CHECK(close(fd) == 0);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "write"))
		return cmd_write(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "verify"))
		return cmd_verify(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "sums"))
		return cmd_sums(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "grow"))
		return cmd_grow(argv[2], atol(argv[3]), atol(argv[4]),
				atol(argv[5]));
	fprintf(stderr, "usage: see the comment at the top of ingest_tool.c\n");
	return 2;
}
