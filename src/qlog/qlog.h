/* qlog.h - qlog import (every serialization and draft in use) and export
 * (JSON-SEQ 0.3, as qvis loads it). Mapping: docs/QLOG.md. */
#ifndef OJO_QLOG_H
#define OJO_QLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Per-import report; unmapped event names are counted, never dropped. */
typedef struct ojo_qlog_report {
	uint64_t events_total;  /* qlog events read */
	uint64_t events_mapped; /* turned into Ojo events */
	uint64_t events_unmapped; /* kept as JSON in the side table */
	uint64_t ojo_events;    /* Ojo events stored (one qlog event may give
				   several) */
	uint32_t traces, flows;
	bool truncated;         /* input ended mid-record: kept what came before */
	char warning[256];      /* e.g. "truncated at byte 1234" */
	char format[32];        /* "json", "json-seq", "ndjson" */
	char version[32];       /* qlog_version / file_schema as found */
} ojo_qlog_report;

/* True if the first bytes look like qlog (JSON object or RS-prefixed). */
bool ojo_qlog_sniff(const void *head, size_t n);

/* Imports one qlog file into s inside the caller's transaction. Returns 0
 * (rep filled, possibly with rep->truncated), or a negative code with a
 * reason in err (e.g. "not qlog: no qlog_version or file_schema"). */
int ojo_qlog_import(ojo_store *s, const char *path, ojo_qlog_report *rep,
		    char *err, size_t errlen);

#endif
