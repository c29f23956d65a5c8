/* sq_int.h - what the files of the SQLite store share (not a public
 * interface: only src/store/ includes it). */
#ifndef OJO_SQ_INT_H
#define OJO_SQ_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sqlite/sq_conn.h"

/* One buffered event inside a block, in the blob's order. */
typedef struct sq_ev {
	int64_t t;
	uint64_t p;
} sq_ev;
_Static_assert(sizeof(sq_ev) == 16, "block event size");

/* Per-flow state: the cached row key and the summary deltas not yet
 * written to the flows table. */
typedef struct sq_flow {
	int64_t trace_id;
	uint32_t flow_id;
	uint32_t trace_slot; /* index into store->traces */
	int64_t key;	     /* flows.flow_key, 0 until known */
	bool dirty;
	bool has_parent;
	uint32_t parent_fid;
	int64_t parent_ns; /* time of the link that set parent_fid */
	int64_t first_ns, last_ns;
	uint64_t n_events;
	uint64_t sent, received, acked, lost, retrans;
	uint64_t bytes_sent, bytes_acked;
	bool has_cwnd;
	int64_t max_cwnd, last_cwnd, last_cwnd_ns;
	char *label;
} sq_flow;

/* Buffered events of one (trace, flow, type), at most SQ_BLOCK_MAX_EVENTS. */
typedef struct sq_buf {
	int64_t trace_id;
	uint32_t flow_id, type;
	uint32_t flow; /* index into store->flows */
	uint32_t n, cap;
	bool unsorted;
	sq_ev *ev;
	uint64_t txn_n; /* events flushed since the type count was written */
} sq_buf;

/* Per-trace deltas of the current flush. */
typedef struct sq_tdelta {
	int64_t trace_id;
	bool dirty;
	int64_t first_ns, last_ns;
	uint64_t n_events, n_flows, dropped;
} sq_tdelta;

/* Open-addressing index: slot -> 1 + index into an array, 0 = empty. */
typedef struct sq_index {
	uint32_t *slot;
	uint32_t mask; /* capacity - 1 (power of two), 0 when unallocated */
} sq_index;

enum sq_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_BLOCK_INSERT,
	ST_FLOW_GET,
	ST_FLOW_INSERT,
	ST_FLOW_UPDATE,
	ST_TYPE_COUNT,
	ST_TRACE_UPDATE,
	ST_TRACE_GET,
	ST_TRACE_INSERT,
	ST_FILE_STATUS,
	ST_FILE_DONE,
	ST_EVENT_TYPE,
	ST_UNMAPPED,
	ST__COUNT
};

struct sq_conn {
	sqlite3 *db;
	char *path;
	int mode;
	bool in_txn;
	char err[512];
	sqlite3_stmt *st[ST__COUNT];

	sq_flow *flows;
	uint32_t n_flows, cap_flows;
	sq_index flow_ix;

	sq_buf *bufs;
	uint32_t n_bufs, cap_bufs;
	sq_index buf_ix;
	uint32_t last_buf; /* 1 + index of the last buffer hit, 0 = none */

	sq_tdelta *traces;
	uint32_t n_traces, cap_traces;

	size_t buffered;     /* events waiting in bufs */
	size_t buf_bytes;    /* bytes allocated for bufs' events */
	sq_ev *sort_tmp;     /* SQ_BLOCK_MAX_EVENTS scratch for merge sort */
	int64_t cur_file_id; /* blocks.file_id for what is appended now */
};

/* Sets s->err from a printf format and returns code. */
int sq_fail(sq_conn *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets s->err from SQLite's message for what just failed; returns a
 * negative code. */
int sq_sqlfail(sq_conn *s, const char *what);
/* The cached prepared statement `which`, reset and cleared; NULL on error
 * (s->err set). */
sqlite3_stmt *sq_stmt(sq_conn *s, enum sq_stmt which);
/* Runs a statement to completion; 0 or a negative code with s->err set. */
int sq_step_done(sq_conn *s, sqlite3_stmt *st, const char *what);

/* store_write.c: writes every buffered block and summary delta; with
 * drop_cache also forgets cached flow keys and frees buffers. */
int sq_flush(sq_conn *s, bool drop_cache);
/* Forgets everything buffered and every cached key (after a rollback). */
void sq_write_reset(sq_conn *s);
void sq_write_free(sq_conn *s);

/* store_vtab.c: registers the `events` table on s->db. */
int sq_vtab_register(sqlite3 *db);

/* Maps a SQLite result code to a negative errno-style code. */
int sq_sqlite_code(int rc);

#endif
