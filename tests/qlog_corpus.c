/* qlog_corpus.c - every file of the qlog corpus imported into a fresh
 * database and compared with its independent reference summary
 * (expected/<path>.summary.json): packets sent/received/lost, streams with
 * STREAM frames, stream bytes sent, max and last cwnd, first and last event
 * time, event counts and truncation. Also: a non-qlog file is rejected with
 * its reason. Usage: qlog_corpus CORPUS_DIR */
#include <cjson/cJSON.h>
#include <math.h>

#include "qlog_util.h"

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
	if (flag != FTW_F || !strncmp(rel, "expected/", 9) ||
	    (n > 3 && !strcmp(p + n - 3, ".md")) ||
	    (n > 10 && !strcmp(p + n - 10, ".meta.json")))
		return 0;
	if (n_files < 256)
		files[n_files++] = strdup(p);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static cJSON *load_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	cJSON *j;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	j = cJSON_ParseWithLength(buf, (size_t)n);
	free(buf);
	return j;
}

static double num(const cJSON *o, const char *k, bool *null)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	*null = !cJSON_IsNumber(j);
	return cJSON_IsNumber(j) ? j->valuedouble : 0;
}

/* The summary's reference_time as Unix epoch ns, when it is one (same
 * reading as docs/QLOG.md: seconds, ms, us or ns between 2000 and 2100). */
static bool epoch_ref(const cJSON *time, double *ns)
{
	const cJSON *r =
	    cJSON_GetObjectItemCaseSensitive(time, "reference_time");
	double v;
	if (cJSON_IsNumber(r))
		v = r->valuedouble;
	else if (cJSON_IsString(r))
		v = strtod(r->valuestring, NULL);
	else
		return false;
	const double units[] = {1e9, 1e6, 1e3, 1};
	for (int i = 0; i < 4; i++) {
		if (v * units[i] >= 946684800e9 &&
		    v * units[i] < 4102444800e9) {
			*ns = v * units[i];
			return true;
		}
	}
	return false;
}

static void check_conn(const char *rel, int i, const cJSON *exp,
		       const tq_conn *c)
{
	bool null;
	double v;
#define EQ(field, got)                                                         \
	do {                                                                   \
		v = num(exp, field, &null);                                    \
		TQ_CHECK(!null && (double)(got) == v,                          \
			 "%s conn %d: %s = %.0f, expected %.0f", rel, i,       \
			 field, (double)(got), v);                             \
	} while (0)
	EQ("packets_sent", c->sent);
	EQ("packets_received", c->received);
	EQ("packets_lost", c->lost);
	EQ("stream_ids_with_stream_frames", c->streams);
	EQ("stream_bytes_sent", c->stream_bytes_sent);
	v = num(exp, "cwnd_max", &null);
	TQ_CHECK(null == !c->has_cwnd, "%s conn %d: cwnd presence", rel, i);
	if (!null) {
		EQ("cwnd_max", c->cwnd_max);
		EQ("cwnd_last", c->cwnd_last);
	}
	/* times: the reference summary gives ms relative to reference_time */
	const cJSON *time = cJSON_GetObjectItemCaseSensitive(exp, "time");
	double first = num(exp, "first_time_ms", &null) * 1e6;
	double last = num(exp, "last_time_ms", &null) * 1e6;
	double ref = 0;
	bool abs_ref = epoch_ref(time, &ref);
	bool absolute = c->first_ns > 900000000000000000LL;
	if (abs_ref || !absolute) {
		TQ_CHECK(fabs((double)c->first_ns - (ref + first)) < 2000,
			 "%s conn %d: first time %lld ns, expected %.0f", rel,
			 i, (long long)c->first_ns, ref + first);
		TQ_CHECK(fabs((double)c->last_ns - (ref + last)) < 2000,
			 "%s conn %d: last time %lld ns, expected %.0f", rel, i,
			 (long long)c->last_ns, ref + last);
	} else { /* we found an epoch the reference tool does not read */
		TQ_CHECK(fabs((double)(c->last_ns - c->first_ns) -
			      (last - first)) < 2000,
			 "%s conn %d: duration", rel, i);
	}
}

static void check_file(const char *path, const char *dir)
{
	const char *rel = path + strlen(corpus) + 1;
	char exp_path[8192], db[4200], err[256];
	ojo_qlog_report rep;
	ojo_store *s;
	tq_trace_list traces = {0};
	cJSON *exp;
	int rc;

	snprintf(exp_path, sizeof(exp_path), "%s/expected/%s.summary.json",
		 corpus, rel);
	exp = load_json(exp_path);
	TQ_CHECK(exp != NULL, "%s: no reference summary %s", rel, exp_path);
	if (!exp)
		return;
	snprintf(db, sizeof(db), "%s/t.db", dir);
	remove(db);
	s = tq_open(db);
	rc = tq_import(s, path, &rep, err, sizeof(err));
	TQ_CHECK(rc == 0, "%s: import failed: %s", rel, err);
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(exp, "truncated");
	TQ_CHECK(cJSON_IsTrue(tr) == rep.truncated, "%s: truncated %d", rel,
		 rep.truncated);
	if (rep.truncated)
		TQ_CHECK(strstr(rep.warning, "truncated at byte") != NULL,
			 "%s: warning '%s'", rel, rep.warning);

	const cJSON *conns =
	    cJSON_GetObjectItemCaseSensitive(exp, "connections");
	ojo_scan_traces(s, 0, tq_trace_cb, &traces);
	TQ_CHECK(traces.n == cJSON_GetArraySize(conns),
		 "%s: %d traces, expected %d", rel, traces.n,
		 cJSON_GetArraySize(conns));
	uint64_t events = 0;
	tq_conns *cs = malloc(sizeof(*cs));
	for (int i = 0; i < traces.n && i < cJSON_GetArraySize(conns); i++) {
		const cJSON *e = cJSON_GetArrayItem(conns, i);
		bool null;
		events += (uint64_t)num(e, "event_count", &null);
		rc = tq_summarize(s, traces.ids[i], cs);
		TQ_CHECK(rc == 0 && cs->n == 1, "%s: trace %d: %d connections",
			 rel, i, cs->n);
		if (rc == 0 && cs->n >= 1)
			check_conn(rel, i, e, &cs->c[0]);
	}
	free(cs);
	TQ_CHECK(rep.events_total == events, "%s: %llu events, expected %llu",
		 rel, (unsigned long long)rep.events_total,
		 (unsigned long long)events);
	printf("ok %s: %llu qlog events -> %llu ojo events, %llu unmapped%s\n",
	       rel, (unsigned long long)rep.events_total,
	       (unsigned long long)rep.ojo_events,
	       (unsigned long long)rep.events_unmapped,
	       rep.truncated ? " (truncated)" : "");
	ojo_store_close(s);
	cJSON_Delete(exp);
}

static void check_reject(const char *dir, const char *name, const char *text,
			 const char *want)
{
	char path[4200], db[4200], err[256] = "";
	ojo_qlog_report rep;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(db, sizeof(db), "%s/rej.db", dir);
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
	ojo_store *s = tq_open(db);
	int rc = tq_import(s, path, &rep, err, sizeof(err));
	TQ_CHECK(rc == -EINVAL, "%s: rc %d", name, rc);
	TQ_CHECK(strstr(err, want) != NULL, "%s: reason '%s' lacks '%s'", name,
		 err, want);
	ojo_file_status st = OJO_FILE_UNKNOWN;
	ojo_store_file_status(s, path, &st);
	TQ_CHECK(st == OJO_FILE_REJECTED, "%s: not recorded as rejected", name);
	ojo_store_close(s);
}

int main(int argc, char **argv)
{
	char dir[4096];
	if (argc < 2) {
		fprintf(stderr, "usage: qlog_corpus CORPUS_DIR\n");
		return 2;
	}
	snprintf(corpus, sizeof(corpus), "%s", argv[1]);
	nftw(corpus, collect, 16, FTW_PHYS);
	qsort(files, (size_t)n_files, sizeof(files[0]), cmp_str);
	TQ_CHECK(n_files >= 30, "only %d corpus files under %s", n_files,
		 corpus);
	tq_tmpdir(dir, sizeof(dir));
	for (int i = 0; i < n_files; i++) {
		check_file(files[i], dir);
		free(files[i]);
	}
	check_reject(dir, "notes.json", "{\"hello\": 1}\n",
		     "no qlog_version or file_schema");
	check_reject(dir, "bin.qlog",
		     "\x7f"
		     "ELF\x02\x01",
		     "not qlog");
	check_reject(dir, "empty.qlog", "", "empty file");
	check_reject(dir, "garbage.qlog", "{\"qlog_version\": \"0.3\", ]",
		     "not qlog");
	tq_rmrf(dir);
	printf("%d passed, %d failed\n", n_files + 4 - (tq_failures ? 1 : 0),
	       tq_failures ? 1 : 0);
	return tq_failures ? 1 : 0;
}
