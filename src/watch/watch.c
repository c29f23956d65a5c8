/* watch.c - `ojo watch`: every trace file in the input directories into
 * the database, exactly once, then live as files arrive. This is the loop
 * and its inotify events; when a file is complete is watch_pend.c's
 * business, the directories watch_tree.c's. */
#include "watch/watch_int.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util_msg.h"

enum {
	TICK_MS = 50,	     /* poll timeout: pending files, missing dirs */
	MAX_DB_FAILURES = 3, /* in a row, before giving up */
	CLEANUP_EVERY_MS = 600000,
};

bool watch_stopping(const watcher *w)
{
	/* atomic: a caller may set it from another thread, not only from
	 * a signal handler */
	return w->o->stop && __atomic_load_n(w->o->stop, __ATOMIC_RELAXED);
}

int watch_take(watcher *w, const char *path)
{
	ingest_result res;
	int rc = ingest_file_ex(w->s, path, INGEST_SETTLED, &res);

	if (rc < 0) {
		util_error("watch", path, "%s", res.reason);
		if (++w->db_failures >= MAX_DB_FAILURES) {
			util_error("watch", w->o->db_path,
				   "giving up after %d database failures",
				   w->db_failures);
			return rc;
		}
		watch_pend_again(w, path);
		return 0;
	}
	w->db_failures = 0;
	if (res.status == STORE_FILE_INGESTED) {
		w->n_files++;
		w->n_events += res.events;
	} else if (res.status == STORE_FILE_REJECTED) {
		w->n_rejected++;
	}
	if (!res.changed || watch_warn_once(w, path))
		watch_log_file(w, path, &res);
	return 0;
}

/* Handles a listing's files in order, with a progress line on a tty. */
static int handle_list(watcher *w, const watch_list *l)
{
	bool progress = util_progress_enabled() && !w->o->quiet && l->n > 1;
	int rc = 0;

	for (size_t i = 0; i < l->n && rc == 0 && !watch_stopping(w); i++) {
		if (progress)
			fputs("\r\033[K", stderr);
		rc = watch_handle_file(w, l->v[i], WATCH_LISTED);
		if (progress)
			fprintf(stderr, "ojo: watch: %zu/%zu files", i + 1,
				l->n);
	}
	if (progress)
		fputs("\r\033[K", stderr);
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
		util_error("watch", dir, "%s",
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
	if (!ingest_wants(ev->name))
		return 0;
	if (ev->mask & (IN_MOVED_TO | IN_CLOSE_WRITE))
		return watch_handle_file(w, path, WATCH_DONE);
	/* a second name for an existing file (ln) has no writer to wait for */
	struct stat st;
	if ((ev->mask & IN_CREATE) && stat(path, &st) == 0 && st.st_nlink > 1)
		return watch_handle_file(w, path, WATCH_DONE);
	if (ev->mask & (IN_CREATE | IN_MODIFY))
		return watch_handle_file(w, path, WATCH_WRITING);
	return 0;
}

static int read_events(watcher *w)
{
	char buf[16384] __attribute__((aligned(8)));
	bool rescan = false;
	int rc = 0;

	while (rc == 0 && !watch_stopping(w)) {
		ssize_t len = read(w->ifd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break; /* EAGAIN: drained */
		for (char *p = buf;
		     p < buf + len && rc == 0 && !watch_stopping(w);) {
			const struct inotify_event *ev = (const void *)p;
			rc = on_event(w, ev, &rescan);
			p += sizeof(*ev) + ev->len;
		}
	}
	if (rescan && rc == 0) { /* the kernel lost events: list again */
		fprintf(stderr, "ojo: watch: inotify queue overflowed; "
				"listing the directories again\n");
		watch_pend_forget_writing(w); /* their close may be lost */
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
		while (rc == 0 && w->n_pend && !watch_stopping(w)) {
			usleep(TICK_MS * 1000);
			rc = watch_pend_check(w);
		}
		if (rc == 0 && !watch_stopping(w))
			watch_cleanup(w);
		return rc;
	}
	if (!w->o->quiet) /* from here on, no new file goes unseen */
		fprintf(stderr,
			"ojo: watch: watching %zu director%s for %s; Ctrl-C "
			"stops\n",
			w->o->n_input_dirs,
			w->o->n_input_dirs == 1 ? "y" : "ies", w->o->db_path);
	watch_cleanup(w);
	next_cleanup = watch_now_ms() + CLEANUP_EVERY_MS;
	while (rc == 0 && !watch_stopping(w)) {
		struct pollfd p = {.fd = w->ifd, .events = POLLIN};
		int n = poll(&p, 1, TICK_MS);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			rc = read_events(w);
		if (rc == 0)
			rc = watch_pend_check(w);
		if (rc == 0)
			rc = check_roots(w);
		if (rc == 0 && watch_now_ms() >= next_cleanup) {
			watch_cleanup(w);
			next_cleanup = watch_now_ms() + CLEANUP_EVERY_MS;
		}
	}
	return rc;
}

int watch_run(const watch_opts *o)
{
	watcher w = {
	    .o = o,
	    .ifd = -1,
	    .settle_ms = o->settle_ms ? o->settle_ms : 1000,
	    .open_wait_ms = o->open_wait_ms ? o->open_wait_ms : 600000,
	};
	char err[512] = "";
	int lock_fd = -1, rc;

	if (!o->db_path || !o->n_input_dirs)
		return -EINVAL;
	if ((rc = watch_lock(o->db_path, &lock_fd)) < 0)
		return rc;
	rc = store_open_db(o->db_path, STORE_WRITE, &w.s, err, sizeof(err));
	if (rc < 0) {
		util_error("watch", o->db_path, "%s", err);
		goto out;
	}
	w.root_present = calloc(o->n_input_dirs, sizeof(bool));
	if (!w.root_present) {
		rc = -ENOMEM;
		goto out;
	}
	if (!o->once && (w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		rc = -errno;
		util_error("watch", NULL, "inotify: %s", strerror(-rc));
		goto out;
	}
	rc = run(&w);
	watch_pend_free(&w); /* logs what is left for the next run */
	if (!o->quiet)
		fprintf(stderr,
			"ojo: watch: %s: %llu files ingested (%llu events), "
			"%llu rejected\n",
			o->db_path, (unsigned long long)w.n_files,
			(unsigned long long)w.n_events,
			(unsigned long long)w.n_rejected);
out:
	watch_pend_free(&w);
	watch_writers_free(&w.writers);
	watch_list_free(&w.warned);
	watch_tree_free(&w);
	free(w.root_present);
	if (w.ifd >= 0)
		close(w.ifd);
	store_close(w.s);
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}
