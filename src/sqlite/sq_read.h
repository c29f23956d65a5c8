/* sq_read.h - read-only queries on an Ojo database: listings, event pages,
 * series (the read half of store.h on SQLite).
 *
 * One sq_rd is one read-only SQLite connection: use it from one thread at
 * a time (servers keep a pool, one per busy worker). Functions return 0 or
 * a negative code: -ENOENT (no such flow/trace), -ETIMEDOUT (the deadline
 * passed and the query was cut off), -ENODATA (the database has no schema
 * yet), -ENOMEM, -EIO (SQLite failed; sq_rd_errmsg() says why).
 * Strings handed to callbacks live only during the call. */
#ifndef OJO_SQ_READ_H
#define OJO_SQ_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct sq_rd sq_rd;

/* Opens path read-only. A missing file fails (-ENOENT); a file without
 * schema opens and answers -ENODATA until a writer creates it. */
int sq_rd_open(const char *path, sq_rd **out, char *err, size_t errlen);
void sq_rd_close(sq_rd *r); /* accepts NULL */
const char *sq_rd_errmsg(const sq_rd *r);

/* Decoded blocks with per-chunk summaries, shared by the connections of
 * one server (blocks never change once written); budget caps its memory. */
typedef struct sq_cache sq_cache;
sq_cache *sq_rd_cache_new(size_t budget_bytes);
void sq_rd_cache_free(sq_cache *c); /* after every user is closed */
void sq_rd_use_cache(sq_rd *r, sq_cache *c);

/* Queries started after this fail with -ETIMEDOUT once CLOCK_MONOTONIC
 * passes deadline_ns; 0 = no deadline. */
void sq_rd_set_deadline(sq_rd *r, int64_t deadline_ns);

/* PRAGMA data_version of this connection: changes when another connection
 * committed. Only comparable with itself. */
int sq_rd_data_version(sq_rd *r, int64_t *out);

int sq_rd_stats_get(sq_rd *r, store_stats *out);

/* Callbacks return 0 to go on, anything else stops and is returned. */
/* Every trace by first_ns, or only id when id > 0 (-ENOENT if absent). */
int sq_rd_traces(sq_rd *r, int64_t id, store_trace_fn fn, void *user);

/* Every known type plus those only seen in data, with event counts over
 * everything, one trace (trace_id > 0) or one flow (flow_key > 0). */
int sq_rd_types(sq_rd *r, int64_t trace_id, int64_t flow_key, store_type_fn fn,
		void *user);

/* The catalog only (event_types rows, count 0): cheap, for naming. */
int sq_rd_type_catalog(sq_rd *r, store_type_fn fn, void *user);

/* One page of flows; *total = flows matching (ignoring offset/limit). */
int sq_rd_flows(sq_rd *r, const store_flow_query *q, int64_t *total,
		store_flow_fn fn, void *user);
/* One flow; -ENOENT if absent. */
int sq_rd_flow_get(sq_rd *r, int64_t key, store_flow_fn fn, void *user);

/* Event counts per type of a flow (and its streams with children). */
int sq_rd_flow_type_counts(sq_rd *r, int64_t key, bool children,
			   store_count_fn fn, void *user);

/* Time span of a flow (with children: and its streams); -ENOENT. */
int sq_rd_flow_span(sq_rd *r, int64_t key, bool children, int64_t *first,
		    int64_t *last);

/* ---- events ----------------------------------------------------------
 * Total order: (time_ns, flow_key, type, block_id, idx). */
typedef struct sq_rd_event {
	int64_t time_ns;
	int64_t flow_key;
	uint32_t type;
	uint32_t idx; /* position in its block */
	int64_t block_id;
	uint64_t payload;
} sq_rd_event;

typedef struct sq_rd_event_query {
	int64_t flow_key; /* or 0 and trace_id: every flow of a trace */
	int64_t trace_id;
	bool children;	       /* also the flow's streams */
	const uint32_t *types; /* NULL / 0 = every type */
	size_t n_types;
	int64_t from_ns, to_ns; /* absolute, inclusive */
	bool has_after;		/* start strictly after this event */
	sq_rd_event after;
	size_t limit;
	bool want_total; /* fill *total (events in window, ignoring after) */
} sq_rd_event_query;

/* Fills out[0..*n) (out holds q->limit) with the next events in order;
 * *more tells whether any follow. -ENOENT if the flow is absent. */
int sq_rd_events(sq_rd *r, const sq_rd_event_query *q, sq_rd_event *out,
		 size_t *n, bool *more, int64_t *total);

/* ---- series ----------------------------------------------------------
 * One event type of a flow (and, with children, of each stream) reduced to
 * at most `points` buckets, each with the true min and max. */

int sq_rd_series_get(sq_rd *r, const store_series_query *q,
		     store_series_set *out);
void sq_rd_series_free(store_series_set *set);

#endif
