/* qlog_int.h - what the files of the qlog importer share (not public). */
#ifndef OJO_QLOG_INT_H
#define OJO_QLOG_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "qlog/qlog.h"

/* ---- qlog_json.c: tolerant readers of qlog's loosely typed values ---- */

/* A number given as a JSON number or a numeric string ("123", "1.5"). */
bool qj_double(const cJSON *j, double *out);
/* A non-negative integer, exact for strings up to 2^64-1. */
bool qj_u64(const cJSON *j, uint64_t *out);
/* Member of an object by exact name, or NULL (also when o is no object). */
const cJSON *qj_get(const cJSON *o, const char *name);
/* A string member, or NULL. */
const char *qj_str(const cJSON *o, const char *name);
/* A boolean given as true/false, 1/0, "true"/"1". */
bool qj_truthy(const cJSON *j);

/* ---- qlog_records.c: records of JSON-SEQ / NDJSON files -------------- */

#define QR_MAX_RECORD (64u << 20) /* a longer record is damage */

/* Buffered reading of a FILE, shared by format detection and records. */
typedef struct qr_reader {
	FILE *f;
	char *buf;
	size_t cap, len, pos; /* valid bytes buf[pos..len) */
	uint64_t base;	      /* file offset of buf[0] */
	size_t limit;	      /* largest buffer (0: 2 x QR_MAX_RECORD) */
	bool eof;
} qr_reader;

/* Reads more: 1 read, 0 at the end, -E2BIG, -ENOMEM or -EIO. */
int qr_fill(qr_reader *r);
/* Next record ending at delim (excluded); *last when it ended at EOF
 * without one. 1 with a record, 0 at the end, < 0 on error. */
int qr_next(qr_reader *r, char delim, char **rec, size_t *n, bool *last,
	    uint64_t *at);

/* One non-blank record: j is NULL when it is not a JSON object. j and raw
 * stay valid until the next qr_source_next(); the source frees them. */
typedef struct qr_record {
	cJSON *j;
	const char *raw;
	size_t rawlen;
	uint64_t at; /* file offset */
	bool last;   /* ended at EOF without a separator */
} qr_record;

typedef struct qr_source qr_source;

/* Records of r: JSON-SEQ when seq, else NDJSON. */
int qr_source_open(qr_source **out, qr_reader *r, bool seq);
/* 1 with a record, 0 at the end, < 0 on a read error. */
int qr_source_next(qr_source *s, qr_record *rec);
void qr_source_close(qr_source *s); /* accepts NULL */

/* ---- qlog_contained.c: contained JSON, one event at a time ---------- */

typedef struct qm_ctx qm_ctx;

/* Imports the contained-JSON text p[0..n) through m. Returns 0 (rep
 * filled, rep->truncated for a cut file), -EINVAL with the reason in why,
 * or another negative code; *store_failed tells the store's errors
 * apart. */
int qc_import(const char *p, size_t n, qm_ctx *m, ojo_qlog_report *rep,
	      char *why, size_t whylen, bool *store_failed);

/* ---- qlog_trace.c: trace headers, event rows, times ------------------ */

enum qt_time_mode { QT_RELATIVE, QT_DELTA, QT_ABSOLUTE };

/* How one trace spells its events and times. */
typedef struct qt_trace {
	int index;	/* position in the file */
	double unit_ns; /* ns per time unit (ms: 1e6) */
	enum qt_time_mode mode;
	bool ref_epoch;	   /* reference is Unix epoch: times are absolute */
	int64_t ref_ns;	   /* reference in Unix epoch ns when ref_epoch */
	int64_t offset_ns; /* configuration.time_offset */
	int64_t prev_ns;   /* delta mode: time of the previous event */
	/* event_fields columns (-1 = absent); ncols 0 = events are objects */
	int ncols, c_time, c_cat, c_name, c_data, c_trigger, c_group;
	bool c_time_delta;
	char group[128]; /* common_fields group_id / ODCID / connectionid */
	char vantage[64];
	char title[128];
	/* spreading of events that share one timestamp (docs/QLOG.md) */
	int64_t last_base;
	uint32_t same;
} qt_trace;

/* One event, normalized. */
typedef struct qt_event {
	int64_t t_ns;	/* as stored: epoch ns or relative ns */
	char name[96];	/* "category:event" as written */
	const char *ev; /* event part of name, lowercased in evl */
	char evl[64];
	char catl[16];	     /* category lowercased ("" if none) */
	const cJSON *data;   /* object or NULL */
	const char *trigger; /* column or data.trigger, or NULL */
	const char *group;   /* group_id of the event or NULL */
} qt_event;

/* Reads a trace header (contained trace object, or the `trace` member of
 * a JSON-SEQ/NDJSON header; file = the whole file object, for defaults).
 * version: the file's qlog_version / file_schema. */
void qt_trace_init(qt_trace *t, int index, const cJSON *file,
		   const cJSON *trace, const char *version);

/* Normalizes one event (object or event_fields array). Returns false for
 * a malformed event (no time or no name). */
bool qt_event_read(qt_trace *t, const cJSON *e, qt_event *out);

/* ---- qlog_map.c: qlog events -> Ojo events --------------------------- */

typedef struct qm_ctx qm_ctx;

/* s may be NULL: map and count only (fuzzing). */
int qm_open(qm_ctx **out, ojo_store *s, const char *file_name,
	    ojo_qlog_report *rep);
/* Starts a new trace: later events go to it. */
int qm_trace(qm_ctx *m, const qt_trace *t);
/* Maps one event; raw is its JSON text (length rawlen) when the caller has
 * it, else NULL (the event is printed when it has to be kept). */
int qm_event(qm_ctx *m, const qt_event *ev, const cJSON *whole, const char *raw,
	     size_t rawlen);
/* Writes what is buffered (events, labels); 0 or the store's code. */
int qm_finish(qm_ctx *m);
void qm_close(qm_ctx *m);
/* The store's last error for messages. */
const char *qm_errmsg(const qm_ctx *m);

#endif
