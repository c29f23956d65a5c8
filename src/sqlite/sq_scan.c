/* sq_scan.c - traces, flows and time-ordered events read back from the
 * SQLite store: blocks are fetched in order of their first time and merged
 * through a heap, so only blocks overlapping in time are held at once. */
#include "sqlite/sq_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/sq_int.h"

static int prep(sq_conn *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return sq_sqlfail(s, "scan");
	return 0;
}

/* After a row loop: the callback's stop value r, else 0 when the rows
 * ran out or the database's failure (what names the query). */
static int scan_end(sq_conn *s, sqlite3_stmt *st, int rc, int r,
		    const char *what)
{
	if (!r && rc != SQLITE_DONE)
		r = sq_sqlfail(s, what);
	sqlite3_finalize(st);
	return r;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int sq_scan_traces(sq_conn *s, int64_t trace_id,
		   int (*cb)(void *ctx, const sq_scan_trace *t), void *ctx)
{
	sqlite3_stmt *st;
	int rc = prep(s,
		      "SELECT trace_id, name, source, vantage, title,"
		      " coalesce(first_ns,0), coalesce(last_ns,0), n_events"
		      " FROM traces WHERE ?1 = 0 OR trace_id = ?1"
		      " ORDER BY trace_id",
		      &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, trace_id);
	int r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sq_scan_trace t = {sqlite3_column_int64(st, 0),
				   col_text(st, 1),
				   col_text(st, 2),
				   col_text(st, 3),
				   col_text(st, 4),
				   sqlite3_column_int64(st, 5),
				   sqlite3_column_int64(st, 6),
				   (uint64_t)sqlite3_column_int64(st, 7)};
		if ((r = cb(ctx, &t)) != 0)
			break;
	}
	return scan_end(s, st, rc, r, "scan traces");
}

int sq_scan_flows(sq_conn *s, int64_t trace_id,
		  int (*cb)(void *ctx, const sq_scan_flow *f), void *ctx)
{
	/* flows with stored events, plus flows that only have unmapped
	   events (a connection whose qlog events all lacked an equivalent) */
	sqlite3_stmt *st;
	int rc = prep(
	    s,
	    "WITH u AS (SELECT flow_id, count(*) n, min(time_ns) t0,"
	    "   max(time_ns) t1 FROM unmapped_events WHERE trace_id = ?1"
	    "   GROUP BY flow_id),"
	    " f AS (SELECT f.flow_id, p.flow_id parent, f.label, f.flow_key,"
	    "   f.first_ns, f.last_ns, f.n_events FROM flows f"
	    "   LEFT JOIN flows p ON p.flow_key = f.parent_key"
	    "   WHERE f.trace_id = ?1)"
	    " SELECT f.flow_id, f.parent, f.label,"
	    "  CASE WHEN f.n_events = 0 THEN coalesce(u.t0, f.first_ns)"
	    "   ELSE min(f.first_ns, coalesce(u.t0, f.first_ns)) END,"
	    "  CASE WHEN f.n_events = 0 THEN coalesce(u.t1, f.last_ns)"
	    "   ELSE max(f.last_ns, coalesce(u.t1, f.last_ns)) END,"
	    "  f.n_events,"
	    "  coalesce(u.n, 0), f.flow_key FROM f LEFT JOIN u USING(flow_id)"
	    " UNION ALL"
	    " SELECT u.flow_id, NULL, NULL, u.t0, u.t1, 0, u.n, 0 FROM u"
	    "  WHERE u.flow_id NOT IN (SELECT flow_id FROM f)"
	    " ORDER BY 1",
	    &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, trace_id);
	int r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sq_scan_flow f = {
		    .trace_id = trace_id,
		    .flow_id = (uint32_t)sqlite3_column_int64(st, 0),
		    .has_parent = sqlite3_column_type(st, 1) != SQLITE_NULL,
		    .parent_flow_id = (uint32_t)sqlite3_column_int64(st, 1),
		    .label = col_text(st, 2),
		    .first_ns = sqlite3_column_int64(st, 3),
		    .last_ns = sqlite3_column_int64(st, 4),
		    .n_events = (uint64_t)sqlite3_column_int64(st, 5),
		    .n_unmapped = (uint64_t)sqlite3_column_int64(st, 6),
		    .key = sqlite3_column_int64(st, 7),
		};
		if ((r = cb(ctx, &f)) != 0)
			break;
	}
	return scan_end(s, st, rc, r, "scan flows");
}

void sq_scan_filter_init(sq_scan_filter *f, int64_t trace_id)
{
	memset(f, 0, sizeof(*f));
	f->trace_id = trace_id;
	f->from_ns = INT64_MIN;
	f->to_ns = INT64_MAX;
}

int sq_scan_type_counts(sq_conn *s, int64_t trace_id,
			int (*cb)(void *ctx, uint32_t flow_id, uint32_t type,
				  uint64_t n),
			void *ctx)
{
	sqlite3_stmt *st;
	int rc = prep(s,
		      "SELECT f.flow_id, c.type, c.n FROM type_counts c"
		      " JOIN flows f USING(flow_key) WHERE f.trace_id = ?1"
		      " ORDER BY 1, 2",
		      &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, trace_id);
	int r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = cb(ctx, (uint32_t)sqlite3_column_int64(st, 0),
			    (uint32_t)sqlite3_column_int64(st, 1),
			    (uint64_t)sqlite3_column_int64(st, 2))) != 0)
			break;
	}
	return scan_end(s, st, rc, r, "scan type counts");
}

/* ---- merged event scan ------------------------------------------------ */

typedef struct cursor {
	unsigned char *data; /* n x (i64 t, u64 p) LE */
	uint32_t n, i;
	uint32_t flow_id, type;
	uint64_t seq;
	int64_t t; /* time of event i */
} cursor;

typedef struct heap {
	cursor *v;
	size_t n, cap;
} heap;

static bool before(const cursor *a, const cursor *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void sift_up(heap *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(&h->v[i], &h->v[p]))
			break;
		cursor x = h->v[i];
		h->v[i] = h->v[p];
		h->v[p] = x;
		i = p;
	}
}

static void sift_down(heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && before(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->n && before(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			return;
		cursor x = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = x;
		i = m;
	}
}

static int64_t ev_time(const cursor *c)
{
	int64_t t;
	memcpy(&t, c->data + (size_t)c->i * 16, 8);
	return t;
}

static uint64_t ev_payload(const cursor *c)
{
	uint64_t p;
	memcpy(&p, c->data + (size_t)c->i * 16 + 8, 8);
	return p;
}

/* "(1,2,3)" for an IN clause; the values are integers, never text. */
static char *in_list(const uint32_t *v, size_t n)
{
	size_t cap = 3 + n * 11, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	s[len++] = '(';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%u",
					i ? "," : "", v[i]);
	s[len++] = ')';
	s[len] = '\0';
	return s;
}

static int push_block(heap *h, sqlite3_stmt *bs, const sq_scan_filter *f,
		      uint64_t seq)
{
	int n = sqlite3_column_int(bs, 3);
	const void *blob = sqlite3_column_blob(bs, 4);
	int bytes = sqlite3_column_bytes(bs, 4);
	cursor c = {0};
	if (n <= 0 || !blob || bytes < n * 16)
		return 0;
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 16;
		cursor *nv = realloc(h->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		h->v = nv;
		h->cap = nc;
	}
	if (!(c.data = malloc((size_t)n * 16)))
		return -ENOMEM;
	memcpy(c.data, blob, (size_t)n * 16);
	c.n = (uint32_t)n;
	c.flow_id = (uint32_t)sqlite3_column_int64(bs, 0);
	c.type = (uint32_t)sqlite3_column_int64(bs, 1);
	c.seq = seq;
	while (c.i < c.n && ev_time(&c) < f->from_ns)
		c.i++;
	if (c.i == c.n || ev_time(&c) > f->to_ns) {
		free(c.data);
		return 0;
	}
	c.t = ev_time(&c);
	h->v[h->n++] = c;
	sift_up(h, h->n - 1);
	return 0;
}

int sq_scan_events(sq_conn *s, const sq_scan_filter *f,
		   int (*cb)(void *ctx, const sq_scan_event *e), void *ctx)
{
	char *flows = NULL, *types = NULL, *sql = NULL, *usql = NULL;
	sqlite3_stmt *bs = NULL, *us = NULL;
	heap h = {0};
	uint64_t seq = 0;
	int rc = -ENOMEM, brc = SQLITE_DONE, urc = SQLITE_DONE;

	if (f->flow_ids && !(flows = in_list(f->flow_ids, f->n_flows)))
		goto out;
	if (f->types && !(types = in_list(f->types, f->n_types)))
		goto out;
	if (asprintf(
		&sql,
		"SELECT f.flow_id, b.type, b.t_first, b.n, b.data"
		" FROM blocks b JOIN flows f USING(flow_key)"
		" WHERE f.trace_id = ?1 AND b.t_last >= ?2"
		" AND b.t_first <= ?3%s%s%s%s ORDER BY b.t_first, b.block_id",
		flows ? " AND f.flow_id IN " : "", flows ? flows : "",
		types ? " AND b.type IN " : "", types ? types : "") < 0) {
		sql = NULL;
		goto out;
	}
	if (asprintf(&usql,
		     "SELECT time_ns, flow_id, name, data FROM unmapped_events"
		     " WHERE trace_id = ?1 AND time_ns BETWEEN ?2 AND ?3%s%s"
		     " ORDER BY time_ns, id",
		     flows ? " AND flow_id IN " : "", flows ? flows : "") < 0) {
		usql = NULL;
		goto out;
	}
	if ((rc = prep(s, sql, &bs)) < 0)
		goto out;
	sqlite3_bind_int64(bs, 1, f->trace_id);
	sqlite3_bind_int64(bs, 2, f->from_ns);
	sqlite3_bind_int64(bs, 3, f->to_ns);
	brc = sqlite3_step(bs);
	if (f->unmapped) {
		if ((rc = prep(s, usql, &us)) < 0)
			goto out;
		sqlite3_bind_int64(us, 1, f->trace_id);
		sqlite3_bind_int64(us, 2, f->from_ns);
		sqlite3_bind_int64(us, 3, f->to_ns);
		urc = sqlite3_step(us);
	}
	for (;;) {
		/* load every block that may hold an event before the top */
		while (brc == SQLITE_ROW &&
		       (h.n == 0 || sqlite3_column_int64(bs, 2) <= h.v[0].t)) {
			if ((rc = push_block(&h, bs, f, seq++)) < 0)
				goto out;
			brc = sqlite3_step(bs);
		}
		if (brc != SQLITE_ROW && brc != SQLITE_DONE) {
			rc = sq_sqlfail(s, "scan blocks");
			goto out;
		}
		if (urc == SQLITE_ROW &&
		    (h.n == 0 || sqlite3_column_int64(us, 0) < h.v[0].t)) {
			sq_scan_event e = {
			    .time_ns = sqlite3_column_int64(us, 0),
			    .flow_id = (uint32_t)sqlite3_column_int64(us, 1),
			    .name = col_text(us, 2),
			    .json = col_text(us, 3),
			};
			if ((rc = cb(ctx, &e)) != 0)
				goto out;
			urc = sqlite3_step(us);
			continue;
		}
		if (urc != SQLITE_ROW && urc != SQLITE_DONE) {
			rc = sq_sqlfail(s, "scan unmapped events");
			goto out;
		}
		if (h.n == 0)
			break;
		cursor *c = &h.v[0];
		sq_scan_event e = {.time_ns = c->t,
				   .flow_id = c->flow_id,
				   .type = c->type,
				   .payload = ev_payload(c)};
		if ((rc = cb(ctx, &e)) != 0)
			goto out;
		if (++c->i < c->n && (c->t = ev_time(c)) <= f->to_ns) {
			sift_down(&h, 0);
		} else {
			free(c->data);
			h.v[0] = h.v[--h.n];
			if (h.n)
				sift_down(&h, 0);
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < h.n; i++)
		free(h.v[i].data);
	free(h.v);
	sqlite3_finalize(bs);
	sqlite3_finalize(us);
	free(flows);
	free(types);
	free(sql);
	free(usql);
	return rc;
}
