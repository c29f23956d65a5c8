/* store_common.h - helpers shared by the store tests (tests/store_*.c). */
#ifndef OJO_TESTS_STORE_COMMON_H
#define OJO_TESTS_STORE_COMMON_H

#include <stdint.h>

#include "check.h"
#include "check_sql.h"
#include "sqlite/sq_schema.h"
#include "sqlite/sqlite.h"
#include "store/store.h"

#define CHECK_OK(s, call)                                                      \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_) {                                                     \
			check_failed(__FILE__, __LINE__, "%s = %d: %s", #call, \
				     rc_, store_errmsg(s));                    \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* Opens the store at db in mode (OJO_STORE_*); failing ends the test. */
static inline store *open_ok(const char *db, int mode)
{
	store *s;
	char err[512];
	int rc = store_open_db(db, mode, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "open %s: %d %s\n", db, rc, err);
		exit(1);
	}
	return s;
}

/* Begins a write transaction on s; returns the id of trace name in it. */
static inline int64_t begin_trace(store *s, const char *name)
{
	CHECK_OK(s, store_begin(s));
	store_trace_info ti = {.name = name};
	int64_t tid;
	CHECK_OK(s, store_trace(s, &ti, &tid));
	return tid;
}

/* One integer from a query on the store's own connection (events vtab
 * registered); fails the test on error or no row. */
static inline int64_t q_int(store *s, const char *sql)
{
	return test_sql_int(sq_store_sqlite(s), sql);
}

/* Small deterministic PRNG (xorshift64*). */
static inline uint64_t rnd(uint64_t *st)
{
	uint64_t x = *st;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * UINT64_C(2685821657736338717);
}

#endif
