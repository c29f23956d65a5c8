/* qlog_import.c - reading a qlog file in any serialization: the format is
 * told from the first bytes; JSON-SEQ and NDJSON go record by record
 * (qlog_records.c), contained JSON event by event (qlog_contained.c). */
#include "qlog/qlog_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RS 0x1e

typedef struct imp {
	store *s;
	const char *name;
	qlog_report *rep;
	char *err;
	size_t errlen;
	qlog_map_ctx *m;
} imp;

static int fail(imp *im, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(imp *im, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(im->err, im->errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int store_fail_msg(imp *im, int rc)
{
	if (rc == -ENOMEM)
		return fail(im, rc, "out of memory");
	return fail(im, rc, "database: %s", qlog_map_errmsg(im->m));
}

static const char *version_of(const cJSON *o)
{
	const char *v = qlog_json_str(o, "qlog_version");
	return v ? v : qlog_json_str(o, "file_schema");
}

/* ---- JSON-SEQ and NDJSON -------------------------------------------- */

static int import_seq(imp *im, qlog_rec_reader *r, bool seq)
{
	qlog_source *src = NULL;
	qlog_record rec;
	bool have_header = false;
	qlog_trace tr;
	int rc;

	snprintf(im->rep->format, sizeof(im->rep->format), "%s",
		 seq ? "json-seq" : "ndjson");
	if ((rc = qlog_source_open(&src, r, seq)) < 0)
		return fail(im, rc, "out of memory");
	while ((rc = qlog_source_next(src, &rec)) > 0) {
		if (!rec.j) {
			if (!have_header) {
				rc = fail(im, -EINVAL,
					  "not qlog: first record is not a "
					  "JSON object (%s at byte %llu)",
					  rec.last ? "cut off" : "invalid",
					  (unsigned long long)rec.at);
				break;
			}
			if (rec.last) {
				im->rep->truncated = true;
				snprintf(im->rep->warning,
					 sizeof(im->rep->warning),
					 "truncated at byte %llu: kept the "
					 "records before it",
					 (unsigned long long)rec.at);
				rc = 0;
				break;
			}
			im->rep->bad_records++;
			continue;
		}
		if (!have_header) {
			const char *v = version_of(rec.j);
			if (!v) {
				rc = fail(im, -EINVAL,
					  "not qlog: no qlog_version or "
					  "file_schema in the first record");
				break;
			}
			snprintf(im->rep->version, sizeof(im->rep->version),
				 "%s", v);
			qlog_trace_init(&tr, 0, rec.j, qj_get(rec.j, "trace"),
					v);
			have_header = true;
			if ((rc = qlog_map_trace(im->m, &tr)) < 0) {
				rc = store_fail_msg(im, rc);
				break;
			}
			continue;
		}
		qlog_event ev;
		if (qlog_event_read(&tr, rec.j, &ev))
			rc = qlog_map_event(im->m, &ev, rec.j, rec.raw,
					    rec.rawlen);
		else
			im->rep->malformed++, rc = 0;
		if (rc < 0) {
			rc = store_fail_msg(im, rc);
			break;
		}
	}
	qlog_source_close(src);
	if (rc < 0 && !im->err[0])
		rc = rc == -E2BIG
			 ? fail(im, -EINVAL, "record longer than %u bytes",
				QR_MAX_RECORD)
			 : fail(im, rc, "read error");
	if (rc < 0)
		return rc;
	if (!have_header)
		return fail(im, -EINVAL, "not qlog: no header record");
	return 0;
}

/* ---- contained JSON -------------------------------------------------- */

static int import_contained(imp *im, qlog_rec_reader *r)
{
	bool store_failed;
	int rc;

	r->limit = (size_t)1 << 31;
	while ((rc = qlog_rec_fill(r)) > 0)
		;
	if (rc < 0)
		return rc == -E2BIG ? fail(im, -EFBIG,
					   "file too large for contained JSON")
				    : fail(im, rc, "read error");
	snprintf(im->rep->format, sizeof(im->rep->format), "json");
	rc = qlog_contained_import(r->buf + r->pos, r->len - r->pos, im->m,
				   im->rep, im->err, im->errlen, &store_failed);
	if (rc < 0 && store_failed)
		return store_fail_msg(im, rc);
	if (rc == -ENOMEM)
		return fail(im, rc, "out of memory");
	return rc;
}

/* ---- entry points ---------------------------------------------------- */

bool qlog_sniff(const void *head, size_t n)
{
	const char *p = head;
	size_t i = 0;
	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n &&
	       (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && p[i] == RS)
		return true;
	if (i >= n || p[i] != '{')
		return false;
	return memmem(p, n, "qlog_version", 12) ||
	       memmem(p, n, "file_schema", 11) ||
	       memmem(p, n, "qlog_format", 11);
}

static int import_file(imp *im, FILE *f)
{
	qlog_rec_reader r = {.f = f};
	int rc;
	size_t i = 0;

	/* look at the start: RS means JSON-SEQ; a first line that is a whole
	   object without "traces" means NDJSON; anything else is contained */
	while ((rc = qlog_rec_fill(&r)) > 0 && r.len < 4096)
		;
	if (rc < 0) {
		free(r.buf);
		return fail(im, rc, "read error");
	}
	if (r.len >= 3 && !memcmp(r.buf, "\xef\xbb\xbf", 3))
		i = r.pos = 3;
	while (i < r.len && (r.buf[i] == ' ' || r.buf[i] == '\t' ||
			     r.buf[i] == '\r' || r.buf[i] == '\n'))
		i++;
	if (i == r.len) {
		free(r.buf);
		return fail(im, -EINVAL, "not qlog: empty file");
	}
	if (r.buf[i] == RS) {
		rc = import_seq(im, &r, true);
	} else if (r.buf[i] != '{') {
		rc = fail(im, -EINVAL,
			  "not qlog: does not start with a JSON object "
			  "(byte 0x%02x at %zu)",
			  (unsigned char)r.buf[i], i);
	} else {
		bool ndjson = false;
		char *nl;
		while (!(nl = memchr(r.buf + i, '\n', r.len - i)) && !r.eof &&
		       r.len < (16u << 20))
			if ((rc = qlog_rec_fill(&r)) < 0)
				break;
		if (nl) {
			cJSON *j = cJSON_ParseWithLength(
			    r.buf + i, (size_t)(nl - (r.buf + i)));
			ndjson = cJSON_IsObject(j) && !qj_get(j, "traces") &&
				 (qj_get(j, "trace") || version_of(j));
			cJSON_Delete(j);
		}
		rc = ndjson ? import_seq(im, &r, false)
			    : import_contained(im, &r);
	}
	free(r.buf);
	return rc;
}

static int run(store *s, const char *name, FILE *f, qlog_report *rep, char *err,
	       size_t errlen)
{
	imp im = {s, name, rep, err, errlen, NULL};
	int rc;
	memset(rep, 0, sizeof(*rep));
	if (errlen)
		err[0] = '\0';
	if ((rc = qlog_map_open(&im.m, s, name, rep)) < 0)
		return fail(&im, rc, "cannot start the import: %s",
			    s ? store_errmsg(s) : "out of memory");
	rc = import_file(&im, f);
	if (rc >= 0 && (rc = qlog_map_finish(im.m)) < 0)
		rc = store_fail_msg(&im, rc);
	qlog_map_close(im.m);
	return rc < 0 ? rc : 0;
}

int qlog_import(store *s, const char *path, qlog_report *rep, char *err,
		size_t errlen)
{
	char abs[4096];
	FILE *f = fopen(path, "rb");
	int rc;
	if (!f) {
		rc = -errno;
		memset(rep, 0, sizeof(*rep));
		snprintf(err, errlen, "cannot open: %s", strerror(-rc));
		/* not the file's content: callers leave it out of the ledger */
		return rc == -EACCES ? -EACCES : -EIO;
	}
	if (!realpath(path, abs))
		snprintf(abs, sizeof(abs), "%s", path);
	rc = run(s, abs, f, rep, err, errlen);
	fclose(f);
	return rc;
}

int qlog_import_mem(store *s, const char *name, const void *buf, size_t len,
		    qlog_report *rep, char *err, size_t errlen)
{
	static char empty[1];
	FILE *f = fmemopen(len ? (void *)buf : empty, len ? len : 1, "rb");
	int rc;
	if (!f) {
		memset(rep, 0, sizeof(*rep));
		snprintf(err, errlen, "cannot read from memory");
		return -ENOMEM;
	}
	if (!len)
		fgetc(f); /* fmemopen refuses size 0: consume the dummy byte */
	rc = run(s, name, f, rep, err, errlen);
	fclose(f);
	return rc;
}
