/* ingest.h - turning trace files into store rows, exactly once.
 * Used by `ojo watch`, `ojo import` and `ojo demo`. */
#ifndef OJO_INGEST_H
#define OJO_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* What ingesting one file did; filled by ingest_file(). */
typedef struct ingest_result {
	store_file_status status; /* INGESTED or REJECTED (or UNKNOWN: skipped,
				   e.g. already ingested or not settled) */
	uint64_t events;	  /* events stored */
	uint64_t unmapped;	  /* qlog events kept only as JSON */
	char reason[256];	  /* why rejected, or a warning (e.g. "truncated
				     at byte N: kept the records before it") */
	bool unsettled;		  /* skipped because it ends mid-record and may
				     still be growing: try again later */
	bool changed; /* skipped: already ingested, but its size or mtime
			 differ from the ledger's (reason says how) */
} ingest_result;

/* Ingests one file (an Ojo batch or a qlog file, told apart by name and
 * content) in one transaction with its "ingested" mark. Returns 0 when the
 * file was handled (ingested, rejected or skipped: see res->status), or a
 * negative code when the database failed (nothing committed). */
int ingest_file(store *s, const char *path, ingest_result *res);

enum {
	/* The file is complete (renamed in, closed by its writer, or unchanged
	 * for the settle time), so damage at its end is final. Without it, a
	 * file ending inside its header or a record is left for later. */
	INGEST_SETTLED = 1,
};

/* ingest_file() with flags; ingest_file() is flags =
 * INGEST_SETTLED. */
int ingest_file_ex(store *s, const char *path, unsigned flags,
		   ingest_result *res);

/* True for names the watcher should look at (*.ojo, *.qlog, *.sqlog,
 * *.json). */
bool ingest_wants(const char *name);

#endif
