/* http_live.c - /api/live: one poller per server watches the database for
 * commits (PRAGMA data_version every 250 ms) and wakes every
 * Server-Sent-Events client, which then sends what changed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

#define POLL_MS 250
#define PING_S	15

struct snap {
	store_stats st;
	int64_t *ids, *events;
	size_t n, cap;
};

static int snap_trace(void *user, const store_trace_row *t)
{
	struct snap *s = user;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		int64_t *a = realloc(s->ids, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->ids = a;
		a = realloc(s->events, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->events = a;
		s->cap = cap;
	}
	s->ids[s->n] = t->id;
	s->events[s->n++] = t->events;
	return 0;
}

static int snap_take(store *r, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	int rc = store_stats_get(r, &s->st);
	if (!rc)
		rc = store_traces(r, 0, snap_trace, s);
	return rc == -ENODATA ? 0 : rc;
}

static long find_id(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return (long)i;
	return -1;
}

static void put_totals(util_json *w, uint64_t seq, const store_stats *st)
{
	util_json_kint(w, "data_version", (int64_t)seq);
	util_json_kint(w, "traces", st->traces);
	util_json_kint(w, "flows", st->flows);
	util_json_kint(w, "events", st->events);
	util_json_kint(w, "dropped", st->dropped);
	util_json_kint(w, "files", st->files_ingested + st->files_rejected);
}

/* Builds the change message (new against the previous snapshot in l) and
 * the hello state; called with l->mu held. */
static void publish(http_live *l, struct snap *s)
{
	l->seq++;
	util_json w;
	util_json_init(&w);
	util_json_obj(&w);
	put_totals(&w, l->seq, &s->st);
	util_json_key(&w, "new_traces");
	util_json_arr(&w);
	for (size_t i = 0; i < s->n; i++)
		if (find_id(l->trace_ids, l->n_trace, s->ids[i]) < 0)
			util_json_int(&w, s->ids[i]);
	util_json_arr_end(&w);
	util_json_key(&w, "updated_traces");
	util_json_arr(&w);
	for (size_t i = 0; i < s->n; i++) {
		long j = find_id(l->trace_ids, l->n_trace, s->ids[i]);
		if (j < 0 || l->trace_events[j] != s->events[i])
			util_json_int(&w, s->ids[i]);
	}
	util_json_arr_end(&w);
	util_json_kint(&w, "new_flows", s->st.flows - l->flows);
	util_json_kint(&w, "new_events", s->st.events - l->events);
	util_json_obj_end(&w);
	size_t len;
	free(l->msg);
	l->msg = util_json_take(&w, &len);

	util_json_obj(&w);
	put_totals(&w, l->seq, &s->st);
	util_json_key(&w, "new_traces");
	util_json_arr(&w);
	util_json_arr_end(&w);
	util_json_key(&w, "updated_traces");
	util_json_arr(&w);
	util_json_arr_end(&w);
	util_json_kint(&w, "new_flows", 0);
	util_json_kint(&w, "new_events", 0);
	util_json_obj_end(&w);
	free(l->state);
	l->state = util_json_take(&w, &len);

	l->traces = s->st.traces;
	l->flows = s->st.flows;
	l->events = s->st.events;
	l->dropped = s->st.dropped;
	l->files = s->st.files_ingested + s->st.files_rejected;
	free(l->trace_ids);
	free(l->trace_events);
	l->trace_ids = s->ids;
	l->trace_events = s->events;
	l->n_trace = s->n;
	s->ids = s->events = NULL;
}

static void *poller(void *arg)
{
	http_live *l = arg;
	store *r = NULL;
	char err[256];
	int64_t last_dv = -1;
	bool first = true;
	pthread_mutex_lock(&l->mu);
	while (!l->stopping) {
		pthread_mutex_unlock(&l->mu);
		if (!r &&
		    store_open_db(l->db_path, STORE_READ, &r, err, sizeof(err)))
			r = NULL;
		int64_t dv;
		if (r && store_version(r, &dv) == 0 &&
		    (dv != last_dv || first)) {
			struct snap s;
			if (snap_take(r, &s) == 0) {
				pthread_mutex_lock(&l->mu);
				bool changed =
				    first || s.st.traces != l->traces ||
				    s.st.flows != l->flows ||
				    s.st.events != l->events ||
				    s.st.dropped != l->dropped ||
				    s.st.files_ingested + s.st.files_rejected !=
					l->files;
				if (changed) {
					publish(l, &s);
					pthread_cond_broadcast(&l->cv);
				}
				pthread_mutex_unlock(&l->mu);
				last_dv = dv;
				first = false;
			}
			free(s.ids);
			free(s.events);
		}
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&l->mu);
		if (!l->stopping)
			pthread_cond_timedwait(&l->cv, &l->mu, &until);
	}
	pthread_mutex_unlock(&l->mu);
	store_close(r);
	return NULL;
}

int http_live_start(http_live *l, const char *db_path)
{
	memset(l, 0, sizeof(*l));
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&l->mu, NULL);
	l->db_path = db_path;
	int e = pthread_create(&l->thread, NULL, poller, l);
	if (e) {
		fprintf(stderr, "ojo: serve: cannot start a thread: %s\n",
			strerror(e));
		return -e;
	}
	l->started = true;
	return 0;
}

void http_live_stop(http_live *l)
{
	pthread_mutex_lock(&l->mu);
	l->stopping = true;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (l->started)
		pthread_join(l->thread, NULL);
	l->started = false;
}

uint64_t http_live_seq(http_live *l)
{
	pthread_mutex_lock(&l->mu);
	uint64_t s = l->seq;
	pthread_mutex_unlock(&l->mu);
	return s;
}

/* Frees what live_start and the poller allocated (after live_stop). */
void http_live_free(http_live *l)
{
	free(l->msg);
	free(l->state);
	free(l->trace_ids);
	free(l->trace_events);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
}

/* ---- one SSE client ------------------------------------------------- */

struct sse {
	http_live *l;
	uint64_t sent_seq;
	bool hello_sent;
	char *pending;
	size_t len, off;
};

static void sse_set(struct sse *c, const char *event, const char *data)
{
	free(c->pending);
	c->len = 0;
	c->off = 0;
	size_t need = strlen(event) + strlen(data) + 32;
	c->pending = malloc(need);
	if (!c->pending)
		return;
	c->len = (size_t)snprintf(c->pending, need, "event: %s\ndata: %s\n\n",
				  event, data);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *c = cls;
	(void)pos;
	if (c->off == c->len) {
		http_live *l = c->l;
		pthread_mutex_lock(&l->mu);
		if (!c->hello_sent) {
			/* wait briefly for the poller's first snapshot */
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += 2;
			while (!l->state && !l->stopping &&
			       pthread_cond_timedwait(&l->cv, &l->mu, &until) ==
				   0)
				;
			sse_set(c, "hello", l->state ? l->state : "{}");
			c->sent_seq = l->seq;
			c->hello_sent = true;
		} else {
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += PING_S;
			int e = 0;
			while (!l->stopping && l->seq == c->sent_seq && e == 0)
				e = pthread_cond_timedwait(&l->cv, &l->mu,
							   &until);
			if (l->stopping) {
				pthread_mutex_unlock(&l->mu);
				return MHD_CONTENT_READER_END_OF_STREAM;
			}
			if (l->seq != c->sent_seq) {
				sse_set(c, "change", l->msg ? l->msg : "{}");
				c->sent_seq = l->seq;
			} else {
				free(c->pending);
				c->pending = strdup(": ping\n\n");
				c->len = c->pending ? strlen(c->pending) : 0;
				c->off = 0;
			}
		}
		pthread_mutex_unlock(&l->mu);
		if (!c->pending)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = c->len - c->off;
	if (n > max)
		n = max;
	memcpy(buf, c->pending + c->off, n);
	c->off += n;
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	struct sse *c = cls;
	free(c->pending);
	free(c);
}

int http_api_live(http_req *q)
{
	struct sse *c = calloc(1, sizeof(*c));
	if (!c)
		return http_req_error(q, 503, NULL, "out of memory");
	c->l = &q->s->live;
	q->stream = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
						      sse_read, c, sse_free);
	if (!q->stream) {
		free(c);
		return http_req_error(q, 503, NULL, "out of memory");
	}
	MHD_add_response_header(q->stream, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/event-stream");
	MHD_add_response_header(q->stream, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	MHD_add_response_header(q->stream, "X-Accel-Buffering", "no");
	return 0;
}
