/* format_name.c - ojo_parse_file_name() against the naming rule of
 * docs/FORMAT.md: "<trace>-<batch>.ojo", trace = "%019llu-%d-%u",
 * batch = "%08llu" from 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ojo/reader.h"

static void good(const char *name, const char *want_trace, uint64_t want)
{
	char trace[96] = "";
	uint64_t seq = 0;
	int rc = ojo_parse_file_name(name, trace, sizeof(trace), &seq);
	if (rc != 0 || strcmp(trace, want_trace) != 0 || seq != want) {
		check_failed(__FILE__, __LINE__,
			     "parse(%s) = %d, \"%s\", %" PRIu64, name, rc,
			     trace, seq);
	}
}

static void bad(const char *name)
{
	char trace[96];
	uint64_t seq;
	if (ojo_parse_file_name(name, trace, sizeof(trace), &seq) != -EINVAL) {
		check_failed(__FILE__, __LINE__,
			     "parse(%s) accepted a bad name", name);
	}
}

/* Names made with the writer's own format strings parse back exactly. */
static void test_generated(void)
{
	struct {
		unsigned long long t;
		int pid;
		unsigned seq;
		unsigned long long batch;
	} cases[] = {
	    {1764081188123456789ULL, 4242, 0, 1},
	    {1ULL, 1, 1, 99999999ULL},
	    {18446744073709551615ULL, 2147483647, 4294967295u,
	     18446744073709551615ULL},
	    {1764081188000000000ULL, 7, 3, 123456789ULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char trace[64], name[96];
		snprintf(trace, sizeof(trace), "%019llu-%d-%u", cases[i].t,
			 cases[i].pid, cases[i].seq);
		snprintf(name, sizeof(name), "%s-%08llu.ojo", trace,
			 cases[i].batch);
		good(name, trace, cases[i].batch);
	}
}

/* Zero padding makes plain string order the order of opening, then pid,
 * then batch (within one tracer); check the batch part sorts. */
static void test_sortable(void)
{
	char a[96], b[96];
	snprintf(a, sizeof(a), "%019llu-%d-%u-%08llu.ojo", 5ULL, 1, 0, 9ULL);
	snprintf(b, sizeof(b), "%019llu-%d-%u-%08llu.ojo", 5ULL, 1, 0, 10ULL);
	EXPECT(strcmp(a, b) < 0);
	snprintf(b, sizeof(b), "%019llu-%d-%u-%08llu.ojo", 40ULL, 1, 0, 1ULL);
	EXPECT(strcmp(a, b) < 0);
}

static void test_cases(void)
{
	good("1764081188123456789-12-0-00000001.ojo",
	     "1764081188123456789-12-0", 1);
	good("/var/traces/output/1764081188123456789-12-3-00000042.ojo",
	     "1764081188123456789-12-3", 42);
	good("output/0000000000000000001-1-1-000000001.ojo",
	     "0000000000000000001-1-1", 1);

	bad("");
	bad(".ojo");
	bad("1764081188123456789-12-0-00000001.ojo.tmp"); /* staging */
	bad("1764081188123456789-12-0-00000001.OJO");
	bad("1764081188123456789-12-0-00000001");
	bad("1764081188123456789-12-0-00000000.ojo");  /* batches start at 1 */
	bad("1764081188123456789-12-0-0000001.ojo");   /* batch < 8 digits */
	bad("176408118812345678-12-0-00000001.ojo");   /* time < 19 digits */
	bad("1764081188123456789-12-00000001.ojo");    /* no tracer seq */
	bad("1764081188123456789--0-00000001.ojo");    /* empty pid */
	bad("1764081188123456789-+12-0-00000001.ojo"); /* sign */
	bad("1764081188123456789-12-0-00000001.ojox");
	bad("1764081188123456789-12-0-00000001-1.ojo");
	bad("x1764081188123456789-12-0-00000001.ojo");
	bad("1764081188123456789-12- 0-00000001.ojo");
	bad("schema-0123456789abcdef.json");
	bad("/dir/");
	/* out of range fields */
	bad("18446744073709551616-12-0-00000001.ojo");
	bad("1764081188123456789-2147483648-0-00000001.ojo");
	bad("1764081188123456789-12-4294967296-00000001.ojo");
	bad("1764081188123456789-12-0-18446744073709551616.ojo");
	EXPECT(ojo_parse_file_name(NULL, NULL, 0, NULL) == -EINVAL);
}

static void test_buffers(void)
{
	const char *n = "1764081188123456789-12-0-00000007.ojo";
	uint64_t seq = 0;
	/* trace and batch_seq are optional: validation only */
	EXPECT(ojo_parse_file_name(n, NULL, 0, NULL) == 0);
	EXPECT(ojo_parse_file_name(n, NULL, 0, &seq) == 0 && seq == 7);
	char small[24]; /* the trace needs 25 bytes with its NUL */
	EXPECT(ojo_parse_file_name(n, small, sizeof(small), &seq) ==
	       -ENAMETOOLONG);
	char exact[25];
	EXPECT(ojo_parse_file_name(n, exact, sizeof(exact), &seq) == 0);
	EXPECT(strcmp(exact, "1764081188123456789-12-0") == 0);
}

int main(void)
{
	test_generated();
	test_sortable();
	test_cases();
	test_buffers();
	return check_report("format_name");
}
