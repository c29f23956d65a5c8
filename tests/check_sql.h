/* check_sql.h - SQLite helpers of the tests that look into a database
 * directly (store_*, ingest_*): every failure ends the test with SQLite's
 * own message. */
#ifndef OJO_TESTS_CHECK_SQL_H
#define OJO_TESTS_CHECK_SQL_H

#include <sqlite3.h>
#include <stdint.h>

#include "check.h"

/* Opens path with SQLITE_OPEN_* flags. */
static inline sqlite3 *test_sql_open(const char *path, int flags)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		fprintf(stderr, "open %s: %s\n", path, sqlite3_errmsg(db));
		exit(1);
	}
	return db;
}

static inline sqlite3_stmt *test_sql_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	return st;
}

/* The integer in the first column of the first row of sql; no row ends
 * the test too. */
static inline int64_t test_sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = test_sql_prepare(db, sql);
	if (sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "step %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Runs sql (one or more statements). */
static inline void test_sql_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "exec %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

#endif
