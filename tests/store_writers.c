/* store_writers.c - several writers on one database at the same moment
 * (`ojo import` or `ojo demo` beside a running `ojo watch`), released
 * together by a barrier so they really collide:
 * - first opens of a database that does not exist yet all succeed and
 *   leave one schema;
 * - writers ingesting the same files, in the same and in opposite orders,
 *   store each file exactly once (the ledger is checked again inside the
 *   write transaction), with every event there once.
 * Runs under TSan (label "concurrency"). */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_sql.h"
#include "ingest/ingest.h"
#include "ingest_common.h"
#include "ojo/ojo.h"
#include "sqlite/sq_schema.h"

enum { WRITERS = 4, FILES = 48, PER_FILE = 3000, ROUNDS = 4 };

static pthread_barrier_t go;
static bool lockstep;
static char db_path[600];
static char paths[FILES][ITEST_PATH_LEN];

typedef struct worker {
	int id;
	int open_rc;
	char err[256];
	int ingested, skipped, failed;
} worker;

static void *opener(void *arg)
{
	worker *w = arg;
	store *s = NULL;
	pthread_barrier_wait(&go);
	w->open_rc =
	    store_open_db(db_path, STORE_WRITE, &s, w->err, sizeof(w->err));
	store_close(s);
	return NULL;
}

static void *ingester(void *arg)
{
	worker *w = arg;
	store *s;
	CHECK(store_open_db(db_path, STORE_WRITE, &s, w->err, sizeof(w->err)) ==
	      0);
	pthread_barrier_wait(&go);
	for (int k = 0; k < FILES; k++) {
		/* lockstep: all look at file k at the same moment, so all
		 * find it new and all but one must see it taken inside their
		 * transaction; else odd writers go backwards and meet the
		 * others midway */
		int i = k;
		if (lockstep)
			pthread_barrier_wait(&go);
		else if (w->id % 2)
			i = FILES - 1 - k;
		ingest_result res;
		if (ingest_file(s, paths[i], &res) != 0) {
			w->failed++;
			fprintf(stderr, "writer %d: %s: %s\n", w->id, paths[i],
				res.reason);
		} else if (res.status == STORE_FILE_INGESTED) {
			w->ingested++;
		} else {
			w->skipped++;
		}
	}
	store_close(s);
	return NULL;
}

static void run_all(void *(*fn)(void *), worker *w)
{
	pthread_t th[WRITERS];
	memset(w, 0, WRITERS * sizeof(*w));
	CHECK_EQ(pthread_barrier_init(&go, NULL, WRITERS), 0);
	for (int i = 0; i < WRITERS; i++) {
		w[i].id = i;
		CHECK_EQ(pthread_create(&th[i], NULL, fn, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
}

int main(void)
{
	char *tmp = test_tmpdir(), dir[600];
	worker w[WRITERS];

	snprintf(dir, sizeof(dir), "%s/traces", tmp);
	uint64_t n = itest_write_batches(dir, FILES, PER_FILE, 5, paths);
	for (int round = 0; round < ROUNDS; round++) {
		snprintf(db_path, sizeof(db_path), "%s/db%d", tmp, round);
		/* everyone creates the database at once */
		run_all(opener, w);
		for (int i = 0; i < WRITERS; i++) {
			if (w[i].open_rc)
				fprintf(stderr, "opener %d: %d %s\n", i,
					w[i].open_rc, w[i].err);
			CHECK_EQ(w[i].open_rc, 0);
		}
		/* everyone ingests every file at once */
		lockstep = round % 2 == 0;
		run_all(ingester, w);
		int ingested = 0;
		for (int i = 0; i < WRITERS; i++) {
			CHECK_EQ(w[i].failed, 0);
			CHECK_EQ(w[i].ingested + w[i].skipped, FILES);
			ingested += w[i].ingested;
		}
		fprintf(stderr,
			"store_writers: round %d (%s): ingested %d/%d/%d/%d\n",
			round, lockstep ? "lockstep" : "opposite orders",
			w[0].ingested, w[1].ingested, w[2].ingested,
			w[3].ingested);
		CHECK_EQ(ingested, FILES);
		sqlite3 *db = test_sql_open(db_path, SQLITE_OPEN_READONLY);
		CHECK_EQ(test_sql_int(db, "PRAGMA user_version"),
			 SQ_SCHEMA_VERSION);
		CHECK_EQ(test_sql_int(db, "SELECT sum(n) FROM blocks"), n);
		CHECK_EQ(test_sql_int(db, "SELECT sum(n_events) FROM flows"),
			 n);
		CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM files WHERE "
					  "status = 'ingested'"),
			 FILES);
		CHECK_EQ(test_sql_int(db, "SELECT count(DISTINCT file_id) FROM "
					  "blocks"),
			 FILES);
		CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM traces"), 1);
		CHECK_EQ(test_sql_int(db, "SELECT n_events FROM traces"), n);
		sqlite3_close(db);
	}
	test_rmtree(tmp);
	free(tmp);
	printf("store_writers: ok\n");
	return 0;
}
