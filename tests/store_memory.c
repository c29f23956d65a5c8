/* store_memory.c - one huge transaction (like ingesting a multi-GB file)
 * keeps memory bounded: events are generated on the fly, appended and
 * committed, and the growth of the peak RSS must stay far below what
 * holding the events would take. Usage: store_memory [EVENTS]. */
#include "store_common.h"

#include <sys/resource.h>

#include "ojo/events.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static long max_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	size_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 8000000;
	char *dir = test_tmpdir();
	char db[600];
	snprintf(db, sizeof(db), "%s/m.db", dir);
	store *s = open_ok(db, STORE_WRITE);
	enum { CHUNK = 8192 };
	static store_event chunk[CHUNK];
	static const uint32_t types[] = {
	    OJO_EV_PACKET_SENT,	    OJO_EV_PACKET_ACKED, OJO_EV_CWND,
	    OJO_EV_BYTES_IN_FLIGHT, OJO_EV_DATA_SENT,	 OJO_EV_RTT_SAMPLE};
	uint64_t seed = 42;
	/* warm up: the first transaction sizes SQLite's caches */
	int64_t tid = begin_trace(s, "big");
	for (int i = 0; i < CHUNK; i++)
		chunk[i] = (store_event){i, (uint32_t)(i % 100), types[i % 6],
					 (uint64_t)i};
	CHECK_OK(s, store_append(s, tid, chunk, CHUNK));
	CHECK_OK(s, store_commit(s));
	long before = max_rss_kib();

	CHECK_OK(s, store_begin(s));
	int64_t t = 1000000;
	for (size_t done = 0; done < total; done += CHUNK) {
		size_t m = total - done < CHUNK ? total - done : CHUNK;
		for (size_t i = 0; i < m; i++) {
			t += (int64_t)(rnd(&seed) % 100);
			chunk[i] = (store_event){
			    t, (uint32_t)(rnd(&seed) % 2000),
			    types[rnd(&seed) % 6], rnd(&seed) % 100000};
		}
		CHECK_OK(s, store_append(s, tid, chunk, m));
	}
	CHECK_OK(s, store_commit(s));
	long after = max_rss_kib();
	long grew_mib = (after - before) / 1024;
	long held_mib = (long)(total * sizeof(store_event) >> 20);
	printf("store_memory: %zu events, peak RSS grew %ld MiB (holding the "
	       "events would take %ld MiB)\n",
	       total, grew_mib, held_mib);
	CHECK_EQ(q_int(s, "SELECT n_events FROM traces WHERE name = 'big'"),
		 total + CHUNK);
	CHECK_EQ(q_int(s, "SELECT sum(n_events) FROM flows"), total + CHUNK);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events"), total + CHUNK);
#ifndef UNDER_ASAN
	/* buffers are capped at 32 MiB and SQLite's cache at 16 MiB */
	CHECK(grew_mib < 80);
	CHECK(grew_mib < held_mib / 2);
#endif
	store_close(s);
	test_rmtree(dir);
	free(dir);
	return 0;
}
