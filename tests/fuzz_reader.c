/* fuzz_reader.c - the reader against arbitrary bytes.
 *
 * Built two ways (tests/format.cmake): with clang -fsanitize=fuzzer as the
 * libFuzzer target fuzz_reader, and with OJO_FUZZ_MAIN as a plain program
 * that ctest runs everywhere. The plain driver replays seeds (built here,
 * or files given on the command line, e.g. a crash found by libFuzzer) and
 * thousands of deterministic random mutations of valid files;
 * `--write-seeds DIR` saves the seeds as a corpus for libFuzzer. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ojo/reader.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_reader: %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static volatile uint64_t sink;

/* Whatever the bytes, the reader either rejects them with a coherent error
 * or accepts exactly the whole records the size allows. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ojo_reader *r = NULL;
	ojo_reader_error err;
	int rc = ojo_reader_open_mem(data, size, &r, &err);
	if (rc) {
		REQUIRE(r == NULL);
		REQUIRE(rc == -OJO_ETRUNCATED || rc == -OJO_EBADMAGIC ||
			rc == -OJO_EVERSION);
		REQUIRE(err.code == rc && err.offset <= 4);
		REQUIRE(err.message[0] != '\0');
		REQUIRE(strlen(err.message) < sizeof(err.message));
		return 0;
	}
	REQUIRE(size >= OJO_HEADER_SIZE && memcmp(data, OJO_MAGIC, 4) == 0);
	size_t n = ojo_reader_count(r);
	REQUIRE(n == (size - OJO_HEADER_SIZE) / OJO_RECORD_SIZE);
	size_t whole = OJO_HEADER_SIZE + n * OJO_RECORD_SIZE;
	ojo_reader_error st;
	int s = ojo_reader_status(r, &st);
	if (whole == size) {
		REQUIRE(s == 0 && st.code == 0);
	} else {
		REQUIRE(s == -OJO_ETRUNCATED && st.offset == whole);
		REQUIRE(st.message[0] != '\0');
	}
	uint64_t start = ojo_reader_batch_start_ns(r);
	REQUIRE(start == le64(data + 8));
	REQUIRE(ojo_reader_schema_id(r) == le64(data + 16));
	REQUIRE((const uint8_t *)ojo_reader_records(r) ==
		data + OJO_HEADER_SIZE);
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		ojo_record_view v;
		const uint8_t *p = data + OJO_HEADER_SIZE + i * OJO_RECORD_SIZE;
		REQUIRE(ojo_reader_get(r, i, &v) == 0);
		REQUIRE(v.time_ns == start + le64(p));
		REQUIRE(v.payload == le64(p + 16));
		sum += v.flow_id ^ v.event_type;
	}
	ojo_record_view v;
	REQUIRE(ojo_reader_get(r, n, &v) == -ERANGE);
	ojo_reader_close(r);
	sink = sum; /* keeps the loop from being optimised out */
	return 0;
}

#ifdef OJO_FUZZ_MAIN
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure replays identically */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* A valid file with n records of varied values. */
static size_t make_seed(uint8_t *buf, size_t cap, size_t n, uint64_t salt)
{
	size_t size = OJO_HEADER_SIZE + n * OJO_RECORD_SIZE;
	REQUIRE(size <= cap);
	memset(buf, 0, size);
	memcpy(buf, OJO_MAGIC, 4);
	buf[4] = OJO_FORMAT_VERSION;
	for (int i = 0; i < 8; i++) {
		buf[8 + i] = (uint8_t)((0x18000000000000ULL * salt) >> (8 * i));
		buf[16 + i] = (uint8_t)(salt * 0x0101010101ULL >> (8 * i));
	}
	for (size_t k = 0; k < n; k++)
		for (int i = 0; i < OJO_RECORD_SIZE; i++)
			buf[OJO_HEADER_SIZE + k * OJO_RECORD_SIZE + i] =
			    (uint8_t)(k * 7 + i * 13 + salt);
	return size;
}

static void mutate(uint8_t *buf, size_t *size, size_t cap)
{
	int ops = 1 + (int)(rnd() % 4);
	for (int k = 0; k < ops; k++) {
		switch (rnd() % 6) {
		case 0: /* flip a bit */
			if (*size)
				buf[rnd() % *size] ^=
				    (uint8_t)(1u << rnd() % 8);
			break;
		case 1: /* random byte, biased to the header */
			if (*size)
				buf[rnd() % (*size < 32 ? *size : 32)] =
				    (uint8_t)rnd();
			break;
		case 2: /* truncate */
			if (*size)
				*size = rnd() % *size;
			break;
		case 3: /* append junk */
			for (size_t j = rnd() % 40; j && *size < cap; j--)
				buf[(*size)++] = (uint8_t)rnd();
			break;
		case 4: /* interesting version values */
			if (*size >= 6) {
				static const uint16_t vs[] = {0, 1, 2, 0x100,
							      0xffff};
				uint16_t v = vs[rnd() % 5];
				buf[4] = (uint8_t)v;
				buf[5] = (uint8_t)(v >> 8);
			}
			break;
		default: /* extreme header times */
			if (*size >= 16)
				memset(buf + 8, rnd() % 2 ? 0xff : 0, 8);
			break;
		}
	}
}

/* Runs data on a private heap copy of exactly its size, so ASan sees any
 * read past the end. */
static void run(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	REQUIRE(copy != NULL);
	if (size)
		memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run(buf, n);
	return 0;
}

static const size_t seed_counts[] = {0, 1, 2, 5, 40};

static int write_seeds(const char *dir)
{
	static uint8_t buf[4096];
	for (size_t k = 0; k < sizeof(seed_counts) / sizeof(*seed_counts);
	     k++) {
		char path[512];
		size_t n = make_seed(buf, sizeof(buf), seed_counts[k], k + 1);
		snprintf(path, sizeof(path), "%s/seed-%zu.ojo", dir, k);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
		return write_seeds(argv[2]);
	if (argc > 1) {
		int rc = 0;
		for (int i = 1; i < argc; i++)
			rc |= replay_file(argv[i]);
		return rc;
	}

	static uint8_t seed[4096], buf[4096 + 64];
	unsigned long runs = 0;
	for (size_t k = 0; k < sizeof(seed_counts) / sizeof(*seed_counts);
	     k++) {
		size_t n = make_seed(seed, sizeof(seed), seed_counts[k], k + 1);
		/* the seed itself and every prefix of it */
		for (size_t len = 0; len <= n; len++, runs++)
			run(seed, len);
		for (int m = 0; m < 2000; m++, runs++) {
			size_t size = n;
			memcpy(buf, seed, n);
			mutate(buf, &size, sizeof(buf));
			run(buf, size);
		}
	}
	for (int m = 0; m < 1000; m++, runs++) { /* pure noise */
		size_t size = rnd() % 200;
		for (size_t i = 0; i < size; i++)
			buf[i] = (uint8_t)rnd();
		if (rnd() % 2 && size >= 6)
			memcpy(buf, "OJOT\1\0", 6);
		run(buf, size);
	}
	printf("fuzz_reader: %lu inputs replayed, all invariants held\n", runs);
	return 0;
}
#endif
