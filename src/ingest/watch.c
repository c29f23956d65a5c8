/* watch.c - `ojo watch`: every trace file in the input directories into
 * the database, exactly once, then live as files arrive.
 *
 * When is a file complete? libojo renames finished batches into output/,
 * so a file that arrives by rename (IN_MOVED_TO) or whose writer closed it
 * (IN_CLOSE_WRITE) is taken at once. A file found by listing a directory
 * may still be written in place: it is taken once its mtime is settle_ms
 * old and its size stopped changing, and until then kept in w->pend. */
#include "ingest/watch_internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

enum {
	TICK_MS = 50,	     /* poll timeout: pending files, missing dirs */
	MAX_DB_FAILURES = 3, /* in a row, before giving up */
	CLEANUP_EVERY_MS = 600000,
};

static bool stopping(const watcher *w)
{
	return w->o->stop && *w->o->stop;
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void pend_add(watcher *w, const char *path, const struct stat *st)
{
	for (size_t i = 0; i < w->n_pend; i++)
		if (!strcmp(w->pend[i].path, path))
			return;
	if (w->n_pend == w->cap_pend) {
		size_t cap = w->cap_pend ? w->cap_pend * 2 : 16;
		watch_pending *p = realloc(w->pend, cap * sizeof(*p));
		if (!p)
			return; /* found again by the next listing */
		w->pend = p;
		w->cap_pend = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return;
	w->pend[w->n_pend++] = (watch_pending){
	    .path = copy,
	    .size = st->st_size,
	    .mtime_ns = mtime_ns(st),
	    .seen_ms = watch_now_ms(),
	};
}

static void pend_remove(watcher *w, const char *path)
{
	for (size_t i = 0; i < w->n_pend; i++)
		if (!strcmp(w->pend[i].path, path)) {
			free(w->pend[i].path);
			w->pend[i] = w->pend[--w->n_pend];
			return;
		}
}

/* Already in the ledger? Saves a settle wait for files seen before. */
static bool known(watcher *w, const char *path)
{
	char abs[PATH_MAX];
	ojo_file_status fs = OJO_FILE_UNKNOWN;
	return realpath(path, abs) &&
	       ojo_store_file_status(w->s, abs, &fs) == 0 &&
	       fs != OJO_FILE_UNKNOWN;
}

/* Ingests path now if it is complete, else queues it. Returns a negative
 * code only when the database keeps failing. */
static int handle_file(watcher *w, const char *path, bool complete)
{
	ojo_ingest_result res;
	struct stat st;
	int rc;

	if (stat(path, &st) != 0)
		return 0; /* gone again */
	if (!complete) {
		if (known(w, path))
			return 0;
		if (watch_wall_ns() - mtime_ns(&st) <
		    (int64_t)w->settle_ms * 1000000) {
			pend_add(w, path, &st);
			return 0;
		}
	}
	rc = ojo_ingest_file_ex(w->s, path, OJO_INGEST_SETTLED, &res);
	if (rc < 0) {
		cli_error("watch", path, "%s", res.reason);
		if (++w->db_failures >= MAX_DB_FAILURES) {
			cli_error("watch", w->o->db_path,
				  "giving up after %d database failures",
				  w->db_failures);
			return rc;
		}
		pend_add(w, path, &st); /* retried after the settle time */
		return 0;
	}
	w->db_failures = 0;
	pend_remove(w, path);
	if (res.status == OJO_FILE_INGESTED) {
		w->n_files++;
		w->n_events += res.events;
	} else if (res.status == OJO_FILE_REJECTED) {
		w->n_rejected++;
	}
	watch_log_file(w, path, &res);
	return 0;
}

/* Handles a listing's files in order, with a progress line on a tty. */
static int handle_list(watcher *w, const watch_list *l)
{
	bool progress = cli_progress_enabled() && !w->o->quiet && l->n > 1;
	int rc = 0;

	for (size_t i = 0; i < l->n && rc == 0 && !stopping(w); i++) {
		if (progress)
			fputs("\r\033[K", stderr);
		rc = handle_file(w, l->v[i], false);
		if (progress)
			fprintf(stderr, "ojo: watch: %zu/%zu files", i + 1,
				l->n);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	return rc;
}

/* Takes the pending files that have settled. */
static int check_pending(watcher *w)
{
	int64_t now = watch_now_ms(), wall = watch_wall_ns();
	size_t i = 0;
	int rc = 0;

	while (i < w->n_pend && rc == 0 && !stopping(w)) {
		watch_pending *p = &w->pend[i];
		struct stat st;
		if (stat(p->path, &st) != 0) {
			free(p->path);
			*p = w->pend[--w->n_pend];
			continue;
		}
		if (st.st_size != p->size || mtime_ns(&st) != p->mtime_ns) {
			p->size = st.st_size;
			p->mtime_ns = mtime_ns(&st);
			p->seen_ms = now;
		} else if (now - p->seen_ms >= w->settle_ms &&
			   wall - p->mtime_ns >=
			       (int64_t)w->settle_ms * 1000000) {
			char *path = p->path;
			*p = w->pend[--w->n_pend];
			rc = handle_file(w, path, true);
			free(path);
			continue;
		}
		i++;
	}
	return rc;
}

static int root_index(const watcher *w, const char *path)
{
	for (size_t i = 0; i < w->o->n_input_dirs; i++)
		if (!strcmp(w->o->input_dirs[i], path))
			return (int)i;
	return -1;
}

/* Starts watching input dir i if it is there; logs when it is not. */
static int open_root(watcher *w, size_t i, bool first)
{
	const char *dir = w->o->input_dirs[i];
	watch_list l = {0};
	int rc = watch_tree_add(w, dir, &l);

	if (rc == -ENOENT) {
		if (first)
			fprintf(stderr, "ojo: watch: %s: does not exist%s\n",
				dir,
				w->o->once ? "; nothing to ingest"
					   : " yet; waiting for it");
		watch_list_free(&l);
		return 0;
	}
	if (rc < 0) {
		cli_error("watch", dir, "%s",
			  rc == -ENOTDIR ? "not a directory" : strerror(-rc));
		watch_list_free(&l);
		return rc;
	}
	if (!first && !w->o->quiet)
		fprintf(stderr, "ojo: watch: %s: appeared; watching it\n", dir);
	w->root_present[i] = true;
	rc = handle_list(w, &l);
	watch_list_free(&l);
	return rc;
}

static int check_roots(watcher *w)
{
	int rc = 0;
	for (size_t i = 0; i < w->o->n_input_dirs && rc == 0; i++)
		if (!w->root_present[i])
			rc = open_root(w, i, false);
	return rc;
}

/* One inotify event. */
static int on_event(watcher *w, const struct inotify_event *ev, bool *rescan)
{
	char path[PATH_MAX];
	const char *dir;

	if (ev->mask & IN_Q_OVERFLOW) {
		*rescan = true;
		return 0;
	}
	if (ev->mask & IN_IGNORED) {
		watch_tree_forget(w, ev->wd);
		return 0;
	}
	if (!(dir = watch_tree_path(w, ev->wd)))
		return 0;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		int i = root_index(w, dir);
		if (i >= 0 && w->root_present[i]) {
			w->root_present[i] = false;
			fprintf(stderr,
				"ojo: watch: %s: gone; waiting for it to come "
				"back\n",
				dir);
		}
		if (ev->mask & IN_MOVE_SELF) /* its old name is stale */
			inotify_rm_watch(w->ifd, ev->wd);
		return 0;
	}
	if (!ev->len)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, ev->name);
	if (ev->mask & IN_ISDIR) {
		watch_list l = {0};
		int rc = 0;
		if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
		    !watch_tree_skip_dir(ev->name) &&
		    watch_tree_add(w, path, &l) == 0)
			rc = handle_list(w, &l);
		watch_list_free(&l);
		return rc;
	}
	if ((ev->mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) &&
	    ojo_ingest_wants(ev->name))
		return handle_file(w, path, true);
	return 0;
}

static int read_events(watcher *w)
{
	char buf[16384] __attribute__((aligned(8)));
	bool rescan = false;
	int rc = 0;

	while (rc == 0 && !stopping(w)) {
		ssize_t len = read(w->ifd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break; /* EAGAIN: drained */
		for (char *p = buf; p < buf + len && rc == 0 && !stopping(w);) {
			const struct inotify_event *ev = (const void *)p;
			rc = on_event(w, ev, &rescan);
			p += sizeof(*ev) + ev->len;
		}
	}
	if (rescan && rc == 0) { /* the kernel lost events: list again */
		fprintf(stderr, "ojo: watch: inotify queue overflowed; "
				"listing the directories again\n");
		for (size_t i = 0; i < w->o->n_input_dirs && rc == 0; i++)
			rc = open_root(w, i, false);
	}
	return rc;
}

static int run(watcher *w)
{
	int64_t next_cleanup;
	int rc = 0;

	for (size_t i = 0; i < w->o->n_input_dirs && rc == 0; i++)
		rc = open_root(w, i, true);
	if (rc < 0)
		return rc;
	if (w->o->once) {
		while (rc == 0 && w->n_pend && !stopping(w)) {
			usleep(TICK_MS * 1000);
			rc = check_pending(w);
		}
		if (rc == 0 && !stopping(w))
			watch_cleanup(w);
		return rc;
	}
	watch_cleanup(w);
	next_cleanup = watch_now_ms() + CLEANUP_EVERY_MS;
	while (rc == 0 && !stopping(w)) {
		struct pollfd p = {.fd = w->ifd, .events = POLLIN};
		int n = poll(&p, 1, TICK_MS);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			rc = read_events(w);
		if (rc == 0)
			rc = check_pending(w);
		if (rc == 0)
			rc = check_roots(w);
		if (rc == 0 && watch_now_ms() >= next_cleanup) {
			watch_cleanup(w);
			next_cleanup = watch_now_ms() + CLEANUP_EVERY_MS;
		}
	}
	return rc;
}

int ojo_watch_run(const ojo_watch_opts *o)
{
	watcher w = {
	    .o = o,
	    .ifd = -1,
	    .settle_ms = o->settle_ms ? o->settle_ms : 1000,
	};
	char err[512] = "";
	int lock_fd = -1, rc;

	if (!o->db_path || !o->n_input_dirs)
		return -EINVAL;
	if ((rc = watch_lock(o->db_path, &lock_fd)) < 0)
		return rc;
	rc = ojo_store_open(o->db_path, OJO_STORE_READWRITE, &w.s, err,
			    sizeof(err));
	if (rc < 0) {
		cli_error("watch", o->db_path, "%s", err);
		goto out;
	}
	w.root_present = calloc(o->n_input_dirs, sizeof(bool));
	if (!w.root_present) {
		rc = -ENOMEM;
		goto out;
	}
	if (!o->once && (w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		rc = -errno;
		cli_error("watch", NULL, "inotify: %s", strerror(-rc));
		goto out;
	}
	rc = run(&w);
	if (!o->quiet)
		fprintf(stderr,
			"ojo: watch: %s: %llu files ingested (%llu events), "
			"%llu rejected\n",
			o->db_path, (unsigned long long)w.n_files,
			(unsigned long long)w.n_events,
			(unsigned long long)w.n_rejected);
out:
	for (size_t i = 0; i < w.n_pend; i++)
		free(w.pend[i].path);
	free(w.pend);
	watch_tree_free(&w);
	free(w.root_present);
	if (w.ifd >= 0)
		close(w.ifd);
	ojo_store_close(w.s);
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}
