/* qlog_util.h - helpers shared by the qlog tests (included once per test
 * program): temporary directories, importing a file the way `ojo import`
 * does, the corpus files, and per-connection summaries read back from the
 * database. */
#ifndef OJO_TEST_QLOG_UTIL_H
#define OJO_TEST_QLOG_UTIL_H

#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ojo/events.h"
#include "qlog/qlog.h"
#include "sqlite/sq_scan.h"
#include "store/store.h"

static int tq_failures;

#define TQ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			tq_failures++;                                         \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

static int tq_rm_one(const char *p, const struct stat *sb, int flag,
		     struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void tq_rmrf(const char *dir)
{
	nftw(dir, tq_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void tq_tmpdir(char *buf, size_t n)
{
	const char *base = getenv("TMPDIR");
	snprintf(buf, n, "%s/ojo-qlog-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(buf)) {
		perror("mkdtemp");
		exit(2);
	}
}

static store *tq_open(const char *path)
{
	char err[256];
	store *s = NULL;
	if (store_open_db(path, STORE_WRITE, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot open %s: %s\n", path, err);
		exit(2);
	}
	return s;
}

/* The whole file, NUL-terminated (*len its size); NULL if unreadable. */
__attribute__((unused)) static char *tq_slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)*len + 1);
	if (buf && fread(buf, 1, (size_t)*len, f) != (size_t)*len)
		*len = 0;
	if (buf)
		buf[*len] = '\0';
	fclose(f);
	return buf;
}

__attribute__((unused)) static cJSON *tq_load_json(const char *path)
{
	long n = 0;
	char *buf = tq_slurp(path, &n);
	cJSON *j = buf ? cJSON_ParseWithLength(buf, (size_t)n) : NULL;
	free(buf);
	return j;
}

/* The qlog files of the corpus (not expected/, *.md, *.meta.json),
 * sorted; tq_corpus holds the directory they are relative to. */
static char tq_corpus[4096];
static char *tq_files[256];
static int tq_n_files;

static int tq_collect(const char *p, const struct stat *sb, int flag,
		      struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	const char *rel = p + strlen(tq_corpus) + 1;
	size_t n = strlen(p);
	if (flag == FTW_F && strncmp(rel, "expected/", 9) &&
	    !(n > 3 && !strcmp(p + n - 3, ".md")) &&
	    !(n > 10 && !strcmp(p + n - 10, ".meta.json")) && tq_n_files < 256)
		tq_files[tq_n_files++] = strdup(p);
	return 0;
}

static int tq_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((unused)) static void tq_corpus_files(const char *dir)
{
	snprintf(tq_corpus, sizeof(tq_corpus), "%s", dir);
	nftw(tq_corpus, tq_collect, 16, FTW_PHYS);
	qsort(tq_files, (size_t)tq_n_files, sizeof(tq_files[0]), tq_cmp_str);
}

/* One file in one transaction with its ledger mark, as `ojo import`. */
static int tq_import(store *s, const char *path, qlog_report *rep, char *err,
		     size_t errlen)
{
	struct stat st;
	int rc;
	if (stat(path, &st) < 0)
		return -errno;
	if ((rc = store_begin(s)) < 0)
		return rc;
	rc = qlog_import(s, path, rep, err, errlen);
	store_file_info fi = {
	    .path = path,
	    .size = st.st_size,
	    .mtime_ns =
		(int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
	    .format = "qlog",
	    .events = rc < 0 ? 0 : rep->ojo_events,
	    .status = rc < 0 ? STORE_FILE_REJECTED : STORE_FILE_INGESTED,
	    .reason = rc < 0 ? err : (rep->warning[0] ? rep->warning : NULL),
	};
	if (rc < 0 && rc != -EINVAL) {
		store_rollback(s);
		return rc;
	}
	if (rc < 0)
		store_rollback(s), store_begin(s);
	int r2 = store_file_done(s, &fi);
	if (r2 < 0 || (r2 = store_commit(s)) < 0) {
		fprintf(stderr, "store: %s\n", store_errmsg(s));
		return r2;
	}
	return rc;
}

/* What the corpus summaries say about a connection, from the database. */
typedef struct tq_conn {
	int64_t trace_id;
	uint32_t flow_id;
	char label[128];
	uint64_t sent, received, lost, acked, streams, stream_bytes_sent;
	bool has_cwnd;
	uint64_t cwnd_max, cwnd_last;
	int64_t first_ns, last_ns;
	uint64_t n_events, n_unmapped;
} tq_conn;

typedef struct tq_trace_list {
	int64_t ids[64];
	int n;
} tq_trace_list;

static int tq_trace_cb(void *ctx, const store_trace_row *t)
{
	tq_trace_list *l = ctx;
	if (l->n == 64)
		return 0;
	int i = l->n++; /* kept in id order */
	for (; i > 0 && l->ids[i - 1] > t->id; i--)
		l->ids[i] = l->ids[i - 1];
	l->ids[i] = t->id;
	return 0;
}

typedef struct tq_conns {
	tq_conn c[16];
	int n;
	uint32_t parent_of[1 << 16]; /* flow id -> parent flow id (0 none) */
	bool opened[1 << 16];
} tq_conns;

static tq_conn *tq_find(tq_conns *cs, uint32_t flow_id)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->c[i].flow_id == flow_id)
			return &cs->c[i];
	return NULL;
}

static int tq_flow_cb(void *ctx, const store_flow_row *f)
{
	tq_conns *cs = ctx;
	if (f->flow_id < (1 << 16))
		cs->parent_of[f->flow_id] =
		    f->has_parent ? f->parent_flow_id : 0;
	if (!f->has_parent && cs->n < 16) {
		tq_conn *c = &cs->c[cs->n++];
		memset(c, 0, sizeof(*c));
		c->trace_id = f->trace_id;
		c->flow_id = f->flow_id;
		snprintf(c->label, sizeof(c->label), "%s",
			 f->label ? f->label : "");
		c->first_ns = f->first_ns;
		c->last_ns = f->last_ns;
		c->n_events = (uint64_t)f->events;
		c->n_unmapped = (uint64_t)f->unmapped;
	}
	return 0;
}

static tq_conn *tq_conn_of(tq_conns *cs, uint32_t flow_id)
{
	if (flow_id >= (1 << 16))
		return NULL;
	uint32_t p = cs->parent_of[flow_id];
	return tq_find(cs, p ? p : flow_id);
}

static int tq_count_cb(void *ctx, uint32_t flow_id, uint32_t type, int64_t n)
{
	tq_conns *cs = ctx;
	tq_conn *c = tq_conn_of(cs, flow_id);
	if (!c)
		return 0;
	if (type == OJO_EV_PACKET_SENT)
		c->sent += n;
	else if (type == OJO_EV_PACKET_RECEIVED)
		c->received += n;
	else if (type == OJO_EV_PACKET_LOST_TIMEOUT ||
		 type == OJO_EV_PACKET_LOST_THRESHOLD)
		c->lost += n;
	else if (type == OJO_EV_PACKET_ACKED)
		c->acked += n;
	else if (type == OJO_EV_STREAM_OPENED && cs->parent_of[flow_id])
		c->streams++;
	return 0;
}

static int tq_event_cb(void *ctx, const store_event_row *e)
{
	tq_conns *cs = ctx;
	tq_conn *c = tq_conn_of(cs, e->flow_id);
	if (!c)
		return 0;
	if (e->type == OJO_EV_DATA_SENT || e->type == OJO_EV_DATA_RETRANSMITTED)
		c->stream_bytes_sent += OJO_RANGE_LENGTH(e->payload);
	if (e->type == OJO_EV_CWND) {
		if (!c->has_cwnd || e->payload > c->cwnd_max)
			c->cwnd_max = e->payload;
		c->has_cwnd = true;
		c->cwnd_last = e->payload;
	}
	return 0;
}

/* Fills cs with the connections (flows without parent) of one trace. */
static int tq_summarize(store *s, int64_t trace_id, tq_conns *cs)
{
	static const uint32_t types[] = {
	    OJO_EV_DATA_SENT, OJO_EV_DATA_RETRANSMITTED, OJO_EV_CWND};
	store_event_query f;
	int rc;
	memset(cs, 0, sizeof(*cs));
	if ((rc = store_trace_flows(s, trace_id, tq_flow_cb, cs)) < 0 ||
	    (rc = store_trace_type_counts(s, trace_id, tq_count_cb, cs)) < 0)
		return rc;
	f = (store_event_query){
	    .trace_id = trace_id, .from_ns = INT64_MIN, .to_ns = INT64_MAX};
	f.types = types;
	f.n_types = 3;
	return store_events(s, &f, tq_event_cb, cs);
}

#endif
