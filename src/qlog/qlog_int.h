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
bool qlog_json_double(const cJSON *j, double *out);
/* A non-negative integer, exact for strings up to 2^64-1. */
bool qlog_json_u64(const cJSON *j, uint64_t *out);
/* Member of an object by exact name, or NULL (also when o is no object). */
const cJSON *qj_get(const cJSON *o, const char *name);
/* A string member, or NULL. */
const char *qlog_json_str(const cJSON *o, const char *name);
/* A boolean given as true/false, 1/0, "true"/"1". */
bool qlog_json_truthy(const cJSON *j);

/* ---- qlog_records.c: records of JSON-SEQ / NDJSON files -------------- */

#define QR_MAX_RECORD (64u << 20) /* a longer record is damage */

/* Buffered reading of a FILE, shared by format detection and records. */
typedef struct qlog_rec_reader {
	FILE *f;
	char *buf;
	size_t cap, len, pos; /* valid bytes buf[pos..len) */
	uint64_t base;	      /* file offset of buf[0] */
	size_t limit;	      /* largest buffer (0: 2 x QR_MAX_RECORD) */
	bool eof;
} qlog_rec_reader;

/* Reads more: 1 read, 0 at the end, -E2BIG, -ENOMEM or -EIO. */
int qlog_rec_fill(qlog_rec_reader *r);
/* Next record ending at delim (excluded); *last when it ended at EOF
 * without one. 1 with a record, 0 at the end, < 0 on error. */
int qlog_rec_next(qlog_rec_reader *r, char delim, char **rec, size_t *n,
		  bool *last, uint64_t *at);

/* One non-blank record: j is NULL when it is not a JSON object. j and raw
 * stay valid until the next qlog_source_next(); the source frees them. */
typedef struct qlog_record {
	cJSON *j;
	const char *raw;
	size_t rawlen;
	uint64_t at; /* file offset */
	bool last;   /* ended at EOF without a separator */
} qlog_record;

typedef struct qlog_source qlog_source;

/* Records of r: JSON-SEQ when seq, else NDJSON. */
int qlog_source_open(qlog_source **out, qlog_rec_reader *r, bool seq);
/* 1 with a record, 0 at the end, < 0 on a read error. */
int qlog_source_next(qlog_source *s, qlog_record *rec);
void qlog_source_close(qlog_source *s); /* accepts NULL */

/* ---- qlog_contained.c: contained JSON, one event at a time ---------- */

typedef struct qlog_map_ctx qlog_map_ctx;

/* Imports the contained-JSON text p[0..n) through m. Returns 0 (rep
 * filled, rep->truncated for a cut file), -EINVAL with the reason in why,
 * or another negative code; *store_failed tells the store's errors
 * apart. */
int qlog_contained_import(const char *p, size_t n, qlog_map_ctx *m,
			  qlog_report *rep, char *why, size_t whylen,
			  bool *store_failed);

/* ---- qlog_trace.c: trace headers, event rows, times ------------------ */

enum qlog_time_mode { QLOG_TIME_RELATIVE, QLOG_TIME_DELTA, QLOG_TIME_ABSOLUTE };

/* How one trace spells its events and times. */
typedef struct qlog_trace {
	int index;	/* position in the file */
	double unit_ns; /* ns per time unit (ms: 1e6) */
	enum qlog_time_mode mode;
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
} qlog_trace;

/* One event, normalized. */
typedef struct qlog_event {
	int64_t t_ns;	/* as stored: epoch ns or relative ns */
	char name[96];	/* "category:event" as written */
	const char *ev; /* event part of name, lowercased in evl */
	char evl[64];
	char catl[16];	     /* category lowercased ("" if none) */
	const cJSON *data;   /* object or NULL */
	const char *trigger; /* column or data.trigger, or NULL */
	const char *group;   /* group_id of the event or NULL */
} qlog_event;

/* Reads a trace header (contained trace object, or the `trace` member of
 * a JSON-SEQ/NDJSON header; file = the whole file object, for defaults).
 * version: the file's qlog_version / file_schema. */
void qlog_trace_init(qlog_trace *t, int index, const cJSON *file,
		     const cJSON *trace, const char *version);

/* Normalizes one event (object or event_fields array). Returns false for
 * a malformed event (no time or no name). */
bool qlog_event_read(qlog_trace *t, const cJSON *e, qlog_event *out);

/* ---- qlog_map.c: qlog events -> Ojo events --------------------------- */

typedef struct qlog_map_ctx qlog_map_ctx;

/* s may be NULL: map and count only (fuzzing). */
int qlog_map_open(qlog_map_ctx **out, store *s, const char *file_name,
		  qlog_report *rep);
/* Starts a new trace: later events go to it. */
int qlog_map_trace(qlog_map_ctx *m, const qlog_trace *t);
/* Maps one event; raw is its JSON text (length rawlen) when the caller has
 * it, else NULL (the event is printed when it has to be kept). */
int qlog_map_event(qlog_map_ctx *m, const qlog_event *ev, const cJSON *whole,
		   const char *raw, size_t rawlen);
/* Writes what is buffered (events, labels); 0 or the store's code. */
int qlog_map_finish(qlog_map_ctx *m);
void qlog_map_close(qlog_map_ctx *m);
/* The store's last error for messages. */
const char *qlog_map_errmsg(const qlog_map_ctx *m);

#endif
