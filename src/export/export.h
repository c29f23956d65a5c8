/* export.h - writing stored events out: qlog (JSON-SEQ, qlog_version 0.3,
 * transport:/recovery: names as qvis loads them), CSV and JSON. Used by
 * `ojo export` and the HTTP layer (/api/export). Mapping: docs/QLOG.md. */
#ifndef OJO_EXPORT_H
#define OJO_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef enum export_format {
	EXPORT_QLOG = 0,
	EXPORT_CSV = 1,
	EXPORT_JSON = 2,
} export_format;

typedef struct export_opts {
	export_format format;
	int64_t trace_id; /* 0: every trace */
	uint32_t flow_id; /* 0: every flow; a connection includes its streams */
	int64_t from_ns, to_ns; /* inclusive window, stored (epoch) ns */
} export_opts;

/* Every trace, every flow, all time, qlog. */
void export_opts_init(export_opts *o);

/* "qlog", "csv" or "json"; -EINVAL otherwise. */
int export_parse_format(const char *s, export_format *out);

/* MIME type and file suffix of a format (".sqlog" for qlog). */
const char *export_mime(export_format f);
const char *export_suffix(export_format f);

/* Writes the selection to out. qlog takes exactly one connection: the
 * flow (or its parent connection), or the only connection of the trace;
 * else -EINVAL with the reason in err. CSV/JSON write flat events (JSON:
 * one array). Returns 0 or a negative code (err says why). */
int export_write(store *s, const export_opts *o, FILE *out, char *err,
		 size_t errlen);

/* qlog into dir: one .sqlog file per selected connection, named after it
 * (label or ODCID and vantage, else trace and flow id). *n_files receives
 * how many were written. */
int export_dir(store *s, const export_opts *o, const char *dir,
	       unsigned *n_files, char *err, size_t errlen);

#endif
