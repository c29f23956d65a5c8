/* sq_schema.h - the SQLite schema of an Ojo database (docs/DATABASE.md). */
#ifndef OJO_SQ_SCHEMA_H
#define OJO_SQ_SCHEMA_H

#include <stddef.h>

/* Bumped whenever the layout changes; stored in PRAGMA user_version. */
#define SQ_SCHEMA_VERSION 3

/* "OJO1" in PRAGMA application_id: marks a database as ours, so a foreign
 * SQLite file is refused instead of getting our tables added to it. */
#define SQ_APPLICATION_ID 0x4f4a4f31

/* Events per block: bounds the memory of a block and the work of a
 * time-window query that only partly overlaps one. */
#define SQ_BLOCK_MAX_EVENTS 4096

/* Bytes per event inside blocks.data: i64 time_ns, u64 payload, LE. */
#define SQ_BLOCK_EVENT_SIZE 16

/* One upgrade step: SQL turning layout version `from` into from + 1. */
typedef struct sq_schema_step {
	int from;
	const char *sql;
} sq_schema_step;

/* Upgrade steps in order; a new database runs all of them after
 * sq_schema_v1_sql. */
extern const sq_schema_step sq_schema_steps[];
extern const size_t sq_schema_n_steps;

/* The layout of version 1, the base every database starts from (tests
 * also use it to build an old database). */
extern const char sq_schema_v1_sql[];

#endif
