/* watch_util.c - the watcher's lock, clock, logging and retention. */
#include "watch/watch_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util_msg.h"

int64_t watch_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t watch_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int watch_list_add(watch_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -ENOMEM;
	l->n++;
	return 0;
}

void watch_list_free(watch_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* flock() on "<db>.lock" rather than on the database: SQLite's own locks
 * on the database file are POSIX locks that a second open() in this
 * process would silently drop. The lock dies with the process, even on
 * kill -9, so a stale file never blocks a restart. */
int watch_lock(const char *db_path, int *fd_out)
{
	char path[PATH_MAX], pid[32] = "";
	int fd, e;

	snprintf(path, sizeof(path), "%s.lock", db_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		util_error("watch", db_path,
			   "database is not writable: cannot create %s: %s",
			   path, strerror(e));
		return -e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		if (e == EWOULDBLOCK) {
			util_error("watch", db_path,
				   "another ojo watch is using this database "
				   "(pid %s)",
				   pid[0] ? pid : "unknown");
			return -EBUSY;
		}
		util_error("watch", path, "cannot lock: %s", strerror(e));
		return -e;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
		e = errno;
		util_error("watch", path, "cannot write: %s", strerror(e));
		close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

void watch_log_file(const watcher *w, const char *path,
		    const ingest_result *res)
{
	switch (res->status) {
	case STORE_FILE_INGESTED:
		if (w->o->quiet && !res->reason[0])
			return;
		fprintf(stderr, "ojo: watch: %s: ingested, %llu events", path,
			(unsigned long long)res->events);
		if (res->unmapped)
			fprintf(stderr, " (+%llu qlog events kept as JSON)",
				(unsigned long long)res->unmapped);
		fprintf(stderr, "%s%s\n", res->reason[0] ? "; warning: " : "",
			res->reason);
		break;
	case STORE_FILE_REJECTED:
		fprintf(stderr, "ojo: watch: %s: rejected: %s\n", path,
			res->reason);
		break;
	default:
		if (res->changed)
			fprintf(stderr, "ojo: watch: %s: warning: %s\n", path,
				res->reason);
		else if (res->reason[0] && strncmp(res->reason, "already ", 8))
			fprintf(stderr, "ojo: watch: %s: skipped: %s\n", path,
				res->reason);
		break;
	}
}

bool watch_warn_once(watcher *w, const char *path)
{
	for (size_t i = 0; i < w->warned.n; i++)
		if (!strcmp(w->warned.v[i], path))
			return false;
	watch_list_add(&w->warned, path); /* on ENOMEM: warned again */
	return true;
}

/* Deletes path if it is older than the cutoff and ingested. */
static void cleanup_file(watcher *w, const char *path, int64_t cutoff_ns)
{
	char abs[PATH_MAX];
	struct stat st;
	store_file_status fs = STORE_FILE_UNKNOWN;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	/* schema files are tiny and needed to read batches still to come */
	if (!strncmp(base, "schema-", 7))
		return;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec >
		cutoff_ns)
		return;
	if (!realpath(path, abs) ||
	    store_file_get(w->s, abs, &fs, NULL, NULL) != 0 ||
	    fs != STORE_FILE_INGESTED)
		return;
	if (unlink(path) == 0) {
		if (!w->o->quiet)
			fprintf(stderr,
				"ojo: watch: %s: deleted (ingested, older "
				"than %d days)\n",
				path, w->o->cleanup_days);
	} else {
		util_error("watch", path, "cannot delete: %s", strerror(errno));
	}
}

static void cleanup_dir(watcher *w, const char *dir, int64_t cutoff_ns,
			int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		bool is_dir = de->d_type == DT_DIR;
		struct stat st;
		if (de->d_type == DT_UNKNOWN && stat(path, &st) == 0)
			is_dir = S_ISDIR(st.st_mode);
		if (is_dir) {
			if (depth < 8 && !watch_tree_skip_dir(de->d_name))
				cleanup_dir(w, path, cutoff_ns, depth + 1);
		} else if (ingest_wants(de->d_name)) {
			cleanup_file(w, path, cutoff_ns);
		}
	}
	closedir(d);
}

void watch_cleanup(watcher *w)
{
	int64_t cutoff =
	    watch_wall_ns() - (int64_t)w->o->cleanup_days * 86400 * 1000000000;

	if (w->o->cleanup_days < 0)
		return;
	for (size_t i = 0; i < w->o->n_input_dirs; i++)
		cleanup_dir(w, w->o->input_dirs[i], cutoff, 0);
}
