/* store_cli.c - `ojo query` as a user runs it: the real binary on a real
 * database, checking the table, CSV and JSON outputs against the data,
 * the exit codes and the error lines. Usage: store_cli PATH_TO_OJO. */
#include "store_common.h"

#include <sys/wait.h>

#include "ojo/events.h"

static const char *ojo_bin;
static char dir[512];

/* Runs ojo with args; returns the exit status, fills out/err (malloc'd). */
static int run(char **out, char **err, const char *const *args)
{
	char o[700], e[700];
	snprintf(o, sizeof(o), "%s/out.txt", dir);
	snprintf(e, sizeof(e), "%s/err.txt", dir);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK(freopen(o, "w", stdout));
		CHECK(freopen(e, "w", stderr));
		const char *argv[16] = {ojo_bin, "query"};
		int k = 2;
		for (int i = 0; args[i] && k < 15; i++)
			argv[k++] = args[i];
		argv[k] = NULL;
		execv(ojo_bin, (char *const *)argv);
		_exit(127);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	char *files[2] = {o, e};
	char **dst[2] = {out, err};
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		CHECK(f);
		char *buf = calloc(1, 1 << 20);
		CHECK(buf);
		size_t n = fread(buf, 1, (1 << 20) - 1, f);
		buf[n] = 0;
		fclose(f);
		*dst[i] = buf;
	}
	return WEXITSTATUS(st);
}

#define RUN(want_rc, ...)                                                      \
	do {                                                                   \
		const char *a_[] = {__VA_ARGS__, NULL};                        \
		free(out);                                                     \
		free(err);                                                     \
		int rc_ = run(&out, &err, a_);                                 \
		if (rc_ != (want_rc)) {                                        \
			fprintf(stderr,                                        \
				"%s:%d: exit %d, want %d\nstdout: %s\n"        \
				"stderr: %s\n",                                \
				__FILE__, __LINE__, rc_, want_rc, out, err);   \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define HAS(s, sub)                                                            \
	do {                                                                   \
		if (!strstr((s), (sub))) {                                     \
			fprintf(stderr, "%s:%d: missing '%s' in:\n%s\n",       \
				__FILE__, __LINE__, (sub), (s));               \
			exit(1);                                               \
		}                                                              \
	} while (0)

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	ojo_bin = argv[1];
	char *d = test_tmpdir();
	snprintf(dir, sizeof(dir), "%s", d);
	char db[700];
	snprintf(db, sizeof(db), "%s/q.db", dir);

	/* 1000 acks and 10 cwnd values on flow 3 of trace "cli" */
	ojo_store *s;
	char e[256];
	CHECK_OK(NULL,
		 ojo_store_open(db, OJO_STORE_READWRITE, &s, e, sizeof(e)));
	CHECK_OK(s, ojo_store_begin(s));
	ojo_trace_info ti = {.name = "cli"};
	int64_t tid;
	CHECK_OK(s, ojo_store_trace(s, &ti, &tid));
	ojo_store_event ev[1010];
	for (int i = 0; i < 1000; i++)
		ev[i] = (ojo_store_event){1000 + i, 3, OJO_EV_PACKET_ACKED,
					  (uint64_t)i};
	for (int i = 0; i < 10; i++)
		ev[1000 + i] = (ojo_store_event){5000 + i, 3, OJO_EV_CWND,
						 (uint64_t)(10000 + i)};
	CHECK_OK(s, ojo_store_append(s, tid, ev, 1010));
	CHECK_OK(s, ojo_store_flow_label(s, tid, 3, "a,\"b\""));
	CHECK_OK(s, ojo_store_commit(s));
	ojo_store_close(s);

	char *out = NULL, *err = NULL;
	/* table */
	RUN(0, "--db-path", db,
	    "SELECT type, count(*) AS n, sum(payload) AS total FROM events "
	    "WHERE flow_key = 1 GROUP BY type ORDER BY type");
	HAS(out, "type     n   total");
	HAS(out, "----  ----  ------");
	HAS(out, "   4  1000  499500");
	HAS(out, "  48    10  100045");
	HAS(err, "(2 rows)");
	/* names through the view */
	RUN(0, "--db-path", db,
	    "SELECT type_name, count(*) FROM events_named GROUP BY 1 ORDER BY "
	    "1");
	HAS(out, "cwnd");
	HAS(out, "packet_acked");
	/* CSV with quoting */
	RUN(0, "--db-path", db, "--csv",
	    "SELECT flow_id, label, max_cwnd, NULL AS nada FROM flows");
	CHECK(strcmp(out, "flow_id,label,max_cwnd,nada\n3,\"a,\"\"b\"\"\","
			  "10009,\n") == 0);
	/* JSON */
	RUN(0, "--db-path", db, "--json",
	    "SELECT time_ns, payload FROM events WHERE type = 48 AND time_ns"
	    " >= 5008 ORDER BY time_ns");
	CHECK(strcmp(out, "[\n{\"time_ns\":5008,\"payload\":10008},\n"
			  "{\"time_ns\":5009,\"payload\":10009}\n]\n") == 0);
	RUN(0, "--db-path", db, "--json",
	    "SELECT 1.5 AS x, 'q\"' AS y WHERE 0");
	CHECK(strcmp(out, "[]\n") == 0);
	/* failures: exit 1, one line naming the database */
	RUN(1, "--db-path", db, "DELETE FROM flows");
	HAS(err, "ojo: query: ");
	HAS(err, db);
	HAS(err, "read-only");
	RUN(1, "--db-path", db, "SELECT * FROM nosuch");
	HAS(err, "no such table: nosuch");
	char missing[800];
	snprintf(missing, sizeof(missing), "%s/missing.db", dir);
	RUN(1, "--db-path", missing, "SELECT 1");
	HAS(err, "ojo: query: ");
	HAS(err, missing);
	CHECK(access(missing, F_OK) != 0); /* not created */
	/* usage: exit 2 */
	RUN(2, "--db-path", db);
	HAS(err, "missing SQL");
	RUN(2, "--bogus", "SELECT 1");
	RUN(2, "--csv", "--json", "SELECT 1");
	RUN(2, "--db-path", db, "SELECT 1", "SELECT 2");
	RUN(0, "--help");
	HAS(out, "Usage: ojo query");
	/* the database was not modified by any of this */
	CHECK_OK(NULL,
		 ojo_store_open(db, OJO_STORE_READONLY, &s, e, sizeof(e)));
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events"), 1010);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM flows"), 1);
	ojo_store_close(s);

	free(out);
	free(err);
	test_rmtree(d);
	free(d);
	printf("store_cli: ok\n");
	return 0;
}
