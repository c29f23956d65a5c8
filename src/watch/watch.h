/* watch.h - `ojo watch`: every trace file that appears in the input
 * directories into the database, exactly once, live. */
#ifndef OJO_WATCH_H
#define OJO_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct watch_opts {
	const char *const *input_dirs;
	size_t n_input_dirs;
	const char *db_path;
	bool once;		     /* ingest what is there, then return */
	int cleanup_days;	     /* < 0: keep raw files forever */
	volatile sig_atomic_t *stop; /* polled; set to end the watch */
	bool quiet;		     /* no per-file log lines */
	unsigned settle_ms;    /* a file written in place with no writer in
				  sight counts as complete once unchanged this
				  long; 0 = 1000 */
	unsigned open_wait_ms; /* the same for a file still open for writing
				  (or written with no close seen yet);
				  0 = 600000 */
} watch_opts;

/* Runs the watcher until *stop (or, with once, until the directories are
 * drained). Returns 0 or a negative code after printing the reason. */
int watch_run(const watch_opts *o);

#endif
