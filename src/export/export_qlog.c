/* export_qlog.c - one connection and its streams as qlog (JSON-SEQ 0.3).
 *
 * The events are read in time order and grouped by timestamp; the importer
 * gives every qlog event its own nanosecond, so one group is one original
 * event: a PACKET_SENT with the DATA_SENT ranges of that instant becomes one
 * transport:packet_sent with its STREAM frames, PACKET_ACKED numbers become
 * the ACK frame of the packet_received of that instant, and the CWND/RTT
 * values of one instant one recovery:metrics_updated. Events derived on
 * import (DATA_ACKED, DATA_LOST, FIN_ACKED, stream link) are not written:
 * importing the export derives them again. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export/export_int.h"
#include "ojo/events.h"
#include "qlog/qlog.h"

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
	vec sizes;		       /* uint64 packet sizes (raw.length) */
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
	export_trace *t;
	int64_t ref_ns;
	int64_t gt;
	bool open;
	group g;
	uint64_t written;
	int err;
} qw;

static void group_reset(group *g)
{
	vec *vs[] = {&g->sent,	  &g->recv,    &g->acked,  &g->lost,
		     &g->sframes, &g->rframes, &g->msd,	   &g->msd_adv,
		     &g->fins,	  &g->other,   &g->opened, &g->sizes};
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
	    g->sizes.elt = sizeof(uint64_t);
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
	free(g->sizes.v);
}

static const char *ptype(int space)
{
	switch (space) {
	case QLOG_SPACE_INITIAL:
		return "initial";
	case QLOG_SPACE_HANDSHAKE:
		return "handshake";
	case QLOG_SPACE_0RTT:
		return "0RTT";
	default:
		return "1RTT";
	}
}

static void ev_head(qw *w, const char *name)
{
	fputs("\x1e{\"time\":", w->out);
	export_print_ms(w->out, w->gt - w->ref_ns);
	fprintf(w->out, ",\"name\":\"%s\",\"data\":{", name);
	w->written++;
}

/* Frames [lo, hi) of fr. */
static void write_frames(qw *w, const vec *fr, size_t lo, size_t hi,
			 bool *first)
{
	const frame *f = fr->v;
	for (size_t i = lo; i < hi && i < fr->n; i++) {
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

/* Packet i of npk at this instant: the first carries the ACK and limits;
 * STREAM frames are shared out in order (an Ojo-native trace records a
 * burst of packets and their ranges at one instant). A size is written
 * only when there is one per packet of the instant (received ones come
 * first): qvis' congestion graph draws only packets with raw.length. */
static void write_packet(qw *w, bool sent, bool has_pn, uint64_t pn, size_t i,
			 size_t npk)
{
	group *g = &w->g;
	bool first = true;
	size_t k = sent ? g->recv.n + i : i;
	ev_head(w,
		sent ? "transport:packet_sent" : "transport:packet_received");
	fprintf(w->out, "\"header\":{\"packet_type\":\"%s\"", ptype(g->space));
	if (has_pn)
		fprintf(w->out, ",\"packet_number\":%" PRIu64, pn);
	fputs("},", w->out);
	if (has_pn && g->sizes.n == g->recv.n + g->sent.n)
		fprintf(w->out, "\"raw\":{\"length\":%" PRIu64 "},",
			((const uint64_t *)g->sizes.v)[k]);
	fputs("\"frames\":[", w->out);
	const vec *fr = sent ? &g->sframes : &g->rframes;
	if (!sent && i == 0)
		write_ack(w, &g->acked, &first);
	write_frames(w, fr, i * fr->n / npk, (i + 1) * fr->n / npk, &first);
	if (sent && i == 0)
		write_max(w, g->has_md_adv, g->md_adv, &g->msd_adv, &first);
	else if (i == 0)
		write_max(w, g->has_md, g->md, &g->msd, &first);
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
		write_packet(w, false, true, pns[i], i, g->recv.n);
	if (!g->recv.n && rframes) /* e.g. ACKs recorded without the packet */
		write_packet(w, false, false, 0, 0, 1);
	pns = g->sent.v;
	for (size_t i = 0; i < g->sent.n; i++)
		write_packet(w, true, true, pns[i], i, g->sent.n);
	if (!g->sent.n && sframes)
		write_packet(w, true, false, 0, 0, 1);

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
				export_print_ms(w->out, (int64_t)g->m[i]);
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
			 export_type_name(o[i].type, buf, sizeof(buf)));
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

static void write_unmapped(qw *w, const store_event_row *e)
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
	export_print_ms(w->out, e->time_ns - w->ref_ns);
	fputs(",\"name\":", w->out);
	export_json_str(w->out, e->name);
	fprintf(w->out, ",\"data\":%s}\n", txt ? txt : "{}");
	w->written++;
	cJSON_free(txt);
	cJSON_Delete(j);
}

static int qlog_event_cb(void *ctx, const store_event_row *e)
{
	qw *w = ctx;
	group *g = &w->g;
	export_flow *fl = export_find_flow(w->t, e->flow_id);
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
	case QLOG_EV_PACKET_SPACE:
		g->space = (int)e->payload;
		break;
	case QLOG_EV_PACKET_SIZE:
		rc = push_u64(w, &g->sizes, e->payload);
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
	case QLOG_EV_MAX_DATA_ADVERTISED:
		g->has_md_adv = true, g->md_adv = e->payload;
		break;
	case OJO_EV_MAX_STREAM_DATA:
		rc = push_pair(&g->msd, sid, e->payload);
		break;
	case QLOG_EV_MAX_STREAM_DATA_ADVERTISED:
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
int export_qlog_conn(store *s, export_trace *t, const export_flow *conn,
		     const export_opts *o, FILE *out, char *err, size_t errlen)
{
	uint32_t *ids;
	store_event_query f;
	qw w = {.out = out, .t = t};
	int rc;

	if (export_conn_filter(t, conn, 0, o, &f, &ids) < 0)
		return export_errf(err, errlen, -ENOMEM, "out of memory");
	/* epoch times: reference = the connection's start, whole ms, so
	   relative times keep every nanosecond in a double */
	if (conn->first_ns > 946684800000000000LL)
		w.ref_ns = conn->first_ns - conn->first_ns % 1000000;
	fputs("\x1e{\"qlog_version\":\"0.3\",\"qlog_format\":\"JSON-SEQ\","
	      "\"title\":",
	      out);
	export_json_str(out, t->title ? t->title : "ojo export");
	fputs(",\"trace\":{\"vantage_point\":{\"name\":\"ojo\",\"type\":", out);
	export_json_str(out,
			t->vantage && *t->vantage ? t->vantage : "unknown");
	fputs("},\"common_fields\":{\"protocol_type\":[\"QUIC\"],"
	      "\"time_format\":\"relative\",\"reference_time\":",
	      out);
	export_print_ms(out, w.ref_ns);
	if (conn->label) {
		fputs(",\"group_id\":", out);
		export_json_str(out, conn->label);
		fputs(",\"ODCID\":", out);
		export_json_str(out, conn->label);
	}
	fprintf(out,
		"},\"configuration\":{\"time_units\":\"ms\"},"
		"\"ojo\":{\"trace_id\":%" PRId64 ",\"flow_id\":%u}}}\n",
		t->id, conn->id);

	group_init(&w.g);
	rc = store_events(s, &f, qlog_event_cb, &w);
	if (rc == 0 && w.open)
		write_group(&w);
	if (rc == 0 && w.err)
		rc = w.err;
	group_free(&w.g);
	free(ids);
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = -EIO;
	if (rc < 0)
		return export_errf(err, errlen, rc, "%s",
				   rc == -EIO ? "write error"
					      : store_errmsg(s));
	return 0;
}
