/* store_cli.c - `ojo query` as a user runs it: the real binary on a real
 * database, checking the table, CSV and JSON outputs against the data,
 * the exit codes and the error lines. Usage: store_cli PATH_TO_OJO. */
#include "store_common.h"

#include "ojo/events.h"

static const char *ojo_bin;
static char dir[512];

/* Runs `ojo query ARGS...` into out and err; it must exit with want_rc. */
#define RUN(want_rc, ...)                                                      \
	do {                                                                   \
		const char *a_[] = {"query", __VA_ARGS__, NULL};               \
		free(out);                                                     \
		free(err);                                                     \
		int rc_ = test_run(dir, ojo_bin, a_, &out, &err);              \
		if (rc_ != (want_rc)) {                                        \
			check_failed(__FILE__, __LINE__,                       \
				     "exit %d, want %d\nstdout: %s\n"          \
				     "stderr: %s",                             \
				     rc_, want_rc, out, err);                  \
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
	store *s = open_ok(db, STORE_WRITE);
	int64_t tid = begin_trace(s, "cli");
	store_event ev[1010];
	for (int i = 0; i < 1000; i++)
		ev[i] = (store_event){1000 + i, 3, OJO_EV_PACKET_ACKED,
				      (uint64_t)i};
	for (int i = 0; i < 10; i++)
		ev[1000 + i] = (store_event){5000 + i, 3, OJO_EV_CWND,
					     (uint64_t)(10000 + i)};
	CHECK_OK(s, store_append(s, tid, ev, 1010));
	CHECK_OK(s, store_flow_label(s, tid, 3, "a,\"b\""));
	CHECK_OK(s, store_commit(s));
	store_close(s);

	char *out = NULL, *err = NULL;
	/* table */
	RUN(0, "--db-path", db,
	    "SELECT type, count(*) AS n, sum(payload) AS total FROM events "
	    "WHERE flow_key = 1 GROUP BY type ORDER BY type");
	CHECK_CONTAINS(out, "type     n   total");
	CHECK_CONTAINS(out, "----  ----  ------");
	CHECK_CONTAINS(out, "   4  1000  499500");
	CHECK_CONTAINS(out, "  48    10  100045");
	CHECK_CONTAINS(err, "(2 rows)");
	/* names through the view */
	RUN(0, "--db-path", db,
	    "SELECT type_name, count(*) FROM events_named GROUP BY 1 ORDER BY "
	    "1");
	CHECK_CONTAINS(out, "cwnd");
	CHECK_CONTAINS(out, "packet_acked");
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
	CHECK_CONTAINS(err, "ojo: query: ");
	CHECK_CONTAINS(err, db);
	CHECK_CONTAINS(err, "read-only");
	RUN(1, "--db-path", db, "SELECT * FROM nosuch");
	CHECK_CONTAINS(err, "no such table: nosuch");
	char missing[800];
	snprintf(missing, sizeof(missing), "%s/missing.db", dir);
	RUN(1, "--db-path", missing, "SELECT 1");
	CHECK_CONTAINS(err, "ojo: query: ");
	CHECK_CONTAINS(err, missing);
	CHECK(access(missing, F_OK) != 0); /* not created */
	/* usage: exit 2 */
	RUN(2, "--db-path", db);
	CHECK_CONTAINS(err, "missing SQL");
	RUN(2, "--bogus", "SELECT 1");
	RUN(2, "--csv", "--json", "SELECT 1");
	RUN(2, "--db-path", db, "SELECT 1", "SELECT 2");
	RUN(0, "--help");
	CHECK_CONTAINS(out, "Usage: ojo query");
	/* the database was not modified by any of this */
	s = open_ok(db, STORE_READ);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events"), 1010);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM flows"), 1);
	store_close(s);

	free(out);
	free(err);
	test_rmtree(d);
	free(d);
	printf("store_cli: ok\n");
	return 0;
}
