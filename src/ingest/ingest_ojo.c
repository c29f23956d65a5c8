/* ingest_ojo.c - one Ojo batch file (docs/FORMAT.md) into the store.
 *
 * Records are streamed from the reader's read-only mapping in chunks of
 * CHUNK events, and the pages already consumed are handed back to the
 * kernel, so a file of any size needs only a chunk's worth of memory here
 * (the store bounds its own buffering per block). */
#include "ingest/ingest_int.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ojo/reader.h"

enum { CHUNK = 65536 };

/* The trace name "<start>-<pid>-<seq>" carries the writer's pid. */
static int64_t pid_of_trace(const char *trace)
{
	const char *p = strchr(trace, '-');
	return p ? strtoll(p + 1, NULL, 10) : 0;
}

/* Gives back the pages of [from, to) of the mapping: they are read once. */
static void drop_pages(const void *from, const void *to)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)from + page - 1) & ~(page - 1);
	uintptr_t b = (uintptr_t)to & ~(page - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

/* Registers schema-<id>.json from beside the file, if the batch names one.
 * A missing or bad schema only costs the types' names: it is a warning. */
static void register_schema(ingest_ctx *c, uint64_t schema_id, char *warn,
			    size_t warnlen)
{
	char path[4096], name[64], err[160];
	const char *slash = strrchr(c->path, '/');
	int dir_len = slash ? (int)(slash - c->path) : 0;

	if (!schema_id)
		return;
	snprintf(name, sizeof(name), "schema-%016" PRIx64 ".json", schema_id);
	if (snprintf(path, sizeof(path), "%.*s/%s", dir_len, c->path, name) >=
	    (int)sizeof(path))
		return;
	if (access(path, F_OK) != 0) {
		snprintf(warn, warnlen, "%s not found beside it", name);
		return;
	}
	if (ingest_schema_register(c->s, path, err, sizeof(err)) < 0)
		snprintf(warn, warnlen, "%s: %s (types shown by number)", name,
			 err);
}

/* Stores every whole record of r under trace_id. */
static int append_records(ingest_ctx *c, const ojo_reader *r, int64_t trace_id,
			  store_event *buf)
{
	const ojo_file_record *rec = ojo_reader_records(r);
	size_t n = ojo_reader_count(r);
	uint64_t start = ojo_reader_batch_start_ns(r);
	int rc;

	for (size_t i = 0; i < n; i += CHUNK) {
		size_t m = n - i < CHUNK ? n - i : CHUNK;
		for (size_t j = 0; j < m; j++) {
			const ojo_file_record *f = &rec[i + j];
			buf[j].time_ns =
			    (int64_t)(start + le64toh(f->ts_delta_ns));
			buf[j].flow_id = le32toh(f->flow_id);
			buf[j].type = le32toh(f->event_type);
			buf[j].payload = le64toh(f->payload);
		}
		if ((rc = store_append(c->s, trace_id, buf, m)) < 0)
			return rc;
		drop_pages(&rec[i], &rec[i + m]);
	}
	return 0;
}

/* The name of the trace a batch belongs to; a file renamed by hand keeps
 * its own name as the trace name. */
static void trace_name_of(const char *path, char *trace, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (ojo_parse_file_name(base, trace, len, NULL) == 0)
		return;
	snprintf(trace, len, "%.*s", (int)(strlen(base) - 4), base);
}

int ingest_ojo(ingest_ctx *c)
{
	ojo_reader *r = NULL;
	ojo_reader_error e;
	store_event *buf = NULL;
	char trace[256], warn[256] = "";
	int64_t trace_id = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = ojo_reader_open(c->path, &r, &e);
	if (rc == -OJO_ETRUNCATED && !(c->flags & INGEST_SETTLED)) {
		c->res->unsettled = true;
		snprintf(c->res->reason, sizeof(c->res->reason), "%s",
			 e.message);
		return 0;
	}
	if (rc == -OJO_EBADMAGIC || rc == -OJO_EVERSION ||
	    rc == -OJO_ETRUNCATED)
		return ingest_reject(c, "ojo", e.message);
	if (rc < 0) { /* I/O trouble is not the file's fault: retry later */
		snprintf(c->res->reason, sizeof(c->res->reason), "%s",
			 e.message);
		return 0;
	}
	if (ojo_reader_status(r, &e) == -OJO_ETRUNCATED) {
		if (!(c->flags & INGEST_SETTLED)) {
			c->res->unsettled = true;
			snprintf(c->res->reason, sizeof(c->res->reason), "%s",
				 e.message);
			ojo_reader_close(r);
			return 0;
		}
		snprintf(warn, sizeof(warn),
			 "truncated at byte %" PRIu64
			 ": kept the %zu whole records before it",
			 e.offset, ojo_reader_count(r));
	}
	buf = malloc(sizeof(*buf) * CHUNK);
	if (!buf) {
		ojo_reader_close(r);
		return -ENOMEM;
	}

	trace_name_of(c->path, trace, sizeof(trace));
	store_trace_info ti = {
	    .name = trace,
	    .source = "ojo",
	    .pid = pid_of_trace(trace),
	    .schema_id = ojo_reader_schema_id(r),
	};
	store_file_info fi;
	ingest_file_info(c, &fi, "ojo");
	fi.batch_start_ns = ojo_reader_batch_start_ns(r);
	fi.events = ojo_reader_count(r);

	if ((rc = ingest_begin(c)) != 0) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	if ((rc = store_trace(c->s, &ti, &trace_id)) < 0)
		goto fail;
	if (!warn[0])
		register_schema(c, ti.schema_id, warn, sizeof(warn));
	else
		register_schema(c, ti.schema_id, NULL, 0);
	if ((rc = append_records(c, r, trace_id, buf)) < 0)
		goto fail;
	fi.trace_id = trace_id;
	fi.reason = warn[0] ? warn : NULL;
	if ((rc = store_file_done(c->s, &fi)) < 0 ||
	    (rc = store_commit(c->s)) < 0)
		goto fail;
	c->res->status = STORE_FILE_INGESTED;
	c->res->events = fi.events;
	snprintf(c->res->reason, sizeof(c->res->reason), "%s", warn);
	goto out;
fail:
	rc = ingest_fail(c, rc);
out:
	free(buf);
	ojo_reader_close(r);
	return rc;
}
