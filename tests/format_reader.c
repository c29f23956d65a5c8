/* format_reader.c - the reader on hand-built files: byte layout, every
 * malformed case it reports, and the exact offsets it names. Files are
 * assembled byte by byte (not through the structs) so the test also pins
 * the little-endian layout of docs/FORMAT.md. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ojo/reader.h"

static char *tmpdir;

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* header + n records; record i has distinctive values derived from i. */
static unsigned char *build(size_t n, size_t extra, size_t *size)
{
	*size = OJO_HEADER_SIZE + n * OJO_RECORD_SIZE + extra;
	unsigned char *b = calloc(1, *size + 1);
	memcpy(b, "OJOT", 4);
	put_le(b + 4, 1, 2);
	put_le(b + 6, 0, 2);
	put_le(b + 8, UINT64_C(0x1700000000000000), 8);
	put_le(b + 16, UINT64_C(0x1122334455667788), 8);
	for (size_t i = 0; i < n; i++) {
		unsigned char *r = b + OJO_HEADER_SIZE + i * OJO_RECORD_SIZE;
		put_le(r, i * 1000 + 0x0102030405ULL, 8);
		put_le(r + 8, (uint32_t)(0xA0B0C000u + i), 4);
		put_le(r + 12, (uint32_t)(0x10000u + i), 4);
		put_le(r + 16, UINT64_C(0xF1E2D3C4B5A69788) ^ i, 8);
	}
	for (size_t i = 0; i < extra; i++)
		b[OJO_HEADER_SIZE + n * OJO_RECORD_SIZE + i] = 0xEE;
	return b;
}

static char *path_of(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

/* Opens data both from a file and from memory; both must agree. Returns
 * the open code and fills err from the file path variant. */
static int open_both(const void *data, size_t size, ojo_reader **out,
		     ojo_reader_error *err)
{
	char *p = path_of("case.ojo");
	test_write_file(p, data, size);
	ojo_reader *m = NULL;
	ojo_reader_error merr;
	memset(err, 0, sizeof(*err));
	int rc = ojo_reader_open(p, out, err);
	int mrc = ojo_reader_open_mem(data, size, &m, &merr);
	EXPECT(rc == mrc);
	if (rc) {
		EXPECT(*out == NULL && m == NULL);
		EXPECT(err->code == rc && merr.code == rc);
		EXPECT(err->offset == merr.offset);
		EXPECT(strcmp(err->message, merr.message) == 0);
	}
	ojo_reader_close(m);
	return rc;
}

static void check_records(ojo_reader *r, size_t n)
{
	EXPECT(ojo_reader_count(r) == n);
	EXPECT(ojo_reader_version(r) == 1);
	EXPECT(ojo_reader_batch_start_ns(r) == UINT64_C(0x1700000000000000));
	EXPECT(ojo_reader_schema_id(r) == UINT64_C(0x1122334455667788));
	const unsigned char *raw = (const void *)ojo_reader_records(r);
	for (size_t i = 0; i < n; i++) {
		ojo_record_view v;
		EXPECT(ojo_reader_get(r, i, &v) == 0);
		EXPECT(v.time_ns == UINT64_C(0x1700000000000000) + i * 1000 +
					0x0102030405ULL);
		EXPECT(v.flow_id == 0xA0B0C000u + i);
		EXPECT(v.event_type == 0x10000u + i);
		EXPECT(v.payload == (UINT64_C(0xF1E2D3C4B5A69788) ^ i));
		/* zero copy: the records are the file's bytes */
		const unsigned char *rec = raw + i * OJO_RECORD_SIZE;
		EXPECT(rec[0] == (unsigned char)((i * 1000 + 0x0102030405ULL)));
		EXPECT(rec[8] == (unsigned char)(0xA0B0C000u + i));
		EXPECT(rec[23] == 0xF1);
	}
	ojo_record_view v;
	EXPECT(ojo_reader_get(r, n, &v) == -ERANGE);
}

static void test_valid(void)
{
	size_t sizes[] = {0, 1, 2, 1000};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t size;
		unsigned char *b = build(sizes[k], 0, &size);
		ojo_reader *r;
		ojo_reader_error err;
		EXPECT(open_both(b, size, &r, &err) == 0);
		if (r) {
			check_records(r, sizes[k]);
			ojo_reader_error st;
			EXPECT(ojo_reader_status(r, &st) == 0 && st.code == 0);
		}
		ojo_reader_close(r);
		free(b);
	}
}

/* The struct view of the records must match on this (little-endian) host. */
static void test_struct_view(void)
{
	size_t size;
	unsigned char *b = build(3, 0, &size);
	ojo_reader *r;
	EXPECT(ojo_reader_open_mem(b, size, &r, NULL) == 0);
	const ojo_file_record *rec = ojo_reader_records(r);
	EXPECT((const unsigned char *)rec == b + OJO_HEADER_SIZE);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	EXPECT(rec[2].ts_delta_ns == 2000 + 0x0102030405ULL);
	EXPECT(rec[2].flow_id == 0xA0B0C002u);
	EXPECT(rec[2].event_type == 0x10002u);
	EXPECT(rec[2].payload == (UINT64_C(0xF1E2D3C4B5A69788) ^ 2));
#endif
	ojo_reader_close(r);
	free(b);
}

/* Memory not aligned to 8 bytes still reads correctly. */
static void test_unaligned(void)
{
	size_t size;
	unsigned char *b = build(5, 0, &size);
	unsigned char *u = malloc(size + 1);
	memcpy(u + 1, b, size);
	ojo_reader *r;
	EXPECT(ojo_reader_open_mem(u + 1, size, &r, NULL) == 0);
	if (r)
		check_records(r, 5);
	ojo_reader_close(r);
	free(u);
	free(b);
}

static void test_empty(void)
{
	ojo_reader *r = (ojo_reader *)&r;
	ojo_reader_error err;
	EXPECT(open_both("", 0, &r, &err) == -OJO_ETRUNCATED);
	EXPECT(r == NULL);
	EXPECT(err.offset == 0);
	EXPECT_CONTAINS(err.message, "empty file");
}

static void test_short_header(void)
{
	size_t size;
	unsigned char *b = build(0, 0, &size);
	for (size_t n = 1; n < OJO_HEADER_SIZE; n++) {
		ojo_reader *r;
		ojo_reader_error err;
		EXPECT(open_both(b, n, &r, &err) == -OJO_ETRUNCATED);
		EXPECT(err.offset == 0);
		char want[64];
		snprintf(want, sizeof(want),
			 "truncated header: %zu of 24 bytes", n);
		EXPECT_CONTAINS(err.message, want);
	}
	free(b);
}

static void test_bad_magic(void)
{
	size_t size;
	unsigned char *b = build(2, 0, &size);
	ojo_reader *r;
	ojo_reader_error err;
	memcpy(b, "OJOX", 4);
	EXPECT(open_both(b, size, &r, &err) == -OJO_EBADMAGIC);
	EXPECT(err.offset == 0);
	EXPECT_CONTAINS(err.message, "bad magic at byte 0");
	EXPECT_CONTAINS(err.message, "\"OJOX\"");
	EXPECT_CONTAINS(err.message, "expected \"OJOT\"");

	/* a JSON file, the likeliest stranger in a trace directory */
	memcpy(b, "{\"tr", 4);
	EXPECT(open_both(b, size, &r, &err) == -OJO_EBADMAGIC);
	EXPECT_CONTAINS(err.message, "\"{\\x22tr\"");

	memcpy(b,
	       "\0\x01\xff"
	       "T",
	       4);
	EXPECT(open_both(b, size, &r, &err) == -OJO_EBADMAGIC);
	EXPECT_CONTAINS(err.message, "\\x00\\x01\\xffT");

	/* lower case is not the magic either */
	memcpy(b, "ojot", 4);
	EXPECT(open_both(b, size, &r, &err) == -OJO_EBADMAGIC);
	free(b);
}

static void test_bad_version(void)
{
	size_t size;
	unsigned char *b = build(2, 0, &size);
	unsigned versions[] = {0, 2, 256, 65535};
	for (size_t k = 0; k < 4; k++) {
		ojo_reader *r;
		ojo_reader_error err;
		put_le(b + 4, versions[k], 2);
		EXPECT(open_both(b, size, &r, &err) == -OJO_EVERSION);
		EXPECT(err.offset == 4);
		char want[64];
		snprintf(want, sizeof(want), "version %u at byte 4",
			 versions[k]);
		EXPECT_CONTAINS(err.message, want);
		EXPECT_CONTAINS(err.message, "reads version 1");
	}
	free(b);
}

/* Reserved bytes are ignored, as FORMAT.md promises. */
static void test_reserved_ignored(void)
{
	size_t size;
	unsigned char *b = build(1, 0, &size);
	put_le(b + 6, 0xBEEF, 2);
	ojo_reader *r;
	ojo_reader_error err;
	EXPECT(open_both(b, size, &r, &err) == 0);
	if (r)
		check_records(r, 1);
	ojo_reader_close(r);
	free(b);
}

static void test_partial_record(void)
{
	size_t counts[] = {0, 3, 100};
	for (size_t k = 0; k < 3; k++) {
		for (size_t extra = 1; extra < OJO_RECORD_SIZE; extra++) {
			size_t size;
			unsigned char *b = build(counts[k], extra, &size);
			ojo_reader *r;
			ojo_reader_error err;
			EXPECT(open_both(b, size, &r, &err) == 0);
			if (!r) {
				free(b);
				continue;
			}
			check_records(r, counts[k]);
			ojo_reader_error st;
			EXPECT(ojo_reader_status(r, &st) == -OJO_ETRUNCATED);
			EXPECT(st.code == -OJO_ETRUNCATED);
			uint64_t at = 24 + 24 * counts[k];
			EXPECT(st.offset == at);
			char want[96];
			snprintf(want, sizeof(want),
				 "truncated record at byte %llu (%zu of 24 "
				 "bytes",
				 (unsigned long long)at, extra);
			EXPECT_CONTAINS(st.message, want);
			EXPECT(ojo_reader_status(r, NULL) == -OJO_ETRUNCATED);
			ojo_reader_close(r);
			free(b);
		}
	}
}

static void test_missing_and_special(void)
{
	ojo_reader *r = (ojo_reader *)&r;
	ojo_reader_error err;
	EXPECT(ojo_reader_open(path_of("nope.ojo"), &r, &err) == -ENOENT);
	EXPECT(r == NULL && err.code == -ENOENT);
	EXPECT_CONTAINS(err.message, strerror(ENOENT));

	EXPECT(ojo_reader_open(tmpdir, &r, &err) == -EISDIR);
	EXPECT(r == NULL);
	EXPECT_CONTAINS(err.message, "directory");

	char *fifo = path_of("fifo");
	EXPECT(mkfifo(fifo, 0600) == 0);
	EXPECT(ojo_reader_open(fifo, &r, &err) == -EINVAL);
	EXPECT_CONTAINS(err.message, "not a regular file");

	/* unreadable: root reads anything, so only check as another user */
	if (geteuid() != 0) {
		size_t size;
		unsigned char *b = build(1, 0, &size);
		char *p = path_of("secret.ojo");
		test_write_file(p, b, size);
		EXPECT(chmod(p, 0) == 0);
		EXPECT(ojo_reader_open(p, &r, &err) == -EACCES);
		EXPECT_CONTAINS(err.message, strerror(EACCES));
		free(b);
	}

	/* a missing err pointer is allowed */
	EXPECT(ojo_reader_open(path_of("nope.ojo"), &r, NULL) == -ENOENT);
	EXPECT(ojo_reader_open_mem("OJ", 2, &r, NULL) == -OJO_ETRUNCATED);
	ojo_reader_close(NULL);
}

int main(void)
{
	tmpdir = test_tmpdir();
	test_valid();
	test_struct_view();
	test_unaligned();
	test_empty();
	test_short_header();
	test_bad_magic();
	test_bad_version();
	test_reserved_ignored();
	test_partial_record();
	test_missing_and_special();
	test_rmtree(tmpdir);
	free(tmpdir);
	return check_report("format_reader");
}
