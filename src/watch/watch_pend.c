/* watch_pend.c - when a file written in place is complete.
 *
 * A file is complete when it arrives by rename (IN_MOVED_TO) or its writer
 * closes it (IN_CLOSE_WRITE). Until then it waits in w->pend:
 * - one inotify saw being created or modified (IN_CREATE, IN_MODIFY) waits
 *   for that close; only a writer that never closes it (or a lost close
 *   event) is overtaken, once the file has not changed for open_wait_ms;
 * - one found by listing a directory (start, a new subdirectory, a queue
 *   overflow) has a writer the watcher did not see: it is complete once
 *   unchanged for settle_ms while no process holds it open for writing
 *   (watch_proc.c), or unchanged for open_wait_ms if one still does.
 * --once cannot wait for a close: a file still open for writing there is
 * waited for while it changes, and left for the next run once it has been
 * idle for the settle time. Files still queued when the watcher stops are
 * left for the next run too; the ledger never sees them. */
#include "watch/watch_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RECHECK_WRITER_MS = 500 };

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static watch_pending *pend_find(watcher *w, const char *path)
{
	for (size_t i = 0; i < w->n_pend; i++)
		if (!strcmp(w->pend[i].path, path))
			return &w->pend[i];
	return NULL;
}

static void pend_add(watcher *w, const char *path, const struct stat *st,
		     bool writing, pid_t writer)
{
	if (w->n_pend == w->cap_pend) {
		size_t cap = w->cap_pend ? w->cap_pend * 2 : 16;
		watch_pending *p = realloc(w->pend, cap * sizeof(*p));
		if (!p)
			return; /* found again by the next event or listing */
		w->pend = p;
		w->cap_pend = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return;
	int64_t now = watch_now_ms();
	w->pend[w->n_pend++] = (watch_pending){
	    .path = copy,
	    .size = st->st_size,
	    .mtime_ns = mtime_ns(st),
	    .seen_ms = now,
	    .checked_ms = now,
	    .writing = writing,
	    .writer = writer,
	};
}

/* Drops entry i; the caller owns its path from then on. */
static char *pend_take(watcher *w, size_t i)
{
	char *path = w->pend[i].path;
	w->pend[i] = w->pend[--w->n_pend];
	return path;
}

/* In the ledger already? Then it is never read again; if it changed
 * since, watch_take() says so (once per run). */
static bool known(watcher *w, const char *path, const struct stat *st)
{
	char abs[PATH_MAX];
	store_file_status fs = STORE_FILE_UNKNOWN;
	int64_t size = 0, mtime = 0;

	for (size_t i = 0; i < w->warned.n; i++)
		if (!strcmp(w->warned.v[i], path))
			return true;
	if (!realpath(path, abs) ||
	    store_file_get(w->s, abs, &fs, &size, &mtime) != 0 ||
	    fs == STORE_FILE_UNKNOWN)
		return false;
	if (size != st->st_size || mtime_ns(st) > mtime)
		watch_take(w, path);
	return true;
}

static void log_left(const char *path, pid_t writer)
{
	if (writer)
		fprintf(stderr,
			"ojo: watch: %s: still open for writing (pid %ld); "
			"left for the next run\n",
			path, (long)writer);
	else
		fprintf(stderr,
			"ojo: watch: %s: still being written; left for the "
			"next run\n",
			path);
}

int watch_handle_file(watcher *w, const char *path, watch_arrival how)
{
	watch_pending *p = pend_find(w, path);
	struct stat st;
	int64_t age;

	if (how == WATCH_DONE) {
		if (p)
			free(pend_take(w, (size_t)(p - w->pend)));
		return watch_take(w, path);
	}
	if (p) {
		p->writing |= how == WATCH_WRITING;
		return 0; /* size and mtime: watch_pend_check() */
	}
	if (stat(path, &st) != 0 || known(w, path, &st))
		return 0;
	if (how == WATCH_WRITING) {
		pend_add(w, path, &st, true, 0);
		return 0;
	}
	age = (watch_wall_ns() - mtime_ns(&st)) / 1000000;
	if (age >= w->open_wait_ms)
		return watch_take(w, path);
	if (age < w->settle_ms) {
		pend_add(w, path, &st, false, 0);
		return 0;
	}
	pid_t writer = watch_writer_of(w, &st);
	if (!writer)
		return watch_take(w, path);
	if (w->o->once) {
		log_left(path, writer);
		return 0;
	}
	pend_add(w, path, &st, false, writer);
	return 0;
}

/* Pending entry p has been unchanged for quiet_ms: is that enough? */
static bool settled(watcher *w, watch_pending *p, const struct stat *st,
		    int64_t quiet_ms, int64_t now)
{
	if (quiet_ms < w->settle_ms)
		return false;
	if (quiet_ms >= w->open_wait_ms)
		return true;
	if (p->writing)
		return false; /* its close is still to come */
	if (!p->writer || now - p->checked_ms >= RECHECK_WRITER_MS) {
		p->writer = watch_writer_of(w, st);
		p->checked_ms = now;
	}
	return !p->writer;
}

int watch_pend_check(watcher *w)
{
	int64_t now = watch_now_ms(), wall = watch_wall_ns();
	size_t i = 0;
	int rc = 0;

	while (i < w->n_pend && rc == 0 && !watch_stopping(w)) {
		watch_pending *p = &w->pend[i];
		struct stat st;
		if (stat(p->path, &st) != 0) {
			free(pend_take(w, i));
			continue;
		}
		if (st.st_size != p->size || mtime_ns(&st) != p->mtime_ns) {
			p->size = st.st_size;
			p->mtime_ns = mtime_ns(&st);
			p->seen_ms = now;
			i++;
			continue;
		}
		int64_t quiet = now - p->seen_ms,
			age = (wall - p->mtime_ns) / 1000000;
		if (age < quiet)
			quiet = age;
		if (settled(w, p, &st, quiet, now)) {
			if (p->writing || p->writer)
				fprintf(stderr,
					"ojo: watch: %s: unchanged for %lld s "
					"but %s; taking it as complete\n",
					p->path, (long long)quiet / 1000,
					p->writer
					    ? "still open for writing"
					    : "never closed by its writer");
			char *path = pend_take(w, i);
			rc = watch_take(w, path);
			free(path);
			continue;
		}
		if (w->o->once && p->writer && quiet >= w->settle_ms) {
			log_left(p->path, p->writer);
			free(pend_take(w, i));
			continue;
		}
		i++;
	}
	return rc;
}

void watch_pend_again(watcher *w, const char *path)
{
	struct stat st;
	if (!pend_find(w, path) && stat(path, &st) == 0)
		pend_add(w, path, &st, false, 0);
}

void watch_pend_forget_writing(watcher *w)
{
	for (size_t i = 0; i < w->n_pend; i++)
		w->pend[i].writing = false;
}

void watch_pend_free(watcher *w)
{
	for (size_t i = 0; i < w->n_pend; i++) {
		log_left(w->pend[i].path, w->pend[i].writer);
		free(w->pend[i].path);
	}
	free(w->pend);
	w->pend = NULL;
	w->n_pend = w->cap_pend = 0;
}
