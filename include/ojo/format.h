/* format.h - the on-disk trace format (docs/FORMAT.md is normative).
 *
 * A trace file is one 24-byte header followed by 24-byte records, all
 * little-endian. Readers that want the values should go through
 * ojo/reader.h, which converts on big-endian hosts. */
#ifndef OJO_FORMAT_H
#define OJO_FORMAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OJO_MAGIC	   "OJOT" /* bytes 0..3 of every file */
#define OJO_FORMAT_VERSION 1
#define OJO_FILE_SUFFIX	   ".ojo"

typedef struct ojo_file_header {
	uint8_t magic[4];	 /* "OJOT" */
	uint16_t version;	 /* OJO_FORMAT_VERSION */
	uint16_t reserved;	 /* 0; readers ignore it */
	uint64_t batch_start_ns; /* Unix epoch ns; record times are relative */
	uint64_t schema_id;	 /* 0 = built-in catalog only; else the id of
				    schema-<016x>.json beside the file */
} ojo_file_header;

typedef struct ojo_file_record {
	uint64_t ts_delta_ns; /* event time - batch_start_ns */
	uint32_t flow_id;
	uint32_t event_type;
	uint64_t payload;
} ojo_file_record;

#define OJO_HEADER_SIZE 24
#define OJO_RECORD_SIZE 24

/* C11 and C++11 spell the compile-time check differently. */
#ifdef __cplusplus
#define OJO_STATIC_ASSERT_ static_assert
#else
#define OJO_STATIC_ASSERT_ _Static_assert
#endif
OJO_STATIC_ASSERT_(sizeof(ojo_file_header) == OJO_HEADER_SIZE, "header size");
OJO_STATIC_ASSERT_(sizeof(ojo_file_record) == OJO_RECORD_SIZE, "record size");
#undef OJO_STATIC_ASSERT_

#ifdef __cplusplus
}
#endif
#endif
