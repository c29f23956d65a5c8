/* store_query.h - running a user's read-only SQL (`ojo query`), so the CLI
 * never talks to SQLite itself. */
#ifndef OJO_STORE_QUERY_H
#define OJO_STORE_QUERY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef enum ojo_qv_kind {
	OJO_QV_NULL,
	OJO_QV_INT,
	OJO_QV_REAL,
	OJO_QV_TEXT,
	OJO_QV_BLOB,
} ojo_qv_kind;

/* One result value; text/blob point into SQLite and live only during the
 * callback. */
typedef struct ojo_qv {
	ojo_qv_kind kind;
	int64_t i;
	double d;
	const void *p; /* TEXT (NUL-terminated) or BLOB bytes */
	size_t len;
} ojo_qv;

typedef struct ojo_query_cb {
	/* Called once before any row with the column names. */
	int (*columns)(void *user, int n, const char *const *names);
	/* Called per row. Non-zero return stops and is returned. */
	int (*row)(void *user, int n, const ojo_qv *vals);
	void *user;
	/* Optional: polled while SQLite works; when set, the query stops
	 * with -EINTR (e.g. Ctrl-C during a long scan). */
	volatile sig_atomic_t *stop;
} ojo_query_cb;

/* Runs exactly one statement, which must not write (checked with
 * sqlite3_stmt_readonly; ATTACH is disabled too). Returns 0, the callback's
 * non-zero value, or a negative code with ojo_store_errmsg(s) saying why
 * (e.g. "SQL error: no such table: x"). */
int ojo_store_query(ojo_store *s, const char *sql, const ojo_query_cb *cb);

#endif
