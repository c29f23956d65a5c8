/* lib_faults.c - write failures during a flush (file size limit standing in
 * for a full disk, output directories removed) never crash the host: they
 * are counted, reported to the callback, and the next batch says how many
 * events were lost. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "lib_common.h"

struct errs {
	int calls, last_err;
	uint64_t lost;
	char path[1024];
};

static void on_error(void *user, int err, const char *path, uint64_t lost)
{
	struct errs *e = user;
	e->calls++;
	e->last_err = err;
	e->lost += lost;
	snprintf(e->path, sizeof(e->path), "%s", path);
}

struct tally {
	uint64_t events, dropped;
};
static void count_cb(void *user, const ojo_record_view *v)
{
	struct tally *t = user;
	if (v->event_type == OJO_EV_EVENTS_DROPPED)
		t->dropped += v->payload;
	else
		t->events++;
}

static ojo_tracer *open_with(const char *dir, struct errs *e)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.flush_interval_ms = 60000;
	cfg.on_error = on_error;
	cfg.on_error_user = e;
	ojo_tracer *t;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), 0);
	return t;
}

static void record_n(ojo_tracer *t, int n)
{
	for (int i = 0; i < n; i++)
		CHECK_EQ(ojo_record_now(t, 9, OJO_EV_BYTES_IN_FLIGHT, i), 0);
}

/* The failed batch's events are dropped, the next batch reports them. */
static void check_recovery(ojo_tracer *t, const char *dir, struct errs *e,
			   int lost, int err)
{
	CHECK_EQ(e->calls, 1);
	CHECK_EQ(e->last_err, err);
	CHECK_EQ(e->lost, lost);
	char prefix[1024];
	snprintf(prefix, sizeof(prefix), "%s/output/", dir);
	CHECK(strncmp(e->path, prefix, strlen(prefix)) == 0);
	CHECK(strstr(e->path, ".ojo") != NULL);
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	CHECK_EQ(st.write_errors, 1);
	CHECK_EQ(st.events_dropped, lost);
	CHECK_EQ(st.files_written, 0);
	CHECK(test_count_entries(dir, "staging") <= 0); /* tmp unlinked */

	record_n(t, 10);
	CHECK_EQ(ojo_tracer_flush(t), 0);
	ojo_tracer_stats(t, &st);
	CHECK_EQ(st.files_written, 1);
	CHECK_EQ(st.write_errors, 1);
	CHECK_EQ(ojo_tracer_close(t), 0);
	struct tally n = {0};
	CHECK_EQ(test_scan(dir, count_cb, &n), 1);
	CHECK_EQ(n.events, 10);
	CHECK_EQ(n.dropped, lost);
}

/* Runs fn on a fresh directory in a child, so that the limits it sets do
 * not affect the test runner; the child must exit 0. */
static void in_child(void (*fn)(const char *dir))
{
	char *dir = test_tmpdir();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fn(dir);
		_exit(0);
	}
	CHECK_CHILD_OK(pid);
	test_rmtree(dir);
	free(dir);
}

/* Caps the size of files this process may write; old gets the limit. */
static void limit_file_size(rlim_t bytes, struct rlimit *old)
{
	struct rlimit lim;
	CHECK_EQ(getrlimit(RLIMIT_FSIZE, old), 0);
	lim = *old;
	lim.rlim_cur = bytes;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

/* RLIMIT_FSIZE makes write() fail with EFBIG like a full disk fails with
 * ENOSPC. */
static void file_too_big(const char *dir)
{
	signal(SIGXFSZ, SIG_IGN);
	struct errs e = {0};
	ojo_tracer *t = open_with(dir, &e);
	struct rlimit old;
	limit_file_size(1000, &old);
	record_n(t, 500); /* 12 kB of records */
	CHECK_EQ(ojo_tracer_flush(t), -EFBIG);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	check_recovery(t, dir, &e, 500, -EFBIG);
}

/* Same without ignoring SIGXFSZ: the flusher blocks it, the host lives. */
static void file_too_big_default_signal(const char *dir)
{
	signal(SIGXFSZ, SIG_DFL);
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir; /* default handler: one line on stderr */
	ojo_tracer *t;
	CHECK_EQ(ojo_tracer_open(&cfg, &t), 0);
	struct rlimit old;
	limit_file_size(100, &old);
	record_n(t, 100);
	CHECK_EQ(ojo_tracer_close(t), -EFBIG);
}

static void test_vanished(const char *what)
{
	char *dir = test_tmpdir();
	struct errs e = {0};
	ojo_tracer *t = open_with(dir, &e);
	record_n(t, 100);
	char p[1024];
	if (strcmp(what, "all") == 0) {
		test_rmtree(dir);
	} else {
		snprintf(p, sizeof(p), "%s/%s", dir, what);
		test_rmtree(p);
	}
	CHECK_EQ(ojo_tracer_flush(t), -ENOENT);
	/* the next batch recreates the directories */
	check_recovery(t, dir, &e, 100, -ENOENT);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	in_child(file_too_big);
	in_child(file_too_big_default_signal);
	test_vanished("output");
	test_vanished("staging");
	test_vanished("all");
	puts("lib_faults: ok");
	return 0;
}
