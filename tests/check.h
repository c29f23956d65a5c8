/* check.h - what every C test shares: checks that name file:line and count
 * failures, a temporary directory, whole-file reads and writes, running a
 * program with its output captured.
 *
 * CHECK* stop the test at the first failure (exit 1): for tests whose later
 * steps build on earlier ones. EXPECT* count the failure and go on; such a
 * test ends with `return check_report("name");`. */
#ifndef OJO_TESTS_CHECK_H
#define OJO_TESTS_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Failed checks of this test program so far (EXPECT* keep going). */
static inline atomic_int *check_counter(void)
{
	static atomic_int failures;
	return &failures;
}

/* Prints "file:line: message" and counts one failure. */
__attribute__((format(printf, 3, 4))) static inline void
check_failed(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	flockfile(stderr);
	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	atomic_fetch_add(check_counter(), 1);
}

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			check_failed(__FILE__, __LINE__, "check failed: %s",   \
				     #c);                                      \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_) {                                                \
			check_failed(__FILE__, __LINE__,                       \
				     "%s == %lld, expected %s == %lld", #a,    \
				     a_, #b, b_);                              \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* s contains sub; on failure prints all of s. */
#define CHECK_CONTAINS(s, sub)                                                 \
	do {                                                                   \
		if (!strstr((s), (sub))) {                                     \
			check_failed(__FILE__, __LINE__,                       \
				     "missing '%s' in:\n%s", (sub), (s));      \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define EXPECT(c)                                                              \
	do {                                                                   \
		if (!(c))                                                      \
			check_failed(__FILE__, __LINE__, "check failed: %s",   \
				     #c);                                      \
	} while (0)

#define EXPECT_CONTAINS(s, sub)                                                \
	do {                                                                   \
		if (!strstr((s), (sub)))                                       \
			check_failed(__FILE__, __LINE__,                       \
				     "\"%s\" lacks \"%s\"", (s), (sub));       \
	} while (0)

/* Waits for child pid; it must have exited with status 0. */
#define CHECK_CHILD_OK(pid)                                                    \
	do {                                                                   \
		int st_ = 0;                                                   \
		CHECK_EQ(waitpid((pid), &st_, 0), (pid));                      \
		CHECK(WIFEXITED(st_));                                         \
		CHECK_EQ(WEXITSTATUS(st_), 0);                                 \
	} while (0)

/* The exit status of a test that used EXPECT*: 0 when no check failed. */
static inline int check_report(const char *test)
{
	int n = atomic_load(check_counter());
	if (n)
		fprintf(stderr, "%s: %d check(s) failed\n", test, n);
	return n != 0;
}

/* A fresh directory $TMPDIR/ojo-<program>-XXXXXX (malloc'd). */
static inline char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/ojo-%s-XXXXXX", base ? base : "/tmp",
		 program_invocation_short_name);
	char *d = mkdtemp(tmpl);
	if (!d) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n",
			program_invocation_short_name, tmpl, strerror(errno));
		exit(1);
	}
	d = strdup(d);
	CHECK(d != NULL);
	return d;
}

static inline int test_rm_entry(const char *p, const struct stat *sb, int flag,
				struct FTW *ftw)
{
	return remove(p);
}

/* Removes dir and everything below it (symlinks are not followed). */
static inline void test_rmtree(const char *dir)
{
	nftw(dir, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Number of entries in dir/sub (excluding . and ..); -1 if it cannot be
 * opened. */
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

/* All of path, NUL-terminated (malloc'd), its size in *len if len is not
 * NULL; NULL if it cannot be read. */
static inline char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	CHECK(buf != NULL);
	for (;;) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		CHECK(buf != NULL);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Creates or truncates path with n bytes of data; any error ends the test. */
static inline void test_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f)) {
		fprintf(stderr, "%s: write: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Runs bin with args (NULL-terminated, after argv[0]); its stdout and
 * stderr go through files in dir and come back in *out and *err (malloc'd;
 * either pointer may be NULL). Returns the exit status; a child killed by
 * a signal fails the test. */
static inline int test_run(const char *dir, const char *bin,
			   const char *const *args, char **out, char **err)
{
	char paths[2][1024];
	snprintf(paths[0], sizeof(paths[0]), "%s/run.stdout", dir);
	snprintf(paths[1], sizeof(paths[1]), "%s/run.stderr", dir);
	const char *argv[64] = {bin};
	size_t k = 1;
	for (; args[k - 1]; k++)
		CHECK(k < 63);
	memcpy(argv + 1, args, (k - 1) * sizeof(*args));
	argv[k] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 2; i++) {
			int fd =
			    open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, 1 + i) < 0)
				_exit(127);
			close(fd);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	char **dst[2] = {out, err};
	for (int i = 0; i < 2; i++) {
		char *text = test_read_file(paths[i], NULL);
		CHECK(text != NULL);
		if (dst[i])
			*dst[i] = text;
		else
			free(text);
	}
	return WEXITSTATUS(st);
}

#endif
