/* reader.h - zero-copy reading and validation of Ojo trace files. */
#ifndef OJO_READER_H
#define OJO_READER_H

#include <stddef.h>
#include <stdint.h>

#include "ojo/format.h"
#include "ojo/ojo.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ojo_reader ojo_reader;

/* What went wrong and where: filled on any failure of the reader. */
typedef struct ojo_reader_error {
	int code;	 /* negative: -OJO_EBADMAGIC, -OJO_ETRUNCATED, -errno */
	uint64_t offset; /* byte offset in the file where the problem is */
	/* e.g. "truncated record at byte 1234 (10 of 24 bytes; ...)" */
	char message[160];
} ojo_reader_error;

/* Maps path read-only and validates its header. A file whose size is not
 * header + whole records opens successfully (the whole records stay
 * readable) but ojo_reader_status() reports -OJO_ETRUNCATED with the offset
 * of the partial record. On failure *out is NULL and err (if not NULL)
 * says why. On success the caller owns *out: ojo_reader_close() it. */
int ojo_reader_open(const char *path, ojo_reader **out, ojo_reader_error *err);

/* Same, over caller-owned memory (not copied; must outlive the reader). */
int ojo_reader_open_mem(const void *data, size_t size, ojo_reader **out,
			ojo_reader_error *err);

/* Unmaps the file and frees r; records obtained from it die with it.
 * Accepts NULL. */
void ojo_reader_close(ojo_reader *r);

/* 0, or -OJO_ETRUNCATED with err filled in for a trailing partial record. */
int ojo_reader_status(const ojo_reader *r, ojo_reader_error *err);

/* Header values, host byte order. */
uint64_t ojo_reader_batch_start_ns(const ojo_reader *r);
uint64_t ojo_reader_schema_id(const ojo_reader *r);
uint16_t ojo_reader_version(const ojo_reader *r);

/* Number of whole records. */
size_t ojo_reader_count(const ojo_reader *r);

/* Pointer to the records as they lie in the file (little-endian), owned
 * by r and valid until ojo_reader_close(); for zero-copy scans on
 * little-endian hosts. Aligned for files; for ojo_reader_open_mem() only
 * if data + 24 is 8-byte aligned (else use ojo_reader_get()). */
const ojo_file_record *ojo_reader_records(const ojo_reader *r);

/* Record i in host byte order, with the absolute time added: returns 0, or
 * -ERANGE past the end. */
typedef struct ojo_record_view {
	uint64_t time_ns; /* Unix epoch ns: batch_start_ns + ts_delta_ns */
	uint32_t flow_id;
	uint32_t event_type;
	uint64_t payload;
} ojo_record_view;
int ojo_reader_get(const ojo_reader *r, size_t i, ojo_record_view *out);

/* Parses a trace file name (see FORMAT.md; a leading directory is
 * skipped) into its trace name (the part shared by every batch of one
 * tracer) and batch sequence number, so consumers can group and order
 * files. trace and batch_seq may be NULL. Returns 0, -EINVAL if name is not
 * an Ojo trace file name, or -ENAMETOOLONG if trace_len is too small. */
int ojo_parse_file_name(const char *name, char *trace, size_t trace_len,
			uint64_t *batch_seq);

#ifdef __cplusplus
}
#endif
#endif
