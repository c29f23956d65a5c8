/* store_common.h - helpers shared by the store tests (tests/store_*.c). */
#ifndef OJO_TESTS_STORE_COMMON_H
#define OJO_TESTS_STORE_COMMON_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"

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

#define CHECK_OK(s, call)                                                      \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_) {                                                     \
			fprintf(stderr, "%s:%d: %s = %d: %s\n", __FILE__,      \
				__LINE__, #call, rc_, ojo_store_errmsg(s));    \
			exit(1);                                               \
		}                                                              \
	} while (0)

static inline char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/ojo-store-XXXXXX",
		 base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	return strdup(d);
}

static inline int test_rm_one(const char *p, const struct stat *sb, int flag,
			      struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void test_rmtree(const char *dir)
{
	nftw(dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One integer from a query on the store's own connection (events vtab
 * registered); fails the test on error or no row. */
static inline int64_t q_int(ojo_store *s, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(s->db));
		exit(1);
	}
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		fprintf(stderr, "step %s: %s\n", sql, sqlite3_errmsg(s->db));
		exit(1);
	}
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Small deterministic PRNG (xorshift64*). */
static inline uint64_t rnd(uint64_t *st)
{
	uint64_t x = *st;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * UINT64_C(2685821657736338717);
}

#endif
