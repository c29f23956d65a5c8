/* internal.h - the tracer's state, shared by tracer.c, flusher.c and
 * schema_file.c. Not installed. */
#ifndef OJO_LIB_INTERNAL_H
#define OJO_LIB_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ojo/format.h"
#include "ojo/ojo.h"
#include "ring.h"

/* Symbols of the public API; the library builds with hidden visibility. */
#define OJO_API __attribute__((visibility("default")))

#define OJO_TICK_MS 2 /* flusher poll period: writers never wake it */

struct ojo_tracer {
	uint32_t id;		/* per-process sequence, never reused */
	uint64_t open_mono_ns;	/* CLOCK_MONOTONIC at open */
	uint64_t open_epoch_ns; /* CLOCK_REALTIME at open */
	uint32_t nrings;	/* private rings */
	struct ojo_ring *rings; /* nrings private + 1 shared (last) */
	pthread_key_t key;	/* releases a thread's ring at its exit */
	char *dir, *staging_dir, *output_dir;
	char name[64]; /* trace name, see ojo_tracer_name() */
	uint64_t schema_id;
	uint32_t flush_interval_ms;
	ojo_error_fn on_error;
	void *on_error_user;

	/* batch buffer: flusher only */
	ojo_file_record *batch;
	size_t batch_cap, batch_n;
	uint64_t batch_first_mono; /* when the oldest buffered record came in */
	uint64_t batch_seq;	   /* last batch number used */
	uint64_t drops_reported;   /* dropped events already in a file */
	int dirs_missing;	   /* recreate staging/output before writing */

	/* counters written by the flusher, read by stats */
	_Atomic uint64_t write_lost; /* events lost to write errors */
	_Atomic uint64_t files_written, bytes_written, write_errors;
	_Atomic int last_error;

	/* flusher control, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* wakes the flusher */
	pthread_cond_t done_cv; /* wakes ojo_tracer_flush() callers */
	uint64_t flush_req, flush_done;
	int stopping;
	pthread_t thread;
};

uint64_t ojo__mono_ns(void);

/* Flusher thread body (flusher.c). */
void *ojo__flusher_main(void *arg);

/* Writes cfg->schema_json as output/schema-<id>.json; sets t->schema_id. */
int ojo__schema_write(struct ojo_tracer *t, const char *json);

/* Creates staging/ and output/ under t->dir (each may exist already). */
int ojo__make_dirs(const struct ojo_tracer *t);

/* Writes len bytes to a new file staging/<tmpname>, fsyncs it and renames
 * it to output/<final>. On failure nothing is left in staging/. */
int ojo__publish_file(struct ojo_tracer *t, const char *final, const void *a,
		      size_t alen, const void *b, size_t blen);

#endif
