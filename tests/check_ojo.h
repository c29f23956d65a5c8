/* check_ojo.h - trace-file helpers of the tests that read libojo's output
 * back (lib_*, demo_*, ingest_*): the batch files of a directory, opened
 * with the reader and required to validate. */
#ifndef OJO_TESTS_CHECK_OJO_H
#define OJO_TESTS_CHECK_OJO_H

#include <dirent.h>

#include "check.h"
#include "ojo/reader.h"

static inline int test_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Paths "dir/NAME.ojo" of the batch files in dir, sorted by name (batch
 * order); *n gets their number. Free with test_free_list(). */
static inline char **test_ojo_files(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		exit(1);
	}
	char **v = NULL;
	size_t k = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 4 || strcmp(e->d_name + len - 4, ".ojo") != 0)
			continue;
		if (k == cap) {
			cap = cap ? 2 * cap : 64;
			v = realloc(v, cap * sizeof(*v));
			CHECK(v != NULL);
		}
		size_t plen = strlen(dir) + 1 + len + 1;
		v[k] = malloc(plen);
		CHECK(v[k] != NULL);
		snprintf(v[k], plen, "%s/%s", dir, e->d_name);
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof(*v), test_cmp_str);
	*n = k;
	return v;
}

static inline void test_free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Opens path with the reader; the file must open and validate whole
 * (ojo_reader_status 0), or the test ends naming the file and the fault. */
static inline ojo_reader *test_open_valid(const char *path)
{
	ojo_reader *r = NULL;
	ojo_reader_error err;
	if (ojo_reader_open(path, &r, &err) != 0) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		exit(1);
	}
	CHECK_EQ(ojo_reader_status(r, NULL), 0);
	return r;
}

#endif
