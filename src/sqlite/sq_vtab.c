/* sq_vtab.c - the `events` virtual table: one row per event, read from
 * the packed blocks.
 *
 *   events(trace_id, flow_id, flow_key, time_ns, type, payload)
 *
 * It is eponymous (exists on every connection the store opens, without
 * CREATE VIRTUAL TABLE). xBestIndex hands equality constraints on
 * flow_key, type, trace_id, flow_id and range constraints on time_ns to
 * xFilter, which turns them into a query over `blocks` (index
 * blocks_by_flow) so only blocks that can match are opened; inside a block,
 * sorted by time, the window is found by binary search. Constraints are
 * not marked omitted: SQLite re-checks every row, so values of unexpected
 * types (text, real) stay correct - they are simply not used to narrow.
 *
 * For `ORDER BY time_ns` on one flow (flow_key, or trace_id and flow_id,
 * given) the cursor merges the flow's blocks by time itself - blocks of
 * different types, or of batches ingested out of order, overlap - so
 * SQLite does not sort and `LIMIT` stops early. */
#include "sqlite/sq_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/sq_schema.h"

enum { COL_TRACE, COL_FLOW_ID, COL_FLOW_KEY, COL_TIME, COL_TYPE, COL_PAYLOAD };

/* idxNum bit: rows must come out ordered by time_ns (merge mode). */
#define IDX_ORDERED 1

typedef struct ev_vtab {
	sqlite3_vtab base;
	sqlite3 *db;
} ev_vtab;

/* One block being read: the current event is data[i]. */
typedef struct blk {
	int64_t block_id, flow_key, trace_id, flow_id, type;
	const unsigned char *data; /* borrowed (plain mode) or owned (merge) */
	uint32_t n, i;
	uint64_t seq; /* order of arrival: ties in time keep block order */
} blk;

typedef struct ev_cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *blocks; /* plain: one row per block, with data;
				 merge: block metadata by t_first */
	sqlite3_stmt *data;   /* merge: a block's blob by block_id */
	bool eof, ordered;
	int64_t lo, hi; /* time window, inclusive */
	blk one;	/* plain mode's current block */
	blk *heap;	/* merge mode: open blocks, min-heap on current time */
	size_t nheap, capheap;
	bool pending; /* merge: c->blocks is on a block not yet opened */
	bool drained; /* merge: c->blocks returned SQLITE_DONE (stepping it
			 again would restart it) */
	uint64_t seq;
} ev_cursor;

static int ev_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		      sqlite3_vtab **out, char **err)
{
	int rc = sqlite3_declare_vtab(
	    db, "CREATE TABLE x(trace_id INTEGER, flow_id INTEGER,"
		" flow_key INTEGER, time_ns INTEGER, type INTEGER,"
		" payload INTEGER)");
	if (rc != SQLITE_OK)
		return rc;
	ev_vtab *v = sqlite3_malloc(sizeof(*v));
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	v->db = db;
	sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
	*out = &v->base;
	return SQLITE_OK;
}

static int ev_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* One letter per argv entry, so xFilter knows what each value means. */
static char op_code(int col, unsigned char op)
{
	if (op == SQLITE_INDEX_CONSTRAINT_EQ) {
		switch (col) {
		case COL_FLOW_KEY:
			return 'k';
		case COL_TYPE:
			return 'y';
		case COL_TRACE:
			return 'r';
		case COL_FLOW_ID:
			return 'f';
		case COL_TIME:
			return '=';
		default:
			return 0;
		}
	}
	if (col != COL_TIME)
		return 0;
	switch (op) {
	case SQLITE_INDEX_CONSTRAINT_GT:
		return '>';
	case SQLITE_INDEX_CONSTRAINT_GE:
		return 'g';
	case SQLITE_INDEX_CONSTRAINT_LT:
		return '<';
	case SQLITE_INDEX_CONSTRAINT_LE:
		return 'l';
	default:
		return 0;
	}
}

static int ev_best_index(sqlite3_vtab *vt, sqlite3_index_info *ii)
{
	char codes[64];
	int n = 0;
	double rows = 1e8;
	bool has_key = false, has_trace = false, has_fid = false;
	for (int i = 0; i < ii->nConstraint && n < 63; i++) {
		const struct sqlite3_index_constraint *c = &ii->aConstraint[i];
		if (!c->usable)
			continue;
		char code = op_code(c->iColumn, c->op);
		if (!code)
			continue;
		codes[n++] = code;
		ii->aConstraintUsage[i].argvIndex = n;
		ii->aConstraintUsage[i].omit = 0;
		switch (code) {
		case 'k':
			rows /= 1000;
			has_key = true;
			break;
		case 'f':
			rows /= 100;
			has_fid = true;
			break;
		case 'r':
			rows /= 4;
			has_trace = true;
			break;
		case 'y':
			rows /= 20;
			break;
		case '=':
			rows /= 1000;
			break;
		default:
			rows /= 3;
			break;
		}
	}
	codes[n] = 0;
	ii->idxNum = 0;
	/* Merging is cheap when few blocks overlap: one flow's blocks. */
	if (ii->nOrderBy == 1 && ii->aOrderBy[0].iColumn == COL_TIME &&
	    !ii->aOrderBy[0].desc && (has_key || (has_trace && has_fid))) {
		ii->idxNum |= IDX_ORDERED;
		ii->orderByConsumed = 1;
	}
	if (n) {
		ii->idxStr = sqlite3_mprintf("%s", codes);
		if (!ii->idxStr)
			return SQLITE_NOMEM;
		ii->needToFreeIdxStr = 1;
	}
	if (rows < 1)
		rows = 1;
	ii->estimatedRows = (sqlite3_int64)rows;
	ii->estimatedCost = rows;
	return SQLITE_OK;
}

static int ev_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	ev_cursor *c = sqlite3_malloc(sizeof(*c));
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static void heap_clear(ev_cursor *c)
{
	for (size_t i = 0; i < c->nheap; i++)
		sqlite3_free((void *)c->heap[i].data);
	c->nheap = 0;
}

static int ev_close(sqlite3_vtab_cursor *cur)
{
	ev_cursor *c = (ev_cursor *)cur;
	heap_clear(c);
	sqlite3_free(c->heap);
	sqlite3_finalize(c->blocks);
	sqlite3_finalize(c->data);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int64_t rd_i64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return (int64_t)v;
}

static int64_t blk_time(const blk *b)
{
	return rd_i64(b->data + (size_t)b->i * SQ_BLOCK_EVENT_SIZE);
}

/* Positions b on its first event at or after lo; false when the block has
 * no event in [lo, hi]. */
static bool blk_seek(blk *b, int64_t lo, int64_t hi)
{
	uint32_t a = 0, z = b->n;
	while (a < z) {
		uint32_t m = a + (z - a) / 2;
		if (rd_i64(b->data + (size_t)m * SQ_BLOCK_EVENT_SIZE) < lo)
			a = m + 1;
		else
			z = m;
	}
	b->i = a;
	return a < b->n && blk_time(b) <= hi;
}

/* Block columns 0..4 of c->blocks (both modes select them first). */
static void blk_meta(blk *b, sqlite3_stmt *st)
{
	b->block_id = sqlite3_column_int64(st, 0);
	b->flow_key = sqlite3_column_int64(st, 1);
	b->type = sqlite3_column_int64(st, 2);
	b->trace_id = sqlite3_column_int64(st, 3);
	b->flow_id = sqlite3_column_int64(st, 4);
}

/* Plain mode: steps the block query until a block with an event in the
 * window. */
static int next_block(ev_cursor *c)
{
	for (;;) {
		int rc = sqlite3_step(c->blocks);
		if (rc == SQLITE_DONE) {
			c->eof = true;
			return SQLITE_OK;
		}
		if (rc != SQLITE_ROW)
			return rc;
		blk_meta(&c->one, c->blocks);
		c->one.data = sqlite3_column_blob(c->blocks, 5);
		c->one.n = (uint32_t)(sqlite3_column_bytes(c->blocks, 5) /
				      SQ_BLOCK_EVENT_SIZE);
		if (blk_seek(&c->one, c->lo, c->hi))
			return SQLITE_OK;
	}
}

static bool blk_less(const blk *a, const blk *b)
{
	int64_t ta = blk_time(a), tb = blk_time(b);
	return ta < tb || (ta == tb && a->seq < b->seq);
}

static void heap_down(ev_cursor *c, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < c->nheap && blk_less(&c->heap[l], &c->heap[m]))
			m = l;
		if (r < c->nheap && blk_less(&c->heap[r], &c->heap[m]))
			m = r;
		if (m == i)
			return;
		blk t = c->heap[i];
		c->heap[i] = c->heap[m];
		c->heap[m] = t;
		i = m;
	}
}

static void heap_up(ev_cursor *c, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!blk_less(&c->heap[i], &c->heap[p]))
			return;
		blk t = c->heap[i];
		c->heap[i] = c->heap[p];
		c->heap[p] = t;
		i = p;
	}
}

/* Merge mode: opens the pending block (copying its blob) into the heap. */
static int open_pending(ev_cursor *c)
{
	blk b = {0};
	blk_meta(&b, c->blocks);
	b.seq = c->seq++;
	sqlite3_reset(c->data);
	sqlite3_bind_int64(c->data, 1, b.block_id);
	int rc = sqlite3_step(c->data);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_CORRUPT : rc;
	int bytes = sqlite3_column_bytes(c->data, 0);
	b.n = (uint32_t)(bytes / SQ_BLOCK_EVENT_SIZE);
	unsigned char *copy = sqlite3_malloc(bytes > 0 ? bytes : 1);
	if (!copy)
		return SQLITE_NOMEM;
	if (bytes > 0)
		memcpy(copy, sqlite3_column_blob(c->data, 0), (size_t)bytes);
	sqlite3_reset(c->data);
	b.data = copy;
	if (!blk_seek(&b, c->lo, c->hi)) {
		sqlite3_free(copy);
		return SQLITE_OK;
	}
	if (c->nheap == c->capheap) {
		size_t cap = c->capheap ? c->capheap * 2 : 16;
		blk *h = sqlite3_realloc64(c->heap, cap * sizeof(*h));
		if (!h) {
			sqlite3_free(copy);
			return SQLITE_NOMEM;
		}
		c->heap = h;
		c->capheap = cap;
	}
	c->heap[c->nheap++] = b;
	heap_up(c, c->nheap - 1);
	return SQLITE_OK;
}

/* Merge mode: makes heap[0] the next event in time order. Blocks arrive by
 * t_first, so once the next unopened block starts after the heap's
 * minimum, no unopened block can hold an earlier event. */
static int merge_settle(ev_cursor *c)
{
	for (;;) {
		if (c->pending) {
			int64_t t_first = sqlite3_column_int64(c->blocks, 6);
			if (c->nheap && t_first > blk_time(&c->heap[0]))
				break;
			int rc = open_pending(c);
			if (rc != SQLITE_OK)
				return rc;
			c->pending = false;
		}
		if (c->drained)
			break;
		int rc = sqlite3_step(c->blocks);
		if (rc == SQLITE_ROW) {
			c->pending = true;
		} else if (rc == SQLITE_DONE) {
			c->drained = true;
			break;
		} else {
			return rc;
		}
	}
	c->eof = c->nheap == 0;
	return SQLITE_OK;
}

static int merge_next(ev_cursor *c)
{
	blk *b = &c->heap[0];
	b->i++;
	if (b->i >= b->n || blk_time(b) > c->hi) {
		sqlite3_free((void *)b->data);
		c->heap[0] = c->heap[--c->nheap];
	}
	if (c->nheap)
		heap_down(c, 0);
	return merge_settle(c);
}

static const blk *cur_blk(const ev_cursor *c)
{
	return c->ordered ? &c->heap[0] : &c->one;
}

static bool int_arg(sqlite3_value *v, int64_t *out)
{
	if (sqlite3_value_type(v) != SQLITE_INTEGER)
		return false;
	*out = sqlite3_value_int64(v);
	return true;
}

static int fail(ev_cursor *c, int rc)
{
	ev_vtab *vt = (ev_vtab *)c->base.pVtab;
	sqlite3_free(vt->base.zErrMsg);
	vt->base.zErrMsg =
	    sqlite3_mprintf("events: %s", sqlite3_errmsg(vt->db));
	return rc;
}

static int ev_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str,
		     int argc, sqlite3_value **argv)
{
	ev_cursor *c = (ev_cursor *)cur;
	ev_vtab *vt = (ev_vtab *)cur->pVtab;
	sqlite3_finalize(c->blocks);
	c->blocks = NULL;
	heap_clear(c);
	c->pending = false;
	c->drained = false;
	c->ordered = (idx_num & IDX_ORDERED) != 0;
	c->eof = false;
	c->lo = INT64_MIN;
	c->hi = INT64_MAX;
	bool empty = false;
	int64_t key[4] = {0};
	bool has[4] = {false};
	const char *names = "kyrf";
	for (int i = 0; idx_str && i < argc && idx_str[i]; i++) {
		int64_t v;
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
			empty = true; /* comparisons with NULL match nothing */
			continue;
		}
		if (!int_arg(argv[i], &v))
			continue;
		const char *k = strchr(names, idx_str[i]);
		if (k) {
			int j = (int)(k - names);
			if (has[j] && key[j] != v)
				empty = true;
			key[j] = v;
			has[j] = true;
			continue;
		}
		switch (idx_str[i]) {
		case '=':
			c->lo = v > c->lo ? v : c->lo;
			c->hi = v < c->hi ? v : c->hi;
			break;
		case '>':
			if (v == INT64_MAX)
				empty = true;
			else if (v + 1 > c->lo)
				c->lo = v + 1;
			break;
		case 'g':
			c->lo = v > c->lo ? v : c->lo;
			break;
		case '<':
			if (v == INT64_MIN)
				empty = true;
			else if (v - 1 < c->hi)
				c->hi = v - 1;
			break;
		case 'l':
			c->hi = v < c->hi ? v : c->hi;
			break;
		}
	}
	if (empty || c->lo > c->hi) {
		c->eof = true;
		return SQLITE_OK;
	}
	static const char *const cond[4] = {
	    " AND b.flow_key = ?", " AND b.type = ?", " AND f.trace_id = ?",
	    " AND f.flow_id = ?"};
	char sql[512];
	/* Merge mode leaves the blobs out of the (possibly sorted) block list
	 * and fetches each when it is opened. */
	int len = snprintf(sql, sizeof(sql),
			   "SELECT b.block_id, b.flow_key, b.type, f.trace_id,"
			   " f.flow_id, %s FROM blocks b JOIN flows f"
			   " ON f.flow_key = b.flow_key WHERE 1",
			   c->ordered ? "NULL, b.t_first" : "b.data");
	for (int j = 0; j < 4; j++)
		if (has[j])
			len += snprintf(sql + len, sizeof(sql) - (size_t)len,
					"%s", cond[j]);
	if (c->lo != INT64_MIN)
		len += snprintf(sql + len, sizeof(sql) - (size_t)len,
				" AND b.t_last >= ?");
	if (c->hi != INT64_MAX)
		len += snprintf(sql + len, sizeof(sql) - (size_t)len,
				" AND b.t_first <= ?");
	if (c->ordered)
		snprintf(sql + len, sizeof(sql) - (size_t)len,
			 " ORDER BY b.t_first, b.block_id");
	int rc = sqlite3_prepare_v2(vt->db, sql, -1, &c->blocks, NULL);
	if (rc != SQLITE_OK)
		return fail(c, rc);
	int p = 1;
	for (int j = 0; j < 4; j++)
		if (has[j])
			sqlite3_bind_int64(c->blocks, p++, key[j]);
	if (c->lo != INT64_MIN)
		sqlite3_bind_int64(c->blocks, p++, c->lo);
	if (c->hi != INT64_MAX)
		sqlite3_bind_int64(c->blocks, p++, c->hi);
	if (!c->ordered)
		rc = next_block(c);
	else if (!c->data &&
		 (rc = sqlite3_prepare_v2(
		      vt->db, "SELECT data FROM blocks WHERE block_id = ?", -1,
		      &c->data, NULL)) != SQLITE_OK)
		return fail(c, rc);
	else
		rc = merge_settle(c);
	return rc == SQLITE_OK ? rc : fail(c, rc);
}

static int ev_next(sqlite3_vtab_cursor *cur)
{
	ev_cursor *c = (ev_cursor *)cur;
	int rc;
	if (c->ordered) {
		rc = merge_next(c);
	} else {
		c->one.i++;
		if (c->one.i < c->one.n && blk_time(&c->one) <= c->hi)
			return SQLITE_OK;
		rc = next_block(c);
	}
	return rc == SQLITE_OK ? rc : fail(c, rc);
}

static int ev_eof(sqlite3_vtab_cursor *cur)
{
	return ((ev_cursor *)cur)->eof;
}

static int ev_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const blk *b = cur_blk((ev_cursor *)cur);
	const unsigned char *e = b->data + (size_t)b->i * SQ_BLOCK_EVENT_SIZE;
	switch (col) {
	case COL_TRACE:
		sqlite3_result_int64(ctx, b->trace_id);
		break;
	case COL_FLOW_ID:
		sqlite3_result_int64(ctx, b->flow_id);
		break;
	case COL_FLOW_KEY:
		sqlite3_result_int64(ctx, b->flow_key);
		break;
	case COL_TIME:
		sqlite3_result_int64(ctx, rd_i64(e));
		break;
	case COL_TYPE:
		sqlite3_result_int64(ctx, b->type);
		break;
	case COL_PAYLOAD:
		sqlite3_result_int64(ctx, rd_i64(e + 8));
		break;
	}
	return SQLITE_OK;
}

static int ev_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	const blk *b = cur_blk((ev_cursor *)cur);
	*rowid = b->block_id * SQ_BLOCK_MAX_EVENTS + b->i;
	return SQLITE_OK;
}

static const sqlite3_module ev_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
    .xConnect = ev_connect,
    .xBestIndex = ev_best_index,
    .xDisconnect = ev_disconnect,
    .xDestroy = ev_disconnect,
    .xOpen = ev_open,
    .xClose = ev_close,
    .xFilter = ev_filter,
    .xNext = ev_next,
    .xEof = ev_eof,
    .xColumn = ev_column,
    .xRowid = ev_rowid,
};

int sq_vtab_register(sqlite3 *db)
{
	return sqlite3_create_module(db, "events", &ev_module, NULL);
}
