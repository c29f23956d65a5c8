/* qlog_roundtrip.c - import(export(trace)) gives the same flows and
 * counts, and every exported file passes the checks qvis applies when it
 * loads a file and draws (qvis_check, below). Usage:
 * qlog_roundtrip CORPUS_DIR */
#include <math.h>

#include "export/export.h"
#include "qlog_util.h"

/* ---- what qvis requires of a JSON-SEQ qlog file ----------------------- */
/* From qvis' source (quiclog/qvis, visualizations/src):
 * - FileLoader: .sqlog selects JSON-SEQ (a .qlog/.json file needs
 *   qlog_version, qlog_format and "JSON-SEQ" in its first 1024 chars);
 *   TextSequenceJSONToQlog: records split on RS, the first one the header
 *   with qlog_version, qlog_format "JSON-SEQ" and a trace; a broken record
 *   before the last stops the load, so every record must parse.
 * - QlogLoader/QlogSchema02: qlog_version one of draft-02, draft-02-RC1,
 *   qlog-03-WIP, 0.3 (we write 0.3). QlogLoaderV2: events are {time, name
 *   "category:event", data}; time_format relative with reference_time
 *   (ms); time_units ms or us; times must not decrease (else it re-sorts
 *   and alerts); an event with group_id splits the trace; data.packet_type,
 *   header.packet_size or header.payload_length raise a "non-compliant"
 *   alert; event_fields switches to the old column parser.
 * - CongestionGraphD3Renderer.parseQlog: transport:packet_sent/received
 *   are drawn only with data.raw.length > 0, indexed by
 *   data.header.packet_number; frames ack (acked_ranges of [from, to] or
 *   [n]), max_data/max_stream_data (maximum); recovery:packet_lost
 *   data.header.packet_number; recovery:metrics_updated bytes_in_flight,
 *   congestion_window, min_rtt, smoothed_rtt, latest_rtt (RTTs in
 *   time_units).
 * - Sequence diagram: packet_sent/received with header.packet_type and
 *   packet_number, frames[].frame_type. */
typedef struct qvis_stats {
	int records;
	uint64_t sent, received, lost, sized, metrics;
	bool has_cwnd, has_srtt;
	double cwnd_max, cwnd_last, srtt_min, srtt_max;
} qvis_stats;

static bool is_num(const cJSON *o, const char *k)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k));
}

static bool str_is(const cJSON *o, const char *k, const char *want)
{
	const char *v =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v && !strcmp(v, want);
}

static bool qvis_header(const cJSON *j)
{
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "trace");
	const cJSON *cf = cJSON_GetObjectItemCaseSensitive(tr, "common_fields");
	const cJSON *vp = cJSON_GetObjectItemCaseSensitive(tr, "vantage_point");
	const cJSON *cfg =
	    cJSON_GetObjectItemCaseSensitive(tr, "configuration");
	return str_is(j, "qlog_version", "0.3") &&
	       str_is(j, "qlog_format", "JSON-SEQ") && cJSON_IsObject(tr) &&
	       !cJSON_GetObjectItemCaseSensitive(tr, "event_fields") &&
	       (str_is(vp, "type", "client") || str_is(vp, "type", "server") ||
		str_is(vp, "type", "network") ||
		str_is(vp, "type", "unknown")) &&
	       str_is(cf, "time_format", "relative") &&
	       is_num(cf, "reference_time") &&
	       (str_is(cfg, "time_units", "ms") ||
		str_is(cfg, "time_units", "us"));
}

static bool qvis_frames(const cJSON *frames)
{
	const cJSON *fr, *r;
	bool ok = cJSON_IsArray(frames);
	cJSON_ArrayForEach(fr, frames)
	{
		const char *ft = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(fr, "frame_type"));
		if (!ft)
			return false;
		if (!strcmp(ft, "stream"))
			ok = ok && is_num(fr, "stream_id") &&
			     is_num(fr, "offset") && is_num(fr, "length");
		if (!strcmp(ft, "max_data") || !strcmp(ft, "max_stream_data"))
			ok = ok && is_num(fr, "maximum");
		if (strcmp(ft, "ack"))
			continue;
		const cJSON *rs =
		    cJSON_GetObjectItemCaseSensitive(fr, "acked_ranges");
		ok = ok && cJSON_IsArray(rs) && cJSON_GetArraySize(rs) > 0;
		cJSON_ArrayForEach(r, rs)
		{
			int n = cJSON_GetArraySize(r);
			const cJSON *a = cJSON_GetArrayItem(r, 0),
				    *b = cJSON_GetArrayItem(r, n - 1);
			ok = ok && (n == 1 || n == 2) && cJSON_IsNumber(a) &&
			     cJSON_IsNumber(b) &&
			     a->valuedouble <= b->valuedouble;
		}
	}
	return ok;
}

static bool qvis_packet(const cJSON *d, bool sent, qvis_stats *st)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(d, "header");
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(d, "raw");
	const cJSON *len = cJSON_GetObjectItemCaseSensitive(raw, "length");
	bool ok = cJSON_IsString(
		      cJSON_GetObjectItemCaseSensitive(h, "packet_type")) &&
		  !cJSON_GetObjectItemCaseSensitive(h, "packet_size") &&
		  !cJSON_GetObjectItemCaseSensitive(h, "payload_length") &&
		  !cJSON_GetObjectItemCaseSensitive(d, "packet_type") &&
		  qvis_frames(cJSON_GetObjectItemCaseSensitive(d, "frames"));
	if (raw) /* a size is only of use with the number it is filed under */
		ok = ok && cJSON_IsNumber(len) && len->valuedouble > 0 &&
		     is_num(h, "packet_number");
	if (is_num(h, "packet_number")) /* the import counts these */
		*(sent ? &st->sent : &st->received) += 1;
	st->sized += raw != NULL;
	return ok;
}

static bool qvis_metrics(const cJSON *d, qvis_stats *st)
{
	/* what the congestion view reads must be numbers; other fields
	   (e.g. packets_in_flight kept from the source) it passes over */
	static const char *read[] = {"congestion_window", "bytes_in_flight",
				     "smoothed_rtt", "latest_rtt", "min_rtt"};
	bool ok = cJSON_GetArraySize(d) > 0;
	for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, read[i]);
		ok = ok && (!m || cJSON_IsNumber(m));
	}
	const cJSON *cw =
	    cJSON_GetObjectItemCaseSensitive(d, "congestion_window");
	const cJSON *sr = cJSON_GetObjectItemCaseSensitive(d, "smoothed_rtt");
	if (cJSON_IsNumber(cw)) {
		if (!st->has_cwnd || cw->valuedouble > st->cwnd_max)
			st->cwnd_max = cw->valuedouble;
		st->cwnd_last = cw->valuedouble;
		st->has_cwnd = true;
	}
	if (cJSON_IsNumber(sr)) {
		if (!st->has_srtt || sr->valuedouble < st->srtt_min)
			st->srtt_min = sr->valuedouble;
		if (!st->has_srtt || sr->valuedouble > st->srtt_max)
			st->srtt_max = sr->valuedouble;
		st->has_srtt = true;
	}
	st->metrics++;
	return ok;
}

/* One event record; false with the reason in why. */
static bool qvis_event(const cJSON *j, double *last_t, qvis_stats *st)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "time");
	const char *name =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "data");
	if (!cJSON_IsNumber(t) || t->valuedouble < *last_t || !name ||
	    !strchr(name, ':') || !cJSON_IsObject(d) ||
	    cJSON_GetObjectItemCaseSensitive(j, "group_id"))
		return false;
	*last_t = t->valuedouble;
	if (!strcmp(name, "transport:packet_sent"))
		return qvis_packet(d, true, st);
	if (!strcmp(name, "transport:packet_received"))
		return qvis_packet(d, false, st);
	if (!strcmp(name, "recovery:metrics_updated"))
		return qvis_metrics(d, st);
	if (!strcmp(name, "recovery:packet_lost")) {
		st->lost++;
		return is_num(cJSON_GetObjectItemCaseSensitive(d, "header"),
			      "packet_number");
	}
	return true;
}

/* Checks path as qvis loads it; fills st. Returns 0 or -1 (why says). */
static int qvis_check(const char *path, qvis_stats *st, char *why, size_t n)
{
	long len = 0;
	char *buf = tq_slurp(path, &len), *p, *end;
	double last_t = -1e300;
	size_t plen = strlen(path);
	char head[1025];

	memset(st, 0, sizeof(*st));
	if (!buf)
		return snprintf(why, n, "cannot open"), -1;
	snprintf(head, sizeof(head), "%s", buf);
	if (plen < 6 || strcmp(path + plen - 6, ".sqlog"))
		snprintf(why, n, "not named .sqlog");
	else if (!strstr(head, "qlog_version") ||
		 !strstr(head, "qlog_format") || !strstr(head, "JSON-SEQ"))
		snprintf(why, n, "qlog_version/qlog_format not in 1024 chars");
	else
		why[0] = '\0';
	for (p = buf; !why[0] && p < buf + len; p = end) {
		if (*p++ != 0x1e) {
			snprintf(why, n, "record %d: no RS", st->records);
			break;
		}
		end = memchr(p, 0x1e, (size_t)(buf + len - p));
		if (!end)
			end = buf + len;
		if (end[-1] != '\n') {
			snprintf(why, n, "record %d: no LF", st->records);
			break;
		}
		cJSON *j = cJSON_ParseWithLength(p, (size_t)(end - p));
		bool ok =
		    cJSON_IsObject(j) &&
		    (st->records ? qvis_event(j, &last_t, st) : qvis_header(j));
		if (!ok)
			snprintf(
			    why, n, "record %d (%s) not as qvis reads it",
			    st->records,
			    cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(j, "name"))
				?: (st->records ? "?" : "header"));
		cJSON_Delete(j);
		st->records++;
	}
	free(buf);
	return why[0] ? -1 : 0;
}

/* ---- comparing two imports ---------------------------------------------- */

typedef struct fingerprint {
	char **line;
	int n, cap;
	store_flow_row flows[4096];
	int nflows;
} fingerprint;

static void fp_add(fingerprint *fp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fp_add(fingerprint *fp, const char *fmt, ...)
{
	va_list ap;
	char buf[256];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (fp->n == fp->cap) {
		fp->cap = fp->cap ? fp->cap * 2 : 256;
		fp->line = realloc(fp->line, (size_t)fp->cap * sizeof(char *));
	}
	fp->line[fp->n++] = strdup(buf);
}

static int fp_flow_cb(void *ctx, const store_flow_row *f)
{
	fingerprint *fp = ctx;
	if (fp->nflows < 4096) {
		fp->flows[fp->nflows] = *f;
		fp->flows[fp->nflows].label =
		    f->label ? strdup(f->label) : NULL;
		fp->nflows++;
	}
	return 0;
}

static const char *fp_label(fingerprint *fp, uint32_t id)
{
	for (int i = 0; i < fp->nflows; i++)
		if (fp->flows[i].flow_id == id)
			return fp->flows[i].has_parent ? fp->flows[i].label
						       : "connection";
	return "?";
}

static int fp_count_cb(void *ctx, uint32_t flow, uint32_t type, int64_t n)
{
	fingerprint *fp = ctx;
	fp_add(fp, "%s type %u: %llu", fp_label(fp, flow), type,
	       (unsigned long long)n);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything the round trip must keep, as sorted lines. */
static void fingerprint_of(store *s, int64_t trace, fingerprint *fp)
{
	memset(fp, 0, sizeof(*fp));
	store_trace_flows(s, trace, fp_flow_cb, fp);
	store_trace_type_counts(s, trace, fp_count_cb, fp);
	for (int i = 0; i < fp->nflows; i++) {
		const store_flow_row *f = &fp->flows[i];
		const char *l = f->has_parent ? f->label : "connection";
		fp_add(fp, "%s: flow (parent %s)", l,
		       f->has_parent ? "connection" : "none");
		if (!f->has_parent)
			fp_add(fp, "%s: first %lld last %lld unmapped %llu", l,
			       (long long)f->first_ns, (long long)f->last_ns,
			       (unsigned long long)f->unmapped);
	}
	qsort(fp->line, (size_t)fp->n, sizeof(char *), cmp_line);
}

static void fp_free(fingerprint *fp)
{
	for (int i = 0; i < fp->n; i++)
		free(fp->line[i]);
	for (int i = 0; i < fp->nflows; i++)
		free((char *)fp->flows[i].label);
	free(fp->line);
}

static void compare(const char *rel, fingerprint *a, fingerprint *b)
{
	int i = 0, k = 0, shown = 0;
	while (i < a->n || k < b->n) {
		int c = i == a->n   ? 1
			: k == b->n ? -1
				    : strcmp(a->line[i], b->line[k]);
		if (c == 0) {
			i++, k++;
			continue;
		}
		if (shown++ < 5)
			TQ_CHECK(false, "%s: round trip differs: %s '%s'", rel,
				 c < 0 ? "lost" : "gained",
				 c < 0 ? a->line[i] : b->line[k]);
		else
			tq_failures++;
		if (c < 0)
			i++;
		else
			k++;
	}
}

static int size_count_cb(void *ctx, uint32_t flow, uint32_t type, int64_t n)
{
	(void)flow;
	if (type == QLOG_EV_PACKET_SIZE)
		*(uint64_t *)ctx += n;
	return 0;
}

/* What qvis will draw from an exported connection against the corpus'
 * independent reference summary of the source (exp: its connection). */
static void check_drawn(const char *rel, int t, const cJSON *exp,
			const qvis_stats *st, uint64_t sizes)
{
	const cJSON *v;
#define EXP(k) (v = cJSON_GetObjectItemCaseSensitive(exp, k))
	TQ_CHECK(cJSON_IsNumber(EXP("packets_sent")) &&
		     v->valuedouble == (double)st->sent,
		 "%s #%d: %llu packet_sent exported", rel, t,
		 (unsigned long long)st->sent);
	TQ_CHECK(cJSON_IsNumber(EXP("packets_received")) &&
		     v->valuedouble == (double)st->received,
		 "%s #%d: %llu packet_received exported", rel, t,
		 (unsigned long long)st->received);
	TQ_CHECK(cJSON_IsNumber(EXP("packets_lost")) &&
		     v->valuedouble == (double)st->lost,
		 "%s #%d: %llu packet_lost exported", rel, t,
		 (unsigned long long)st->lost);
	TQ_CHECK(cJSON_IsNumber(EXP("cwnd_max")) == st->has_cwnd &&
		     (!st->has_cwnd || (v->valuedouble == st->cwnd_max &&
					cJSON_IsNumber(EXP("cwnd_last")) &&
					v->valuedouble == st->cwnd_last)),
		 "%s #%d: congestion_window max/last %.0f/%.0f exported", rel,
		 t, st->cwnd_max, st->cwnd_last);
	/* RTTs in ms (time_units), as exact as the reference's 3 decimals */
	TQ_CHECK(cJSON_IsNumber(EXP("smoothed_rtt_min_ms")) == st->has_srtt &&
		     (!st->has_srtt ||
		      (fabs(v->valuedouble - st->srtt_min) <= 0.0005 &&
		       cJSON_IsNumber(EXP("smoothed_rtt_max_ms")) &&
		       fabs(v->valuedouble - st->srtt_max) <= 0.0005)),
		 "%s #%d: smoothed_rtt min/max %.6f/%.6f ms exported", rel, t,
		 st->srtt_min, st->srtt_max);
#undef EXP
	/* every packet size the source had reaches qvis as raw.length */
	TQ_CHECK(st->sized == sizes, "%s #%d: %llu of %llu packet sizes", rel,
		 t, (unsigned long long)st->sized, (unsigned long long)sizes);
}

static void round_trip(const char *path, const char *dir, int *n_exported)
{
	const char *rel = path + strlen(tq_corpus) + 1;
	char db1[4200], db2[4200], out[4300], err[512], why[128];
	qlog_report rep;
	tq_trace_list traces = {0};
	snprintf(db1, sizeof(db1), "%s/a.db", dir);
	snprintf(db2, sizeof(db2), "%s/b.db", dir);
	remove(db1);
	store *s1 = tq_open(db1);
	TQ_CHECK(tq_import(s1, path, &rep, err, sizeof(err)) == 0,
		 "%s: import: %s", rel, err);
	store_traces(s1, 0, tq_trace_cb, &traces);
	char exp_path[8192];
	long exp_len = 0;
	snprintf(exp_path, sizeof(exp_path), "%s/expected/%s.summary.json",
		 tq_corpus, rel);
	char *exp_text = tq_slurp(exp_path, &exp_len);
	cJSON *exp = exp_text ? cJSON_Parse(exp_text) : NULL;
	free(exp_text);
	const cJSON *conns =
	    cJSON_GetObjectItemCaseSensitive(exp, "connections");
	TQ_CHECK(cJSON_GetArraySize(conns) == traces.n,
		 "%s: no reference summary for %d traces", rel, traces.n);
	for (int t = 0; t < traces.n; t++) {
		tq_conns *cs = malloc(sizeof(*cs));
		tq_summarize(s1, traces.ids[t], cs);
		for (int c = 0; c < cs->n; c++) {
			export_opts o;
			fingerprint a, b;
			tq_trace_list t2 = {0};
			export_opts_init(&o);
			o.trace_id = traces.ids[t];
			o.flow_id = cs->c[c].flow_id;
			snprintf(out, sizeof(out), "%s/rt_%d_%d.sqlog", dir, t,
				 c);
			FILE *f = fopen(out, "w");
			int rc = export_write(s1, &o, f, err, sizeof(err));
			fclose(f);
			TQ_CHECK(rc == 0, "%s: export: %s", rel, err);
			qvis_stats st;
			uint64_t sizes = 0;
			TQ_CHECK(qvis_check(out, &st, why, sizeof(why)) == 0,
				 "%s: exported file fails the qvis "
				 "checks: %s",
				 rel, why);
			store_trace_type_counts(s1, traces.ids[t],
						size_count_cb, &sizes);
			if (cs->n == 1)
				check_drawn(rel, t,
					    cJSON_GetArrayItem(conns, t), &st,
					    sizes);
			(*n_exported)++;
			remove(db2);
			store *s2 = tq_open(db2);
			TQ_CHECK(tq_import(s2, out, &rep, err, sizeof(err)) ==
				     0,
				 "%s: re-import: %s", rel, err);
			TQ_CHECK(rep.truncated == false, "%s: export truncated",
				 rel);
			store_traces(s2, 0, tq_trace_cb, &t2);
			fingerprint_of(s1, traces.ids[t], &a);
			if (t2.n == 1) {
				fingerprint_of(s2, t2.ids[0], &b);
				compare(rel, &a, &b);
				fp_free(&b);
			} else {
				TQ_CHECK(false, "%s: re-import gave %d traces",
					 rel, t2.n);
			}
			fp_free(&a);
			store_close(s2);
			remove(out);
		}
		free(cs);
	}
	cJSON_Delete(exp);
	store_close(s1);
	printf("ok %s\n", rel);
}

/* An Ojo-native trace (as libojo records it: bursts of packets and their
 * ranges at one instant, ACKs without a received packet) exports to a file
 * qvis reads, and importing it keeps packets, ranges, ACKs and cwnd. */
static void native_trace(const char *dir)
{
	char db[4200], db2[4200], out[4200], err[512], why[128];
	qlog_report rep;
	store_event ev[64];
	size_t n = 0;
	int64_t tid;
	const int64_t t0 = 1700000000000000000LL;
	snprintf(db, sizeof(db), "%s/native.db", dir);
	snprintf(db2, sizeof(db2), "%s/native2.db", dir);
	snprintf(out, sizeof(out), "%s/native.sqlog", dir);
	store *s = tq_open(db);
	store_trace_info ti = {.name = "native", .source = "ojo"};
	TQ_CHECK(store_begin(s) == 0 && store_trace(s, &ti, &tid) == 0,
		 "native: %s", store_errmsg(s));
#define EV(t, f, ty, p) ev[n++] = (store_event){t0 + (t), f, ty, p}
	EV(0, 2, OJO_EV_STREAM_OPENED, 0);
	EV(0, 2, OJO_EV_STREAM_LINK, 1);
	for (int k = 0; k < 3; k++) { /* a burst of three packets at t=0 */
		EV(0, 1, OJO_EV_PACKET_SENT, (uint64_t)k);
		EV(0, 2, OJO_EV_DATA_SENT, OJO_RANGE(k * 1000, 1000));
	}
	EV(0, 1, OJO_EV_CWND, 12000);
	EV(5000000, 1, OJO_EV_PACKET_ACKED, 0);
	EV(5000000, 1, OJO_EV_PACKET_ACKED, 1);
	EV(5000000, 1, OJO_EV_CWND, 14000);
	EV(6000000, 1, OJO_EV_PACKET_LOST_THRESHOLD, 2);
#undef EV
	TQ_CHECK(store_append(s, tid, ev, n) == 0 && store_commit(s) == 0,
		 "native: %s", store_errmsg(s));
	export_opts o;
	export_opts_init(&o);
	o.trace_id = tid;
	FILE *f = fopen(out, "w");
	TQ_CHECK(export_write(s, &o, f, err, sizeof(err)) == 0,
		 "native export: %s", err);
	fclose(f);
	store_close(s);
	qvis_stats st;
	TQ_CHECK(qvis_check(out, &st, why, sizeof(why)) == 0,
		 "native export fails the qvis checks: %s", why);
	TQ_CHECK(st.sent == 3 && st.lost == 1 && st.sized == 0 &&
		     st.cwnd_max == 14000,
		 "native export: %llu sent, %llu lost, %llu sized, cwnd %.0f",
		 (unsigned long long)st.sent, (unsigned long long)st.lost,
		 (unsigned long long)st.sized, st.cwnd_max);
	store *s2 = tq_open(db2);
	TQ_CHECK(tq_import(s2, out, &rep, err, sizeof(err)) == 0,
		 "native re-import: %s", err);
	tq_trace_list tl = {0};
	store_traces(s2, 0, tq_trace_cb, &tl);
	tq_conns *cs = malloc(sizeof(*cs));
	TQ_CHECK(tl.n == 1 && tq_summarize(s2, tl.ids[0], cs) == 0 &&
		     cs->n == 1,
		 "native re-import: %d traces", tl.n);
	if (cs->n == 1) {
		tq_conn *c = &cs->c[0];
		TQ_CHECK(
		    c->sent == 3 && c->acked == 2 && c->lost == 1 &&
			c->streams == 1 && c->stream_bytes_sent == 3000 &&
			c->cwnd_max == 14000 && c->cwnd_last == 14000,
		    "native round trip: sent %llu acked %llu lost %llu "
		    "streams %llu bytes %llu cwnd %llu/%llu",
		    (unsigned long long)c->sent, (unsigned long long)c->acked,
		    (unsigned long long)c->lost, (unsigned long long)c->streams,
		    (unsigned long long)c->stream_bytes_sent,
		    (unsigned long long)c->cwnd_max,
		    (unsigned long long)c->cwnd_last);
	}
	free(cs);
	store_close(s2);
	printf("ok native trace\n");
}

int main(int argc, char **argv)
{
	char dir[4096];
	int n_exported = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: qlog_roundtrip CORPUS_DIR\n");
		return 2;
	}
	tq_corpus_files(argv[1]);
	TQ_CHECK(tq_n_files >= 30, "only %d corpus files", tq_n_files);
	tq_tmpdir(dir, sizeof(dir));
	for (int i = 0; i < tq_n_files; i++) {
		round_trip(tq_files[i], dir, &n_exported);
		free(tq_files[i]);
	}
	native_trace(dir);
	tq_rmrf(dir);
	printf("%d exported connections checked\n", n_exported);
	printf("%d passed, %d failed\n", tq_failures ? 0 : tq_n_files,
	       tq_failures ? 1 : 0);
	return tq_failures ? 1 : 0;
}
