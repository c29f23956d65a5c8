/* http_api_flow.c - the heavy per-flow endpoints: events pages and series. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "http/http_metrics.h"

#define MAX_TYPES 64

/* Cursor: the last event of the previous page, "TIME.FLOW.TYPE.SEQ". */
static bool parse_cursor(const char *s, store_event_row *e)
{
	int64_t v[4];
	char tmp[128];
	size_t len = strlen(s);
	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len + 1);
	char *p = tmp;
	for (int i = 0; i < 4; i++) {
		char *dot = strchr(p, '.');
		if ((i < 3) != (dot != NULL))
			return false;
		if (dot)
			*dot = 0;
		if (util_parse_i64(p, &v[i]))
			return false;
		p = dot ? dot + 1 : p;
	}
	if (v[1] <= 0 || v[2] < 0 || v[2] > UINT32_MAX || v[3] < 0)
		return false;
	*e = (store_event_row){.time_ns = v[0],
			       .flow_key = v[1],
			       .type = (uint32_t)v[2],
			       .seq = (uint64_t)v[3]};
	return true;
}

/* The flow's own first event (the time base of from/to) and the span of
 * the events a request reads (with its streams when children). */
static int flow_spans(http_req *q, int64_t key, bool children, int64_t *base,
		      int64_t *first, int64_t *last)
{
	int64_t own_last;
	int rc = store_flow_span(q->rd, key, false, base, &own_last);
	if (!rc)
		rc = store_flow_span(q->rd, key, children, first, last);
	if (rc == -ENODATA)
		rc = -ENOENT;
	return rc ? http_req_store_error(q, rc, "key") : 0;
}

int http_api_events(http_req *q, int64_t key)
{
	int64_t base, first_all, last_all;
	int64_t children, limit;
	uint32_t types[MAX_TYPES];
	size_t n_types;
	if (http_arg_int(q, "include_children", 0, 1, 0, &children, NULL) ||
	    http_arg_int(q, "limit", 1, 10000, 200, &limit, NULL) ||
	    http_arg_types(q, "types", types, MAX_TYPES, &n_types))
		return -1;
	if (flow_spans(q, key, children, &base, &first_all, &last_all))
		return -1;
	store_event_query eq = {.flow_key = key,
				.children = children,
				.types = types,
				.n_types = n_types};
	if (http_arg_window(q, base, first_all, last_all, &eq.from_ns,
			    &eq.to_ns))
		return -1;
	const char *cur = http_req_arg(q, "cursor");
	if (cur) {
		if (!parse_cursor(cur, &eq.after))
			return http_req_error(
			    q, 400, "cursor",
			    "cursor must be a next_cursor value "
			    "from a previous page");
		eq.has_after = true;
	}
	store_event_row *ev = malloc((size_t)limit * sizeof(*ev));
	if (!ev)
		return http_req_error(q, 503, NULL, "out of memory");
	size_t n;
	bool more;
	int64_t total;
	http_types tn;
	int rc = store_events_count(q->rd, &eq, &total);
	if (!rc)
		rc =
		    store_events_page(q->rd, &eq, (size_t)limit, ev, &n, &more);
	if (!rc)
		rc = http_types_load(q->rd, &tn);
	if (rc) {
		free(ev);
		return http_req_store_error(q, rc, "key");
	}
	util_json *w = &q->w;
	util_json_obj(w);
	util_json_ki64s(w, "base_ns", base);
	util_json_kint(w, "from", eq.from_ns - base);
	util_json_kint(w, "to", eq.to_ns - base);
	util_json_kint(w, "total", total);
	util_json_key(w, "events");
	util_json_arr(w);
	for (size_t i = 0; i < n; i++) {
		util_json_obj(w);
		util_json_kint(w, "t", ev[i].time_ns - base);
		http_put_event_fields(w, &tn, &ev[i]);
		util_json_obj_end(w);
	}
	util_json_arr_end(w);
	util_json_key(w, "next_cursor");
	if (more && n) {
		const store_event_row *e = &ev[n - 1];
		char c[128];
		snprintf(c, sizeof(c), "%" PRId64 ".%" PRId64 ".%u.%" PRIu64,
			 e->time_ns, e->flow_key, e->type, e->seq);
		util_json_str(w, c);
	} else {
		util_json_null(w);
	}
	util_json_obj_end(w);
	http_types_free(&tn);
	free(ev);
	return 0;
}

static int copy_label(void *user, const store_flow_row *f)
{
	char *buf = user;
	if (f->label)
		snprintf(buf, 256, "%s", f->label);
	return 0;
}

static void put_i64_array(util_json *w, const char *k, const int64_t *v,
			  size_t n, int64_t sub)
{
	util_json_key(w, k);
	util_json_arr(w);
	for (size_t i = 0; i < n; i++)
		util_json_int(w, v[i] - sub);
	util_json_arr_end(w);
}

int http_api_series(http_req *q, int64_t key)
{
	const char *name = http_req_arg(q, "metric");
	if (!name || !*name)
		return http_req_error(q, 400, "metric", "metric is required");
	const http_metric *m = http_metric_find(name);
	http_metric custom = {0};
	if (!m) {
		int64_t t;
		if (strncmp(name, "type:", 5) || util_parse_i64(name + 5, &t) ||
		    t < 0 || t > UINT32_MAX)
			return http_req_error(
			    q, 400, "metric",
			    "unknown metric (use cwnd, ssthresh, "
			    "bytes_in_flight, rtt_sample, ..., "
			    "or type:N)");
		custom = (http_metric){
		    .name = name, .type = (uint32_t)t, .series = true};
		m = &custom;
	}
	int64_t points;
	if (http_arg_int(q, "points", 1, 20000, 1000, &points, NULL))
		return -1;
	int64_t base, first_all, last_all;
	if (flow_spans(q, key, m->children, &base, &first_all, &last_all))
		return -1;
	store_series_query sq = {.flow_key = key,
				 .type = m->type,
				 .children = m->children,
				 .range = m->range,
				 .points = (size_t)points};
	if (http_arg_window(q, base, first_all, last_all, &sq.from_ns,
			    &sq.to_ns))
		return -1;
	const char *unit = m->unit;
	http_types tn = {0};
	int rc;
	if (!unit) {
		rc = http_types_load(q->rd, &tn);
		if (rc)
			return http_req_store_error(q, rc, NULL);
		long i = http_types_find(&tn, m->type);
		unit = i >= 0 ? tn.t[i].unit : "";
	}
	store_series_set set;
	rc = store_series_get(q->rd, &sq, &set);
	if (rc) {
		http_types_free(&tn);
		return http_req_store_error(q, rc, "key");
	}
	util_json *w = &q->w;
	util_json_obj(w);
	util_json_kstr(w, "metric", name);
	util_json_kstr(w, "unit", unit);
	util_json_kstr(w, "kind", m->range ? "range" : "value");
	util_json_ki64s(w, "base_ns", base);
	util_json_kint(w, "from", sq.from_ns - base);
	util_json_kint(w, "to", sq.to_ns - base);
	util_json_kint(w, "points", points);
	util_json_kint(w, "count", set.count);
	util_json_key(w, "exact");
	util_json_bool(w, set.exact);
	util_json_kint(w, "bucket_ns", set.bucket_ns);
	util_json_key(w, "series");
	util_json_arr(w);
	for (size_t i = 0; i < set.n_series; i++) {
		const store_series *s = &set.s[i];
		char label[256] = "";
		int lr = store_flow_get(q->rd, s->flow_key, copy_label, label);
		util_json_obj(w);
		util_json_kint(w, "flow", s->flow_key);
		util_json_kstr(w, "label", !lr && label[0] ? label : NULL);
		put_i64_array(w, "t", s->t, s->n, base);
		put_i64_array(w, "min", s->vmin, s->n, 0);
		put_i64_array(w, "max", s->vmax, s->n, 0);
		util_json_key(w, "n");
		util_json_arr(w);
		for (size_t j = 0; j < s->n; j++)
			util_json_uint(w, s->cnt[j]);
		util_json_arr_end(w);
		util_json_obj_end(w);
	}
	util_json_arr_end(w);
	util_json_obj_end(w);
	store_series_free(&set);
	http_types_free(&tn);
	return 0;
}
