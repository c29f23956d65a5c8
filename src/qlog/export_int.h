/* export_int.h - what the files of the exporter share (not public). */
#ifndef OJO_QLOG_EXPORT_INT_H
#define OJO_QLOG_EXPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "qlog/export.h"
#include "store/store_scan.h"

/* Sets err from a printf format and returns code. */
int xp_errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A JSON string literal of s. */
void xp_json_str(FILE *f, const char *s);
/* ns as milliseconds with up to 6 decimals, exactly. */
void xp_print_ms(FILE *f, int64_t ns);
/* Name of an event type (catalog, qlog types, else "type_N"). */
const char *xp_type_name(uint32_t type, char *buf, size_t n);

/* One flow of a trace, as export needs it. */
typedef struct xflow {
	uint32_t id, parent;
	bool has_parent;
	char *label;
	int64_t first_ns;
	uint64_t sid; /* stream id (streams), from the label or STREAM_OPENED */
} xflow;

/* A trace with its flows. */
typedef struct xtrace {
	int64_t id;
	char *vantage, *title;
	xflow *f;
	size_t n, cap;
} xtrace;

xflow *xp_find(xtrace *t, uint32_t id);

/* Filter for the events of one connection and its streams (only == 0) or
 * of the one flow only, in o's time window, unmapped events included.
 * *ids is allocated for f->flow_ids: the caller frees it. */
int xp_conn_filter(const xtrace *t, const xflow *conn, uint32_t only,
		   const ojo_export_opts *o, ojo_scan_filter *f,
		   uint32_t **ids);

/* export_qlog.c: one connection (and its streams) as a JSON-SEQ file. */
int xp_write_qlog(ojo_store *s, xtrace *t, const xflow *conn,
		  const ojo_export_opts *o, FILE *out, char *err,
		  size_t errlen);

/* export_flat.c: the events of a connection (or of o->flow_id) as CSV or
 * JSON rows; json_first tracks the JSON array's commas. */
typedef struct xp_flat {
	FILE *out;
	bool json, first;
	int64_t trace;
	uint64_t n;
} xp_flat;
int xp_write_flat(ojo_store *s, const ojo_export_opts *o, xtrace *t,
		  const xflow *conn, xp_flat *fl);

#endif
