/* export.c - writing stored events out: which connections a selection
 * (trace, flow, time window) covers, and the entry points of export.h.
 * The qlog writer is export_qlog.c, CSV/JSON rows export_flat.c. */
#include "export/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/export_int.h"
#include "ojo/events.h"
#include "qlog/qlog.h"

/* ---- small helpers --------------------------------------------------- */

int export_errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int export_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

void export_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ns as milliseconds with up to 6 decimals, exactly. */
void export_print_ms(FILE *f, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t whole = a / 1000000, frac = a % 1000000;
	int digits = 6;
	if (ns < 0)
		fputc('-', f);
	fprintf(f, "%" PRIu64, whole);
	if (!frac)
		return;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	fprintf(f, ".%0*" PRIu64, digits, frac);
}

const char *export_type_name(uint32_t type, char *buf, size_t n)
{
	const ojo_event_type_info *ti = ojo_event_type_lookup(type);
	if (ti)
		return ti->name;
	switch (type) {
	case QLOG_EV_PACKET_SPACE:
		return "qlog_packet_space";
	case QLOG_EV_MAX_DATA_ADVERTISED:
		return "max_data_advertised";
	case QLOG_EV_MAX_STREAM_DATA_ADVERTISED:
		return "max_stream_data_advertised";
	case QLOG_EV_PACKET_SIZE:
		return "qlog_packet_size";
	default:
		snprintf(buf, n, "type_%u", type);
		return buf;
	}
}

int export_conn_filter(const export_trace *t, const export_flow *conn,
		       uint32_t only, const export_opts *o,
		       store_event_query *f, uint32_t **ids)
{
	size_t n = 0;
	if (!(*ids = malloc((t->n + 1) * sizeof(**ids))))
		return -ENOMEM;
	if (only) {
		(*ids)[n++] = only;
	} else {
		(*ids)[n++] = conn->id;
		for (size_t i = 0; i < t->n; i++)
			if (t->f[i].has_parent && t->f[i].parent == conn->id)
				(*ids)[n++] = t->f[i].id;
	}
	*f = (store_event_query){.trace_id = t->id};
	f->flow_ids = *ids;
	f->n_flow_ids = n;
	f->from_ns = o->from_ns;
	f->to_ns = o->to_ns;
	f->unmapped = true;
	return 0;
}

/* ---- flows of a trace ------------------------------------------------ */

static int flow_cb(void *ctx, const store_flow_row *fl)
{
	export_trace *t = ctx;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		export_flow *nv = realloc(t->f, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		t->f = nv;
		t->cap = nc;
	}
	export_flow *x = &t->f[t->n++];
	memset(x, 0, sizeof(*x));
	x->id = fl->flow_id;
	x->parent = fl->parent_flow_id;
	x->has_parent = fl->has_parent;
	x->label = fl->label ? strdup(fl->label) : NULL;
	x->first_ns = fl->first_ns;
	x->sid = fl->flow_id;
	if (x->label)
		sscanf(x->label, "stream %" SCNu64, &x->sid);
	return 0;
}

static int trace_cb(void *ctx, const store_trace_row *tr)
{
	export_trace *t = ctx;
	t->id = tr->id;
	t->vantage = tr->vantage ? strdup(tr->vantage) : NULL;
	t->title = tr->title ? strdup(tr->title) : NULL;
	return 0;
}

static void xtrace_free(export_trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->f[i].label);
	free(t->f);
	free(t->vantage);
	free(t->title);
	memset(t, 0, sizeof(*t));
}

export_flow *export_find_flow(export_trace *t, uint32_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].id == id)
			return &t->f[i];
	return NULL;
}

static int sid_cb(void *ctx, const store_event_row *e)
{
	export_flow *x = export_find_flow(ctx, e->flow_id);
	if (x && x->has_parent)
		x->sid = e->payload;
	return 0;
}

static int xtrace_load(store *s, int64_t trace_id, export_trace *t)
{
	static const uint32_t opened = OJO_EV_STREAM_OPENED;
	store_event_query f = {.trace_id = trace_id,
			       .types = &opened,
			       .n_types = 1,
			       .from_ns = INT64_MIN,
			       .to_ns = INT64_MAX};
	int rc;
	memset(t, 0, sizeof(*t));
	if ((rc = store_traces(s, trace_id, trace_cb, t)) < 0 ||
	    (rc = store_trace_flows(s, trace_id, flow_cb, t)) < 0)
		return rc;
	return store_events(s, &f, sid_cb, t);
}

/* ---- selection ------------------------------------------------------- */

typedef struct trace_ids {
	int64_t v[4096];
	int n;
} trace_ids;

static int all_traces_cb(void *ctx, const store_trace_row *t)
{
	trace_ids *l = ctx;
	if (l->n < 4096)
		l->v[l->n++] = t->id;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Calls fn for each selected connection. */
typedef int (*conn_fn)(void *ctx, export_trace *t, const export_flow *conn);

static int for_conns(store *s, const export_opts *o, conn_fn fn, void *ctx,
		     char *err, size_t errlen)
{
	trace_ids *l = calloc(1, sizeof(*l));
	int rc = 0, found = 0;
	if (!l)
		return export_errf(err, errlen, -ENOMEM, "out of memory");
	rc = store_traces(s, o->trace_id, all_traces_cb, l);
	if (rc == -ENOENT)
		rc = 0; /* an absent trace is reported below */
	if (rc < 0) {
		free(l);
		return export_errf(err, errlen, rc, "%s", store_errmsg(s));
	}
	qsort(l->v, (size_t)l->n, sizeof(l->v[0]), id_cmp); /* id order */
	if (o->trace_id && l->n == 0) {
		free(l);
		return export_errf(err, errlen, -ENOENT, "no trace %" PRId64,
				   o->trace_id);
	}
	for (int i = 0; i < l->n && rc == 0; i++) {
		export_trace t;
		if ((rc = xtrace_load(s, l->v[i], &t)) < 0) {
			export_errf(err, errlen, rc, "%s", store_errmsg(s));
			xtrace_free(&t);
			break;
		}
		for (size_t k = 0; k < t.n && rc == 0; k++) {
			export_flow *c = &t.f[k];
			if (c->has_parent)
				continue;
			if (o->flow_id) {
				export_flow *want =
				    export_find_flow(&t, o->flow_id);
				if (!want ||
				    (want->has_parent ? want->parent != c->id
						      : want->id != c->id))
					continue;
			}
			found++;
			rc = fn(ctx, &t, c);
		}
		xtrace_free(&t);
	}
	free(l);
	if (rc == 0 && !found && o->flow_id)
		return export_errf(err, errlen, -ENOENT,
				   "no flow %u in the selection", o->flow_id);
	if (rc == 0 && !found)
		return export_errf(err, errlen, -ENOENT,
				   "no connection in the selection");
	return rc;
}

typedef struct one_ctx {
	int64_t trace;
	uint32_t flow;
	int n;
} one_ctx;

static int count_cb(void *ctx, export_trace *t, const export_flow *c)
{
	one_ctx *oc = ctx;
	oc->trace = t->id;
	oc->flow = c->id;
	oc->n++;
	return 0;
}

typedef struct write_ctx {
	store *s;
	const export_opts *o;
	FILE *out;
	const char *dir;
	unsigned files;
	char *err;
	size_t errlen;
} write_ctx;

static int write_one_cb(void *ctx, export_trace *t, const export_flow *c)
{
	write_ctx *wc = ctx;
	return export_qlog_conn(wc->s, t, c, wc->o, wc->out, wc->err,
				wc->errlen);
}

static void safe_name(char *dst, size_t n, const char *src)
{
	size_t k = 0;
	for (; src && *src && k + 1 < n && k < 80; src++) {
		char c = *src;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			  c == '.';
		dst[k++] = ok ? c : '_';
	}
	dst[k] = '\0';
}

static int write_file_cb(void *ctx, export_trace *t, const export_flow *c)
{
	write_ctx *wc = ctx;
	char base[200], vp[40], path[4096];
	FILE *f;
	int rc;
	if (c->label && *c->label)
		safe_name(base, sizeof(base), c->label);
	else
		snprintf(base, sizeof(base), "trace%" PRId64 "_flow%u", t->id,
			 c->id);
	safe_name(vp, sizeof(vp), t->vantage);
	snprintf(path, sizeof(path), "%s/%s%s%s.sqlog", wc->dir, base,
		 vp[0] ? "_" : "", vp);
	if (access(path, F_OK) == 0) /* two connections with one label */
		snprintf(path, sizeof(path), "%s/%s%s%s_t%" PRId64 "f%u.sqlog",
			 wc->dir, base, vp[0] ? "_" : "", vp, t->id, c->id);
	if (!(f = fopen(path, "w")))
		return export_errf(wc->err, wc->errlen, -errno, "%s: %s", path,
				   strerror(errno));
	rc = export_qlog_conn(wc->s, t, c, wc->o, f, wc->err, wc->errlen);
	if (fclose(f) != 0 && rc == 0)
		rc = export_errf(wc->err, wc->errlen, -EIO, "%s: write error",
				 path);
	if (rc == 0)
		wc->files++;
	return rc;
}

typedef struct flat_ctx {
	store *s;
	const export_opts *o;
	export_flat fl;
} flat_ctx;

static int flat_conn_cb(void *ctx, export_trace *t, const export_flow *c)
{
	flat_ctx *fc = ctx;
	return export_flat_conn(fc->s, fc->o, t, c, &fc->fl);
}

/* ---- API ------------------------------------------------------------- */

void export_opts_init(export_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->from_ns = INT64_MIN;
	o->to_ns = INT64_MAX;
}

int export_parse_format(const char *s, export_format *out)
{
	if (!strcmp(s, "qlog"))
		*out = EXPORT_QLOG;
	else if (!strcmp(s, "csv"))
		*out = EXPORT_CSV;
	else if (!strcmp(s, "json"))
		*out = EXPORT_JSON;
	else
		return -EINVAL;
	return 0;
}

const char *export_mime(export_format f)
{
	return f == EXPORT_QLOG	 ? "application/qlog+json-seq"
	       : f == EXPORT_CSV ? "text/csv"
				 : "application/json";
}

const char *export_suffix(export_format f)
{
	return f == EXPORT_QLOG ? ".sqlog" : f == EXPORT_CSV ? ".csv" : ".json";
}

int export_write(store *s, const export_opts *o, FILE *out, char *err,
		 size_t errlen)
{
	int rc;
	if (o->from_ns > o->to_ns)
		return export_errf(err, errlen, -EINVAL,
				   "--from is after --to");
	if (o->format == EXPORT_QLOG) {
		one_ctx oc = {0};
		write_ctx wc = {s, o, out, NULL, 0, err, errlen};
		if ((rc = for_conns(s, o, count_cb, &oc, err, errlen)) < 0)
			return rc;
		if (oc.n != 1)
			return export_errf(
			    err, errlen, -EINVAL,
			    "%d connections selected: qlog holds one "
			    "(choose one with a trace and flow, or "
			    "write a directory)",
			    oc.n);
		return for_conns(s, o, write_one_cb, &wc, err, errlen);
	}
	flat_ctx fc = {s, o, {out, o->format == EXPORT_JSON, true, 0, 0}};
	if (fc.fl.json)
		fputc('[', out);
	else
		fputs("trace_id,flow_id,time_ns,type,name,payload,offset,"
		      "length\n",
		      out);
	rc = for_conns(s, o, flat_conn_cb, &fc, err, errlen);
	if (rc == -ENOENT && !o->trace_id && !o->flow_id)
		rc = 0; /* an empty database exports an empty list */
	if (rc < 0) {
		if (!err[0])
			export_errf(err, errlen, rc, "%s", store_errmsg(s));
		return rc;
	}
	if (fc.fl.json)
		fputs("\n]\n", out);
	if (fflush(out) != 0 || ferror(out))
		return export_errf(err, errlen, -EIO, "write error");
	return 0;
}

int export_dir(store *s, const export_opts *o, const char *dir,
	       unsigned *n_files, char *err, size_t errlen)
{
	write_ctx wc = {s, o, NULL, dir, 0, err, errlen};
	int rc;
	if (o->from_ns > o->to_ns)
		return export_errf(err, errlen, -EINVAL,
				   "--from is after --to");
	rc = for_conns(s, o, write_file_cb, &wc, err, errlen);
	*n_files = wc.files;
	return rc;
}
