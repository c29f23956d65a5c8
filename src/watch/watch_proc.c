/* watch_proc.c - which files some process holds open for writing.
 *
 * A writer that keeps its file open (a QUIC stack writing qlog) may pause
 * for longer than the settle time; the file is not complete then. Linux
 * shows every descriptor as a link in /proc/PID/fd whose own mode says how
 * it was opened (l-wx or lrwx when writable) and whose target stat() gives
 * the file's device and inode, so one pass over /proc lists the open-for-
 * writing files of every process we may look at (all as root; our own
 * user's otherwise). The list is sorted and kept for WRITERS_MAX_AGE_MS:
 * files found at start are checked against one pass, not one each. */
#include "watch/watch_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { WRITERS_MAX_AGE_MS = 200 };

static int cmp_writer(const void *a, const void *b)
{
	const watch_writer *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static int add_writer(watch_writers *ws, const struct stat *st, pid_t pid)
{
	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 64;
		watch_writer *v = realloc(ws->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ws->v = v;
		ws->cap = cap;
	}
	ws->v[ws->n++] = (watch_writer){st->st_dev, st->st_ino, pid};
	return 0;
}

/* The writable regular files among one process's descriptors. */
static int scan_pid(watch_writers *ws, const char *pid_name)
{
	char dir[64];
	struct dirent *de;
	int dfd, rc = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid_name);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0; /* gone, or another user's: not ours to see */
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return 0;
	}
	while (rc == 0 && (de = readdir(d))) {
		struct stat link, st;
		if (de->d_name[0] == '.' ||
		    fstatat(dfd, de->d_name, &link, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !(link.st_mode & S_IWUSR) ||
		    fstatat(dfd, de->d_name, &st, 0) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		rc = add_writer(ws, &st, (pid_t)atol(pid_name));
	}
	closedir(d);
	return rc;
}

int watch_writers_scan(watch_writers *ws)
{
	struct dirent *de;
	DIR *proc = opendir("/proc");
	int rc = 0;

	ws->n = 0;
	ws->valid = false;
	if (!proc)
		return -errno;
	while (rc == 0 && (de = readdir(proc)))
		if (isdigit((unsigned char)de->d_name[0]))
			rc = scan_pid(ws, de->d_name);
	closedir(proc);
	if (rc < 0)
		return rc;
	qsort(ws->v, ws->n, sizeof(*ws->v), cmp_writer);
	ws->at_ms = watch_now_ms();
	ws->valid = true;
	return 0;
}

pid_t watch_writer_of(watcher *w, const struct stat *st)
{
	watch_writers *ws = &w->writers;
	watch_writer key = {st->st_dev, st->st_ino, 0};
	const watch_writer *hit;

	if (!ws->valid || watch_now_ms() - ws->at_ms > WRITERS_MAX_AGE_MS)
		if (watch_writers_scan(ws) < 0)
			return 0; /* no /proc: only the settle time is left */
	hit = bsearch(&key, ws->v, ws->n, sizeof(*ws->v), cmp_writer);
	return hit ? hit->pid : 0;
}

void watch_writers_free(watch_writers *ws)
{
	free(ws->v);
	memset(ws, 0, sizeof(*ws));
}
