/* demo_cli.c - `ojo demo` through the built binary: usage errors, refusing
 * a directory that is not its own, a full run with --no-serve checked
 * against the database it leaves, a rerun from scratch, and serving the
 * explorer until SIGINT. Usage: demo_cli PATH_TO_OJO */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "demo_common.h"
#include "sqlite/sq_read.h"

static const char *ojo_bin;
static char *tmp;

/* Runs ojo with args; stdout and stderr come back (malloc'd). Returns the
 * exit status. */
static int run(const char *const *args, char **out, char **err)
{
	return test_run(tmp, ojo_bin, args, out, err);
}

static void test_usage(void)
{
	char *out, *err;
	CHECK_EQ(run((const char *[]){"demo", "--help", NULL}, &out, &err), 0);
	CHECK(strstr(out, "Usage: ojo demo") != NULL);
	CHECK(strstr(out, "--no-serve") != NULL);
	free(out);
	free(err);
	const char *bad[][4] = {
	    {"demo", "--bogus", NULL},
	    {"demo", "--loss", "abc", NULL},
	    {"demo", "--loss", "60", NULL},
	    {"demo", "--cc", "vegas", NULL},
	    {"demo", "--port", "70000", NULL},
	    {"demo", "--connections", "0", NULL},
	    {"demo", "extra", NULL},
	    {"demo", "--dir", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(run(bad[i], &out, &err), 2);
		CHECK(strncmp(err, "ojo: demo: ", 11) == 0);
		CHECK(out[0] == '\0');
		free(out);
		free(err);
	}
}

static void test_refuses_foreign_dir(void)
{
	char dir[1024], keep[1100];
	snprintf(dir, sizeof(dir), "%s/mine", tmp);
	snprintf(keep, sizeof(keep), "%s/thesis.tex", dir);
	CHECK(mkdir(dir, 0755) == 0);
	test_write_file(keep, "precious\n", 9);
	char *out, *err;
	CHECK_EQ(run((const char *[]){"demo", "--no-serve", "--dir", dir, NULL},
		     &out, &err),
		 1);
	CHECK(strstr(err, dir) != NULL);
	CHECK(access(keep, F_OK) == 0);
	free(out);
	free(err);
}

typedef struct conn_line {
	char scenario[32];
	int conn;
	unsigned flow;
	long long events, sent, lost;
	long long rx_events; /* total line only: the receivers' events */
} conn_line;

/* Parses the per-connection table and the total line of the summary. */
static int parse_summary(const char *out, conn_line *lines, int max,
			 conn_line *total, long long *ingested)
{
	int n = 0;
	const char *p = strstr(out, "Ingested ");
	CHECK(p != NULL);
	long long files;
	CHECK(sscanf(p, "Ingested %lld files, %lld events", &files, ingested) ==
	      2);
	CHECK(files >= 1);
	/* the receivers' events, recorded in traces of their own */
	const char *rx = strstr(out, "  of which ");
	CHECK(rx != NULL);
	long long rx_events;
	CHECK(sscanf(rx, "  of which %lld by the receivers", &rx_events) == 1);
	CHECK(rx_events > 0);
	p = strstr(out, "\nscenario ");
	CHECK(p != NULL);
	p = strchr(p + 1, '\n');
	while (p && *++p) {
		conn_line l;
		char flow[16];
		if (sscanf(p, "%31s %d %15s %lld %lld %lld", l.scenario,
			   &l.conn, flow, &l.events, &l.sent, &l.lost) != 6)
			break;
		l.flow = (unsigned)atoi(flow);
		if (!strcmp(l.scenario, "total")) {
			*total = l;
			total->rx_events = rx_events;
			return n;
		}
		CHECK(n < max);
		lines[n++] = l;
		p = strchr(p, '\n');
	}
	CHECK(!"no total line");
	return n;
}

typedef struct flows_seen {
	int connections, streams;
	int64_t conn_keys[64];
	struct {
		char label[64];
		int64_t sent, lost, received;
	} conns[64];
} flows_seen;

static int on_flow(void *user, const store_flow_row *f)
{
	flows_seen *s = user;
	if (f->has_parent) {
		s->streams++;
		bool found = false;
		for (int i = 0; i < s->connections; i++)
			found |= s->conn_keys[i] == f->parent_key;
		CHECK(found); /* linked to a connection of the database */
		CHECK(f->label && strstr(f->label, " stream "));
		if (strstr(f->label, "(receiver)"))
			CHECK(f->events > 0 && f->bytes_sent == 0);
		else
			CHECK(f->bytes_sent > 0);
	}
	return 0;
}

static int on_conn(void *user, const store_flow_row *f)
{
	flows_seen *s = user;
	CHECK(!f->has_parent);
	CHECK(s->connections < 64);
	s->conn_keys[s->connections] = f->key;
	CHECK(f->label != NULL);
	snprintf(s->conns[s->connections].label, 64, "%.63s", f->label);
	s->conns[s->connections].sent = f->packets_sent;
	s->conns[s->connections].lost = f->packets_lost;
	s->conns[s->connections].received = f->packets_received;
	CHECK(f->streams > 0);
	s->connections++;
	return 0;
}

static int on_type(void *user, const store_type_row *t)
{
	int64_t *counts = user;
	if (t->type < 256)
		counts[t->type] = t->count;
	return 0;
}

/* The database `ojo demo` left behind agrees with the summary it printed. */
static void check_db(const char *db, const conn_line *lines, int n,
		     const conn_line *total)
{
	store *r = NULL;
	char err[256];
	CHECK_EQ(store_open_db(db, STORE_READ, &r, err, sizeof(err)), 0);
	store_stats st;
	CHECK_EQ(store_stats_get(r, &st), 0);
	/* one per scenario and vantage point: the senders', the receivers' */
	CHECK_EQ(st.traces, 8);
	CHECK_EQ(st.connections, 2 * n);
	CHECK_EQ(st.events, total->events + total->rx_events);
	CHECK_EQ(st.dropped, 0);
	CHECK_EQ(st.files_rejected, 0);

	flows_seen seen = {0};
	int64_t nflows;
	store_flow_query q = {.kind = STORE_CONNECTIONS, .limit = 1000};
	CHECK_EQ(store_flows(r, &q, &nflows, on_conn, &seen), 0);
	CHECK_EQ(seen.connections, 2 * n);
	q.kind = STORE_STREAMS;
	CHECK_EQ(store_flows(r, &q, &nflows, on_flow, &seen), 0);
	CHECK_EQ(seen.streams, st.streams);
	CHECK_EQ(st.streams, 30);

	/* per connection, the store's own counts match the summary */
	for (int i = 0; i < n; i++) {
		char want[96], want_rx[96];
		snprintf(want, sizeof(want), "%.31s #%d:", lines[i].scenario,
			 lines[i].conn);
		snprintf(want_rx, sizeof(want_rx),
			 "%.31s #%d (receiver):", lines[i].scenario,
			 lines[i].conn);
		int found = 0, found_rx = 0;
		for (int k = 0; k < seen.connections; k++) {
			if (!strncmp(seen.conns[k].label, want_rx,
				     strlen(want_rx))) {
				/* what arrived of what was sent */
				found_rx++;
				CHECK(seen.conns[k].received > 0);
				CHECK(seen.conns[k].received <= lines[i].sent);
				CHECK_EQ(seen.conns[k].lost, 0);
			}
			if (strncmp(seen.conns[k].label, want, strlen(want)))
				continue;
			found++;
			CHECK_EQ(seen.conns[k].sent, lines[i].sent);
			CHECK_EQ(seen.conns[k].lost, lines[i].lost);
		}
		CHECK_EQ(found, 1);
		CHECK_EQ(found_rx, 1);
	}

	int64_t counts[256] = {0};
	CHECK_EQ(store_types(r, 0, 0, on_type, counts), 0);
	for (size_t i = 0; i < DEMO_N_SENDER_TYPES; i++) {
		uint32_t type = demo_sender_types[i];
		if (counts[type] <= 0)
			fprintf(stderr, "type %u missing from the database\n",
				type);
		CHECK(counts[type] > 0);
	}
	/* pacing, the cancelled stream and the receivers' view reach the
	 * database too */
	const uint32_t more[] = {OJO_EV_PACKET_CREATED, OJO_EV_PACING_RATE,
				 OJO_EV_STREAM_RESET, OJO_EV_DATA_RECEIVED,
				 OJO_EV_PACKET_RECEIVED};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		CHECK(counts[more[i]] > 0);
	store_close(r);
}

static void full_run(const char *dir, conn_line *total_out)
{
	char *out, *err;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int rc = run((const char *[]){"demo", "--no-serve", "--dir", dir, NULL},
		     &out, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (rc != 0)
		fprintf(stderr, "ojo demo failed:\n%s%s", out, err);
	CHECK_EQ(rc, 0);
	/* not a terminal: no progress lines, no warnings */
	CHECK(err[0] == '\0');
	printf("ojo demo --no-serve took %.2f s\n",
	       (double)(b.tv_sec - a.tv_sec) +
		   (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	conn_line lines[64], total = {0};
	long long ingested = 0;
	int n = parse_summary(out, lines, 64, &total, &ingested);
	CHECK_EQ(n, 5);
	CHECK_EQ(total.conn, n);
	const char *names[] = {"clean", "lossy", "flow-control",
			       "cubic-shared"};
	for (size_t i = 0; i < 4; i++) {
		bool found = false;
		for (int k = 0; k < n; k++)
			found |= !strcmp(lines[k].scenario, names[i]);
		CHECK(found);
	}
	long long ev = 0, sent = 0, lost = 0;
	for (int k = 0; k < n; k++) {
		CHECK(lines[k].events > 1000);
		CHECK(lines[k].sent > 500);
		ev += lines[k].events;
		sent += lines[k].sent;
		lost += lines[k].lost;
	}
	CHECK_EQ(total.events, ev);
	CHECK_EQ(total.sent, sent);
	CHECK_EQ(total.lost, lost);
	CHECK(lost > 0);
	CHECK_EQ(ingested, total.events + total.rx_events);
	CHECK(strstr(out, "unfinished") == NULL);

	char db[1100];
	snprintf(db, sizeof(db), "%s/traces.db", dir);
	check_db(db, lines, n, &total);
	*total_out = total;
	free(out);
	free(err);
}

/* GET path from host:port; returns the body (malloc'd) and the status. */
static char *http_get(int port, const char *path, int *status)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	char req[256];
	int len = snprintf(req, sizeof(req),
			   "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			   "Connection: close\r\n\r\n",
			   path);
	CHECK(write(fd, req, (size_t)len) == len);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	CHECK(buf != NULL);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			CHECK(buf != NULL);
		}
		ssize_t k = read(fd, buf + n, cap - n - 1);
		CHECK(k >= 0);
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = 0;
	close(fd);
	CHECK(sscanf(buf, "HTTP/1.%*d %d", status) == 1);
	char *body = strstr(buf, "\r\n\r\n");
	CHECK(body != NULL);
	char *res = strdup(body + 4);
	free(buf);
	return res;
}

/* Without --no-serve: prints the URL, answers, and exits 0 on SIGINT. */
static void test_serve(const char *dir, const conn_line *total)
{
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl(ojo_bin, ojo_bin, "demo", "--dir", dir, "--port", "0",
		      (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	char out[1 << 16];
	size_t n = 0;
	int port = 0;
	time_t deadline = time(NULL) + 60;
	while (!port && time(NULL) < deadline) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t k = read(pfd[0], out + n, sizeof(out) - n - 1);
		if (k <= 0)
			break;
		n += (size_t)k;
		out[n] = 0;
		char *u = strstr(out, "Explorer: http://");
		if (u && strchr(u, '\n')) {
			char *colon =
			    strchr(u + strlen("Explorer: http://"), ':');
			CHECK(colon != NULL);
			port = atoi(colon + 1);
		}
	}
	if (!port)
		fprintf(stderr, "no URL in the output:\n%s\n", out);
	CHECK(port > 0);
	int status = 0;
	char *body = http_get(port, "/api/stats", &status);
	CHECK_EQ(status, 200);
	cJSON *j = cJSON_Parse(body);
	CHECK(j != NULL);
	cJSON *conns = cJSON_GetObjectItem(j, "connections");
	cJSON *events = cJSON_GetObjectItem(j, "events");
	CHECK(cJSON_IsNumber(conns) && cJSON_IsNumber(events));
	CHECK_EQ(conns->valuedouble, 10); /* 5, seen from both ends */
	CHECK_EQ(events->valuedouble, total->events + total->rx_events);
	cJSON_Delete(j);
	free(body);

	CHECK(kill(pid, SIGINT) == 0);
	int st = 0;
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		CHECK(i < 199); /* stopped within 10 s */
		usleep(50000);
	}
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	close(pfd[0]);
}

/* Simulation options replace the default set with one custom scenario. */
static void test_custom(void)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/custom", tmp);
	char *out, *err;
	int rc = run((const char *[]){"demo",
				      "--no-serve",
				      "--dir",
				      dir,
				      "--connections",
				      "3",
				      "--loss",
				      "1.5",
				      "--cc",
				      "cubic",
				      "--bandwidth",
				      "40",
				      "--delay",
				      "15",
				      "--streams",
				      "2",
				      "--stream-bytes",
				      "300k",
				      "--seed",
				      "9",
				      NULL},
		     &out, &err);
	if (rc)
		fprintf(stderr, "%s%s", out, err);
	CHECK_EQ(rc, 0);
	CHECK(strstr(out, "cubic, 40 Mbit/s, 15 ms, 1.5% loss") != NULL);
	conn_line lines[8], total = {0};
	long long ingested = 0;
	int n = parse_summary(out, lines, 8, &total, &ingested);
	CHECK_EQ(n, 3);
	for (int i = 0; i < n; i++) {
		CHECK(!strcmp(lines[i].scenario, "custom"));
		CHECK(lines[i].lost > 0);
		/* 2 streams + the connection: flow ids 1, 4, 7 */
		CHECK_EQ(lines[i].flow, 1 + 3 * i);
	}
	CHECK_EQ(ingested, total.events + total.rx_events);
	free(out);
	free(err);
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	ojo_bin = argv[1];
	tmp = test_tmpdir();
	test_usage();
	test_refuses_foreign_dir();
	test_custom();

	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/demo", tmp);
	conn_line first, second;
	full_run(dir, &first);
	/* a rerun starts from scratch in the same directory */
	full_run(dir, &second);
	CHECK_EQ(first.events, second.events);
	CHECK_EQ(first.sent, second.sent);
	test_serve(dir, &second);

	test_rmtree(tmp);
	free(tmp);
	printf("demo_cli: ok\n");
	return 0;
}
