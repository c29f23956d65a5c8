/* http_int.h - what the files of the HTTP server share (internal). */
#ifndef OJO_HTTP_INT_H
#define OJO_HTTP_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/json.h"
#include "http/server.h"
#include "store/store_read.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* Idle read connections, handed to one request at a time. */
typedef struct rd_pool {
	pthread_mutex_t mu;
	const char *path;
	ojo_rd_cache *blocks; /* decoded blocks shared by every connection */
	ojo_rd **idle;
	size_t n_idle, cap;
} rd_pool;

int pool_init(rd_pool *p, const char *path, char *err, size_t errlen);
/* A connection for this thread's request, or NULL (err filled). */
ojo_rd *pool_get(rd_pool *p, char *err, size_t errlen);
void pool_put(rd_pool *p, ojo_rd *r);
void pool_free(rd_pool *p);

/* The change feed behind /api/live (live.c). */
typedef struct live {
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
} live;

int live_start(live *l, const char *db_path);
void live_stop(live *l); /* wakes every SSE client, joins the poller */
void live_free(live *l); /* after live_stop and the daemon are gone */
uint64_t live_seq(live *l);

/* Admits at most `max` API requests to the database at once, in arrival
 * order: with more threads than cores, first-come-first-served keeps the
 * latency tail short where processor sharing would stretch long requests. */
typedef struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t next, done;
	unsigned max;
} gate;

/* Responses of repeated requests while the data is unchanged (cache.c). */
typedef struct resp_cache resp_cache;
resp_cache *cache_new(void);
void cache_free(resp_cache *c); /* accepts NULL */
/* A copy of the cached body for key at change counter seq, or NULL. */
char *cache_get(resp_cache *c, const char *key, uint64_t seq, size_t *len);
void cache_put(resp_cache *c, const char *key, uint64_t seq, const char *body,
	       size_t len);

typedef struct srv {
	ojo_serve_opts opts;
	gate gate;
	resp_cache *cache; /* NULL with opts.no_cache */
	int timeout_ms;
	rd_pool pool;
	live live;
	struct MHD_Daemon *d;
} srv;

/* One API request being answered. */
typedef struct req {
	srv *s;
	struct MHD_Connection *conn;
	const char *url;
	ojo_rd *rd; /* checked out from the pool for this request */
	int status;
	jw w; /* the response body */
	/* a streaming response instead of w, when set */
	struct MHD_Response *stream;
	const char *ctype;
} req;

/* Writes {"error": msg, "param": param} with status; returns -1. */
int req_error(req *q, int status, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Maps a store code to 404/503/504; returns -1. */
int req_store_error(req *q, int rc, const char *what_param);

/* Query parameters (params.c): each returns 0 with *out set (def when
 * absent) or -1 after req_error 400 naming the parameter. */
const char *req_arg(req *q, const char *name);
int arg_int(req *q, const char *name, int64_t lo, int64_t hi, int64_t def,
	    int64_t *out, bool *given);
int arg_enum(req *q, const char *name, const char *const *names, int def,
	     int *out);
/* Comma-separated type numbers, at most max. */
int arg_types(req *q, const char *name, uint32_t *out, size_t max, size_t *n);
/* Absolute window from from/to relative to base, defaulting to
 * [dfrom, dto]. */
int arg_window(req *q, int64_t base, int64_t dfrom, int64_t dto, int64_t *from,
	       int64_t *to);
bool parse_i64(const char *s, int64_t *out);

/* API handlers (api.c, api_flow.c, export.c, live.c). Return 0 when the
 * body is ready or -1 after an error body. */
int api_stats(req *q);
int api_traces(req *q);
int api_types(req *q);
int api_flows(req *q);
int api_flow(req *q, int64_t key);
int api_events(req *q, int64_t key);
int api_series(req *q, int64_t key);
int api_export(req *q);
int api_live(req *q);

/* Writes one flow object (api.c). */
void put_flow(jw *w, const ojo_rd_flow *f);

/* Type name/kind lookup loaded per request (types.c). */
typedef struct type_name {
	uint32_t type;
	char *name, *kind, *unit;
} type_name;
typedef struct type_names {
	size_t n;
	type_name *t; /* ordered by type */
} type_names;
int type_names_load(ojo_rd *r, type_names *t);
void type_names_free(type_names *t);
/* Index or -1. */
long type_names_find(const type_names *t, uint32_t type);
/* Writes the fields of one event after "t" (flow, type, name, payload...). */
void put_event_fields(jw *w, const type_names *tn, const ojo_rd_event *e);

/* Static files (static.c): answers GET of a non-API path. */
MHD_RESULT serve_static(srv *s, struct MHD_Connection *conn, const char *url);
/* Queues a JSON body with status (takes ownership of body). */
MHD_RESULT send_json(struct MHD_Connection *conn, int status, char *body,
		     size_t len);

#endif
