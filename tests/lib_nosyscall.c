/* lib_nosyscall.c - ojo_record makes no system call: a writer thread puts
 * itself under strict seccomp (only read, write and exit allowed; any other
 * system call kills the process) and records until its ring overflows, so
 * both the fast path and the drop path run under it. */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "lib_common.h"

#define EVENTS 200000
static ojo_tracer *tr;
static int done_pipe[2], park_pipe[2];

static void *writer(void *arg)
{
	(void)arg;
	/* the first record claims a ring: not part of the promise */
	CHECK_EQ(ojo_record_now(tr, 1, OJO_EV_PACKET_SENT, 0), 0);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0)
		_exit(3);
	uint64_t dropped = 0;
	for (uint64_t i = 1; i < EVENTS; i++) {
		ojo_event ev = {i, 1, OJO_EV_PACKET_SENT, i};
		int rc = ojo_record(tr, &ev);
		if (rc == -OJO_EDROPPED)
			dropped++;
		else if (rc != 0)
			break;
	}
	char c = dropped ? 'd' : 'n';
	if (write(done_pipe[1], &c, 1) != 1)
		_exit(4);
	for (;;) /* parked: exiting a thread needs more than exit() */
		if (read(park_pipe[0], &c, 1) <= 0)
			c = 0;
	return NULL;
}

static int child(const char *dir)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = 4096 * 32; /* small: the run overflows it */
	cfg.flush_interval_ms = 60000;
	CHECK_EQ(ojo_tracer_open(&cfg, &tr), 0);
	CHECK_EQ(pipe(done_pipe), 0);
	CHECK_EQ(pipe(park_pipe), 0);
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, writer, NULL), 0);
	/* strict seccomp kills only the offending thread: watch for that */
	struct pollfd pfd = {done_pipe[0], POLLIN, 0};
	while (poll(&pfd, 1, 10) == 0)
		if (pthread_tryjoin_np(th, NULL) == 0) {
			fprintf(stderr, "lib_nosyscall: writer killed: "
					"ojo_record made a system call\n");
			_exit(5);
		}
	char c;
	CHECK_EQ(read(done_pipe[0], &c, 1), 1);
	CHECK_EQ(ojo_tracer_flush(tr), 0);
	ojo_stats st;
	ojo_tracer_stats(tr, &st);
	CHECK_EQ(st.events_recorded + st.events_dropped, EVENTS);
	CHECK_EQ(c, 'd');
	CHECK(st.events_dropped > 0);
	printf("under seccomp: %llu recorded, %llu dropped\n",
	       (unsigned long long)st.events_recorded,
	       (unsigned long long)st.events_dropped);
	fflush(stdout);
	_exit(0); /* the parked writer goes with the process */
}

int main(void)
{
	char *dir = test_tmpdir();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		return child(dir);
	int status = 0;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		fprintf(stderr,
			"lib_nosyscall: writer killed by signal %d: "
			"ojo_record made a system call\n",
			WTERMSIG(status));
		return 1;
	}
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	test_rmtree(dir);
	free(dir);
	puts("lib_nosyscall: ok");
	return 0;
}
