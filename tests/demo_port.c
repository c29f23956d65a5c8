/* demo_port.c - `ojo demo` on a busy port: exits 1 at once with the
 * server's reason and a hint naming --port (or, under make, DEMO_ARGS),
 * and leaves the database ready to serve. Usage: demo_port PATH_TO_OJO */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "demo_common.h"

/* Runs `ojo demo --dir dir --port port` with MAKELEVEL set or not; returns
 * the exit status and stderr (malloc'd) in *err. */
static int run_demo(const char *ojo, const char *tmp, const char *dir, int port,
		    bool under_make, char **err)
{
	char ep[1024], ps[16];
	snprintf(ep, sizeof(ep), "%s/stderr", tmp);
	snprintf(ps, sizeof(ps), "%d", port);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int o = open("/dev/null", O_WRONLY);
		int e = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0)
			_exit(127);
		dup2(o, 1);
		dup2(e, 2);
		if (under_make)
			setenv("MAKELEVEL", "1", 1);
		else
			unsetenv("MAKELEVEL");
		execl(ojo, ojo, "demo", "--dir", dir, "--port", ps,
		      (char *)NULL);
		_exit(127);
	}
	/* it must give up by itself, not serve: a hang fails the test by
	 * its timeout */
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	FILE *f = fopen(ep, "r");
	CHECK(f != NULL);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	*err = strdup(buf);
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	char *tmp = test_tmpdir();
	char dir[1024], db[1100], want[128];
	snprintf(dir, sizeof(dir), "%s/demo", tmp);
	snprintf(db, sizeof(db), "%s/traces.db", dir);

	/* hold a port on loopback, as another program would */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(fd, 4) == 0);
	socklen_t sl = sizeof(sa);
	CHECK(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	int port = ntohs(sa.sin_port);

	char *err;
	CHECK_EQ(run_demo(argv[1], tmp, dir, port, false, &err), 1);
	fprintf(stderr, "%s", err);
	snprintf(want, sizeof(want), "ojo: demo: port %d is in use", port);
	CHECK(strstr(err, "Address already in use") != NULL);
	CHECK(strstr(err, want) != NULL);
	CHECK(strstr(err, "--port") != NULL);
	CHECK(strstr(err, db) != NULL); /* where the data is */
	CHECK(access(db, F_OK) == 0);
	free(err);

	CHECK_EQ(run_demo(argv[1], tmp, dir, port, true, &err), 1);
	CHECK(strstr(err, want) != NULL);
	CHECK(strstr(err, "make demo DEMO_ARGS=\"--port ") != NULL);
	free(err);

	close(fd);
	test_rmtree(tmp);
	free(tmp);
	printf("demo_port: ok\n");
	return 0;
}
