/* store_schema.c - opening databases: creation, upgrade from an older
 * layout, refusal of a newer one, files that are not (Ojo) SQLite,
 * read-only connections that cannot write, WAL readers beside a writer. */
#include "store_common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "ojo/events.h"
#include "sqlite/sq_schema.h"
#include "store/store.h"

static char dir[512];

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* sql on its own connection to db, beside the store. */
static void raw_exec(const char *db, const char *sql)
{
	sqlite3 *h =
	    test_sql_open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	test_sql_exec(h, sql);
	sqlite3_close(h);
}

static int64_t raw_int(const char *db, const char *sql)
{
	sqlite3 *h = test_sql_open(db, SQLITE_OPEN_READONLY);
	int64_t v = test_sql_int(h, sql);
	sqlite3_close(h);
	return v;
}

/* Opening fails, with a message containing want. */
static void open_fails(const char *db, int mode, const char *want)
{
	store *s = (store *)1;
	char err[512];
	int rc = store_open_db(db, mode, &s, err, sizeof(err));
	if (rc >= 0 || s != NULL || !strstr(err, want)) {
		fprintf(stderr,
			"open %s (mode %d): rc %d, err '%s', want '%s'\n", db,
			mode, rc, err, want);
		exit(1);
	}
}

static void test_create(void)
{
	char db[600];
	path_in(db, sizeof(db), "new.db");
	store *s = open_ok(db, STORE_WRITE);
	CHECK_EQ(q_int(s, "PRAGMA user_version"), SQ_SCHEMA_VERSION);
	size_t n;
	ojo_event_types(&n);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM event_types"), n);
	store_close(s);
	/* reopening changes nothing */
	s = open_ok(db, STORE_WRITE);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM event_types"), n);
	store_close(s);
	sqlite3 *h =
	    test_sql_open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite3_stmt *st = test_sql_prepare(h, "PRAGMA journal_mode");
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void test_upgrade(void)
{
	char db[600];
	path_in(db, sizeof(db), "v1.db");
	/* a version-1 database with one flow and one block of 2 events */
	raw_exec(db, sq_schema_v1_sql);
	raw_exec(
	    db,
	    "PRAGMA user_version = 1;"
	    "INSERT INTO traces(trace_id, name, source) VALUES(1, 't', 'ojo');"
	    "INSERT INTO flows(flow_key, trace_id, flow_id, first_ns, last_ns,"
	    " n_events, max_cwnd, last_cwnd) VALUES(1, 1, 9, 100, 200, 2,"
	    " 5000, 4000);"
	    "INSERT INTO blocks(flow_key, type, t_first, t_last, n, v_min,"
	    " v_max, file_id, data) VALUES(1, 48, 100, 200, 2, 4000, 5000,"
	    " 1, x'6400000000000000881300000000000"
	    "0c800000000000000a00f000000000000');");
	/* read-only cannot upgrade: it says so */
	open_fails(db, STORE_READ, "older than this ojo");
	CHECK_EQ(raw_int(db, "PRAGMA user_version"), 1);
	store *s = open_ok(db, STORE_WRITE);
	CHECK_EQ(q_int(s, "PRAGMA user_version"), SQ_SCHEMA_VERSION);
	CHECK_EQ(q_int(s, "SELECT last_cwnd_ns FROM flows WHERE flow_key = 1"),
		 200);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM sqlite_schema WHERE name ="
			  " 'flows_by_duration'"),
		 1);
	/* old data reads through the new code */
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events WHERE flow_id = 9"), 2);
	CHECK_EQ(q_int(s, "SELECT payload FROM events WHERE time_ns = 200"),
		 4000);
	/* and new writes go into the old flow */
	int64_t tid = begin_trace(s, "t");
	CHECK_EQ(tid, 1);
	store_event e = {300, 9, OJO_EV_CWND, 3000};
	CHECK_OK(s, store_append(s, tid, &e, 1));
	CHECK_OK(s, store_commit(s));
	CHECK_EQ(q_int(s, "SELECT n_events FROM flows WHERE flow_key = 1"), 3);
	CHECK_EQ(q_int(s, "SELECT last_cwnd FROM flows WHERE flow_key = 1"),
		 3000);
	CHECK_EQ(q_int(s, "SELECT max_cwnd FROM flows WHERE flow_key = 1"),
		 5000);
	store_close(s);
	s = open_ok(db, STORE_READ);
	store_close(s);
}

static void test_newer(void)
{
	char db[600];
	path_in(db, sizeof(db), "newer.db");
	store *s = open_ok(db, STORE_WRITE);
	store_close(s);
	raw_exec(db, "PRAGMA user_version = 99");
	char want[128];
	snprintf(want, sizeof(want),
		 "database schema version 99 is newer than this ojo (%d)",
		 SQ_SCHEMA_VERSION);
	open_fails(db, STORE_WRITE, want);
	open_fails(db, STORE_READ, want);
	CHECK_EQ(raw_int(db, "PRAGMA user_version"), 99);
}

static void test_not_sqlite(void)
{
	char p[600];
	path_in(p, sizeof(p), "text.db");
	FILE *f = fopen(p, "w");
	CHECK(f);
	for (int i = 0; i < 100; i++)
		fputs("this is not a database at all\n", f);
	fclose(f);
	open_fails(p, STORE_WRITE, "not an SQLite database");
	open_fails(p, STORE_READ, "not an SQLite database");
	/* untouched */
	struct stat sb;
	CHECK(stat(p, &sb) == 0);
	CHECK_EQ(sb.st_size, 100 * 30);

	/* a foreign SQLite database is not taken over */
	path_in(p, sizeof(p), "foreign.db");
	raw_exec(p, "CREATE TABLE mine(x); INSERT INTO mine VALUES(1)");
	open_fails(p, STORE_WRITE, "not an Ojo database");
	open_fails(p, STORE_READ, "not an Ojo database");
	CHECK_EQ(raw_int(p, "SELECT count(*) FROM sqlite_schema"), 1);

	/* missing file, missing directory, a directory */
	path_in(p, sizeof(p), "missing.db");
	open_fails(p, STORE_READ, "No such file");
	path_in(p, sizeof(p), "no/such/dir/x.db");
	open_fails(p, STORE_WRITE, "cannot open");
	open_fails(dir, STORE_WRITE, "directory");

	/* a directory or a file we may not write (root ignores modes) */
	if (geteuid() != 0) {
		char rof[700];
		path_in(rof, sizeof(rof), "readonly.db");
		store_close(open_ok(rof, STORE_WRITE));
		CHECK(chmod(rof, 0444) == 0);
		open_fails(rof, STORE_WRITE, "not writable");
		store_close(open_ok(rof, STORE_READ));
		path_in(p, sizeof(p), "ro");
		CHECK(mkdir(p, 0500) == 0);
		char db[700];
		snprintf(db, sizeof(db), "%s/x.db", p);
		open_fails(db, STORE_WRITE, "cannot open");
	}
}

static int count_rows(void *user, int n, const store_value *v)
{
	(void)n;
	(void)v;
	(*(int *)user)++;
	return 0;
}

static void test_readonly(void)
{
	char db[600];
	path_in(db, sizeof(db), "ro.db");
	store *w = open_ok(db, STORE_WRITE);
	int64_t tid = begin_trace(w, "t");
	store_event ev[100];
	for (int i = 0; i < 100; i++)
		ev[i] =
		    (store_event){1000 + i, 1, OJO_EV_PACKET_SENT, (uint64_t)i};
	CHECK_OK(w, store_append(w, tid, ev, 100));
	CHECK_OK(w, store_commit(w));

	store *r = open_ok(db, STORE_READ);
	CHECK(store_begin(r) == -EACCES);
	store_trace_info ti = {.name = "t"};
	CHECK(store_trace(r, &ti, &tid) == -EACCES);
	/* even SQL through the handle cannot write */
	CHECK(sqlite3_exec(sq_store_sqlite(r),
			   "INSERT INTO traces(name, source)"
			   " VALUES('x', 'y')",
			   NULL, NULL, NULL) != SQLITE_OK);
	int rows = 0;
	store_query_cb cb = {.row = count_rows, .user = &rows};
	CHECK(store_query(r, "DELETE FROM flows", &cb) < 0);
	CHECK(strstr(store_errmsg(r), "read-only"));
	CHECK(store_query(r, "SELECT 1; DELETE FROM flows", &cb) < 0);
	CHECK(strstr(store_errmsg(r), "one statement"));
	char attach[700];
	snprintf(attach, sizeof(attach), "ATTACH '%s/att.db' AS a", dir);
	CHECK(store_query(r, attach, &cb) < 0);
	CHECK(store_query(r, "SELECT * FROM nosuchtable", &cb) < 0);
	CHECK(strstr(store_errmsg(r), "no such table"));
	CHECK_OK(r, store_query(r, "SELECT * FROM events; -- done", &cb));
	CHECK_EQ(rows, 100);

	/* WAL: the reader keeps reading while the writer holds a write
	 * transaction, and sees its events only after the commit */
	CHECK_OK(w, store_begin(w));
	CHECK_OK(w, store_append(w, tid, ev, 100));
	CHECK_OK(w, sq_store_flush(w)); /* in the database, uncommitted */
	/* a second writer opens without waiting for the write lock (the
	 * schema and catalog are current); its writes would wait */
	store *w2 = open_ok(db, STORE_WRITE);
	sqlite3_busy_timeout(sq_store_sqlite(w2), 50);
	CHECK(store_begin(w2) == -EBUSY);
	CHECK(strstr(store_errmsg(w2), "locked"));
	store_close(w2);
	CHECK_EQ(q_int(r, "SELECT count(*) FROM events"), 100);
	CHECK_EQ(q_int(w, "SELECT count(*) FROM events"), 200);
	CHECK_OK(w, store_commit(w));
	CHECK_EQ(q_int(r, "SELECT count(*) FROM events"), 200);
	CHECK_EQ(q_int(r, "SELECT packets_sent FROM flows"), 200);
	store_close(r);
	store_close(w);
	snprintf(attach, sizeof(attach), "%s/att.db", dir);
	CHECK(access(attach, F_OK) != 0);
}

int main(void)
{
	char *d = test_tmpdir();
	snprintf(dir, sizeof(dir), "%s", d);
	test_create();
	test_upgrade();
	test_newer();
	test_not_sqlite();
	test_readonly();
	test_rmtree(d);
	free(d);
	printf("store_schema: ok\n");
	return 0;
}
