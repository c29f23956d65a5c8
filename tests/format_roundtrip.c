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

#include "check.h"
#include "ojo/ojo.h"
#include "ojo/reader.h"

static char *tmpdir;

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

/* Reads every file of dir/output, checking the format rules on the way. */
static void scan_output(const char *dir, const char *trace, uint64_t schema_id,
			struct scan *s)
{
	char out[512];
	snprintf(out, sizeof(out), "%s/output", dir);
	uint64_t epoch = strtoull(trace, NULL, 10);
	memset(s, 0, sizeof(*s));
	DIR *d = opendir(out);
	EXPECT(d != NULL);
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
		EXPECT(ojo_parse_file_name(e->d_name, t, sizeof(t), &batch) ==
		       0);
		EXPECT(strcmp(t, trace) == 0);
		batches_seen++;
		batch_sum += batch;
		if (batch > s->max_batch)
			s->max_batch = batch;

		ojo_reader *r;
		ojo_reader_error err;
		int rc = ojo_reader_open(path, &r, &err);
		if (rc) {
			check_failed(__FILE__, __LINE__, "%s: %s", path,
				     err.message);
			continue;
		}
		s->files++;
		EXPECT(ojo_reader_status(r, NULL) == 0);
		EXPECT(ojo_reader_version(r) == OJO_FORMAT_VERSION);
		EXPECT(ojo_reader_schema_id(r) == schema_id);
		size_t n = ojo_reader_count(r);
		EXPECT(n > 0);
		uint64_t prev = 0;
		for (size_t i = 0; i < n; i++) {
			ojo_record_view v;
			EXPECT(ojo_reader_get(r, i, &v) == 0);
			if (i == 0)
				EXPECT(v.time_ns ==
				       ojo_reader_batch_start_ns(r));
			EXPECT(v.time_ns >= prev); /* sorted by time */
			prev = v.time_ns;
			if (v.event_type == OJO_EV_EVENTS_DROPPED) {
				EXPECT(v.flow_id == 0);
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
	EXPECT(batch_sum == batches_seen * (batches_seen + 1) / 2);
	EXPECT(s->max_batch == batches_seen);
	EXPECT(test_count_entries(dir, "staging") == 0); /* nothing left */
}

/* Opens a tracer with cfg writing into tmpdir/sub: dir gets that path,
 * trace the tracer's name. NULL (a failed check) if it does not open. */
static ojo_tracer *open_in(const char *sub, ojo_config *cfg, char *dir,
			   size_t dir_len, char trace[64])
{
	snprintf(dir, dir_len, "%s/%s", tmpdir, sub);
	cfg->output_dir = dir;
	ojo_tracer *t = NULL;
	EXPECT(ojo_tracer_open(cfg, &t) == 0);
	if (t)
		snprintf(trace, 64, "%s", ojo_tracer_name(t));
	return t;
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
	char dir[600], trace[64];
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.schema_json = schema;
	ojo_tracer *t = open_in("single", &cfg, dir, sizeof(dir), trace);
	if (!t)
		return;

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
		EXPECT(ojo_record(t, &sent[i]) == 0);
		if (i == N / 3 || i == 2 * N / 3)
			EXPECT(ojo_tracer_flush(t) == 0); /* more batches */
	}
	ojo_stats st;
	EXPECT(ojo_tracer_flush(t) == 0);
	ojo_tracer_stats(t, &st);
	EXPECT(st.events_recorded == N && st.events_dropped == 0);
	EXPECT(st.files_written >= 3);
	EXPECT(ojo_tracer_close(t) == 0);

	uint64_t id = fnv1a(schema, strlen(schema));
	struct scan s;
	scan_output(dir, trace, id, &s);
	EXPECT(s.files == st.files_written);
	EXPECT(s.schema_files == 1);
	EXPECT(s.dropped == 0);
	EXPECT(s.n == N);
	if (s.n == N) {
		qsort(sent, N, sizeof(*sent), cmp_event);
		qsort(s.ev, N, sizeof(*s.ev), cmp_event);
		EXPECT(memcmp(sent, s.ev, sizeof(sent)) == 0);
	}
	free(s.ev);

	/* the schema file holds the text unchanged, under its id */
	char path[1024];
	snprintf(path, sizeof(path), "%s/output/schema-%016" PRIx64 ".json",
		 dir, id);
	size_t n;
	char *text = test_read_file(path, &n);
	EXPECT(text != NULL);
	if (text) {
		EXPECT(n == strlen(schema) && memcmp(text, schema, n) == 0);
		free(text);
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
	char dir[600], trace[64];
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.buffer_size = 4096; /* a few hundred slots per thread */
	cfg.flush_interval_ms = 5;
	ojo_tracer *t = open_in("dropped", &cfg, dir, sizeof(dir), trace);
	if (!t)
		return;
	pthread_t th[THREADS];
	struct writer w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){t, i, 0};
		EXPECT(pthread_create(&th[i], NULL, writer_main, &w[i]) == 0);
	}
	uint64_t dropped = 0;
	for (int i = 0; i < THREADS; i++) {
		void *rv;
		pthread_join(th[i], &rv);
		EXPECT(rv == NULL);
		dropped += w[i].dropped;
	}
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	EXPECT(st.events_dropped == dropped);
	EXPECT(st.events_recorded + st.events_dropped ==
	       (uint64_t)THREADS * PER_THREAD);
	EXPECT(ojo_tracer_close(t) == 0);

	struct scan s;
	scan_output(dir, trace, 0, &s);
	EXPECT(s.schema_files == 0);
	EXPECT(s.dropped == dropped);
	EXPECT(s.n + s.dropped == (uint64_t)THREADS * PER_THREAD);
	/* each (thread, sequence) at most once, on its thread's flow */
	unsigned char *seen = calloc(THREADS * PER_THREAD, 1);
	for (size_t i = 0; i < s.n; i++) {
		uint64_t th_id = s.ev[i].payload >> 32;
		uint64_t seq = s.ev[i].payload & 0xffffffffu;
		EXPECT(th_id < THREADS && seq < PER_THREAD);
		if (th_id >= THREADS || seq >= PER_THREAD)
			continue;
		EXPECT(s.ev[i].flow_id == th_id + 1);
		EXPECT(s.ev[i].event_type == OJO_EV_PACKET_SENT);
		EXPECT(!seen[th_id * PER_THREAD + seq]);
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
	EXPECT(ojo_tracer_open(&cfg, &a) == 0);
	EXPECT(ojo_tracer_open(&cfg, &b) == 0);
	if (!a || !b) {
		ojo_tracer_close(a);
		ojo_tracer_close(b);
		return;
	}
	char na[64], nb[64];
	snprintf(na, sizeof(na), "%s", ojo_tracer_name(a));
	snprintf(nb, sizeof(nb), "%s", ojo_tracer_name(b));
	EXPECT(strcmp(na, nb) != 0);
	for (uint32_t i = 0; i < 100; i++) {
		EXPECT(ojo_record_now(a, 1, OJO_EV_CWND, i) == 0);
		EXPECT(ojo_record_now(b, 1, OJO_EV_CWND, 1000 + i) == 0);
	}
	EXPECT(ojo_tracer_close(a) == 0);
	EXPECT(ojo_tracer_close(b) == 0);

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
			EXPECT(mine_a ? v.payload < 1000 : v.payload >= 1000);
			*(mine_a ? &in_a : &in_b) += 1;
		}
		ojo_reader_close(r);
	}
	if (d)
		closedir(d);
	EXPECT(in_a == 100 && in_b == 100);
}

/* The reader's codes have text in ojo_strerror(). */
static void test_strerror(void)
{
	EXPECT(strstr(ojo_strerror(-OJO_EBADMAGIC), "magic") != NULL);
	EXPECT(strstr(ojo_strerror(-OJO_EVERSION), "version") != NULL);
	EXPECT(strstr(ojo_strerror(-OJO_ETRUNCATED), "truncated") != NULL);
	EXPECT(strcmp(ojo_strerror(-ENOENT), strerror(ENOENT)) == 0);
}

int main(void)
{
	tmpdir = test_tmpdir();
	test_single_thread();
	test_dropped();
	test_two_tracers();
	test_strerror();
	test_rmtree(tmpdir);
	free(tmpdir);
	return check_report("format_roundtrip");
}
