/* ingest_race.c - `ojo import` beside a running `ojo watch`, on the same
 * files and the same ledger: a user moves batches into the watched
 * directory and imports each at once, so the watcher (told by inotify) and
 * the importer go for the same file at the same moment. Every file must be
 * stored once, with every event once, whoever wins. (Several plain
 * writers on one database: tests/store_writers.c.) Label "concurrency":
 * also run under TSan. */
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_common.h"

enum { FILES = 40, GROUP = 8, PER_FILE = 20000 };

static char db_path[600], in_dir[600];
static char src[FILES][ITEST_PATH_LEN];
static volatile sig_atomic_t stop;

static void *watcher(void *arg)
{
	const char *dirs[] = {in_dir};
	watch_opts o = {.input_dirs = dirs,
			.n_input_dirs = 1,
			.db_path = db_path,
			.cleanup_days = -1,
			.stop = &stop,
			.quiet = true};
	*(int *)arg = watch_run(&o);
	return NULL;
}

int main(void)
{
	char *tmp = test_tmpdir(), dir[600];
	int watch_rc = -1, imported = 0, skipped = 0;
	pthread_t th;
	store *s;
	char err[256];

	snprintf(dir, sizeof(dir), "%s/traces", tmp);
	snprintf(in_dir, sizeof(in_dir), "%s/in", tmp);
	snprintf(db_path, sizeof(db_path), "%s/db", tmp);
	uint64_t n = itest_write_batches(dir, FILES, PER_FILE, 7, src);
	CHECK_EQ(mkdir(in_dir, 0755), 0);

	CHECK_EQ(pthread_create(&th, NULL, watcher, &watch_rc), 0);
	/* its lock is taken, then the database and inotify are set up */
	char lock[620];
	snprintf(lock, sizeof(lock), "%s.lock", db_path);
	for (int t = 0; t < 200 && access(lock, F_OK) != 0; t++)
		usleep(10000);
	usleep(200000);
	CHECK(store_open_db(db_path, STORE_WRITE, &s, err, sizeof(err)) == 0);
	/* groups of files arrive together; the watcher takes them in order,
	 * the importer backwards, so the two meet within each group */
	for (int g = 0; g < FILES; g += GROUP) {
		char path[GROUP][ITEST_PATH_LEN + 16];
		for (int i = 0; i < GROUP; i++) {
			snprintf(path[i], sizeof(path[i]), "%s/f%02d.ojo",
				 in_dir, g + i);
			CHECK_EQ(rename(src[g + i], path[i]), 0);
		}
		for (int i = GROUP - 1; i >= 0; i--) {
			ingest_result res;
			CHECK_EQ(ingest_file(s, path[i], &res), 0);
			if (res.status == STORE_FILE_INGESTED)
				imported++;
			else
				skipped++;
		}
	}
	/* every file is committed now: by the importer, or by the watcher
	 * before the importer looked (it skipped it then) */
	store_close(s);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(pthread_join(th, NULL), 0);
	CHECK_EQ(watch_rc, 0);
	fprintf(stderr, "ingest_race: import took %d files, the watcher %d\n",
		imported, skipped);

	sqlite3 *db = test_sql_open(db_path, SQLITE_OPEN_READONLY);
	CHECK_EQ(test_sql_int(db, "SELECT sum(n) FROM blocks"), n);
	CHECK_EQ(test_sql_int(db, "SELECT sum(n_events) FROM flows"), n);
	CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM files WHERE status = "
				  "'ingested'"),
		 FILES);
	CHECK_EQ(test_sql_int(db, "SELECT count(DISTINCT file_id) FROM blocks"),
		 FILES);
	CHECK_EQ(test_sql_int(db, "SELECT sum(n_events) FROM files"), n);
	sqlite3_close(db);
	test_rmtree(tmp);
	free(tmp);
	printf("ingest_race: ok\n");
	return 0;
}
