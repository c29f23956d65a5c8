/* watch_int.h - the state of one `ojo watch` run, shared by
 * watch.c (loop), watch_tree.c (directories, inotify) and watch_util.c. */
#ifndef OJO_WATCH_INT_H
#define OJO_WATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ingest/ingest.h"
#include "watch/watch.h"

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
	int64_t checked_ms; /* monotonic time of the last writer look-up */
	bool writing; /* inotify saw it created or modified; no close yet */
	pid_t writer; /* a process that held it open for writing, or 0 */
} watch_pending;

/* A regular file some process holds open for writing. */
typedef struct watch_writer {
	dev_t dev;
	ino_t ino;
	pid_t pid;
} watch_writer;

/* Every such file, sorted by (dev, ino), as of at_ms. */
typedef struct watch_writers {
	watch_writer *v;
	size_t n, cap;
	int64_t at_ms;
	bool valid;
} watch_writers;

/* How the watcher came upon a file. */
typedef enum watch_arrival {
	WATCH_LISTED,  /* in a directory listing: writer unknown */
	WATCH_WRITING, /* IN_CREATE / IN_MODIFY: a writer is at work */
	WATCH_DONE,    /* IN_CLOSE_WRITE / IN_MOVED_TO: complete */
} watch_arrival;

/* A growable list of strings (scan results). */
typedef struct watch_list {
	char **v;
	size_t n, cap;
} watch_list;

typedef struct watcher {
	const watch_opts *o;
	store *s;
	int ifd; /* inotify, or -1 */
	unsigned settle_ms;
	unsigned open_wait_ms; /* settle time of files open for writing */
	watch_dir *dirs;
	size_t n_dirs, cap_dirs;
	bool *root_present; /* per input dir */
	watch_pending *pend;
	size_t n_pend, cap_pend;
	watch_writers writers; /* the last /proc pass */
	watch_list warned;     /* files already reported as changed */
	int db_failures;       /* in a row */
	uint64_t n_files, n_rejected, n_events;
} watcher;

/* ---- watch.c ---- */

/* Ingests path now (it is complete) and logs it. Returns a negative code
 * only when the database keeps failing. */
int watch_take(watcher *w, const char *path);
bool watch_stopping(const watcher *w);

/* ---- watch_pend.c: when a file written in place is complete ---- */

/* Ingests path now if it is complete, else queues it. Returns a negative
 * code only when the database keeps failing. */
int watch_handle_file(watcher *w, const char *path, watch_arrival how);
/* Takes the queued files that have become complete. */
int watch_pend_check(watcher *w);
/* Queues path to be tried again after the settle time (database
 * failure). */
void watch_pend_again(watcher *w, const char *path);
/* The queued files' writers are unknown again (inotify lost events). */
void watch_pend_forget_writing(watcher *w);
/* Logs the files still queued as left for the next run, frees them. */
void watch_pend_free(watcher *w);

/* ---- watch_proc.c ---- */

/* Lists the regular files open for writing in the processes /proc lets
 * us see (all as root, our user's otherwise). */
int watch_writers_scan(watch_writers *ws);
/* A process holding st's file open for writing (from a pass at most
 * 200 ms old), or 0. */
pid_t watch_writer_of(watcher *w, const struct stat *st);
void watch_writers_free(watch_writers *ws);

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
		    const ingest_result *res);
/* Adds path to w->warned; false if it was there (warn once per run). */
bool watch_warn_once(watcher *w, const char *path);

#endif
