/* store.c - the store interface's one implementation of what does not
 * depend on the backend: handles, error text, deadlines, shared state,
 * argument checks, and event pages built on store_events(). Everything
 * else is forwarded to the backend's store_ops (store_backend.h). */
#include "store/store_backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------- */

int store_vfail(store *s, int code, const char *fmt, va_list ap)
{
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	return code;
}

int store_fail(store *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	store_vfail(s, code, fmt, ap);
	va_end(ap);
	return code;
}

const char *store_errmsg(const store *s)
{
	if (!s)
		return "no store";
	return s->err[0] ? s->err : "no error";
}

const char *store_backend_name(const store *s)
{
	return s->ops->name;
}

/* ---- shared state ------------------------------------------------------- */

#define SHARED_SLOTS 4

struct store_shared {
	pthread_mutex_t mu;
	size_t cache_bytes;
	struct {
		const store_ops *ops;
		void *state;
		void (*destroy)(void *state);
	} slot[SHARED_SLOTS];
};

store_shared *store_shared_new(size_t cache_bytes)
{
	store_shared *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return NULL;
	pthread_mutex_init(&sh->mu, NULL);
	sh->cache_bytes = cache_bytes;
	return sh;
}

void store_shared_free(store_shared *sh)
{
	if (!sh)
		return;
	for (int i = 0; i < SHARED_SLOTS; i++)
		if (sh->slot[i].ops && sh->slot[i].destroy)
			sh->slot[i].destroy(sh->slot[i].state);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

void *store_shared_state(store_shared *sh, const store_ops *ops,
			 void *(*make)(size_t cache_bytes),
			 void (*destroy)(void *state))
{
	void *state = NULL;
	if (!sh)
		return NULL;
	pthread_mutex_lock(&sh->mu);
	for (int i = 0; i < SHARED_SLOTS; i++) {
		if (sh->slot[i].ops == ops) {
			state = sh->slot[i].state;
			break;
		}
		if (!sh->slot[i].ops) {
			state = make(sh->cache_bytes);
			if (state) {
				sh->slot[i].ops = ops;
				sh->slot[i].state = state;
				sh->slot[i].destroy = destroy;
			}
			break;
		}
	}
	pthread_mutex_unlock(&sh->mu);
	return state;
}

/* ---- handles ------------------------------------------------------------ */

int store_open_with(const store_ops *ops, const store_opts *o, store **out,
		    char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	if (o->mode != STORE_READ && o->mode != STORE_WRITE) {
		if (err)
			snprintf(err, errlen, "bad open mode %d", o->mode);
		return -EINVAL;
	}
	store *s = calloc(1, ops->handle_size);
	if (!s) {
		if (err)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ops = ops;
	s->mode = o->mode;
	s->shared = o->shared;
	s->notice = o->notice;
	s->notice_user = o->notice_user;
	int rc = ops->open(s, o);
	if (rc) {
		if (err)
			snprintf(err, errlen, "%s",
				 s->err[0] ? s->err : strerror(-rc));
		ops->close(s);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}

void store_set_deadline(store *s, int64_t deadline_ns)
{
	s->deadline_ns = deadline_ns;
}

int store_version(store *s, int64_t *out)
{
	return s->ops->version(s, out);
}

/* ---- ingestion ---------------------------------------------------------- */

static int need_write(store *s)
{
	if (s->mode != STORE_WRITE)
		return store_fail(s, -EACCES, "database opened read-only");
	return 0;
}

int store_file_get(store *s, const char *path, store_file_status *status,
		   int64_t *size, int64_t *mtime_ns)
{
	store_file_status st = STORE_FILE_UNKNOWN;
	int64_t sz = 0, mt = 0;
	int rc = s->ops->file_get(s, path, &st, &sz, &mt);
	if (status)
		*status = rc ? STORE_FILE_UNKNOWN : st;
	if (size)
		*size = rc ? 0 : sz;
	if (mtime_ns)
		*mtime_ns = rc ? 0 : mt;
	return rc;
}

int store_begin(store *s)
{
	int rc = need_write(s);
	return rc ? rc : s->ops->begin(s);
}

int store_commit(store *s)
{
	int rc = need_write(s);
	return rc ? rc : s->ops->commit(s);
}

int store_rollback(store *s)
{
	int rc = need_write(s);
	return rc ? rc : s->ops->rollback(s);
}

int store_trace(store *s, const store_trace_info *info, int64_t *trace_id)
{
	int rc = need_write(s);
	if (rc)
		return rc;
	if (!info || !info->name || !info->name[0])
		return store_fail(s, -EINVAL, "trace without a name");
	return s->ops->trace(s, info, trace_id);
}

int store_append(store *s, int64_t trace_id, const store_event *ev, size_t n)
{
	int rc = need_write(s);
	if (rc || n == 0)
		return rc;
	return s->ops->append(s, trace_id, ev, n);
}

int store_flow_label(store *s, int64_t trace_id, uint32_t flow_id,
		     const char *label)
{
	int rc = need_write(s);
	return rc ? rc : s->ops->flow_label(s, trace_id, flow_id, label);
}

int store_unmapped(store *s, int64_t trace_id, uint32_t flow_id,
		   int64_t time_ns, const char *name, const char *json)
{
	int rc = need_write(s);
	return rc ? rc
		  : s->ops->unmapped(s, trace_id, flow_id, time_ns, name, json);
}

int store_event_type(store *s, const store_type_info *ti)
{
	int rc = need_write(s);
	if (rc)
		return rc;
	if (!ti || !ti->name || !ti->name[0])
		return store_fail(s, -EINVAL, "event type without a name");
	return s->ops->event_type(s, ti);
}

int store_file_done(store *s, const store_file_info *fi)
{
	int rc = need_write(s);
	if (rc)
		return rc;
	if (!fi || !fi->path)
		return store_fail(s, -EINVAL, "file without a path");
	if (fi->status != STORE_FILE_INGESTED &&
	    fi->status != STORE_FILE_REJECTED)
		return store_fail(s, -EINVAL,
				  "file status must be ingested or rejected");
	return s->ops->file_done(s, fi);
}

/* ---- reading ------------------------------------------------------------ */

int store_stats_get(store *s, store_stats *out)
{
	memset(out, 0, sizeof(*out));
	return s->ops->stats(s, out);
}

int store_traces(store *s, int64_t id, store_trace_fn fn, void *user)
{
	return s->ops->traces(s, id, fn, user);
}

int store_types(store *s, int64_t trace_id, int64_t flow_key, store_type_fn fn,
		void *user)
{
	return s->ops->types(s, trace_id, flow_key, fn, user);
}

int store_type_catalog(store *s, store_type_fn fn, void *user)
{
	return s->ops->type_catalog(s, fn, user);
}

int store_flows(store *s, const store_flow_query *q, int64_t *total,
		store_flow_fn fn, void *user)
{
	*total = 0;
	if (q->sort < STORE_BY_START || q->sort > STORE_BY_LOSSES ||
	    q->offset < 0 || q->limit < 0)
		return store_fail(s, -EINVAL, "bad flow query");
	return s->ops->flows(s, q, total, fn, user);
}

int store_flow_get(store *s, int64_t key, store_flow_fn fn, void *user)
{
	return s->ops->flow_get(s, key, fn, user);
}

int store_trace_flows(store *s, int64_t trace_id, store_flow_fn fn, void *user)
{
	return s->ops->trace_flows(s, trace_id, fn, user);
}

int store_flow_type_counts(store *s, int64_t key, bool children,
			   store_count_fn fn, void *user)
{
	return s->ops->flow_type_counts(s, key, children, fn, user);
}

int store_trace_type_counts(store *s, int64_t trace_id, store_flow_count_fn fn,
			    void *user)
{
	return s->ops->trace_type_counts(s, trace_id, fn, user);
}

int store_flow_span(store *s, int64_t key, bool children, int64_t *first,
		    int64_t *last)
{
	return s->ops->flow_span(s, key, children, first, last);
}

static int check_event_query(store *s, const store_event_query *q)
{
	if ((q->flow_key > 0) == (q->trace_id > 0))
		return store_fail(s, -EINVAL,
				  "events: give a flow or a trace, not both");
	if (q->n_flow_ids && q->flow_key > 0)
		return store_fail(s, -EINVAL,
				  "events: flow ids need a trace, not a flow");
	return 0;
}

int store_events(store *s, const store_event_query *q, store_event_fn fn,
		 void *user)
{
	int rc = check_event_query(s, q);
	if (rc || q->from_ns > q->to_ns)
		return rc;
	return s->ops->events(s, q, fn, user);
}

int store_events_count(store *s, const store_event_query *q, int64_t *n)
{
	*n = 0;
	int rc = check_event_query(s, q);
	if (rc || q->from_ns > q->to_ns)
		return rc;
	return s->ops->events_count(s, q, n);
}

struct page {
	store_event_row *out;
	size_t limit, n;
	bool more;
};

static int page_add(void *user, const store_event_row *e)
{
	struct page *p = user;
	if (p->n == p->limit) {
		p->more = true;
		return 1; /* one past the page: stop */
	}
	p->out[p->n] = *e;
	p->out[p->n].name = p->out[p->n].json = NULL; /* not kept */
	p->n++;
	return 0;
}

int store_events_page(store *s, const store_event_query *q, size_t limit,
		      store_event_row *out, size_t *n, bool *more)
{
	struct page p = {out, limit, 0, false};
	int rc = store_events(s, q, page_add, &p);
	*n = p.n;
	*more = p.more;
	return rc == 1 ? 0 : rc;
}

int store_series_get(store *s, const store_series_query *q,
		     store_series_set *out)
{
	memset(out, 0, sizeof(*out));
	if (q->points == 0 || q->to_ns < q->from_ns)
		return store_fail(s, -EINVAL, "series: empty window");
	return s->ops->series(s, q, out);
}

void store_series_free(store_series_set *set)
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

int store_query(store *s, const char *sql, const store_query_cb *cb)
{
	return s->ops->query(s, sql, cb);
}
