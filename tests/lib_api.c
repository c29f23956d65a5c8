/* lib_api.c - libojo's contract from a user's side: defaults, close and
 * flush make events visible, file names and headers, schema file, drops,
 * open failures, several tracers, error strings and the catalog. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "lib_common.h"
#include "ojo/events.h"

struct tally {
	uint64_t events, dropped, last_time, unsorted;
	uint32_t flow; /* only count this flow, 0 = all */
};

static void count_cb(void *user, const ojo_record_view *v)
{
	struct tally *t = user;
	if (v->event_type == OJO_EV_EVENTS_DROPPED) {
		t->dropped += v->payload;
		return;
	}
	if (t->flow && v->flow_id != t->flow)
		return;
	t->events++;
}

static struct tally scan(const char *dir)
{
	struct tally t = {0};
	test_scan(dir, count_cb, &t);
	return t;
}

static ojo_tracer *open_in(const char *dir, uint32_t interval_ms)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.flush_interval_ms = interval_ms;
	ojo_tracer *t = NULL;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), 0);
	CHECK(t != NULL);
	return t;
}

static uint64_t epoch_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int thread_count(void)
{
	return test_count_entries("/proc/self", "task");
}

static void test_defaults(void)
{
	ojo_config cfg;
	memset(&cfg, 0xff, sizeof(cfg));
	ojo_config_init(&cfg);
	CHECK(strcmp(cfg.output_dir, "./traces") == 0);
	CHECK_EQ(cfg.buffer_size, 1 << 20);
	CHECK_EQ(cfg.flush_interval_ms, 100);
	CHECK_EQ(cfg.max_writers, 16);
	CHECK(cfg.schema_json == NULL && cfg.on_error == NULL);
}

static void test_close_flushes(void)
{
	char *dir = test_tmpdir();
	ojo_tracer *t = open_in(dir, 60000);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ(ojo_record_now(t, 7, OJO_EV_PACKET_SENT, i), 0);
	CHECK_EQ(test_count_entries(dir, "output"), 0);
	CHECK_EQ(ojo_tracer_close(t), 0);
	struct tally n = scan(dir);
	CHECK_EQ(n.events, 1000);
	CHECK_EQ(n.dropped, 0);
	CHECK_EQ(test_count_entries(dir, "staging"), 0);
	CHECK_EQ(ojo_tracer_close(NULL), 0);
	test_rmtree(dir);
	free(dir);
}

struct order {
	uint64_t prev, n, bad;
};
static void order_cb(void *user, const ojo_record_view *v)
{
	struct order *o = user;
	if (o->n++ && v->time_ns < o->prev)
		o->bad++;
	o->prev = v->time_ns;
}

static void test_flush_names_headers(void)
{
	char *dir = test_tmpdir();
	uint64_t before = epoch_now();
	ojo_tracer *t = open_in(dir, 60000);
	char name[128];
	snprintf(name, sizeof(name), "%s", ojo_tracer_name(t));
	CHECK(strlen(name) > 20);
	/* caller timestamps out of order: the batch is written sorted */
	for (int i = 0; i < 500; i++) {
		ojo_event ev = {(uint64_t)(i * 7919 % 500) * 1000, 3,
				OJO_EV_CWND, (uint64_t)i};
		CHECK_EQ(ojo_record(t, &ev), 0);
	}
	CHECK_EQ(ojo_tracer_flush(t), 0);
	struct tally n = scan(dir);
	CHECK_EQ(n.events, 500);
	struct order o = {0};
	test_scan(dir, order_cb, &o);
	CHECK_EQ(o.bad, 0);

	char path[2048];
	snprintf(path, sizeof(path), "%s/output/%s-00000001.ojo", dir, name);
	ojo_reader *r;
	ojo_reader_error err;
	CHECK_EQ(ojo_reader_open(path, &r, &err), 0);
	CHECK_EQ(ojo_reader_version(r), OJO_FORMAT_VERSION);
	CHECK_EQ(ojo_reader_schema_id(r), 0);
	/* earliest event was at 0 ns after open */
	CHECK(ojo_reader_batch_start_ns(r) >= before);
	CHECK(ojo_reader_batch_start_ns(r) <= epoch_now());
	ojo_record_view v;
	CHECK_EQ(ojo_reader_get(r, 499, &v), 0);
	CHECK_EQ(v.time_ns - ojo_reader_batch_start_ns(r), 499 * 1000);
	ojo_reader_close(r);

	char trace[128];
	uint64_t seq = 0;
	CHECK_EQ(ojo_parse_file_name(strrchr(path, '/') + 1, trace,
				     sizeof(trace), &seq),
		 0);
	CHECK(strcmp(trace, name) == 0);
	CHECK_EQ(seq, 1);

	CHECK_EQ(ojo_record_now(t, 3, OJO_EV_CWND, 1), 0);
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	CHECK_EQ(st.events_recorded, 501);
	CHECK_EQ(st.files_written, 1);
	CHECK_EQ(st.bytes_written, OJO_HEADER_SIZE + 500 * OJO_RECORD_SIZE);
	CHECK_EQ(ojo_tracer_close(t), 0);
	snprintf(path, sizeof(path), "%s/output/%s-00000002.ojo", dir, name);
	CHECK_EQ(access(path, R_OK), 0);
	CHECK_EQ(scan(dir).events, 501);
	test_rmtree(dir);
	free(dir);
}

static void test_interval(void)
{
	char *dir = test_tmpdir();
	ojo_tracer *t = open_in(dir, 10);
	CHECK_EQ(ojo_record_now(t, 1, OJO_EV_PACKET_ACKED, 1), 0);
	uint64_t t0 = ojo_now_ns(t);
	while (test_count_entries(dir, "output") == 0) {
		CHECK(ojo_now_ns(t) - t0 < 10ull * 1000000000u);
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	CHECK_EQ(scan(dir).events, 1);
	CHECK_EQ(ojo_tracer_close(t), 0);
	test_rmtree(dir);
	free(dir);
}

static void test_schema(void)
{
	const char *json =
	    "[{\"type\": 65536, \"name\": \"app_tick\", \"category\": \"app\","
	    " \"description\": \"timer\", \"payload_kind\": \"count\","
	    " \"unit\": \"\"}]\n";
	char *dir = test_tmpdir();
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.schema_json = json;
	ojo_tracer *t;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), 0);
	CHECK_EQ(ojo_record_now(t, 1, OJO_EV_USER_BASE, 5), 0);
	CHECK_EQ(ojo_tracer_close(t), 0);

	char out[1024], path[2048];
	snprintf(out, sizeof(out), "%s/output", dir);
	DIR *d = opendir(out);
	CHECK(d);
	struct dirent *e;
	uint64_t schema = 0, ids = 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "schema-", 7) == 0) {
			CHECK_EQ(strlen(e->d_name), 7 + 16 + 5);
			schema = strtoull(e->d_name + 7, NULL, 16);
			snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
			size_t n;
			char *text = test_read_file(path, &n);
			CHECK(text);
			CHECK_EQ(n, strlen(json));
			CHECK(memcmp(text, json, n) == 0);
			free(text);
		} else if (strstr(e->d_name, ".ojo")) {
			snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
			ojo_reader *r;
			CHECK_EQ(ojo_reader_open(path, &r, NULL), 0);
			ids = ojo_reader_schema_id(r);
			ojo_reader_close(r);
		}
	}
	closedir(d);
	CHECK(schema != 0);
	CHECK_EQ(ids, schema);
	test_rmtree(dir);

	/* not JSON: refused at open, nothing left running */
	int threads = thread_count();
	cfg.schema_json = "name,type\n";
	t = (ojo_tracer *)&cfg;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), -EINVAL);
	CHECK(t == NULL);
	CHECK_EQ(thread_count(), threads);
	test_rmtree(dir);
	free(dir);
}

static void test_drops(void)
{
	char *dir = test_tmpdir();
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = 64 * 32; /* 64 slots */
	cfg.flush_interval_ms = 60000;
	ojo_tracer *t;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), 0);
	uint64_t refused = 0;
	for (int i = 0; i < 5000; i++) {
		int rc = ojo_record_now(t, 2, OJO_EV_PACKET_LOST_TIMEOUT, i);
		if (rc == -OJO_EDROPPED)
			refused++;
		else
			CHECK_EQ(rc, 0);
	}
	CHECK(refused > 0);
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	CHECK_EQ(st.events_dropped, refused);
	CHECK_EQ(st.events_recorded + refused, 5000);
	CHECK_EQ(ojo_tracer_close(t), 0);
	struct tally n = scan(dir);
	CHECK_EQ(n.dropped, refused);
	CHECK_EQ(n.events + refused, 5000);
	test_rmtree(dir);
	free(dir);
}

static int open_fails(const char *dir)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	ojo_tracer *t = (ojo_tracer *)&cfg;
	int threads = thread_count();
	int rc = ojo_tracer_open(&cfg, &t);
	CHECK(rc < 0);
	CHECK(t == NULL);
	CHECK_EQ(thread_count(), threads); /* no flusher left behind */
	CHECK(strcmp(ojo_strerror(rc), "unknown error") != 0);
	return rc;
}

static void test_open_failures(void)
{
	char *dir = test_tmpdir();
	char p[2048];
	/* a regular file where the directory should be */
	snprintf(p, sizeof(p), "%s/file", dir);
	test_write_file(p, "", 0);
	CHECK_EQ(open_fails(p), -ENOTDIR);
	/* a file in the way of output/ */
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK_EQ(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/d/output", dir);
	test_write_file(p, "", 0);
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK_EQ(open_fails(p), -ENOTDIR);
	/* below a file */
	snprintf(p, sizeof(p), "%s/file/sub", dir);
	CHECK_EQ(open_fails(p), -ENOTDIR);
	/* bad arguments */
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = NULL;
	ojo_tracer *t;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), -EINVAL);
	CHECK_EQ(ojo_tracer_open(NULL, &t), -EINVAL);
	cfg.output_dir = dir;
	cfg.buffer_size = 0;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), -EINVAL);
	cfg.buffer_size = 4096;
	char *longp = malloc(3500);
	CHECK(longp);
	memset(longp, 'a', 3499);
	longp[0] = '/';
	longp[3499] = '\0';
	cfg.output_dir = longp;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), -ENAMETOOLONG);
	free(longp);

	/* a directory without write permission, as an unprivileged user (root
	 * bypasses permission bits, so the check runs in a child that drops
	 * root when it has it) */
	snprintf(p, sizeof(p), "%s/ro", dir);
	CHECK_EQ(mkdir(p, 0755), 0);
	CHECK_EQ(chmod(p, 0555), 0);
	CHECK_EQ(chmod(dir, 0755), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(3);
		char q[2200];
		snprintf(q, sizeof(q), "%s/traces", p);
		_exit(open_fails(p) == -EACCES && open_fails(q) == -EACCES ? 0
									   : 1);
	}
	CHECK_CHILD_OK(pid);
	chmod(p, 0755);
	test_rmtree(dir);
	free(dir);
}

/* Two tracers used alternately from one thread, and a tracer opened where
 * a closed one lived: each event goes to its own tracer. */
static void test_several_tracers(void)
{
	char *d1 = test_tmpdir(), *d2 = test_tmpdir();
	ojo_tracer *a = open_in(d1, 60000), *b = open_in(d2, 60000);
	CHECK(strcmp(ojo_tracer_name(a), ojo_tracer_name(b)) != 0);
	for (int i = 0; i < 300; i++) {
		CHECK_EQ(ojo_record_now(a, 1, OJO_EV_PACKET_SENT, i), 0);
		if (i % 3 == 0)
			CHECK_EQ(ojo_record_now(b, 2, OJO_EV_PACKET_SENT, i),
				 0);
	}
	CHECK_EQ(ojo_tracer_close(a), 0);
	ojo_tracer *c = open_in(d1, 60000); /* may reuse a's memory */
	for (int i = 0; i < 50; i++)
		CHECK_EQ(ojo_record_now(c, 3, OJO_EV_PACKET_SENT, i), 0);
	CHECK_EQ(ojo_tracer_close(c), 0);
	CHECK_EQ(ojo_tracer_close(b), 0);
	struct tally n1 = {.flow = 1}, n3 = {.flow = 3}, n2 = {.flow = 2};
	test_scan(d1, count_cb, &n1);
	test_scan(d1, count_cb, &n3);
	test_scan(d2, count_cb, &n2);
	CHECK_EQ(n1.events, 300);
	CHECK_EQ(n3.events, 50);
	CHECK_EQ(n2.events, 100);
	CHECK_EQ(scan(d2).events, 100);
	test_rmtree(d1);
	test_rmtree(d2);
	free(d1);
	free(d2);
}

/* More threads than private rings, each exiting: rings are given back and
 * the overflow goes through the shared ring; nothing is lost. */
static ojo_tracer *shared_t;
static void *short_writer(void *arg)
{
	for (int i = 0; i < 100; i++)
		while (ojo_record_now(shared_t, (uint32_t)(uintptr_t)arg,
				      OJO_EV_RTT_SAMPLE, i) != 0)
			;
	return NULL;
}

static void test_thread_churn(void)
{
	char *dir = test_tmpdir();
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.max_writers = 2;
	CHECK_EQ(ojo_tracer_open(&cfg, &shared_t), 0);
	for (int round = 0; round < 10; round++) {
		pthread_t th[4];
		for (uintptr_t i = 0; i < 4; i++)
			CHECK_EQ(pthread_create(&th[i], NULL, short_writer,
						(void *)(i + 1)),
				 0);
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
	}
	CHECK_EQ(ojo_tracer_close(shared_t), 0);
	struct tally n = scan(dir);
	CHECK_EQ(n.events, 10 * 4 * 100);
	test_rmtree(dir);
	free(dir);
}

static void test_strerror(void)
{
	int codes[] = {OJO_EDROPPED, OJO_EBADMAGIC, OJO_EVERSION,
		       OJO_ETRUNCATED, OJO_ECLOSED};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = ojo_strerror(-codes[i]);
		CHECK(s && strcmp(s, "unknown error") != 0);
		CHECK(strcmp(s, ojo_strerror(codes[i])) == 0);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(s, ojo_strerror(-codes[j])) != 0);
	}
	CHECK(strcmp(ojo_strerror(0), "success") == 0);
	CHECK(strstr(ojo_strerror(-ENOENT), "No such file") != NULL);
	CHECK(strstr(ojo_strerror(-ENOSPC), "space") != NULL);
	CHECK(strcmp(ojo_strerror(-1999), "unknown error") == 0);
	CHECK(strcmp(ojo_strerror(-99999), "unknown error") == 0);
	CHECK(ojo_strerror(-2147483647) != NULL);
}

static void test_catalog(void)
{
	size_t n = 0;
	const ojo_event_type_info *all = ojo_event_types(&n);
	CHECK(n >= 30);
	static const char *cats[] = {"packet",	   "stream", "flow_control",
				     "congestion", "rtt",    "data",
				     "meta"};
	for (size_t i = 0; i < n; i++) {
		CHECK(i == 0 || all[i - 1].type < all[i].type);
		CHECK(all[i].type < OJO_EV_USER_BASE);
		CHECK(ojo_event_type_lookup(all[i].type) == &all[i]);
		CHECK(all[i].name && all[i].description && all[i].unit);
		int ok = 0;
		for (size_t c = 0; c < 7; c++)
			ok |= strcmp(all[i].category, cats[c]) == 0;
		CHECK(ok);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(all[i].name, all[j].name) != 0);
		const char *k = ojo_payload_kind_name(all[i].payload_kind);
		CHECK_EQ(ojo_payload_kind_parse(k), all[i].payload_kind);
	}
	const ojo_event_type_info *e =
	    ojo_event_type_lookup(OJO_EV_PACKET_SENT);
	CHECK(e && strcmp(e->name, "packet_sent") == 0);
	CHECK(strcmp(e->category, "packet") == 0);
	e = ojo_event_type_lookup(OJO_EV_DATA_ACKED);
	CHECK(e && e->payload_kind == OJO_PK_RANGE);
	e = ojo_event_type_lookup(OJO_EV_STREAM_LINK);
	CHECK(e && e->payload_kind == OJO_PK_FLOW);
	e = ojo_event_type_lookup(OJO_EV_EVENTS_DROPPED);
	CHECK(e && strcmp(e->category, "meta") == 0);
	CHECK(ojo_event_type_lookup(OJO_EV_USER_BASE) == NULL);
	CHECK(ojo_event_type_lookup(0) == NULL);
	CHECK(ojo_event_type_lookup(9) == NULL);
	for (int k = OJO_PK_NONE; k <= OJO_PK_RATE; k++)
		CHECK_EQ(ojo_payload_kind_parse(ojo_payload_kind_name(k)), k);
	CHECK_EQ(ojo_payload_kind_parse("nope"), -1);
	CHECK_EQ(ojo_payload_kind_parse(NULL), -1);
	CHECK(strcmp(ojo_payload_kind_name(OJO_PK_BYTES), "bytes") == 0);
	CHECK(strcmp(ojo_payload_kind_name((ojo_payload_kind)99), "unknown") ==
	      0);
	/* the range macros round-trip what the catalog promises */
	uint64_t p = OJO_RANGE(123456789, 1400);
	CHECK_EQ(OJO_RANGE_OFFSET(p), 123456789);
	CHECK_EQ(OJO_RANGE_LENGTH(p), 1400);
}

int main(void)
{
	test_defaults();
	test_strerror();
	test_catalog();
	test_close_flushes();
	test_flush_names_headers();
	test_interval();
	test_schema();
	test_drops();
	test_open_failures();
	test_several_tracers();
	test_thread_churn();
	puts("lib_api: ok");
	return 0;
}
