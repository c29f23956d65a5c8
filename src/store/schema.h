/* schema.h - the SQLite schema of an Ojo database (docs/DATABASE.md). */
#ifndef OJO_STORE_SCHEMA_H
#define OJO_STORE_SCHEMA_H

#include <stddef.h>

/* Bumped whenever the layout changes; stored in PRAGMA user_version. */
#define OJO_SCHEMA_VERSION 3

/* Events per block: bounds the memory of a block and the work of a
 * time-window query that only partly overlaps one. */
#define OJO_BLOCK_MAX_EVENTS 4096

/* Bytes per event inside blocks.data: i64 time_ns, u64 payload, LE. */
#define OJO_BLOCK_EVENT_SIZE 16

/* One upgrade step: SQL turning layout version `from` into from + 1. */
typedef struct ojo_schema_step {
	int from;
	const char *sql;
} ojo_schema_step;

/* Upgrade steps in order; a new database runs all of them after
 * ojo_schema_v1_sql. */
extern const ojo_schema_step ojo_schema_steps[];
extern const size_t ojo_schema_n_steps;

/* The layout of version 1, the base every database starts from (tests
 * also use it to build an old database). */
extern const char ojo_schema_v1_sql[];

#endif
