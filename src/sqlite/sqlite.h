/* sqlite.h - the SQLite backend of the store (store/store.h): a database
 * in one file, the default. */
#ifndef OJO_SQLITE_H
#define OJO_SQLITE_H

#include "store/store_backend.h"

extern const store_ops sq_ops;

struct sqlite3;
/* The SQLite connection behind s, for tests that look at the file itself
 * (the writer's, or a read-only one opened on demand); NULL when s is not
 * a SQLite store or the connection cannot be opened. Owned by s. */
struct sqlite3 *sq_store_sqlite(store *s);
/* Writes what s has buffered into its open transaction, uncommitted (tests
 * of isolation). */
int sq_store_flush(store *s);

#endif
