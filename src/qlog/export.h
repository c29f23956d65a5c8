/* export.h - writing stored events out: qlog (JSON-SEQ, qlog_version 0.3,
 * transport:/recovery: names as qvis loads them), CSV and JSON. Used by
 * `ojo export` and the HTTP layer (/api/export). Mapping: docs/QLOG.md. */
#ifndef OJO_QLOG_EXPORT_H
#define OJO_QLOG_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef enum ojo_export_format {
	OJO_EXPORT_QLOG = 0,
	OJO_EXPORT_CSV = 1,
	OJO_EXPORT_JSON = 2,
} ojo_export_format;

typedef struct ojo_export_opts {
	ojo_export_format format;
	int64_t trace_id; /* 0: every trace */
	uint32_t flow_id; /* 0: every flow; a connection includes its streams */
	int64_t from_ns, to_ns; /* inclusive window, stored (epoch) ns */
} ojo_export_opts;

/* Every trace, every flow, all time, qlog. */
void ojo_export_opts_init(ojo_export_opts *o);

/* "qlog", "csv" or "json"; -EINVAL otherwise. */
int ojo_export_parse_format(const char *s, ojo_export_format *out);

/* MIME type and file suffix of a format (".sqlog" for qlog). */
const char *ojo_export_mime(ojo_export_format f);
const char *ojo_export_suffix(ojo_export_format f);

/* Writes the selection to out. qlog takes exactly one connection: the
 * flow (or its parent connection), or the only connection of the trace;
 * else -EINVAL with the reason in err. CSV/JSON write flat events (JSON:
 * one array). Returns 0 or a negative code (err says why). */
int ojo_export_write(ojo_store *s, const ojo_export_opts *o, FILE *out,
		     char *err, size_t errlen);

/* qlog into dir: one .sqlog file per selected connection, named after it
 * (label or ODCID and vantage, else trace and flow id). *n_files receives
 * how many were written. */
int ojo_export_dir(ojo_store *s, const ojo_export_opts *o, const char *dir,
		   unsigned *n_files, char *err, size_t errlen);

#endif
