/* watch_tree.c - the directories the watcher looks at.
 *
 * Watches are added before a directory is listed, so a file that arrives
 * during the listing is reported by inotify or found by the listing (or
 * both: the ledger makes the second sighting a no-op). staging/ is never
 * entered: libojo's files there are unfinished by design. */
#include "watch/watch_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

enum { MAX_DEPTH = 8 };

#define DIR_EVENTS                                                             \
	(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_MODIFY |                \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

bool watch_tree_skip_dir(const char *name)
{
	return name[0] == '.' || !strcmp(name, "staging");
}

static int remember(watcher *w, int wd, const char *path)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd && wd >= 0) {
			/* same inode again: keep the newest name */
			char *p = strdup(path);
			if (!p)
				return -ENOMEM;
			free(w->dirs[i].path);
			w->dirs[i].path = p;
			return 0;
		}
	if (w->n_dirs == w->cap_dirs) {
		size_t cap = w->cap_dirs ? w->cap_dirs * 2 : 16;
		watch_dir *d = realloc(w->dirs, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		w->dirs = d;
		w->cap_dirs = cap;
	}
	if (!(w->dirs[w->n_dirs].path = strdup(path)))
		return -ENOMEM;
	w->dirs[w->n_dirs++].wd = wd;
	return 0;
}

static int add(watcher *w, const char *dir, watch_list *out, int depth)
{
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int n, rc = 0;

	if (w->ifd >= 0) {
		int wd = inotify_add_watch(w->ifd, dir, DIR_EVENTS);
		if (wd < 0)
			return -errno;
		if ((rc = remember(w, wd, dir)) < 0)
			return rc;
	}
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const struct dirent *de = names[i];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		bool is_dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN && stat(path, &st) == 0)
			is_dir = S_ISDIR(st.st_mode);
		if (rc == 0 && is_dir) {
			if (depth < MAX_DEPTH &&
			    !watch_tree_skip_dir(de->d_name)) {
				int r = add(w, path, out, depth + 1);
				if (r == -ENOMEM)
					rc = r;
			}
		} else if (rc == 0 && ingest_wants(de->d_name)) {
			rc = watch_list_add(out, path);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int watch_tree_add(watcher *w, const char *dir, watch_list *out)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return add(w, dir, out, 0);
}

const char *watch_tree_path(const watcher *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd)
			return w->dirs[i].path;
	return NULL;
}

void watch_tree_forget(watcher *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].path);
			w->dirs[i] = w->dirs[--w->n_dirs];
			return;
		}
}

void watch_tree_free(watcher *w)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	w->dirs = NULL;
	w->n_dirs = w->cap_dirs = 0;
}
