/* sq_read.c - read-only queries behind `ojo serve` (store_read.h).
 *
 * Events live in blocks of one (flow, type) with their time span and value
 * range beside the blob (schema.c). Series and event pages read only the
 * blocks that overlap the window, and a zoomed-out series takes a block's
 * v_min/v_max whole when the block falls inside one bucket, so it decodes
 * only blocks that straddle bucket edges. */
#include "sqlite/sq_read.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sqlite/sq_schema.h"
#include "util/util_clock.h"

#define MAX_SAFE_INT ((int64_t)1 << 53)

enum rd_stmt {
	RS_VERSION,
	RS_HAS_SCHEMA,
	RS_STATS,
	RS_TRACES,
	RS_TRACE_ONE,
	RS_COUNTS_ALL,
	RS_COUNTS_TRACE,
	RS_COUNTS_FLOW,
	RS_COUNTS_TREE,
	RS_TYPES,
	RS_FLOW_ONE,
	RS_FLOW_EXISTS,
	RS_FLOW_TREE,
	RS_FLOW_TREE_TYPE,
	RS_TRACE_FLOWS,
	RS_SPAN,
	RS_SPAN_TREE,
	RS_BLOCKS_TYPE,
	RS_BLOCKS_FLOW,
	RS_BLOCK_DATA,
	RS_FLOWS_COUNT,
	RS_FLOWS_PAGE, /* + sort * 2 + desc */
	RS__COUNT = RS_FLOWS_PAGE + 8
};

struct sq_rd {
	sq_cache *cache; /* shared, may be NULL */
	sqlite3 *db;
	bool ready;
	bool timed_out;
	int64_t deadline_ns;
	char err[256];
	sqlite3_stmt *st[RS__COUNT];
};

#define FLOW_COLS                                                              \
	"f.flow_key, f.trace_id, t.name, f.flow_id, f.parent_key, f.label, "   \
	"f.first_ns, f.last_ns, f.n_events, f.packets_sent, "                  \
	"f.packets_received, f.packets_acked, f.packets_lost, "                \
	"f.packets_retransmitted, f.bytes_sent, f.bytes_acked, f.max_cwnd, "   \
	"f.last_cwnd, (SELECT count(*) FROM flows c WHERE c.parent_key = "     \
	"f.flow_key) "
#define FLOW_FROM " FROM flows f JOIN traces t ON t.trace_id = f.trace_id "
/* ?1 trace, ?2 like-pattern, ?3 integer form of q, ?4 type, ?5 kind,
 * ?6 parent; NULL = no filter. */
#define FLOW_WHERE                                                             \
	" WHERE (?1 IS NULL OR f.trace_id = ?1)"                               \
	" AND (?2 IS NULL OR f.label LIKE ?2 ESCAPE '\\' OR t.name LIKE ?2 "   \
	"ESCAPE '\\' OR f.flow_id = ?3 OR f.flow_key = ?3)"                    \
	" AND (?4 IS NULL OR EXISTS(SELECT 1 FROM type_counts tc WHERE "       \
	"tc.flow_key = f.flow_key AND tc.type = ?4))"                          \
	" AND (?5 IS NULL OR (?5 = 1 AND f.parent_key IS NULL) OR (?5 = 2 "    \
	"AND "                                                                 \
	"f.parent_key IS NOT NULL))"                                           \
	" AND (?6 IS NULL OR f.parent_key = ?6)"

static const char *const sort_expr[4] = {
    "f.first_ns",
    "(f.last_ns - f.first_ns)",
    "f.n_events",
    "f.packets_lost",
};

static const char *const stmt_sql[RS_FLOWS_PAGE] = {
    [RS_VERSION] = "PRAGMA user_version",
    [RS_HAS_SCHEMA] = "SELECT count(*) FROM sqlite_master WHERE type = "
		      "'table' AND name IN ('flows','blocks','traces',"
		      "'type_counts','event_types','files')",
    [RS_STATS] = "SELECT (SELECT count(*) FROM traces), (SELECT count(*) "
		 "FROM flows), (SELECT count(*) FROM flows WHERE "
		 "parent_key IS NULL), (SELECT total(n) FROM type_counts), "
		 "(SELECT total(dropped) FROM traces), (SELECT count(*) "
		 "FROM event_types), (SELECT count(*) FROM files WHERE "
		 "status = 'ingested'), (SELECT count(*) FROM files WHERE "
		 "status = 'rejected'), (SELECT max(file_id) FROM files), "
		 "(SELECT min(first_ns) FROM flows), (SELECT max(last_ns) "
		 "FROM flows)",
    [RS_TRACES] = "SELECT trace_id, name, source, pid, vantage, title, "
		  "first_ns, last_ns, n_events, n_flows, dropped FROM "
		  "traces ORDER BY first_ns, trace_id",
    [RS_TRACE_ONE] = "SELECT trace_id, name, source, pid, vantage, title, "
		     "first_ns, last_ns, n_events, n_flows, dropped FROM "
		     "traces WHERE trace_id = ?1",
    [RS_COUNTS_ALL] = "SELECT type, sum(n) FROM type_counts GROUP BY type "
		      "ORDER BY type",
    [RS_COUNTS_TRACE] = "SELECT tc.type, sum(tc.n) FROM type_counts tc "
			"JOIN flows f ON f.flow_key = tc.flow_key WHERE "
			"f.trace_id = ?1 GROUP BY tc.type ORDER BY tc.type",
    [RS_COUNTS_FLOW] = "SELECT type, n FROM type_counts WHERE flow_key = "
		       "?1 ORDER BY type",
    [RS_COUNTS_TREE] = "SELECT tc.type, sum(tc.n) FROM type_counts tc "
		       "WHERE tc.flow_key = ?1 OR tc.flow_key IN (SELECT "
		       "flow_key FROM flows WHERE parent_key = ?1) GROUP "
		       "BY tc.type ORDER BY tc.type",
    [RS_TYPES] = "SELECT type, name, category, description, payload_kind, "
		 "unit FROM event_types ORDER BY type",
    [RS_FLOW_ONE] = "SELECT " FLOW_COLS FLOW_FROM "WHERE f.flow_key = ?1",
    [RS_FLOW_EXISTS] = "SELECT 1 FROM flows WHERE flow_key = ?1",
    [RS_FLOW_TREE] = "SELECT flow_key FROM flows WHERE flow_key = ?1 UNION "
		     "ALL SELECT flow_key FROM flows WHERE parent_key = "
		     "?1 AND flow_key <> ?1",
    [RS_FLOW_TREE_TYPE] =
	"SELECT f.flow_key FROM flows f JOIN type_counts tc ON "
	"tc.flow_key = f.flow_key AND tc.type = ?2 WHERE f.flow_key = "
	"?1 OR f.parent_key = ?1 ORDER BY (f.flow_key <> ?1), "
	"f.first_ns, f.flow_key",
    [RS_TRACE_FLOWS] = "SELECT flow_key FROM flows WHERE trace_id = ?1",
    [RS_SPAN] = "SELECT first_ns, last_ns FROM flows WHERE flow_key = ?1",
    [RS_SPAN_TREE] = "SELECT min(first_ns), max(last_ns), count(*) FROM "
		     "flows WHERE flow_key = ?1 OR parent_key = ?1",
    [RS_BLOCKS_TYPE] = "SELECT block_id, t_first, t_last, n, v_min, v_max "
		       "FROM blocks WHERE flow_key = ?1 AND type = ?2 "
		       "AND t_first <= ?4 AND t_last >= ?3 ORDER BY "
		       "t_first, block_id",
    [RS_BLOCKS_FLOW] = "SELECT block_id, type, t_first, t_last, n FROM "
		       "blocks WHERE flow_key = ?1 AND t_first <= ?3 AND "
		       "t_last >= ?2",
    [RS_BLOCK_DATA] = "SELECT data FROM blocks WHERE block_id = ?1",
    [RS_FLOWS_COUNT] = "SELECT count(*)" FLOW_FROM FLOW_WHERE,
};

static int on_progress(void *arg)
{
	sq_rd *r = arg;
	if (r->deadline_ns && util_mono_ns() > r->deadline_ns) {
		r->timed_out = true;
		return 1;
	}
	return 0;
}

/* Checks the deadline from C loops that decode blocks. */
static bool past_deadline(sq_rd *r)
{
	return on_progress(r) != 0;
}

static int rd_fail(sq_rd *r, int rc, const char *what)
{
	if (r->timed_out || rc == SQLITE_INTERRUPT)
		return -ETIMEDOUT;
	if (rc == SQLITE_NOMEM)
		return -ENOMEM;
	if ((rc & 0xff) == SQLITE_NOTADB) {
		snprintf(r->err, sizeof(r->err), "not an SQLite database");
		return -EIO;
	}
	snprintf(r->err, sizeof(r->err), "%s: %s", what, sqlite3_errmsg(r->db));
	return -EIO;
}

static sqlite3_stmt *rd_stmt(sq_rd *r, int which, int *rc)
{
	sqlite3_stmt *st = r->st[which];
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	char sql[2048];
	const char *text = which < RS_FLOWS_PAGE ? stmt_sql[which] : NULL;
	if (!text) {
		int k = which - RS_FLOWS_PAGE;
		const char *dir = (k & 1) ? "DESC" : "ASC";
		snprintf(sql, sizeof(sql),
			 "SELECT " FLOW_COLS FLOW_FROM FLOW_WHERE
			 " ORDER BY %s %s, f.flow_key %s LIMIT ?7 OFFSET ?8",
			 sort_expr[k >> 1], dir, dir);
		text = sql;
	}
	int e = sqlite3_prepare_v3(r->db, text, -1, SQLITE_PREPARE_PERSISTENT,
				   &st, NULL);
	if (e != SQLITE_OK) {
		*rc = rd_fail(r, e, "prepare");
		return NULL;
	}
	r->st[which] = st;
	return st;
}

/* A SQLite file holding other things than an Ojo database (r->err says
 * so): no writer will ever make it one. */
static bool foreign(sq_rd *r)
{
	sqlite3_stmt *st = NULL;
	int64_t app = 0, n = 0;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT (SELECT application_id FROM "
			       "pragma_application_id), (SELECT count(*) FROM "
			       "sqlite_schema)",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		app = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (n == 0 || app == SQ_APPLICATION_ID)
		return false;
	snprintf(r->err, sizeof(r->err),
		 "not an Ojo database (SQLite file with %lld other objects)",
		 (long long)n);
	return true;
}

/* Rechecks whether a writer has created the schema yet. */
static int check_ready(sq_rd *r)
{
	if (r->ready)
		return 0;
	int rc = 0;
	sqlite3_stmt *st = rd_stmt(r, RS_HAS_SCHEMA, &rc);
	if (!st)
		return rc;
	int e = sqlite3_step(st);
	if (e != SQLITE_ROW)
		return rd_fail(r, e, "schema check");
	r->ready = sqlite3_column_int(st, 0) == 6;
	sqlite3_reset(st);
	if (!r->ready)
		return foreign(r) ? -EPROTO : -ENODATA;
	st = rd_stmt(r, RS_VERSION, &rc);
	if (!st)
		return rc;
	int ver =
	    sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (ver > SQ_SCHEMA_VERSION)
		snprintf(r->err, sizeof(r->err),
			 "database schema version %d is newer than this ojo "
			 "(%d)",
			 ver, SQ_SCHEMA_VERSION);
	else if (ver < SQ_SCHEMA_VERSION)
		snprintf(r->err, sizeof(r->err),
			 "database schema version %d is older than this ojo "
			 "(%d); open it once with `ojo watch` to upgrade it",
			 ver, SQ_SCHEMA_VERSION);
	if (ver != SQ_SCHEMA_VERSION) {
		r->ready = false;
		return -EPROTO;
	}
	return 0;
}

/* Clears the per-query timeout state; call at the start of each entry. */
static int begin(sq_rd *r)
{
	r->timed_out = false;
	r->err[0] = 0;
	if (r->deadline_ns && util_mono_ns() > r->deadline_ns) {
		r->timed_out = true;
		return -ETIMEDOUT;
	}
	return check_ready(r);
}

/* begin() then the statement `which`, reset; NULL with *rc set. */
static sqlite3_stmt *begin_stmt(sq_rd *r, int which, int *rc)
{
	*rc = begin(r);
	return *rc ? NULL : rd_stmt(r, which, rc);
}

int sq_rd_open(const char *path, sq_rd **out, char *err, size_t errlen)
{
	*out = NULL;
	struct stat sb;
	if (stat(path, &sb) != 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(err, errlen,
				 "no such database: %s (run 'ojo watch' first)",
				 strerror(e));
		else
			snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return -EINVAL;
	}
	sq_rd *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int e = sqlite3_open_v2(
	    path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (e != SQLITE_OK) {
		snprintf(err, errlen, "cannot open: %s",
			 r->db ? sqlite3_errmsg(r->db) : "out of memory");
		sq_rd_close(r);
		return -EIO;
	}
	sqlite3_busy_timeout(r->db, 2000);
	sqlite3_exec(r->db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
	sqlite3_progress_handler(r->db, 2000, on_progress, r);
	int rc = check_ready(r);
	if (rc != 0 && rc != -ENODATA) {
		snprintf(err, errlen, "%s",
			 r->err[0] ? r->err : "not an Ojo database");
		sq_rd_close(r);
		return rc == -EIO ? -EINVAL : rc;
	}
	*out = r;
	return 0;
}

void sq_rd_close(sq_rd *r)
{
	if (!r)
		return;
	for (int i = 0; i < RS__COUNT; i++)
		sqlite3_finalize(r->st[i]);
	sqlite3_close(r->db);
	free(r);
}

const char *sq_rd_errmsg(const sq_rd *r)
{
	return r->err[0] ? r->err : "no error";
}

void sq_rd_set_deadline(sq_rd *r, int64_t deadline_ns)
{
	r->deadline_ns = deadline_ns;
}

int sq_rd_data_version(sq_rd *r, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int e = sqlite3_prepare_v2(r->db, "PRAGMA data_version", -1, &st, NULL);
	if (e == SQLITE_OK)
		e = sqlite3_step(st);
	if (e == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		e = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return e == SQLITE_OK ? 0 : rd_fail(r, e, "data_version");
}

int sq_rd_stats_get(sq_rd *r, store_stats *o)
{
	memset(o, 0, sizeof(*o));
	int rc;
	sqlite3_stmt *st = begin_stmt(r, RS_STATS, &rc);
	if (!st)
		return rc;
	int e = sqlite3_step(st);
	if (e != SQLITE_ROW)
		return rd_fail(r, e, "stats");
	o->traces = sqlite3_column_int64(st, 0);
	o->flows = sqlite3_column_int64(st, 1);
	o->connections = sqlite3_column_int64(st, 2);
	o->streams = o->flows - o->connections;
	o->events = (int64_t)sqlite3_column_double(st, 3);
	o->dropped = (int64_t)sqlite3_column_double(st, 4);
	o->types = sqlite3_column_int64(st, 5);
	o->files_ingested = sqlite3_column_int64(st, 6);
	o->files_rejected = sqlite3_column_int64(st, 7);
	o->has_time = sqlite3_column_type(st, 9) != SQLITE_NULL;
	o->first_ns = sqlite3_column_int64(st, 9);
	o->last_ns = sqlite3_column_int64(st, 10);
	sqlite3_reset(st);
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Runs st (bound) and hands each row to row(); stops on a nonzero return. */
static int each_row(sq_rd *r, sqlite3_stmt *st, const char *what,
		    int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	int e, rc = 0;
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		rc = row(st, ctx);
		if (rc)
			break;
	}
	if (!rc && e != SQLITE_DONE)
		rc = rd_fail(r, e, what);
	sqlite3_reset(st);
	return rc;
}

struct trace_ctx {
	store_trace_fn fn;
	void *user;
	int rows;
};

static int trace_row(sqlite3_stmt *st, void *arg)
{
	struct trace_ctx *c = arg;
	store_trace_row t = {
	    .id = sqlite3_column_int64(st, 0),
	    .name = col_text(st, 1),
	    .source = col_text(st, 2),
	    .pid = sqlite3_column_int64(st, 3),
	    .vantage = col_text(st, 4),
	    .title = col_text(st, 5),
	    .has_time = sqlite3_column_type(st, 6) != SQLITE_NULL,
	    .first_ns = sqlite3_column_int64(st, 6),
	    .last_ns = sqlite3_column_int64(st, 7),
	    .events = sqlite3_column_int64(st, 8),
	    .flows = sqlite3_column_int64(st, 9),
	    .dropped = sqlite3_column_int64(st, 10),
	};
	if (!t.name)
		t.name = "";
	if (!t.source)
		t.source = "";
	c->rows++;
	return c->fn(c->user, &t);
}

int sq_rd_traces(sq_rd *r, int64_t id, store_trace_fn fn, void *user)
{
	int rc;
	sqlite3_stmt *st =
	    begin_stmt(r, id > 0 ? RS_TRACE_ONE : RS_TRACES, &rc);
	if (!st)
		return rc;
	if (id > 0)
		sqlite3_bind_int64(st, 1, id);
	struct trace_ctx c = {fn, user, 0};
	rc = each_row(r, st, "traces", trace_row, &c);
	if (!rc && id > 0 && c.rows == 0)
		return -ENOENT;
	return rc;
}

static int flow_exists(sq_rd *r, int64_t key)
{
	int rc = 0;
	sqlite3_stmt *st = rd_stmt(r, RS_FLOW_EXISTS, &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, key);
	int e = sqlite3_step(st);
	sqlite3_reset(st);
	if (e == SQLITE_ROW)
		return 0;
	return e == SQLITE_DONE ? -ENOENT : rd_fail(r, e, "flow");
}

struct count_vec {
	uint32_t *type;
	int64_t *n;
	size_t len, cap;
};

static int count_push(struct count_vec *v, uint32_t type, int64_t n)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		uint32_t *t = realloc(v->type, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		v->type = t;
		int64_t *c = realloc(v->n, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		v->n = c;
		v->cap = cap;
	}
	v->type[v->len] = type;
	v->n[v->len++] = n;
	return 0;
}

static int count_row(sqlite3_stmt *st, void *arg)
{
	return count_push(arg, (uint32_t)sqlite3_column_int64(st, 0),
			  sqlite3_column_int64(st, 1));
}

static int noop_trace(void *user, const store_trace_row *t)
{
	(void)user;
	(void)t;
	return 0;
}

int sq_rd_types(sq_rd *r, int64_t trace_id, int64_t flow_key, store_type_fn fn,
		void *user)
{
	int rc = begin(r);
	if (rc)
		return rc;
	int which = RS_COUNTS_ALL;
	int64_t arg = 0;
	if (flow_key > 0) {
		rc = flow_exists(r, flow_key);
		which = RS_COUNTS_FLOW;
		arg = flow_key;
	} else if (trace_id > 0) {
		rc = sq_rd_traces(r, trace_id, noop_trace, NULL);
		which = RS_COUNTS_TRACE;
		arg = trace_id;
	}
	if (rc)
		return rc;
	struct count_vec v = {0};
	sqlite3_stmt *st = rd_stmt(r, which, &rc);
	if (!st)
		return rc;
	if (arg)
		sqlite3_bind_int64(st, 1, arg);
	rc = each_row(r, st, "type counts", count_row, &v);
	if (!rc)
		st = rd_stmt(r, RS_TYPES, &rc);
	size_t ci = 0;
	if (!rc) {
		int e;
		char name[32];
		for (;;) {
			bool have_row = false;
			uint32_t ty = UINT32_MAX;
			e = sqlite3_step(st);
			if (e == SQLITE_ROW) {
				have_row = true;
				ty = (uint32_t)sqlite3_column_int64(st, 0);
			} else if (e != SQLITE_DONE) {
				rc = rd_fail(r, e, "event types");
				break;
			}
			/* types seen in data but in no catalog come first */
			while (!rc && ci < v.len &&
			       (!have_row || v.type[ci] < ty)) {
				snprintf(name, sizeof(name), "type_%u",
					 v.type[ci]);
				store_type_row t = {
				    v.type[ci], name, "unknown", "",
				    "count",	"",   v.n[ci]};
				rc = fn(user, &t);
				ci++;
			}
			if (rc || !have_row)
				break;
			int64_t n = 0;
			if (ci < v.len && v.type[ci] == ty)
				n = v.n[ci++];
			store_type_row t = {
			    .type = ty,
			    .name = col_text(st, 1),
			    .category = col_text(st, 2),
			    .description = col_text(st, 3),
			    .payload_kind = col_text(st, 4),
			    .unit = col_text(st, 5),
			    .count = n,
			};
			if (!t.name)
				t.name = "";
			if (!t.category)
				t.category = "";
			if (!t.description)
				t.description = "";
			if (!t.payload_kind)
				t.payload_kind = "count";
			if (!t.unit)
				t.unit = "";
			rc = fn(user, &t);
			if (rc)
				break;
		}
		sqlite3_reset(st);
	}
	free(v.type);
	free(v.n);
	return rc;
}

int sq_rd_type_catalog(sq_rd *r, store_type_fn fn, void *user)
{
	int rc;
	sqlite3_stmt *st = begin_stmt(r, RS_TYPES, &rc);
	if (!st)
		return rc;
	int e;
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		store_type_row t = {
		    .type = (uint32_t)sqlite3_column_int64(st, 0),
		    .name = col_text(st, 1),
		    .category = col_text(st, 2),
		    .description = col_text(st, 3),
		    .payload_kind = col_text(st, 4),
		    .unit = col_text(st, 5),
		};
		if (!t.name || !t.category || !t.description ||
		    !t.payload_kind || !t.unit)
			continue;
		rc = fn(user, &t);
		if (rc)
			break;
	}
	if (!rc && e != SQLITE_DONE && e != SQLITE_ROW)
		rc = rd_fail(r, e, "event types");
	sqlite3_reset(st);
	return rc;
}

static void read_flow(sqlite3_stmt *st, store_flow_row *f)
{
	memset(f, 0, sizeof(*f));
	f->key = sqlite3_column_int64(st, 0);
	f->trace_id = sqlite3_column_int64(st, 1);
	f->trace_name = col_text(st, 2);
	if (!f->trace_name)
		f->trace_name = "";
	f->flow_id = (uint32_t)sqlite3_column_int64(st, 3);
	f->has_parent = sqlite3_column_type(st, 4) != SQLITE_NULL;
	f->parent_key = sqlite3_column_int64(st, 4);
	f->label = col_text(st, 5);
	f->first_ns = sqlite3_column_int64(st, 6);
	f->last_ns = sqlite3_column_int64(st, 7);
	f->events = sqlite3_column_int64(st, 8);
	f->packets_sent = sqlite3_column_int64(st, 9);
	f->packets_received = sqlite3_column_int64(st, 10);
	f->packets_acked = sqlite3_column_int64(st, 11);
	f->packets_lost = sqlite3_column_int64(st, 12);
	f->packets_retransmitted = sqlite3_column_int64(st, 13);
	f->bytes_sent = sqlite3_column_int64(st, 14);
	f->bytes_acked = sqlite3_column_int64(st, 15);
	f->has_max_cwnd = sqlite3_column_type(st, 16) != SQLITE_NULL;
	f->max_cwnd = sqlite3_column_int64(st, 16);
	f->has_last_cwnd = sqlite3_column_type(st, 17) != SQLITE_NULL;
	f->last_cwnd = sqlite3_column_int64(st, 17);
	f->streams = sqlite3_column_int64(st, 18);
}

struct flow_ctx {
	store_flow_fn fn;
	void *user;
	int rows;
};

static int flow_row(sqlite3_stmt *st, void *arg)
{
	struct flow_ctx *c = arg;
	store_flow_row f;
	read_flow(st, &f);
	c->rows++;
	return c->fn(c->user, &f);
}

static void bind_flow_filters(sqlite3_stmt *st, const store_flow_query *q,
			      const char *pattern, bool has_qi, int64_t qi)
{
	if (q->trace_id > 0)
		sqlite3_bind_int64(st, 1, q->trace_id);
	if (pattern) {
		sqlite3_bind_text(st, 2, pattern, -1, SQLITE_TRANSIENT);
		if (has_qi)
			sqlite3_bind_int64(st, 3, qi);
	}
	if (q->has_type)
		sqlite3_bind_int64(st, 4, q->type);
	if (q->kind == STORE_CONNECTIONS || q->kind == STORE_STREAMS)
		sqlite3_bind_int(st, 5, q->kind);
	if (q->parent_key > 0)
		sqlite3_bind_int64(st, 6, q->parent_key);
}

int sq_rd_flows(sq_rd *r, const store_flow_query *q, int64_t *total,
		store_flow_fn fn, void *user)
{
	*total = 0;
	int rc = begin(r);
	if (rc)
		return rc;
	if (q->sort < 0 || q->sort > 3)
		return -EINVAL;
	/* LIKE pattern with %, _ and \ escaped, and the numeric reading */
	char *pattern = NULL;
	bool has_qi = false;
	int64_t qi = 0;
	if (q->q && q->q[0]) {
		size_t len = strlen(q->q);
		pattern = malloc(len * 2 + 3);
		if (!pattern)
			return -ENOMEM;
		char *p = pattern;
		*p++ = '%';
		for (size_t i = 0; i < len; i++) {
			char ch = q->q[i];
			if (ch == '%' || ch == '_' || ch == '\\')
				*p++ = '\\';
			*p++ = ch;
		}
		*p++ = '%';
		*p = 0;
		char *end;
		errno = 0;
		long long v = strtoll(q->q, &end, 10);
		has_qi = !errno && *end == 0 && end != q->q;
		qi = v;
	}
	sqlite3_stmt *st = rd_stmt(r, RS_FLOWS_COUNT, &rc);
	if (st) {
		bind_flow_filters(st, q, pattern, has_qi, qi);
		int e = sqlite3_step(st);
		if (e == SQLITE_ROW)
			*total = sqlite3_column_int64(st, 0);
		else
			rc = rd_fail(r, e, "flows");
		sqlite3_reset(st);
	}
	if (!rc)
		st = rd_stmt(r, RS_FLOWS_PAGE + q->sort * 2 + (q->desc ? 1 : 0),
			     &rc);
	if (!rc) {
		bind_flow_filters(st, q, pattern, has_qi, qi);
		sqlite3_bind_int64(st, 7, q->limit);
		sqlite3_bind_int64(st, 8, q->offset);
		struct flow_ctx c = {fn, user, 0};
		rc = each_row(r, st, "flows", flow_row, &c);
	}
	free(pattern);
	return rc;
}

int sq_rd_flow_get(sq_rd *r, int64_t key, store_flow_fn fn, void *user)
{
	int rc;
	sqlite3_stmt *st = begin_stmt(r, RS_FLOW_ONE, &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, key);
	struct flow_ctx c = {fn, user, 0};
	rc = each_row(r, st, "flow", flow_row, &c);
	if (!rc && c.rows == 0)
		return -ENOENT;
	return rc;
}

struct typecount_ctx {
	store_count_fn fn;
	void *user;
};

static int typecount_row(sqlite3_stmt *st, void *arg)
{
	struct typecount_ctx *c = arg;
	return c->fn(c->user, (uint32_t)sqlite3_column_int64(st, 0),
		     sqlite3_column_int64(st, 1));
}

int sq_rd_flow_type_counts(sq_rd *r, int64_t key, bool children,
			   store_count_fn fn, void *user)
{
	int rc = begin(r);
	if (!rc)
		rc = flow_exists(r, key);
	if (rc)
		return rc;
	sqlite3_stmt *st =
	    rd_stmt(r, children ? RS_COUNTS_TREE : RS_COUNTS_FLOW, &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, key);
	struct typecount_ctx c = {fn, user};
	return each_row(r, st, "type counts", typecount_row, &c);
}

int sq_rd_flow_span(sq_rd *r, int64_t key, bool children, int64_t *first,
		    int64_t *last)
{
	int rc;
	sqlite3_stmt *st =
	    begin_stmt(r, children ? RS_SPAN_TREE : RS_SPAN, &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, key);
	int e = sqlite3_step(st);
	if (e == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*first = sqlite3_column_int64(st, 0);
		*last = sqlite3_column_int64(st, 1);
		rc = 0;
	} else if (e == SQLITE_ROW || e == SQLITE_DONE) {
		rc = -ENOENT;
	} else {
		rc = rd_fail(r, e, "flow span");
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- shared block helpers ------------------------------------------- */

typedef struct blk_ev {
	int64_t t;
	uint64_t p;
} blk_ev;

struct key_vec {
	int64_t *k;
	size_t len, cap;
};

static int key_row_push(struct key_vec *v, int64_t key)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		int64_t *k = realloc(v->k, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		v->k = k;
		v->cap = cap;
	}
	v->k[v->len++] = key;
	return 0;
}

static int key_row(sqlite3_stmt *st, void *arg)
{
	return key_row_push(arg, sqlite3_column_int64(st, 0));
}

/* ---- events --------------------------------------------------------- */

typedef struct cand {
	int64_t block_id, flow_key, t_first, t_last, n;
	uint32_t type;
} cand;

struct cand_ctx {
	cand *c;
	size_t len, cap;
	int64_t flow_key;
	const uint32_t *types;
	size_t n_types;
};

static int cand_row(sqlite3_stmt *st, void *arg)
{
	struct cand_ctx *v = arg;
	uint32_t type = (uint32_t)sqlite3_column_int64(st, 1);
	if (v->n_types) {
		size_t i;
		for (i = 0; i < v->n_types && v->types[i] != type; i++)
			;
		if (i == v->n_types)
			return 0;
	}
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		cand *c = realloc(v->c, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		v->c = c;
		v->cap = cap;
	}
	v->c[v->len++] = (cand){
	    .block_id = sqlite3_column_int64(st, 0),
	    .flow_key = v->flow_key,
	    .type = type,
	    .t_first = sqlite3_column_int64(st, 2),
	    .t_last = sqlite3_column_int64(st, 3),
	    .n = sqlite3_column_int64(st, 4),
	};
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (x->t_first != y->t_first)
		return x->t_first < y->t_first ? -1 : 1;
	return x->block_id < y->block_id ? -1 : x->block_id > y->block_id;
}

static int ev_cmp(const sq_rd_event *x, const sq_rd_event *y)
{
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	if (x->flow_key != y->flow_key)
		return x->flow_key < y->flow_key ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->block_id != y->block_id)
		return x->block_id < y->block_id ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int ev_qcmp(const void *a, const void *b)
{
	return ev_cmp(a, b);
}

/* ---- decoded blocks --------------------------------------------------
 * Blocks are only ever inserted, never changed, so a decoded block stays
 * valid for the life of the database. Each keeps, per chunk of CHUNK
 * events, its time span and value extremes: a zoomed-out series takes a
 * chunk whole when it falls in one bucket and walks raw events only in the
 * chunks that straddle bucket edges (a multi-resolution summary built on
 * first read and shared by every connection of the server). */

#define CHUNK 64

typedef struct chunk_sum {
	int64_t t0, t1;	    /* min and max time in the chunk */
	int64_t vmin, vmax; /* values below 2^53 (value series) */
	int64_t omin, emax; /* range offset min, range end max */
	uint32_t n_all, n_val;
} chunk_sum;

typedef struct dblock {
	int64_t block_id;
	size_t n, n_chunks, bytes;
	int refs;
	bool cached;
	blk_ev *ev;
	chunk_sum *cs;
} dblock;

struct sq_cache {
	pthread_mutex_t mu;
	size_t budget, bytes, slots;
	dblock **tab; /* direct-mapped by block_id: ids are sequential */
};

sq_cache *sq_rd_cache_new(size_t budget_bytes)
{
	sq_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->budget = budget_bytes;
	c->slots = 8192;
	c->tab = calloc(c->slots, sizeof(*c->tab));
	if (!c->tab) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

static void dblock_free(dblock *b)
{
	if (!b)
		return;
	free(b->ev);
	free(b->cs);
	free(b);
}

void sq_rd_cache_free(sq_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->slots; i++)
		dblock_free(c->tab[i]);
	free(c->tab);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void sq_rd_use_cache(sq_rd *r, sq_cache *c)
{
	r->cache = c;
}

static dblock *dblock_build(int64_t id, const void *blob, int bytes, int64_t n)
{
	dblock *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	size_t len = bytes > 0 ? (size_t)bytes / SQ_BLOCK_EVENT_SIZE : 0;
	if (n >= 0 && (size_t)n < len)
		len = (size_t)n;
	b->block_id = id;
	b->n = len;
	b->n_chunks = (len + CHUNK - 1) / CHUNK;
	b->ev = malloc((len ? len : 1) * sizeof(blk_ev));
	b->cs = malloc((b->n_chunks ? b->n_chunks : 1) * sizeof(chunk_sum));
	if (!b->ev || !b->cs) {
		dblock_free(b);
		return NULL;
	}
	if (len)
		memcpy(b->ev, blob, len * sizeof(blk_ev));
	b->bytes =
	    sizeof(*b) + len * sizeof(blk_ev) + b->n_chunks * sizeof(chunk_sum);
	for (size_t c = 0; c < b->n_chunks; c++) {
		chunk_sum cs = {INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN,
				INT64_MAX, INT64_MIN, 0,	 0};
		size_t end = (c + 1) * CHUNK < len ? (c + 1) * CHUNK : len;
		for (size_t j = c * CHUNK; j < end; j++) {
			const blk_ev *e = &b->ev[j];
			cs.t0 = e->t < cs.t0 ? e->t : cs.t0;
			cs.t1 = e->t > cs.t1 ? e->t : cs.t1;
			int64_t off =
			    (int64_t)(e->p & ((UINT64_C(1) << 40) - 1));
			int64_t endb = off + (int64_t)(e->p >> 40);
			cs.omin = off < cs.omin ? off : cs.omin;
			cs.emax = endb > cs.emax ? endb : cs.emax;
			cs.n_all++;
			if (e->p < (uint64_t)MAX_SAFE_INT) {
				int64_t v = (int64_t)e->p;
				cs.vmin = v < cs.vmin ? v : cs.vmin;
				cs.vmax = v > cs.vmax ? v : cs.vmax;
				cs.n_val++;
			}
		}
		b->cs[c] = cs;
	}
	return b;
}

/* The decoded block id: from the cache, else from blob (when the caller
 * has it at hand) or a lookup. Release with block_put(). */
static dblock *block_get(sq_rd *r, int64_t id, int64_t n, sqlite3_stmt *st,
			 int col, int *rc)
{
	sq_cache *c = r->cache;
	if (c) {
		pthread_mutex_lock(&c->mu);
		dblock *b = c->tab[(size_t)id % c->slots];
		if (b && b->block_id == id) {
			b->refs++;
			pthread_mutex_unlock(&c->mu);
			return b;
		}
		pthread_mutex_unlock(&c->mu);
	}
	dblock *b = NULL;
	if (st) {
		b = dblock_build(id, sqlite3_column_blob(st, col),
				 sqlite3_column_bytes(st, col), n);
	} else {
		sqlite3_stmt *q = rd_stmt(r, RS_BLOCK_DATA, rc);
		if (!q)
			return NULL;
		sqlite3_bind_int64(q, 1, id);
		int e = sqlite3_step(q);
		if (e == SQLITE_ROW)
			b = dblock_build(id, sqlite3_column_blob(q, 0),
					 sqlite3_column_bytes(q, 0), n);
		else if (e == SQLITE_DONE)
			b = dblock_build(id, NULL, 0, 0);
		else
			*rc = rd_fail(r, e, "block");
		sqlite3_reset(q);
		if (*rc)
			return NULL;
	}
	if (!b) {
		*rc = -ENOMEM;
		return NULL;
	}
	b->refs = 1;
	if (c) {
		pthread_mutex_lock(&c->mu);
		dblock **slot = &c->tab[(size_t)id % c->slots];
		dblock *old = *slot;
		size_t freed = old && old->refs == 0 ? old->bytes : 0;
		if ((!old || old->refs == 0) &&
		    c->bytes - freed + b->bytes <= c->budget) {
			if (old) {
				c->bytes -= old->bytes;
				dblock_free(old);
			}
			*slot = b;
			b->cached = true;
			c->bytes += b->bytes;
		}
		pthread_mutex_unlock(&c->mu);
	}
	return b;
}

static void block_put(sq_rd *r, dblock *b)
{
	if (!b)
		return;
	if (!b->cached) {
		dblock_free(b);
		return;
	}
	pthread_mutex_lock(&r->cache->mu);
	b->refs--;
	pthread_mutex_unlock(&r->cache->mu);
}

static int load_block(sq_rd *r, int64_t block_id, int64_t n, blk_ev *buf,
		      size_t *len)
{
	int rc = 0;
	dblock *b = block_get(r, block_id, n, NULL, 0, &rc);
	if (!b)
		return rc;
	*len = b->n < SQ_BLOCK_MAX_EVENTS ? b->n : SQ_BLOCK_MAX_EVENTS;
	memcpy(buf, b->ev, *len * sizeof(blk_ev));
	block_put(r, b);
	return 0;
}

/* The flow (and with children its streams): keys into *v. */
static int flow_tree(sq_rd *r, int64_t key, bool children, struct key_vec *v)
{
	int rc = flow_exists(r, key);
	if (rc)
		return rc;
	if (!children)
		return key_row_push(v, key);
	sqlite3_stmt *st = rd_stmt(r, RS_FLOW_TREE, &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, key);
	return each_row(r, st, "flows", key_row, v);
}

int sq_rd_events(sq_rd *r, const sq_rd_event_query *q, sq_rd_event *out,
		 size_t *n, bool *more, int64_t *total)
{
	*n = 0;
	*more = false;
	if (total)
		*total = 0;
	int rc = begin(r);
	if (rc)
		return rc;
	struct key_vec keys = {0};
	struct cand_ctx cc = {.types = q->types, .n_types = q->n_types};
	blk_ev *blk = malloc(SQ_BLOCK_MAX_EVENTS * sizeof(*blk));
	size_t cap = q->limit + 1 + SQ_BLOCK_MAX_EVENTS;
	sq_rd_event *buf = malloc(cap * sizeof(*buf));
	if (!blk || !buf) {
		rc = -ENOMEM;
		goto out;
	}
	if (q->flow_key > 0) {
		rc = flow_tree(r, q->flow_key, q->children, &keys);
	} else {
		sqlite3_stmt *st = rd_stmt(r, RS_TRACE_FLOWS, &rc);
		if (st) {
			sqlite3_bind_int64(st, 1, q->trace_id);
			rc = each_row(r, st, "flows", key_row, &keys);
		}
	}
	for (size_t i = 0; !rc && i < keys.len; i++) {
		sqlite3_stmt *st = rd_stmt(r, RS_BLOCKS_FLOW, &rc);
		if (!st)
			break;
		sqlite3_bind_int64(st, 1, keys.k[i]);
		sqlite3_bind_int64(st, 2, q->from_ns);
		sqlite3_bind_int64(st, 3, q->to_ns);
		cc.flow_key = keys.k[i];
		rc = each_row(r, st, "blocks", cand_row, &cc);
	}
	if (rc)
		goto out;
	if (cc.len)
		qsort(cc.c, cc.len, sizeof(cand), cand_cmp);

	if (q->want_total && total) {
		int64_t tot = 0;
		for (size_t i = 0; !rc && i < cc.len; i++) {
			const cand *c = &cc.c[i];
			if (c->t_first >= q->from_ns && c->t_last <= q->to_ns) {
				tot += c->n;
				continue;
			}
			if (past_deadline(r)) {
				rc = -ETIMEDOUT;
				break;
			}
			size_t len;
			rc = load_block(r, c->block_id, c->n, blk, &len);
			for (size_t j = 0; !rc && j < len; j++)
				tot += blk[j].t >= q->from_ns &&
				       blk[j].t <= q->to_ns;
		}
		*total = tot;
		if (rc)
			goto out;
	}

	int64_t start = q->from_ns;
	if (q->has_after && q->after.time_ns > start)
		start = q->after.time_ns;
	size_t len = 0, want = q->limit + 1;
	bool sorted = true;
	for (size_t i = 0; i < cc.len; i++) {
		const cand *c = &cc.c[i];
		if (c->t_last < start)
			continue;
		if (len >= want) {
			if (!sorted) {
				qsort(buf, len, sizeof(*buf), ev_qcmp);
				len = want;
				sorted = true;
			}
			if (c->t_first > buf[want - 1].time_ns)
				break;
		}
		if (past_deadline(r)) {
			rc = -ETIMEDOUT;
			goto out;
		}
		size_t bl;
		rc = load_block(r, c->block_id, c->n, blk, &bl);
		if (rc)
			goto out;
		if (len + bl > cap) {
			qsort(buf, len, sizeof(*buf), ev_qcmp);
			if (len > want)
				len = want;
		}
		for (size_t j = 0; j < bl; j++) {
			if (blk[j].t < start || blk[j].t > q->to_ns)
				continue;
			sq_rd_event e = {blk[j].t,    c->flow_key, c->type,
					 (uint32_t)j, c->block_id, blk[j].p};
			if (q->has_after && ev_cmp(&e, &q->after) <= 0)
				continue;
			buf[len++] = e;
			sorted = false;
		}
	}
	if (!sorted)
		qsort(buf, len, sizeof(*buf), ev_qcmp);
	*more = len > q->limit;
	*n = len > q->limit ? q->limit : len;
	memcpy(out, buf, *n * sizeof(*out));
out:
	free(keys.k);
	free(cc.c);
	free(blk);
	free(buf);
	return rc;
}

/* ---- series --------------------------------------------------------- */

struct bucket {
	int64_t vmin, vmax;
	uint32_t n;
};

/* Value of one event for the series, false when it is left out. */
static bool ev_value(const store_series_query *q, uint64_t p, int64_t *lo,
		     int64_t *hi)
{
	if (q->range) {
		uint64_t off = p & ((UINT64_C(1) << 40) - 1);
		*lo = (int64_t)off;
		*hi = (int64_t)(off + (p >> 40));
		return true;
	}
	if (p >= (uint64_t)MAX_SAFE_INT)
		return false;
	*lo = *hi = (int64_t)p;
	return true;
}

struct series_acc {
	const store_series_query *q;
	int64_t width;
	size_t nb;
	struct bucket *b;
	size_t lo, hi; /* touched bucket range, lo > hi when none */
	/* exact mode */
	blk_ev *pts;
	size_t n_pts, cap_pts;
	int64_t count;
};

static void bucket_add(struct series_acc *a, size_t i, int64_t lo, int64_t hi,
		       uint32_t n)
{
	struct bucket *b = &a->b[i];
	if (!b->n || lo < b->vmin)
		b->vmin = lo;
	if (!b->n || hi > b->vmax)
		b->vmax = hi;
	b->n += n;
	if (i < a->lo)
		a->lo = i;
	if (a->hi == SIZE_MAX || i > a->hi)
		a->hi = i;
}

/* Folds a decoded block into the buckets. Events in a block are sorted by
 * time, so runs falling in one bucket are found by comparison, not by a
 * division per event (any disorder only costs a recomputation). */
static void bucket_block(struct series_acc *a, const unsigned char *p,
			 size_t len)
{
	const store_series_query *q = a->q;
	size_t j = 0;
	while (j < len) {
		blk_ev ev;
		memcpy(&ev, p + j * SQ_BLOCK_EVENT_SIZE, sizeof(ev));
		if (ev.t < q->from_ns || ev.t > q->to_ns) {
			j++;
			continue;
		}
		size_t idx = (size_t)((ev.t - q->from_ns) / a->width);
		int64_t bstart = q->from_ns + (int64_t)idx * a->width;
		int64_t bend = q->to_ns - bstart < a->width
				   ? q->to_ns
				   : bstart + a->width - 1; /* inclusive */
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		uint32_t cnt = 0;
		for (; j < len; j++) {
			memcpy(&ev, p + j * SQ_BLOCK_EVENT_SIZE, sizeof(ev));
			if (ev.t < bstart || ev.t > bend)
				break;
			int64_t l, h;
			if (!ev_value(q, ev.p, &l, &h))
				continue;
			lo = l < lo ? l : lo;
			hi = h > hi ? h : hi;
			cnt++;
		}
		if (cnt)
			bucket_add(a, idx, lo, hi, cnt);
	}
}

static bool chunk_inside(const store_series_query *q, const chunk_sum *c)
{
	return c->t0 >= q->from_ns && c->t1 <= q->to_ns;
}

/* Pass 0: events of a block in the window. */
static void count_block(struct series_acc *a, const dblock *b)
{
	const store_series_query *q = a->q;
	for (size_t c = 0; c < b->n_chunks; c++) {
		if (chunk_inside(q, &b->cs[c])) {
			a->count += b->cs[c].n_all;
			continue;
		}
		size_t end = (c + 1) * CHUNK < b->n ? (c + 1) * CHUNK : b->n;
		for (size_t j = c * CHUNK; j < end; j++)
			a->count +=
			    b->ev[j].t >= q->from_ns && b->ev[j].t <= q->to_ns;
	}
}

/* Exact mode: every event of the window as a point. */
static void exact_block(struct series_acc *a, const dblock *b)
{
	const store_series_query *q = a->q;
	for (size_t j = 0; j < b->n; j++) {
		const blk_ev *ev = &b->ev[j];
		int64_t lo, hi;
		if (ev->t < q->from_ns || ev->t > q->to_ns ||
		    !ev_value(q, ev->p, &lo, &hi))
			continue;
		if (a->n_pts + 2 > a->cap_pts)
			break; /* cannot happen: counted before */
		a->pts[a->n_pts++] = (blk_ev){ev->t, (uint64_t)lo};
		a->pts[a->n_pts++] = (blk_ev){ev->t, (uint64_t)hi};
	}
}

/* Bucketed mode: whole chunks where they fit in one bucket, raw events
 * only in the chunks that straddle a bucket edge or the window's. */
static void bucket_chunks(struct series_acc *a, const dblock *b)
{
	const store_series_query *q = a->q;
	for (size_t c = 0; c < b->n_chunks; c++) {
		const chunk_sum *cs = &b->cs[c];
		if (chunk_inside(q, cs)) {
			uint32_t n = q->range ? cs->n_all : cs->n_val;
			if (!n)
				continue;
			size_t i0 = (size_t)((cs->t0 - q->from_ns) / a->width);
			size_t i1 = (size_t)((cs->t1 - q->from_ns) / a->width);
			if (i0 == i1) {
				if (q->range)
					bucket_add(a, i0, cs->omin, cs->emax,
						   n);
				else
					bucket_add(a, i0, cs->vmin, cs->vmax,
						   n);
				continue;
			}
		}
		size_t end = (c + 1) * CHUNK < b->n ? (c + 1) * CHUNK : b->n;
		bucket_block(a, (const unsigned char *)(b->ev + c * CHUNK),
			     end - c * CHUNK);
	}
}

/* Walks one flow's blocks in the window. pass 0 counts; pass 1 fills the
 * buckets (or, exact, the points). */
static int series_walk(sq_rd *r, int64_t key, struct series_acc *a, int pass,
		       bool exact)
{
	const store_series_query *q = a->q;
	int rc = 0;
	sqlite3_stmt *st = rd_stmt(r, RS_BLOCKS_TYPE, &rc);
	if (!st)
		return rc;
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_int64(st, 2, q->type);
	sqlite3_bind_int64(st, 3, q->from_ns);
	sqlite3_bind_int64(st, 4, q->to_ns);
	int e;
	while ((e = sqlite3_step(st)) == SQLITE_ROW) {
		if (past_deadline(r)) {
			rc = -ETIMEDOUT;
			break;
		}
		int64_t t0 = sqlite3_column_int64(st, 1);
		int64_t t1 = sqlite3_column_int64(st, 2);
		int64_t n = sqlite3_column_int64(st, 3);
		int64_t vmin = sqlite3_column_int64(st, 4);
		int64_t vmax = sqlite3_column_int64(st, 5);
		bool inside = t0 >= q->from_ns && t1 <= q->to_ns;
		if (pass == 0 && inside) {
			a->count += n;
			continue;
		}
		if (pass == 1 && !exact && inside && !q->range && vmin >= 0 &&
		    vmax < MAX_SAFE_INT && n > 0 && n <= UINT32_MAX) {
			size_t i0 = (size_t)((t0 - q->from_ns) / a->width);
			size_t i1 = (size_t)((t1 - q->from_ns) / a->width);
			if (i0 == i1) {
				bucket_add(a, i0, vmin, vmax, (uint32_t)n);
				continue;
			}
		}
		/* the blob is fetched apart: selecting it would load it even
		 * when the summary or the cache answers */
		dblock *b =
		    block_get(r, sqlite3_column_int64(st, 0), n, NULL, 0, &rc);
		if (!b)
			break;
		if (pass == 0)
			count_block(a, b);
		else if (exact)
			exact_block(a, b);
		else
			bucket_chunks(a, b);
		block_put(r, b);
	}
	if (!rc && e != SQLITE_ROW && e != SQLITE_DONE)
		rc = rd_fail(r, e, "series");
	sqlite3_reset(st);
	return rc;
}

static int pair_cmp(const void *a, const void *b)
{
	const blk_ev *x = a, *y = b;
	if (x[0].t != y[0].t)
		return x[0].t < y[0].t ? -1 : 1;
	return x[0].p < y[0].p ? -1 : x[0].p > y[0].p;
}

static int series_alloc(store_series *s, size_t n)
{
	s->t = malloc((n ? n : 1) * sizeof(int64_t));
	s->vmin = malloc((n ? n : 1) * sizeof(int64_t));
	s->vmax = malloc((n ? n : 1) * sizeof(int64_t));
	s->cnt = malloc((n ? n : 1) * sizeof(uint32_t));
	return s->t && s->vmin && s->vmax && s->cnt ? 0 : -ENOMEM;
}

int sq_rd_series_get(sq_rd *r, const store_series_query *q,
		     store_series_set *out)
{
	memset(out, 0, sizeof(*out));
	int rc = begin(r);
	if (rc)
		return rc;
	if (q->points == 0 || q->to_ns < q->from_ns)
		return -EINVAL;
	struct key_vec keys = {0};
	rc = flow_exists(r, q->flow_key);
	if (!rc && q->children) {
		sqlite3_stmt *st = rd_stmt(r, RS_FLOW_TREE_TYPE, &rc);
		if (st) {
			sqlite3_bind_int64(st, 1, q->flow_key);
			sqlite3_bind_int64(st, 2, q->type);
			rc = each_row(r, st, "flows", key_row, &keys);
		}
	} else if (!rc) {
		rc = key_row_push(&keys, q->flow_key);
	}
	if (rc) {
		free(keys.k);
		return rc;
	}
	struct series_acc a = {.q = q};
	for (size_t i = 0; !rc && i < keys.len; i++)
		rc = series_walk(r, keys.k[i], &a, 0, false);
	out->count = a.count;
	out->exact = a.count <= (int64_t)q->points;
	out->s = calloc(keys.len ? keys.len : 1, sizeof(store_series));
	if (!rc && !out->s)
		rc = -ENOMEM;
	if (!rc && out->exact) {
		a.cap_pts = 2 * (size_t)a.count;
		a.pts = malloc((a.cap_pts ? a.cap_pts : 1) * sizeof(blk_ev));
		if (!a.pts)
			rc = -ENOMEM;
	} else if (!rc) {
		uint64_t span = (uint64_t)(q->to_ns - q->from_ns) + 1;
		uint64_t w = span / q->points + (span % q->points != 0);
		a.width = (int64_t)(w ? w : 1);
		a.nb = (size_t)((span + w - 1) / w);
		out->bucket_ns = a.width;
		a.b = calloc(a.nb, sizeof(struct bucket));
		if (!a.b)
			rc = -ENOMEM;
	}
	for (size_t i = 0; !rc && i < keys.len; i++) {
		store_series *s = &out->s[out->n_series++];
		s->flow_key = keys.k[i];
		a.n_pts = 0;
		a.lo = SIZE_MAX;
		a.hi = SIZE_MAX;
		rc = series_walk(r, keys.k[i], &a, 1, out->exact);
		if (rc)
			break;
		if (out->exact) {
			size_t np = a.n_pts / 2;
			qsort(a.pts, np, 2 * sizeof(blk_ev), pair_cmp);
			rc = series_alloc(s, np);
			for (size_t j = 0; !rc && j < np; j++) {
				s->t[j] = a.pts[2 * j].t;
				s->vmin[j] = (int64_t)a.pts[2 * j].p;
				s->vmax[j] = (int64_t)a.pts[2 * j + 1].p;
				s->cnt[j] = 1;
			}
			s->n = rc ? 0 : np;
			continue;
		}
		size_t used = 0;
		if (a.lo != SIZE_MAX)
			for (size_t j = a.lo; j <= a.hi; j++)
				used += a.b[j].n != 0;
		rc = series_alloc(s, used);
		if (rc)
			break;
		if (a.lo != SIZE_MAX) {
			for (size_t j = a.lo; j <= a.hi; j++) {
				if (!a.b[j].n)
					continue;
				s->t[s->n] = q->from_ns + (int64_t)j * a.width;
				s->vmin[s->n] = a.b[j].vmin;
				s->vmax[s->n] = a.b[j].vmax;
				s->cnt[s->n++] = a.b[j].n;
			}
			memset(&a.b[a.lo], 0,
			       (a.hi - a.lo + 1) * sizeof(struct bucket));
		}
	}
	free(a.pts);
	free(a.b);
	free(keys.k);
	if (rc)
		sq_rd_series_free(out);
	return rc;
}

void sq_rd_series_free(store_series_set *set)
{
	for (size_t i = 0; set->s && i < set->n_series; i++) {
		free(set->s[i].t);
		free(set->s[i].vmin);
		free(set->s[i].vmax);
		free(set->s[i].cnt);
	}
	free(set->s);
	memset(set, 0, sizeof(*set));
}
