/* lib_common.h - helpers shared by the libojo tests (tests/lib_*.c). */
#ifndef OJO_TESTS_LIB_COMMON_H
#define OJO_TESTS_LIB_COMMON_H

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

static inline char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/ojo-lib-XXXXXX", base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	return strdup(d);
}

static inline int rm_one(const char *p, const struct stat *sb, int flag,
			 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void test_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Calls fn for every record of every .ojo file in dir/output; checks each
 * file validates. Returns the number of files. */
typedef void (*record_fn)(void *user, const ojo_record_view *v);
static inline size_t test_scan(const char *dir, record_fn fn, void *user)
{
	char out[1024];
	snprintf(out, sizeof(out), "%s/output", dir);
	DIR *d = opendir(out);
	CHECK(d != NULL);
	struct dirent *e;
	size_t files = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 4, ".ojo") != 0)
			continue;
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
		ojo_reader *r = NULL;
		ojo_reader_error err;
		int rc = ojo_reader_open(path, &r, &err);
		if (rc) {
			fprintf(stderr, "%s: %s\n", path, err.message);
			exit(1);
		}
		CHECK_EQ(ojo_reader_status(r, NULL), 0);
		size_t cnt = ojo_reader_count(r);
		CHECK(cnt > 0);
		for (size_t i = 0; i < cnt; i++) {
			ojo_record_view v;
			CHECK_EQ(ojo_reader_get(r, i, &v), 0);
			if (i == 0)
				CHECK_EQ(v.time_ns,
					 ojo_reader_batch_start_ns(r));
			if (fn)
				fn(user, &v);
		}
		ojo_reader_close(r);
		files++;
	}
	closedir(d);
	return files;
}

/* Number of entries in dir/sub (excluding . and ..). */
static inline int test_count_entries(const char *dir, const char *sub)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	DIR *d = opendir(p);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

#endif
