/* ingest_int.h - what the parts of src/ingest share. */
#ifndef OJO_INGEST_INT_H
#define OJO_INGEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "ingest/ingest.h"

/* One file being ingested. */
typedef struct ingest_ctx {
	store *s;
	const char *path; /* absolute, symlinks resolved: the ledger key */
	struct stat st;
	unsigned flags; /* OJO_INGEST_* */
	ingest_result *res;
} ingest_ctx;

/* Per kind of input. Each runs its own transaction(s) and returns 0 when
 * the file was handled (see c->res) or a negative code when the database
 * failed and nothing was committed. */
int ingest_ojo(ingest_ctx *c);
int ingest_qlog(ingest_ctx *c);
int ingest_schema_file(ingest_ctx *c);

/* Registers the event types of a schema-*.json file inside the caller's
 * transaction. A file that is not a valid schema gives -EINVAL and the
 * reason in err; nothing is registered then. */
int ingest_schema_register(store *s, const char *path, char *err,
			   size_t errlen);

/* True for "schema-*.json". */
bool ingest_is_schema_name(const char *base);

/* Fills the fields of fi every kind of file shares. */
void ingest_file_info(const ingest_ctx *c, store_file_info *fi,
		      const char *format);

/* Starts the file's transaction and checks the ledger again under the
 * write lock, so a file another writer (ojo import, a second database
 * handle) committed since the first check is not stored twice. Returns 0
 * (transaction open), 1 (already handled: nothing open, c->res says
 * skipped) or a negative code. */
int ingest_begin(ingest_ctx *c);

/* Records c->path as rejected (format, reason) in its own transaction. */
int ingest_reject(ingest_ctx *c, const char *format, const char *reason);

/* After a failed store call inside the file's transaction: rolls back and
 * returns rc, unless another writer committed the same file meanwhile
 * (then 0, with the file reported as skipped). */
int ingest_fail(ingest_ctx *c, int rc);

#endif
