/* reader.c - zero-copy reading and validation of Ojo trace files.
 *
 * A file is mapped read-only and validated once at open; records are then
 * served straight from the mapping. Files in output/ are never modified
 * after their rename (docs/FORMAT.md), so the mapping stays valid; do not
 * open files under staging/, whose writer may still truncate them. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ojo/reader.h"

struct ojo_reader {
	const unsigned char *data;
	size_t size;
	bool mapped; /* data is our mmap, unmapped at close */
	size_t count;
	uint16_t version;
	uint64_t batch_start_ns;
	uint64_t schema_id;
	ojo_reader_error status; /* code 0, or the trailing partial record */
};

static int fail(ojo_reader_error *err, int code, uint64_t offset,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fills err (if any) and returns code, so callers can `return fail(...)`. */
static int fail(ojo_reader_error *err, int code, uint64_t offset,
		const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

static uint16_t load_le16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t load_le32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t load_le64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Shows the 4 bytes found where the magic belongs, escaping non-text. */
static void quote_magic(const unsigned char *p, char *out, size_t len)
{
	size_t n = 0;
	for (int i = 0; i < 4 && n + 5 < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			out[n++] = (char)p[i];
		else
			n +=
			    (size_t)snprintf(out + n, len - n, "\\x%02x", p[i]);
	}
	out[n] = '\0';
}

/* Checks the header and sizes; fills r from data/size. */
static int validate(ojo_reader *r, ojo_reader_error *err)
{
	const unsigned char *d = r->data;
	size_t size = r->size;

	if (size == 0)
		return fail(err, -OJO_ETRUNCATED, 0,
			    "empty file: no header (0 of %d bytes)",
			    OJO_HEADER_SIZE);
	if (size < OJO_HEADER_SIZE)
		return fail(err, -OJO_ETRUNCATED, 0,
			    "truncated header: %zu of %d bytes", size,
			    OJO_HEADER_SIZE);
	if (memcmp(d, OJO_MAGIC, 4) != 0) {
		char found[24];
		quote_magic(d, found, sizeof(found));
		return fail(err, -OJO_EBADMAGIC, 0,
			    "bad magic at byte 0: \"%s\", expected \"%s\" "
			    "(not an Ojo trace file)",
			    found, OJO_MAGIC);
	}
	r->version = load_le16(d + 4);
	if (r->version != OJO_FORMAT_VERSION)
		return fail(err, -OJO_EVERSION, 4,
			    "unknown format version %u at byte 4 (this "
			    "library reads version %d only)",
			    r->version, OJO_FORMAT_VERSION);
	/* bytes 6..7 are reserved: written as 0, ignored when read */
	r->batch_start_ns = load_le64(d + 8);
	r->schema_id = load_le64(d + 16);

	size_t body = size - OJO_HEADER_SIZE;
	r->count = body / OJO_RECORD_SIZE;
	size_t partial = body % OJO_RECORD_SIZE;
	memset(&r->status, 0, sizeof(r->status));
	if (partial) {
		uint64_t at =
		    OJO_HEADER_SIZE + (uint64_t)r->count * OJO_RECORD_SIZE;
		fail(&r->status, -OJO_ETRUNCATED, at,
		     "truncated record at byte %llu (%zu of %d bytes; the "
		     "%zu whole records before it are readable)",
		     (unsigned long long)at, partial, OJO_RECORD_SIZE,
		     r->count);
	}
	return 0;
}

OJO_API int ojo_reader_open_mem(const void *data, size_t size, ojo_reader **out,
				ojo_reader_error *err)
{
	if (!out || (!data && size))
		return fail(err, -EINVAL, 0, "invalid argument");
	*out = NULL;
	ojo_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return fail(err, -ENOMEM, 0, "out of memory");
	r->data = data;
	r->size = size;
	int rc = validate(r, err);
	if (rc) {
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

OJO_API int ojo_reader_open(const char *path, ojo_reader **out,
			    ojo_reader_error *err)
{
	if (!path || !out)
		return fail(err, -EINVAL, 0, "invalid argument");
	*out = NULL;
	/* O_NONBLOCK: a FIFO must not hang the caller; it is rejected below */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		return fail(err, -e, 0, "cannot open: %s", strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return fail(err, -e, 0, "cannot stat: %s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		return fail(err, -e, 0, "%s",
			    S_ISDIR(st.st_mode) ? "is a directory, not a file"
						: "not a regular file");
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return fail(err, -EFBIG, 0, "file too large to map");
	}
	size_t size = (size_t)st.st_size;
	void *map = NULL;
	if (size > 0) {
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			int e = errno;
			close(fd);
			return fail(err, -e, 0, "cannot map: %s", strerror(e));
		}
		/* records are read front to back, usually once */
		(void)madvise(map, size, MADV_SEQUENTIAL);
	}
	close(fd); /* the mapping keeps the file referenced */

	ojo_reader *r;
	int rc = ojo_reader_open_mem(map, size, &r, err);
	if (rc) {
		if (map)
			munmap(map, size);
		return rc;
	}
	r->mapped = map != NULL;
	*out = r;
	return 0;
}

OJO_API void ojo_reader_close(ojo_reader *r)
{
	if (!r)
		return;
	if (r->mapped)
		munmap((void *)r->data, r->size);
	free(r);
}

OJO_API int ojo_reader_status(const ojo_reader *r, ojo_reader_error *err)
{
	if (err)
		*err = r->status;
	return r->status.code;
}

OJO_API uint64_t ojo_reader_batch_start_ns(const ojo_reader *r)
{
	return r->batch_start_ns;
}

OJO_API uint64_t ojo_reader_schema_id(const ojo_reader *r)
{
	return r->schema_id;
}

OJO_API uint16_t ojo_reader_version(const ojo_reader *r)
{
	return r->version;
}

OJO_API size_t ojo_reader_count(const ojo_reader *r)
{
	return r->count;
}

OJO_API const ojo_file_record *ojo_reader_records(const ojo_reader *r)
{
	return (const ojo_file_record *)(const void *)(r->data +
						       OJO_HEADER_SIZE);
}

OJO_API int ojo_reader_get(const ojo_reader *r, size_t i, ojo_record_view *out)
{
	if (i >= r->count)
		return -ERANGE;
	/* memcpy-based loads: open_mem data need not be 8-byte aligned */
	const unsigned char *p =
	    r->data + OJO_HEADER_SIZE + i * (size_t)OJO_RECORD_SIZE;
	out->time_ns = r->batch_start_ns + load_le64(p);
	out->flow_id = load_le32(p + 8);
	out->event_type = load_le32(p + 12);
	out->payload = load_le64(p + 16);
	return 0;
}

/* Reads a run of at least min_digits decimal digits into *v (no overflow)
 * and returns the position after it, or NULL. */
static const char *parse_u64(const char *s, size_t min_digits, uint64_t *v)
{
	uint64_t x = 0;
	size_t n = 0;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return NULL;
		x = x * 10 + d;
	}
	if (n < min_digits || n == 0)
		return NULL;
	*v = x;
	return s;
}

OJO_API int ojo_parse_file_name(const char *name, char *trace, size_t trace_len,
				uint64_t *batch_seq)
{
	if (!name)
		return -EINVAL;
	const char *slash = strrchr(name, '/');
	if (slash)
		name = slash + 1; /* a leading directory is allowed */

	/* <time %019llu>-<pid %d>-<seq %u>-<batch %08llu>.ojo */
	uint64_t t, pid, seq, batch;
	const char *p = parse_u64(name, 19, &t);
	if (!p || *p++ != '-')
		return -EINVAL;
	p = parse_u64(p, 1, &pid);
	if (!p || *p++ != '-' || pid > INT32_MAX)
		return -EINVAL;
	p = parse_u64(p, 1, &seq);
	if (!p || *p != '-' || seq > UINT32_MAX)
		return -EINVAL;
	const char *trace_end = p++;
	p = parse_u64(p, 8, &batch);
	if (!p || batch == 0 || strcmp(p, OJO_FILE_SUFFIX) != 0)
		return -EINVAL;

	size_t n = (size_t)(trace_end - name);
	if (trace) {
		if (n >= trace_len)
			return -ENAMETOOLONG;
		memcpy(trace, name, n);
		trace[n] = '\0';
	}
	if (batch_seq)
		*batch_seq = batch;
	return 0;
}
