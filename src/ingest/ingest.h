/* ingest.h - turning trace files into store rows, exactly once.
 * Used by `ojo watch`, `ojo import` and `ojo demo`. */
#ifndef OJO_INGEST_H
#define OJO_INGEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* What ingesting one file did; filled by ojo_ingest_file(). */
typedef struct ojo_ingest_result {
	ojo_file_status status; /* INGESTED or REJECTED (or UNKNOWN: skipped,
				   e.g. already ingested or not settled) */
	uint64_t events;	/* events stored */
	uint64_t unmapped;	/* qlog events kept only as JSON */
	char reason[256];	/* why rejected, or a warning (e.g. "truncated
				   at byte N: kept the records before it") */
	bool unsettled;		/* skipped because it ends mid-record and may
				   still be growing: try again later */
	bool changed; /* skipped: already ingested, but its size or mtime
			 differ from the ledger's (reason says how) */
} ojo_ingest_result;

/* Ingests one file (an Ojo batch or a qlog file, told apart by name and
 * content) in one transaction with its "ingested" mark. Returns 0 when the
 * file was handled (ingested, rejected or skipped: see res->status), or a
 * negative code when the database failed (nothing committed). */
int ojo_ingest_file(ojo_store *s, const char *path, ojo_ingest_result *res);

enum {
	/* The file is complete (renamed in, closed by its writer, or unchanged
	 * for the settle time), so damage at its end is final. Without it, a
	 * file ending inside its header or a record is left for later. */
	OJO_INGEST_SETTLED = 1,
};

/* ojo_ingest_file() with flags; ojo_ingest_file() is flags =
 * OJO_INGEST_SETTLED. */
int ojo_ingest_file_ex(ojo_store *s, const char *path, unsigned flags,
		       ojo_ingest_result *res);

/* True for names the watcher should look at (*.ojo, *.qlog, *.sqlog,
 * *.json). */
bool ojo_ingest_wants(const char *name);

typedef struct ojo_watch_opts {
	const char *const *input_dirs;
	size_t n_input_dirs;
	const char *db_path;
	bool once;		     /* ingest what is there, then return */
	int cleanup_days;	     /* < 0: keep raw files forever */
	volatile sig_atomic_t *stop; /* polled; set to end the watch */
	bool quiet;		     /* no per-file log lines */
	unsigned settle_ms;    /* a file written in place with no writer in
				  sight counts as complete once unchanged this
				  long; 0 = 1000 */
	unsigned open_wait_ms; /* the same for a file still open for writing
				  (or written with no close seen yet);
				  0 = 600000 */
} ojo_watch_opts;

/* Runs the watcher until *stop (or, with once, until the directories are
 * drained). Returns 0 or a negative code after printing the reason. */
int ojo_watch_run(const ojo_watch_opts *o);

#endif
