/* http_api.c - the summary endpoints: stats, traces, types, flows, one flow. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"
#include "http/http_metrics.h"
#include "ojo/events.h"

int http_api_stats(http_req *q)
{
	store_stats st;
	int rc = store_stats_get(q->rd, &st);
	if (rc && rc != -ENODATA)
		return http_req_store_error(q, rc, NULL);
	util_json *w = &q->w;
	util_json_obj(w);
	util_json_key(w, "ready");
	util_json_bool(w, rc == 0);
	util_json_kint(w, "traces", st.traces);
	util_json_kint(w, "flows", st.flows);
	util_json_kint(w, "connections", st.connections);
	util_json_kint(w, "streams", st.streams);
	util_json_kint(w, "events", st.events);
	util_json_kint(w, "dropped", st.dropped);
	util_json_kint(w, "types", st.types);
	util_json_key(w, "files");
	util_json_obj(w);
	util_json_kint(w, "ingested", st.files_ingested);
	util_json_kint(w, "rejected", st.files_rejected);
	util_json_obj_end(w);
	util_json_ki64s_opt(w, "first_ns", st.has_time, st.first_ns);
	util_json_ki64s_opt(w, "last_ns", st.has_time, st.last_ns);
	util_json_kint(w, "data_version", (int64_t)http_live_seq(&q->s->live));
	util_json_obj_end(w);
	return 0;
}

static int put_trace(void *user, const store_trace_row *t)
{
	util_json *w = user;
	util_json_obj(w);
	util_json_kint(w, "id", t->id);
	util_json_kstr(w, "name", t->name);
	util_json_kstr(w, "source", t->source);
	util_json_kint(w, "pid", t->pid);
	util_json_kstr(w, "vantage", t->vantage);
	util_json_kstr(w, "title", t->title);
	util_json_ki64s_opt(w, "first_ns", t->has_time, t->first_ns);
	util_json_ki64s_opt(w, "last_ns", t->has_time, t->last_ns);
	util_json_kint(w, "events", t->events);
	util_json_kint(w, "flows", t->flows);
	util_json_kint(w, "dropped", t->dropped);
	util_json_obj_end(w);
	return 0;
}

int http_api_traces(http_req *q)
{
	util_json *w = &q->w;
	util_json_obj(w);
	util_json_key(w, "traces");
	util_json_arr(w);
	int rc = store_traces(q->rd, 0, put_trace, w);
	if (rc && rc != -ENODATA)
		return http_req_store_error(q, rc, NULL);
	util_json_arr_end(w);
	util_json_obj_end(w);
	return 0;
}

static int put_type(void *user, const store_type_row *t)
{
	util_json *w = user;
	util_json_obj(w);
	util_json_kint(w, "type", t->type);
	util_json_kstr(w, "name", t->name);
	util_json_kstr(w, "category", t->category);
	util_json_kstr(w, "description", t->description);
	util_json_kstr(w, "payload_kind", t->payload_kind);
	util_json_kstr(w, "unit", t->unit);
	util_json_kint(w, "count", t->count);
	util_json_obj_end(w);
	return 0;
}

int http_api_types(http_req *q)
{
	int64_t flow, trace;
	if (http_arg_int(q, "flow", 1, INT64_MAX, 0, &flow, NULL) ||
	    http_arg_int(q, "trace", 1, INT64_MAX, 0, &trace, NULL))
		return -1;
	util_json *w = &q->w;
	util_json_obj(w);
	util_json_key(w, "types");
	util_json_arr(w);
	int rc = store_types(q->rd, trace, flow, put_type, w);
	if (rc == -ENODATA && (flow || trace))
		rc = -ENOENT;
	if (rc && rc != -ENODATA)
		return http_req_store_error(q, rc, flow ? "flow" : "trace");
	util_json_arr_end(w);
	util_json_obj_end(w);
	return 0;
}

void http_put_flow(util_json *w, const store_flow_row *f)
{
	util_json_obj(w);
	util_json_kint(w, "key", f->key);
	util_json_kint(w, "trace_id", f->trace_id);
	util_json_kstr(w, "trace", f->trace_name);
	util_json_kint(w, "flow_id", f->flow_id);
	util_json_kint_opt(w, "parent_key", f->has_parent, f->parent_key);
	util_json_kstr(w, "label", f->label);
	util_json_kstr(w, "kind", f->has_parent ? "stream" : "connection");
	util_json_ki64s(w, "first_ns", f->first_ns);
	util_json_ki64s(w, "last_ns", f->last_ns);
	util_json_kint(w, "duration_ns", f->last_ns - f->first_ns);
	util_json_kint(w, "events", f->events);
	util_json_kint(w, "packets_sent", f->packets_sent);
	util_json_kint(w, "packets_received", f->packets_received);
	util_json_kint(w, "packets_acked", f->packets_acked);
	util_json_kint(w, "packets_lost", f->packets_lost);
	util_json_kint(w, "packets_retransmitted", f->packets_retransmitted);
	util_json_kint(w, "bytes_sent", f->bytes_sent);
	util_json_kint(w, "bytes_acked", f->bytes_acked);
	util_json_kint_opt(w, "max_cwnd", f->has_max_cwnd, f->max_cwnd);
	util_json_kint_opt(w, "last_cwnd", f->has_last_cwnd, f->last_cwnd);
	util_json_kint(w, "streams", f->streams);
	util_json_obj_end(w);
}

static int put_flow_cb(void *user, const store_flow_row *f)
{
	http_put_flow(user, f);
	return 0;
}

int http_api_flows(http_req *q)
{
	static const char *const kinds[] = {"all", "connections", "streams",
					    NULL};
	static const char *const sorts[] = {"start", "duration", "events",
					    "losses", NULL};
	static const char *const orders[] = {"asc", "desc", NULL};
	store_flow_query fq = {0};
	int64_t type;
	bool has_type;
	int order;
	if (http_arg_int(q, "trace", 1, INT64_MAX, 0, &fq.trace_id, NULL) ||
	    http_arg_int(q, "type", 0, UINT32_MAX, 0, &type, &has_type) ||
	    http_arg_int(q, "parent", 1, INT64_MAX, 0, &fq.parent_key, NULL) ||
	    http_arg_enum(q, "kind", kinds, 0, &fq.kind) ||
	    http_arg_enum(q, "sort", sorts, 0, &fq.sort) ||
	    http_arg_enum(q, "order", orders, fq.sort == STORE_BY_START ? 0 : 1,
			  &order) ||
	    http_arg_int(q, "offset", 0, 1000000000, 0, &fq.offset, NULL) ||
	    http_arg_int(q, "limit", 1, 1000, 50, &fq.limit, NULL))
		return -1;
	fq.has_type = has_type;
	fq.type = (uint32_t)type;
	fq.desc = order == 1;
	fq.q = http_req_arg(q, "q");
	if (fq.q && strlen(fq.q) > 200)
		return http_req_error(q, 400, "q",
				      "q must be at most 200 characters");
	util_json page;
	util_json_init(&page);
	util_json_arr(&page);
	int64_t total = 0;
	int rc = store_flows(q->rd, &fq, &total, put_flow_cb, &page);
	util_json_arr_end(&page);
	if (rc && rc != -ENODATA) {
		util_json_free(&page);
		return http_req_store_error(q, rc, NULL);
	}
	util_json *w = &q->w;
	util_json_obj(w);
	util_json_kint(w, "total", total);
	util_json_kint(w, "offset", fq.offset);
	util_json_kint(w, "limit", fq.limit);
	util_json_key(w, "flows");
	util_json_rawval(w, page.buf, page.len);
	util_json_obj_end(w);
	w->oom |= page.oom;
	util_json_free(&page);
	return 0;
}

struct flow_detail {
	util_json *w;
	int64_t count[HTTP_METRIC_COUNT];
	int64_t parent;
};

static int first_flow(void *user, const store_flow_row *f)
{
	struct flow_detail *d = user;
	util_json_ki64s(d->w, "base_ns", f->first_ns);
	util_json_key(d->w, "flow");
	http_put_flow(d->w, f);
	d->parent = f->has_parent ? f->parent_key : 0;
	return 0;
}

struct typecount_ctx {
	util_json *w;
	http_types tn;
};

static int put_typecount(void *user, uint32_t type, int64_t n)
{
	struct typecount_ctx *c = user;
	util_json_obj(c->w);
	util_json_kint(c->w, "type", type);
	long i = http_types_find(&c->tn, type);
	char name[32];
	snprintf(name, sizeof(name), "type_%u", type);
	util_json_kstr(c->w, "name", i >= 0 ? c->tn.t[i].name : name);
	util_json_kint(c->w, "count", n);
	util_json_obj_end(c->w);
	return 0;
}

static int own_count(void *user, uint32_t type, int64_t n)
{
	struct flow_detail *d = user;
	for (int i = 0; i < HTTP_METRIC_COUNT; i++)
		if (!http_metrics[i].children &&
		    http_metric_has_type(&http_metrics[i], type))
			d->count[i] += n;
	return 0;
}

static int tree_count(void *user, uint32_t type, int64_t n)
{
	struct flow_detail *d = user;
	for (int i = 0; i < HTTP_METRIC_COUNT; i++)
		if (http_metrics[i].children &&
		    http_metric_has_type(&http_metrics[i], type))
			d->count[i] += n;
	return 0;
}

int http_api_flow(http_req *q, int64_t key)
{
	util_json *w = &q->w;
	struct flow_detail d = {.w = w};
	util_json_obj(w);
	int rc = store_flow_get(q->rd, key, first_flow, &d);
	if (rc == -ENODATA)
		rc = -ENOENT;
	if (rc)
		return http_req_store_error(q, rc, "key");
	util_json_key(w, "parent");
	if (d.parent > 0) {
		rc = store_flow_get(q->rd, d.parent, put_flow_cb, w);
		if (rc == -ENOENT) {
			util_json_null(w);
			rc = 0;
		}
	} else {
		util_json_null(w);
	}
	if (rc)
		return http_req_store_error(q, rc, "key");
	util_json_key(w, "streams");
	util_json_arr(w);
	store_flow_query fq = {.parent_key = key, .limit = 1000};
	int64_t total;
	rc = store_flows(q->rd, &fq, &total, put_flow_cb, w);
	if (rc)
		return http_req_store_error(q, rc, "key");
	util_json_arr_end(w);
	util_json_key(w, "types");
	util_json_arr(w);
	struct typecount_ctx tc = {.w = w};
	rc = http_types_load(q->rd, &tc.tn);
	if (!rc)
		rc = store_flow_type_counts(q->rd, key, false, put_typecount,
					    &tc);
	http_types_free(&tc.tn);
	if (!rc)
		rc = store_flow_type_counts(q->rd, key, false, own_count, &d);
	if (!rc)
		rc = store_flow_type_counts(q->rd, key, true, tree_count, &d);
	if (rc)
		return http_req_store_error(q, rc, "key");
	util_json_arr_end(w);
	util_json_key(w, "metrics");
	util_json_obj(w);
	for (int i = 0; i < HTTP_METRIC_COUNT; i++)
		util_json_kint(w, http_metrics[i].name, d.count[i]);
	util_json_obj_end(w);
	util_json_key(w, "missing");
	util_json_arr(w);
	for (int i = 0; i < HTTP_METRIC_COUNT; i++)
		if (!d.count[i])
			util_json_str(w, http_metrics[i].name);
	util_json_arr_end(w);
	util_json_obj_end(w);
	return 0;
}
