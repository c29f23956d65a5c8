/* store_readers.c - readers on their own read-only connections, while a
 * writer commits file after file, never see part of a file: in every read
 * snapshot the files ledger, the trace and flow summaries, the blocks and
 * the events table agree on the number of events. */
#include "store_common.h"

#include <pthread.h>
#include <stdatomic.h>

#include "ojo/events.h"

#define FILES	 150
#define PER_FILE 6000

static char db[600];
static atomic_bool writer_done;

static void *writer(void *arg)
{
	(void)arg;
	store *s = open_ok(db, STORE_WRITE);
	static store_event ev[PER_FILE];
	uint64_t seed = 7;
	for (int f = 0; f < FILES; f++) {
		int64_t tid = begin_trace(s, f % 2 ? "odd" : "even");
		for (int i = 0; i < PER_FILE; i++)
			ev[i] = (store_event){
			    (int64_t)f * 1000000 + i,
			    (uint32_t)(rnd(&seed) % 40),
			    OJO_EV_PACKET_SENT + (uint32_t)(rnd(&seed) % 6), 1};
		/* two appends with a flush between: a file's blocks reach
		 * the database in several steps before the commit */
		CHECK_OK(s, store_append(s, tid, ev, PER_FILE / 2));
		CHECK_OK(s, sq_store_flush(s));
		CHECK_OK(s, store_append(s, tid, ev + PER_FILE / 2,
					 PER_FILE - PER_FILE / 2));
		char path[64];
		snprintf(path, sizeof(path), "/in/%04d.ojo", f);
		store_file_info fi = {.path = path,
				      .trace_id = tid,
				      .format = "ojo",
				      .events = PER_FILE,
				      .status = STORE_FILE_INGESTED};
		CHECK_OK(s, store_file_done(s, &fi));
		CHECK_OK(s, store_commit(s));
	}
	store_close(s);
	atomic_store(&writer_done, true);
	return NULL;
}

static void *reader(void *arg)
{
	long *snapshots = arg;
	store *s = open_ok(db, STORE_READ);
	int64_t last = -1, distinct = 0;
	for (bool done = false; !done;) {
		done = atomic_load(&writer_done); /* one more pass after */
		test_sql_exec(sq_store_sqlite(s), "BEGIN");
		int64_t files = q_int(s, "SELECT coalesce(sum(n_events), 0)"
					 " FROM files");
		int64_t traces = q_int(s, "SELECT coalesce(sum(n_events), 0)"
					  " FROM traces");
		int64_t flows = q_int(s, "SELECT coalesce(sum(n_events), 0)"
					 " FROM flows");
		int64_t types = q_int(s, "SELECT coalesce(sum(n), 0)"
					 " FROM type_counts");
		int64_t blocks = q_int(s, "SELECT coalesce(sum(n), 0)"
					  " FROM blocks");
		int64_t events = q_int(s, "SELECT count(*) FROM events");
		int64_t nfiles = q_int(s, "SELECT count(*) FROM files");
		test_sql_exec(sq_store_sqlite(s), "COMMIT");
		CHECK_EQ(files, nfiles * PER_FILE);
		CHECK_EQ(traces, files);
		CHECK_EQ(flows, files);
		CHECK_EQ(types, files);
		CHECK_EQ(blocks, files);
		CHECK_EQ(events, files);
		distinct += files != last;
		last = files;
		(*snapshots)++;
	}
	CHECK_EQ(last, (int64_t)FILES * PER_FILE);
	CHECK(distinct >= 3); /* saw the data grow, not just the end */
	store_close(s);
	return NULL;
}

int main(void)
{
	char *dir = test_tmpdir();
	snprintf(db, sizeof(db), "%s/r.db", dir);
	/* create the schema first, so readers can open at once */
	store *s = open_ok(db, STORE_WRITE);
	store_close(s);
	pthread_t w, r[2];
	long snaps[2] = {0, 0};
	CHECK(pthread_create(&r[0], NULL, reader, &snaps[0]) == 0);
	CHECK(pthread_create(&r[1], NULL, reader, &snaps[1]) == 0);
	CHECK(pthread_create(&w, NULL, writer, NULL) == 0);
	pthread_join(w, NULL);
	pthread_join(r[0], NULL);
	pthread_join(r[1], NULL);
	printf("store_readers: ok (%ld + %ld consistent snapshots)\n", snaps[0],
	       snaps[1]);
	test_rmtree(dir);
	free(dir);
	return 0;
}
