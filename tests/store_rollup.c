/* store_rollup.c - a connection's flows row carries the byte totals and the
 * count of its streams, whatever order a stream's link and its data are
 * ingested in, across relinks, and after upgrading a version-2 database.
 * Every check compares the summary columns with totals recomputed from the
 * stored events themselves (the `events` table). */
#include <stdio.h>
#include <stdlib.h>

#include "ojo/events.h"
#include "sqlite/sq_schema.h"
#include "store_common.h"

/* Rows where the summary disagrees with the events: own_bytes_* must be a
 * flow's own DATA_SENT / DATA_ACKED lengths, bytes_* those plus the own
 * lengths of the flows linked to it, and streams the number of those. */
static const char mismatch_sql[] =
    "WITH own AS (SELECT f.flow_key AS k,"
    "  (SELECT total((payload >> 40) & 16777215) FROM events e"
    "   WHERE e.flow_key = f.flow_key AND e.type = 64) AS bs,"
    "  (SELECT total((payload >> 40) & 16777215) FROM events e"
    "   WHERE e.flow_key = f.flow_key AND e.type = 65) AS ba"
    "  FROM flows f)"
    " SELECT count(*) FROM flows f JOIN own o ON o.k = f.flow_key"
    " WHERE f.own_bytes_sent <> o.bs OR f.own_bytes_acked <> o.ba"
    " OR f.bytes_sent <> o.bs + (SELECT total(c.bs) FROM own c"
    "   JOIN flows cf ON cf.flow_key = c.k WHERE cf.parent_key = f.flow_key"
    "   AND cf.flow_key <> f.flow_key)"
    " OR f.bytes_acked <> o.ba + (SELECT total(c.ba) FROM own c"
    "   JOIN flows cf ON cf.flow_key = c.k WHERE cf.parent_key = f.flow_key"
    "   AND cf.flow_key <> f.flow_key)"
    " OR f.streams <> (SELECT count(*) FROM flows cf WHERE"
    "   cf.parent_key = f.flow_key AND cf.flow_key <> f.flow_key)";

static int64_t col(store *s, int64_t trace, uint32_t flow, const char *c)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM flows WHERE trace_id = %lld AND flow_id = %u",
		 c, (long long)trace, flow);
	return q_int(s, sql);
}

/* One "file": the events, then the ledger row, in one transaction. */
static void commit_file(store *s, int64_t *trace, const char *path,
			const store_event *ev, size_t n)
{
	store_trace_info ti = {.name = "rollup", .source = "ojo"};
	store_file_info fi = {.path = path,
			      .format = "ojo",
			      .status = STORE_FILE_INGESTED,
			      .events = n};
	CHECK_OK(s, store_begin(s));
	CHECK_OK(s, store_trace(s, &ti, trace));
	fi.trace_id = *trace;
	CHECK_OK(s, store_append(s, *trace, ev, n));
	CHECK_OK(s, store_file_done(s, &fi));
	CHECK_OK(s, store_commit(s));
}

#define DS(t, f, len)                                                          \
	{                                                                      \
		t, f, OJO_EV_DATA_SENT, OJO_RANGE(0, len)                      \
	}
#define DA(t, f, len)                                                          \
	{                                                                      \
		t, f, OJO_EV_DATA_ACKED, OJO_RANGE(0, len)                     \
	}
#define LINK(t, f, p)                                                          \
	{                                                                      \
		t, f, OJO_EV_STREAM_LINK, p                                    \
	}

static void test_orders(const char *dir)
{
	char db[600];
	int64_t tr = 0;
	snprintf(db, sizeof(db), "%s/orders.db", dir);
	store *s = open_ok(db, STORE_WRITE);

	/* link first, data in the same file, more data in a later one */
	const store_event a[] = {
	    {10, 1, OJO_EV_PACKET_SENT, 1200},
	    LINK(11, 2, 1),
	    DS(12, 2, 1000),
	    DS(13, 2, 500),
	    DA(14, 2, 700),
	};
	commit_file(s, &tr, "/x/a.ojo", a, sizeof(a) / sizeof(a[0]));
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1500);
	CHECK_EQ(col(s, tr, 1, "bytes_acked"), 700);
	CHECK_EQ(col(s, tr, 1, "streams"), 1);
	CHECK_EQ(col(s, tr, 2, "bytes_sent"), 1500);
	const store_event b[] = {DS(20, 2, 100), DA(21, 2, 900)};
	commit_file(s, &tr, "/x/b.ojo", b, 2);
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1600);
	CHECK_EQ(col(s, tr, 1, "bytes_acked"), 1600);

	/* data first (stream 3, no link yet), link in a later file */
	const store_event c[] = {DS(30, 3, 4000), DA(31, 3, 3000)};
	commit_file(s, &tr, "/x/c.ojo", c, 2);
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1600);
	CHECK_EQ(col(s, tr, 1, "streams"), 1);
	const store_event d[] = {LINK(40, 3, 1), DS(41, 3, 10)};
	commit_file(s, &tr, "/x/d.ojo", d, 2);
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1600 + 4010);
	CHECK_EQ(col(s, tr, 1, "bytes_acked"), 1600 + 3000);
	CHECK_EQ(col(s, tr, 1, "streams"), 2);

	/* a link to a connection with no events yet: its placeholder row
	 * gets the totals, then its own events fill it in */
	const store_event e[] = {LINK(50, 5, 4), DS(51, 5, 77)};
	commit_file(s, &tr, "/x/e.ojo", e, 2);
	CHECK_EQ(col(s, tr, 4, "n_events"), 0);
	CHECK_EQ(col(s, tr, 4, "bytes_sent"), 77);
	const store_event f[] = {{60, 4, OJO_EV_PACKET_SENT, 1}};
	commit_file(s, &tr, "/x/f.ojo", f, 1);
	CHECK_EQ(col(s, tr, 4, "n_events"), 1);
	CHECK_EQ(col(s, tr, 4, "bytes_sent"), 77);

	/* relink: stream 3 moves from connection 1 to connection 4 */
	const store_event g[] = {LINK(70, 3, 4)};
	commit_file(s, &tr, "/x/g.ojo", g, 1);
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1600);
	CHECK_EQ(col(s, tr, 1, "bytes_acked"), 1600);
	CHECK_EQ(col(s, tr, 1, "streams"), 1);
	CHECK_EQ(col(s, tr, 4, "bytes_sent"), 77 + 4010);
	CHECK_EQ(col(s, tr, 4, "streams"), 2);

	/* a flow linked to itself is not counted twice */
	const store_event h[] = {LINK(80, 9, 9), DS(81, 9, 5)};
	commit_file(s, &tr, "/x/h.ojo", h, 2);
	CHECK_EQ(col(s, tr, 9, "bytes_sent"), 5);
	CHECK_EQ(col(s, tr, 9, "streams"), 0);

	/* a stream of a stream: its bytes count for its parent only */
	const store_event c2[] = {LINK(85, 30, 2), DS(86, 30, 33),
				  DS(87, 2, 1)};
	commit_file(s, &tr, "/x/chain.ojo", c2, 3);
	CHECK_EQ(col(s, tr, 2, "bytes_sent"), 1600 + 33 + 1);
	CHECK_EQ(col(s, tr, 2, "own_bytes_sent"), 1600 + 1);
	CHECK_EQ(col(s, tr, 2, "streams"), 1);
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1600 + 1);

	/* a rolled-back file leaves no trace in the totals */
	CHECK_OK(s, store_begin(s));
	const store_event r[] = {LINK(90, 6, 1), DS(91, 6, 999)};
	CHECK_OK(s, store_append(s, tr, r, 2));
	CHECK_OK(s, store_rollback(s));
	CHECK_EQ(col(s, tr, 1, "bytes_sent"), 1601);
	CHECK_EQ(q_int(s, mismatch_sql), 0);
	store_close(s);
}

/* Streams linked to random connections, data and links spread over files
 * ingested in a shuffled order, some streams relinked later. */
static void test_random(const char *dir)
{
	enum { CONNS = 8, STREAMS = 120, FILES = 60, PER = 400 };
	char db[600], path[64];
	uint64_t seed = 0x5eed;
	int64_t tr = 0;
	store_event *ev = malloc(FILES * PER * sizeof(*ev));
	int order[FILES];
	uint32_t parent[CONNS + STREAMS + 1] = {0};
	int64_t parent_t[CONNS + STREAMS + 1] = {0};
	CHECK(ev != NULL);
	snprintf(db, sizeof(db), "%s/random.db", dir);
	store *s = open_ok(db, STORE_WRITE);
	for (int i = 0; i < FILES * PER; i++) {
		uint32_t st = CONNS + 1 + (uint32_t)(rnd(&seed) % STREAMS);
		uint64_t x = rnd(&seed);
		store_event *e = &ev[i];
		e->time_ns = 1000 + i;
		e->flow_id = st;
		if (x % 10 == 0) {
			/* mostly to a connection; sometimes to any flow:
			 * another stream (a chain) or itself */
			e->type = OJO_EV_STREAM_LINK;
			e->payload = (x >> 4) % 4
					 ? 1 + (x >> 8) % CONNS
					 : 1 + (x >> 8) % (CONNS + STREAMS);
			if (!parent_t[st] || e->time_ns >= parent_t[st]) {
				parent[st] = (uint32_t)e->payload;
				parent_t[st] = e->time_ns;
			}
		} else if (x % 10 < 3) {
			e->flow_id = 1 + (uint32_t)((x >> 8) % CONNS);
			e->type = OJO_EV_PACKET_SENT;
			e->payload = 1200;
		} else {
			e->type = x % 2 ? OJO_EV_DATA_SENT : OJO_EV_DATA_ACKED;
			e->payload = OJO_RANGE(x >> 40, (x >> 16) % 1500);
		}
	}
	for (int i = 0; i < FILES; i++)
		order[i] = i;
	for (int i = FILES - 1; i > 0; i--) {
		int j = (int)(rnd(&seed) % (uint64_t)(i + 1));
		int t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < FILES; i++) {
		snprintf(path, sizeof(path), "/r/%d.ojo", order[i]);
		commit_file(s, &tr, path, ev + (size_t)order[i] * PER, PER);
	}
	CHECK_EQ(q_int(s, mismatch_sql), 0);
	/* the parents are the latest links by time, whatever the file order */
	for (uint32_t f = CONNS + 1; f <= CONNS + STREAMS; f++) {
		char sql[200];
		snprintf(sql, sizeof(sql),
			 "SELECT coalesce((SELECT p.flow_id FROM flows c JOIN"
			 " flows p ON p.flow_key = c.parent_key WHERE"
			 " c.flow_id = %u), 0)",
			 f);
		CHECK_EQ(q_int(s, sql), parent[f]);
	}
	CHECK(q_int(s, "SELECT count(*) FROM flows WHERE streams > 0") > 1);
	CHECK_EQ(q_int(s, "SELECT sum(own_bytes_sent) FROM flows"),
		 q_int(s, "SELECT total((payload >> 40) & 16777215) FROM"
			  " events WHERE type = 64"));
	store_close(s);
	free(ev);
}

/* A version-2 database with a connection and two linked streams upgrades
 * with the totals filled in, and keeps them right afterwards. */
static void test_upgrade(const char *dir)
{
	char db[600];
	snprintf(db, sizeof(db), "%s/v2.db", dir);
	sqlite3 *raw =
	    test_sql_open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	test_sql_exec(raw, sq_schema_v1_sql);
	CHECK(sq_schema_n_steps >= 2 && sq_schema_steps[0].from == 1);
	test_sql_exec(raw, sq_schema_steps[0].sql);
	test_sql_exec(
	    raw,
	    "PRAGMA user_version = 2;"
	    "INSERT INTO traces(trace_id, name, source) VALUES(1, 'old', "
	    "'ojo');"
	    "INSERT INTO flows(flow_key, trace_id, flow_id, first_ns, last_ns,"
	    " n_events, bytes_sent, bytes_acked) VALUES"
	    " (1, 1, 1, 100, 200, 5, 0, 0),"
	    " (2, 1, 2, 100, 200, 5, 300, 200),"
	    " (3, 1, 3, 100, 200, 5, 50, 40);"
	    "UPDATE flows SET parent_key = 1 WHERE flow_key IN (2, 3);");
	sqlite3_close(raw);
	store *s = open_ok(db, STORE_WRITE);
	CHECK_EQ(q_int(s, "PRAGMA user_version"), SQ_SCHEMA_VERSION);
	CHECK_EQ(q_int(s, "SELECT bytes_sent FROM flows WHERE flow_key = 1"),
		 350);
	CHECK_EQ(q_int(s, "SELECT bytes_acked FROM flows WHERE flow_key = 1"),
		 240);
	CHECK_EQ(q_int(s, "SELECT streams FROM flows WHERE flow_key = 1"), 2);
	CHECK_EQ(q_int(s, "SELECT bytes_sent FROM flows WHERE flow_key = 2"),
		 300);
	CHECK_EQ(q_int(s, "SELECT own_bytes_sent FROM flows WHERE flow_key ="
			  " 2"),
		 300);
	CHECK_EQ(q_int(s, "SELECT own_bytes_sent FROM flows WHERE flow_key ="
			  " 1"),
		 0);
	int64_t tr = 0;
	const store_event a[] = {DS(300, 3, 10)};
	CHECK_OK(s, store_begin(s));
	store_trace_info ti = {.name = "old"};
	CHECK_OK(s, store_trace(s, &ti, &tr));
	CHECK_EQ(tr, 1);
	CHECK_OK(s, store_append(s, tr, a, 1));
	CHECK_OK(s, store_commit(s));
	CHECK_EQ(q_int(s, "SELECT bytes_sent FROM flows WHERE flow_key = 1"),
		 360);
	store_close(s);
}

int main(void)
{
	char *dir = test_tmpdir();
	test_orders(dir);
	test_random(dir);
	test_upgrade(dir);
	test_rmtree(dir);
	free(dir);
	printf("store_rollup: ok\n");
	return 0;
}
