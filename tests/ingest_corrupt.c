/* ingest_corrupt.c - damaged input never stops ingestion and is judged by
 * the documented policy (docs/DATABASE.md, "Ingestion"): a bad header
 * rejects the file whole, a damaged tail keeps the whole records before
 * it; every file stays on disk; a second pass changes nothing; staging/
 * and *.tmp are never read; a file ending mid-record is left alone until
 * it is known to be complete. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_ojo.h"
#include "ingest/ingest.h"
#include "ingest_common.h"
#include "ojo/ojo.h"

static char in_dir[600];

static void put(const char *name, const void *data, size_t n)
{
	char path[800];
	snprintf(path, sizeof(path), "%s/%s", in_dir, name);
	test_write_file(path, data, n);
}

static void put_str(const char *name, const char *s)
{
	put(name, s, strlen(s));
}

/* The first (only) batch file libojo wrote into dir, read whole. */
static unsigned char *good_file(const char *dir, size_t *n, char *name,
				size_t name_len)
{
	size_t files;
	char **paths = test_ojo_files(dir, &files);
	CHECK(files >= 1);
	snprintf(name, name_len, "%s", strrchr(paths[0], '/') + 1);
	unsigned char *buf = (unsigned char *)test_read_file(paths[0], n);
	CHECK(buf);
	test_free_list(paths, files);
	return buf;
}

typedef struct row {
	char status[16];
	int64_t n_events;
	char reason[300];
	bool found;
} row;

static row ledger(sqlite3 *db, const char *name)
{
	char path[800], abs[PATH_MAX];
	sqlite3_stmt *st;
	row r = {0};
	snprintf(path, sizeof(path), "%s/%s", in_dir, name);
	CHECK(realpath(path, abs));
	st =
	    test_sql_prepare(db, "SELECT status, n_events, coalesce(reason,'') "
				 "FROM files WHERE path=?");
	sqlite3_bind_text(st, 1, abs, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r.found = true;
		snprintf(r.status, sizeof(r.status), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		r.n_events = sqlite3_column_int64(st, 1);
		snprintf(r.reason, sizeof(r.reason), "%s",
			 (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return r;
}

static void expect_row(sqlite3 *db, const char *name, const char *status,
		       int64_t n, const char *reason_part)
{
	row r = ledger(db, name);
	if (!r.found || strcmp(r.status, status) || r.n_events != n ||
	    (reason_part && !strstr(r.reason, reason_part))) {
		fprintf(stderr,
			"%s: found %d status '%s' events %lld reason '%s'; "
			"want '%s' %lld '%s'\n",
			name, r.found, r.status, (long long)r.n_events,
			r.reason, status, (long long)n,
			reason_part ? reason_part : "");
		exit(1);
	}
}

int main(void)
{
	char *tmp = test_tmpdir(), src[600], db_path[600], name[300];
	unsigned char garbage[1000];
	ojo_config cfg;
	ojo_tracer *t;
	size_t n;

	/* one real batch of 100 records */
	snprintf(src, sizeof(src), "%s/src", tmp);
	ojo_config_init(&cfg);
	cfg.output_dir = src;
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	for (uint32_t i = 0; i < 100; i++)
		CHECK(ojo_record_now(t, 1 + i % 3, OJO_EV_PACKET_SENT, i) == 0);
	CHECK(ojo_tracer_close(t) == 0);
	snprintf(src, sizeof(src), "%s/src/output", tmp);
	unsigned char *good = good_file(src, &n, name, sizeof(name));
	CHECK_EQ(n, 24 + 100 * 24);

	snprintf(in_dir, sizeof(in_dir), "%s/in", tmp);
	CHECK(mkdir(in_dir, 0755) == 0);
	snprintf(db_path, sizeof(db_path), "%s/db.sqlite", tmp);
	put(name, good, n);
	unsigned char *bad = malloc(n);
	memcpy(bad, good, n);
	bad[0] = 'X';
	put("bad_magic.ojo", bad, n);
	memcpy(bad, good, n);
	bad[4] = 99;
	put("bad_version.ojo", bad, n);
	put("short_header.ojo", good, 10);
	put("empty.ojo", good, 0);
	put("partial.ojo", good, 24 + 10 * 24 + 7);
	put("no_whole_record.ojo", good, 24 + 13);
	put("header_only.ojo", good, 24);
	srand(7);
	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)rand();
	put("garbage.ojo", garbage, sizeof(garbage));
	put("garbage.json", garbage, sizeof(garbage));
	put_str("schema-00000000000000ff.json", "[{\"type\": 65536,");
	put_str(
	    "schema-00000000000000fe.json",
	    "[{\"type\": 65537, \"name\": \"x\", \"payload_kind\": \"nope\"}]");
	put_str("schema-00000000000000fd.json",
		"[{\"type\": 65538, \"name\": \"fine\", \"category\": \"app\","
		" \"payload_kind\": \"bytes\"}]");
	put("ignored.ojo.tmp", good, n);
	char staging[700];
	snprintf(staging, sizeof(staging), "%s/staging", in_dir);
	CHECK(mkdir(staging, 0755) == 0);
	put("staging/in_staging.ojo", good, n);

	/* unsettled: a file that ends mid-record waits to be complete */
	{
		store *s;
		ingest_result res;
		char err[256], path[800];
		CHECK(store_open_db(db_path, STORE_WRITE, &s, err,
				    sizeof(err)) == 0);
		snprintf(path, sizeof(path), "%s/partial.ojo", in_dir);
		CHECK_EQ(ingest_file_ex(s, path, 0, &res), 0);
		CHECK(res.unsettled);
		CHECK_EQ(res.status, STORE_FILE_UNKNOWN);
		snprintf(path, sizeof(path), "%s/short_header.ojo", in_dir);
		CHECK_EQ(ingest_file_ex(s, path, 0, &res), 0);
		CHECK(res.unsettled);
		snprintf(path, sizeof(path), "%s/bad_magic.ojo", in_dir);
		CHECK_EQ(ingest_file_ex(s, path, 0, &res), 0);
		CHECK_EQ(res.status, STORE_FILE_REJECTED);
		CHECK(strstr(res.reason, "bad magic at byte 0"));
		store_close(s);
	}

	sleep(1); /* let the files' mtimes age past the settle time */
	itest_watch_once(in_dir, db_path, 50, false);

	sqlite3 *db = test_sql_open(db_path, SQLITE_OPEN_READONLY);
	expect_row(db, name, "ingested", 100, NULL);
	expect_row(db, "bad_magic.ojo", "rejected", 0, "bad magic at byte 0");
	expect_row(db, "bad_version.ojo", "rejected", 0, "version 99");
	expect_row(db, "short_header.ojo", "rejected", 0, "header");
	expect_row(db, "empty.ojo", "rejected", 0, "empty");
	expect_row(db, "garbage.ojo", "rejected", 0, "bad magic");
	expect_row(db, "partial.ojo", "ingested", 10, "truncated at byte 264");
	expect_row(db, "no_whole_record.ojo", "ingested", 0,
		   "truncated at byte 24");
	expect_row(db, "header_only.ojo", "ingested", 0, NULL);
	expect_row(db, "schema-00000000000000ff.json", "rejected", 0,
		   "not valid JSON");
	expect_row(db, "schema-00000000000000fe.json", "rejected", 0,
		   "payload_kind");
	expect_row(db, "schema-00000000000000fd.json", "ingested", 0, NULL);
	CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM event_types WHERE "
				  "type=65538 AND name='fine'"),
		 1);
	CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM event_types WHERE "
				  "type=65537"),
		 0);
	/* not an Ojo file, and not qlog: never stored as ingested */
	CHECK(strcmp(ledger(db, "garbage.json").status, "ingested"));
	CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM files WHERE path LIKE "
				  "'%staging%' OR path LIKE '%.tmp'"),
		 0);
	CHECK_EQ(test_sql_int(db, "SELECT sum(n) FROM blocks"), 110);
	int64_t files = test_sql_int(db, "SELECT count(*) FROM files");

	/* nothing is deleted or moved */
	const char *all[] = {name,	    "bad_magic.ojo",
			     "garbage.ojo", "partial.ojo",
			     "empty.ojo",   "schema-00000000000000ff.json"};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char path[800];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", in_dir, all[i]);
		CHECK(stat(path, &st) == 0);
	}

	/* a second pass: same ledger, same events */
	itest_watch_once(in_dir, db_path, 50, false);
	CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM files"), files);
	CHECK_EQ(test_sql_int(db, "SELECT sum(n) FROM blocks"), 110);
	sqlite3_close(db);
	free(bad);
	free(good);
	test_rmtree(tmp);
	free(tmp);
	printf("ingest_corrupt: ok\n");
	return 0;
}
