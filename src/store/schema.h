/* schema.h - the SQLite schema of an Ojo database (docs/DATABASE.md). */
#ifndef OJO_STORE_SCHEMA_H
#define OJO_STORE_SCHEMA_H

/* Bumped whenever the layout changes; stored in PRAGMA user_version. */
#define OJO_SCHEMA_VERSION 1

/* Events per block: bounds the memory of a block and the work of a
 * time-window query that only partly overlaps one. */
#define OJO_BLOCK_MAX_EVENTS 4096

/* Bytes per event inside blocks.data: i64 time_ns, u64 payload, LE. */
#define OJO_BLOCK_EVENT_SIZE 16

/* SQL creating every table and index of OJO_SCHEMA_VERSION. */
extern const char ojo_schema_sql[];

#endif
