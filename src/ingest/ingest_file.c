/* ingest_file.c - one input file into the store, exactly once.
 *
 * The ledger (files table) is keyed by the file's real path: a file whose
 * path is there is skipped, and every kind of input commits its events and
 * its ledger row in one transaction, so a crash at any point leaves either
 * both or neither. */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && !strcmp(s + n - m, suffix);
}

bool ingest_wants(const char *name)
{
	/* Hidden names are editors' and rsync's temporaries; *.tmp never
	 * matches a suffix below. */
	if (name[0] == '.')
		return false;
	return has_suffix(name, ".ojo") || has_suffix(name, ".qlog") ||
	       has_suffix(name, ".sqlog") || has_suffix(name, ".json");
}

bool ingest_is_schema_name(const char *base)
{
	return !strncmp(base, "schema-", 7) && has_suffix(base, ".json");
}

void ingest_file_info(const ingest_ctx *c, store_file_info *fi,
		      const char *format)
{
	memset(fi, 0, sizeof(*fi));
	fi->path = c->path;
	fi->size = (int64_t)c->st.st_size;
	fi->mtime_ns =
	    (int64_t)c->st.st_mtim.tv_sec * 1000000000 + c->st.st_mtim.tv_nsec;
	fi->format = format;
	fi->status = STORE_FILE_INGESTED;
}

int ingest_fail(ingest_ctx *c, int rc)
{
	store_file_status st = STORE_FILE_UNKNOWN;

	snprintf(c->res->reason, sizeof(c->res->reason), "database: %s",
		 store_errmsg(c->s));
	store_rollback(c->s);
	/* Another writer (ojo import beside a watcher) may have won the race
	 * for this path: its commit makes ours redundant, not wrong. */
	if (store_file_get(c->s, c->path, &st, NULL, NULL) == 0 &&
	    st != STORE_FILE_UNKNOWN) {
		c->res->status = STORE_FILE_UNKNOWN;
		c->res->events = 0;
		snprintf(c->res->reason, sizeof(c->res->reason),
			 "already handled by another writer");
		return 0;
	}
	return rc;
}

/* A file in the ledger whose size or mtime moved on since: the rest is
 * never read (a file is ingested once), so say so instead of staying
 * silent. */
static void changed(ingest_ctx *c, store_file_status known, int64_t size,
		    int64_t mtime_ns)
{
	int64_t now_mtime =
	    (int64_t)c->st.st_mtim.tv_sec * 1000000000 + c->st.st_mtim.tv_nsec;

	if ((int64_t)c->st.st_size == size && now_mtime <= mtime_ns)
		return;
	c->res->changed = true;
	if ((int64_t)c->st.st_size != size)
		snprintf(c->res->reason, sizeof(c->res->reason),
			 "changed after it was %s; not re-read (%lld bytes "
			 "then, %lld now)",
			 known == STORE_FILE_INGESTED ? "ingested" : "rejected",
			 (long long)size, (long long)c->st.st_size);
	else
		snprintf(c->res->reason, sizeof(c->res->reason),
			 "changed after it was %s; not re-read (same size, "
			 "modified %.1f s later)",
			 known == STORE_FILE_INGESTED ? "ingested" : "rejected",
			 (double)(now_mtime - mtime_ns) / 1e9);
}

static void skipped(ingest_ctx *c, store_file_status known)
{
	c->res->status = STORE_FILE_UNKNOWN;
	c->res->events = 0;
	snprintf(c->res->reason, sizeof(c->res->reason), "already %s",
		 known == STORE_FILE_INGESTED ? "ingested" : "rejected");
}

int ingest_begin(ingest_ctx *c)
{
	store_file_status known = STORE_FILE_UNKNOWN;
	int rc;

	if ((rc = store_begin(c->s)) < 0)
		return ingest_fail(c, rc);
	if ((rc = store_file_get(c->s, c->path, &known, NULL, NULL)) < 0)
		return ingest_fail(c, rc);
	if (known == STORE_FILE_UNKNOWN)
		return 0;
	store_rollback(c->s);
	skipped(c, known);
	return 1;
}

int ingest_reject(ingest_ctx *c, const char *format, const char *reason)
{
	store_file_info fi;
	int rc;

	ingest_file_info(c, &fi, format);
	fi.status = STORE_FILE_REJECTED;
	fi.reason = reason;
	if ((rc = ingest_begin(c)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = store_file_done(c->s, &fi)) < 0 ||
	    (rc = store_commit(c->s)) < 0)
		return ingest_fail(c, rc);
	c->res->status = STORE_FILE_REJECTED;
	c->res->events = 0;
	if (reason != c->res->reason)
		snprintf(c->res->reason, sizeof(c->res->reason), "%s", reason);
	return 0;
}

int ingest_file(store *s, const char *path, ingest_result *res)
{
	return ingest_file_ex(s, path, INGEST_SETTLED, res);
}

int ingest_file_ex(store *s, const char *path, unsigned flags,
		   ingest_result *res)
{
	char abs[PATH_MAX];
	store_file_status known = STORE_FILE_UNKNOWN;
	int64_t size = 0, mtime_ns = 0;
	ingest_ctx c = {.s = s, .path = abs, .flags = flags, .res = res};
	int rc;

	memset(res, 0, sizeof(*res));
	res->status = STORE_FILE_UNKNOWN;
	/* A file that vanished or cannot be reached is not ours to judge:
	 * it stays out of the ledger and is looked at again if it returns. */
	if (!realpath(path, abs) || stat(abs, &c.st) < 0) {
		snprintf(res->reason, sizeof(res->reason), "%s",
			 strerror(errno));
		return 0;
	}
	if (!S_ISREG(c.st.st_mode)) {
		snprintf(res->reason, sizeof(res->reason),
			 "not a regular file");
		return 0;
	}
	if ((rc = store_file_get(s, abs, &known, &size, &mtime_ns)) < 0) {
		snprintf(res->reason, sizeof(res->reason), "database: %s",
			 store_errmsg(s));
		return rc;
	}
	if (known != STORE_FILE_UNKNOWN) {
		skipped(&c, known);
		changed(&c, known, size, mtime_ns);
		return 0;
	}

	const char *base = strrchr(abs, '/') ? strrchr(abs, '/') + 1 : abs;
	if (has_suffix(base, ".ojo"))
		return ingest_ojo(&c);
	if (ingest_is_schema_name(base))
		return ingest_schema_file(&c);
	return ingest_qlog(&c);
}
