/* lib_nosyscall_now.c - ojo_record_now() and ojo_now_ns() make no system
 * call either: the clock is read through the vDSO. Strict seccomp cannot
 * show it (on this kernel it also blocks the vDSO's clock read), so this
 * thread installs a BPF filter that allows only write and exit_group and
 * kills the process on anything else. Each run is a child process; a
 * second child makes one getpid() after the filter and must be killed, to
 * prove the filter bites. */
#include <ftw.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ojo/ojo.h"

static int lockdown(void)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		     offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	/* no TSYNC: only this thread is filtered, the flusher runs on */
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Runs in a child: records under the filter, exits 0 if all went well. */
static void child(const char *dir, int forbidden_call)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = 64 * 32; /* tiny: the drop path runs too */
	cfg.flush_interval_ms = 60000;
	ojo_tracer *t;
	if (ojo_tracer_open(&cfg, &t) != 0)
		_exit(2);
	ojo_record_now(t, 1, OJO_EV_PACKET_SENT, 0); /* claims the ring */
	if (lockdown() != 0) {
		perror("seccomp");
		_exit(3);
	}
	if (forbidden_call)
		syscall(SYS_getpid); /* must kill the process */
	int drops = 0;
	for (int i = 0; i < 100000; i++)
		drops += ojo_record_now(t, 1, OJO_EV_PACKET_SENT, i) != 0;
	for (int i = 0; i < 100000; i++) {
		ojo_event ev = {ojo_now_ns(t), 1, OJO_EV_PACKET_SENT, i};
		drops += ojo_record(t, &ev) != 0;
	}
	static const char ok[] =
	    "ok: ojo_record_now, ojo_now_ns and ojo_record "
	    "(drops included) made no system call\n";
	if (write(1, ok, sizeof(ok) - 1) < 0)
		_exit(5);
	_exit(drops ? 0 : 4); /* the parent removes the directory */
}

static int run(const char *dir, int forbidden_call)
{
	pid_t pid = fork();
	if (pid == 0)
		child(dir, forbidden_call);
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	char dir[] = "/tmp/ojo-nosyscall-now-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	int clean = run(dir, 0), killed = run(dir, 1);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (!WIFEXITED(clean) || WEXITSTATUS(clean) != 0) {
		fprintf(stderr,
			"FAIL: recording child status 0x%x (a system "
			"call on the hot path kills it)\n",
			clean);
		return 1;
	}
	if (!WIFSIGNALED(killed) || WTERMSIG(killed) != SIGSYS) {
		fprintf(stderr,
			"FAIL: the filter did not kill a getpid() "
			"(status 0x%x): the test proves nothing\n",
			killed);
		return 1;
	}
	return 0;
}
