/* ingest_memory.c - memory stays bounded whatever the file size: one
 * large batch file (EVENTS records, written here in the documented format)
 * is ingested in-process, and the peak resident set may grow by no more
 * than a fixed allowance, far below the file's size. */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ingest/ingest.h"
#include "ingest_common.h"
#include "ojo/format.h"

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	long events = argc > 1 ? atol(argv[1]) : 10000000;
	long allowance_mb = argc > 2 ? atol(argv[2]) : 96;
	char *tmp = test_tmpdir(), path[600], db[600], err[256];
	enum { CHUNK = 65536 };
	ojo_file_record *rec = malloc(CHUNK * sizeof(*rec));
	ojo_file_header h = {.magic = {'O', 'J', 'O', 'T'},
			     .version = htole16(OJO_FORMAT_VERSION),
			     .batch_start_ns =
				 htole64((uint64_t)time(NULL) * 1000000000)};
	CHECK(rec);
	snprintf(path, sizeof(path), "%s/big.ojo", tmp);
	snprintf(db, sizeof(db), "%s/big.db", tmp);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(&h, sizeof(h), 1, f) == 1);
	for (long i = 0; i < events; i += CHUNK) {
		long m = events - i < CHUNK ? events - i : CHUNK;
		for (long j = 0; j < m; j++)
			rec[j] = (ojo_file_record){
			    .ts_delta_ns = htole64((uint64_t)(i + j) * 100),
			    .flow_id = htole32(1 + (uint32_t)((i + j) % 64)),
			    .event_type = htole32(2 + (uint32_t)((i + j) % 3)),
			    .payload = htole64((uint64_t)(i + j))};
		CHECK(fwrite(rec, sizeof(*rec), (size_t)m, f) == (size_t)m);
	}
	CHECK(fclose(f) == 0);
	free(rec);

	store *s;
	ingest_result res;
	CHECK(store_open_db(db, STORE_WRITE, &s, err, sizeof(err)) == 0);
	long before = max_rss_kb();
	CHECK_EQ(ingest_file(s, path, &res), 0);
	long grew_mb = (max_rss_kb() - before) / 1024;
	store_close(s);
	CHECK_EQ(res.status, STORE_FILE_INGESTED);
	CHECK_EQ(res.events, events);
	long file_mb = (long)(24 + events * 24) >> 20;
	printf("ingest_memory: %ld MB file, peak RSS grew %ld MB (allowed "
	       "%ld MB)\n",
	       file_mb, grew_mb, allowance_mb);
	CHECK(grew_mb <= allowance_mb);
	test_rmtree(tmp);
	free(tmp);
	return 0;
}
