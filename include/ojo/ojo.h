/* ojo.h - libojo, a lock-free recorder of transport-protocol events.
 *
 * A tracer owns an in-memory ring per writer thread and one background
 * flusher thread that writes batches to <output_dir>/staging/ and renames
 * each finished file into <output_dir>/output/ (see docs/FORMAT.md).
 *
 * Every function returning int returns 0 on success or a negative
 * errno-style code (-EINVAL, -ENOMEM, ... or one of the OJO_E* codes
 * below); ojo_strerror() turns any of them into text. */
#ifndef OJO_OJO_H
#define OJO_OJO_H

#include <stddef.h>
#include <stdint.h>

#include "ojo/events.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OJO_VERSION_STRING "0.1.0"

/* Codes beyond errno's range, returned negated like errno codes. */
enum {
	OJO_EDROPPED = 2001,  /* ring full: the event was dropped and counted */
	OJO_EBADMAGIC = 2002, /* file does not start with the Ojo magic */
	OJO_EVERSION = 2003,  /* file format version this library cannot read */
	OJO_ETRUNCATED = 2004, /* file ends inside the header or a record */
	OJO_ECLOSED = 2005,    /* tracer is closing */
};

/* Text for a code returned by any ojo_* function (negative or positive).
 * Returns a static string; never NULL. */
const char *ojo_strerror(int code);

typedef struct ojo_tracer ojo_tracer;

/* One event as the caller hands it over. timestamp_ns counts nanoseconds
 * since the tracer was opened (ojo_now_ns() gives the current value). */
typedef struct ojo_event {
	uint64_t timestamp_ns;
	uint32_t flow_id;
	uint32_t event_type; /* OJO_EV_* or a user type >= OJO_EV_USER_BASE */
	uint64_t payload;    /* meaning depends on event_type, see events.h */
} ojo_event;

/* Called from the flusher thread when writing a batch fails (disk full,
 * directory removed, ...). err is a negative errno code, path the file
 * concerned, lost the number of events counted as dropped because of it.
 * Must not call back into the tracer. */
typedef void (*ojo_error_fn)(void *user, int err, const char *path,
			     uint64_t lost);

typedef struct ojo_config {
	const char *output_dir; /* traces go to output_dir/{staging,output} */
	size_t buffer_size;	/* bytes of ring memory per writer thread:
				   32 bytes per event, rounded down to a
				   power of two of events, at least 64 */
	uint32_t flush_interval_ms; /* longest time an event waits in memory */
	uint32_t max_writers; /* threads with a private ring; more share one */
	/* Optional description of user event types (>= OJO_EV_USER_BASE) for
	 * readers: JSON text, an array of objects
	 *   {"type": 65536, "name": "app_tick", "category": "app",
	 *    "description": "timer fired", "payload_kind": "count",
	 *    "unit": ""}
	 * where payload_kind is an ojo_payload_kind_name() ("none", "count",
	 * "bytes", "duration_ns", "range", "flow", "enum", "retrans", "rate").
	 * Written once at open to output/schema-<id>.json, id = FNV-1a 64 of
	 * the text (never 0), which every file header then carries. The
	 * library checks only that the text starts with '[' or '{' (else
	 * -EINVAL); readers validate the rest. */
	const char *schema_json;
	ojo_error_fn on_error; /* optional; default logs to stderr */
	void *on_error_user;
} ojo_config;

/* Fills cfg with defaults: output_dir "./traces", 1 MiB per writer,
 * 100 ms flush interval, 16 private rings, no schema, stderr logging.
 * Memory: (max_writers + 1) rings of buffer_size bytes (32 bytes per
 * event), plus a batch buffer of 24 bytes per slot of all rings (at least
 * 1.5 MiB), all allocated at open: about 30 MiB with the defaults. */
void ojo_config_init(ojo_config *cfg);

/* Creates <output_dir>/staging and <output_dir>/output, allocates every
 * ring and starts the flusher. An unusable directory fails here (e.g.
 * -ENOTDIR for a file in the way, -EACCES, -EROFS) and nothing is left
 * running. cfg and its strings are copied or used up here; on_error_user
 * is kept. On success the caller owns *out: release it with
 * ojo_tracer_close(). The tracer does not survive fork() in the child. */
int ojo_tracer_open(const ojo_config *cfg, ojo_tracer **out);

/* Records one event (copied; ev is not kept). Lock-free, no system call,
 * no allocation; safe from any number of threads. Returns -OJO_EDROPPED
 * when the ring is full (the event is counted as dropped and reported in
 * the next batch). A thread's first call on a tracer claims a private ring
 * (or, when all max_writers are taken, uses the shared one) and registers
 * its release at thread exit (pthread_setspecific, which may allocate
 * once); every later call keeps the promise above. */
int ojo_record(ojo_tracer *t, const ojo_event *ev);

/* Like ojo_record() but stamps the event with ojo_now_ns(t), for callers
 * without a clock of their own (costs one vDSO clock read). */
int ojo_record_now(ojo_tracer *t, uint32_t flow_id, uint32_t event_type,
		   uint64_t payload);

/* Nanoseconds since the tracer was opened (CLOCK_MONOTONIC, via vDSO). */
uint64_t ojo_now_ns(const ojo_tracer *t);

/* Blocks until every event recorded before the call is in output/.
 * Returns the first write error met meanwhile, if any. */
int ojo_tracer_flush(ojo_tracer *t);

/* Final flush, stops the flusher, frees everything. Accepts NULL. No
 * thread may call ojo_record() on t, or exit after having recorded on t,
 * during this call; none may use t after it. Returns the first write error
 * of the final flush, if any. */
int ojo_tracer_close(ojo_tracer *t);

typedef struct ojo_stats {
	uint64_t events_recorded; /* accepted into a ring */
	uint64_t events_dropped;  /* ring full, or lost to a write error */
	uint64_t files_written;	  /* renamed into output/ */
	uint64_t bytes_written;
	uint64_t write_errors;
} ojo_stats;

/* Snapshot of the counters, for monitoring losses; cheap, callable from
 * any thread (all zero for NULL). */
void ojo_tracer_stats(const ojo_tracer *t, ojo_stats *out);

/* The trace name shared by every file this tracer writes (see FORMAT.md),
 * so callers can find its files; owned by the tracer, valid until close. */
const char *ojo_tracer_name(const ojo_tracer *t);

#ifdef __cplusplus
}
#endif
#endif
