/* api_flow.c - the heavy per-flow endpoints: events pages and series. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "http/metrics.h"

#define MAX_TYPES 64

/* Cursor: the last event of the previous page, "T.F.TYPE.B.I". */
static bool parse_cursor(const char *s, ojo_rd_event *e)
{
	int64_t v[5];
	char tmp[128];
	size_t len = strlen(s);
	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len + 1);
	char *p = tmp;
	for (int i = 0; i < 5; i++) {
		char *dot = strchr(p, '.');
		if ((i < 4) != (dot != NULL))
			return false;
		if (dot)
			*dot = 0;
		if (!parse_i64(p, &v[i]))
			return false;
		p = dot ? dot + 1 : p;
	}
	if (v[1] <= 0 || v[2] < 0 || v[2] > UINT32_MAX || v[3] < 0 ||
	    v[4] < 0 || v[4] > UINT32_MAX)
		return false;
	*e = (ojo_rd_event){.time_ns = v[0],
			    .flow_key = v[1],
			    .type = (uint32_t)v[2],
			    .block_id = v[3],
			    .idx = (uint32_t)v[4]};
	return true;
}

/* The flow's own first event (the time base of from/to) and the span of
 * the events a request reads (with its streams when children). */
static int flow_spans(req *q, int64_t key, bool children, int64_t *base,
		      int64_t *first, int64_t *last)
{
	int64_t own_last;
	int rc = ojo_rd_flow_span(q->rd, key, false, base, &own_last);
	if (!rc)
		rc = ojo_rd_flow_span(q->rd, key, children, first, last);
	if (rc == -ENODATA)
		rc = -ENOENT;
	return rc ? req_store_error(q, rc, "key") : 0;
}

int api_events(req *q, int64_t key)
{
	int64_t base, first_all, last_all;
	int64_t children, limit;
	uint32_t types[MAX_TYPES];
	size_t n_types;
	if (arg_int(q, "include_children", 0, 1, 0, &children, NULL) ||
	    arg_int(q, "limit", 1, 10000, 200, &limit, NULL) ||
	    arg_types(q, "types", types, MAX_TYPES, &n_types))
		return -1;
	if (flow_spans(q, key, children, &base, &first_all, &last_all))
		return -1;
	ojo_rd_event_query eq = {.flow_key = key,
				 .children = children,
				 .types = types,
				 .n_types = n_types,
				 .limit = (size_t)limit,
				 .want_total = true};
	if (arg_window(q, base, first_all, last_all, &eq.from_ns, &eq.to_ns))
		return -1;
	const char *cur = req_arg(q, "cursor");
	if (cur) {
		if (!parse_cursor(cur, &eq.after))
			return req_error(q, 400, "cursor",
					 "cursor must be a next_cursor value "
					 "from a previous page");
		eq.has_after = true;
	}
	ojo_rd_event *ev = malloc((size_t)limit * sizeof(*ev));
	if (!ev)
		return req_error(q, 503, NULL, "out of memory");
	size_t n;
	bool more;
	int64_t total;
	type_names tn;
	int rc = ojo_rd_events(q->rd, &eq, ev, &n, &more, &total);
	if (!rc)
		rc = type_names_load(q->rd, &tn);
	if (rc) {
		free(ev);
		return req_store_error(q, rc, "key");
	}
	jw *w = &q->w;
	jw_obj(w);
	jw_ki64s(w, "base_ns", base);
	jw_kint(w, "from", eq.from_ns - base);
	jw_kint(w, "to", eq.to_ns - base);
	jw_kint(w, "total", total);
	jw_key(w, "events");
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(w);
		jw_kint(w, "t", ev[i].time_ns - base);
		put_event_fields(w, &tn, &ev[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "next_cursor");
	if (more && n) {
		const ojo_rd_event *e = &ev[n - 1];
		char c[128];
		snprintf(c, sizeof(c),
			 "%" PRId64 ".%" PRId64 ".%u.%" PRId64 ".%u",
			 e->time_ns, e->flow_key, e->type, e->block_id, e->idx);
		jw_str(w, c);
	} else {
		jw_null(w);
	}
	jw_obj_end(w);
	type_names_free(&tn);
	free(ev);
	return 0;
}

static int copy_label(void *user, const ojo_rd_flow *f)
{
	char *buf = user;
	if (f->label)
		snprintf(buf, 256, "%s", f->label);
	return 0;
}

static void put_i64_array(jw *w, const char *k, const int64_t *v, size_t n,
			  int64_t sub)
{
	jw_key(w, k);
	jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_int(w, v[i] - sub);
	jw_arr_end(w);
}

int api_series(req *q, int64_t key)
{
	const char *name = req_arg(q, "metric");
	if (!name || !*name)
		return req_error(q, 400, "metric", "metric is required");
	const metric *m = metric_find(name);
	metric custom = {0};
	if (!m) {
		int64_t t;
		if (strncmp(name, "type:", 5) || !parse_i64(name + 5, &t) ||
		    t < 0 || t > UINT32_MAX)
			return req_error(q, 400, "metric",
					 "unknown metric (use cwnd, ssthresh, "
					 "bytes_in_flight, rtt_sample, ..., "
					 "or type:N)");
		custom =
		    (metric){.name = name, .type = (uint32_t)t, .series = true};
		m = &custom;
	}
	int64_t points;
	if (arg_int(q, "points", 1, 20000, 1000, &points, NULL))
		return -1;
	int64_t base, first_all, last_all;
	if (flow_spans(q, key, m->children, &base, &first_all, &last_all))
		return -1;
	ojo_rd_series_query sq = {.flow_key = key,
				  .type = m->type,
				  .children = m->children,
				  .range = m->range,
				  .points = (size_t)points};
	if (arg_window(q, base, first_all, last_all, &sq.from_ns, &sq.to_ns))
		return -1;
	const char *unit = m->unit;
	type_names tn = {0};
	int rc;
	if (!unit) {
		rc = type_names_load(q->rd, &tn);
		if (rc)
			return req_store_error(q, rc, NULL);
		long i = type_names_find(&tn, m->type);
		unit = i >= 0 ? tn.t[i].unit : "";
	}
	ojo_rd_series_set set;
	rc = ojo_rd_series_get(q->rd, &sq, &set);
	if (rc) {
		type_names_free(&tn);
		return req_store_error(q, rc, "key");
	}
	jw *w = &q->w;
	jw_obj(w);
	jw_kstr(w, "metric", name);
	jw_kstr(w, "unit", unit);
	jw_kstr(w, "kind", m->range ? "range" : "value");
	jw_ki64s(w, "base_ns", base);
	jw_kint(w, "from", sq.from_ns - base);
	jw_kint(w, "to", sq.to_ns - base);
	jw_kint(w, "points", points);
	jw_kint(w, "count", set.count);
	jw_key(w, "exact");
	jw_bool(w, set.exact);
	jw_kint(w, "bucket_ns", set.bucket_ns);
	jw_key(w, "series");
	jw_arr(w);
	for (size_t i = 0; i < set.n_series; i++) {
		const ojo_rd_series *s = &set.s[i];
		char label[256] = "";
		int lr = ojo_rd_flow_get(q->rd, s->flow_key, copy_label, label);
		jw_obj(w);
		jw_kint(w, "flow", s->flow_key);
		jw_kstr(w, "label", !lr && label[0] ? label : NULL);
		put_i64_array(w, "t", s->t, s->n, base);
		put_i64_array(w, "min", s->vmin, s->n, 0);
		put_i64_array(w, "max", s->vmax, s->n, 0);
		jw_key(w, "n");
		jw_arr(w);
		for (size_t j = 0; j < s->n; j++)
			jw_uint(w, s->cnt[j]);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	ojo_rd_series_free(&set);
	type_names_free(&tn);
	return 0;
}
