/* bench_serve.c - latency of `ojo serve` on a database of >= 10 million
 * events with one flow of 1 million (issue 4).
 *
 * Builds the database with http_mkdb (libojo + ingest_file) under DIR
 * (kept and reused when given; default a fresh temporary directory, removed
 * at the end), starts a real
 * `ojo serve` on 127.0.0.1, then prints median and p99 of:
 *   - baselines measured in the same run: /api/stats (the server's floor)
 *     and shipping the raw flow to the client (/api/export?format=csv,
 *     what a browser would need without server-side reduction);
 *   - the series endpoint over the whole 1M-event flow and a zoomed window;
 * then runs `wrk -c50 -d10s` with a Lua script mixing endpoints and prints
 * its requests/s and latency percentiles, once with the answer cache off
 * (every request computed) and once with it on (the default).
 * Usage: bench_serve [DIR] [WRK_SECONDS] */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG    1000000
#define FILLER 9200000

static int port;
static pid_t srv_pid;

/* CPU time (user + system) the server has used, in ms: a cost per request
 * that other load on the machine does not inflate the way it does wall
 * latency. */
static double server_cpu_ms(void)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)srv_pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	if (p)
		sscanf(p + 2,
		       "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		       &ut, &st);
	return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int connect_srv(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("bench_serve: connect");
		exit(1);
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One GET on a fresh connection; returns the body (malloc'd) and status. */
static char *http_get(const char *path, int *status, size_t *blen)
{
	int fd = connect_srv();
	char req[1024];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: "
			 "close\r\n\r\n",
			 path);
	if (write(fd, req, (size_t)n) != n) {
		perror("bench_serve: write");
		exit(1);
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (len + 65536 > cap)
			buf = realloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = 0;
	*status = 0;
	sscanf(buf, "HTTP/1.1 %d", status);
	char *body = strstr(buf, "\r\n\r\n");
	body = body ? body + 4 : buf + len;
	*blen = len - (size_t)(body - buf);
	memmove(buf, body, *blen + 1);
	return buf;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void measure(const char *label, const char *path, int runs)
{
	double *t = malloc((size_t)runs * sizeof(*t));
	size_t bytes = 0;
	double cpu0 = server_cpu_ms();
	for (int i = 0; i < runs; i++) {
		int st;
		size_t bl;
		double t0 = now_ms();
		char *b = http_get(path, &st, &bl);
		t[i] = now_ms() - t0;
		if (st != 200) {
			fprintf(stderr, "bench_serve: %s: HTTP %d: %.200s\n",
				path, st, b);
			exit(1);
		}
		bytes = bl;
		free(b);
	}
	double cpu = (server_cpu_ms() - cpu0) / runs;
	qsort(t, (size_t)runs, sizeof(*t), cmp_d);
	int p99 = (int)((runs - 1) * 0.99 + 0.5);
	printf("  %-36s median %7.2f ms  p99 %7.2f ms  server CPU %6.2f "
	       "ms/req  (%d runs, %zu B)\n",
	       label, t[runs / 2], t[p99], cpu, runs, bytes);
	free(t);
}

/* Pulls an integer or string-integer field out of a JSON text. */
static int64_t json_i64(const char *json, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(json, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	if (*p == '"')
		p++;
	return strtoll(p, NULL, 10);
}

static pid_t start_server(const char *db, bool cache)
{
	int pfd[2];
	if (pipe(pfd))
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		if (cache)
			execl(OJO_BIN, OJO_BIN, "serve", "--db-path", db,
			      "--port", "0", (char *)NULL);
		else
			execl(OJO_BIN, OJO_BIN, "serve", "--db-path", db,
			      "--port", "0", "--no-cache", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	char line[512];
	size_t len = 0;
	while (len < sizeof(line) - 1) {
		ssize_t r = read(pfd[0], line + len, 1);
		if (r <= 0)
			break;
		if (line[len++] == '\n')
			break;
	}
	line[len] = 0;
	close(pfd[0]);
	const char *c = strrchr(line, ':');
	if (!strstr(line, "serving") || !c) {
		fprintf(stderr, "bench_serve: server did not start: %s\n",
			line);
		exit(1);
	}
	port = atoi(c + 1);
	srv_pid = pid;
	return pid;
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/ojo-bench-serve-XXXXXX";
	const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
	bool remove_dir = argc <= 1;
	int wrk_s = argc > 2 ? atoi(argv[2]) : 10;
	if (!dir) {
		perror("bench_serve: mkdtemp");
		return 1;
	}
	char db[4096], cmd[8192];
	snprintf(db, sizeof(db), "%s/ojo.db", dir);
	struct stat sb;
	if (stat(db, &sb) != 0) {
		mkdir(dir, 0755);
		printf("bench_serve: building %s (%d + %d events)...\n", db,
		       BIG, FILLER);
		fflush(stdout);
		double t0 = now_ms();
		snprintf(cmd, sizeof(cmd), "'%s' '%s' %d %d", OJO_MKDB, dir,
			 BIG, FILLER);
		if (run(cmd) != 0) {
			fprintf(stderr, "bench_serve: http_mkdb failed\n");
			return 1;
		}
		printf("bench_serve: built in %.1f s\n", (now_ms() - t0) / 1e3);
	}
	pid_t srv = start_server(db, false);
	int st;
	size_t bl;
	char *b = http_get("/api/stats", &st, &bl);
	printf("database: %s, %" PRId64 " events, %" PRId64 " flows\n", db,
	       json_i64(b, "events"), json_i64(b, "flows"));
	free(b);
	b = http_get("/api/flows?sort=events&order=desc&limit=1", &st, &bl);
	int64_t key = json_i64(b, "key");
	int64_t nev = json_i64(b, "events");
	int64_t dur = json_i64(b, "duration_ns");
	free(b);
	printf("big flow: key %" PRId64 ", %" PRId64 " events over %.3f s\n",
	       key, nev, (double)dur / 1e9);

	char p_whole[256], p_zoom[256], p_export[256], p_events[256];
	snprintf(p_whole, sizeof(p_whole),
		 "/api/flows/%" PRId64 "/series?metric=cwnd&points=1000", key);
	snprintf(p_zoom, sizeof(p_zoom),
		 "/api/flows/%" PRId64
		 "/series?metric=cwnd&points=1000&from=%" PRId64 "&to=%" PRId64,
		 key, dur / 2, dur / 2 + dur / 20);
	snprintf(p_export, sizeof(p_export),
		 "/api/export?flow=%" PRId64 "&format=csv", key);
	snprintf(p_events, sizeof(p_events),
		 "/api/flows/%" PRId64 "/events?limit=200&from=%" PRId64, key,
		 dur / 3);
	double t0 = now_ms();
	free(http_get(p_whole, &st, &bl));
	printf("first (cold) whole-flow series: %.2f ms\n", now_ms() - t0);
	for (int i = 0; i < 3; i++) /* warm the page and block caches */
		free(http_get(p_whole, &st, &bl));
	printf("\nsingle client, sequential, answer cache off (baselines "
	       "first):\n");
	measure("baseline: /api/stats", "/api/stats", 200);
	measure("baseline: raw flow as CSV (export)", p_export, 5);
	measure("series, whole 1M flow, 1000 points", p_whole, 100);
	measure("series, zoomed 5% window, 1000 pts", p_zoom, 100);
	measure("events page (200) mid-flow", p_events, 100);
	measure("flows list (50)", "/api/flows?limit=50&sort=events", 100);

	/* wrk with a mix of endpoints */
	char lua[4200];
	snprintf(lua, sizeof(lua), "%s/mix.lua", dir);
	FILE *f = fopen(lua, "w");
	if (!f) {
		perror(lua);
		return 1;
	}
	fprintf(f,
		"local paths = {\n"
		"  '/api/stats', '/api/traces', '/api/types',\n"
		"  '/api/flows?limit=50', '/api/flows?sort=losses&limit=50',\n"
		"  '/api/flows/%" PRId64 "', '%s', '%s', '%s',\n"
		"  '/api/flows/1/series?metric=cwnd&points=800',\n"
		"  '/api/flows/1/events?limit=100&include_children=1',\n"
		"}\n"
		"local i = 0\n"
		"request = function()\n"
		"  i = i + 1\n"
		"  return wrk.format('GET', paths[(i %% #paths) + 1])\n"
		"end\n",
		key, p_whole, p_zoom, p_events);
	fclose(f);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) { /* same mix, answers reused while unchanged */
			kill(srv, SIGTERM);
			waitpid(srv, NULL, 0);
			srv = start_server(db, true);
		}
		printf("\nwrk -t2 -c50 -d%ds, mix of 11 endpoints (incl. "
		       "whole-flow series), answer cache %s:\n",
		       wrk_s, pass ? "on (default)" : "off (--no-cache)");
		fflush(stdout);
		snprintf(cmd, sizeof(cmd),
			 "wrk -t2 -c50 -d%ds --latency -s '%s' "
			 "http://127.0.0.1:%d/ 2>&1 | grep -E "
			 "'Latency|50%%|90%%|99%%|Requests/sec|requests in|"
			 "Non-2xx|errors'",
			 wrk_s, lua, port);
		if (run(cmd) != 0)
			printf("  (wrk not available or failed)\n");
	}
	kill(srv, SIGTERM);
	waitpid(srv, NULL, 0);
	if (remove_dir) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		run(cmd);
	}
	return 0;
}
