/* qlog_roundtrip.c - import(export(trace)) gives the same flows and
 * counts, and every exported file passes the checks qvis applies when it
 * loads a file (tests/qlog_qvis_check, below). Usage:
 * qlog_roundtrip CORPUS_DIR */
#include <cjson/cJSON.h>

#include "qlog/export.h"
#include "qlog_util.h"

/* ---- what qvis requires of a JSON-SEQ qlog file ----------------------- */
/* From qvis' loader: the extension .sqlog selects JSON-SEQ; the first
 * 1024 characters must hold qlog_version and qlog_format "JSON-SEQ"; the
 * header needs a trace; the version must be one its draft-02 loader takes
 * (QlogSchema02 versionAliases: draft-02, draft-02-RC1, qlog-03-WIP, 0.3;
 * we write 0.3); time_units ms or us; time_format relative with a numeric
 * reference_time;
 * events {time, name "category:event", data} in time order (qvis re-sorts
 * and warns otherwise); the congestion and sequence views read
 * transport:packet_sent/received data.header.packet_number and
 * packet_type, frames with frame_type stream (stream_id, offset, length)
 * and ack (acked_ranges of [from, to]), recovery:metrics_updated numbers,
 * recovery:packet_lost header.packet_number. */
static int qvis_check(const char *path, char *why, size_t n)
{
	FILE *f = fopen(path, "rb");
	char *buf, *p, *end;
	long len;
	int records = 0;
	double last_t = -1e300;
	if (!f)
		return snprintf(why, n, "cannot open"), -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		len = 0;
	buf[len] = '\0';
	fclose(f);
	size_t plen = strlen(path);
	if (plen < 6 || strcmp(path + plen - 6, ".sqlog")) {
		snprintf(why, n, "not named .sqlog");
		goto bad;
	}
	char head[1025];
	snprintf(head, sizeof(head), "%s", buf);
	if (!strstr(head, "qlog_version") || !strstr(head, "JSON-SEQ")) {
		snprintf(why, n, "qlog_version/qlog_format not in 1024 chars");
		goto bad;
	}
	for (p = buf; p < buf + len; p = end) {
		if (*p != 0x1e) {
			snprintf(why, n, "record %d: no RS", records);
			goto bad;
		}
		p++;
		end = memchr(p, 0x1e, (size_t)(buf + len - p));
		if (!end)
			end = buf + len;
		if (end[-1] != '\n') {
			snprintf(why, n, "record %d: no LF", records);
			goto bad;
		}
		cJSON *j = cJSON_ParseWithLength(p, (size_t)(end - p));
		if (!cJSON_IsObject(j)) {
			snprintf(why, n, "record %d: not a JSON object",
				 records);
			cJSON_Delete(j);
			goto bad;
		}
		bool ok = true;
		if (records == 0) {
			const cJSON *tr = cJSON_GetObjectItem(j, "trace");
			const cJSON *cf =
			    cJSON_GetObjectItem(tr, "common_fields");
			const cJSON *vp =
			    cJSON_GetObjectItem(tr, "vantage_point");
			const cJSON *cfg =
			    cJSON_GetObjectItem(tr, "configuration");
			const char *ver = cJSON_GetStringValue(
			    cJSON_GetObjectItem(j, "qlog_version"));
			const char *ty = cJSON_GetStringValue(
			    cJSON_GetObjectItem(vp, "type"));
			const char *tu = cJSON_GetStringValue(
			    cJSON_GetObjectItem(cfg, "time_units"));
			ok = ver && !strcmp(ver, "0.3") &&
			     !strcmp(cJSON_GetStringValue(
					 cJSON_GetObjectItem(j, "qlog_format"))
					 ?: "",
				     "JSON-SEQ") &&
			     cJSON_IsObject(tr) && ty &&
			     (!strcmp(ty, "client") || !strcmp(ty, "server") ||
			      !strcmp(ty, "network") ||
			      !strcmp(ty, "unknown")) &&
			     !strcmp(cJSON_GetStringValue(
					 cJSON_GetObjectItem(cf, "time_format"))
					 ?: "",
				     "relative") &&
			     cJSON_IsNumber(
				 cJSON_GetObjectItem(cf, "reference_time")) &&
			     tu && (!strcmp(tu, "ms") || !strcmp(tu, "us"));
			if (!ok)
				snprintf(why, n, "bad header");
		} else {
			const cJSON *t = cJSON_GetObjectItem(j, "time");
			const char *name = cJSON_GetStringValue(
			    cJSON_GetObjectItem(j, "name"));
			const cJSON *d = cJSON_GetObjectItem(j, "data");
			ok = cJSON_IsNumber(t) && name && strchr(name, ':') &&
			     cJSON_IsObject(d) && t->valuedouble >= last_t;
			if (ok)
				last_t = t->valuedouble;
			if (ok &&
			    (!strcmp(name, "transport:packet_sent") ||
			     !strcmp(name, "transport:packet_received"))) {
				const cJSON *h =
				    cJSON_GetObjectItem(d, "header");
				const cJSON *fr,
				    *frames = cJSON_GetObjectItem(d, "frames");
				ok = cJSON_IsString(cJSON_GetObjectItem(
					 h, "packet_type")) &&
				     cJSON_IsArray(frames);
				cJSON_ArrayForEach(fr, frames)
				{
					const char *ft = cJSON_GetStringValue(
					    cJSON_GetObjectItem(fr,
								"frame_type"));
					if (!ft) {
						ok = false;
					} else if (!strcmp(ft, "stream")) {
						ok =
						    ok &&
						    cJSON_IsNumber(
							cJSON_GetObjectItem(
							    fr, "stream_id")) &&
						    cJSON_IsNumber(
							cJSON_GetObjectItem(
							    fr, "offset")) &&
						    cJSON_IsNumber(
							cJSON_GetObjectItem(
							    fr, "length"));
					} else if (!strcmp(ft, "ack")) {
						const cJSON *r,
						    *rs = cJSON_GetObjectItem(
							fr, "acked_ranges");
						ok = ok && cJSON_IsArray(rs);
						cJSON_ArrayForEach(r, rs) ok =
						    ok &&
						    cJSON_GetArraySize(r) ==
							2 &&
						    cJSON_GetArrayItem(r, 0)
							    ->valuedouble <=
							cJSON_GetArrayItem(r, 1)
							    ->valuedouble;
					}
				}
			} else if (ok &&
				   !strcmp(name, "recovery:packet_lost")) {
				ok = cJSON_IsNumber(cJSON_GetObjectItem(
				    cJSON_GetObjectItem(d, "header"),
				    "packet_number"));
			} else if (ok &&
				   !strcmp(name, "recovery:metrics_updated")) {
				const cJSON *m;
				cJSON_ArrayForEach(m, d) ok =
				    ok && cJSON_IsNumber(m);
			}
			if (!ok)
				snprintf(why, n,
					 "record %d (%s) not as qvis "
					 "reads it",
					 records, name ? name : "?");
		}
		cJSON_Delete(j);
		if (!ok)
			goto bad;
		records++;
	}
	free(buf);
	return records;
bad:
	free(buf);
	return -1;
}

/* ---- comparing two imports ---------------------------------------------- */

typedef struct fingerprint {
	char **line;
	int n, cap;
	ojo_scan_flow flows[4096];
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

static int fp_flow_cb(void *ctx, const ojo_scan_flow *f)
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

static int fp_count_cb(void *ctx, uint32_t flow, uint32_t type, uint64_t n)
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
static void fingerprint_of(ojo_store *s, int64_t trace, fingerprint *fp)
{
	memset(fp, 0, sizeof(*fp));
	ojo_scan_flows(s, trace, fp_flow_cb, fp);
	ojo_scan_type_counts(s, trace, fp_count_cb, fp);
	for (int i = 0; i < fp->nflows; i++) {
		const ojo_scan_flow *f = &fp->flows[i];
		const char *l = f->has_parent ? f->label : "connection";
		fp_add(fp, "%s: flow (parent %s)", l,
		       f->has_parent ? "connection" : "none");
		if (!f->has_parent)
			fp_add(fp, "%s: first %lld last %lld unmapped %llu", l,
			       (long long)f->first_ns, (long long)f->last_ns,
			       (unsigned long long)f->n_unmapped);
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

static char corpus[4096];
static char *files[256];
static int n_files;

static int collect(const char *p, const struct stat *sb, int flag,
		   struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	const char *rel = p + strlen(corpus) + 1;
	size_t n = strlen(p);
	if (flag == FTW_F && strncmp(rel, "expected/", 9) &&
	    !(n > 3 && !strcmp(p + n - 3, ".md")) &&
	    !(n > 10 && !strcmp(p + n - 10, ".meta.json")) && n_files < 256)
		files[n_files++] = strdup(p);
	return 0;
}

static void round_trip(const char *path, const char *dir, int *n_exported)
{
	const char *rel = path + strlen(corpus) + 1;
	char db1[4200], db2[4200], out[4300], err[512], why[128];
	ojo_qlog_report rep;
	tq_trace_list traces = {0};
	snprintf(db1, sizeof(db1), "%s/a.db", dir);
	snprintf(db2, sizeof(db2), "%s/b.db", dir);
	remove(db1);
	ojo_store *s1 = tq_open(db1);
	TQ_CHECK(tq_import(s1, path, &rep, err, sizeof(err)) == 0,
		 "%s: import: %s", rel, err);
	ojo_scan_traces(s1, 0, tq_trace_cb, &traces);
	for (int t = 0; t < traces.n; t++) {
		tq_conns *cs = malloc(sizeof(*cs));
		tq_summarize(s1, traces.ids[t], cs);
		for (int c = 0; c < cs->n; c++) {
			ojo_export_opts o;
			fingerprint a, b;
			tq_trace_list t2 = {0};
			ojo_export_opts_init(&o);
			o.trace_id = traces.ids[t];
			o.flow_id = cs->c[c].flow_id;
			snprintf(out, sizeof(out), "%s/rt_%d_%d.sqlog", dir, t,
				 c);
			FILE *f = fopen(out, "w");
			int rc = ojo_export_write(s1, &o, f, err, sizeof(err));
			fclose(f);
			TQ_CHECK(rc == 0, "%s: export: %s", rel, err);
			int recs = qvis_check(out, why, sizeof(why));
			TQ_CHECK(recs > 0,
				 "%s: exported file fails the qvis "
				 "checks: %s",
				 rel, why);
			(*n_exported)++;
			remove(db2);
			ojo_store *s2 = tq_open(db2);
			TQ_CHECK(tq_import(s2, out, &rep, err, sizeof(err)) ==
				     0,
				 "%s: re-import: %s", rel, err);
			TQ_CHECK(rep.truncated == false, "%s: export truncated",
				 rel);
			ojo_scan_traces(s2, 0, tq_trace_cb, &t2);
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
			ojo_store_close(s2);
			remove(out);
		}
		free(cs);
	}
	ojo_store_close(s1);
	printf("ok %s\n", rel);
}

/* An Ojo-native trace (as libojo records it: bursts of packets and their
 * ranges at one instant, ACKs without a received packet) exports to a file
 * qvis reads, and importing it keeps packets, ranges, ACKs and cwnd. */
static void native_trace(const char *dir)
{
	char db[4200], db2[4200], out[4200], err[512], why[128];
	ojo_qlog_report rep;
	ojo_store_event ev[64];
	size_t n = 0;
	int64_t tid;
	const int64_t t0 = 1700000000000000000LL;
	snprintf(db, sizeof(db), "%s/native.db", dir);
	snprintf(db2, sizeof(db2), "%s/native2.db", dir);
	snprintf(out, sizeof(out), "%s/native.sqlog", dir);
	ojo_store *s = tq_open(db);
	ojo_trace_info ti = {.name = "native", .source = "ojo"};
	TQ_CHECK(ojo_store_begin(s) == 0 && ojo_store_trace(s, &ti, &tid) == 0,
		 "native: %s", ojo_store_errmsg(s));
#define EV(t, f, ty, p) ev[n++] = (ojo_store_event){t0 + (t), f, ty, p}
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
	TQ_CHECK(ojo_store_append(s, tid, ev, n) == 0 &&
		     ojo_store_commit(s) == 0,
		 "native: %s", ojo_store_errmsg(s));
	ojo_export_opts o;
	ojo_export_opts_init(&o);
	o.trace_id = tid;
	FILE *f = fopen(out, "w");
	TQ_CHECK(ojo_export_write(s, &o, f, err, sizeof(err)) == 0,
		 "native export: %s", err);
	fclose(f);
	ojo_store_close(s);
	TQ_CHECK(qvis_check(out, why, sizeof(why)) > 0,
		 "native export fails the qvis checks: %s", why);
	ojo_store *s2 = tq_open(db2);
	TQ_CHECK(tq_import(s2, out, &rep, err, sizeof(err)) == 0,
		 "native re-import: %s", err);
	tq_trace_list tl = {0};
	ojo_scan_traces(s2, 0, tq_trace_cb, &tl);
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
	ojo_store_close(s2);
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
	snprintf(corpus, sizeof(corpus), "%s", argv[1]);
	nftw(corpus, collect, 16, FTW_PHYS);
	TQ_CHECK(n_files >= 30, "only %d corpus files", n_files);
	tq_tmpdir(dir, sizeof(dir));
	for (int i = 0; i < n_files; i++) {
		round_trip(files[i], dir, &n_exported);
		free(files[i]);
	}
	native_trace(dir);
	tq_rmrf(dir);
	printf("%d exported connections checked\n", n_exported);
	printf("%d passed, %d failed\n", tq_failures ? 0 : n_files,
	       tq_failures ? 1 : 0);
	return tq_failures ? 1 : 0;
}
