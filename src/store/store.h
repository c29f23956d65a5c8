/* store.h - the one interface between the ojo tool and its database.
 *
 * Ingestion (src/ingest, src/qlog), the HTTP layer (src/http), `ojo query`
 * and export (src/export) use a store through these functions only and
 * never know which backend answers. A database is named by a path (SQLite,
 * src/sqlite, the default) or a URL (clickhouse://HOST:PORT/DB[?cluster=C],
 * src/clickhouse). Layout and rationale per backend: docs/DATABASE.md,
 * docs/SCALE-OUT.md.
 *
 * What every backend provides, and what callers may rely on:
 * - Exactly-once writes. Everything between store_begin() and
 *   store_commit() - events, traces, flows, labels, unmapped events and the
 *   file's ledger row (store_file_done) - becomes visible to readers all at
 *   once, or never: a writer killed at any moment, a retry after a lost
 *   reply or a restarted server neither loses nor repeats a file. A file
 *   already in the ledger is known to store_file_get() from then on.
 * - Readers see only committed files, and a consistent answer per call.
 * - Flows and traces listed with filters, sorting, search and paging;
 *   events in one total order, paged by an opaque cursor; series reduced
 *   to at most N buckets each holding the true min and max.
 * - SQL for `ojo query` with the same views (traces, flows, events,
 *   events_named, event_types, type_counts, files, unmapped_events) and
 *   columns on every backend (docs/DATABASE.md).
 * - store_version(): a number that changes whenever new data became
 *   visible, which the live-update feed polls.
 *
 * Threads: one store handle is used by one thread at a time; handles are
 * cheap to keep (servers pool one per busy worker). store_shared objects
 * are thread-safe and outlive every handle that uses them.
 *
 * Errors: functions return 0 or a negative errno-style code, and
 * store_errmsg() says why in one line (the reason only; callers print
 * "ojo: CMD: DB: reason"). Codes callers act on: -ENOENT (no such trace,
 * flow or database), -ENODATA (the database has no Ojo schema yet: a
 * reader waits for a writer), -ETIMEDOUT (the deadline passed),
 * -EHOSTUNREACH (a server of the database cannot be reached: the message
 * names it), -EACCES (read-only handle or permissions), -EPROTO (not an
 * Ojo database, or a layout version this ojo cannot read), -EINVAL (bad
 * argument or SQL), -ENOMEM, -EIO (anything else the backend reported).
 *
 * Strings and arrays handed to callbacks live only during the call.
 * Callbacks return 0 to go on; anything else stops the walk and is
 * returned. */
#ifndef OJO_STORE_H
#define OJO_STORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;
typedef struct store_shared store_shared;

/* ---- opening ---------------------------------------------------------- */

enum store_mode {
	STORE_READ = 0,	 /* queries only; never creates anything */
	STORE_WRITE = 1, /* also ingestion: creates / upgrades the schema */
};

typedef struct store_opts {
	const char *db; /* path (SQLite) or clickhouse:// URL */
	int mode;	/* enum store_mode */
	/* Optional: state shared by the handles of one process (decoded
	 * blocks, connection pools), from store_shared_new(). */
	store_shared *shared;
	/* Optional: the writer's identity among many writers into one
	 * database (host name by default): files and traces of two origins
	 * never mix. Backends with one writer (SQLite) ignore it. */
	const char *origin;
	/* Optional: told about waits the caller should know of (a server
	 * down: retrying), one line without newline. NULL: silent. */
	void (*notice)(void *user, const char *msg);
	void *notice_user;
} store_opts;

/* Opens the database o->db. On failure returns a negative code and writes
 * one line into err (the reason only). The caller owns *out and frees it
 * with store_close(). A STORE_READ handle on a database without schema
 * opens and answers -ENODATA until a writer creates it; a missing SQLite
 * file fails with -ENOENT. */
int store_open(const store_opts *o, store **out, char *err, size_t errlen);
/* store_open() with only db and mode set. */
int store_open_db(const char *db, int mode, store **out, char *err,
		  size_t errlen);
void store_close(store *s); /* accepts NULL; rolls back an open file */

/* Last error text of s (owned by s, valid until the next call). */
const char *store_errmsg(const store *s);

/* The backend's name: "sqlite" or "clickhouse". */
const char *store_backend_name(const store *s);

/* Shared state for the handles of one process; cache_bytes bounds the
 * memory of decoded events kept between requests (0: no cache). Free it
 * after every handle using it is closed. */
store_shared *store_shared_new(size_t cache_bytes);
void store_shared_free(store_shared *sh); /* accepts NULL */

/* Queries started after this fail with -ETIMEDOUT once CLOCK_MONOTONIC
 * passes deadline_ns (util_mono_ns()); 0 = no deadline. */
void store_set_deadline(store *s, int64_t deadline_ns);

/* Changes whenever data became visible to s since the last call that
 * returned the same value; only comparable with values of the same handle. */
int store_version(store *s, int64_t *out);

/* ---- ingestion: one transaction per input file ------------------------ */

typedef enum store_file_status {
	STORE_FILE_UNKNOWN = 0,
	STORE_FILE_INGESTED = 1,
	STORE_FILE_REJECTED = 2,
} store_file_status;

/* The ledger's row for a file (identity: absolute path, within the
 * handle's origin): its status, and the size and mtime it had then (0 when
 * unknown); NULL pointers are skipped. */
int store_file_get(store *s, const char *path, store_file_status *status,
		   int64_t *size, int64_t *mtime_ns);

/* Starts the transaction that will hold one file's events and its mark. */
int store_begin(store *s);
/* Makes everything since store_begin() visible at once. On failure the
 * transaction is still open: roll it back. */
int store_commit(store *s);
/* Throws away everything since store_begin(). */
int store_rollback(store *s);

typedef struct store_trace_info {
	const char *name;    /* unique trace name (FORMAT.md), or qlog name */
	const char *source;  /* "ojo" or "qlog" */
	int64_t pid;	     /* 0 if unknown */
	uint64_t schema_id;  /* 0 if none */
	const char *vantage; /* qlog vantage point or NULL */
	const char *title;   /* free text or NULL */
} store_trace_info;

/* Gets or creates the trace named info->name; *trace_id receives its key. */
int store_trace(store *s, const store_trace_info *info, int64_t *trace_id);

/* One event with absolute time, as ingestion hands it over. */
typedef struct store_event {
	int64_t time_ns; /* Unix epoch ns, or ns from an undated start */
	uint32_t flow_id;
	uint32_t type;
	uint64_t payload;
} store_event;

/* Appends events of one trace (any order, any flows). The store keeps
 * per-flow summaries, parents (OJO_EV_STREAM_LINK, the newest link wins),
 * type counts and dropped totals (OJO_EV_EVENTS_DROPPED). Events may be
 * buffered until store_file_done()/store_commit(). */
int store_append(store *s, int64_t trace_id, const store_event *ev, size_t n);

/* Gives a flow a human label (qlog: connection id, "stream 4"). */
int store_flow_label(store *s, int64_t trace_id, uint32_t flow_id,
		     const char *label);

/* Keeps an event that has no Ojo equivalent (qlog), as its JSON text. */
int store_unmapped(store *s, int64_t trace_id, uint32_t flow_id,
		   int64_t time_ns, const char *name, const char *json);

/* Registers or updates an event type (a schema file's user types). */
typedef struct store_type_info {
	uint32_t type;
	const char *name;
	const char *category;
	const char *description;
	const char *payload_kind; /* ojo_payload_kind_name() values */
	const char *unit;
} store_type_info;
int store_event_type(store *s, const store_type_info *ti);

typedef struct store_file_info {
	const char *path; /* identity: absolute path */
	int64_t size;
	int64_t mtime_ns;
	int64_t trace_id;   /* 0 if none (rejected before a trace was known) */
	const char *format; /* "ojo", "qlog-json", "qlog-json-seq", ... */
	uint64_t batch_start_ns;
	uint64_t events; /* events stored from this file */
	store_file_status status;
	const char *reason; /* NULL when ingested cleanly; else why */
} store_file_info;

/* Marks a file as ingested or rejected inside the file's transaction, so
 * the mark and the events commit together. */
int store_file_done(store *s, const store_file_info *fi);

/* ---- totals, traces, types --------------------------------------------- */

typedef struct store_stats {
	int64_t traces, flows, connections, streams, events, dropped, types;
	int64_t files_ingested, files_rejected;
	bool has_time;
	int64_t first_ns, last_ns;
} store_stats;
int store_stats_get(store *s, store_stats *out);

typedef struct store_trace_row {
	int64_t id;
	const char *name, *source;
	const char *vantage, *title; /* NULL when absent */
	int64_t pid;
	bool has_time;
	int64_t first_ns, last_ns;
	int64_t events, flows, dropped;
} store_trace_row;
typedef int (*store_trace_fn)(void *user, const store_trace_row *t);
/* Every trace by (first_ns, id), or only trace id when id > 0 (-ENOENT
 * when it is absent). */
int store_traces(store *s, int64_t id, store_trace_fn fn, void *user);

typedef struct store_type_row {
	uint32_t type;
	const char *name, *category, *description, *payload_kind, *unit;
	int64_t count; /* events of this type (0 from store_type_catalog) */
} store_type_row;
typedef int (*store_type_fn)(void *user, const store_type_row *t);
/* Every known type, plus the types seen only in data ("type_N",
 * category "unknown"), in type order, with event counts over everything,
 * one trace (trace_id > 0) or one flow (flow_key > 0). */
int store_types(store *s, int64_t trace_id, int64_t flow_key, store_type_fn fn,
		void *user);
/* The catalog only (counts 0): cheap, for naming types. */
int store_type_catalog(store *s, store_type_fn fn, void *user);

/* ---- flows ------------------------------------------------------------- */

typedef struct store_flow_row {
	int64_t key; /* unique in the database; < 2^53 */
	int64_t trace_id;
	const char *trace_name;
	uint32_t flow_id; /* as recorded */
	bool has_parent;
	int64_t parent_key;
	uint32_t parent_flow_id;
	const char *label; /* NULL when none */
	int64_t first_ns, last_ns, events;
	int64_t packets_sent, packets_received, packets_acked, packets_lost,
	    packets_retransmitted, bytes_sent, bytes_acked;
	bool has_max_cwnd, has_last_cwnd;
	int64_t max_cwnd, last_cwnd;
	int64_t streams;  /* child flows */
	int64_t unmapped; /* qlog events kept as JSON (store_trace_flows) */
} store_flow_row;
typedef int (*store_flow_fn)(void *user, const store_flow_row *f);

enum store_kind { STORE_ALL, STORE_CONNECTIONS, STORE_STREAMS };
enum store_sort {
	STORE_BY_START,
	STORE_BY_DURATION,
	STORE_BY_EVENTS,
	STORE_BY_LOSSES,
};

typedef struct store_flow_query {
	int64_t trace_id; /* 0 = all */
	const char *q;	  /* NULL = none; substring of label or trace name, or
			     a flow id or key */
	bool has_type;	  /* only flows with events of type */
	uint32_t type;
	int kind;	    /* enum store_kind */
	int64_t parent_key; /* 0 = any */
	int sort;	    /* enum store_sort; ties by key */
	bool desc;
	int64_t offset, limit;
} store_flow_query;
/* One page of flows; *total = flows matching (ignoring offset/limit). */
int store_flows(store *s, const store_flow_query *q, int64_t *total,
		store_flow_fn fn, void *user);
/* One flow; -ENOENT when absent. */
int store_flow_get(store *s, int64_t key, store_flow_fn fn, void *user);
/* Every flow of one trace in flow id order, including flows that hold only
 * unmapped qlog events (then events is 0 and key may be 0). */
int store_trace_flows(store *s, int64_t trace_id, store_flow_fn fn, void *user);

/* Event counts per type of a flow (with children: and of its streams). */
typedef int (*store_count_fn)(void *user, uint32_t type, int64_t n);
int store_flow_type_counts(store *s, int64_t key, bool children,
			   store_count_fn fn, void *user);
/* Event counts per (flow id, type) of a trace, in flow id, type order. */
typedef int (*store_flow_count_fn)(void *user, uint32_t flow_id, uint32_t type,
				   int64_t n);
int store_trace_type_counts(store *s, int64_t trace_id, store_flow_count_fn fn,
			    void *user);

/* Time span of a flow (with children: and of its streams); -ENOENT. */
int store_flow_span(store *s, int64_t key, bool children, int64_t *first,
		    int64_t *last);

/* ---- events ------------------------------------------------------------
 * One total order: (time_ns, flow_key, type, seq), where seq tells apart
 * events of one flow and type at the same time (backend-defined, stable).
 * Unmapped qlog events have type 0 and come with their name and JSON. */
typedef struct store_event_row {
	int64_t time_ns;
	int64_t trace_id;
	int64_t flow_key;
	uint32_t flow_id;
	uint32_t type; /* 0: unmapped qlog event */
	uint64_t seq;
	uint64_t payload;
	const char *name, *json; /* unmapped only, else NULL */
} store_event_row;
typedef int (*store_event_fn)(void *user, const store_event_row *e);

typedef struct store_event_query {
	/* what: one flow (flow_key > 0, with children: and its streams), or
	 * every flow of a trace (trace_id > 0), optionally only flow ids */
	int64_t flow_key;
	bool children;
	int64_t trace_id;
	const uint32_t *flow_ids; /* with trace_id; NULL = every flow */
	size_t n_flow_ids;
	const uint32_t *types; /* NULL / 0 = every type */
	size_t n_types;
	bool unmapped;		/* also unmapped qlog events (type 0) */
	int64_t from_ns, to_ns; /* absolute, inclusive */
	bool has_after;		/* start strictly after this event */
	store_event_row after;	/* (time_ns, flow_key, type, seq) used */
} store_event_query;

/* Calls fn for each event of q in order, reading the data as the walk
 * needs it (memory follows what overlaps in time, not the total). */
int store_events(store *s, const store_event_query *q, store_event_fn fn,
		 void *user);
/* Number of events of q (ignoring has_after); unmapped ones never count. */
int store_events_count(store *s, const store_event_query *q, int64_t *n);

/* One page: out[0..*n) (out holds limit) with the next events of q;
 * *more tells whether any follow. Built on store_events(). */
int store_events_page(store *s, const store_event_query *q, size_t limit,
		      store_event_row *out, size_t *n, bool *more);

/* ---- series ------------------------------------------------------------
 * One event type of a flow (and, with children, of each stream) reduced to
 * at most `points` buckets, each with the true min and max. */
typedef struct store_series_query {
	int64_t flow_key;
	uint32_t type;
	bool children;
	bool range; /* values are OJO_RANGE: min = offset, max = end */
	int64_t from_ns, to_ns; /* absolute, inclusive */
	size_t points;
} store_series_query;

typedef struct store_series {
	int64_t flow_key;
	size_t n;   /* entries below */
	int64_t *t; /* absolute ns: event time, or bucket start */
	int64_t *vmin, *vmax;
	uint32_t *cnt;
} store_series;

typedef struct store_series_set {
	bool exact;	   /* one entry per event */
	int64_t bucket_ns; /* 0 when exact */
	int64_t count;	   /* events in the window, all series */
	size_t n_series;
	store_series *s; /* the flow first, then its streams by start */
} store_series_set;

/* Fills out (free it with store_series_free). Values of 2^53 and more are
 * left out of non-range series (JSON numbers). */
int store_series_get(store *s, const store_series_query *q,
		     store_series_set *out);
void store_series_free(store_series_set *set);

/* ---- SQL (`ojo query`) -------------------------------------------------- */

typedef enum store_value_kind {
	STORE_NULL,
	STORE_INT,
	STORE_REAL,
	STORE_TEXT,
	STORE_BLOB,
} store_value_kind;

/* One result value; text and blob bytes live only during the callback. */
typedef struct store_value {
	store_value_kind kind;
	int64_t i;
	double d;
	const void *p; /* TEXT (NUL-terminated) or BLOB bytes */
	size_t len;
} store_value;

typedef struct store_query_cb {
	/* Called once before any row with the column names. */
	int (*columns)(void *user, int n, const char *const *names);
	/* Called per row; a non-zero return stops and is returned. */
	int (*row)(void *user, int n, const store_value *vals);
	void *user;
	/* Optional: polled while the query runs; when set, it stops with
	 * -EINTR (Ctrl-C during a long scan). */
	volatile sig_atomic_t *stop;
} store_query_cb;

/* Runs exactly one statement, which must not write. Returns 0, the
 * callback's non-zero value, or a negative code (store_errmsg: e.g.
 * "SQL error: no such table: x"). */
int store_query(store *s, const char *sql, const store_query_cb *cb);

#endif
