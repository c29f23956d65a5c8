/* lib_stress.c - many writer threads on small rings: after close every
 * event is in output/ exactly once or counted as dropped, untorn.
 * usage: lib_stress THREADS EVENTS_PER_THREAD BUFFER_BYTES MAX_WRITERS */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "lib_common.h"

static ojo_tracer *tr;
static uint64_t per_thread;
static _Atomic uint64_t edropped; /* -OJO_EDROPPED returns seen */
static _Atomic uint64_t calls;	  /* ojo_record* calls made */

static uint32_t type_of(uint64_t seq)
{
	return OJO_EV_USER_BASE + (uint32_t)(seq % 7);
}

static void *writer(void *arg)
{
	uint64_t th = (uint64_t)(uintptr_t)arg, drops = 0, n = 0;
	/* even threads retry a dropped event (so rings wrap many times with
	 * real traffic), odd ones move on (so drops are plentiful) */
	int retry = th % 2 == 0;
	for (uint64_t s = 0; s < per_thread; s++) {
		n++;
		uint64_t payload = th << 40 | s;
		int rc;
		if (s & 1) {
			rc = ojo_record_now(tr, (uint32_t)th + 1, type_of(s),
					    payload);
		} else {
			ojo_event ev = {ojo_now_ns(tr), (uint32_t)th + 1,
					type_of(s), payload};
			rc = ojo_record(tr, &ev);
		}
		if (rc == -OJO_EDROPPED) {
			drops++;
			if (retry) {
				struct timespec ts = {0, 20000};
				nanosleep(&ts, NULL); /* let the flusher run */
			} else if (drops % 16 == 1) {
				sched_yield();
			}
			if (retry && drops % 1000 != 0)
				s--;
		} else {
			CHECK_EQ(rc, 0);
		}
	}
	atomic_fetch_add(&edropped, drops);
	atomic_fetch_add(&calls, n);
	return NULL;
}

struct seen {
	uint64_t threads;
	uint8_t *bits; /* threads * per_thread bits */
	uint64_t found, dropped_in_files, drop_records;
};

static void on_record(void *user, const ojo_record_view *v)
{
	struct seen *s = user;
	if (v->event_type == OJO_EV_EVENTS_DROPPED) {
		CHECK_EQ(v->flow_id, 0);
		CHECK(v->payload > 0);
		s->dropped_in_files += v->payload;
		s->drop_records++;
		return;
	}
	uint64_t th = v->payload >> 40, seq = v->payload & ((1ull << 40) - 1);
	CHECK(th < s->threads);
	CHECK(seq < per_thread);
	CHECK_EQ(v->flow_id, th + 1); /* not torn: fields agree */
	CHECK_EQ(v->event_type, type_of(seq));
	uint64_t bit = th * per_thread + seq;
	CHECK(!(s->bits[bit / 8] & (1u << (bit % 8)))); /* no duplicate */
	s->bits[bit / 8] |= (uint8_t)(1u << (bit % 8));
	s->found++;
}

int main(int argc, char **argv)
{
	uint64_t threads = argc > 1 ? strtoull(argv[1], NULL, 0) : 4;
	per_thread = argc > 2 ? strtoull(argv[2], NULL, 0) : 1000000;
	size_t buf = argc > 3 ? strtoull(argv[3], NULL, 0) : 65536;
	uint32_t writers = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : 16;
	char *dir = test_tmpdir();

	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = buf;
	cfg.max_writers = writers;
	cfg.flush_interval_ms = 20;
	CHECK_EQ(ojo_tracer_open(&cfg, &tr), 0);

	pthread_t th[64];
	CHECK(threads >= 1 && threads <= 64);
	for (uint64_t i = 0; i < threads; i++)
		CHECK_EQ(
		    pthread_create(&th[i], NULL, writer, (void *)(uintptr_t)i),
		    0);
	for (uint64_t i = 0; i < threads; i++)
		pthread_join(th[i], NULL);

	CHECK_EQ(ojo_tracer_flush(tr), 0);
	ojo_stats st;
	ojo_tracer_stats(tr, &st);
	CHECK_EQ(ojo_tracer_close(tr), 0);

	uint64_t attempted = atomic_load(&calls);
	struct seen s = {.threads = threads};
	s.bits = calloc((threads * per_thread + 7) / 8, 1);
	CHECK(s.bits != NULL);
	size_t files = test_scan(dir, on_record, &s);

	printf("threads=%llu attempted=%llu found=%llu dropped=%llu "
	       "files=%zu drop-records=%llu\n",
	       (unsigned long long)threads, (unsigned long long)attempted,
	       (unsigned long long)s.found,
	       (unsigned long long)st.events_dropped, files,
	       (unsigned long long)s.drop_records);
	CHECK_EQ(st.write_errors, 0);
	CHECK_EQ(st.files_written, files);
	CHECK_EQ(st.events_dropped, atomic_load(&edropped));
	CHECK_EQ(st.events_recorded + st.events_dropped, attempted);
	CHECK_EQ(s.found, st.events_recorded);
	CHECK_EQ(s.found + st.events_dropped, attempted);
	CHECK_EQ(s.dropped_in_files, st.events_dropped);
	CHECK_EQ(test_count_entries(dir, "staging"), 0);

	free(s.bits);
	test_rmtree(dir);
	free(dir);
	return 0;
}
