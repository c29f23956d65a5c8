/* demo_common.h - helpers shared by the simulator tests (tests/demo_*.c). */
#ifndef OJO_TESTS_DEMO_COMMON_H
#define OJO_TESTS_DEMO_COMMON_H

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ojo/ojo.h"
#include "ojo/reader.h"

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #c);                                 \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_) {                                                \
			fprintf(stderr,                                        \
				"%s:%d: %s == %lld, expected %s == %lld\n",    \
				__FILE__, __LINE__, #a, a_, #b, b_);           \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* Events kept in memory, in emission order. */
typedef struct ev_log {
	ojo_event *v;
	size_t n, cap;
} ev_log;

static inline int ev_log_emit(void *user, const ojo_event *ev)
{
	ev_log *l = user;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		CHECK(l->v != NULL);
	}
	l->v[l->n++] = *ev;
	return 0;
}

static inline void ev_log_free(ev_log *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static inline char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/ojo-demo-XXXXXX",
		 base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	return strdup(d);
}

static inline int demo_rm_one(const char *p, const struct stat *sb, int flag,
			      struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void test_rmtree(const char *dir)
{
	nftw(dir, demo_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int demo_cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every record of every .ojo file in dir (in file-name order, which
 * is batch order) with the reader API into log; the timestamps become
 * Unix epoch ns. Checks that each file validates. Returns the file count. */
static inline size_t read_back(const char *dir, ev_log *log)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	char *names[4096];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".ojo")) {
			CHECK(n < 4096);
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), demo_cmp_name);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ojo_reader *r = NULL;
		ojo_reader_error err;
		int rc = ojo_reader_open(path, &r, &err);
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", path, err.message);
		CHECK(rc == 0);
		CHECK(ojo_reader_status(r, NULL) == 0);
		for (size_t k = 0; k < ojo_reader_count(r); k++) {
			ojo_record_view v;
			CHECK(ojo_reader_get(r, k, &v) == 0);
			ojo_event ev = {v.time_ns, v.flow_id, v.event_type,
					v.payload};
			ev_log_emit(log, &ev);
		}
		ojo_reader_close(r);
		free(names[i]);
	}
	return n;
}

#endif
