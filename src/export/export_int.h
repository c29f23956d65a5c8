/* export_int.h - what the files of the exporter share (not public). */
#ifndef OJO_EXPORT_INT_H
#define OJO_EXPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "export/export.h"
#include "store/store.h"

/* Sets err from a printf format and returns code. */
int export_errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A JSON string literal of s. */
void export_json_str(FILE *f, const char *s);
/* ns as milliseconds with up to 6 decimals, exactly. */
void export_print_ms(FILE *f, int64_t ns);
/* Name of an event type (catalog, qlog types, else "type_N"). */
const char *export_type_name(uint32_t type, char *buf, size_t n);

/* One flow of a trace, as export needs it. */
typedef struct export_flow {
	uint32_t id, parent;
	bool has_parent;
	char *label;
	int64_t first_ns;
	uint64_t sid; /* stream id (streams), from the label or STREAM_OPENED */
} export_flow;

/* A trace with its flows. */
typedef struct export_trace {
	int64_t id;
	char *vantage, *title;
	export_flow *f;
	size_t n, cap;
} export_trace;

export_flow *export_find_flow(export_trace *t, uint32_t id);

/* Filter for the events of one connection and its streams (only == 0) or
 * of the one flow only, in o's time window, unmapped events included.
 * *ids is allocated for f->flow_ids: the caller frees it. */
int export_conn_filter(const export_trace *t, const export_flow *conn,
		       uint32_t only, const export_opts *o,
		       store_event_query *f, uint32_t **ids);

/* export_qlog.c: one connection (and its streams) as a JSON-SEQ file. */
int export_qlog_conn(store *s, export_trace *t, const export_flow *conn,
		     const export_opts *o, FILE *out, char *err, size_t errlen);

/* export_flat.c: the events of a connection (or of o->flow_id) as CSV or
 * JSON rows; json_first tracks the JSON array's commas. */
typedef struct export_flat {
	FILE *out;
	bool json, first;
	int64_t trace;
	uint64_t n;
} export_flat;
int export_flat_conn(store *s, const export_opts *o, export_trace *t,
		     const export_flow *conn, export_flat *fl);

#endif
