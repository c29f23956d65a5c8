/* ingest_signal.c - SIGINT in the middle of a file's transaction: a real
 * `ojo watch` child gets the signal while it is writing a large batch (it
 * holds the write lock, the ledger has no row yet); it must commit that
 * whole file, leave the files after it alone, and exit 0. A restart then
 * ingests the rest, so every event is stored exactly once.
 *
 *   ingest_signal OJO_BINARY */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_sql.h"
#include "ojo/ojo.h"

enum { BIG = 1500000, SMALL = 20000 };

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* One big batch, then two small ones (ingested in that order). */
static uint64_t write_batches(const char *dir)
{
	static const int sizes[] = {BIG, SMALL, SMALL};
	ojo_config cfg;
	ojo_tracer *t;
	uint64_t n = 0;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	/* one ring holding the whole big batch (32 bytes per event, rounded
	 * down to a power of two), so it is written as one file */
	cfg.buffer_size = (size_t)BIG * 32 * 2;
	cfg.max_writers = 1;
	cfg.flush_interval_ms = 600000;
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	for (int f = 0; f < 3; f++) {
		for (int i = 0; i < sizes[f]; i++, n++)
			CHECK(ojo_record_now(t, 1 + (uint32_t)(n % 64),
					     OJO_EV_PACKET_SENT + (n % 3),
					     n) == 0);
		CHECK(ojo_tracer_flush(t) == 0);
	}
	CHECK(ojo_tracer_close(t) == 0);
	return n;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* True while a writer holds the database in a transaction that has not
 * committed any file yet: the schema is there (created by an earlier
 * transaction), the ledger is empty, and the write lock is taken. */
static bool in_first_file(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	bool mid = false;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return false;
	}
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM files", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0)
		mid = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		      SQLITE_BUSY;
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(h))
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(h);
	return mid;
}

static pid_t watcher_pid;

/* A failed check must not leave the watcher running. */
static void stop_watcher(void)
{
	if (watcher_pid > 0)
		kill(watcher_pid, SIGKILL);
}

static pid_t start_watch(const char *ojo, const char *in, const char *db,
			 const char *log, bool once)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (!freopen(log, "w", stderr))
			_exit(127);
		execl(ojo, ojo, "watch", "--input-dir", in, "--db-path", db,
		      once ? "--once" : "--quiet", (char *)NULL);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	char *tmp = test_tmpdir();
	char dir[600], in[700], db[700], wal[720], log[700];
	snprintf(dir, sizeof(dir), "%s/traces", tmp);
	snprintf(in, sizeof(in), "%s/output", dir);
	snprintf(db, sizeof(db), "%s/t.db", tmp);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(log, sizeof(log), "%s/watch.log", tmp);
	uint64_t total = write_batches(dir);

	atexit(stop_watcher);
	pid_t pid = start_watch(argv[1], in, db, log, false);
	watcher_pid = pid;
	/* signal it in the middle of the big file's transaction */
	bool mid = false;
	for (int i = 0; i < 30000 && !mid; i++) {
		if (file_size(wal) > 0 && in_first_file(db))
			mid = true;
		else
			sleep_ms(1);
	}
	CHECK(mid);
	CHECK_EQ(kill(pid, SIGINT), 0);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	watcher_pid = 0;
	char *text = test_read_file(log, NULL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "watch log:\n%s\n", text ? text : "");
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	free(text);

	sqlite3 *h = test_sql_open(db, SQLITE_OPEN_READONLY);
	/* the file in progress was finished whole, nothing after it begun */
	CHECK_EQ(test_sql_int(h, "SELECT count(*) FROM files"), 1);
	CHECK_EQ(test_sql_int(h, "SELECT n_events FROM files"), BIG);
	CHECK_EQ(test_sql_int(h, "SELECT total(n) FROM blocks"), BIG);
	sqlite3_close(h);

	/* a restart takes the rest, and only the rest */
	pid = start_watch(argv[1], in, db, log, true);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	h = test_sql_open(db, SQLITE_OPEN_READONLY);
	CHECK_EQ(test_sql_int(h, "SELECT count(*) FROM files"), 3);
	CHECK_EQ(test_sql_int(h, "SELECT total(n) FROM blocks"), total);
	CHECK_EQ(test_sql_int(h, "SELECT sum(n_events) FROM flows"), total);
	CHECK_EQ(test_sql_int(h, "SELECT count(DISTINCT file_id) FROM blocks"),
		 3);
	sqlite3_close(h);
	test_rmtree(tmp);
	free(tmp);
	printf("ingest_signal: ok\n");
	return 0;
}
