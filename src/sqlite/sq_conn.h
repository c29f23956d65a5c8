/* sq_conn.h - one SQLite connection to an Ojo database: opening (schema
 * creation and upgrade), the ingestion transaction and its writes, scans
 * for export, and `ojo query`. The record types are the store interface's
 * (store/store.h); sq_backend.c maps that interface onto these calls. */
#ifndef OJO_SQ_CONN_H
#define OJO_SQ_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct sq_conn sq_conn;

/* Opens (and for STORE_WRITE creates or upgrades) the database at path.
 * On failure returns a negative code and writes one line into err: the
 * reason only. The caller owns *out and frees it with sq_conn_close(). */
int sq_conn_open(const char *path, int mode, sq_conn **out, char *err,
		 size_t errlen);
void sq_conn_close(sq_conn *s); /* accepts NULL */

struct sqlite3;
/* The connection's SQLite handle (owned by s). */
struct sqlite3 *sq_conn_sqlite(sq_conn *s);

/* Last SQLite / store error text for s. Owned by s. */
const char *sq_conn_errmsg(const sq_conn *s);

/* The ledger's row for path (see store_file_get). */
int sq_file_get(sq_conn *s, const char *path, store_file_status *out,
		int64_t *size, int64_t *mtime_ns);

int sq_begin(sq_conn *s);
int sq_commit(sq_conn *s);
int sq_rollback(sq_conn *s);

int sq_trace(sq_conn *s, const store_trace_info *info, int64_t *trace_id);
/* Buffers events into per-(flow, type) blocks with the flow summaries,
 * parents, type counts and dropped totals; written by sq_flush() at the
 * latest in sq_file_done()/sq_commit(). */
int sq_append(sq_conn *s, int64_t trace_id, const store_event *ev, size_t n);
int sq_flow_label(sq_conn *s, int64_t trace_id, uint32_t flow_id,
		  const char *label);
int sq_unmapped(sq_conn *s, int64_t trace_id, uint32_t flow_id, int64_t time_ns,
		const char *name, const char *json);
int sq_event_type(sq_conn *s, const store_type_info *ti);
int sq_file_done(sq_conn *s, const store_file_info *fi);
/* Writes the buffered blocks and summaries into the open transaction. */
int sq_conn_flush(sq_conn *s);

/* One read-only user statement (`ojo query`), see store_query(). */
int sq_query(sq_conn *s, const char *sql, const store_query_cb *cb);

#endif
