/* watch_internal.h - the state of one `ojo watch` run, shared by
 * watch.c (loop), watch_tree.c (directories, inotify) and watch_util.c. */
#ifndef OJO_WATCH_INTERNAL_H
#define OJO_WATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ingest/ingest.h"

typedef struct watch_dir {
	int wd;	    /* inotify watch, -1 without inotify (--once) */
	char *path; /* as reached from an input dir */
} watch_dir;

/* A file written in place that is not known to be complete yet. */
typedef struct watch_pending {
	char *path;
	off_t size;
	int64_t mtime_ns;
	int64_t
	    seen_ms; /* monotonic time size/mtime were last seen to change */
} watch_pending;

/* A growable list of strings (scan results). */
typedef struct watch_list {
	char **v;
	size_t n, cap;
} watch_list;

typedef struct watcher {
	const ojo_watch_opts *o;
	ojo_store *s;
	int ifd; /* inotify, or -1 */
	unsigned settle_ms;
	watch_dir *dirs;
	size_t n_dirs, cap_dirs;
	bool *root_present; /* per input dir */
	watch_pending *pend;
	size_t n_pend, cap_pend;
	int db_failures; /* in a row */
	uint64_t n_files, n_rejected, n_events;
} watcher;

/* ---- watch_tree.c ---- */

/* Adds inotify watches on dir and its subdirectories (not staging/ or
 * hidden ones) and appends the files there the watcher wants, sorted by
 * name, to out. A missing dir gives -ENOENT. */
int watch_tree_add(watcher *w, const char *dir, watch_list *out);
/* The path of the directory behind an inotify watch, or NULL. */
const char *watch_tree_path(const watcher *w, int wd);
/* Forgets a watch the kernel removed (IN_IGNORED). */
void watch_tree_forget(watcher *w, int wd);
/* True for subdirectory names the watcher never enters. */
bool watch_tree_skip_dir(const char *name);
void watch_tree_free(watcher *w);

/* ---- watch_util.c ---- */

int64_t watch_now_ms(void); /* monotonic */
int64_t watch_wall_ns(void);
int watch_list_add(watch_list *l, const char *s);
void watch_list_free(watch_list *l);

/* Takes the exclusive lock of db_path ("<db>.lock"); on failure prints
 * the reason and returns a negative code. *fd keeps the lock. */
int watch_lock(const char *db_path, int *fd);

/* Deletes files under the input dirs older than o->cleanup_days that the
 * ledger marks ingested (never rejected or unknown ones). */
void watch_cleanup(watcher *w);

/* Prints the one log line about a file. */
void watch_log_file(const watcher *w, const char *path,
		    const ojo_ingest_result *res);

#endif
