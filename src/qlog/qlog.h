/* qlog.h - qlog import (every serialization and draft in use) and export
 * (JSON-SEQ 0.3, as qvis loads it). Mapping: docs/QLOG.md. */
#ifndef OJO_QLOG_H
#define OJO_QLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ojo/events.h"
#include "store/store.h"

/* Event types the importer adds beside the built-in catalog (registered in
 * the store on import): what qlog says and Ojo's catalog has no slot for. */
enum {
	/* packet number space of the packet events at the same time, on the
	   connection flow (only for non-1RTT packets): enum qlog_space */
	QLOG_EV_PACKET_SPACE = OJO_EV_USER_BASE + 0x7100,
	/* MAX_DATA sent to the peer (limit we advertise), bytes */
	QLOG_EV_MAX_DATA_ADVERTISED = OJO_EV_USER_BASE + 0x7101,
	/* MAX_STREAM_DATA sent to the peer, on the stream flow, bytes */
	QLOG_EV_MAX_STREAM_DATA_ADVERTISED = OJO_EV_USER_BASE + 0x7102,
	/* size in bytes of the packet event at the same time, on the
	   connection flow (raw.length or header.packet_size), when known */
	QLOG_EV_PACKET_SIZE = OJO_EV_USER_BASE + 0x7103,
};

enum qlog_space {
	QLOG_SPACE_APP = 0, /* 1RTT and 0RTT */
	QLOG_SPACE_INITIAL = 1,
	QLOG_SPACE_HANDSHAKE = 2,
	QLOG_SPACE_0RTT = 3, /* same number space as 1RTT */
};

/* How many distinct unmapped event names a report counts one by one;
 * the rest are summed in unmapped_other. */
#define QLOG_MAX_NAMES 32

typedef struct qlog_name_count {
	char name[96];
	uint64_t n;
} qlog_name_count;

/* Per-import report; unmapped event names are counted, never dropped. */
typedef struct qlog_report {
	uint64_t events_total;	  /* qlog events read */
	uint64_t events_mapped;	  /* turned into Ojo events */
	uint64_t events_unmapped; /* kept as JSON in the side table */
	uint64_t ojo_events;	  /* Ojo events stored (one qlog event may give
				     several) */
	uint32_t traces, flows;
	bool truncated;	   /* input ended mid-record: kept what came before */
	char warning[256]; /* e.g. "truncated at byte 1234" */
	char format[32];   /* "json", "json-seq", "ndjson" */
	char version[64];  /* qlog_version / file_schema as found */
	/* additions (zeroed by qlog_import) */
	uint64_t bad_records; /* records that were not JSON, skipped */
	uint64_t malformed;   /* events without time or name, skipped */
	uint32_t n_unmapped_names;
	uint64_t unmapped_other; /* beyond QLOG_MAX_NAMES names */
	qlog_name_count unmapped[QLOG_MAX_NAMES];
} qlog_report;

/* True if the first bytes look like qlog (JSON object or RS-prefixed). */
bool qlog_sniff(const void *head, size_t n);

/* Imports one qlog file into s inside the caller's transaction. Returns 0
 * (rep filled, possibly with rep->truncated), or a negative code with a
 * reason in err (e.g. "not qlog: no qlog_version or file_schema"):
 * -EINVAL for a file that is not (valid) qlog, -EIO/-ENOMEM for reading
 * problems, the store's code when the database failed. */
int qlog_import(store *s, const char *path, qlog_report *rep, char *err,
		size_t errlen);

/* Same, from memory (fuzzing, tests); name identifies the trace. */
int qlog_import_mem(store *s, const char *name, const void *buf, size_t len,
		    qlog_report *rep, char *err, size_t errlen);

#endif
