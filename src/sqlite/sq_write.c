/* sq_write.c - the event fast path.
 *
 * Row-at-a-time inserts into an indexed table cost a B-tree descent per
 * event; this file instead buffers events per (trace, flow, type) in memory
 * and writes each buffer as one `blocks` row holding up to
 * SQ_BLOCK_MAX_EVENTS events sorted by time, so SQLite does one insert per
 * few thousand events. Flow, type and trace summaries are computed per
 * block (no per-event branching on the type) and written as additive
 * deltas when the transaction commits.
 *
 * Memory is bounded by OJO_STORE_MEM_LIMIT whatever the input size: past
 * it, every buffer is written as a (smaller) block inside the current
 * transaction and the caches are dropped. */
#include "sqlite/sq_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ojo/events.h"
#include "sqlite/sq_schema.h"

/* Bytes of event buffers kept in memory before writing them all out. */
#define OJO_STORE_MEM_LIMIT (32u << 20)
/* Cached flows kept across transactions before the cache is dropped. */
#define OJO_STORE_MAX_FLOWS 65536u
#define BUF_MIN_CAP	    64u

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

static uint64_t flow_hash(int64_t trace_id, uint32_t flow_id)
{
	return mix64((uint64_t)trace_id * UINT64_C(0x9e3779b97f4a7c15) ^
		     flow_id);
}

static uint64_t buf_hash(int64_t trace_id, uint32_t flow_id, uint32_t type)
{
	return mix64((uint64_t)trace_id * UINT64_C(0x9e3779b97f4a7c15) ^
		     ((uint64_t)flow_id << 32 | type));
}

static void index_free(sq_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->mask = 0;
}

/* arr (of elements of elem bytes) with room for n + 1, grown by doubling
 * from first; NULL when out of memory (arr is then still valid). */
static void *grow(void *arr, uint32_t n, uint32_t *cap, size_t elem,
		  uint32_t first)
{
	if (n < *cap)
		return arr;
	uint32_t c = *cap ? *cap * 2 : first;
	void *p = realloc(arr, (size_t)c * elem);
	if (p)
		*cap = c;
	return p;
}

/* Puts value v (1 + array index) in the first free slot from hash h. */
static void index_put(uint32_t *slot, uint32_t mask, uint64_t h, uint32_t v)
{
	uint32_t j = (uint32_t)h & mask;
	while (slot[j])
		j = (j + 1) & mask;
	slot[j] = v;
}

/* Makes room for n entries at load <= 1/2. */
static int index_reserve(sq_index *ix, uint32_t n, const void *arr, size_t elem,
			 uint64_t (*hash)(const void *))
{
	if (ix->mask && n * 2 <= ix->mask + 1)
		return 0;
	uint32_t cap = ix->mask ? (ix->mask + 1) * 2 : 1024;
	while (cap < n * 2)
		cap *= 2;
	uint32_t *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (uint32_t i = 0; i + 1 < n; i++)
		index_put(slot, cap - 1,
			  hash((const char *)arr + (size_t)i * elem), i + 1);
	free(ix->slot);
	ix->slot = slot;
	ix->mask = cap - 1;
	return 0;
}

static uint64_t flow_hash_of(const void *p)
{
	const sq_flow *f = p;
	return flow_hash(f->trace_id, f->flow_id);
}

static uint64_t buf_hash_of(const void *p)
{
	const sq_buf *b = p;
	return buf_hash(b->trace_id, b->flow_id, b->type);
}

static int trace_slot(sq_conn *s, int64_t trace_id, uint32_t *out)
{
	for (uint32_t i = 0; i < s->n_traces; i++) {
		if (s->traces[i].trace_id == trace_id) {
			*out = i;
			return 0;
		}
	}
	sq_tdelta *t =
	    grow(s->traces, s->n_traces, &s->cap_traces, sizeof(*t), 8);
	if (!t)
		return -ENOMEM;
	s->traces = t;
	t = &s->traces[s->n_traces];
	memset(t, 0, sizeof(*t));
	t->trace_id = trace_id;
	*out = s->n_traces++;
	return 0;
}

/* Index of the flow (trace_id, flow_id) in s->flows, added if new. */
static int flow_get(sq_conn *s, int64_t trace_id, uint32_t flow_id,
		    uint32_t *out)
{
	uint64_t h = flow_hash(trace_id, flow_id);
	if (s->flow_ix.mask) {
		uint32_t j = (uint32_t)h & s->flow_ix.mask;
		for (uint32_t v; (v = s->flow_ix.slot[j]);
		     j = (j + 1) & s->flow_ix.mask) {
			sq_flow *f = &s->flows[v - 1];
			if (f->flow_id == flow_id && f->trace_id == trace_id) {
				*out = v - 1;
				return 0;
			}
		}
	}
	sq_flow *f = grow(s->flows, s->n_flows, &s->cap_flows, sizeof(*f), 256);
	if (!f)
		return -ENOMEM;
	s->flows = f;
	uint32_t ts;
	if (trace_slot(s, trace_id, &ts))
		return -ENOMEM;
	f = &s->flows[s->n_flows];
	memset(f, 0, sizeof(*f));
	f->trace_id = trace_id;
	f->flow_id = flow_id;
	f->trace_slot = ts;
	s->n_flows++;
	if (index_reserve(&s->flow_ix, s->n_flows, s->flows, sizeof(*f),
			  flow_hash_of)) {
		s->n_flows--;
		return -ENOMEM;
	}
	index_put(s->flow_ix.slot, s->flow_ix.mask, h, s->n_flows);
	*out = s->n_flows - 1;
	return 0;
}

static int buf_get(sq_conn *s, int64_t trace_id, uint32_t flow_id,
		   uint32_t type, uint32_t *out)
{
	uint64_t h = buf_hash(trace_id, flow_id, type);
	if (s->buf_ix.mask) {
		uint32_t j = (uint32_t)h & s->buf_ix.mask;
		for (uint32_t v; (v = s->buf_ix.slot[j]);
		     j = (j + 1) & s->buf_ix.mask) {
			sq_buf *b = &s->bufs[v - 1];
			if (b->flow_id == flow_id && b->type == type &&
			    b->trace_id == trace_id) {
				*out = v - 1;
				return 0;
			}
		}
	}
	uint32_t fi;
	if (flow_get(s, trace_id, flow_id, &fi))
		return -ENOMEM;
	sq_buf *b = grow(s->bufs, s->n_bufs, &s->cap_bufs, sizeof(*b), 256);
	if (!b)
		return -ENOMEM;
	s->bufs = b;
	b = &s->bufs[s->n_bufs];
	memset(b, 0, sizeof(*b));
	b->trace_id = trace_id;
	b->flow_id = flow_id;
	b->type = type;
	b->flow = fi;
	s->n_bufs++;
	if (index_reserve(&s->buf_ix, s->n_bufs, s->bufs, sizeof(*b),
			  buf_hash_of)) {
		s->n_bufs--;
		return -ENOMEM;
	}
	index_put(s->buf_ix.slot, s->buf_ix.mask, h, s->n_bufs);
	*out = s->n_bufs - 1;
	return 0;
}

/* Stable bottom-up merge sort by time (equal times keep append order). */
static void sort_events(sq_ev *a, uint32_t n, sq_ev *tmp)
{
	/* Short runs by insertion sort first: blocks are usually nearly
	 * sorted, which makes this close to linear. */
	const uint32_t run = 32;
	for (uint32_t lo = 0; lo < n; lo += run) {
		uint32_t hi = lo + run < n ? lo + run : n;
		for (uint32_t i = lo + 1; i < hi; i++) {
			sq_ev x = a[i];
			uint32_t j = i;
			while (j > lo && a[j - 1].t > x.t) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
	}
	sq_ev *src = a, *dst = tmp;
	for (uint32_t w = run; w < n; w *= 2) {
		for (uint32_t lo = 0; lo < n; lo += 2 * w) {
			uint32_t mid = lo + w < n ? lo + w : n;
			uint32_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			uint32_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] =
				    src[j].t < src[i].t ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		sq_ev *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, (size_t)n * sizeof(*a));
}

/* Makes sure flow f has a row; new rows are placeholders until the flow
 * update of this flush fills them in. */
static int flow_key(sq_conn *s, uint32_t fi, int64_t t)
{
	sq_flow *f = &s->flows[fi];
	if (f->key)
		return 0;
	sqlite3_stmt *st = sq_stmt(s, ST_FLOW_GET);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, f->trace_id);
	sqlite3_bind_int64(st, 2, f->flow_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		f->key = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_sqlfail(s, "look up flow");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (!(st = sq_stmt(s, ST_FLOW_INSERT)))
		return -EIO;
	sqlite3_bind_int64(st, 1, f->trace_id);
	sqlite3_bind_int64(st, 2, f->flow_id);
	sqlite3_bind_int64(st, 3, t);
	if ((rc = sq_step_done(s, st, "create flow")))
		return rc;
	f->key = sqlite3_last_insert_rowid(s->db);
	sq_tdelta *tr = &s->traces[f->trace_slot];
	tr->n_flows++;
	tr->dirty = true;
	return 0;
}

static void le_encode(sq_ev *ev, uint32_t n)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	for (uint32_t i = 0; i < n; i++) {
		ev[i].t = (int64_t)__builtin_bswap64((uint64_t)ev[i].t);
		ev[i].p = __builtin_bswap64(ev[i].p);
	}
#else
	(void)ev;
	(void)n;
#endif
}

/* Folds a sorted block into its flow's and trace's summary deltas. */
static void summarize(sq_conn *s, sq_buf *b, int64_t *vmin, int64_t *vmax)
{
	sq_flow *f = &s->flows[b->flow];
	sq_tdelta *tr = &s->traces[f->trace_slot];
	const sq_ev *ev = b->ev;
	uint32_t n = b->n;
	int64_t lo = (int64_t)ev[0].p, hi = lo;
	uint64_t sum = 0, len = 0;
	for (uint32_t i = 0; i < n; i++) {
		int64_t v = (int64_t)ev[i].p;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		sum += ev[i].p;
		len += OJO_RANGE_LENGTH(ev[i].p);
	}
	*vmin = lo;
	*vmax = hi;
	int64_t t0 = ev[0].t, t1 = ev[n - 1].t;
	switch (b->type) {
	case OJO_EV_PACKET_SENT:
		f->sent += n;
		break;
	case OJO_EV_PACKET_RECEIVED:
		f->received += n;
		break;
	case OJO_EV_PACKET_ACKED:
		f->acked += n;
		break;
	case OJO_EV_PACKET_LOST_TIMEOUT:
	case OJO_EV_PACKET_LOST_THRESHOLD:
		f->lost += n;
		break;
	case OJO_EV_PACKET_RETRANS_SAME:
	case OJO_EV_PACKET_RETRANS_NEW:
		f->retrans += n;
		break;
	case OJO_EV_DATA_SENT:
		f->bytes_sent += len;
		break;
	case OJO_EV_DATA_ACKED:
		f->bytes_acked += len;
		break;
	case OJO_EV_CWND:
		if (!f->has_cwnd || hi > f->max_cwnd)
			f->max_cwnd = hi;
		if (!f->has_cwnd || t1 >= f->last_cwnd_ns) {
			f->last_cwnd = (int64_t)ev[n - 1].p;
			f->last_cwnd_ns = t1;
		}
		f->has_cwnd = true;
		break;
	case OJO_EV_STREAM_LINK:
		if (!f->has_parent || t1 >= f->parent_ns) {
			f->parent_fid = (uint32_t)ev[n - 1].p;
			f->parent_ns = t1;
		}
		f->has_parent = true;
		break;
	case OJO_EV_EVENTS_DROPPED:
		tr->dropped += sum;
		break;
	default:
		break;
	}
	if (!f->n_events || t0 < f->first_ns)
		f->first_ns = t0;
	if (!f->n_events || t1 > f->last_ns)
		f->last_ns = t1;
	f->n_events += n;
	f->dirty = true;
	if (!tr->n_events || t0 < tr->first_ns)
		tr->first_ns = t0;
	if (!tr->n_events || t1 > tr->last_ns)
		tr->last_ns = t1;
	tr->n_events += n;
	tr->dirty = true;
}

static int write_block(sq_conn *s, uint32_t bi)
{
	sq_buf *b = &s->bufs[bi];
	if (!b->n)
		return 0;
	if (b->unsorted)
		sort_events(b->ev, b->n, s->sort_tmp);
	int rc = flow_key(s, b->flow, b->ev[0].t);
	if (rc)
		return rc;
	b = &s->bufs[bi];
	int64_t vmin, vmax;
	summarize(s, b, &vmin, &vmax);
	sqlite3_stmt *st = sq_stmt(s, ST_BLOCK_INSERT);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, s->flows[b->flow].key);
	sqlite3_bind_int64(st, 2, b->type);
	sqlite3_bind_int64(st, 3, b->ev[0].t);
	sqlite3_bind_int64(st, 4, b->ev[b->n - 1].t);
	sqlite3_bind_int64(st, 5, b->n);
	sqlite3_bind_int64(st, 6, vmin);
	sqlite3_bind_int64(st, 7, vmax);
	sqlite3_bind_int64(st, 8, s->cur_file_id);
	le_encode(b->ev, b->n);
	sqlite3_bind_blob(st, 9, b->ev, (int)(b->n * sizeof(sq_ev)),
			  SQLITE_STATIC);
	rc = sq_step_done(s, st, "write block");
	sqlite3_bind_null(st, 9); /* the buffer is reused */
	if (rc)
		return rc;
	s->buffered -= b->n;
	b->txn_n += b->n;
	b->n = 0;
	b->unsorted = false;
	return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, bool has, int64_t v)
{
	if (has)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int write_flow(sq_conn *s, uint32_t fi)
{
	sq_flow *f = &s->flows[fi];
	int64_t parent_key = 0;
	int rc;
	if (f->has_parent) {
		uint32_t pi;
		int64_t t = f->parent_ns;
		if (flow_get(s, f->trace_id, f->parent_fid, &pi))
			return -ENOMEM;
		if ((rc = flow_key(s, pi, t)))
			return rc;
		f = &s->flows[fi];
		parent_key = s->flows[pi].key;
	}
	if ((rc = flow_key(s, fi, f->n_events ? f->first_ns : 0)))
		return rc;
	f = &s->flows[fi];
	sqlite3_stmt *st = sq_stmt(s, ST_FLOW_UPDATE);
	if (!st)
		return -EIO;
	bind_opt(st, 1, f->n_events, f->first_ns);
	bind_opt(st, 2, f->n_events, f->last_ns);
	sqlite3_bind_int64(st, 3, (int64_t)f->n_events);
	sqlite3_bind_int64(st, 4, (int64_t)f->sent);
	sqlite3_bind_int64(st, 5, (int64_t)f->received);
	sqlite3_bind_int64(st, 6, (int64_t)f->acked);
	sqlite3_bind_int64(st, 7, (int64_t)f->lost);
	sqlite3_bind_int64(st, 8, (int64_t)f->retrans);
	sqlite3_bind_int64(st, 9, (int64_t)f->bytes_sent);
	sqlite3_bind_int64(st, 10, (int64_t)f->bytes_acked);
	bind_opt(st, 11, f->has_cwnd, f->max_cwnd);
	bind_opt(st, 12, f->has_cwnd, f->last_cwnd);
	bind_opt(st, 13, f->has_cwnd, f->last_cwnd_ns);
	bind_opt(st, 14, f->has_parent, parent_key);
	bind_opt(st, 17, f->has_parent, f->parent_ns);
	if (f->label)
		sqlite3_bind_text(st, 15, f->label, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 15);
	sqlite3_bind_int64(st, 16, f->key);
	if ((rc = sq_step_done(s, st, "update flow")))
		return rc;
	/* Keep the key, forget the deltas. */
	int64_t key = f->key;
	int64_t trace_id = f->trace_id;
	uint32_t flow_id = f->flow_id, ts = f->trace_slot;
	free(f->label);
	memset(f, 0, sizeof(*f));
	f->key = key;
	f->trace_id = trace_id;
	f->flow_id = flow_id;
	f->trace_slot = ts;
	return 0;
}

static int write_trace(sq_conn *s, sq_tdelta *t)
{
	sqlite3_stmt *st = sq_stmt(s, ST_TRACE_UPDATE);
	if (!st)
		return -EIO;
	bind_opt(st, 1, t->n_events, t->first_ns);
	bind_opt(st, 2, t->n_events, t->last_ns);
	sqlite3_bind_int64(st, 3, (int64_t)t->n_events);
	sqlite3_bind_int64(st, 4, (int64_t)t->n_flows);
	sqlite3_bind_int64(st, 5, (int64_t)t->dropped);
	sqlite3_bind_int64(st, 6, t->trace_id);
	int rc = sq_step_done(s, st, "update trace");
	if (rc)
		return rc;
	int64_t id = t->trace_id;
	memset(t, 0, sizeof(*t));
	t->trace_id = id;
	return 0;
}

static void drop_caches(sq_conn *s)
{
	for (uint32_t i = 0; i < s->n_bufs; i++)
		free(s->bufs[i].ev);
	for (uint32_t i = 0; i < s->n_flows; i++)
		free(s->flows[i].label);
	s->n_bufs = 0;
	s->n_flows = 0;
	s->n_traces = 0;
	s->last_buf = 0;
	s->buffered = 0;
	s->buf_bytes = 0;
	index_free(&s->buf_ix);
	index_free(&s->flow_ix);
}

int sq_flush(sq_conn *s, bool drop_cache)
{
	int rc;
	for (uint32_t i = 0; i < s->n_bufs; i++)
		if ((rc = write_block(s, i)))
			return rc;
	for (uint32_t i = 0; i < s->n_bufs; i++) {
		sq_buf *b = &s->bufs[i];
		if (!b->txn_n)
			continue;
		sqlite3_stmt *st = sq_stmt(s, ST_TYPE_COUNT);
		if (!st)
			return -EIO;
		sqlite3_bind_int64(st, 1, s->flows[b->flow].key);
		sqlite3_bind_int64(st, 2, b->type);
		sqlite3_bind_int64(st, 3, (int64_t)b->txn_n);
		if ((rc = sq_step_done(s, st, "count event types")))
			return rc;
		b->txn_n = 0;
	}
	/* write_flow may add parent flows: they are visited too. */
	for (uint32_t i = 0; i < s->n_flows; i++)
		if (s->flows[i].dirty && (rc = write_flow(s, i)))
			return rc;
	for (uint32_t i = 0; i < s->n_traces; i++)
		if (s->traces[i].dirty && (rc = write_trace(s, &s->traces[i])))
			return rc;
	if (drop_cache || s->buf_bytes > OJO_STORE_MEM_LIMIT / 2 ||
	    s->n_flows > OJO_STORE_MAX_FLOWS)
		drop_caches(s);
	return 0;
}

void sq_write_reset(sq_conn *s)
{
	drop_caches(s);
}

void sq_write_free(sq_conn *s)
{
	drop_caches(s);
	free(s->bufs);
	free(s->flows);
	free(s->traces);
	free(s->sort_tmp);
	s->bufs = NULL;
	s->flows = NULL;
	s->traces = NULL;
	s->sort_tmp = NULL;
	s->cap_bufs = s->cap_flows = s->cap_traces = 0;
}

/* Gives buffer bi room for one more event: grows it, or writes it out as a
 * block when full. */
static int buf_room(sq_conn *s, uint32_t bi)
{
	sq_buf *b = &s->bufs[bi];
	if (b->n == SQ_BLOCK_MAX_EVENTS)
		return write_block(s, bi);
	uint32_t cap = b->cap ? b->cap * 2 : BUF_MIN_CAP;
	if (cap > SQ_BLOCK_MAX_EVENTS)
		cap = SQ_BLOCK_MAX_EVENTS;
	sq_ev *ev = realloc(b->ev, (size_t)cap * sizeof(*ev));
	if (!ev)
		return sq_fail(s, -ENOMEM, "out of memory");
	s->buf_bytes += (size_t)(cap - b->cap) * sizeof(*ev);
	b->ev = ev;
	b->cap = cap;
	return 0;
}

int sq_append(sq_conn *s, int64_t trace_id, const store_event *ev, size_t n)
{
	if (!s->in_txn)
		return sq_fail(s, -EINVAL,
			       "no transaction: call ojo_store_begin first");
	if (!s->sort_tmp &&
	    !(s->sort_tmp = malloc(SQ_BLOCK_MAX_EVENTS * sizeof(sq_ev))))
		return sq_fail(s, -ENOMEM, "out of memory");
	int rc;
	uint32_t bi = s->last_buf ? s->last_buf - 1 : 0;
	for (size_t i = 0; i < n; i++) {
		const store_event *e = &ev[i];
		sq_buf *b = s->last_buf ? &s->bufs[bi] : NULL;
		if (!b || b->flow_id != e->flow_id || b->type != e->type ||
		    b->trace_id != trace_id) {
			if (buf_get(s, trace_id, e->flow_id, e->type, &bi))
				return sq_fail(s, -ENOMEM, "out of memory");
			s->last_buf = bi + 1;
			b = &s->bufs[bi];
		}
		if (b->n == b->cap) {
			if (s->buf_bytes >= OJO_STORE_MEM_LIMIT) {
				/* Bounded memory: write everything, then
				 * start over with empty caches. */
				if ((rc = sq_flush(s, true)))
					return rc;
				if (buf_get(s, trace_id, e->flow_id, e->type,
					    &bi))
					return sq_fail(s, -ENOMEM,
						       "out of memory");
				s->last_buf = bi + 1;
			}
			if ((rc = buf_room(s, bi)))
				return rc;
			b = &s->bufs[bi];
		}
		if (b->n && e->time_ns < b->ev[b->n - 1].t)
			b->unsorted = true;
		b->ev[b->n].t = e->time_ns;
		b->ev[b->n].p = e->payload;
		b->n++;
		s->buffered++;
	}
	return 0;
}

int sq_flow_label(sq_conn *s, int64_t trace_id, uint32_t flow_id,
		  const char *label)
{
	if (!s->in_txn)
		return sq_fail(s, -EINVAL,
			       "no transaction: call ojo_store_begin first");
	uint32_t fi;
	if (flow_get(s, trace_id, flow_id, &fi))
		return sq_fail(s, -ENOMEM, "out of memory");
	char *copy = label ? strdup(label) : NULL;
	if (label && !copy)
		return sq_fail(s, -ENOMEM, "out of memory");
	free(s->flows[fi].label);
	s->flows[fi].label = copy;
	s->flows[fi].dirty = true;
	return 0;
}
