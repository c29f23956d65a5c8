/* sq_query.c - one read-only statement from a user, row by row. */
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/sq_int.h"

/* True when what follows the first statement is only blanks, semicolons
 * and comments. */
static bool only_trailer(const char *p)
{
	while (*p) {
		if (isspace((unsigned char)*p) || *p == ';') {
			p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (!e)
				return true;
			p = e + 2;
		} else {
			return false;
		}
	}
	return true;
}

static int check_stop(void *p)
{
	return *(volatile sig_atomic_t *)p != 0;
}

int sq_query(sq_conn *s, const char *sql, const store_query_cb *cb)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	/* A read-only connection cannot write, but ATTACH could still create
	 * files: refuse it outright. */
	sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, 0);
	if (cb->stop)
		sqlite3_progress_handler(s->db, 10000, check_stop,
					 (void *)cb->stop);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, &tail) != SQLITE_OK)
		return sq_fail(s, -EINVAL, "SQL error: %s",
			       sqlite3_errmsg(s->db));
	if (!st)
		return sq_fail(s, -EINVAL, "SQL error: empty statement");
	int rc = 0;
	if (tail && !only_trailer(tail)) {
		rc = sq_fail(s, -EINVAL,
			     "SQL error: only one statement is allowed");
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		rc = sq_fail(s, -EACCES,
			     "SQL error: only read-only statements are "
			     "allowed");
		goto out;
	}
	int n = sqlite3_column_count(st);
	const char **names = calloc((size_t)n + 1, sizeof(*names));
	store_value *vals = calloc((size_t)n + 1, sizeof(*vals));
	if (!names || !vals) {
		free(names);
		free(vals);
		rc = sq_fail(s, -ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		names[i] = sqlite3_column_name(st, i);
		if (!names[i])
			names[i] = "?";
	}
	if (cb->columns)
		rc = cb->columns(cb->user, n, names);
	while (!rc) {
		int r = sqlite3_step(st);
		if (r == SQLITE_DONE)
			break;
		if (r == SQLITE_INTERRUPT) {
			rc = sq_fail(s, -EINTR, "interrupted");
			break;
		}
		if (r != SQLITE_ROW) {
			rc = sq_fail(s, sq_sqlite_code(r), "SQL error: %s",
				     sqlite3_errmsg(s->db));
			break;
		}
		if (cb->stop && *cb->stop) {
			rc = sq_fail(s, -EINTR, "interrupted");
			break;
		}
		for (int i = 0; i < n; i++) {
			store_value *v = &vals[i];
			memset(v, 0, sizeof(*v));
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				v->kind = STORE_INT;
				v->i = sqlite3_column_int64(st, i);
				break;
			case SQLITE_FLOAT:
				v->kind = STORE_REAL;
				v->d = sqlite3_column_double(st, i);
				break;
			case SQLITE_TEXT:
				v->kind = STORE_TEXT;
				v->p = sqlite3_column_text(st, i);
				v->len = (size_t)sqlite3_column_bytes(st, i);
				break;
			case SQLITE_BLOB:
				v->kind = STORE_BLOB;
				v->p = sqlite3_column_blob(st, i);
				v->len = (size_t)sqlite3_column_bytes(st, i);
				break;
			default:
				v->kind = STORE_NULL;
				break;
			}
		}
		if (cb->row)
			rc = cb->row(cb->user, n, vals);
	}
	free(names);
	free(vals);
out:
	sqlite3_finalize(st);
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	return rc;
}
