/* api.c - the summary endpoints: stats, traces, types, flows, one flow. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"
#include "http/metrics.h"
#include "ojo/events.h"

int api_stats(req *q)
{
	ojo_rd_stats st;
	int rc = ojo_rd_stats_get(q->rd, &st);
	if (rc && rc != -ENODATA)
		return req_store_error(q, rc, NULL);
	jw *w = &q->w;
	jw_obj(w);
	jw_key(w, "ready");
	jw_bool(w, rc == 0);
	jw_kint(w, "traces", st.traces);
	jw_kint(w, "flows", st.flows);
	jw_kint(w, "connections", st.connections);
	jw_kint(w, "streams", st.streams);
	jw_kint(w, "events", st.events);
	jw_kint(w, "dropped", st.dropped);
	jw_kint(w, "types", st.types);
	jw_key(w, "files");
	jw_obj(w);
	jw_kint(w, "ingested", st.files_ingested);
	jw_kint(w, "rejected", st.files_rejected);
	jw_obj_end(w);
	jw_ki64s_opt(w, "first_ns", st.has_time, st.first_ns);
	jw_ki64s_opt(w, "last_ns", st.has_time, st.last_ns);
	jw_kint(w, "data_version", (int64_t)live_seq(&q->s->live));
	jw_obj_end(w);
	return 0;
}

static int put_trace(void *user, const ojo_rd_trace *t)
{
	jw *w = user;
	jw_obj(w);
	jw_kint(w, "id", t->id);
	jw_kstr(w, "name", t->name);
	jw_kstr(w, "source", t->source);
	jw_kint(w, "pid", t->pid);
	jw_kstr(w, "vantage", t->vantage);
	jw_kstr(w, "title", t->title);
	jw_ki64s_opt(w, "first_ns", t->has_time, t->first_ns);
	jw_ki64s_opt(w, "last_ns", t->has_time, t->last_ns);
	jw_kint(w, "events", t->events);
	jw_kint(w, "flows", t->flows);
	jw_kint(w, "dropped", t->dropped);
	jw_obj_end(w);
	return 0;
}

int api_traces(req *q)
{
	jw *w = &q->w;
	jw_obj(w);
	jw_key(w, "traces");
	jw_arr(w);
	int rc = ojo_rd_traces(q->rd, 0, put_trace, w);
	if (rc && rc != -ENODATA)
		return req_store_error(q, rc, NULL);
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}

static int put_type(void *user, const ojo_rd_type *t)
{
	jw *w = user;
	jw_obj(w);
	jw_kint(w, "type", t->type);
	jw_kstr(w, "name", t->name);
	jw_kstr(w, "category", t->category);
	jw_kstr(w, "description", t->description);
	jw_kstr(w, "payload_kind", t->payload_kind);
	jw_kstr(w, "unit", t->unit);
	jw_kint(w, "count", t->count);
	jw_obj_end(w);
	return 0;
}

int api_types(req *q)
{
	int64_t flow, trace;
	if (arg_int(q, "flow", 1, INT64_MAX, 0, &flow, NULL) ||
	    arg_int(q, "trace", 1, INT64_MAX, 0, &trace, NULL))
		return -1;
	jw *w = &q->w;
	jw_obj(w);
	jw_key(w, "types");
	jw_arr(w);
	int rc = ojo_rd_types(q->rd, trace, flow, put_type, w);
	if (rc == -ENODATA && (flow || trace))
		rc = -ENOENT;
	if (rc && rc != -ENODATA)
		return req_store_error(q, rc, flow ? "flow" : "trace");
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}

void put_flow(jw *w, const ojo_rd_flow *f)
{
	jw_obj(w);
	jw_kint(w, "key", f->key);
	jw_kint(w, "trace_id", f->trace_id);
	jw_kstr(w, "trace", f->trace_name);
	jw_kint(w, "flow_id", f->flow_id);
	jw_kint_opt(w, "parent_key", f->has_parent, f->parent_key);
	jw_kstr(w, "label", f->label);
	jw_kstr(w, "kind", f->has_parent ? "stream" : "connection");
	jw_ki64s(w, "first_ns", f->first_ns);
	jw_ki64s(w, "last_ns", f->last_ns);
	jw_kint(w, "duration_ns", f->last_ns - f->first_ns);
	jw_kint(w, "events", f->events);
	jw_kint(w, "packets_sent", f->packets_sent);
	jw_kint(w, "packets_received", f->packets_received);
	jw_kint(w, "packets_acked", f->packets_acked);
	jw_kint(w, "packets_lost", f->packets_lost);
	jw_kint(w, "packets_retransmitted", f->packets_retransmitted);
	jw_kint(w, "bytes_sent", f->bytes_sent);
	jw_kint(w, "bytes_acked", f->bytes_acked);
	jw_kint_opt(w, "max_cwnd", f->has_max_cwnd, f->max_cwnd);
	jw_kint_opt(w, "last_cwnd", f->has_last_cwnd, f->last_cwnd);
	jw_kint(w, "streams", f->streams);
	jw_obj_end(w);
}

static int put_flow_cb(void *user, const ojo_rd_flow *f)
{
	put_flow(user, f);
	return 0;
}

int api_flows(req *q)
{
	static const char *const kinds[] = {"all", "connections", "streams",
					    NULL};
	static const char *const sorts[] = {"start", "duration", "events",
					    "losses", NULL};
	static const char *const orders[] = {"asc", "desc", NULL};
	ojo_rd_flow_query fq = {0};
	int64_t type;
	bool has_type;
	int order;
	if (arg_int(q, "trace", 1, INT64_MAX, 0, &fq.trace_id, NULL) ||
	    arg_int(q, "type", 0, UINT32_MAX, 0, &type, &has_type) ||
	    arg_int(q, "parent", 1, INT64_MAX, 0, &fq.parent_key, NULL) ||
	    arg_enum(q, "kind", kinds, 0, &fq.kind) ||
	    arg_enum(q, "sort", sorts, 0, &fq.sort) ||
	    arg_enum(q, "order", orders, fq.sort == OJO_RD_BY_START ? 0 : 1,
		     &order) ||
	    arg_int(q, "offset", 0, 1000000000, 0, &fq.offset, NULL) ||
	    arg_int(q, "limit", 1, 1000, 50, &fq.limit, NULL))
		return -1;
	fq.has_type = has_type;
	fq.type = (uint32_t)type;
	fq.desc = order == 1;
	fq.q = req_arg(q, "q");
	if (fq.q && strlen(fq.q) > 200)
		return req_error(q, 400, "q",
				 "q must be at most 200 characters");
	jw page;
	jw_init(&page);
	jw_arr(&page);
	int64_t total = 0;
	int rc = ojo_rd_flows(q->rd, &fq, &total, put_flow_cb, &page);
	jw_arr_end(&page);
	if (rc && rc != -ENODATA) {
		jw_free(&page);
		return req_store_error(q, rc, NULL);
	}
	jw *w = &q->w;
	jw_obj(w);
	jw_kint(w, "total", total);
	jw_kint(w, "offset", fq.offset);
	jw_kint(w, "limit", fq.limit);
	jw_key(w, "flows");
	jw_rawval(w, page.buf, page.len);
	jw_obj_end(w);
	w->oom |= page.oom;
	jw_free(&page);
	return 0;
}

struct flow_detail {
	jw *w;
	int64_t count[METRIC_COUNT];
	int64_t parent;
};

static int first_flow(void *user, const ojo_rd_flow *f)
{
	struct flow_detail *d = user;
	jw_ki64s(d->w, "base_ns", f->first_ns);
	jw_key(d->w, "flow");
	put_flow(d->w, f);
	d->parent = f->has_parent ? f->parent_key : 0;
	return 0;
}

struct typecount_ctx {
	jw *w;
	type_names tn;
};

static int put_typecount(void *user, uint32_t type, int64_t n)
{
	struct typecount_ctx *c = user;
	jw_obj(c->w);
	jw_kint(c->w, "type", type);
	long i = type_names_find(&c->tn, type);
	char name[32];
	snprintf(name, sizeof(name), "type_%u", type);
	jw_kstr(c->w, "name", i >= 0 ? c->tn.t[i].name : name);
	jw_kint(c->w, "count", n);
	jw_obj_end(c->w);
	return 0;
}

static int own_count(void *user, uint32_t type, int64_t n)
{
	struct flow_detail *d = user;
	for (int i = 0; i < METRIC_COUNT; i++)
		if (!metrics[i].children && metric_has_type(&metrics[i], type))
			d->count[i] += n;
	return 0;
}

static int tree_count(void *user, uint32_t type, int64_t n)
{
	struct flow_detail *d = user;
	for (int i = 0; i < METRIC_COUNT; i++)
		if (metrics[i].children && metric_has_type(&metrics[i], type))
			d->count[i] += n;
	return 0;
}

int api_flow(req *q, int64_t key)
{
	jw *w = &q->w;
	struct flow_detail d = {.w = w};
	jw_obj(w);
	int rc = ojo_rd_flow_get(q->rd, key, first_flow, &d);
	if (rc == -ENODATA)
		rc = -ENOENT;
	if (rc)
		return req_store_error(q, rc, "key");
	jw_key(w, "parent");
	if (d.parent > 0) {
		rc = ojo_rd_flow_get(q->rd, d.parent, put_flow_cb, w);
		if (rc == -ENOENT) {
			jw_null(w);
			rc = 0;
		}
	} else {
		jw_null(w);
	}
	if (rc)
		return req_store_error(q, rc, "key");
	jw_key(w, "streams");
	jw_arr(w);
	ojo_rd_flow_query fq = {.parent_key = key, .limit = 1000};
	int64_t total;
	rc = ojo_rd_flows(q->rd, &fq, &total, put_flow_cb, w);
	if (rc)
		return req_store_error(q, rc, "key");
	jw_arr_end(w);
	jw_key(w, "types");
	jw_arr(w);
	struct typecount_ctx tc = {.w = w};
	rc = type_names_load(q->rd, &tc.tn);
	if (!rc)
		rc = ojo_rd_flow_type_counts(q->rd, key, false, put_typecount,
					     &tc);
	type_names_free(&tc.tn);
	if (!rc)
		rc = ojo_rd_flow_type_counts(q->rd, key, false, own_count, &d);
	if (!rc)
		rc = ojo_rd_flow_type_counts(q->rd, key, true, tree_count, &d);
	if (rc)
		return req_store_error(q, rc, "key");
	jw_arr_end(w);
	jw_key(w, "metrics");
	jw_obj(w);
	for (int i = 0; i < METRIC_COUNT; i++)
		jw_kint(w, metrics[i].name, d.count[i]);
	jw_obj_end(w);
	jw_key(w, "missing");
	jw_arr(w);
	for (int i = 0; i < METRIC_COUNT; i++)
		if (!d.count[i])
			jw_str(w, metrics[i].name);
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}
