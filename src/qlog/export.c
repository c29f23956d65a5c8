/* export.c - stored events back out as qlog (JSON-SEQ 0.3), CSV or JSON.
 *
 * qlog: the events of one connection and its streams are read in time
 * order and grouped by timestamp; the importer gives every qlog event its
 * own nanosecond, so one group is one original event: a PACKET_SENT with
 * the DATA_SENT ranges of that instant becomes one transport:packet_sent
 * with its STREAM frames, PACKET_ACKED numbers become the ACK frame of the
 * packet_received of that instant, and the CWND/RTT/... values of one
 * instant one recovery:metrics_updated. Events derived on import
 * (PACKET_ACKED's data ranges, DATA_LOST, FIN_ACKED, stream open/link) are
 * not written: importing the export derives them again. */
#include "qlog/export.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ojo/events.h"
#include "qlog/qlog.h"
#include "store/store_scan.h"

/* ---- small helpers --------------------------------------------------- */

static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static void json_str(FILE *f, const char *s)
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
static void print_ms(FILE *f, int64_t ns)
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

static const char *type_name(uint32_t type, char *buf, size_t n)
{
	const ojo_event_type_info *ti = ojo_event_type_lookup(type);
	if (ti)
		return ti->name;
	switch (type) {
	case OJO_QLOG_EV_PACKET_SPACE:
		return "qlog_packet_space";
	case OJO_QLOG_EV_MAX_DATA_ADVERTISED:
		return "max_data_advertised";
	case OJO_QLOG_EV_MAX_STREAM_DATA_ADVERTISED:
		return "max_stream_data_advertised";
	default:
		snprintf(buf, n, "type_%u", type);
		return buf;
	}
}

/* ---- flows of a trace ------------------------------------------------ */

typedef struct xflow {
	uint32_t id, parent;
	bool has_parent;
	char *label;
	int64_t first_ns;
	uint64_t sid; /* stream id (streams), from the label or STREAM_OPENED */
} xflow;

typedef struct xtrace {
	int64_t id;
	char *vantage, *title;
	xflow *f;
	size_t n, cap;
} xtrace;

static int flow_cb(void *ctx, const ojo_scan_flow *fl)
{
	xtrace *t = ctx;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		xflow *nv = realloc(t->f, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		t->f = nv;
		t->cap = nc;
	}
	xflow *x = &t->f[t->n++];
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

static int trace_cb(void *ctx, const ojo_scan_trace *tr)
{
	xtrace *t = ctx;
	t->id = tr->trace_id;
	t->vantage = tr->vantage ? strdup(tr->vantage) : NULL;
	t->title = tr->title ? strdup(tr->title) : NULL;
	return 0;
}

static void xtrace_free(xtrace *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->f[i].label);
	free(t->f);
	free(t->vantage);
	free(t->title);
	memset(t, 0, sizeof(*t));
}

static xflow *xfind(xtrace *t, uint32_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].id == id)
			return &t->f[i];
	return NULL;
}

static int sid_cb(void *ctx, const ojo_scan_event *e)
{
	xflow *x = xfind(ctx, e->flow_id);
	if (x && x->has_parent)
		x->sid = e->payload;
	return 0;
}

static int xtrace_load(ojo_store *s, int64_t trace_id, xtrace *t)
{
	static const uint32_t opened = OJO_EV_STREAM_OPENED;
	ojo_scan_filter f;
	int rc;
	memset(t, 0, sizeof(*t));
	if ((rc = ojo_scan_traces(s, trace_id, trace_cb, t)) < 0 ||
	    (rc = ojo_scan_flows(s, trace_id, flow_cb, t)) < 0)
		return rc;
	ojo_scan_filter_init(&f, trace_id);
	f.types = &opened;
	f.n_types = 1;
	return ojo_scan_events(s, &f, sid_cb, t);
}

/* ---- qlog writer ----------------------------------------------------- */

typedef struct frame {
	uint64_t sid, off, len;
	bool fin;
} frame;

typedef struct vec {
	void *v;
	size_t n, cap, elt;
} vec;

static void *vec_push(vec *a)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 8;
		void *nv = realloc(a->v, nc * a->elt);
		if (!nv)
			return NULL;
		a->v = nv;
		a->cap = nc;
	}
	return (char *)a->v + a->elt * a->n++;
}

enum {
	M_CWND,
	M_SSTHRESH,
	M_BIF,
	M_LATEST,
	M_SMOOTHED,
	M_VAR,
	M_MIN,
	M_PACING,
	M__N
};

typedef struct pair {
	uint64_t a, b;
} pair;

typedef struct group {
	vec sent, recv, acked, lost;   /* uint64 pns; lost: pair(pn, type) */
	vec sframes, rframes;	       /* frame */
	vec msd, msd_adv, fins, other; /* pair(sid, value); other: triple */
	vec opened;		       /* uint64 sids of STREAM_OPENED */
	bool has[M__N];
	uint64_t m[M__N];
	int64_t rs; /* -1 none */
	int space;  /* -1 none */
	bool has_md, has_md_adv;
	uint64_t md, md_adv;
} group;

typedef struct other {
	uint32_t flow, type;
	uint64_t payload;
} other;

typedef struct qw {
	FILE *out;
	xtrace *t;
	int64_t ref_ns;
	int64_t gt;
	bool open;
	group g;
	uint64_t written;
	int err;
} qw;

static void group_reset(group *g)
{
	vec *vs[] = {&g->sent,	  &g->recv,    &g->acked, &g->lost,
		     &g->sframes, &g->rframes, &g->msd,	  &g->msd_adv,
		     &g->fins,	  &g->other,   &g->opened};
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		vs[i]->n = 0;
	memset(g->has, 0, sizeof(g->has));
	g->rs = -1;
	g->space = -1;
	g->has_md = g->has_md_adv = false;
}

static void group_init(group *g)
{
	memset(g, 0, sizeof(*g));
	g->sent.elt = g->recv.elt = g->acked.elt = g->opened.elt =
	    sizeof(uint64_t);
	g->lost.elt = g->msd.elt = g->msd_adv.elt = g->fins.elt = sizeof(pair);
	g->sframes.elt = g->rframes.elt = sizeof(frame);
	g->other.elt = sizeof(other);
	group_reset(g);
}

static void group_free(group *g)
{
	free(g->sent.v);
	free(g->recv.v);
	free(g->acked.v);
	free(g->lost.v);
	free(g->sframes.v);
	free(g->rframes.v);
	free(g->msd.v);
	free(g->msd_adv.v);
	free(g->fins.v);
	free(g->other.v);
	free(g->opened.v);
}

static const char *ptype(int space)
{
	switch (space) {
	case OJO_QLOG_SPACE_INITIAL:
		return "initial";
	case OJO_QLOG_SPACE_HANDSHAKE:
		return "handshake";
	case OJO_QLOG_SPACE_0RTT:
		return "0RTT";
	default:
		return "1RTT";
	}
}

static void ev_head(qw *w, const char *name)
{
	fputs("\x1e{\"time\":", w->out);
	print_ms(w->out, w->gt - w->ref_ns);
	fprintf(w->out, ",\"name\":\"%s\",\"data\":{", name);
	w->written++;
}

static void write_frames(qw *w, const vec *fr, bool *first)
{
	const frame *f = fr->v;
	for (size_t i = 0; i < fr->n; i++) {
		fprintf(w->out,
			"%s{\"frame_type\":\"stream\",\"stream_id\":%" PRIu64
			",\"offset\":%" PRIu64 ",\"length\":%" PRIu64
			",\"fin\":%s}",
			*first ? "" : ",", f[i].sid, f[i].off, f[i].len,
			f[i].fin ? "true" : "false");
		*first = false;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void write_ack(qw *w, vec *acked, bool *first)
{
	uint64_t *pn = acked->v;
	if (!acked->n)
		return;
	qsort(pn, acked->n, sizeof(*pn), cmp_u64);
	fprintf(w->out, "%s{\"frame_type\":\"ack\",\"acked_ranges\":[",
		*first ? "" : ",");
	*first = false;
	for (size_t i = 0; i < acked->n;) {
		size_t j = i;
		while (j + 1 < acked->n && pn[j + 1] <= pn[j] + 1)
			j++;
		fprintf(w->out, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
			pn[i], pn[j]);
		i = j + 1;
	}
	fputs("]}", w->out);
}

static void write_max(qw *w, bool has_md, uint64_t md, const vec *msd,
		      bool *first)
{
	const pair *p = msd->v;
	if (has_md) {
		fprintf(w->out,
			"%s{\"frame_type\":\"max_data\",\"maximum\":%" PRIu64
			"}",
			*first ? "" : ",", md);
		*first = false;
	}
	for (size_t i = 0; i < msd->n; i++) {
		fprintf(w->out,
			"%s{\"frame_type\":\"max_stream_data\",\"stream_id\":"
			"%" PRIu64 ",\"maximum\":%" PRIu64 "}",
			*first ? "" : ",", p[i].a, p[i].b);
		*first = false;
	}
}

static void write_packet(qw *w, bool sent, bool has_pn, uint64_t pn,
			 bool with_frames)
{
	group *g = &w->g;
	bool first = true;
	ev_head(w,
		sent ? "transport:packet_sent" : "transport:packet_received");
	fprintf(w->out, "\"header\":{\"packet_type\":\"%s\"", ptype(g->space));
	if (has_pn)
		fprintf(w->out, ",\"packet_number\":%" PRIu64, pn);
	fputs("},\"frames\":[", w->out);
	if (with_frames && sent) {
		write_frames(w, &g->sframes, &first);
		write_max(w, g->has_md_adv, g->md_adv, &g->msd_adv, &first);
	} else if (with_frames) {
		write_ack(w, &g->acked, &first);
		write_frames(w, &g->rframes, &first);
		write_max(w, g->has_md, g->md, &g->msd, &first);
	}
	fputs("]}}\n", w->out);
}

/* A FIN goes on the group's frame that ends at the final size, or on a
 * frame of its own. */
static int place_fins(group *g)
{
	pair *fin = g->fins.v;
	for (size_t i = 0; i < g->fins.n; i++) {
		frame *f = g->sframes.v;
		bool done = false;
		for (size_t k = 0; k < g->sframes.n && !done; k++) {
			if (f[k].sid == fin[i].a &&
			    f[k].off + f[k].len == fin[i].b) {
				f[k].fin = true;
				done = true;
			}
		}
		if (!done) {
			frame *nf = vec_push(&g->sframes);
			if (!nf)
				return -ENOMEM;
			*nf = (frame){fin[i].a, fin[i].b, 0, true};
		}
	}
	return 0;
}

static bool has_sid(const vec *frames, uint64_t sid)
{
	const frame *f = frames->v;
	for (size_t i = 0; i < frames->n; i++)
		if (f[i].sid == sid)
			return true;
	return false;
}

/* A stream opened by a frame without data (length 0, no FIN) gets that
 * empty frame back, so the stream survives a round trip. */
static int place_opened(group *g)
{
	const uint64_t *sid = g->opened.v;
	for (size_t i = 0; i < g->opened.n; i++) {
		if (has_sid(&g->sframes, sid[i]) ||
		    has_sid(&g->rframes, sid[i]))
			continue;
		frame *nf = vec_push(g->recv.n || !g->sent.n ? &g->rframes
							     : &g->sframes);
		if (!nf)
			return -ENOMEM;
		*nf = (frame){sid[i], 0, 0, false};
	}
	return 0;
}

static void write_group(qw *w)
{
	static const char *mnames[M__N] = {"congestion_window", "ssthresh",
					   "bytes_in_flight",	"latest_rtt",
					   "smoothed_rtt",	"rtt_variance",
					   "min_rtt",		"pacing_rate"};
	static const char *states[] = {"slow_start", "congestion_avoidance",
				       "recovery", "application_limited"};
	group *g = &w->g;
	uint64_t *pns;
	bool rframes, sframes;

	if (place_fins(g) < 0 || place_opened(g) < 0) {
		w->err = -ENOMEM;
		return;
	}
	sframes = g->sframes.n || g->has_md_adv || g->msd_adv.n;
	rframes = g->acked.n || g->rframes.n || g->has_md || g->msd.n;
	pns = g->recv.v;
	for (size_t i = 0; i < g->recv.n; i++)
		write_packet(w, false, true, pns[i], i == 0);
	if (!g->recv.n && rframes) /* e.g. ACKs recorded without the packet */
		write_packet(w, false, false, 0, true);
	pns = g->sent.v;
	for (size_t i = 0; i < g->sent.n; i++)
		write_packet(w, true, true, pns[i], i == 0);
	if (!g->sent.n && sframes)
		write_packet(w, true, false, 0, true);

	const pair *lost = g->lost.v;
	for (size_t i = 0; i < g->lost.n; i++) {
		ev_head(w, "recovery:packet_lost");
		fprintf(w->out,
			"\"header\":{\"packet_type\":\"%s\",\"packet_number\":"
			"%" PRIu64 "},\"trigger\":\"%s\"}}\n",
			ptype(g->space), lost[i].a,
			lost[i].b == OJO_EV_PACKET_LOST_TIMEOUT
			    ? "time_threshold"
			    : "reordering_threshold");
	}
	bool any = false;
	for (int i = 0; i < M__N; i++)
		any = any || g->has[i];
	if (any) {
		bool first = true;
		ev_head(w, "recovery:metrics_updated");
		for (int i = 0; i < M__N; i++) {
			if (!g->has[i])
				continue;
			fprintf(w->out, "%s\"%s\":", first ? "" : ",",
				mnames[i]);
			first = false;
			if (i >= M_LATEST && i <= M_MIN)
				print_ms(w->out, (int64_t)g->m[i]);
			else if (i == M_PACING)
				fprintf(w->out, "%" PRIu64, g->m[i] * 8);
			else if (i == M_SSTHRESH &&
				 g->m[i] > (UINT64_C(1) << 53))
				fprintf(w->out, "%" PRIu64, UINT64_C(1) << 53);
			else
				fprintf(w->out, "%" PRIu64, g->m[i]);
		}
		fputs("}}\n", w->out);
	}
	if (g->rs >= 0 && g->rs < 4) {
		ev_head(w, "recovery:congestion_state_updated");
		fprintf(w->out, "\"new\":\"%s\"}}\n", states[g->rs]);
	}
	const other *o = g->other.v;
	for (size_t i = 0; i < g->other.n; i++) {
		char buf[32], nm[96];
		snprintf(nm, sizeof(nm), "ojo:%s",
			 type_name(o[i].type, buf, sizeof(buf)));
		ev_head(w, nm);
		fprintf(w->out, "\"flow_id\":%u,\"payload\":%" PRIu64 "}}\n",
			o[i].flow, o[i].payload);
	}
	group_reset(g);
}

static int push_u64(qw *w, vec *v, uint64_t x)
{
	uint64_t *p = vec_push(v);
	if (!p)
		return -ENOMEM;
	*p = x;
	(void)w;
	return 0;
}

static int push_pair(vec *v, uint64_t a, uint64_t b)
{
	pair *p = vec_push(v);
	if (!p)
		return -ENOMEM;
	*p = (pair){a, b};
	return 0;
}

static int push_frame(vec *v, uint64_t sid, uint64_t payload)
{
	frame *f = vec_push(v);
	if (!f)
		return -ENOMEM;
	*f = (frame){sid, OJO_RANGE_OFFSET(payload), OJO_RANGE_LENGTH(payload),
		     false};
	return 0;
}

static void write_unmapped(qw *w, const ojo_scan_event *e)
{
	cJSON *j = cJSON_Parse(e->json ? e->json : "");
	const cJSON *d = NULL, *it;
	char *txt = NULL;
	if (cJSON_IsObject(j)) {
		d = cJSON_GetObjectItemCaseSensitive(j, "data");
	} else if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(it, j) if (cJSON_IsObject(it)) d = it;
	}
	if (d)
		txt = cJSON_PrintUnformatted(d);
	fputs("\x1e{\"time\":", w->out);
	print_ms(w->out, e->time_ns - w->ref_ns);
	fputs(",\"name\":", w->out);
	json_str(w->out, e->name);
	fprintf(w->out, ",\"data\":%s}\n", txt ? txt : "{}");
	w->written++;
	cJSON_free(txt);
	cJSON_Delete(j);
}

static int qlog_event_cb(void *ctx, const ojo_scan_event *e)
{
	qw *w = ctx;
	group *g = &w->g;
	xflow *fl = xfind(w->t, e->flow_id);
	uint64_t sid = fl ? fl->sid : e->flow_id;
	int rc = 0;

	if (w->open && e->time_ns != w->gt) {
		write_group(w);
		w->open = false;
	}
	if (w->err)
		return w->err;
	if (e->type == 0) {
		write_unmapped(w, e);
		return ferror(w->out) ? -EIO : 0;
	}
	w->open = true;
	w->gt = e->time_ns;
	switch (e->type) {
	case OJO_EV_PACKET_SENT:
		rc = push_u64(w, &g->sent, e->payload);
		break;
	case OJO_EV_PACKET_RECEIVED:
		rc = push_u64(w, &g->recv, e->payload);
		break;
	case OJO_EV_PACKET_ACKED:
		rc = push_u64(w, &g->acked, e->payload);
		break;
	case OJO_EV_PACKET_LOST_TIMEOUT:
	case OJO_EV_PACKET_LOST_THRESHOLD:
		rc = push_pair(&g->lost, e->payload, e->type);
		break;
	case OJO_QLOG_EV_PACKET_SPACE:
		g->space = (int)e->payload;
		break;
	case OJO_EV_CWND:
	case OJO_EV_SSTHRESH:
	case OJO_EV_BYTES_IN_FLIGHT:
		g->has[e->type - OJO_EV_CWND] = true;
		g->m[e->type - OJO_EV_CWND] = e->payload;
		break;
	case OJO_EV_RTT_SAMPLE:
		g->has[M_LATEST] = true, g->m[M_LATEST] = e->payload;
		break;
	case OJO_EV_SMOOTHED_RTT:
		g->has[M_SMOOTHED] = true, g->m[M_SMOOTHED] = e->payload;
		break;
	case OJO_EV_RTT_VAR:
		g->has[M_VAR] = true, g->m[M_VAR] = e->payload;
		break;
	case OJO_EV_MIN_RTT:
		g->has[M_MIN] = true, g->m[M_MIN] = e->payload;
		break;
	case OJO_EV_PACING_RATE:
		g->has[M_PACING] = true, g->m[M_PACING] = e->payload;
		break;
	case OJO_EV_RECOVERY_STATE:
		g->rs = (int64_t)e->payload;
		break;
	case OJO_EV_MAX_DATA:
		g->has_md = true, g->md = e->payload;
		break;
	case OJO_QLOG_EV_MAX_DATA_ADVERTISED:
		g->has_md_adv = true, g->md_adv = e->payload;
		break;
	case OJO_EV_MAX_STREAM_DATA:
		rc = push_pair(&g->msd, sid, e->payload);
		break;
	case OJO_QLOG_EV_MAX_STREAM_DATA_ADVERTISED:
		rc = push_pair(&g->msd_adv, sid, e->payload);
		break;
	case OJO_EV_DATA_SENT:
	case OJO_EV_DATA_RETRANSMITTED:
		rc = push_frame(&g->sframes, sid, e->payload);
		break;
	case OJO_EV_DATA_RECEIVED:
		rc = push_frame(&g->rframes, sid, e->payload);
		break;
	case OJO_EV_STREAM_FIN_SENT:
		rc = push_pair(&g->fins, sid, e->payload);
		break;
	case OJO_EV_STREAM_OPENED:
		rc = push_u64(w, &g->opened, sid);
		break;
	case OJO_EV_DATA_ACKED: /* derived again on import */
	case OJO_EV_DATA_LOST:
	case OJO_EV_STREAM_FIN_ACKED:
	case OJO_EV_STREAM_LINK:
		break;
	default: {
		other *o = vec_push(&g->other);
		if (!o)
			return -ENOMEM;
		*o = (other){e->flow_id, e->type, e->payload};
	}
	}
	if (rc < 0)
		return rc;
	return ferror(w->out) ? -EIO : 0;
}

/* One connection (and its streams) as a JSON-SEQ qlog file. */
static int write_conn(ojo_store *s, xtrace *t, const xflow *conn,
		      const ojo_export_opts *o, FILE *out, char *err,
		      size_t errlen)
{
	uint32_t *ids = malloc((t->n + 1) * sizeof(*ids));
	size_t n = 0;
	ojo_scan_filter f;
	qw w = {.out = out, .t = t};
	int rc;

	if (!ids)
		return errf(err, errlen, -ENOMEM, "out of memory");
	ids[n++] = conn->id;
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].has_parent && t->f[i].parent == conn->id)
			ids[n++] = t->f[i].id;
	/* epoch times: reference = the connection's start, whole ms, so
	   relative times keep every nanosecond in a double */
	if (conn->first_ns > 946684800000000000LL)
		w.ref_ns = conn->first_ns - conn->first_ns % 1000000;
	fputs("\x1e{\"qlog_version\":\"0.3\",\"qlog_format\":\"JSON-SEQ\","
	      "\"title\":",
	      out);
	json_str(out, t->title ? t->title : "ojo export");
	fputs(",\"trace\":{\"vantage_point\":{\"name\":\"ojo\",\"type\":", out);
	json_str(out, t->vantage && *t->vantage ? t->vantage : "unknown");
	fputs("},\"common_fields\":{\"protocol_type\":[\"QUIC\"],"
	      "\"time_format\":\"relative\",\"reference_time\":",
	      out);
	print_ms(out, w.ref_ns);
	if (conn->label) {
		fputs(",\"group_id\":", out);
		json_str(out, conn->label);
		fputs(",\"ODCID\":", out);
		json_str(out, conn->label);
	}
	fprintf(out,
		"},\"configuration\":{\"time_units\":\"ms\"},"
		"\"ojo\":{\"trace_id\":%" PRId64 ",\"flow_id\":%u}}}\n",
		t->id, conn->id);

	ojo_scan_filter_init(&f, t->id);
	f.flow_ids = ids;
	f.n_flows = n;
	f.from_ns = o->from_ns;
	f.to_ns = o->to_ns;
	f.unmapped = true;
	group_init(&w.g);
	rc = ojo_scan_events(s, &f, qlog_event_cb, &w);
	if (rc == 0 && w.open)
		write_group(&w);
	if (rc == 0 && w.err)
		rc = w.err;
	group_free(&w.g);
	free(ids);
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = -EIO;
	if (rc < 0)
		return errf(err, errlen, rc, "%s",
			    rc == -EIO ? "write error" : ojo_store_errmsg(s));
	return 0;
}

/* ---- selection ------------------------------------------------------- */

typedef struct trace_ids {
	int64_t v[4096];
	int n;
} trace_ids;

static int all_traces_cb(void *ctx, const ojo_scan_trace *t)
{
	trace_ids *l = ctx;
	if (l->n < 4096)
		l->v[l->n++] = t->trace_id;
	return 0;
}

/* Calls fn for each selected connection. */
typedef int (*conn_fn)(void *ctx, xtrace *t, const xflow *conn);

static int for_conns(ojo_store *s, const ojo_export_opts *o, conn_fn fn,
		     void *ctx, char *err, size_t errlen)
{
	trace_ids *l = calloc(1, sizeof(*l));
	int rc = 0, found = 0;
	if (!l)
		return errf(err, errlen, -ENOMEM, "out of memory");
	if ((rc = ojo_scan_traces(s, o->trace_id, all_traces_cb, l)) < 0) {
		free(l);
		return errf(err, errlen, rc, "%s", ojo_store_errmsg(s));
	}
	if (o->trace_id && l->n == 0) {
		free(l);
		return errf(err, errlen, -ENOENT, "no trace %" PRId64,
			    o->trace_id);
	}
	for (int i = 0; i < l->n && rc == 0; i++) {
		xtrace t;
		if ((rc = xtrace_load(s, l->v[i], &t)) < 0) {
			errf(err, errlen, rc, "%s", ojo_store_errmsg(s));
			xtrace_free(&t);
			break;
		}
		for (size_t k = 0; k < t.n && rc == 0; k++) {
			xflow *c = &t.f[k];
			if (c->has_parent)
				continue;
			if (o->flow_id) {
				xflow *want = xfind(&t, o->flow_id);
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
		return errf(err, errlen, -ENOENT, "no flow %u in the selection",
			    o->flow_id);
	if (rc == 0 && !found)
		return errf(err, errlen, -ENOENT,
			    "no connection in the selection");
	return rc;
}

typedef struct one_ctx {
	int64_t trace;
	uint32_t flow;
	int n;
} one_ctx;

static int count_cb(void *ctx, xtrace *t, const xflow *c)
{
	one_ctx *oc = ctx;
	oc->trace = t->id;
	oc->flow = c->id;
	oc->n++;
	return 0;
}

typedef struct write_ctx {
	ojo_store *s;
	const ojo_export_opts *o;
	FILE *out;
	const char *dir;
	unsigned files;
	char *err;
	size_t errlen;
} write_ctx;

static int write_one_cb(void *ctx, xtrace *t, const xflow *c)
{
	write_ctx *wc = ctx;
	return write_conn(wc->s, t, c, wc->o, wc->out, wc->err, wc->errlen);
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

static int write_file_cb(void *ctx, xtrace *t, const xflow *c)
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
		return errf(wc->err, wc->errlen, -errno, "%s: %s", path,
			    strerror(errno));
	rc = write_conn(wc->s, t, c, wc->o, f, wc->err, wc->errlen);
	if (fclose(f) != 0 && rc == 0)
		rc = errf(wc->err, wc->errlen, -EIO, "%s: write error", path);
	if (rc == 0)
		wc->files++;
	return rc;
}

/* ---- CSV and JSON ---------------------------------------------------- */

typedef struct flat {
	FILE *out;
	bool json, first;
	int64_t trace;
	uint64_t n;
} flat;

static int flat_cb(void *ctx, const ojo_scan_event *e)
{
	flat *fl = ctx;
	char buf[32];
	const char *name =
	    e->type ? type_name(e->type, buf, sizeof(buf)) : e->name;
	const ojo_event_type_info *ti = ojo_event_type_lookup(e->type);
	bool range = ti && ti->payload_kind == OJO_PK_RANGE;
	if (fl->json) {
		fprintf(fl->out,
			"%s\n{\"trace_id\":%" PRId64 ",\"flow_id\":%u,"
			"\"time_ns\":%" PRId64 ",\"type\":%u,\"name\":",
			fl->first ? "" : ",", fl->trace, e->flow_id, e->time_ns,
			e->type);
		json_str(fl->out, name);
		if (e->type)
			fprintf(fl->out, ",\"payload\":%" PRIu64, e->payload);
		if (range)
			fprintf(fl->out,
				",\"offset\":%" PRIu64 ",\"length\":%" PRIu64,
				OJO_RANGE_OFFSET(e->payload),
				OJO_RANGE_LENGTH(e->payload));
		if (!e->type && e->json)
			fprintf(fl->out, ",\"qlog\":%s", e->json);
		fputc('}', fl->out);
	} else {
		fprintf(fl->out, "%" PRId64 ",%u,%" PRId64 ",%u,", fl->trace,
			e->flow_id, e->time_ns, e->type);
		/* names are identifiers or qlog names: quote them anyway */
		fputc('"', fl->out);
		for (const char *p = name; p && *p; p++) {
			if (*p == '"')
				fputc('"', fl->out);
			fputc(*p, fl->out);
		}
		fputc('"', fl->out);
		if (e->type)
			fprintf(fl->out, ",%" PRIu64, e->payload);
		else
			fputc(',', fl->out);
		if (range)
			fprintf(fl->out, ",%" PRIu64 ",%" PRIu64 "\n",
				OJO_RANGE_OFFSET(e->payload),
				OJO_RANGE_LENGTH(e->payload));
		else
			fputs(",,\n", fl->out);
	}
	fl->first = false;
	fl->n++;
	return ferror(fl->out) ? -EIO : 0;
}

typedef struct flat_ctx {
	ojo_store *s;
	const ojo_export_opts *o;
	flat fl;
} flat_ctx;

static int flat_conn_cb(void *ctx, xtrace *t, const xflow *c)
{
	flat_ctx *fc = ctx;
	uint32_t *ids = malloc((t->n + 1) * sizeof(*ids));
	size_t n = 0;
	ojo_scan_filter f;
	int rc;
	if (!ids)
		return -ENOMEM;
	/* one flow asked for: only it (and, for a connection, its streams) */
	if (!fc->o->flow_id || fc->o->flow_id == c->id) {
		ids[n++] = c->id;
		for (size_t i = 0; i < t->n; i++)
			if (t->f[i].has_parent && t->f[i].parent == c->id)
				ids[n++] = t->f[i].id;
	} else {
		ids[n++] = fc->o->flow_id;
	}
	ojo_scan_filter_init(&f, t->id);
	f.flow_ids = ids;
	f.n_flows = n;
	f.from_ns = fc->o->from_ns;
	f.to_ns = fc->o->to_ns;
	f.unmapped = true;
	fc->fl.trace = t->id;
	rc = ojo_scan_events(fc->s, &f, flat_cb, &fc->fl);
	free(ids);
	return rc;
}

/* ---- API ------------------------------------------------------------- */

void ojo_export_opts_init(ojo_export_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->from_ns = INT64_MIN;
	o->to_ns = INT64_MAX;
}

int ojo_export_parse_format(const char *s, ojo_export_format *out)
{
	if (!strcmp(s, "qlog"))
		*out = OJO_EXPORT_QLOG;
	else if (!strcmp(s, "csv"))
		*out = OJO_EXPORT_CSV;
	else if (!strcmp(s, "json"))
		*out = OJO_EXPORT_JSON;
	else
		return -EINVAL;
	return 0;
}

const char *ojo_export_mime(ojo_export_format f)
{
	return f == OJO_EXPORT_QLOG  ? "application/qlog+json-seq"
	       : f == OJO_EXPORT_CSV ? "text/csv"
				     : "application/json";
}

const char *ojo_export_suffix(ojo_export_format f)
{
	return f == OJO_EXPORT_QLOG  ? ".sqlog"
	       : f == OJO_EXPORT_CSV ? ".csv"
				     : ".json";
}

int ojo_export_write(ojo_store *s, const ojo_export_opts *o, FILE *out,
		     char *err, size_t errlen)
{
	int rc;
	if (o->from_ns > o->to_ns)
		return errf(err, errlen, -EINVAL, "--from is after --to");
	if (o->format == OJO_EXPORT_QLOG) {
		one_ctx oc = {0};
		write_ctx wc = {s, o, out, NULL, 0, err, errlen};
		if ((rc = for_conns(s, o, count_cb, &oc, err, errlen)) < 0)
			return rc;
		if (oc.n != 1)
			return errf(err, errlen, -EINVAL,
				    "%d connections selected: qlog holds one "
				    "(choose one with a trace and flow, or "
				    "write a directory)",
				    oc.n);
		return for_conns(s, o, write_one_cb, &wc, err, errlen);
	}
	flat_ctx fc = {s, o, {out, o->format == OJO_EXPORT_JSON, true, 0, 0}};
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
			errf(err, errlen, rc, "%s", ojo_store_errmsg(s));
		return rc;
	}
	if (fc.fl.json)
		fputs("\n]\n", out);
	if (fflush(out) != 0 || ferror(out))
		return errf(err, errlen, -EIO, "write error");
	return 0;
}

int ojo_export_dir(ojo_store *s, const ojo_export_opts *o, const char *dir,
		   unsigned *n_files, char *err, size_t errlen)
{
	write_ctx wc = {s, o, NULL, dir, 0, err, errlen};
	int rc;
	if (o->from_ns > o->to_ns)
		return errf(err, errlen, -EINVAL, "--from is after --to");
	rc = for_conns(s, o, write_file_cb, &wc, err, errlen);
	*n_files = wc.files;
	return rc;
}
