/* format_roundtrip.c - files written by the real tracer, read back with the
 * reader, match what was recorded and every rule of docs/FORMAT.md: names,
 * batch numbering, header fields, sorted records, absolute times, the
 * schema file and its id, and the accounting of dropped events. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ojo/ojo.h"
#include "ojo/reader.h"

static int failures;
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond);                              \
			failures++;                                            \
		}                                                              \
	} while (0)

static char tmpdir[] = "/tmp/ojo-roundtrip-XXXXXX";

static const char schema[] =
    "[{\"type\": 65536, \"name\": \"handshake_done\", \"category\": "
    "\"tls\", \"description\": \"TLS handshake completed\", "
    "\"payload_kind\": \"duration_ns\", \"unit\": \"ns\"}]\n";

/* What a scan of output/ found. */
struct scan {
	ojo_event *ev; /* timestamp_ns = absolute time - trace epoch */
	size_t n, cap;
	uint64_t dropped; /* sum of events_dropped payloads */
	size_t files, schema_files;
	uint64_t max_batch;
};

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	return remove(p);
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Reads every file of dir/output, checking the format rules on the way. */
static void scan_output(const char *dir, const char *trace, uint64_t schema_id,
			struct scan *s)
{
	char out[512];
	snprintf(out, sizeof(out), "%s/output", dir);
	uint64_t epoch = strtoull(trace, NULL, 10);
	memset(s, 0, sizeof(*s));
	DIR *d = opendir(out);
	CHECK(d != NULL);
	if (!d)
		return;
	struct dirent *e;
	uint64_t batches_seen = 0, batch_sum = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
		if (strncmp(e->d_name, "schema-", 7) == 0) {
			s->schema_files++;
			continue;
		}
		char t[64];
		uint64_t batch;
		CHECK(ojo_parse_file_name(e->d_name, t, sizeof(t), &batch) ==
		      0);
		CHECK(strcmp(t, trace) == 0);
		batches_seen++;
		batch_sum += batch;
		if (batch > s->max_batch)
			s->max_batch = batch;

		ojo_reader *r;
		ojo_reader_error err;
		int rc = ojo_reader_open(path, &r, &err);
		if (rc) {
			fprintf(stderr, "%s: %s\n", path, err.message);
			failures++;
			continue;
		}
		s->files++;
		CHECK(ojo_reader_status(r, NULL) == 0);
		CHECK(ojo_reader_version(r) == OJO_FORMAT_VERSION);
		CHECK(ojo_reader_schema_id(r) == schema_id);
		size_t n = ojo_reader_count(r);
		CHECK(n > 0);
		uint64_t prev = 0;
		for (size_t i = 0; i < n; i++) {
			ojo_record_view v;
			CHECK(ojo_reader_get(r, i, &v) == 0);
			if (i == 0)
				CHECK(v.time_ns ==
				      ojo_reader_batch_start_ns(r));
			CHECK(v.time_ns >= prev); /* sorted by time */
			prev = v.time_ns;
			if (v.event_type == OJO_EV_EVENTS_DROPPED) {
				CHECK(v.flow_id == 0);
				s->dropped += v.payload;
				continue;
			}
			if (s->n == s->cap) {
				s->cap = s->cap ? 2 * s->cap : 1024;
				s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
			}
			s->ev[s->n++] =
			    (ojo_event){v.time_ns - epoch, v.flow_id,
					v.event_type, v.payload};
		}
		ojo_reader_close(r);
	}
	closedir(d);
	/* batch numbers are 1..k without gaps (no write failed here) */
	CHECK(batch_sum == batches_seen * (batches_seen + 1) / 2);
	CHECK(s->max_batch == batches_seen);
	snprintf(out, sizeof(out), "%s/staging", dir);
	CHECK(dir_entries(out) == 0); /* nothing left behind */
}

static int cmp_event(const void *a, const void *b)
{
	const ojo_event *x = a, *y = b;
	if (x->timestamp_ns != y->timestamp_ns)
		return x->timestamp_ns < y->timestamp_ns ? -1 : 1;
	if (x->flow_id != y->flow_id)
		return x->flow_id < y->flow_id ? -1 : 1;
	if (x->event_type != y->event_type)
		return x->event_type < y->event_type ? -1 : 1;
	return (x->payload > y->payload) - (x->payload < y->payload);
}

/* Events recorded out of order with caller timestamps, across several
 * batches, come back exactly, with their caller timestamps recoverable
 * from the trace name. */
static void test_single_thread(void)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/single", tmpdir);
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.schema_json = schema;
	ojo_tracer *t;
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	if (!t)
		return;
	char trace[64];
	snprintf(trace, sizeof(trace), "%s", ojo_tracer_name(t));

	enum { N = 5000 };
	static ojo_event sent[N];
	for (size_t i = 0; i < N; i++) {
		/* times jump back and forth; payloads use all 64 bits */
		sent[i] = (ojo_event){
		    .timestamp_ns = (i * 7919) % N * 1000 + 17,
		    .flow_id = i % 3 ? (uint32_t)i : UINT32_MAX,
		    .event_type =
			i % 5 ? (uint32_t)(1 + i % 68) : OJO_EV_USER_BASE,
		    .payload =
			i % 11 ? OJO_RANGE(i * 1200, 1200) : UINT64_MAX - i,
		};
		CHECK(ojo_record(t, &sent[i]) == 0);
		if (i == N / 3 || i == 2 * N / 3)
			CHECK(ojo_tracer_flush(t) == 0); /* more batches */
	}
	ojo_stats st;
	CHECK(ojo_tracer_flush(t) == 0);
	ojo_tracer_stats(t, &st);
	CHECK(st.events_recorded == N && st.events_dropped == 0);
	CHECK(st.files_written >= 3);
	CHECK(ojo_tracer_close(t) == 0);

	uint64_t id = fnv1a(schema, strlen(schema));
	struct scan s;
	scan_output(dir, trace, id, &s);
	CHECK(s.files == st.files_written);
	CHECK(s.schema_files == 1);
	CHECK(s.dropped == 0);
	CHECK(s.n == N);
	if (s.n == N) {
		qsort(sent, N, sizeof(*sent), cmp_event);
		qsort(s.ev, N, sizeof(*s.ev), cmp_event);
		CHECK(memcmp(sent, s.ev, sizeof(sent)) == 0);
	}
	free(s.ev);

	/* the schema file holds the text unchanged, under its id */
	char path[1024], buf[1024];
	snprintf(path, sizeof(path), "%s/output/schema-%016" PRIx64 ".json",
		 dir, id);
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		CHECK(n == strlen(schema) && memcmp(buf, schema, n) == 0);
	}
}

/* Several writer threads on a ring too small for them: every attempted
 * event is either in a file exactly once or counted by an events_dropped
 * record, and the counts agree with ojo_record()'s return codes. */
enum { THREADS = 4, PER_THREAD = 40000 };
struct writer {
	ojo_tracer *t;
	int id;
	uint64_t dropped;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (uint64_t i = 0; i < PER_THREAD; i++) {
		int rc = ojo_record_now(w->t, (uint32_t)w->id + 1,
					OJO_EV_PACKET_SENT,
					(uint64_t)w->id << 32 | i);
		if (i % 1000 == 999) { /* let the flusher write some batches */
			struct timespec pause = {0, 300000};
			nanosleep(&pause, NULL);
		}
		if (rc == -OJO_EDROPPED)
			w->dropped++;
		else if (rc != 0)
			return (void *)1;
	}
	return NULL;
}

static void test_dropped(void)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/dropped", tmpdir);
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = 4096; /* a few hundred slots per thread */
	cfg.flush_interval_ms = 5;
	ojo_tracer *t;
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	if (!t)
		return;
	char trace[64];
	snprintf(trace, sizeof(trace), "%s", ojo_tracer_name(t));
	pthread_t th[THREADS];
	struct writer w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){t, i, 0};
		CHECK(pthread_create(&th[i], NULL, writer_main, &w[i]) == 0);
	}
	uint64_t dropped = 0;
	for (int i = 0; i < THREADS; i++) {
		void *rv;
		pthread_join(th[i], &rv);
		CHECK(rv == NULL);
		dropped += w[i].dropped;
	}
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	CHECK(st.events_dropped == dropped);
	CHECK(st.events_recorded + st.events_dropped ==
	      (uint64_t)THREADS * PER_THREAD);
	CHECK(ojo_tracer_close(t) == 0);

	struct scan s;
	scan_output(dir, trace, 0, &s);
	CHECK(s.schema_files == 0);
	CHECK(s.dropped == dropped);
	CHECK(s.n + s.dropped == (uint64_t)THREADS * PER_THREAD);
	/* each (thread, sequence) at most once, on its thread's flow */
	unsigned char *seen = calloc(THREADS * PER_THREAD, 1);
	for (size_t i = 0; i < s.n; i++) {
		uint64_t th_id = s.ev[i].payload >> 32;
		uint64_t seq = s.ev[i].payload & 0xffffffffu;
		CHECK(th_id < THREADS && seq < PER_THREAD);
		if (th_id >= THREADS || seq >= PER_THREAD)
			continue;
		CHECK(s.ev[i].flow_id == th_id + 1);
		CHECK(s.ev[i].event_type == OJO_EV_PACKET_SENT);
		CHECK(!seen[th_id * PER_THREAD + seq]);
		seen[th_id * PER_THREAD + seq] = 1;
	}
	free(seen);
	free(s.ev);
	printf("format_roundtrip: %zu events in %zu files, %" PRIu64
	       " dropped and accounted\n",
	       s.n, s.files, s.dropped);
}

/* Two tracers in one process, in one directory, stay apart. */
static void test_two_tracers(void)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/two", tmpdir);
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	ojo_tracer *a, *b;
	CHECK(ojo_tracer_open(&cfg, &a) == 0);
	CHECK(ojo_tracer_open(&cfg, &b) == 0);
	if (!a || !b) {
		ojo_tracer_close(a);
		ojo_tracer_close(b);
		return;
	}
	char na[64], nb[64];
	snprintf(na, sizeof(na), "%s", ojo_tracer_name(a));
	snprintf(nb, sizeof(nb), "%s", ojo_tracer_name(b));
	CHECK(strcmp(na, nb) != 0);
	for (uint32_t i = 0; i < 100; i++) {
		CHECK(ojo_record_now(a, 1, OJO_EV_CWND, i) == 0);
		CHECK(ojo_record_now(b, 1, OJO_EV_CWND, 1000 + i) == 0);
	}
	CHECK(ojo_tracer_close(a) == 0);
	CHECK(ojo_tracer_close(b) == 0);

	char out[700];
	snprintf(out, sizeof(out), "%s/output", dir);
	DIR *d = opendir(out);
	size_t in_a = 0, in_b = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char t[64], path[1024];
		if (ojo_parse_file_name(e->d_name, t, sizeof(t), NULL))
			continue;
		snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
		ojo_reader *r;
		if (ojo_reader_open(path, &r, NULL))
			continue;
		for (size_t i = 0; i < ojo_reader_count(r); i++) {
			ojo_record_view v;
			ojo_reader_get(r, i, &v);
			int mine_a = strcmp(t, na) == 0;
			CHECK(mine_a ? v.payload < 1000 : v.payload >= 1000);
			*(mine_a ? &in_a : &in_b) += 1;
		}
		ojo_reader_close(r);
	}
	if (d)
		closedir(d);
	CHECK(in_a == 100 && in_b == 100);
}

/* The reader's codes have text in ojo_strerror(). */
static void test_strerror(void)
{
	CHECK(strstr(ojo_strerror(-OJO_EBADMAGIC), "magic") != NULL);
	CHECK(strstr(ojo_strerror(-OJO_EVERSION), "version") != NULL);
	CHECK(strstr(ojo_strerror(-OJO_ETRUNCATED), "truncated") != NULL);
	CHECK(strcmp(ojo_strerror(-ENOENT), strerror(ENOENT)) == 0);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_single_thread();
	test_dropped();
	test_two_tracers();
	test_strerror();
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	if (failures)
		fprintf(stderr, "format_roundtrip: %d check(s) failed\n",
			failures);
	return failures != 0;
}
