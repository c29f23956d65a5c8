/* store_roundtrip.c - what goes in through store_append comes out of the
 * events virtual table exactly, and the summaries (flows, parents, type
 * counts, traces, dropped totals, files ledger) match what a plain
 * recomputation over the same events gives. Also: rollback leaves nothing,
 * deltas add up over several transactions, blocks are well formed. */
#include "store_common.h"

#include "ojo/events.h"
#include "sqlite/sq_schema.h"

typedef struct tev {
	int64_t trace; /* index 0/1 */
	store_event e;
} tev;

static const uint32_t types[] = {
    OJO_EV_PACKET_SENT,
    OJO_EV_PACKET_RECEIVED,
    OJO_EV_PACKET_ACKED,
    OJO_EV_PACKET_LOST_TIMEOUT,
    OJO_EV_PACKET_LOST_THRESHOLD,
    OJO_EV_PACKET_RETRANS_SAME,
    OJO_EV_PACKET_RETRANS_NEW,
    OJO_EV_CWND,
    OJO_EV_DATA_SENT,
    OJO_EV_DATA_ACKED,
    OJO_EV_RTT_SAMPLE,
    OJO_EV_USER_BASE + 1,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))
#define NFLOWS 20

typedef struct expect_flow {
	int64_t n, first, last, sent, recv, acked, lost, retrans;
	int64_t bytes_sent, bytes_acked, max_cwnd, last_cwnd, last_cwnd_t;
	bool has_cwnd;
	int64_t parent; /* flow id, -1 none */
	int64_t parent_t;
} expect_flow;

static int cmp_tev(const void *a, const void *b)
{
	const tev *x = a, *y = b;
#define C(f)                                                                   \
	if (x->f != y->f)                                                      \
		return x->f < y->f ? -1 : 1;
	C(trace)
	C(e.flow_id)
	C(e.type)
	C(e.time_ns)
#undef C
	int64_t p = (int64_t)x->e.payload, q = (int64_t)y->e.payload;
	return p < q ? -1 : p > q;
}

static void account(expect_flow *f, const store_event *e)
{
	if (!f->n || e->time_ns < f->first)
		f->first = e->time_ns;
	if (!f->n || e->time_ns > f->last)
		f->last = e->time_ns;
	f->n++;
	switch (e->type) {
	case OJO_EV_PACKET_SENT:
		f->sent++;
		break;
	case OJO_EV_PACKET_RECEIVED:
		f->recv++;
		break;
	case OJO_EV_PACKET_ACKED:
		f->acked++;
		break;
	case OJO_EV_PACKET_LOST_TIMEOUT:
	case OJO_EV_PACKET_LOST_THRESHOLD:
		f->lost++;
		break;
	case OJO_EV_PACKET_RETRANS_SAME:
	case OJO_EV_PACKET_RETRANS_NEW:
		f->retrans++;
		break;
	case OJO_EV_DATA_SENT:
		f->bytes_sent += (int64_t)OJO_RANGE_LENGTH(e->payload);
		break;
	case OJO_EV_DATA_ACKED:
		f->bytes_acked += (int64_t)OJO_RANGE_LENGTH(e->payload);
		break;
	case OJO_EV_CWND:
		if (!f->has_cwnd || (int64_t)e->payload > f->max_cwnd)
			f->max_cwnd = (int64_t)e->payload;
		if (!f->has_cwnd || e->time_ns >= f->last_cwnd_t) {
			f->last_cwnd = (int64_t)e->payload;
			f->last_cwnd_t = e->time_ns;
		}
		f->has_cwnd = true;
		break;
	case OJO_EV_STREAM_LINK:
		if (f->parent < 0 || e->time_ns >= f->parent_t) {
			f->parent = (int64_t)e->payload;
			f->parent_t = e->time_ns;
		}
		break;
	}
}

/* Expected state, accumulated over committed transactions only. */
static expect_flow ex[2][256];
static tev *all;
static size_t n_all;

static size_t gen(tev *out, size_t n, uint64_t *seed, int64_t t0)
{
	size_t k = 0;
	int64_t t = t0;
	for (size_t i = 0; i < n; i++) {
		t += 1 + (int64_t)(rnd(seed) % 1000); /* unique times */
		tev *v = &out[k++];
		v->trace = (int64_t)(rnd(seed) % 2);
		uint64_t r = rnd(seed) % 100;
		/* one heavy flow: several full blocks */
		v->e.flow_id = r < 30 ? 7 : 1 + (uint32_t)(rnd(seed) % NFLOWS);
		v->e.type = r < 30 ? OJO_EV_CWND : types[rnd(seed) % NTYPES];
		v->e.time_ns = t;
		if (v->e.type == OJO_EV_DATA_SENT ||
		    v->e.type == OJO_EV_DATA_ACKED)
			v->e.payload =
			    OJO_RANGE(rnd(seed) % (1u << 30), rnd(seed) % 1500);
		else if (v->e.type == OJO_EV_CWND)
			v->e.payload = rnd(seed) % (1u << 24);
		else
			v->e.payload = rnd(seed); /* full 64 bits */
	}
	/* out of order: swap neighbours within a short distance */
	for (size_t i = 0; i + 8 < k; i += 3) {
		size_t j = i + rnd(seed) % 8;
		tev tmp = out[i];
		out[i] = out[j];
		out[j] = tmp;
	}
	return k;
}

static void append_all(store *s, const int64_t tid[2], tev *v, size_t n,
		       uint64_t *seed)
{
	/* random chunks, each of one trace: group runs of the same trace */
	size_t i = 0;
	store_event chunk[512];
	while (i < n) {
		size_t want = 1 + rnd(seed) % 512, m = 0;
		int64_t tr = v[i].trace;
		while (i < n && m < want && v[i].trace == tr)
			chunk[m++] = v[i++].e;
		CHECK_OK(s, store_append(s, tid[tr], chunk, m));
	}
}

static void commit_expect(tev *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		account(&ex[v[i].trace][v[i].e.flow_id], &v[i].e);
	all = realloc(all, (n_all + n) * sizeof(*all));
	CHECK(all);
	memcpy(all + n_all, v, n * sizeof(*v));
	n_all += n;
}

static void check_events(store *s, const int64_t tid[2])
{
	qsort(all, n_all, sizeof(*all), cmp_tev);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events"), n_all);
	sqlite3_stmt *st = test_sql_prepare(
	    sq_store_sqlite(s), "SELECT trace_id, flow_id, type, time_ns,"
				" payload FROM events ORDER BY trace_id,"
				" flow_id, type, time_ns, payload");
	size_t i = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		CHECK(i < n_all);
		const tev *v = &all[i++];
		CHECK_EQ(sqlite3_column_int64(st, 0), tid[v->trace]);
		CHECK_EQ(sqlite3_column_int64(st, 1), v->e.flow_id);
		CHECK_EQ(sqlite3_column_int64(st, 2), v->e.type);
		CHECK_EQ(sqlite3_column_int64(st, 3), v->e.time_ns);
		CHECK(sqlite3_column_int64(st, 4) == (int64_t)v->e.payload);
	}
	sqlite3_finalize(st);
	CHECK_EQ(i, n_all);
}

static void check_flows(store *s, const int64_t tid[2])
{
	sqlite3_stmt *st = test_sql_prepare(
	    sq_store_sqlite(s),
	    "SELECT c.n_events, c.first_ns, c.last_ns, c.packets_sent,"
	    " c.packets_received, c.packets_acked, c.packets_lost,"
	    " c.packets_retransmitted, c.bytes_sent, c.bytes_acked,"
	    " c.max_cwnd, c.last_cwnd, p.flow_id,"
	    " (SELECT sum(n) FROM type_counts t"
	    "  WHERE t.flow_key = c.flow_key), p.trace_id"
	    " FROM flows c LEFT JOIN flows p ON p.flow_key ="
	    " c.parent_key WHERE c.trace_id = ?1 AND c.flow_id = ?2");
	for (int tr = 0; tr < 2; tr++) {
		int64_t nflows = 0, nev = 0;
		for (int fl = 0; fl < 256; fl++) {
			const expect_flow *f = &ex[tr][fl];
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, tid[tr]);
			sqlite3_bind_int64(st, 2, fl);
			int rc = sqlite3_step(st);
			if (!f->n) {
				/* parents without events exist as rows */
				bool is_parent = false;
				for (int c = 0; c < 256; c++)
					is_parent |= ex[tr][c].parent == fl;
				CHECK_EQ(rc == SQLITE_ROW, is_parent);
				if (rc == SQLITE_ROW) {
					nflows++;
					CHECK_EQ(sqlite3_column_int64(st, 0),
						 0);
				}
				continue;
			}
			nflows++;
			nev += f->n;
			CHECK_EQ(rc, SQLITE_ROW);
			CHECK_EQ(sqlite3_column_int64(st, 0), f->n);
			CHECK_EQ(sqlite3_column_int64(st, 1), f->first);
			CHECK_EQ(sqlite3_column_int64(st, 2), f->last);
			CHECK_EQ(sqlite3_column_int64(st, 3), f->sent);
			CHECK_EQ(sqlite3_column_int64(st, 4), f->recv);
			CHECK_EQ(sqlite3_column_int64(st, 5), f->acked);
			CHECK_EQ(sqlite3_column_int64(st, 6), f->lost);
			CHECK_EQ(sqlite3_column_int64(st, 7), f->retrans);
			/* a connection's bytes include its streams' (v3) */
			int64_t bs = f->bytes_sent, ba = f->bytes_acked;
			for (int c = 0; c < 256; c++)
				if (c != fl && ex[tr][c].parent == fl) {
					bs += ex[tr][c].bytes_sent;
					ba += ex[tr][c].bytes_acked;
				}
			CHECK_EQ(sqlite3_column_int64(st, 8), bs);
			CHECK_EQ(sqlite3_column_int64(st, 9), ba);
			if (f->has_cwnd) {
				CHECK_EQ(sqlite3_column_int64(st, 10),
					 f->max_cwnd);
				CHECK_EQ(sqlite3_column_int64(st, 11),
					 f->last_cwnd);
			} else {
				CHECK_EQ(sqlite3_column_type(st, 10),
					 SQLITE_NULL);
			}
			if (f->parent >= 0) {
				CHECK_EQ(sqlite3_column_int64(st, 12),
					 f->parent);
				CHECK_EQ(sqlite3_column_int64(st, 14), tid[tr]);
			} else {
				CHECK_EQ(sqlite3_column_type(st, 12),
					 SQLITE_NULL);
			}
			CHECK_EQ(sqlite3_column_int64(st, 13), f->n);
		}
		char sql[160];
		snprintf(sql, sizeof(sql),
			 "SELECT n_flows FROM traces WHERE trace_id = %lld",
			 (long long)tid[tr]);
		CHECK_EQ(q_int(s, sql), nflows);
		snprintf(sql, sizeof(sql),
			 "SELECT n_events FROM traces WHERE trace_id = %lld",
			 (long long)tid[tr]);
		CHECK_EQ(q_int(s, sql), nev);
	}
	sqlite3_finalize(st);
}

/* Window and key constraints through xBestIndex give the same answers as
 * a brute-force pass over what was appended. */
static void check_filters(store *s, const int64_t tid[2], uint64_t *seed)
{
	for (int k = 0; k < 40; k++) {
		int tr = (int)(rnd(seed) % 2);
		uint32_t fl = k < 10 ? 7 : 1 + (uint32_t)(rnd(seed) % NFLOWS);
		uint32_t ty = k < 10 ? OJO_EV_CWND : types[rnd(seed) % NTYPES];
		const tev *a = &all[rnd(seed) % n_all],
			  *b = &all[rnd(seed) % n_all];
		int64_t lo =
		    a->e.time_ns < b->e.time_ns ? a->e.time_ns : b->e.time_ns;
		int64_t hi = a->e.time_ns ^ b->e.time_ns ^ lo;
		int64_t want = 0, want_any_type = 0, want_eq = 0;
		for (size_t i = 0; i < n_all; i++) {
			const tev *v = &all[i];
			if (v->trace != tr || v->e.flow_id != fl)
				continue;
			bool in = v->e.time_ns >= lo && v->e.time_ns < hi;
			want_any_type += in;
			want += v->e.type == ty && in;
			want_eq += v->e.time_ns == lo;
		}
		char sql[400];
		snprintf(
		    sql, sizeof(sql),
		    "SELECT count(*) FROM events e JOIN flows f ON"
		    " f.flow_key = e.flow_key WHERE f.trace_id = %lld AND"
		    " f.flow_id = %u AND e.flow_key = f.flow_key AND"
		    " e.type = %u AND e.time_ns >= %lld AND e.time_ns < %lld",
		    (long long)tid[tr], fl, ty, (long long)lo, (long long)hi);
		CHECK_EQ(q_int(s, sql), want);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM events WHERE trace_id = %lld AND"
			 " flow_id = %u AND time_ns > %lld - 1 AND time_ns <="
			 " %lld - 1",
			 (long long)tid[tr], fl, (long long)lo, (long long)hi);
		CHECK_EQ(q_int(s, sql), want_any_type);
		snprintf(
		    sql, sizeof(sql),
		    "SELECT count(*) FROM events WHERE flow_key = (SELECT"
		    " flow_key FROM flows WHERE trace_id = %lld AND flow_id"
		    " = %u) AND time_ns = %lld",
		    (long long)tid[tr], fl, (long long)lo);
		CHECK_EQ(q_int(s, sql), want_eq);
	}
	/* values of other types are compared the SQLite way, not narrowed */
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events WHERE flow_key = NULL"),
		 0);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events WHERE type = 48.0"),
		 q_int(s, "SELECT count(*) FROM events WHERE type = 48"));
	CHECK_EQ(q_int(s, "SELECT count(*) FROM events WHERE type = 48.5"), 0);
	CHECK(q_int(s, "SELECT count(*) FROM events_named WHERE"
		       " type_name = 'cwnd'") > 0);
}

typedef struct row3 {
	int64_t t, y, p;
} row3;

static int cmp_row3(const void *a, const void *b)
{
	const row3 *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->p < y->p ? -1 : x->p > y->p;
}

static size_t fetch3(store *s, const char *sql, row3 *out, size_t cap)
{
	sqlite3_stmt *st = test_sql_prepare(sq_store_sqlite(s), sql);
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		CHECK(n < cap);
		out[n].t = sqlite3_column_int64(st, 0);
		out[n].y = sqlite3_column_int64(st, 1);
		out[n].p = sqlite3_column_int64(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

/* ORDER BY time_ns on one flow is answered by merging its blocks (no
 * sorter in the plan), in time order, with every event once. */
static void check_ordered(store *s)
{
	const size_t cap = 200000;
	row3 *a = calloc(cap, sizeof(*a)), *b = calloc(cap, sizeof(*b));
	CHECK(a && b);
	sqlite3_stmt *st = test_sql_prepare(
	    sq_store_sqlite(s), "EXPLAIN QUERY PLAN SELECT time_ns FROM events"
				" WHERE flow_key = 1 ORDER BY time_ns");
	while (sqlite3_step(st) == SQLITE_ROW)
		CHECK(!strstr((const char *)sqlite3_column_text(st, 3),
			      "ORDER BY"));
	sqlite3_finalize(st);
	sqlite3_stmt *fl =
	    test_sql_prepare(sq_store_sqlite(s), "SELECT flow_key FROM flows");
	int flows = 0;
	while (sqlite3_step(fl) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(fl, 0);
		char q1[200], q2[200];
		snprintf(q1, sizeof(q1),
			 "SELECT time_ns, type, payload FROM events WHERE"
			 " flow_key = %lld ORDER BY time_ns",
			 (long long)k);
		snprintf(q2, sizeof(q2),
			 "SELECT time_ns, type, payload FROM events WHERE"
			 " flow_key = %lld ORDER BY time_ns, type, payload",
			 (long long)k);
		size_t n = fetch3(s, q1, a, cap), m = fetch3(s, q2, b, cap);
		CHECK_EQ(n, m);
		for (size_t i = 1; i < n; i++)
			CHECK(a[i - 1].t <= a[i].t);
		qsort(a, n, sizeof(*a), cmp_row3);
		CHECK(memcmp(a, b, n * sizeof(*a)) == 0);
		/* a window and a limit */
		if (n > 10) {
			snprintf(q1, sizeof(q1),
				 "SELECT time_ns, type, payload FROM events"
				 " WHERE flow_key = %lld AND time_ns >= %lld"
				 " ORDER BY time_ns LIMIT 5",
				 (long long)k, (long long)b[n / 2].t);
			size_t w = fetch3(s, q1, a, cap);
			CHECK_EQ(w, 5);
			for (size_t i = 0; i < w; i++)
				CHECK_EQ(a[i].t, b[n / 2 + i].t);
		}
		flows++;
	}
	sqlite3_finalize(fl);
	CHECK(flows > 20);
	free(a);
	free(b);
}

static void check_blocks(store *s)
{
	sqlite3_stmt *st = test_sql_prepare(
	    sq_store_sqlite(s), "SELECT n, t_first, t_last, v_min, v_max,"
				" data FROM blocks");
	int64_t blocks = 0, full = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0);
		const unsigned char *d = sqlite3_column_blob(st, 5);
		CHECK(n >= 1 && n <= SQ_BLOCK_MAX_EVENTS);
		CHECK_EQ(sqlite3_column_bytes(st, 5), n * SQ_BLOCK_EVENT_SIZE);
		int64_t prev = INT64_MIN, lo = INT64_MAX, hi = INT64_MIN;
		for (int64_t i = 0; i < n; i++) {
			int64_t t, p;
			memcpy(&t, d + i * 16, 8);
			memcpy(&p, d + i * 16 + 8, 8);
			CHECK(t >= prev);
			prev = t;
			lo = p < lo ? p : lo;
			hi = p > hi ? p : hi;
			if (i == 0)
				CHECK_EQ(t, sqlite3_column_int64(st, 1));
		}
		CHECK_EQ(prev, sqlite3_column_int64(st, 2));
		CHECK(lo == sqlite3_column_int64(st, 3));
		CHECK(hi == sqlite3_column_int64(st, 4));
		blocks++;
		full += n == SQ_BLOCK_MAX_EVENTS;
	}
	sqlite3_finalize(st);
	CHECK(blocks > 0);
	CHECK(full >= 2); /* the heavy flow filled blocks */
}

int main(void)
{
	char *dir = test_tmpdir();
	char db[600];
	snprintf(db, sizeof(db), "%s/t.db", dir);
	store *s = open_ok(db, STORE_WRITE);
	memset(ex, 0, sizeof(ex));
	for (int t = 0; t < 2; t++)
		for (int f = 0; f < 256; f++)
			ex[t][f].parent = -1;
	uint64_t seed = 0x1234567;
	const size_t N = 120000;
	tev *v = calloc(N + 64, sizeof(*v));
	CHECK(v);

	/* transaction 1: events, links, drops; committed */
	CHECK_OK(s, store_begin(s));
	int64_t tid[2];
	store_trace_info ti = {.name = "trace-a", .source = "ojo", .pid = 11};
	CHECK_OK(s, store_trace(s, &ti, &tid[0]));
	ti.name = "trace-b";
	CHECK_OK(s, store_trace(s, &ti, &tid[1]));
	int64_t again;
	ti.name = "trace-a";
	CHECK_OK(s, store_trace(s, &ti, &again));
	CHECK_EQ(again, tid[0]);
	size_t n = gen(v, N, &seed, 1000000);
	int64_t tl = v[n - 1].e.time_ns + 5000;
	/* streams 11..20 link to connections 1..10; stream 21 to flow 99,
	 * which has no events of its own */
	for (uint32_t f = 11; f <= 21; f++) {
		tev *l = &v[n++];
		l->trace = f % 2;
		l->e = (store_event){tl + f, f, OJO_EV_STREAM_LINK,
				     f == 21 ? 99 : f - 10};
	}
	v[n++] = (tev){0, {tl + 100, 0, OJO_EV_EVENTS_DROPPED, 5}};
	v[n++] = (tev){0, {tl + 200, 0, OJO_EV_EVENTS_DROPPED, 7}};
	append_all(s, tid, v, n, &seed);
	CHECK_OK(s, store_flow_label(s, tid[0], 1, "conn one"));
	store_file_info fi = {.path = "/x/a.ojo",
			      .size = 24 + 24 * (int64_t)n,
			      .trace_id = tid[0],
			      .format = "ojo",
			      .events = n,
			      .status = STORE_FILE_INGESTED};
	CHECK_OK(s, store_file_done(s, &fi));
	CHECK_OK(s, store_commit(s));
	commit_expect(v, n);
	check_events(s, tid);
	check_flows(s, tid);
	CHECK_EQ(q_int(s, "SELECT dropped FROM traces WHERE name = 'trace-a'"),
		 12);
	CHECK_EQ(
	    q_int(s, "SELECT count(*) FROM flows WHERE label = 'conn one'"), 1);

	/* transaction 2: rolled back, leaves nothing */
	int64_t blocks = q_int(s, "SELECT count(*) FROM blocks");
	CHECK_OK(s, store_begin(s));
	size_t n2 = gen(v, 20000, &seed, tl + 1000);
	append_all(s, tid, v, n2, &seed);
	ti.name = "trace-c";
	int64_t tc;
	CHECK_OK(s, store_trace(s, &ti, &tc));
	fi.path = "/x/b.ojo";
	CHECK_OK(s, store_file_done(s, &fi));
	CHECK_OK(s, store_rollback(s));
	CHECK_EQ(q_int(s, "SELECT count(*) FROM blocks"), blocks);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM traces"), 2);
	store_file_status fs;
	CHECK_OK(s, store_file_get(s, "/x/b.ojo", &fs, NULL, NULL));
	CHECK_EQ(fs, STORE_FILE_UNKNOWN);
	CHECK_OK(s, store_file_get(s, "/x/a.ojo", &fs, NULL, NULL));
	CHECK_EQ(fs, STORE_FILE_INGESTED);
	check_events(s, tid);
	check_flows(s, tid);

	/* transaction 3: more events for the same flows, some older than what
	 * is stored (a batch ingested late), and a rejected file */
	CHECK_OK(s, store_begin(s));
	n2 = gen(v, 30000, &seed, 500000);
	append_all(s, tid, v, n2, &seed);
	fi.path = "/x/c.ojo";
	CHECK_OK(s, store_file_done(s, &fi));
	store_file_info bad = {.path = "/x/bad.ojo",
			       .format = "ojo",
			       .status = STORE_FILE_REJECTED,
			       .reason = "bad magic at byte 0"};
	CHECK_OK(s, store_file_done(s, &bad));
	CHECK_OK(s, store_commit(s));
	commit_expect(v, n2);
	check_events(s, tid);
	check_flows(s, tid);
	check_filters(s, tid, &seed);
	check_ordered(s);
	check_blocks(s);
	CHECK_OK(s, store_file_get(s, "/x/bad.ojo", &fs, NULL, NULL));
	CHECK_EQ(fs, STORE_FILE_REJECTED);
	CHECK_EQ(q_int(s, "SELECT count(*) FROM files"), 3);
	/* blocks carry the id of the file they came from */
	CHECK_EQ(q_int(s, "SELECT count(*) FROM blocks b LEFT JOIN files f"
			  " USING(file_id) WHERE f.path IS NULL"),
		 0);
	CHECK_EQ(q_int(s, "SELECT sum(n) FROM blocks b JOIN files f"
			  " USING(file_id) WHERE f.path = '/x/c.ojo'"),
		 n2);
	/* the catalog is there */
	CHECK_EQ(q_int(s, "SELECT count(*) FROM event_types WHERE name ="
			  " 'packet_sent' AND type = 2"),
		 1);
	store_close(s);

	/* everything survives a reopen */
	s = open_ok(db, STORE_READ);
	check_events(s, tid);
	check_flows(s, tid);
	store_close(s);

	free(v);
	free(all);
	test_rmtree(dir);
	free(dir);
	printf("store_roundtrip: ok (%zu events)\n", n_all);
	return 0;
}
