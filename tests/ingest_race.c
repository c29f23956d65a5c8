/* ingest_race.c - two writers on one database (as `ojo import` beside a
 * running `ojo watch` would be) ingesting the same files at the same time
 * store each file once: the ledger is checked again inside the write
 * transaction. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest_common.h"
#include "ojo/ojo.h"

enum { FILES = 40, PER_FILE = 5000, WRITERS = 2 };

static char db_path[600];
static char paths[FILES][700];

typedef struct worker {
	int ingested, skipped;
} worker;

static void *run(void *arg)
{
	worker *w = arg;
	ojo_store *s;
	char err[256];
	CHECK(ojo_store_open(db_path, OJO_STORE_READWRITE, &s, err,
			     sizeof(err)) == 0);
	for (int i = 0; i < FILES; i++) {
		ojo_ingest_result res;
		CHECK_EQ(ojo_ingest_file(s, paths[i], &res), 0);
		if (res.status == OJO_FILE_INGESTED)
			w->ingested++;
		else
			w->skipped++;
	}
	ojo_store_close(s);
	return NULL;
}

int main(void)
{
	char *tmp = test_tmpdir(), dir[600];
	ojo_config cfg;
	ojo_tracer *t;
	uint64_t n = 0;

	snprintf(dir, sizeof(dir), "%s/traces", tmp);
	snprintf(db_path, sizeof(db_path), "%s/db", tmp);
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = PER_FILE * 24 * 4;
	cfg.flush_interval_ms = 600000;
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	const char *name = ojo_tracer_name(t);
	for (int f = 0; f < FILES; f++) {
		for (int i = 0; i < PER_FILE; i++, n++)
			CHECK(ojo_record_now(t, 1 + (uint32_t)(n % 7),
					     OJO_EV_PACKET_SENT, n) == 0);
		CHECK(ojo_tracer_flush(t) == 0);
		snprintf(paths[f], sizeof(paths[f]), "%s/output/%s-%08d.ojo",
			 dir, name, f + 1);
	}
	CHECK(ojo_tracer_close(t) == 0);

	/* create the schema first: two first-time opens would race on it */
	{
		ojo_store *s;
		char err[256];
		CHECK(ojo_store_open(db_path, OJO_STORE_READWRITE, &s, err,
				     sizeof(err)) == 0);
		ojo_store_close(s);
	}
	pthread_t th[WRITERS];
	worker w[WRITERS];
	memset(w, 0, sizeof(w));
	for (int i = 0; i < WRITERS; i++)
		CHECK(pthread_create(&th[i], NULL, run, &w[i]) == 0);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);

	int ingested = 0;
	for (int i = 0; i < WRITERS; i++)
		ingested += w[i].ingested;
	fprintf(stderr, "ingest_race: writer 1 ingested %d, writer 2 %d\n",
		w[0].ingested, w[1].ingested);
	CHECK_EQ(ingested, FILES);

	sqlite3 *db = test_sql_open(db_path, SQLITE_OPEN_READONLY);
	CHECK_EQ(test_sql_int(db, "SELECT sum(n) FROM blocks"), n);
	CHECK_EQ(test_sql_int(db, "SELECT count(*) FROM files"), FILES);
	sqlite3_close(db);
	test_rmtree(tmp);
	free(tmp);
	printf("ingest_race: ok\n");
	return 0;
}
