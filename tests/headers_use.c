/* headers_use.c - the public API as a C and as a C++ program sees it.
 *
 * Built twice by tests/headers.cmake: as C17 and as C++11, both linked
 * against the static library. The C++ build fails to link if a public
 * function lacks C linkage, and both runs check real results: a tracer
 * writes a batch, the reader reads it back, the macros round-trip. Kept
 * free of test helpers so that it stays valid C++. */
#include <ojo/events.h>
#include <ojo/format.h>
#include <ojo/ojo.h>
#include <ojo/reader.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __cplusplus
#define LANG "C++"
#else
#define LANG "C"
#endif

static int failures;

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d (%s): check failed: %s\n",      \
				__FILE__, __LINE__, LANG, #c);                 \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Every public function, by address: a missing or mangled one fails the
 * link rather than the run. */
typedef void (*any_fn)(void);
static const any_fn every_function[] = {
    (any_fn)ojo_strerror,
    (any_fn)ojo_config_init,
    (any_fn)ojo_tracer_open,
    (any_fn)ojo_record,
    (any_fn)ojo_record_now,
    (any_fn)ojo_now_ns,
    (any_fn)ojo_tracer_flush,
    (any_fn)ojo_tracer_close,
    (any_fn)ojo_tracer_stats,
    (any_fn)ojo_tracer_name,
    (any_fn)ojo_event_types,
    (any_fn)ojo_event_type_lookup,
    (any_fn)ojo_payload_kind_name,
    (any_fn)ojo_payload_kind_parse,
    (any_fn)ojo_reader_open,
    (any_fn)ojo_reader_open_mem,
    (any_fn)ojo_reader_close,
    (any_fn)ojo_reader_status,
    (any_fn)ojo_reader_batch_start_ns,
    (any_fn)ojo_reader_schema_id,
    (any_fn)ojo_reader_version,
    (any_fn)ojo_reader_count,
    (any_fn)ojo_reader_records,
    (any_fn)ojo_reader_get,
    (any_fn)ojo_parse_file_name,
};

static void check_macros_and_catalog(void)
{
	uint64_t r = OJO_RANGE(UINT64_C(123456789012), 1400);
	CHECK(OJO_RANGE_OFFSET(r) == UINT64_C(123456789012));
	CHECK(OJO_RANGE_LENGTH(r) == 1400);
	uint64_t x = OJO_RETRANS(17, 4000000000u);
	CHECK(OJO_RETRANS_OLD(x) == 17 && OJO_RETRANS_NEW(x) == 4000000000u);

	size_t n = 0;
	const ojo_event_type_info *all = ojo_event_types(&n);
	CHECK(all != NULL && n > 30);
	const ojo_event_type_info *cw = ojo_event_type_lookup(OJO_EV_CWND);
	CHECK(cw != NULL && strcmp(cw->name, "cwnd") == 0);
	CHECK(ojo_payload_kind_parse(ojo_payload_kind_name(OJO_PK_RANGE)) ==
	      (int)OJO_PK_RANGE);
	CHECK(strstr(ojo_strerror(-OJO_EDROPPED), "dropped") != NULL);
	CHECK(sizeof(ojo_file_header) == OJO_HEADER_SIZE);
	CHECK(sizeof(ojo_file_record) == OJO_RECORD_SIZE);
}

/* Reads every batch of the tracer's trace (sequence 1, 2, ... until one is
 * missing), checks the events and removes the files. */
static void check_files(const char *out_dir, const char *trace)
{
	uint64_t found = 0, sum = 0;
	for (unsigned seq = 1;; seq++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s-%08u%s", out_dir, trace,
			 seq, OJO_FILE_SUFFIX);
		ojo_reader *rd = NULL;
		ojo_reader_error err;
		if (ojo_reader_open(path, &rd, &err) != 0) {
			CHECK(seq > 1); /* at least one batch */
			break;
		}
		char name[128];
		uint64_t batch = 0;
		CHECK(ojo_parse_file_name(path, name, sizeof(name), &batch) ==
		      0);
		CHECK(strcmp(name, trace) == 0 && batch == seq);
		CHECK(ojo_reader_status(rd, &err) == 0);
		CHECK(ojo_reader_version(rd) == OJO_FORMAT_VERSION);
		CHECK(ojo_reader_schema_id(rd) == 0);
		for (size_t i = 0; i < ojo_reader_count(rd); i++) {
			ojo_record_view v;
			CHECK(ojo_reader_get(rd, i, &v) == 0);
			CHECK(v.flow_id == 3 &&
			      v.event_type == OJO_EV_DATA_SENT);
			CHECK(v.time_ns >= ojo_reader_batch_start_ns(rd));
			sum += OJO_RANGE_OFFSET(v.payload);
			found++;
		}
		ojo_reader_close(rd);
		unlink(path);
	}
	CHECK(found == 10);
	CHECK(sum == 45 * 1000);
}

static void check_tracer(void)
{
	char dir[] = "/tmp/ojo-headers-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	ojo_config cfg;
	ojo_config_init(&cfg);
	cfg.output_dir = dir;
	ojo_tracer *t = NULL;
	CHECK(ojo_tracer_open(&cfg, &t) == 0 && t != NULL);
	if (!t)
		return;
	for (uint64_t i = 0; i < 5; i++) {
		ojo_event ev;
		ev.timestamp_ns = ojo_now_ns(t);
		ev.flow_id = 3;
		ev.event_type = OJO_EV_DATA_SENT;
		ev.payload = OJO_RANGE(i * 1000, 1000);
		CHECK(ojo_record(t, &ev) == 0);
	}
	for (uint64_t i = 5; i < 10; i++)
		CHECK(ojo_record_now(t, 3, OJO_EV_DATA_SENT,
				     OJO_RANGE(i * 1000, 1000)) == 0);
	CHECK(ojo_tracer_flush(t) == 0);
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	CHECK(st.events_recorded == 10 && st.events_dropped == 0);
	CHECK(st.files_written >= 1);

	char trace[128];
	snprintf(trace, sizeof(trace), "%s", ojo_tracer_name(t));
	CHECK(ojo_tracer_close(t) == 0);

	char sub[4096];
	snprintf(sub, sizeof(sub), "%s/output", dir);
	check_files(sub, trace);
	CHECK(rmdir(sub) == 0);
	snprintf(sub, sizeof(sub), "%s/staging", dir);
	CHECK(rmdir(sub) == 0);
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(every_function) / sizeof(*every_function);
	     i++)
		CHECK(every_function[i] != NULL);
	check_macros_and_catalog();
	check_tracer();
	if (failures)
		return 1;
	printf("headers_use (%s): ok\n", LANG);
	return 0;
}
