/* ingest_common.h - helpers shared by the ingestion tests (ingest_*.c). */
#ifndef OJO_TESTS_INGEST_COMMON_H
#define OJO_TESTS_INGEST_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "check_sql.h"
#include "ingest/ingest.h"

/* Little-endian loads from a block blob (docs/DATABASE.md). */
static inline uint64_t itest_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A well-spread 64-bit function of x (splitmix64's finalizer): test data
 * that is deterministic yet varied. */
static inline uint64_t itest_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* One `ojo watch --once` pass of dir into db, keeping every file;
 * settle_ms 0 is the default (1 s). */
static inline void itest_watch_once(const char *dir, const char *db,
				    unsigned settle_ms, bool quiet)
{
	const char *dirs[] = {dir};
	ojo_watch_opts o = {.input_dirs = dirs,
			    .n_input_dirs = 1,
			    .db_path = db,
			    .once = true,
			    .cleanup_days = -1,
			    .settle_ms = settle_ms,
			    .quiet = quiet};
	CHECK_EQ(ojo_watch_run(&o), 0);
}

#endif
