/* qlog_map.c - turning normalized qlog events into Ojo events.
 *
 * Per connection it keeps the sent packets not yet acknowledged (per packet
 * number space, with their STREAM frames) so that an ACK frame in a
 * received packet yields PACKET_ACKED for each newly acknowledged packet
 * and DATA_ACKED for the stream ranges it carried, and a packet_lost yields
 * DATA_LOST. Acknowledged packets are dropped, so memory follows what is in
 * flight, not the size of the trace. Per stream it keeps the highest offset
 * sent, which tells first transmissions from retransmissions. */
#include "qlog/qlog_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define QM_BUF_EVENTS 4096

typedef struct qm_frame {
	uint32_t stream; /* index into m->streams */
	bool fin;
	uint64_t off, len;
} qm_frame;

typedef struct qm_sent {
	uint64_t pn;
	bool acked, lost;
	uint32_t nfr;
	qm_frame *fr;
} qm_sent;

typedef struct qm_space {
	qm_sent *v;
	size_t n, cap, nacked;
} qm_space;

typedef struct qm_conn {
	char *group;
	char dcid[64]; /* without a group: the DCID of its first packet */
	uint32_t flow_id;
	qm_space sp[3];
} qm_conn;

typedef struct qm_stream {
	uint32_t conn;
	uint32_t flow_id;
	uint64_t sid;
	uint64_t max_end;
	bool opened, fin_acked;
} qm_stream;

struct qlog_map_ctx {
	store *s;
	qlog_report *rep;
	const char *file_name;
	int64_t trace_id;
	bool have_trace;
	qlog_trace tr;
	qm_conn *conns;
	uint32_t n_conns, cap_conns;
	qm_stream *streams;
	uint32_t n_streams, cap_streams;
	uint32_t *six; /* stream hash: 1 + index, 0 empty */
	uint32_t six_mask;
	uint32_t next_flow;
	store_event buf[QM_BUF_EVENTS];
	size_t nbuf;
	int64_t t; /* time of the event being mapped */
};

/* ---- output ---------------------------------------------------------- */

static int flush_events(qlog_map_ctx *m)
{
	int rc = 0;
	if (m->nbuf && m->s)
		rc = store_append(m->s, m->trace_id, m->buf, m->nbuf);
	m->nbuf = 0;
	return rc;
}

static int emit(qlog_map_ctx *m, uint32_t flow, uint32_t type, uint64_t payload)
{
	store_event *e;
	if (m->nbuf == QM_BUF_EVENTS) {
		int rc = flush_events(m);
		if (rc < 0)
			return rc;
	}
	e = &m->buf[m->nbuf++];
	e->time_ns = m->t;
	e->flow_id = flow;
	e->type = type;
	e->payload = payload;
	m->rep->ojo_events++;
	return 0;
}

/* A byte range as one or more OJO_RANGE payloads (24-bit lengths). */
static int emit_range(qlog_map_ctx *m, uint32_t flow, uint32_t type,
		      uint64_t off, uint64_t len)
{
	while (len > 0) {
		uint64_t n =
		    len > OJO_RANGE_MAX_LENGTH ? OJO_RANGE_MAX_LENGTH : len;
		/* offsets past 1 TiB (e.g. a stream's 2^62-1 limit in a
		   test log) saturate: the length still counts */
		uint64_t o =
		    off > OJO_RANGE_MAX_OFFSET ? OJO_RANGE_MAX_OFFSET : off;
		int rc = emit(m, flow, type, OJO_RANGE(o, n));
		if (rc < 0)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

static void count_unmapped(qlog_report *rep, const char *name)
{
	for (uint32_t i = 0; i < rep->n_unmapped_names; i++) {
		if (!strcmp(rep->unmapped[i].name, name)) {
			rep->unmapped[i].n++;
			return;
		}
	}
	if (rep->n_unmapped_names < QLOG_MAX_NAMES) {
		qlog_name_count *c = &rep->unmapped[rep->n_unmapped_names++];
		snprintf(c->name, sizeof(c->name), "%s", name);
		c->n = 1;
	} else {
		rep->unmapped_other++;
	}
}

/* ---- connections and streams ----------------------------------------- */

static void free_space(qm_space *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		free(sp->v[i].fr);
	free(sp->v);
	memset(sp, 0, sizeof(*sp));
}

static void reset_trace_state(qlog_map_ctx *m)
{
	for (uint32_t i = 0; i < m->n_conns; i++) {
		free(m->conns[i].group);
		for (int k = 0; k < 3; k++)
			free_space(&m->conns[i].sp[k]);
	}
	m->n_conns = 0;
	m->n_streams = 0;
	if (m->six)
		memset(m->six, 0, (size_t)(m->six_mask + 1) * sizeof(*m->six));
	m->next_flow = 1;
}

static int conn_get(qlog_map_ctx *m, const char *group, uint32_t *out)
{
	qm_conn *c;
	if (!group || !*group)
		group = m->tr.group;
	for (uint32_t i = 0; i < m->n_conns; i++) {
		if (!strcmp(m->conns[i].group, group)) {
			*out = i;
			return 0;
		}
	}
	if (m->n_conns == m->cap_conns) {
		uint32_t nc = m->cap_conns ? m->cap_conns * 2 : 4;
		qm_conn *nv = realloc(m->conns, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		m->conns = nv;
		m->cap_conns = nc;
	}
	c = &m->conns[m->n_conns];
	memset(c, 0, sizeof(*c));
	if (!(c->group = strdup(group)))
		return -ENOMEM;
	c->flow_id = m->next_flow++;
	m->rep->flows++;
	*out = m->n_conns++;
	return 0;
}

static uint32_t stream_hash(uint32_t conn, uint64_t sid)
{
	uint64_t h = (sid ^ ((uint64_t)conn << 56)) * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static int six_grow(qlog_map_ctx *m)
{
	uint32_t cap = m->six_mask ? (m->six_mask + 1) * 2 : 64;
	uint32_t *ns = calloc(cap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->n_streams; i++) {
		uint32_t h = stream_hash(m->streams[i].conn, m->streams[i].sid);
		while (ns[h & (cap - 1)])
			h++;
		ns[h & (cap - 1)] = i + 1;
	}
	free(m->six);
	m->six = ns;
	m->six_mask = cap - 1;
	return 0;
}

/* The stream's index; created (flow, link to the connection) when new. */
static int stream_get(qlog_map_ctx *m, uint32_t conn, uint64_t sid,
		      uint32_t *out)
{
	uint32_t h;
	qm_stream *st;
	int rc;
	if ((m->n_streams + 1) * 2 > m->six_mask + 1 && (rc = six_grow(m)) < 0)
		return rc;
	for (h = stream_hash(conn, sid);; h++) {
		uint32_t v = m->six[h & m->six_mask];
		if (!v)
			break;
		if (m->streams[v - 1].conn == conn &&
		    m->streams[v - 1].sid == sid) {
			*out = v - 1;
			return 0;
		}
	}
	if (m->n_streams == m->cap_streams) {
		uint32_t nc = m->cap_streams ? m->cap_streams * 2 : 16;
		qm_stream *nv = realloc(m->streams, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		m->streams = nv;
		m->cap_streams = nc;
	}
	st = &m->streams[m->n_streams];
	memset(st, 0, sizeof(*st));
	st->conn = conn;
	st->sid = sid;
	st->flow_id = m->next_flow++;
	m->six[h & m->six_mask] = m->n_streams + 1;
	*out = m->n_streams++;
	m->rep->flows++;
	return emit(m, st->flow_id, OJO_EV_STREAM_LINK, m->conns[conn].flow_id);
}

/* ---- sent packets ---------------------------------------------------- */

static int space_of(const char *ptype)
{
	if (!ptype)
		return QLOG_SPACE_APP;
	if (!strcasecmp(ptype, "initial"))
		return QLOG_SPACE_INITIAL;
	if (!strcasecmp(ptype, "handshake"))
		return QLOG_SPACE_HANDSHAKE;
	if (!strcasecmp(ptype, "0RTT") || !strcasecmp(ptype, "0-RTT"))
		return QLOG_SPACE_0RTT;
	return QLOG_SPACE_APP;
}

static size_t space_find(const qm_space *sp, uint64_t pn)
{
	size_t lo = 0, hi = sp->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sp->v[mid].pn < pn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static qm_sent *space_add(qm_space *sp, uint64_t pn)
{
	size_t at;
	if (sp->n == sp->cap) {
		size_t nc = sp->cap ? sp->cap * 2 : 64;
		qm_sent *nv = realloc(sp->v, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		sp->v = nv;
		sp->cap = nc;
	}
	at = (sp->n && sp->v[sp->n - 1].pn < pn) ? sp->n : space_find(sp, pn);
	memmove(&sp->v[at + 1], &sp->v[at], (sp->n - at) * sizeof(*sp->v));
	sp->n++;
	memset(&sp->v[at], 0, sizeof(sp->v[at]));
	sp->v[at].pn = pn;
	return &sp->v[at];
}

static void space_compact(qm_space *sp)
{
	size_t w = 0;
	if (sp->nacked * 2 < sp->n || sp->n < 64)
		return;
	for (size_t r = 0; r < sp->n; r++)
		if (!sp->v[r].acked)
			sp->v[w++] = sp->v[r];
	sp->n = w;
	sp->nacked = 0;
}

static int frame_add(qm_sent *p, uint32_t stream, uint64_t off, uint64_t len,
		     bool fin)
{
	qm_frame *nf;
	if ((p->nfr & (p->nfr - 1)) == 0) { /* 0, 1, 2, 4...: grow */
		nf = realloc(p->fr, (p->nfr ? p->nfr * 2 : 1) * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		p->fr = nf;
	}
	p->fr[p->nfr++] = (qm_frame){stream, fin, off, len};
	return 0;
}

static int ack_range(qlog_map_ctx *m, uint32_t ci, int space, uint64_t lo,
		     uint64_t hi)
{
	qm_conn *c = &m->conns[ci];
	qm_space *sp = &c->sp[space == QLOG_SPACE_0RTT ? 0 : space];
	int rc;
	if (lo > hi) {
		uint64_t x = lo;
		lo = hi;
		hi = x;
	}
	for (size_t i = space_find(sp, lo); i < sp->n && sp->v[i].pn <= hi;
	     i++) {
		qm_sent *p = &sp->v[i];
		if (p->acked)
			continue;
		p->acked = true;
		sp->nacked++;
		if ((rc = emit(m, c->flow_id, OJO_EV_PACKET_ACKED, p->pn)) < 0)
			return rc;
		for (uint32_t k = 0; k < p->nfr; k++) {
			qm_frame *f = &p->fr[k];
			qm_stream *st = &m->streams[f->stream];
			if ((rc = emit_range(m, st->flow_id, OJO_EV_DATA_ACKED,
					     f->off, f->len)) < 0)
				return rc;
			if (f->fin && !st->fin_acked) {
				st->fin_acked = true;
				rc = emit(m, st->flow_id,
					  OJO_EV_STREAM_FIN_ACKED,
					  f->off + f->len);
				if (rc < 0)
					return rc;
			}
		}
		free(p->fr);
		p->fr = NULL;
		p->nfr = 0;
	}
	space_compact(sp);
	return 0;
}

/* ---- frames ---------------------------------------------------------- */

static bool frame_is(const char *ft, const char *want)
{
	return ft && !strcasecmp(ft, want);
}

static bool stream_id_of(const cJSON *f, uint64_t *sid)
{
	return qlog_json_u64(qj_get(f, "stream_id"), sid) ||
	       qlog_json_u64(qj_get(f, "id"), sid) ||
	       qlog_json_u64(qj_get(f, "stream.stream_id"), sid);
}

static int stream_frame(qlog_map_ctx *m, uint32_t ci, const cJSON *f, bool sent,
			qm_sent *pkt)
{
	uint64_t sid = 0, off = 0, len = 0;
	uint32_t si;
	qm_stream *st;
	bool fin = false, has_sid = false, has_len = false;
	const cJSON *c, *raw = NULL, *len01 = NULL;
	int rc;

	/* one pass over the members (see qlog_event_read) */
	cJSON_ArrayForEach(c, f)
	{
		const char *k = c->string;
		if (!k)
			continue;
		if (!strcmp(k, "stream_id") || !strcmp(k, "id") ||
		    !strcmp(k, "stream.stream_id"))
			has_sid = has_sid || qlog_json_u64(c, &sid);
		else if (!strcmp(k, "offset"))
			qlog_json_u64(c, &off);
		else if (!strcmp(k, "length"))
			has_len = qlog_json_u64(c, &len);
		else if (!strcmp(k, "fin"))
			fin = qlog_json_truthy(c);
		else if (!strcmp(k, "raw")) /* newest drafts */
			raw = c;
		else if (!strcmp(k, "stream.length")) /* 0.1 */
			len01 = c;
	}
	if (!has_sid)
		return 0;
	if (!has_len && !qlog_json_u64(qj_get(raw, "payload_length"), &len))
		qlog_json_u64(len01, &len);
	if (len > (UINT64_C(1) << 30) || off > (UINT64_C(1) << 62))
		return 0; /* no QUIC frame is that long: damage, skip it */
	if ((rc = stream_get(m, ci, sid, &si)) < 0)
		return rc;
	st = &m->streams[si];
	if (!st->opened) {
		st->opened = true;
		if ((rc = emit(m, st->flow_id, OJO_EV_STREAM_OPENED, sid)) < 0)
			return rc;
	}
	if (!sent)
		return emit_range(m, st->flow_id, OJO_EV_DATA_RECEIVED, off,
				  len);
	if (len > 0) {
		uint64_t end = off + len;
		if (end <= st->max_end) {
			rc = emit_range(m, st->flow_id,
					OJO_EV_DATA_RETRANSMITTED, off, len);
		} else if (off >= st->max_end) {
			rc = emit_range(m, st->flow_id, OJO_EV_DATA_SENT, off,
					len);
		} else {
			rc = emit_range(m, st->flow_id,
					OJO_EV_DATA_RETRANSMITTED, off,
					st->max_end - off);
			if (rc >= 0)
				rc =
				    emit_range(m, st->flow_id, OJO_EV_DATA_SENT,
					       st->max_end, end - st->max_end);
		}
		if (rc < 0)
			return rc;
		if (end > st->max_end)
			st->max_end = end;
	}
	if (fin &&
	    (rc = emit(m, st->flow_id, OJO_EV_STREAM_FIN_SENT, off + len)) < 0)
		return rc;
	if (pkt && (len > 0 || fin))
		return frame_add(pkt, si, off, len, fin);
	return 0;
}

static int ack_frame(qlog_map_ctx *m, uint32_t ci, int space, const cJSON *f)
{
	const cJSON *ranges = qj_get(f, "acked_ranges"), *r;
	uint64_t a, b;
	int rc;
	if (cJSON_IsArray(ranges)) {
		cJSON_ArrayForEach(r, ranges)
		{
			if (!qlog_json_u64(cJSON_GetArrayItem(r, 0), &a))
				continue;
			if (!qlog_json_u64(cJSON_GetArrayItem(r, 1), &b))
				b = a;
			if ((rc = ack_range(m, ci, space, a, b)) < 0)
				return rc;
		}
		return 0;
	}
	/* qlog 0.1 (pcap2qlog): largest acknowledged and first ACK block */
	if (qlog_json_u64(qj_get(f, "frame_type.ack.largest_acknowledged"),
			  &a)) {
		if (!qlog_json_u64(qj_get(f, "frame_type.ack.fab"), &b) ||
		    b > a)
			b = 0;
		return ack_range(m, ci, space, a - b, a);
	}
	return 0;
}

static int max_frame(qlog_map_ctx *m, uint32_t ci, const cJSON *f, bool sent,
		     bool per_stream)
{
	uint64_t max, sid;
	uint32_t si;
	int rc;
	if (!qlog_json_u64(qj_get(f, "maximum"), &max))
		return 0;
	if (!per_stream)
		return emit(
		    m, m->conns[ci].flow_id,
		    sent ? QLOG_EV_MAX_DATA_ADVERTISED : OJO_EV_MAX_DATA, max);
	if (!stream_id_of(f, &sid))
		return 0;
	if ((rc = stream_get(m, ci, sid, &si)) < 0)
		return rc;
	return emit(m, m->streams[si].flow_id,
		    sent ? QLOG_EV_MAX_STREAM_DATA_ADVERTISED
			 : OJO_EV_MAX_STREAM_DATA,
		    max);
}

/* ---- events ---------------------------------------------------------- */

static const char *packet_type(const cJSON *data)
{
	const cJSON *h = qj_get(data, "header");
	const char *pt = qlog_json_str(h, "packet_type");
	if (!pt)
		pt = qlog_json_str(data, "packet_type");
	if (!pt)
		pt = qlog_json_str(h, "type"); /* 0.1 */
	return pt;
}

static bool packet_number(const cJSON *data, uint64_t *pn)
{
	return qlog_json_u64(qj_get(qj_get(data, "header"), "packet_number"),
			     pn) ||
	       qlog_json_u64(qj_get(data, "packet_number"), pn);
}

/* Bytes on the wire: raw.length (draft-02 on), header.packet_size
 * (earlier drafts), or the pre-standard data.packet_size; 0 unknown. */
static uint64_t packet_size(const cJSON *data)
{
	uint64_t n = 0;
	if (qlog_json_u64(qj_get(qj_get(data, "raw"), "length"), &n) ||
	    qlog_json_u64(qj_get(qj_get(data, "header"), "packet_size"), &n) ||
	    qlog_json_u64(qj_get(data, "packet_size"), &n))
		return n;
	return 0;
}

static int packet_event(qlog_map_ctx *m, uint32_t ci, const cJSON *data,
			bool sent)
{
	qm_conn *c = &m->conns[ci];
	const char *pt = packet_type(data);
	int space = space_of(pt);
	uint64_t pn = 0;
	bool has_pn = packet_number(data, &pn);
	qm_sent *pkt = NULL;
	const cJSON *f;
	int rc;

	const char *dcid = qlog_json_str(qj_get(data, "header"), "dcid");
	if (!c->group[0] && !c->dcid[0] && dcid && *dcid)
		snprintf(c->dcid, sizeof(c->dcid), "%s", dcid);
	rc = emit(m, c->flow_id,
		  sent ? OJO_EV_PACKET_SENT : OJO_EV_PACKET_RECEIVED, pn);
	if (rc >= 0 && space != QLOG_SPACE_APP)
		rc = emit(m, c->flow_id, QLOG_EV_PACKET_SPACE, (uint64_t)space);
	uint64_t size = packet_size(data);
	if (rc >= 0 && size)
		rc = emit(m, c->flow_id, QLOG_EV_PACKET_SIZE, size);
	if (rc < 0)
		return rc;
	if (sent && has_pn) {
		pkt =
		    space_add(&c->sp[space == QLOG_SPACE_0RTT ? 0 : space], pn);
		if (!pkt)
			return -ENOMEM;
	}
	cJSON_ArrayForEach(f, qj_get(data, "frames"))
	{
		const char *ft = qlog_json_str(f, "frame_type");
		if (frame_is(ft, "stream"))
			rc = stream_frame(m, ci, f, sent, pkt);
		else if (frame_is(ft, "ack") && !sent)
			rc = ack_frame(m, ci, space, f);
		else if (frame_is(ft, "max_data"))
			rc = max_frame(m, ci, f, sent, false);
		else if (frame_is(ft, "max_stream_data"))
			rc = max_frame(m, ci, f, sent, true);
		else
			rc = 0;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int lost_event(qlog_map_ctx *m, uint32_t ci, const qlog_event *ev)
{
	qm_conn *c = &m->conns[ci];
	int space = space_of(packet_type(ev->data));
	qm_space *sp = &c->sp[space == QLOG_SPACE_0RTT ? 0 : space];
	const char *tr =
	    ev->trigger ? ev->trigger : qlog_json_str(ev->data, "trigger");
	uint32_t type = OJO_EV_PACKET_LOST_THRESHOLD;
	uint64_t pn = 0;
	bool has_pn = packet_number(ev->data, &pn);
	int rc;

	if (tr && (strstr(tr, "time") || strstr(tr, "pto")))
		type = OJO_EV_PACKET_LOST_TIMEOUT;
	if ((rc = emit(m, c->flow_id, type, pn)) < 0)
		return rc;
	if (!has_pn)
		return 0;
	size_t i = space_find(sp, pn);
	if (i < sp->n && sp->v[i].pn == pn && !sp->v[i].lost) {
		qm_sent *p = &sp->v[i];
		p->lost = true;
		for (uint32_t k = 0; k < p->nfr; k++) {
			qm_stream *st = &m->streams[p->fr[k].stream];
			rc = emit_range(m, st->flow_id, OJO_EV_DATA_LOST,
					p->fr[k].off, p->fr[k].len);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Returns 1 when mapped, 0 when the metrics event had nothing usable. */
static int metrics_event(qlog_map_ctx *m, uint32_t ci, const cJSON *d)
{
	static const struct {
		const char *name;
		uint32_t type;
		bool is_time;
	} fields[] = {
	    {"congestion_window", OJO_EV_CWND, false},
	    {"cwnd", OJO_EV_CWND, false},
	    {"ssthresh", OJO_EV_SSTHRESH, false},
	    {"bytes_in_flight", OJO_EV_BYTES_IN_FLIGHT, false},
	    {"latest_rtt", OJO_EV_RTT_SAMPLE, true},
	    {"smoothed_rtt", OJO_EV_SMOOTHED_RTT, true},
	    {"rtt_variance", OJO_EV_RTT_VAR, true},
	    {"min_rtt", OJO_EV_MIN_RTT, true},
	    {"pacing_rate", OJO_EV_PACING_RATE, false},
	};
	const cJSON *j;
	int n = 0, rc;
	/* one pass over the members, in the order written */
	cJSON_ArrayForEach(j, d)
	{
		const char *k = j->string;
		size_t i = 0;
		double v;
		uint64_t p;
		if (!k)
			continue;
		while (i < sizeof(fields) / sizeof(fields[0]) &&
		       (fields[i].name[0] != k[0] || strcmp(fields[i].name, k)))
			i++;
		if (i == sizeof(fields) / sizeof(fields[0]) ||
		    !qlog_json_double(j, &v) || !(v >= 0))
			continue;
		if (fields[i].is_time)
			v *= m->tr.unit_ns;
		if (fields[i].type == OJO_EV_PACING_RATE)
			v /= 8; /* qlog: bits per second */
		p = v >= 18446744073709551615.0 ? UINT64_MAX
						: (uint64_t)(v + 0.5);
		if ((rc = emit(m, m->conns[ci].flow_id, fields[i].type, p)) < 0)
			return rc;
		n++;
	}
	return n > 0;
}

static int state_event(qlog_map_ctx *m, uint32_t ci, const cJSON *d)
{
	const char *s = qlog_json_str(d, "new");
	uint64_t v;
	if (!s)
		s = qlog_json_str(d, "state");
	if (!s)
		return 0;
	if (!strcasecmp(s, "slow_start"))
		v = OJO_RS_SLOW_START;
	else if (!strcasecmp(s, "congestion_avoidance"))
		v = OJO_RS_CONGESTION_AVOIDANCE;
	else if (!strcasecmp(s, "recovery") || !strcasecmp(s, "fast_recovery"))
		v = OJO_RS_RECOVERY;
	else if (!strcasecmp(s, "application_limited") ||
		 !strcasecmp(s, "app_limited"))
		v = OJO_RS_APPLICATION_LIMITED;
	else
		return 0;
	int rc = emit(m, m->conns[ci].flow_id, OJO_EV_RECOVERY_STATE, v);
	return rc < 0 ? rc : 1;
}

static bool cat_ok(const char *catl)
{
	return !catl[0] || !strcmp(catl, "transport") ||
	       !strcmp(catl, "recovery") || !strcmp(catl, "quic");
}

static int keep_unmapped(qlog_map_ctx *m, uint32_t ci, const qlog_event *ev,
			 const cJSON *whole, const char *raw, size_t rawlen)
{
	int rc = 0;
	m->rep->events_unmapped++;
	count_unmapped(m->rep, ev->name);
	if (!m->s)
		return 0;
	if (raw) {
		char *txt = malloc(rawlen + 1);
		if (!txt)
			return -ENOMEM;
		memcpy(txt, raw, rawlen);
		txt[rawlen] = '\0';
		rc = store_unmapped(m->s, m->trace_id, m->conns[ci].flow_id,
				    m->t, ev->name, txt);
		free(txt);
	} else {
		char *txt = cJSON_PrintUnformatted(whole);
		if (!txt)
			return -ENOMEM;
		rc = store_unmapped(m->s, m->trace_id, m->conns[ci].flow_id,
				    m->t, ev->name, txt);
		cJSON_free(txt);
	}
	return rc;
}

int qlog_map_event(qlog_map_ctx *m, const qlog_event *ev, const cJSON *whole,
		   const char *raw, size_t rawlen)
{
	const char *e = ev->evl;
	uint32_t ci;
	int rc, mapped = 1;

	m->rep->events_total++;
	if (!m->have_trace)
		return -EINVAL;
	if ((rc = conn_get(m, ev->group, &ci)) < 0)
		return rc;
	m->t = ev->t_ns;
	if (!cat_ok(ev->catl))
		mapped = 0;
	else if (!strcmp(e, "packet_sent") || !strcmp(e, "packet_tx"))
		rc = packet_event(m, ci, ev->data, true);
	else if (!strcmp(e, "packet_received") || !strcmp(e, "packet_rx"))
		rc = packet_event(m, ci, ev->data, false);
	else if (!strcmp(e, "packet_lost"))
		rc = lost_event(m, ci, ev);
	else if (!strcmp(e, "metrics_updated") || !strcmp(e, "metric_update") ||
		 !strcmp(e, "recovery_metrics_updated"))
		rc = mapped = metrics_event(m, ci, ev->data);
	else if (!strcmp(e, "congestion_state_updated") ||
		 !strcmp(e, "recovery_congestion_state_updated"))
		rc = mapped = state_event(m, ci, ev->data);
	else
		mapped = 0;
	if (rc < 0)
		return rc;
	if (mapped > 0) {
		m->rep->events_mapped++;
		return 0;
	}
	return keep_unmapped(m, ci, ev, whole, raw, rawlen);
}

/* ---- traces and labels ----------------------------------------------- */

static int label_trace(qlog_map_ctx *m)
{
	char lab[160];
	int rc;
	if (!m->s || !m->have_trace)
		return 0;
	if ((rc = flush_events(m)) < 0)
		return rc;
	for (uint32_t i = 0; i < m->n_conns; i++) {
		if (m->conns[i].group[0])
			snprintf(lab, sizeof(lab), "%s", m->conns[i].group);
		else if (m->conns[i].dcid[0])
			snprintf(lab, sizeof(lab), "%s", m->conns[i].dcid);
		else
			snprintf(lab, sizeof(lab), "trace %d", m->tr.index);
		rc = store_flow_label(m->s, m->trace_id, m->conns[i].flow_id,
				      lab);
		if (rc < 0)
			return rc;
	}
	for (uint32_t i = 0; i < m->n_streams; i++) {
		snprintf(lab, sizeof(lab), "stream %llu",
			 (unsigned long long)m->streams[i].sid);
		rc = store_flow_label(m->s, m->trace_id, m->streams[i].flow_id,
				      lab);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int register_types(store *s)
{
	static const store_type_info types[] = {
	    {QLOG_EV_PACKET_SPACE, "qlog_packet_space", "packet",
	     "packet number space of the packet events at this time "
	     "(1 initial, 2 handshake, 3 0-RTT)",
	     "enum", ""},
	    {QLOG_EV_MAX_DATA_ADVERTISED, "max_data_advertised", "flow_control",
	     "MAX_DATA sent to the peer", "bytes", "bytes"},
	    {QLOG_EV_MAX_STREAM_DATA_ADVERTISED, "max_stream_data_advertised",
	     "flow_control", "MAX_STREAM_DATA sent to the peer", "bytes",
	     "bytes"},
	    {QLOG_EV_PACKET_SIZE, "qlog_packet_size", "packet",
	     "size of the packet sent or received at this time", "bytes",
	     "bytes"},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int rc = store_event_type(s, &types[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int qlog_map_trace(qlog_map_ctx *m, const qlog_trace *t)
{
	char name[4200];
	int rc;
	if ((rc = label_trace(m)) < 0)
		return rc;
	reset_trace_state(m);
	m->tr = *t;
	m->have_trace = true;
	m->rep->traces++;
	if (!m->s)
		return 0;
	snprintf(name, sizeof(name), "%s#%d", m->file_name, t->index);
	store_trace_info ti = {
	    .name = name,
	    .source = "qlog",
	    .vantage = t->vantage[0] ? t->vantage : NULL,
	    .title = t->title[0] ? t->title : NULL,
	};
	return store_trace(m->s, &ti, &m->trace_id);
}

int qlog_map_open(qlog_map_ctx **out, store *s, const char *file_name,
		  qlog_report *rep)
{
	qlog_map_ctx *m = calloc(1, sizeof(*m));
	int rc;
	if (!m)
		return -ENOMEM;
	m->s = s;
	m->rep = rep;
	m->file_name = file_name;
	m->next_flow = 1;
	if (s && (rc = register_types(s)) < 0) {
		free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int qlog_map_finish(qlog_map_ctx *m)
{
	int rc = label_trace(m);
	if (rc >= 0)
		rc = flush_events(m);
	return rc;
}

void qlog_map_close(qlog_map_ctx *m)
{
	if (!m)
		return;
	reset_trace_state(m);
	free(m->conns);
	free(m->streams);
	free(m->six);
	free(m);
}

const char *qlog_map_errmsg(const qlog_map_ctx *m)
{
	return m->s ? store_errmsg(m->s) : "";
}
