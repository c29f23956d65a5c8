/* http_export.c - /api/export: a flow (or trace) streamed as CSV or JSON, page
 * by page, so a million events never sit in memory at once. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/export.h"
#include "http/http_int.h"

#define PAGE	  8192
#define MAX_TYPES 64

struct fmeta {
	int64_t key, trace_id;
	uint32_t flow_id;
};

struct exp {
	http_srv *s;
	store *rd;
	bool csv;
	int phase; /* 0 header, 1 events, 2 footer, 3 done */
	store_event_query q;
	uint32_t types[MAX_TYPES];
	store_event_row *ev;
	int64_t base;
	http_types tn;
	struct fmeta *fm;
	size_t n_fm, cap_fm;
	util_json out;
	size_t off;
	bool any;
};

static int add_meta(void *user, const store_flow_row *f)
{
	struct exp *x = user;
	if (x->n_fm == x->cap_fm) {
		size_t cap = x->cap_fm ? x->cap_fm * 2 : 64;
		struct fmeta *m = realloc(x->fm, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		x->fm = m;
		x->cap_fm = cap;
	}
	x->fm[x->n_fm++] = (struct fmeta){f->key, f->trace_id, f->flow_id};
	return 0;
}

static int meta_cmp(const void *a, const void *b)
{
	const struct fmeta *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

static const struct fmeta *meta_find(const struct exp *x, int64_t key)
{
	struct fmeta k = {.key = key};
	return bsearch(&k, x->fm, x->n_fm, sizeof(k), meta_cmp);
}

static int no_trace(void *user, const store_trace_row *t)
{
	(void)user;
	(void)t;
	return 0;
}

static void exp_free(void *cls)
{
	struct exp *x = cls;
	if (x->rd)
		http_pool_put(&x->s->pool, x->rd);
	http_types_free(&x->tn);
	free(x->ev);
	free(x->fm);
	util_json_free(&x->out);
	free(x);
}

/* Formats the next page into x->out; false at the end or on error. */
static int fill(struct exp *x)
{
	util_json *w = &x->out;
	util_json_reset(w);
	x->off = 0;
	if (x->phase == 0) {
		if (x->csv) {
			const char h[] = "time_ns,trace_id,flow_key,flow_id,"
					 "type,name,payload\n";
			util_json_raw(w, h, sizeof(h) - 1);
		} else {
			char b[64];
			int n = snprintf(b, sizeof(b),
					 "{\"base_ns\":\"%" PRId64
					 "\",\"events\":[",
					 x->base);
			util_json_raw(w, b, (size_t)n);
		}
		x->phase = 1;
		return 0;
	}
	if (x->phase == 2) {
		if (!x->csv)
			util_json_raw(w, "]}\n", 3);
		x->phase = 3;
		return 0;
	}
	store_set_deadline(x->rd, util_mono_ns() +
				      (int64_t)x->s->timeout_ms * 1000000);
	size_t n;
	bool more;
	int rc = store_events_page(x->rd, &x->q, PAGE, x->ev, &n, &more);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const store_event_row *e = &x->ev[i];
		if (x->csv) {
			const struct fmeta *m = meta_find(x, e->flow_key);
			long ti = http_types_find(&x->tn, e->type);
			char name[32];
			if (ti < 0)
				snprintf(name, sizeof(name), "type_%u",
					 e->type);
			char b[160];
			int len = snprintf(
			    b, sizeof(b),
			    "%" PRId64 ",%" PRId64 ",%" PRId64 ",%u,%u,",
			    e->time_ns, m ? m->trace_id : 0, e->flow_key,
			    m ? m->flow_id : 0, e->type);
			util_json_raw(w, b, (size_t)len);
			/* names come from catalogs: keep CSV well-formed */
			const char *nm = ti >= 0 ? x->tn.t[ti].name : name;
			bool quote = strpbrk(nm, ",\"\n\r") != NULL;
			if (quote)
				util_json_raw(w, "\"", 1);
			for (const char *p = nm; *p; p++) {
				if (*p == '"')
					util_json_raw(w, "\"", 1);
				util_json_raw(w, p, 1);
			}
			if (quote)
				util_json_raw(w, "\"", 1);
			len = snprintf(b, sizeof(b), ",%" PRIu64 "\n",
				       e->payload);
			util_json_raw(w, b, (size_t)len);
		} else {
			if (x->any)
				util_json_raw(w, ",\n", 2);
			x->any = true;
			util_json ev;
			util_json_init(&ev);
			util_json_obj(&ev);
			util_json_kint(&ev, "t", e->time_ns - x->base);
			util_json_ki64s(&ev, "time_ns", e->time_ns);
			http_put_event_fields(&ev, &x->tn, e);
			util_json_obj_end(&ev);
			util_json_raw(w, ev.buf, ev.len);
			w->oom |= ev.oom;
			util_json_free(&ev);
		}
	}
	if (more && n) {
		x->q.has_after = true;
		x->q.after = x->ev[n - 1];
	} else {
		x->phase = 2;
	}
	return w->oom ? -ENOMEM : 0;
}

static ssize_t exp_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct exp *x = cls;
	(void)pos;
	while (x->off == x->out.len) {
		if (x->phase == 3)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (fill(x))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = x->out.len - x->off;
	if (n > max)
		n = max;
	memcpy(buf, x->out.buf + x->off, n);
	x->off += n;
	return (ssize_t)n;
}

/* qlog through the qlog module's writer (one connection, JSON-SEQ), into
 * an unlinked temporary file that the response then streams. */
static int qlog_export(http_req *q, struct exp *x, int64_t flow, int64_t trace,
		       int64_t base, int64_t first, int64_t last)
{
	export_opts eo;
	export_opts_init(&eo);
	eo.format = EXPORT_QLOG;
	if (flow) {
		const struct fmeta *m = meta_find(x, flow);
		if (!m)
			return http_req_error(q, 404, "flow", "no such flow");
		eo.trace_id = m->trace_id;
		eo.flow_id = m->flow_id;
	} else {
		eo.trace_id = trace;
	}
	if (http_arg_window(q, base, first, last, &eo.from_ns, &eo.to_ns))
		return -1;
	char err[256] = "";
	store *st = NULL;
	int rc = store_open_db(q->s->opts.db_path, STORE_READ, &st, err,
			       sizeof(err));
	FILE *tmp = rc ? NULL : tmpfile();
	if (!rc && !tmp)
		rc = -errno;
	if (!rc)
		rc = export_write(st, &eo, tmp, err, sizeof(err));
	store_close(st);
	if (!rc && fflush(tmp))
		rc = -errno;
	if (rc) {
		if (tmp)
			fclose(tmp);
		if (rc == -EINVAL)
			return http_req_error(q, 400, flow ? "flow" : "trace",
					      "qlog export: %s", err);
		return http_req_error(q, 503, NULL, "qlog export: %s",
				      err[0] ? err : strerror(-rc));
	}
	int fd = dup(fileno(tmp));
	off_t size = lseek(fd, 0, SEEK_END);
	fclose(tmp);
	q->stream = fd >= 0 && size >= 0
			? MHD_create_response_from_fd((size_t)size, fd)
			: NULL;
	if (!q->stream) {
		if (fd >= 0)
			close(fd);
		return http_req_error(q, 503, NULL, "out of memory");
	}
	char cd[96];
	snprintf(cd, sizeof(cd),
		 "attachment; filename=\"ojo-%s-%" PRId64 "%s\"",
		 flow ? "flow" : "trace", flow ? flow : trace,
		 export_suffix(EXPORT_QLOG));
	MHD_add_response_header(q->stream, MHD_HTTP_HEADER_CONTENT_TYPE,
				export_mime(EXPORT_QLOG));
	MHD_add_response_header(q->stream, "Content-Disposition", cd);
	MHD_add_response_header(q->stream, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	return 0;
}

int http_api_export(http_req *q)
{
	static const char *const formats[] = {"csv", "json", "qlog", NULL};
	int64_t flow, trace, children;
	int format;
	struct exp *x = calloc(1, sizeof(*x));
	if (!x)
		return http_req_error(q, 503, NULL, "out of memory");
	util_json_init(&x->out);
	x->s = q->s;
	size_t n_types = 0;
	int rc = -1;
	if (http_arg_int(q, "flow", 1, INT64_MAX, 0, &flow, NULL) ||
	    http_arg_int(q, "trace", 1, INT64_MAX, 0, &trace, NULL) ||
	    http_arg_int(q, "include_children", 0, 1, 0, &children, NULL) ||
	    http_arg_enum(q, "format", formats, 0, &format) ||
	    http_arg_types(q, "types", x->types, MAX_TYPES, &n_types))
		goto fail;
	if (!flow && !trace) {
		http_req_error(q, 400, "flow", "flow or trace is required");
		goto fail;
	}
	int64_t first, last, base;
	if (flow) {
		rc = store_flow_span(q->rd, flow, false, &base, &last);
		if (!rc)
			rc = store_flow_span(q->rd, flow, children, &first,
					     &last);
		if (!rc)
			rc = store_flow_get(q->rd, flow, add_meta, x);
		if (!rc && children) {
			store_flow_query fq = {.parent_key = flow,
					       .limit = INT64_MAX};
			int64_t total;
			rc = store_flows(q->rd, &fq, &total, add_meta, x);
		}
	} else {
		store_flow_query fq = {.trace_id = trace, .limit = INT64_MAX};
		int64_t total;
		rc = store_traces(q->rd, trace, no_trace, NULL);
		if (rc != -ENOENT)
			rc = store_flows(q->rd, &fq, &total, add_meta, x);
		first = INT64_MAX;
		last = INT64_MIN;
		if (!rc && x->n_fm == 0)
			rc = -ENOENT;
		for (size_t i = 0; !rc && i < x->n_fm; i++) {
			int64_t f, l;
			rc =
			    store_flow_span(q->rd, x->fm[i].key, false, &f, &l);
			if (f < first)
				first = f;
			if (l > last)
				last = l;
		}
		base = first;
	}
	if (rc == -ENODATA)
		rc = -ENOENT;
	if (rc) {
		http_req_store_error(q, rc, flow ? "flow" : "trace");
		rc = -1;
		goto fail;
	}
	qsort(x->fm, x->n_fm, sizeof(*x->fm), meta_cmp);
	if (format == 2) {
		rc = qlog_export(q, x, flow, trace, base, first, last);
		x->rd = NULL; /* q->rd stays with the request */
		exp_free(x);
		return rc;
	}
	x->base = base;
	x->csv = format == 0;
	x->q = (store_event_query){
	    .flow_key = flow,
	    .trace_id = trace,
	    .children = children,
	    .types = x->types,
	    .n_types = n_types,
	};
	if (http_arg_window(q, base, first, last, &x->q.from_ns, &x->q.to_ns))
		goto fail;
	rc = http_types_load(q->rd, &x->tn);
	x->ev = malloc(PAGE * sizeof(*x->ev));
	if (rc || !x->ev) {
		http_req_store_error(q, rc ? rc : -ENOMEM, NULL);
		goto fail;
	}
	q->stream = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536,
						      exp_read, x, exp_free);
	if (!q->stream) {
		http_req_error(q, 503, NULL, "out of memory");
		goto fail;
	}
	x->rd = q->rd; /* the response owns the connection now */
	q->rd = NULL;
	char cd[96];
	snprintf(cd, sizeof(cd),
		 "attachment; filename=\"ojo-%s-%" PRId64 ".%s\"",
		 flow ? "flow" : "trace", flow ? flow : trace,
		 x->csv ? "csv" : "json");
	MHD_add_response_header(q->stream, MHD_HTTP_HEADER_CONTENT_TYPE,
				x->csv ? "text/csv; charset=utf-8"
				       : "application/json; charset=utf-8");
	MHD_add_response_header(q->stream, "Content-Disposition", cd);
	MHD_add_response_header(q->stream, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	return 0;
fail:
	http_types_free(&x->tn);
	free(x->ev);
	free(x->fm);
	util_json_free(&x->out);
	free(x);
	return -1;
}
