/* http_int.h - what the files of the HTTP server share (internal). */
#ifndef OJO_HTTP_INT_H
#define OJO_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "store/store.h"
#include "util/util_clock.h"
#include "util/util_json.h"
#include "util/util_num.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* Idle read connections, handed to one request at a time. */
typedef struct http_pool {
	pthread_mutex_t mu;
	const char *path;
	store_shared *blocks; /* decoded blocks shared by every connection */
	store **idle;
	size_t n_idle, cap;
} http_pool;

int http_pool_init(http_pool *p, const char *path, char *err, size_t errlen);
/* A connection for this thread's request, or NULL (err filled). */
store *http_pool_get(http_pool *p, char *err, size_t errlen);
void http_pool_put(http_pool *p, store *r);
void http_pool_free(http_pool *p);

/* The change feed behind /api/live (live.c). */
typedef struct http_live {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started, stopping;
	const char *db_path;
	uint64_t seq; /* bumped on every change seen; the API's data_version */
	char *msg;    /* JSON of the latest change (malloc'd) */
	char *state;  /* JSON of the current totals, for hello */
	/* previous snapshot */
	int64_t traces, flows, events, dropped, files;
	int64_t *trace_ids, *trace_events;
	size_t n_trace;
} http_live;

int http_live_start(http_live *l, const char *db_path);
void http_live_stop(
    http_live *l); /* wakes every SSE client, joins the poller */
void http_live_free(http_live *l); /* after live_stop and the daemon are gone */
uint64_t http_live_seq(http_live *l);

/* Admits at most `max` API requests to the database at once, in arrival
 * order: with more threads than cores, first-come-first-served keeps the
 * latency tail short where processor sharing would stretch long requests. */
typedef struct http_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t next, done;
	unsigned max;
} http_gate;

/* Responses of repeated requests while the data is unchanged (cache.c). */
typedef struct http_cache http_cache;
http_cache *http_cache_new(void);
void http_cache_free(http_cache *c); /* accepts NULL */
/* A copy of the cached body for key at change counter seq, or NULL. */
char *http_cache_get(http_cache *c, const char *key, uint64_t seq, size_t *len);
void http_cache_put(http_cache *c, const char *key, uint64_t seq,
		    const char *body, size_t len);

typedef struct http_srv {
	http_opts opts;
	http_gate gate;
	http_cache *cache; /* NULL with opts.no_cache */
	int timeout_ms;
	http_pool pool;
	http_live live;
	struct MHD_Daemon *d;
} http_srv;

/* One API request being answered. */
typedef struct http_req {
	http_srv *s;
	struct MHD_Connection *conn;
	const char *url;
	store *rd; /* checked out from the pool for this request */
	int status;
	util_json w; /* the response body */
	/* a streaming response instead of w, when set */
	struct MHD_Response *stream;
	const char *ctype;
} http_req;

/* Writes {"error": msg, "param": param} with status; returns -1. */
int http_req_error(http_req *q, int status, const char *param, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
/* Maps a store code to 404/503/504; returns -1. */
int http_req_store_error(http_req *q, int rc, const char *what_param);

/* Query parameters (params.c): each returns 0 with *out set (def when
 * absent) or -1 after req_error 400 naming the parameter. */
const char *http_req_arg(http_req *q, const char *name);
int http_arg_int(http_req *q, const char *name, int64_t lo, int64_t hi,
		 int64_t def, int64_t *out, bool *given);
int http_arg_enum(http_req *q, const char *name, const char *const *names,
		  int def, int *out);
/* Comma-separated type numbers, at most max. */
int http_arg_types(http_req *q, const char *name, uint32_t *out, size_t max,
		   size_t *n);
/* Absolute window from from/to relative to base, defaulting to
 * [dfrom, dto]. */
int http_arg_window(http_req *q, int64_t base, int64_t dfrom, int64_t dto,
		    int64_t *from, int64_t *to);

/* API handlers (api.c, api_flow.c, export.c, live.c). Return 0 when the
 * body is ready or -1 after an error body. */
int http_api_stats(http_req *q);
int http_api_traces(http_req *q);
int http_api_types(http_req *q);
int http_api_flows(http_req *q);
int http_api_flow(http_req *q, int64_t key);
int http_api_events(http_req *q, int64_t key);
int http_api_series(http_req *q, int64_t key);
int http_api_export(http_req *q);
int http_api_live(http_req *q);

/* Writes one flow object (api.c). */
void http_put_flow(util_json *w, const store_flow_row *f);

/* Type name/kind lookup loaded per request (types.c). */
typedef struct http_type_name {
	uint32_t type;
	char *name, *kind, *unit;
} http_type_name;
typedef struct http_types {
	size_t n;
	http_type_name *t; /* ordered by type */
} http_types;
int http_types_load(store *r, http_types *t);
void http_types_free(http_types *t);
/* Index or -1. */
long http_types_find(const http_types *t, uint32_t type);
/* Writes the fields of one event after "t" (flow, type, name, payload...). */
void http_put_event_fields(util_json *w, const http_types *tn,
			   const store_event_row *e);

/* Static files (static.c): answers GET of a non-API path. */
MHD_RESULT http_serve_static(http_srv *s, struct MHD_Connection *conn,
			     const char *url);
/* Queues a JSON body with status (takes ownership of body). */
MHD_RESULT http_send_json(struct MHD_Connection *conn, int status, char *body,
			  size_t len);

#endif
