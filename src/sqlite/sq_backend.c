/* sq_backend.c - the store interface (store.h) on SQLite: one handle is a
 * writing connection (sq_conn.c) and/or a reading one (sq_read.c), opened
 * when first needed, with the decoded-block cache of store_shared. */
#include "sqlite/sqlite.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/sq_conn.h"
#include "sqlite/sq_read.h"
#include "sqlite/sq_scan.h"
#include "sqlite/sq_schema.h"

/* Events per read page when walking a flow's events (sq_rd_events). */
#define WALK_PAGE 4096
/* seq = block_id << SEQ_IDX_BITS | index in the block */
#define SEQ_IDX_BITS 12
_Static_assert(SQ_BLOCK_MAX_EVENTS <= (1 << SEQ_IDX_BITS), "seq");

typedef struct fmeta {
	int64_t key, trace_id;
	uint32_t flow_id;
} fmeta;

typedef struct sq_store {
	struct store base;
	char *path;
	sq_conn *conn; /* STORE_WRITE: the writer; else read-only, lazily */
	sq_rd *rd;     /* lazily */
	fmeta *meta;   /* flow keys seen by events walks */
	size_t n_meta, cap_meta;
} sq_store;

static sq_store *S(store *s)
{
	return (sq_store *)s;
}

/* ---- connections -------------------------------------------------------- */

static int conn_rc(store *s, int rc)
{
	if (rc < 0 && S(s)->conn)
		store_fail(s, rc, "%s", sq_conn_errmsg(S(s)->conn));
	return rc;
}

static int rd_rc(store *s, int rc)
{
	if (rc >= 0)
		return rc;
	const char *m = S(s)->rd ? sq_rd_errmsg(S(s)->rd) : "";
	if (rc == -ETIMEDOUT)
		m = "query cut off at its deadline";
	else if (rc == -ENODATA)
		m = "not an Ojo database (no Ojo schema; `ojo watch` creates "
		    "one)";
	else if (!strcmp(m, "no error"))
		m = strerror(-rc);
	return store_fail(s, rc, "%s", m);
}

static void *cache_make(size_t bytes)
{
	return bytes ? sq_rd_cache_new(bytes) : NULL;
}

static void cache_destroy(void *c)
{
	sq_rd_cache_free(c);
}

static int need_rd(store *s)
{
	sq_store *q = S(s);
	if (!q->rd) {
		char err[256] = "";
		int rc = sq_rd_open(q->path, &q->rd, err, sizeof(err));
		if (rc)
			return store_fail(s, rc, "%s", err);
		sq_cache *c = store_shared_state(s->shared, &sq_ops, cache_make,
						 cache_destroy);
		if (c)
			sq_rd_use_cache(q->rd, c);
	}
	sq_rd_set_deadline(q->rd, s->deadline_ns);
	return 0;
}

static int need_conn(store *s)
{
	sq_store *q = S(s);
	if (!q->conn) {
		char err[512] = "";
		int rc = sq_conn_open(q->path, STORE_READ, &q->conn, err,
				      sizeof(err));
		if (rc)
			return store_fail(s, rc, "%s", err);
	}
	return 0;
}

static bool sq_claims(const char *db)
{
	(void)db;
	return false; /* the default: store_open() falls back to it */
}

static int sq_open(store *s, const store_opts *o)
{
	sq_store *q = S(s);
	if (!(q->path = strdup(o->db)))
		return store_fail(s, -ENOMEM, "out of memory");
	if (o->mode == STORE_WRITE) {
		char err[512] = "";
		int rc = sq_conn_open(q->path, STORE_WRITE, &q->conn, err,
				      sizeof(err));
		return rc ? store_fail(s, rc, "%s", err) : 0;
	}
	return need_rd(s);
}

static void sq_close(store *s)
{
	sq_store *q = S(s);
	sq_conn_close(q->conn);
	sq_rd_close(q->rd);
	free(q->meta);
	free(q->path);
}

static int sq_version(store *s, int64_t *out)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_data_version(S(s)->rd, out));
}

/* ---- ingestion ---------------------------------------------------------- */

static int sq_file_get_op(store *s, const char *path, store_file_status *st,
			  int64_t *size, int64_t *mtime_ns)
{
	int rc = need_conn(s);
	if (rc)
		return rc;
	return conn_rc(s, sq_file_get(S(s)->conn, path, st, size, mtime_ns));
}

static int sq_begin_op(store *s)
{
	return conn_rc(s, sq_begin(S(s)->conn));
}

static int sq_commit_op(store *s)
{
	return conn_rc(s, sq_commit(S(s)->conn));
}

static int sq_rollback_op(store *s)
{
	return conn_rc(s, sq_rollback(S(s)->conn));
}

static int sq_trace_op(store *s, const store_trace_info *info, int64_t *id)
{
	return conn_rc(s, sq_trace(S(s)->conn, info, id));
}

static int sq_append_op(store *s, int64_t trace_id, const store_event *ev,
			size_t n)
{
	return conn_rc(s, sq_append(S(s)->conn, trace_id, ev, n));
}

static int sq_flow_label_op(store *s, int64_t trace_id, uint32_t flow_id,
			    const char *label)
{
	return conn_rc(s, sq_flow_label(S(s)->conn, trace_id, flow_id, label));
}

static int sq_unmapped_op(store *s, int64_t trace_id, uint32_t flow_id,
			  int64_t time_ns, const char *name, const char *json)
{
	return conn_rc(
	    s, sq_unmapped(S(s)->conn, trace_id, flow_id, time_ns, name, json));
}

static int sq_event_type_op(store *s, const store_type_info *ti)
{
	return conn_rc(s, sq_event_type(S(s)->conn, ti));
}

static int sq_file_done_op(store *s, const store_file_info *fi)
{
	return conn_rc(s, sq_file_done(S(s)->conn, fi));
}

/* ---- reading ------------------------------------------------------------ */

static int sq_stats_op(store *s, store_stats *out)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_stats_get(S(s)->rd, out));
}

static int sq_traces_op(store *s, int64_t id, store_trace_fn fn, void *user)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_traces(S(s)->rd, id, fn, user));
}

static int sq_types_op(store *s, int64_t trace_id, int64_t flow_key,
		       store_type_fn fn, void *user)
{
	int rc = need_rd(s);
	return rd_rc(
	    s, rc ? rc : sq_rd_types(S(s)->rd, trace_id, flow_key, fn, user));
}

static int sq_type_catalog_op(store *s, store_type_fn fn, void *user)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_type_catalog(S(s)->rd, fn, user));
}

static int sq_flows_op(store *s, const store_flow_query *fq, int64_t *total,
		       store_flow_fn fn, void *user)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_flows(S(s)->rd, fq, total, fn, user));
}

static int sq_flow_get_op(store *s, int64_t key, store_flow_fn fn, void *user)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_flow_get(S(s)->rd, key, fn, user));
}

struct tf_ctx {
	store_flow_fn fn;
	void *user;
};

static int trace_flow_row(void *ctx, const sq_scan_flow *f)
{
	struct tf_ctx *c = ctx;
	store_flow_row r = {
	    .key = f->key,
	    .trace_id = f->trace_id,
	    .trace_name = "",
	    .flow_id = f->flow_id,
	    .has_parent = f->has_parent,
	    .parent_flow_id = f->parent_flow_id,
	    .label = f->label,
	    .first_ns = f->first_ns,
	    .last_ns = f->last_ns,
	    .events = (int64_t)f->n_events,
	    .unmapped = (int64_t)f->n_unmapped,
	};
	return c->fn(c->user, &r);
}

static int sq_trace_flows_op(store *s, int64_t trace_id, store_flow_fn fn,
			     void *user)
{
	struct tf_ctx c = {fn, user};
	int rc = need_conn(s);
	if (rc)
		return rc;
	rc = sq_scan_flows(S(s)->conn, trace_id, trace_flow_row, &c);
	return rc < 0 ? conn_rc(s, rc) : rc;
}

static int sq_flow_type_counts_op(store *s, int64_t key, bool children,
				  store_count_fn fn, void *user)
{
	int rc = need_rd(s);
	return rd_rc(
	    s, rc ? rc
		  : sq_rd_flow_type_counts(S(s)->rd, key, children, fn, user));
}

struct tc_ctx {
	store_flow_count_fn fn;
	void *user;
};

static int trace_count_row(void *ctx, uint32_t flow_id, uint32_t type,
			   uint64_t n)
{
	struct tc_ctx *c = ctx;
	return c->fn(c->user, flow_id, type, (int64_t)n);
}

static int sq_trace_type_counts_op(store *s, int64_t trace_id,
				   store_flow_count_fn fn, void *user)
{
	struct tc_ctx c = {fn, user};
	int rc = need_conn(s);
	if (rc)
		return rc;
	rc = sq_scan_type_counts(S(s)->conn, trace_id, trace_count_row, &c);
	return rc < 0 ? conn_rc(s, rc) : rc;
}

static int sq_flow_span_op(store *s, int64_t key, bool children, int64_t *first,
			   int64_t *last)
{
	int rc = need_rd(s);
	return rd_rc(
	    s, rc ? rc : sq_rd_flow_span(S(s)->rd, key, children, first, last));
}

static int sq_series_op(store *s, const store_series_query *sq,
			store_series_set *out)
{
	int rc = need_rd(s);
	return rd_rc(s, rc ? rc : sq_rd_series_get(S(s)->rd, sq, out));
}

static int sq_query_op(store *s, const char *sql, const store_query_cb *cb)
{
	int rc = need_conn(s);
	if (rc)
		return rc;
	rc = sq_query(S(s)->conn, sql, cb);
	return rc < 0 ? conn_rc(s, rc) : rc;
}

/* ---- events ------------------------------------------------------------- */

static int meta_row(void *user, const store_flow_row *f)
{
	fmeta *m = user;
	m->trace_id = f->trace_id;
	m->flow_id = f->flow_id;
	return 0;
}

/* The trace and flow id of a flow key (remembered per handle). */
static int flow_meta(store *s, int64_t key, const fmeta **out)
{
	sq_store *q = S(s);
	for (size_t i = 0; i < q->n_meta; i++)
		if (q->meta[i].key == key) {
			*out = &q->meta[i];
			return 0;
		}
	if (q->n_meta == q->cap_meta) {
		size_t cap = q->cap_meta ? q->cap_meta * 2 : 16;
		fmeta *m = realloc(q->meta, cap * sizeof(*m));
		if (!m)
			return store_fail(s, -ENOMEM, "out of memory");
		q->meta = m;
		q->cap_meta = cap;
	}
	fmeta *m = &q->meta[q->n_meta];
	*m = (fmeta){.key = key};
	int rc = sq_rd_flow_get(q->rd, key, meta_row, m);
	if (rc)
		return rd_rc(s, rc);
	q->n_meta++;
	*out = m;
	return 0;
}

static sq_rd_event_query rd_query(const store_event_query *q, size_t limit)
{
	sq_rd_event_query r = {
	    .flow_key = q->flow_key,
	    .trace_id = q->flow_key > 0 ? 0 : q->trace_id,
	    .children = q->children,
	    .types = q->types,
	    .n_types = q->n_types,
	    .from_ns = q->from_ns,
	    .to_ns = q->to_ns,
	    .has_after = q->has_after,
	    .limit = limit,
	};
	if (q->has_after)
		r.after = (sq_rd_event){
		    .time_ns = q->after.time_ns,
		    .flow_key = q->after.flow_key,
		    .type = q->after.type,
		    .idx = (uint32_t)(q->after.seq &
				      ((UINT64_C(1) << SEQ_IDX_BITS) - 1)),
		    .block_id = (int64_t)(q->after.seq >> SEQ_IDX_BITS),
		};
	return r;
}

/* Stored events in order, page by page through sq_rd_events. */
static int walk_blocks(store *s, const store_event_query *q, store_event_fn fn,
		       void *user)
{
	sq_rd_event *page = malloc(WALK_PAGE * sizeof(*page));
	if (!page)
		return store_fail(s, -ENOMEM, "out of memory");
	sq_rd_event_query rq = rd_query(q, WALK_PAGE);
	int rc = 0;
	for (;;) {
		size_t n = 0;
		bool more = false;
		rc = sq_rd_events(S(s)->rd, &rq, page, &n, &more, NULL);
		if (rc) {
			rc = rd_rc(s, rc);
			break;
		}
		for (size_t i = 0; !rc && i < n; i++) {
			const fmeta *m = NULL;
			if ((rc = flow_meta(s, page[i].flow_key, &m)))
				break;
			store_event_row e = {
			    .time_ns = page[i].time_ns,
			    .trace_id = m->trace_id,
			    .flow_key = page[i].flow_key,
			    .flow_id = m->flow_id,
			    .type = page[i].type,
			    .seq = (uint64_t)page[i].block_id << SEQ_IDX_BITS |
				   page[i].idx,
			    .payload = page[i].payload,
			};
			rc = fn(user, &e);
		}
		if (rc || !more || !n)
			break;
		rq.has_after = true;
		rq.after = page[n - 1];
	}
	free(page);
	return rc;
}

struct scan_ctx {
	store *s;
	const store_event_query *q;
	store_event_fn fn;
	void *user;
	fmeta *keys; /* flow id -> key of the trace */
	size_t n_keys;
	uint64_t seq;
};

static int key_row(void *ctx, const sq_scan_flow *f)
{
	struct scan_ctx *c = ctx;
	fmeta *k = realloc(c->keys, (c->n_keys + 1) * sizeof(*k));
	if (!k)
		return -ENOMEM;
	c->keys = k;
	k[c->n_keys++] = (fmeta){f->key, f->trace_id, f->flow_id};
	return 0;
}

static int scan_row(void *ctx, const sq_scan_event *e)
{
	struct scan_ctx *c = ctx;
	int64_t key = 0;
	for (size_t i = 0; i < c->n_keys; i++)
		if (c->keys[i].flow_id == e->flow_id) {
			key = c->keys[i].key;
			break;
		}
	store_event_row r = {
	    .time_ns = e->time_ns,
	    .trace_id = c->q->trace_id,
	    .flow_key = key,
	    .flow_id = e->flow_id,
	    .type = e->type,
	    .seq = c->seq++,
	    .payload = e->payload,
	    .name = e->name,
	    .json = e->json,
	};
	return c->fn(c->user, &r);
}

/* A trace's events with its unmapped ones, or of some flow ids only. */
static int walk_scan(store *s, const store_event_query *q, store_event_fn fn,
		     void *user)
{
	if (q->has_after)
		return store_fail(s, -EINVAL,
				  "events: no cursor with unmapped events or "
				  "flow ids");
	int rc = need_conn(s);
	if (rc)
		return rc;
	struct scan_ctx c = {s, q, fn, user, NULL, 0, 0};
	sq_scan_filter f;
	sq_scan_filter_init(&f, q->trace_id);
	f.flow_ids = q->flow_ids;
	f.n_flows = q->n_flow_ids;
	f.types = q->types;
	f.n_types = q->n_types;
	f.from_ns = q->from_ns;
	f.to_ns = q->to_ns;
	f.unmapped = q->unmapped;
	rc = sq_scan_flows(S(s)->conn, q->trace_id, key_row, &c);
	if (!rc)
		rc = sq_scan_events(S(s)->conn, &f, scan_row, &c);
	free(c.keys);
	return rc < 0 ? conn_rc(s, rc) : rc;
}

static int sq_events_op(store *s, const store_event_query *q, store_event_fn fn,
			void *user)
{
	if (q->unmapped || q->n_flow_ids)
		return walk_scan(s, q, fn, user);
	int rc = need_rd(s);
	return rc ? rc : walk_blocks(s, q, fn, user);
}

static int sq_events_count_op(store *s, const store_event_query *q, int64_t *n)
{
	int rc = need_rd(s);
	if (rc)
		return rc;
	sq_rd_event_query rq = rd_query(q, 0);
	rq.has_after = false;
	rq.want_total = true;
	sq_rd_event one;
	size_t got;
	bool more;
	return rd_rc(s, sq_rd_events(S(s)->rd, &rq, &one, &got, &more, n));
}

struct sqlite3 *sq_store_sqlite(store *s)
{
	if (s->ops != &sq_ops || need_conn(s))
		return NULL;
	return sq_conn_sqlite(S(s)->conn);
}

int sq_store_flush(store *s)
{
	if (s->ops != &sq_ops || !S(s)->conn)
		return -EINVAL;
	return conn_rc(s, sq_conn_flush(S(s)->conn));
}

const store_ops sq_ops = {
    .name = "sqlite",
    .claims = sq_claims,
    .handle_size = sizeof(sq_store),
    .open = sq_open,
    .close = sq_close,
    .version = sq_version,
    .file_get = sq_file_get_op,
    .begin = sq_begin_op,
    .commit = sq_commit_op,
    .rollback = sq_rollback_op,
    .trace = sq_trace_op,
    .append = sq_append_op,
    .flow_label = sq_flow_label_op,
    .unmapped = sq_unmapped_op,
    .event_type = sq_event_type_op,
    .file_done = sq_file_done_op,
    .stats = sq_stats_op,
    .traces = sq_traces_op,
    .types = sq_types_op,
    .type_catalog = sq_type_catalog_op,
    .flows = sq_flows_op,
    .flow_get = sq_flow_get_op,
    .trace_flows = sq_trace_flows_op,
    .flow_type_counts = sq_flow_type_counts_op,
    .trace_type_counts = sq_trace_type_counts_op,
    .flow_span = sq_flow_span_op,
    .events = sq_events_op,
    .events_count = sq_events_count_op,
    .series = sq_series_op,
    .query = sq_query_op,
};
