/* http_server.c - the libmicrohttpd daemon of `ojo serve`: routing, errors,
 * and the pool of read connections (one per busy request thread). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"

#define DEFAULT_TIMEOUT_MS 5000
#define BLOCK_CACHE_BYTES  ((size_t)256 << 20)

/* ---- pool ----------------------------------------------------------- */

/* A new read handle on the pool's database, sharing its decoded blocks. */
static int pool_open(http_pool *p, store **r, char *err, size_t errlen)
{
	store_opts o = {.db = p->path, .mode = STORE_READ, .shared = p->blocks};
	return store_open(&o, r, err, errlen);
}

int http_pool_init(http_pool *p, const char *path, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	p->path = path;
	p->blocks = store_shared_new(BLOCK_CACHE_BYTES);
	store *r;
	int rc = pool_open(p, &r, err, errlen);
	if (rc)
		return rc;
	http_pool_put(p, r);
	return 0;
}

store *http_pool_get(http_pool *p, char *err, size_t errlen)
{
	store *r = NULL;
	pthread_mutex_lock(&p->mu);
	if (p->n_idle)
		r = p->idle[--p->n_idle];
	pthread_mutex_unlock(&p->mu);
	if (!r && pool_open(p, &r, err, errlen))
		return NULL;
	return r;
}

void http_pool_put(http_pool *p, store *r)
{
	if (!r)
		return;
	store_set_deadline(r, 0);
	pthread_mutex_lock(&p->mu);
	if (p->n_idle == p->cap && p->cap < 256) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		store **n = realloc(p->idle, cap * sizeof(*n));
		if (n) {
			p->idle = n;
			p->cap = cap;
		}
	}
	if (p->n_idle < p->cap) {
		p->idle[p->n_idle++] = r;
		r = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	store_close(r);
}

void http_pool_free(http_pool *p)
{
	for (size_t i = 0; i < p->n_idle; i++)
		store_close(p->idle[i]);
	free(p->idle);
	store_shared_free(p->blocks);
	pthread_mutex_destroy(&p->mu);
	memset(p, 0, sizeof(*p));
}

/* ---- admission ------------------------------------------------------ */

static void gate_init(http_gate *g, unsigned max)
{
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->next = g->done = 0;
	g->max = max;
}

static void gate_enter(http_gate *g)
{
	pthread_mutex_lock(&g->mu);
	uint64_t ticket = g->next++;
	while (ticket >= g->done + g->max)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void gate_leave(http_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->done++;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void gate_free(http_gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

/* ---- responses ------------------------------------------------------ */

static void common_headers(struct MHD_Response *resp, const char *ctype)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

MHD_RESULT http_send_json(struct MHD_Connection *conn, int status, char *body,
			  size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    len, body, body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	common_headers(resp, "application/json; charset=utf-8");
	MHD_RESULT ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int http_req_error(http_req *q, int status, const char *param, const char *fmt,
		   ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	util_json_reset(&q->w);
	util_json_obj(&q->w);
	util_json_kstr(&q->w, "error", msg);
	if (param)
		util_json_kstr(&q->w, "param", param);
	if (status == 504)
		util_json_kint(&q->w, "timeout_ms", q->s->timeout_ms);
	util_json_obj_end(&q->w);
	q->status = status;
	return -1;
}

int http_req_store_error(http_req *q, int rc, const char *what_param)
{
	switch (rc) {
	case -ENOENT:
		return http_req_error(q, 404, what_param, "no such %s",
				      !what_param || !strcmp(what_param, "key")
					  ? "flow"
					  : what_param);
	case -ETIMEDOUT:
		return http_req_error(q, 504, NULL, "query cut off after %d ms",
				      q->s->timeout_ms);
	case -ENOMEM:
		return http_req_error(q, 503, NULL, "out of memory");
	default:
		return http_req_error(q, 503, NULL, "database error: %s",
				      q->rd ? store_errmsg(q->rd)
					    : "unavailable");
	}
}

/* ---- routing -------------------------------------------------------- */

static int route(http_req *q)
{
	const char *p = q->url + 4; /* after "/api" */
	if (!strcmp(p, "/stats"))
		return http_api_stats(q);
	if (!strcmp(p, "/traces"))
		return http_api_traces(q);
	if (!strcmp(p, "/types"))
		return http_api_types(q);
	if (!strcmp(p, "/flows"))
		return http_api_flows(q);
	if (!strcmp(p, "/export"))
		return http_api_export(q);
	if (!strcmp(p, "/live"))
		return http_api_live(q);
	if (!strncmp(p, "/flows/", 7)) {
		const char *k = p + 7;
		const char *slash = strchr(k, '/');
		size_t len = slash ? (size_t)(slash - k) : strlen(k);
		char tmp[24];
		int64_t key;
		if (len == 0 || len >= sizeof(tmp))
			return http_req_error(
			    q, 400, "key",
			    "flow key must be a positive integer");
		memcpy(tmp, k, len);
		tmp[len] = 0;
		if (util_parse_i64(tmp, &key) || key <= 0)
			return http_req_error(
			    q, 400, "key",
			    "flow key must be a positive integer");
		if (!slash)
			return http_api_flow(q, key);
		if (!strcmp(slash, "/events"))
			return http_api_events(q, key);
		if (!strcmp(slash, "/series"))
			return http_api_series(q, key);
	}
	return http_req_error(q, 404, NULL, "not found: %.200s", q->url);
}

struct key_ctx {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static MHD_RESULT add_arg(void *cls, enum MHD_ValueKind kind, const char *k,
			  const char *v)
{
	struct key_ctx *c = cls;
	(void)kind;
	/* \x01 and \x02 cannot be confused with argument text boundaries */
	int n = snprintf(c->buf + c->len, c->cap - c->len, "\x01%s\x02%s", k,
			 v ? v : "");
	if (n < 0 || (size_t)n >= c->cap - c->len) {
		c->overflow = true;
		return MHD_NO;
	}
	c->len += (size_t)n;
	return MHD_YES;
}

/* One API request (inside the admission gate, except /api/live). */
static MHD_RESULT answer_api(http_srv *s, struct MHD_Connection *conn,
			     const char *url)
{
	/* the cache key: path and every argument, in order */
	char key[2048];
	size_t klen = (size_t)snprintf(key, sizeof(key), "%s", url);
	struct key_ctx kc = {key, sizeof(key), klen, false};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &kc);
	bool cacheable = s->cache && !kc.overflow && strcmp(url, "/api/live") &&
			 strcmp(url, "/api/export");
	uint64_t seq = http_live_seq(&s->live);
	if (cacheable) {
		size_t len;
		char *body = http_cache_get(s->cache, key, seq, &len);
		if (body)
			return http_send_json(conn, 200, body, len);
	}

	http_req q = {.s = s, .conn = conn, .url = url, .status = 200};
	util_json_init(&q.w);
	char err[256];
	int rc = 0;
	if (strcmp(url, "/api/live")) {
		q.rd = http_pool_get(&s->pool, err, sizeof(err));
		if (!q.rd)
			rc = http_req_error(&q, 503, NULL, "database: %s", err);
	}
	if (!rc && q.rd) {
		int64_t t;
		bool given;
		rc = http_arg_int(&q, "timeout_ms", 1, s->timeout_ms,
				  s->timeout_ms, &t, &given);
		if (!rc)
			store_set_deadline(q.rd, util_mono_ns() + t * 1000000);
	}
	if (!rc)
		rc = route(&q);
	/* a streaming response took the connection with it */
	if (q.stream && rc == 0) {
		http_pool_put(&s->pool, q.rd);
		MHD_RESULT ret = MHD_queue_response(conn, 200, q.stream);
		MHD_destroy_response(q.stream);
		util_json_free(&q.w);
		return ret;
	}
	http_pool_put(&s->pool, q.rd);
	if (q.w.oom) {
		util_json_free(&q.w);
		const char *m = "{\"error\":\"out of memory\"}";
		char *b = strdup(m);
		return http_send_json(conn, 503, b, b ? strlen(b) : 0);
	}
	size_t len;
	char *body = util_json_take(&q.w, &len);
	if (cacheable && q.status == 200 && body)
		http_cache_put(s->cache, key, seq, body, len);
	return http_send_json(conn, q.status, body, len);
}

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload_data,
			     size_t *upload_size, void **con_cls)
{
	http_srv *s = cls;
	static int first_call_marker;
	if (*con_cls == NULL) {
		*con_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* bodies are ignored: every route is GET */
		return MHD_YES;
	}
	bool is_api = !strncmp(url, "/api/", 5) || !strcmp(url, "/api");
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		const char *m = "{\"error\":\"method not allowed\"}";
		char *b = strdup(m);
		return http_send_json(conn, 405, b, b ? strlen(b) : 0);
	}
	if (!is_api)
		return http_serve_static(s, conn, url);

	bool is_live = !strcmp(url, "/api/live");
	if (!is_live)
		gate_enter(&s->gate);
	MHD_RESULT ret = answer_api(s, conn, url);
	if (!is_live)
		gate_leave(&s->gate);
	return ret;
}

/* ---- the daemon ----------------------------------------------------- */

static int resolve(const char *host, int port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char ps[16];
	snprintf(ps, sizeof(ps), "%d", port);
	int e = getaddrinfo(host, ps, &hints, &res);
	if (e || !res) {
		fprintf(stderr, "ojo: serve: %s: cannot resolve host: %s\n",
			host, gai_strerror(e));
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap; /* errors reach the user through our own messages */
}

int http_serve(const http_opts *o)
{
	http_srv *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->opts = *o;
	if (!s->opts.host)
		s->opts.host = "127.0.0.1";
	s->timeout_ms =
	    o->query_timeout_ms > 0 ? o->query_timeout_ms : DEFAULT_TIMEOUT_MS;
	if (!o->no_cache)
		s->cache = http_cache_new();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	gate_init(&s->gate, cpus > 2 ? (unsigned)cpus * 2 : 4);
	char err[256];
	int rc = http_pool_init(&s->pool, o->db_path, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "ojo: serve: %s: %s\n", o->db_path, err);
		free(s);
		return rc;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	rc = resolve(s->opts.host, o->port, &ss, &sl);
	if (!rc)
		rc = http_live_start(&s->live, o->db_path);
	if (rc) {
		http_pool_free(&s->pool);
		gate_free(&s->gate);
		http_cache_free(s->cache);
		free(s);
		return rc;
	}
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
	    flags, (uint16_t)o->port, NULL, NULL, on_request, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	if (!s->d) {
		int e = errno;
		fprintf(stderr, "ojo: serve: %s:%d: cannot listen: %s\n",
			s->opts.host, o->port,
			e ? strerror(e) : "address in use or not available");
		http_live_stop(&s->live);
		http_live_free(&s->live);
		http_pool_free(&s->pool);
		gate_free(&s->gate);
		http_cache_free(s->cache);
		free(s);
		return -(e ? e : EADDRINUSE);
	}
	const union MHD_DaemonInfo *di =
	    MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_storage bound;
	socklen_t bl = sizeof(bound);
	int port = o->port;
	if (di &&
	    getsockname(di->listen_fd, (struct sockaddr *)&bound, &bl) == 0)
		port = ntohs(bound.ss_family == AF_INET6
				 ? ((struct sockaddr_in6 *)&bound)->sin6_port
				 : ((struct sockaddr_in *)&bound)->sin_port);
	char url[300];
	bool v6 = strchr(s->opts.host, ':') != NULL;
	snprintf(url, sizeof(url), "http://%s%s%s:%d/", v6 ? "[" : "",
		 s->opts.host, v6 ? "]" : "", port);
	if (o->on_ready)
		o->on_ready(url, o->user);
	while (!(o->stop && *o->stop)) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	http_live_stop(&s->live);
	MHD_stop_daemon(s->d);
	http_live_free(&s->live);
	http_pool_free(&s->pool);
	gate_free(&s->gate);
	http_cache_free(s->cache);
	free(s);
	return 0;
}
