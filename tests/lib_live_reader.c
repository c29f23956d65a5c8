/* lib_live_reader.c - a reader scanning output/ while writers record never
 * meets a partial or invalid file (staging + fsync + rename).
 * usage: lib_live_reader EVENTS_PER_THREAD */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lib_common.h"

#define WRITERS 2
static ojo_tracer *tr;
static uint64_t per_thread;
static char *dir;
static atomic_int writers_done;

static void *writer(void *arg)
{
	uint32_t th = (uint32_t)(uintptr_t)arg;
	for (uint64_t s = 0; s < per_thread; s++)
		if (ojo_record_now(tr, th + 1, OJO_EV_PACKET_SENT, s) ==
		    -OJO_EDROPPED)
			sched_yield();
	return NULL;
}

/* Opens every .ojo file present right now; all must be whole and valid. */
static uint64_t scan_once(uint64_t *files)
{
	char out[1024];
	snprintf(out, sizeof(out), "%s/output", dir);
	DIR *d = opendir(out);
	CHECK(d != NULL);
	struct dirent *e;
	uint64_t records = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		/* nothing but finished batches (and a schema) may appear */
		CHECK(n > 4 && strcmp(e->d_name + n - 4, ".ojo") == 0);
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
		struct stat st;
		CHECK_EQ(stat(path, &st), 0);
		CHECK(st.st_size >= OJO_HEADER_SIZE);
		CHECK_EQ((st.st_size - OJO_HEADER_SIZE) % OJO_RECORD_SIZE, 0);
		ojo_reader *r = test_open_valid(path);
		CHECK_EQ(ojo_reader_count(r),
			 (st.st_size - OJO_HEADER_SIZE) / OJO_RECORD_SIZE);
		for (size_t i = 0; i < ojo_reader_count(r); i++) {
			ojo_record_view v;
			CHECK_EQ(ojo_reader_get(r, i, &v), 0);
			CHECK(v.event_type == OJO_EV_PACKET_SENT ||
			      v.event_type == OJO_EV_EVENTS_DROPPED);
			records++;
		}
		ojo_reader_close(r);
		(*files)++;
	}
	closedir(d);
	return records;
}

static void *reader(void *arg)
{
	(void)arg;
	uint64_t scans = 0, files = 0;
	while (!atomic_load(&writers_done)) {
		scan_once(&files);
		scans++;
	}
	printf("reader: %llu scans, %llu file opens, all valid\n",
	       (unsigned long long)scans, (unsigned long long)files);
	CHECK(scans > 0);
	return NULL;
}

/* ojo_tracer_flush() from another thread while writers run. */
static void *flush_caller(void *arg)
{
	(void)arg;
	uint64_t calls = 0;
	while (!atomic_load(&writers_done)) {
		CHECK_EQ(ojo_tracer_flush(tr), 0);
		calls++;
	}
	printf("flush caller: %llu flushes\n", (unsigned long long)calls);
	return NULL;
}

int main(int argc, char **argv)
{
	per_thread = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
	dir = test_tmpdir();
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = 1 << 16;
	cfg.flush_interval_ms = 3; /* many small files */
	CHECK_EQ(ojo_tracer_open(&cfg, &tr), 0);

	pthread_t w[WRITERS], rd, fl;
	CHECK_EQ(pthread_create(&rd, NULL, reader, NULL), 0);
	CHECK_EQ(pthread_create(&fl, NULL, flush_caller, NULL), 0);
	for (uintptr_t i = 0; i < WRITERS; i++)
		CHECK_EQ(pthread_create(&w[i], NULL, writer, (void *)i), 0);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	CHECK_EQ(ojo_tracer_flush(tr), 0);
	atomic_store(&writers_done, 1);
	pthread_join(rd, NULL);
	pthread_join(fl, NULL);

	ojo_stats st;
	ojo_tracer_stats(tr, &st);
	CHECK_EQ(ojo_tracer_close(tr), 0);
	uint64_t files = 0, records = scan_once(&files);
	CHECK_EQ(files, st.files_written);
	CHECK(files > 1);
	CHECK_EQ(st.events_recorded + st.events_dropped, WRITERS * per_thread);
	/* records = events found + one events-dropped record per batch that
	 * had drops to report */
	CHECK(records >= st.events_recorded);
	test_rmtree(dir);
	free(dir);
	return 0;
}
