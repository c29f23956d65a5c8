/* ingest_common.h - helpers shared by the ingestion tests (ingest_*.c). */
#ifndef OJO_TESTS_INGEST_COMMON_H
#define OJO_TESTS_INGEST_COMMON_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static inline char *itest_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/ojo-ingest-XXXXXX",
		 base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	return strdup(d);
}

static inline int itest_rm_one(const char *p, const struct stat *sb, int flag,
			       struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void itest_rmtree(const char *dir)
{
	nftw(dir, itest_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Little-endian loads from a block blob (docs/DATABASE.md). */
static inline uint64_t itest_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#endif
