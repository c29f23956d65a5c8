/* store.h - the narrow interface between the ojo tool and its database.
 *
 * Only src/store/ talks to SQLite. Ingestion (binary traces and qlog) uses
 * the write half below; the HTTP layer and `ojo query` use store_read.h.
 * A different backend (e.g. ClickHouse) implements these same functions.
 * Layout and rationale: docs/DATABASE.md. */
#ifndef OJO_STORE_H
#define OJO_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ojo_store ojo_store;

enum {
	OJO_STORE_READONLY = 0,
	OJO_STORE_READWRITE = 1, /* creates / migrates the schema */
};

/* Opens (and for READWRITE creates or upgrades) the database at path.
 * On failure returns a negative code and writes one line into err: the
 * reason only, callers print "ojo: CMD: PATH: reason". One thread at a
 * time may use a store.
 * The caller owns *out and frees it with ojo_store_close(). */
int ojo_store_open(const char *path, int mode, ojo_store **out, char *err,
		   size_t errlen);
void ojo_store_close(ojo_store *s); /* accepts NULL */

/* Last SQLite / store error text for s. Owned by s. */
const char *ojo_store_errmsg(const ojo_store *s);

/* ---- ingestion: one transaction per input file ---------------------- */

/* Status of an input file already known to the database. */
typedef enum ojo_file_status {
	OJO_FILE_UNKNOWN = 0,
	OJO_FILE_INGESTED = 1,
	OJO_FILE_REJECTED = 2,
} ojo_file_status;

/* Looks up a file by its identity (absolute path). */
int ojo_store_file_status(ojo_store *s, const char *path, ojo_file_status *out);
/* The same, plus the size and mtime the ledger recorded for the file
 * (0 when it is unknown); NULL pointers are skipped. */
int ojo_store_file_get(ojo_store *s, const char *path, ojo_file_status *out,
		       int64_t *size, int64_t *mtime_ns);

/* Starts the transaction that will hold one file's events and its mark. */
int ojo_store_begin(ojo_store *s);
/* Commits everything since ojo_store_begin() atomically. */
int ojo_store_commit(ojo_store *s);
/* Throws away everything since ojo_store_begin(). */
int ojo_store_rollback(ojo_store *s);

typedef struct ojo_trace_info {
	const char
	    *name; /* unique trace name (FORMAT.md), or qlog file/trace */
	const char *source;  /* "ojo" or "qlog" */
	int64_t pid;	     /* 0 if unknown */
	uint64_t schema_id;  /* 0 if none */
	const char *vantage; /* qlog vantage point or NULL */
	const char *title;   /* free text or NULL */
} ojo_trace_info;

/* Gets or creates the trace with info->name; *trace_id receives its key. */
int ojo_store_trace(ojo_store *s, const ojo_trace_info *info,
		    int64_t *trace_id);

/* One event with absolute time, as ingestion hands it to the store. */
typedef struct ojo_store_event {
	int64_t time_ns; /* Unix epoch ns */
	uint32_t flow_id;
	uint32_t type;
	uint64_t payload;
} ojo_store_event;

/* Appends events of one trace (any order, any flows). The store groups
 * them into per-(flow, type) blocks and updates flow summaries, parents
 * (OJO_EV_STREAM_LINK), type counts and dropped totals
 * (OJO_EV_EVENTS_DROPPED). Events are buffered; they are written at the
 * latest by ojo_store_commit(). */
int ojo_store_append(ojo_store *s, int64_t trace_id, const ojo_store_event *ev,
		     size_t n);

/* Gives a flow a human label (qlog: connection id, "stream 4"). */
int ojo_store_flow_label(ojo_store *s, int64_t trace_id, uint32_t flow_id,
			 const char *label);

/* Keeps an event that has no Ojo equivalent (qlog), as its JSON text. */
int ojo_store_unmapped(ojo_store *s, int64_t trace_id, uint32_t flow_id,
		       int64_t time_ns, const char *name, const char *json);

/* Registers or updates a (user) event type, e.g. from a schema file. */
typedef struct ojo_type_info {
	uint32_t type;
	const char *name;
	const char *category;
	const char *description;
	const char *payload_kind; /* ojo_payload_kind_name() values */
	const char *unit;
} ojo_type_info;
int ojo_store_event_type(ojo_store *s, const ojo_type_info *ti);

typedef struct ojo_file_info {
	const char *path; /* identity: absolute path */
	int64_t size;
	int64_t mtime_ns;
	int64_t trace_id;   /* 0 if none (rejected before a trace was known) */
	const char *format; /* "ojo", "qlog-json", "qlog-seq", ... */
	uint64_t batch_start_ns;
	uint64_t events; /* events stored from this file */
	ojo_file_status status;
	const char *reason; /* NULL when ingested cleanly; else why */
} ojo_file_info;

/* Marks a file as ingested or rejected; call inside the file's
 * transaction so the mark and the events commit together. */
int ojo_store_file_done(ojo_store *s, const ojo_file_info *fi);

#endif
