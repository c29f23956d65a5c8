/* fuzz_qlog.c - the qlog importer against arbitrary bytes.
 *
 * Built two ways (tests/qlog.cmake): with clang -fsanitize=fuzzer as the
 * libFuzzer target fuzz_qlog, and with OJO_FUZZ_MAIN as a plain program that
 * ctest runs everywhere (also under ASan+UBSan). The plain driver replays
 * seeds (built-in ones for every serialization, small corpus files from
 * CORPUS_DIR, or files named on the command line, e.g. a crash found by
 * libFuzzer) and deterministic mutations and truncations of each;
 * `--write-seeds DIR` saves the seeds as a corpus for libFuzzer. The
 * importer runs without a database (s = NULL): parse and mapping only. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qlog/qlog.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_qlog: %s:%d: %s\n", __FILE__,    \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#ifdef OJO_FUZZ_STANDALONE
/* The libFuzzer build has no database: s is always NULL, these are never
 * called, they only satisfy the linker. */
int store_append(store *s, int64_t t, const store_event *e, size_t n)
{
	(void)s, (void)t, (void)e, (void)n;
	return -ENOSYS;
}
int store_flow_label(store *s, int64_t t, uint32_t f, const char *l)
{
	(void)s, (void)t, (void)f, (void)l;
	return -ENOSYS;
}
int store_unmapped(store *s, int64_t t, uint32_t f, int64_t ns, const char *n,
		   const char *j)
{
	(void)s, (void)t, (void)f, (void)ns, (void)n, (void)j;
	return -ENOSYS;
}
int store_trace(store *s, const store_trace_info *i, int64_t *id)
{
	(void)s, (void)i, (void)id;
	return -ENOSYS;
}
int store_event_type(store *s, const store_type_info *ti)
{
	(void)s, (void)ti;
	return -ENOSYS;
}
const char *store_errmsg(const store *s)
{
	(void)s;
	return "";
}
#endif

/* Whatever the bytes: 0 with a coherent report, or -EINVAL/-EFBIG with a
 * reason; never a crash, a leak or undefined behaviour. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qlog_report rep;
	char err[256];
	int rc =
	    qlog_import_mem(NULL, "fuzz", data, size, &rep, err, sizeof(err));
	if (rc < 0) {
		REQUIRE(rc == -EINVAL || rc == -EFBIG);
		REQUIRE(err[0] != '\0');
		return 0;
	}
	REQUIRE(rep.events_total == rep.events_mapped + rep.events_unmapped);
	uint64_t named = rep.unmapped_other;
	for (uint32_t i = 0; i < rep.n_unmapped_names; i++)
		named += rep.unmapped[i].n;
	REQUIRE(named == rep.events_unmapped);
	REQUIRE(rep.n_unmapped_names <= QLOG_MAX_NAMES);
	REQUIRE(!rep.truncated || rep.warning[0] != '\0');
	REQUIRE(rep.format[0] != '\0');
	return 0;
}

#ifdef OJO_FUZZ_MAIN
static const char *const builtin[] = {
    /* JSON-SEQ 0.3 */
    "\x1e{\"qlog_format\":\"JSON-SEQ\",\"qlog_version\":\"0.3\",\"trace\":"
    "{\"vantage_point\":{\"type\":\"server\"},\"common_fields\":{\"time_"
    "format\":\"relative\",\"reference_time\":0,\"group_id\":\"ab\"}}}\n"
    "\x1e{\"time\":1,\"name\":\"transport:packet_sent\",\"data\":{\"header"
    "\":{\"packet_type\":\"1RTT\",\"packet_number\":0},\"frames\":[{\"frame"
    "_type\":\"stream\",\"stream_id\":0,\"offset\":0,\"length\":1000,\"fin"
    "\":true}]}}\n"
    "\x1e{\"time\":2,\"name\":\"transport:packet_received\",\"data\":{\""
    "header\":{\"packet_type\":\"1RTT\",\"packet_number\":0},\"frames\":[{"
    "\"frame_type\":\"ack\",\"acked_ranges\":[[0,5]]},{\"frame_type\":\""
    "max_data\",\"maximum\":99}]}}\n"
    "\x1e{\"time\":3,\"name\":\"recovery:metrics_updated\",\"data\":{\""
    "congestion_window\":12000,\"smoothed_rtt\":10.5}}\n"
    "\x1e{\"time\":4,\"name\":\"recovery:packet_lost\",\"data\":{\"header"
    "\":{\"packet_number\":0},\"trigger\":\"time_threshold\"}}\n",
    /* NDJSON draft-02, absolute reference */
    "{\"qlog_format\":\"NDJSON\",\"qlog_version\":\"draft-02\",\"trace\":{"
    "\"common_fields\":{\"ODCID\":\"01\",\"reference_time\":1700000000000."
    "5,\"time_format\":\"relative\"}}}\n"
    "{\"time\":0.5,\"name\":\"transport:packet_sent\",\"data\":{\"header\":"
    "{\"packet_number\":1},\"frames\":[{\"frame_type\":\"stream\",\"stream_"
    "id\":4,\"offset\":0,\"length\":10}]}}\n"
    "{\"time\":0.7,\"name\":\"recovery:congestion_state_updated\",\"data\""
    ":{\"new\":\"recovery\"}}\n",
    /* contained draft-00 with event_fields and strings for numbers */
    "{\"qlog_version\":\"draft-00\",\"traces\":[{\"vantage_point\":{\"type"
    "\":\"SERVER\"},\"configuration\":{\"time_units\":\"us\"},\"common_"
    "fields\":{\"reference_time\":\"0\"},\"event_fields\":[\"relative_time"
    "\",\"CATEGORY\",\"EVENT_TYPE\",\"TRIGGER\",\"DATA\"],\"events\":[[\"0"
    "\",\"TRANSPORT\",\"PACKET_SENT\",\"DEFAULT\",{\"packet_type\":\"1RTT\""
    ",\"header\":{\"packet_number\":\"1\"},\"frames\":[{\"frame_type\":\""
    "STREAM\",\"id\":\"3\",\"length\":\"10\",\"offset\":\"0\"}]}],[\"5\",\""
    "RECOVERY\",\"PACKET_LOST\",\"UNKNOWN\",{\"packet_number\":\"1\"}],[]]}"
    "]}",
    /* qlog 0.1 and the newest main schema with delta times */
    "{\"qlog_version\":\"0.1\",\"connectionid\":\"0e\",\"starttime\":"
    "1545039830.4,\"fields\":[\"time\",\"category\",\"type\",\"trigger\","
    "\"data\"],\"events\":[[0,\"TRANSPORT\",\"PACKET_RX\",\"LINE\",{\""
    "header\":{\"packet_number\":\"0\"},\"frames\":[{\"frame_type\":\"ACK\""
    ",\"frame_type.ack.largest_acknowledged\":\"1\",\"frame_type.ack.fab\""
    ":\"1\"}]}]]}",
    "\x1e{\"file_schema\":\"urn:ietf:params:qlog:file:sequential\",\"trace"
    "\":{\"common_fields\":{\"time_format\":\"relative_to_previous_event\","
    "\"reference_time\":{\"clock_type\":\"system\",\"epoch\":\"1970-01-01T0"
    "0:00:00.000Z\"}}}}\n"
    "\x1e{\"time\":1700000000000,\"name\":\"quic:packet_sent\",\"data\":{"
    "\"header\":{\"packet_number\":7},\"frames\":[{\"frame_type\":\"stream"
    "\",\"stream_id\":0,\"offset\":5,\"raw\":{\"payload_length\":3}}]}}\n"
    "\x1e{\"time\":0.25,\"name\":\"quic:recovery_metrics_updated\",\"data\""
    ":{\"cwnd\":100}}\n",
    "{\"hello\":1}",
    "",
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t runs;

static void run(const uint8_t *d, size_t n)
{
	LLVMFuzzerTestOneInput(d, n);
	runs++;
}

static void mutate(const uint8_t *seed, size_t n, int rounds)
{
	static const char tokens[] = "{}[]\",:\x1e\n0123456789-.eE\\tfn";
	uint8_t *buf = malloc(n + 64);
	/* every cut point of a short seed, a spread of them for long ones */
	size_t step = n > 2048 ? n / 256 : 1;
	for (size_t cut = 0; cut <= n; cut += step)
		run(seed, cut);
	for (int r = 0; r < rounds; r++) {
		size_t len = n;
		memcpy(buf, seed, n);
		int edits = 1 + (int)(next_rand() % 4);
		for (int e = 0; e < edits && len; e++) {
			size_t at = next_rand() % len;
			switch (next_rand() % 4) {
			case 0: /* flip bits */
				buf[at] ^= (uint8_t)(1u << (next_rand() % 8));
				break;
			case 1: /* JSON punctuation */
				buf[at] = (uint8_t)
				    tokens[next_rand() % (sizeof(tokens) - 1)];
				break;
			case 2: /* delete a span */
				if (len > 1) {
					size_t k = 1 + next_rand() % 16;
					if (k > len - at)
						k = len - at;
					memmove(buf + at, buf + at + k,
						len - at - k);
					len -= k;
				}
				break;
			default: /* insert a digit run (big numbers) */
				if (len + 20 <= n + 64) {
					memmove(buf + at + 20, buf + at,
						len - at);
					for (int k = 0; k < 20; k++)
						buf[at + k] =
						    (uint8_t)('0' +
							      next_rand() % 10);
					len += 20;
				}
			}
		}
		run(buf, len);
	}
	free(buf);
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long len;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len + 1);
	*n = fread(b, 1, (size_t)len, f);
	fclose(f);
	return b;
}

/* Small corpus files (< 64 KiB), found recursively. */
static void corpus_seeds(const char *dir, const char *write_dir, int *k)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "expected"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			corpus_seeds(path, write_dir, k);
		} else if (st.st_size < 65536 && !strstr(de->d_name, ".md")) {
			size_t n;
			uint8_t *b = read_file(path, &n);
			if (!b)
				continue;
			if (write_dir) {
				char out[4200];
				snprintf(out, sizeof(out), "%s/corpus-%d",
					 write_dir, (*k)++);
				FILE *f = fopen(out, "wb");
				if (f) {
					fwrite(b, 1, n, f);
					fclose(f);
				}
			} else {
				mutate(b, n, 150);
			}
			free(b);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *write_dir = NULL, *corpus = NULL;
	int k = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--write-seeds") && i + 1 < argc) {
			write_dir = argv[++i];
			if (mkdir(write_dir, 0755) < 0 && errno != EEXIST) {
				perror(write_dir);
				return 2;
			}
		} else if (!strcmp(argv[i], "--corpus") && i + 1 < argc) {
			corpus = argv[++i];
		} else { /* replay one file, e.g. a crash */
			size_t n;
			uint8_t *b = read_file(argv[i], &n);
			if (!b) {
				perror(argv[i]);
				return 2;
			}
			run(b, n);
			free(b);
		}
	}
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		const uint8_t *s = (const uint8_t *)builtin[i];
		size_t n = strlen(builtin[i]);
		if (write_dir) {
			char out[4200];
			snprintf(out, sizeof(out), "%s/builtin-%zu", write_dir,
				 i);
			FILE *f = fopen(out, "wb");
			if (f) {
				fwrite(s, 1, n, f);
				fclose(f);
			}
			continue;
		}
		mutate(s, n, 1500);
	}
	if (corpus)
		corpus_seeds(corpus, write_dir, &k);
	if (write_dir) {
		printf("fuzz_qlog: %d corpus seeds and %zu built-in ones "
		       "written to %s\n",
		       k, sizeof(builtin) / sizeof(builtin[0]), write_dir);
		return 0;
	}
	printf("fuzz_qlog: %zu inputs replayed\n", runs);
	printf("1 passed, 0 failed\n");
	return 0;
}
#endif
