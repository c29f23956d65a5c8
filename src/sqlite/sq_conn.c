/* sq_conn.c - opening an Ojo database: connection settings, schema creation
 * and upgrade, the built-in event catalog, transactions, and the small
 * row-at-a-time writes (traces, files ledger, event types, unmapped qlog
 * events). The event fast path is in store_write.c. */
#include "sqlite/sq_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ojo/events.h"
#include "sqlite/sq_schema.h"

/* Larger pages mean fewer overflow pages per 64 KiB block blob. Only takes
 * effect when the database is created. */
#define OJO_PAGE_SIZE 16384

#define OJO_BUSY_TIMEOUT_MS 10000

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_BLOCK_INSERT] =
	"INSERT INTO blocks(flow_key, type, t_first, t_last, n, v_min,"
	" v_max, file_id, data) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [ST_FLOW_GET] = "SELECT flow_key FROM flows"
		    " WHERE trace_id = ?1 AND flow_id = ?2",
    [ST_FLOW_INSERT] = "INSERT INTO flows(trace_id, flow_id, first_ns,"
		       " last_ns) VALUES(?1, ?2, ?3, ?3)",
    /* Right-hand sides see the old row, so the CASEs compare against
     * the values before this update. A row with n_events = 0 is a
     * placeholder (parent created by a link, or a label): its times are
     * replaced by the first real ones. */
    [ST_FLOW_UPDATE] =
	"UPDATE flows SET"
	" first_ns = CASE WHEN ?1 IS NULL THEN first_ns"
	"  WHEN n_events = 0 OR ?1 < first_ns THEN ?1 ELSE first_ns END,"
	" last_ns = CASE WHEN ?2 IS NULL THEN last_ns"
	"  WHEN n_events = 0 OR ?2 > last_ns THEN ?2 ELSE last_ns END,"
	" n_events = n_events + ?3,"
	" packets_sent = packets_sent + ?4,"
	" packets_received = packets_received + ?5,"
	" packets_acked = packets_acked + ?6,"
	" packets_lost = packets_lost + ?7,"
	" packets_retransmitted = packets_retransmitted + ?8,"
	" bytes_sent = bytes_sent + ?9,"
	" bytes_acked = bytes_acked + ?10,"
	" own_bytes_sent = own_bytes_sent + ?9,"
	" own_bytes_acked = own_bytes_acked + ?10,"
	" max_cwnd = CASE WHEN ?11 IS NULL THEN max_cwnd"
	"  WHEN max_cwnd IS NULL OR ?11 > max_cwnd THEN ?11"
	"  ELSE max_cwnd END,"
	" last_cwnd = CASE WHEN ?12 IS NOT NULL AND (last_cwnd_ns IS NULL"
	"  OR ?13 >= last_cwnd_ns) THEN ?12 ELSE last_cwnd END,"
	" last_cwnd_ns = CASE WHEN ?12 IS NOT NULL AND (last_cwnd_ns IS"
	"  NULL OR ?13 >= last_cwnd_ns) THEN ?13 ELSE last_cwnd_ns END,"
	" parent_key = CASE WHEN ?14 IS NOT NULL AND (parent_ns IS NULL"
	"  OR ?17 >= parent_ns) THEN ?14 ELSE parent_key END,"
	" parent_ns = CASE WHEN ?14 IS NOT NULL AND (parent_ns IS NULL"
	"  OR ?17 >= parent_ns) THEN ?17 ELSE parent_ns END,"
	" label = coalesce(?15, label)"
	" WHERE flow_key = ?16",
    [ST_TYPE_COUNT] = "INSERT INTO type_counts(flow_key, type, n)"
		      " VALUES(?1, ?2, ?3) ON CONFLICT(flow_key, type)"
		      " DO UPDATE SET n = n + excluded.n",
    [ST_TRACE_UPDATE] = "UPDATE traces SET"
			" first_ns = CASE WHEN ?1 IS NULL THEN first_ns"
			"  WHEN first_ns IS NULL OR ?1 < first_ns THEN ?1"
			"  ELSE first_ns END,"
			" last_ns = CASE WHEN ?2 IS NULL THEN last_ns"
			"  WHEN last_ns IS NULL OR ?2 > last_ns THEN ?2"
			"  ELSE last_ns END,"
			" n_events = n_events + ?3, n_flows = n_flows + ?4,"
			" dropped = dropped + ?5 WHERE trace_id = ?6",
    [ST_TRACE_GET] = "SELECT trace_id FROM traces WHERE name = ?1",
    [ST_TRACE_INSERT] = "INSERT INTO traces(name, source, pid, schema_id,"
			" vantage, title) VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_FILE_STATUS] =
	"SELECT status, size, mtime_ns FROM files WHERE path = ?1",
    /* REPLACE: a file rejected earlier and ingested after it changed
     * keeps one row, under the id its blocks carry. */
    [ST_FILE_DONE] =
	"INSERT OR REPLACE INTO files(file_id, path, size, mtime_ns,"
	" trace_id, format, batch_start_ns, n_events, status, reason,"
	" ingested_at_ns) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [ST_EVENT_TYPE] =
	"INSERT INTO event_types(type, name, category, description,"
	" payload_kind, unit) VALUES(?1,?2,?3,?4,?5,?6)"
	" ON CONFLICT(type) DO UPDATE SET name = excluded.name,"
	" category = excluded.category,"
	" description = excluded.description,"
	" payload_kind = excluded.payload_kind, unit = excluded.unit",
    [ST_UNMAPPED] = "INSERT INTO unmapped_events(trace_id, flow_id,"
		    " time_ns, name, data) VALUES(?1,?2,?3,?4,?5)",
};

int sq_sqlite_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_FORMAT:
		return -EILSEQ;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_ERROR:
		return -EINVAL;
	case SQLITE_INTERRUPT:
		return -EINTR;
	default:
		return -EIO;
	}
}

int sq_fail(sq_conn *s, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return code;
}

int sq_sqlfail(sq_conn *s, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);
	int code = sq_sqlite_code(rc);
	if ((rc & 0xff) == SQLITE_NOTADB)
		return sq_fail(s, code, "not an SQLite database");
	if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_IOERR) {
		int e = sqlite3_system_errno(s->db);
		if (e)
			return sq_fail(s, code, "%s: %s: %s", what,
				       sqlite3_errmsg(s->db), strerror(e));
	}
	return sq_fail(s, code ? code : -EIO, "%s: %s", what,
		       sqlite3_errmsg(s->db));
}

sqlite3_stmt *sq_stmt(sq_conn *s, enum sq_stmt which)
{
	sqlite3_stmt *st = s->st[which];
	if (!st) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[which], -1,
				       SQLITE_PREPARE_PERSISTENT, &st,
				       NULL) != SQLITE_OK) {
			sq_sqlfail(s, "prepare");
			return NULL;
		}
		s->st[which] = st;
		return st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int sq_step_done(sq_conn *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int code = sq_sqlfail(s, what);
		sqlite3_reset(st);
		return code;
	}
	sqlite3_reset(st);
	return 0;
}

static int exec(sq_conn *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_sqlfail(s, what);
	return 0;
}

/* exec() for statements SQLite may refuse with SQLITE_BUSY without calling
 * the busy handler, because waiting could deadlock: switching a new
 * database to WAL while another connection opens it too. Retries for up to
 * the busy timeout. */
static int exec_busy_retry(sq_conn *s, const char *sql, const char *what)
{
	for (int waited = 0;; waited += 5) {
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited >= OJO_BUSY_TIMEOUT_MS)
			return sq_sqlfail(s, what);
		struct timespec ts = {0, 5 * 1000000};
		nanosleep(&ts, NULL);
	}
}

/* Reads one integer PRAGMA; -1 on error (s->err set). */
static int64_t pragma_int(sq_conn *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sq_sqlfail(s, "read schema");
		return -1;
	}
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		sq_sqlfail(s, "read schema");
	sqlite3_finalize(st);
	return v;
}

static int count_tables(sq_conn *s, int64_t *n)
{
	*n = pragma_int(s, "SELECT count(*) FROM sqlite_schema");
	return *n < 0 ? -EIO : 0;
}

static uint64_t fnv1a(uint64_t h, const char *str)
{
	for (const unsigned char *p = (const unsigned char *)(str ? str : "");
	     *p; p++)
		h = (h ^ *p) * UINT64_C(0x100000001b3);
	return (h ^ 0xff) * UINT64_C(0x100000001b3); /* field separator */
}

/* Fingerprint of the built-in catalog, kept in meta('catalog') so that a
 * writer whose catalog is already in the database opens without taking
 * the write lock (and so without waiting for a running ingestion). */
static void catalog_hash(char *out, size_t len)
{
	size_t n = 0;
	const ojo_event_type_info *cat = ojo_event_types(&n);
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t i = 0; i < n; i++) {
		char num[16];
		snprintf(num, sizeof(num), "%u", cat[i].type);
		h = fnv1a(h, num);
		h = fnv1a(h, cat[i].name);
		h = fnv1a(h, cat[i].category);
		h = fnv1a(h, cat[i].description);
		h = fnv1a(h, ojo_payload_kind_name(cat[i].payload_kind));
		h = fnv1a(h, cat[i].unit);
	}
	snprintf(out, len, "%016llx", (unsigned long long)h);
}

/* True when the layout is current and holds this catalog: nothing to
 * write at open. */
static bool schema_current(sq_conn *s)
{
	if (pragma_int(s, "PRAGMA user_version") != SQ_SCHEMA_VERSION)
		return false;
	sqlite3_stmt *st;
	bool same = false;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT value FROM meta WHERE key = 'catalog'",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		char want[32];
		catalog_hash(want, sizeof(want));
		const char *v = (const char *)sqlite3_column_text(st, 0);
		same = v && strcmp(v, want) == 0;
	}
	sqlite3_finalize(st);
	return same;
}

static int insert_catalog(sq_conn *s)
{
	size_t n = 0;
	const ojo_event_type_info *cat = ojo_event_types(&n);
	for (size_t i = 0; i < n; i++) {
		store_type_info ti = {
		    .type = cat[i].type,
		    .name = cat[i].name,
		    .category = cat[i].category,
		    .description = cat[i].description,
		    .payload_kind = ojo_payload_kind_name(cat[i].payload_kind),
		    .unit = cat[i].unit,
		};
		int rc = sq_event_type(s, &ti);
		if (rc)
			return rc;
	}
	char h[32], sql[96];
	catalog_hash(h, sizeof(h));
	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO meta(key, value) VALUES('catalog', "
		 "'%s')",
		 h);
	return exec(s, sql, "record catalog");
}

/* Creates or upgrades the layout inside one write transaction, so a crash
 * mid-upgrade leaves the old version intact. */
static int setup_schema(sq_conn *s)
{
	int rc = exec(s, "BEGIN IMMEDIATE", "lock for schema setup");
	if (rc)
		return rc;
	int64_t ver = pragma_int(s, "PRAGMA user_version");
	int64_t app = pragma_int(s, "PRAGMA application_id");
	int64_t ntab = 0;
	if (ver < 0 || app < 0 || count_tables(s, &ntab)) {
		rc = -EIO;
		goto fail;
	}
	if (ver > SQ_SCHEMA_VERSION) {
		rc = sq_fail(s, -EPROTO,
			     "database schema version %lld is newer than "
			     "this ojo (%d)",
			     (long long)ver, SQ_SCHEMA_VERSION);
		goto fail;
	}
	if (ver == 0 && ntab > 0 && app != SQ_APPLICATION_ID) {
		rc = sq_fail(s, -EPROTO,
			     "not an Ojo database (SQLite file with %lld "
			     "other objects)",
			     (long long)ntab);
		goto fail;
	}
	if (ver == 0) {
		rc = exec(s, sq_schema_v1_sql, "create schema");
		if (rc)
			goto fail;
		ver = 1;
	}
	for (size_t i = 0; i < sq_schema_n_steps; i++) {
		if (sq_schema_steps[i].from < ver)
			continue;
		rc = exec(s, sq_schema_steps[i].sql, "upgrade schema");
		if (rc)
			goto fail;
	}
	char sql[96];
	snprintf(sql, sizeof(sql),
		 "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 SQ_SCHEMA_VERSION, SQ_APPLICATION_ID);
	rc = exec(s, sql, "set schema version");
	if (rc)
		goto fail;
	rc = insert_catalog(s);
	if (rc)
		goto fail;
	return exec(s, "COMMIT", "commit schema");
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int check_readonly_schema(sq_conn *s)
{
	int64_t ver = pragma_int(s, "PRAGMA user_version");
	if (ver < 0)
		return -EIO;
	if (ver > SQ_SCHEMA_VERSION)
		return sq_fail(s, -EPROTO,
			       "database schema version %lld is newer than "
			       "this ojo (%d)",
			       (long long)ver, SQ_SCHEMA_VERSION);
	if (ver == 0)
		return sq_fail(s, -EPROTO,
			       "not an Ojo database (no Ojo schema; "
			       "`ojo watch` creates one)");
	if (ver < SQ_SCHEMA_VERSION)
		return sq_fail(s, -EPROTO,
			       "database schema version %lld is older than "
			       "this ojo (%d); open it once with `ojo watch` "
			       "to upgrade it",
			       (long long)ver, SQ_SCHEMA_VERSION);
	return 0;
}

/* Connection-local objects: the events virtual table and a view naming
 * the event types (TEMP, so the file stays readable by plain sqlite3). */
static int setup_connection(sq_conn *s)
{
	int rc = sq_vtab_register(s->db);
	if (rc != SQLITE_OK)
		return sq_sqlfail(s, "register events table");
	return exec(s,
		    "CREATE TEMP VIEW IF NOT EXISTS events_named AS"
		    " SELECT e.trace_id, e.flow_id, e.flow_key, e.time_ns,"
		    " e.type, t.name AS type_name, t.category, e.payload"
		    " FROM events e LEFT JOIN event_types t ON t.type = e.type",
		    "create events_named view");
}

int sq_conn_open(const char *path, int mode, sq_conn **out, char *err,
		 size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	sq_conn *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		if (err)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->mode = mode;
	int rc = 0;
	int flags =
	    SQLITE_OPEN_NOMUTEX |
	    (mode == STORE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
				 : SQLITE_OPEN_READONLY);
	struct stat sb;
	bool existed = stat(path, &sb) == 0;
	if (existed && S_ISDIR(sb.st_mode)) {
		rc = sq_fail(s, -EISDIR, "is a directory, not a database");
		goto fail;
	}
	if (!existed && mode != STORE_WRITE) {
		rc = sq_fail(s, -ENOENT, "cannot open database: %s",
			     strerror(ENOENT));
		goto fail;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		if (!s->db) {
			rc = sq_fail(s, -ENOMEM, "out of memory");
			goto fail;
		}
		rc = sq_sqlfail(s, "cannot open database");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, OJO_BUSY_TIMEOUT_MS);
	/* Touches the header: a file that is not SQLite fails here. */
	if (pragma_int(s, "PRAGMA user_version") < 0) {
		rc = sq_sqlite_code(sqlite3_extended_errcode(s->db));
		rc = rc ? rc : -EIO;
		goto fail;
	}
	if (mode == STORE_WRITE && sqlite3_db_readonly(s->db, "main")) {
		/* SQLite falls back to read-only on a write-protected file */
		rc = sq_fail(s, -EACCES, "database is not writable: %s",
			     strerror(EACCES));
		goto fail;
	}
	if (mode == STORE_WRITE) {
		int64_t ntab = 0;
		if (count_tables(s, &ntab)) {
			rc = -EIO;
			goto fail;
		}
		if (ntab == 0) {
			char sql[64];
			snprintf(sql, sizeof(sql), "PRAGMA page_size = %d",
				 OJO_PAGE_SIZE);
			if ((rc = exec(s, sql, "set page size")))
				goto fail;
		}
		/* WAL: readers (ojo serve, ojo query) never block the writer
		 * nor see a half-committed file. NORMAL: see DATABASE.md. */
		if ((rc = exec_busy_retry(s,
					  "PRAGMA journal_mode = WAL;"
					  " PRAGMA synchronous = NORMAL;"
					  " PRAGMA cache_size = -16384;"
					  " PRAGMA temp_store = MEMORY",
					  "configure database")))
			goto fail;
		if (!schema_current(s) && (rc = setup_schema(s)))
			goto fail;
	} else {
		if ((rc = check_readonly_schema(s)))
			goto fail;
	}
	if ((rc = setup_connection(s)))
		goto fail;
	*out = s;
	return 0;
fail:
	if (err && errlen)
		snprintf(err, errlen, "%s", s->err[0] ? s->err : "cannot open");
	sq_conn_close(s);
	return rc ? rc : -EIO;
}

void sq_conn_close(sq_conn *s)
{
	if (!s)
		return;
	if (s->in_txn)
		sq_rollback(s);
	sq_write_free(s);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int sq_conn_flush(sq_conn *s)
{
	return sq_flush(s, false);
}

sqlite3 *sq_conn_sqlite(sq_conn *s)
{
	return s->db;
}

const char *sq_conn_errmsg(const sq_conn *s)
{
	if (!s)
		return "no store";
	return s->err[0] ? s->err : "no error";
}

static int need_writable(sq_conn *s)
{
	if (s->mode != STORE_WRITE)
		return sq_fail(s, -EACCES, "database opened read-only");
	return 0;
}

static int need_txn(sq_conn *s)
{
	if (!s->in_txn)
		return sq_fail(s, -EINVAL,
			       "no transaction: call ojo_store_begin first");
	return 0;
}

int sq_begin(sq_conn *s)
{
	int rc = need_writable(s);
	if (rc)
		return rc;
	if (s->in_txn)
		return sq_fail(s, -EINVAL, "transaction already open");
	sqlite3_stmt *st = sq_stmt(s, ST_BEGIN);
	if (!st)
		return -EIO;
	if ((rc = sq_step_done(s, st, "begin transaction")))
		return rc;
	/* Blocks carry the id the files row will get: the write lock is held
	 * from here on, so nobody else can take it. */
	int64_t next = pragma_int(s, "SELECT coalesce(max(file_id), 0) + 1"
				     " FROM files");
	if (next < 0) {
		rc = -EIO;
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	s->cur_file_id = next;
	s->in_txn = true;
	return 0;
}

int sq_commit(sq_conn *s)
{
	int rc = need_txn(s);
	if (rc)
		return rc;
	if ((rc = sq_flush(s, false)))
		return rc; /* still in the transaction: caller rolls back */
	sqlite3_stmt *st = sq_stmt(s, ST_COMMIT);
	if (!st)
		return -EIO;
	if ((rc = sq_step_done(s, st, "commit")))
		return rc;
	s->in_txn = false;
	return 0;
}

int sq_rollback(sq_conn *s)
{
	int rc = need_txn(s);
	if (rc)
		return rc;
	sq_write_reset(s);
	s->in_txn = false;
	if (sqlite3_get_autocommit(s->db))
		return 0; /* SQLite already rolled back (e.g. after IOERR) */
	sqlite3_stmt *st = sq_stmt(s, ST_ROLLBACK);
	if (!st)
		return -EIO;
	return sq_step_done(s, st, "rollback");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int sq_trace(sq_conn *s, const store_trace_info *info, int64_t *trace_id)
{
	int rc = need_writable(s);
	if (rc)
		return rc;
	if (!info || !info->name || !info->name[0])
		return sq_fail(s, -EINVAL, "trace without a name");
	sqlite3_stmt *st = sq_stmt(s, ST_TRACE_GET);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, info->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*trace_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_sqlfail(s, "look up trace");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if (!(st = sq_stmt(s, ST_TRACE_INSERT)))
		return -EIO;
	sqlite3_bind_text(st, 1, info->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, info->source ? info->source : "ojo", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, info->pid);
	sqlite3_bind_int64(st, 4, (int64_t)info->schema_id);
	bind_text_or_null(st, 5, info->vantage);
	bind_text_or_null(st, 6, info->title);
	if ((rc = sq_step_done(s, st, "create trace")))
		return rc;
	*trace_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int sq_file_get(sq_conn *s, const char *path, store_file_status *out,
		int64_t *size, int64_t *mtime_ns)
{
	*out = STORE_FILE_UNKNOWN;
	if (size)
		*size = 0;
	if (mtime_ns)
		*mtime_ns = 0;
	sqlite3_stmt *st = sq_stmt(s, ST_FILE_STATUS);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v && strcmp(v, "ingested") == 0)
			*out = STORE_FILE_INGESTED;
		else if (v && strcmp(v, "rejected") == 0)
			*out = STORE_FILE_REJECTED;
		if (size)
			*size = sqlite3_column_int64(st, 1);
		if (mtime_ns)
			*mtime_ns = sqlite3_column_int64(st, 2);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = sq_sqlfail(s, "look up file");
	}
	sqlite3_reset(st);
	return rc;
}

static int64_t now_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sq_file_done(sq_conn *s, const store_file_info *fi)
{
	int rc = need_txn(s);
	if (rc)
		return rc;
	if (!fi || !fi->path)
		return sq_fail(s, -EINVAL, "file without a path");
	if (fi->status != STORE_FILE_INGESTED &&
	    fi->status != STORE_FILE_REJECTED)
		return sq_fail(s, -EINVAL,
			       "file status must be ingested "
			       "or rejected");
	/* Everything appended so far belongs to this file. */
	if ((rc = sq_flush(s, false)))
		return rc;
	sqlite3_stmt *st = sq_stmt(s, ST_FILE_DONE);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, s->cur_file_id);
	sqlite3_bind_text(st, 2, fi->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, fi->size);
	sqlite3_bind_int64(st, 4, fi->mtime_ns);
	if (fi->trace_id)
		sqlite3_bind_int64(st, 5, fi->trace_id);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, fi->format ? fi->format : "ojo", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t)fi->batch_start_ns);
	sqlite3_bind_int64(st, 8, (int64_t)fi->events);
	sqlite3_bind_text(
	    st, 9, fi->status == STORE_FILE_INGESTED ? "ingested" : "rejected",
	    -1, SQLITE_STATIC);
	bind_text_or_null(st, 10, fi->reason);
	sqlite3_bind_int64(st, 11, now_realtime_ns());
	if ((rc = sq_step_done(s, st, "record file")))
		return rc;
	s->cur_file_id++;
	return 0;
}

int sq_event_type(sq_conn *s, const store_type_info *ti)
{
	int rc = need_writable(s);
	if (rc)
		return rc;
	if (!ti || !ti->name || !ti->name[0])
		return sq_fail(s, -EINVAL, "event type without a name");
	sqlite3_stmt *st = sq_stmt(s, ST_EVENT_TYPE);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, ti->type);
	sqlite3_bind_text(st, 2, ti->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ti->category ? ti->category : "user", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ti->description ? ti->description : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ti->payload_kind ? ti->payload_kind : "count",
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ti->unit ? ti->unit : "", -1, SQLITE_STATIC);
	return sq_step_done(s, st, "record event type");
}

int sq_unmapped(sq_conn *s, int64_t trace_id, uint32_t flow_id, int64_t time_ns,
		const char *name, const char *json)
{
	int rc = need_txn(s);
	if (rc)
		return rc;
	sqlite3_stmt *st = sq_stmt(s, ST_UNMAPPED);
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, trace_id);
	sqlite3_bind_int64(st, 2, flow_id);
	sqlite3_bind_int64(st, 3, time_ns);
	sqlite3_bind_text(st, 4, name ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, json ? json : "null", -1, SQLITE_STATIC);
	return sq_step_done(s, st, "record unmapped event");
}
