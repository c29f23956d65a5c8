/* ingest_common.h - helpers shared by the ingestion tests (ingest_*.c). */
#ifndef OJO_TESTS_INGEST_COMMON_H
#define OJO_TESTS_INGEST_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "check_sql.h"
#include "ingest/ingest.h"
#include "watch/watch.h"
#include "ojo/ojo.h"

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
	watch_opts o = {.input_dirs = dirs,
			.n_input_dirs = 1,
			.db_path = db,
			.once = true,
			.cleanup_days = -1,
			.settle_ms = settle_ms,
			.quiet = quiet};
	CHECK_EQ(watch_run(&o), 0);
}

/* Writes `files` batches of `per_file` packet_sent events (payload = a
 * running count, flows 1..flows) with libojo into dir/output, one flush
 * each; paths[f] (PATH_LEN bytes each, may be NULL) receives batch f's
 * path. Returns the number of events. */
enum { ITEST_PATH_LEN = 700 };
static inline uint64_t itest_write_batches(const char *dir, int files,
					   int per_file, uint32_t flows,
					   char (*paths)[ITEST_PATH_LEN])
{
	ojo_config cfg;
	ojo_tracer *t;
	uint64_t n = 0;

	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	cfg.buffer_size = (size_t)per_file * 24 * 4;
	cfg.flush_interval_ms = 600000; /* batches only where we flush */
	CHECK(ojo_tracer_open(&cfg, &t) == 0);
	const char *name = ojo_tracer_name(t);
	for (int f = 0; f < files; f++) {
		for (int i = 0; i < per_file; i++, n++)
			CHECK(ojo_record_now(t, 1 + (uint32_t)(n % flows),
					     OJO_EV_PACKET_SENT, n) == 0);
		CHECK(ojo_tracer_flush(t) == 0);
		if (paths)
			snprintf(paths[f], ITEST_PATH_LEN,
				 "%s/output/%s-%08d.ojo", dir, name, f + 1);
	}
	CHECK(ojo_tracer_close(t) == 0);
	return n;
}

#endif
