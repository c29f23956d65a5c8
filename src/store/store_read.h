/* store_read.h - read-only queries on an Ojo database (ojo serve).
 *
 * One ojo_rd is one read-only SQLite connection: use it from one thread at
 * a time (servers keep a pool, one per busy worker). Functions return 0 or
 * a negative code: -ENOENT (no such flow/trace), -ETIMEDOUT (the deadline
 * passed and the query was cut off), -ENODATA (the database has no schema
 * yet), -ENOMEM, -EIO (SQLite failed; ojo_rd_errmsg() says why).
 * Strings handed to callbacks live only during the call. */
#ifndef OJO_STORE_READ_H
#define OJO_STORE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ojo_rd ojo_rd;

/* Opens path read-only. A missing file fails (-ENOENT); a file without
 * schema opens and answers -ENODATA until a writer creates it. */
int ojo_rd_open(const char *path, ojo_rd **out, char *err, size_t errlen);
void ojo_rd_close(ojo_rd *r); /* accepts NULL */
const char *ojo_rd_errmsg(const ojo_rd *r);

/* Decoded blocks with per-chunk summaries, shared by the connections of
 * one server (blocks never change once written); budget caps its memory. */
typedef struct ojo_rd_cache ojo_rd_cache;
ojo_rd_cache *ojo_rd_cache_new(size_t budget_bytes);
void ojo_rd_cache_free(ojo_rd_cache *c); /* after every user is closed */
void ojo_rd_use_cache(ojo_rd *r, ojo_rd_cache *c);

/* Queries started after this fail with -ETIMEDOUT once CLOCK_MONOTONIC
 * passes deadline_ns; 0 = no deadline. */
void ojo_rd_set_deadline(ojo_rd *r, int64_t deadline_ns);
int64_t ojo_rd_mono_ns(void);

/* PRAGMA data_version of this connection: changes when another connection
 * committed. Only comparable with itself. */
int ojo_rd_data_version(ojo_rd *r, int64_t *out);

typedef struct ojo_rd_stats {
	int64_t traces, flows, connections, streams, events, dropped, types;
	int64_t files_ingested, files_rejected, max_file_id;
	bool has_time;
	int64_t first_ns, last_ns;
} ojo_rd_stats;
int ojo_rd_stats_get(ojo_rd *r, ojo_rd_stats *out);

typedef struct ojo_rd_trace {
	int64_t id;
	const char *name, *source, *vantage,
	    *title; /* vantage/title NULLable */
	int64_t pid;
	bool has_time;
	int64_t first_ns, last_ns;
	int64_t events, flows, dropped;
} ojo_rd_trace;
/* Callbacks return 0 to go on, anything else stops and is returned. */
typedef int (*ojo_rd_trace_fn)(void *user, const ojo_rd_trace *t);
/* Every trace by first_ns, or only id when id > 0 (-ENOENT if absent). */
int ojo_rd_traces(ojo_rd *r, int64_t id, ojo_rd_trace_fn fn, void *user);

typedef struct ojo_rd_type {
	uint32_t type;
	const char *name, *category, *description, *payload_kind, *unit;
	int64_t count;
} ojo_rd_type;
typedef int (*ojo_rd_type_fn)(void *user, const ojo_rd_type *t);
/* Every known type plus those only seen in data, with event counts over
 * everything, one trace (trace_id > 0) or one flow (flow_key > 0). */
int ojo_rd_types(ojo_rd *r, int64_t trace_id, int64_t flow_key,
		 ojo_rd_type_fn fn, void *user);

/* The catalog only (event_types rows, count 0): cheap, for naming. */
int ojo_rd_type_catalog(ojo_rd *r, ojo_rd_type_fn fn, void *user);

typedef struct ojo_rd_flow {
	int64_t key, trace_id;
	const char *trace_name;
	uint32_t flow_id;
	bool has_parent;
	int64_t parent_key;
	const char *label; /* NULLable */
	int64_t first_ns, last_ns, events;
	int64_t packets_sent, packets_received, packets_acked, packets_lost,
	    packets_retransmitted, bytes_sent, bytes_acked;
	bool has_max_cwnd, has_last_cwnd;
	int64_t max_cwnd, last_cwnd;
	int64_t streams; /* child flows */
} ojo_rd_flow;
typedef int (*ojo_rd_flow_fn)(void *user, const ojo_rd_flow *f);

enum ojo_rd_kind { OJO_RD_ALL, OJO_RD_CONNECTIONS, OJO_RD_STREAMS };
enum ojo_rd_sort {
	OJO_RD_BY_START,
	OJO_RD_BY_DURATION,
	OJO_RD_BY_EVENTS,
	OJO_RD_BY_LOSSES
};

typedef struct ojo_rd_flow_query {
	int64_t trace_id; /* 0 = all */
	const char *q;	  /* NULL = none; label/trace substring or id */
	bool has_type;	  /* only flows with events of type */
	uint32_t type;
	int kind;	    /* enum ojo_rd_kind */
	int64_t parent_key; /* 0 = any */
	int sort;	    /* enum ojo_rd_sort */
	bool desc;
	int64_t offset, limit;
} ojo_rd_flow_query;
/* One page of flows; *total = flows matching (ignoring offset/limit). */
int ojo_rd_flows(ojo_rd *r, const ojo_rd_flow_query *q, int64_t *total,
		 ojo_rd_flow_fn fn, void *user);
/* One flow; -ENOENT if absent. */
int ojo_rd_flow_get(ojo_rd *r, int64_t key, ojo_rd_flow_fn fn, void *user);

/* Event counts per type of a flow (and its streams with children). */
typedef int (*ojo_rd_count_fn)(void *user, uint32_t type, int64_t n);
int ojo_rd_flow_type_counts(ojo_rd *r, int64_t key, bool children,
			    ojo_rd_count_fn fn, void *user);

/* Time span of a flow (with children: and its streams); -ENOENT. */
int ojo_rd_flow_span(ojo_rd *r, int64_t key, bool children, int64_t *first,
		     int64_t *last);

/* ---- events ----------------------------------------------------------
 * Total order: (time_ns, flow_key, type, block_id, idx). */
typedef struct ojo_rd_event {
	int64_t time_ns;
	int64_t flow_key;
	uint32_t type;
	uint32_t idx; /* position in its block */
	int64_t block_id;
	uint64_t payload;
} ojo_rd_event;

typedef struct ojo_rd_event_query {
	int64_t flow_key; /* or 0 and trace_id: every flow of a trace */
	int64_t trace_id;
	bool children;	       /* also the flow's streams */
	const uint32_t *types; /* NULL / 0 = every type */
	size_t n_types;
	int64_t from_ns, to_ns; /* absolute, inclusive */
	bool has_after;		/* start strictly after this event */
	ojo_rd_event after;
	size_t limit;
	bool want_total; /* fill *total (events in window, ignoring after) */
} ojo_rd_event_query;

/* Fills out[0..*n) (out holds q->limit) with the next events in order;
 * *more tells whether any follow. -ENOENT if the flow is absent. */
int ojo_rd_events(ojo_rd *r, const ojo_rd_event_query *q, ojo_rd_event *out,
		  size_t *n, bool *more, int64_t *total);

/* ---- series ----------------------------------------------------------
 * One event type of a flow (and, with children, of each stream) reduced to
 * at most `points` buckets, each with the true min and max. */
typedef struct ojo_rd_series_query {
	int64_t flow_key;
	uint32_t type;
	bool children;
	bool range; /* values are OJO_RANGE: min = offset, max = end */
	int64_t from_ns, to_ns; /* absolute, inclusive */
	size_t points;
} ojo_rd_series_query;

typedef struct ojo_rd_series {
	int64_t flow_key;
	size_t n;   /* entries below */
	int64_t *t; /* absolute ns: event time, or bucket start */
	int64_t *vmin, *vmax;
	uint32_t *cnt;
} ojo_rd_series;

typedef struct ojo_rd_series_set {
	bool exact;	   /* one entry per event */
	int64_t bucket_ns; /* 0 when exact */
	int64_t count;	   /* events in the window, all series */
	size_t n_series;
	ojo_rd_series *s;
} ojo_rd_series_set;

int ojo_rd_series_get(ojo_rd *r, const ojo_rd_series_query *q,
		      ojo_rd_series_set *out);
void ojo_rd_series_free(ojo_rd_series_set *set);

#endif
