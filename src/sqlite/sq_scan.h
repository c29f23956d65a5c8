/* sq_scan.h - reading traces, flows and events back out of the store in
 * time order (qlog/CSV/JSON export, the qlog corpus tests). */
#ifndef OJO_SQ_SCAN_H
#define OJO_SQ_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqlite/sq_conn.h"

typedef struct sq_scan_trace {
	int64_t trace_id;
	const char *name, *source, *vantage,
	    *title; /* vantage/title may be NULL */
	int64_t first_ns, last_ns;
	uint64_t n_events;
} sq_scan_trace;

/* Calls cb for each trace (trace_id 0: all) in id order; a non-zero return
 * from cb stops the scan and is returned. */
int sq_scan_traces(sq_conn *s, int64_t trace_id,
		   int (*cb)(void *ctx, const sq_scan_trace *t), void *ctx);

typedef struct sq_scan_flow {
	int64_t trace_id;
	uint32_t flow_id;
	bool has_parent;
	uint32_t parent_flow_id;
	const char *label; /* may be NULL */
	int64_t first_ns, last_ns;
	uint64_t n_events;
	uint64_t n_unmapped; /* qlog events kept as JSON on this flow */
	int64_t key;	     /* flows.flow_key; 0 for unmapped-only flows */
} sq_scan_flow;

/* Flows of one trace in flow id order, including flows that only have
 * unmapped qlog events (then n_events is 0). */
int sq_scan_flows(sq_conn *s, int64_t trace_id,
		  int (*cb)(void *ctx, const sq_scan_flow *f), void *ctx);

typedef struct sq_scan_filter {
	int64_t trace_id;
	const uint32_t *flow_ids; /* NULL: every flow of the trace */
	size_t n_flows;
	const uint32_t *types; /* NULL: every type */
	size_t n_types;
	int64_t from_ns, to_ns; /* inclusive */
	bool unmapped;		/* also unmapped qlog events (type 0) */
} sq_scan_filter;

/* Fills f for a whole trace. */
void sq_scan_filter_init(sq_scan_filter *f, int64_t trace_id);

typedef struct sq_scan_event {
	int64_t time_ns;
	uint32_t flow_id;
	uint32_t type; /* 0 for an unmapped qlog event */
	uint64_t payload;
	const char *name; /* unmapped only: qlog name and JSON text */
	const char *json;
} sq_scan_event;

/* Events matching f, merged across flows and types in time order (ties:
 * stored events before unmapped ones). Reads blocks as the merge needs
 * them, so memory follows the blocks overlapping in time. */
int sq_scan_events(sq_conn *s, const sq_scan_filter *f,
		   int (*cb)(void *ctx, const sq_scan_event *e), void *ctx);

/* Number of events per (flow, type) of a trace, from the type counts. */
int sq_scan_type_counts(sq_conn *s, int64_t trace_id,
			int (*cb)(void *ctx, uint32_t flow_id, uint32_t type,
				  uint64_t n),
			void *ctx);

#endif
