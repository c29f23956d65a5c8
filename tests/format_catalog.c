/* format_catalog.c - docs/FORMAT.md and the library agree: the event
 * catalog table matches ojo_event_types() entry for entry, the packing
 * macros behave as documented, and the hex dump example reads back as the
 * text says. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ojo/events.h"
#include "ojo/reader.h"

static char *read_doc(void)
{
	char *doc = test_read_file(OJO_FORMAT_MD, NULL);
	if (!doc) {
		perror(OJO_FORMAT_MD);
		exit(1);
	}
	return doc;
}

/* Splits "| a | b | c |" into trimmed cells; returns their number. */
static int cells(char *line, char **out, int max)
{
	int n = 0;
	char *p = strchr(line, '|');
	while (p && n < max) {
		char *start = p + 1;
		char *end = strchr(start, '|');
		if (!end)
			break;
		*end = '\0';
		while (*start == ' ')
			start++;
		char *e = end;
		while (e > start && e[-1] == ' ')
			*--e = '\0';
		out[n++] = start;
		p = end;
	}
	return n;
}

static void test_catalog(const char *doc)
{
	const char *sec = strstr(doc, "## Event catalog");
	EXPECT(sec != NULL);
	if (!sec)
		return;
	size_t n;
	const ojo_event_type_info *cat = ojo_event_types(&n);
	size_t rows = 0;
	char line[512];
	for (const char *p = sec; *p && strncmp(p, "## User", 7);) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len < sizeof(line) && p[0] == '|' && p[2] >= '0' &&
		    p[2] <= '9') {
			memcpy(line, p, len);
			line[len] = '\0';
			char *c[6];
			if (cells(line, c, 6) != 5) {
				check_failed(__FILE__, __LINE__,
					     "bad catalog row: %s", line);
			} else {
				uint32_t type =
				    (uint32_t)strtoul(c[0], NULL, 10);
				const ojo_event_type_info *e =
				    ojo_event_type_lookup(type);
				char name[64], kind[32];
				snprintf(name, sizeof(name), "%.*s",
					 (int)strlen(c[1]) - 2, c[1] + 1);
				snprintf(kind, sizeof(kind), "%.*s",
					 (int)strcspn(c[3], ":"), c[3]);
				if (!e || strcmp(e->name, name) ||
				    strcmp(e->category, c[2]) ||
				    strcmp(
					ojo_payload_kind_name(e->payload_kind),
					kind) ||
				    strcmp(e->unit, c[4])) {
					check_failed(
					    __FILE__, __LINE__,
					    "FORMAT.md row %u (%s %s %s "
					    "\"%s\") differs from the "
					    "library (%s %s %s \"%s\")",
					    type, name, c[2], kind, c[4],
					    e ? e->name : "-",
					    e ? e->category : "-",
					    e ? ojo_payload_kind_name(
						    e->payload_kind)
					      : "-",
					    e ? e->unit : "-");
				}
				rows++;
			}
		}
		p += len + (nl != NULL);
	}
	if (rows != n) {
		check_failed(__FILE__, __LINE__,
			     "FORMAT.md lists %zu types, the library %zu", rows,
			     n);
	}
	for (size_t i = 0; i < n; i++)
		EXPECT(cat[i].type < OJO_EV_USER_BASE);
	EXPECT(ojo_event_type_lookup(OJO_EV_USER_BASE) == NULL);
}

static void test_packing(void)
{
	uint64_t p = OJO_RANGE(UINT64_C(0xFFFFFFFFFF), 0xFFFFFF);
	EXPECT(p == UINT64_MAX);
	p = OJO_RANGE(123456789, 1200);
	EXPECT(p == (123456789 | (UINT64_C(1200) << 40)));
	EXPECT(OJO_RANGE_OFFSET(p) == 123456789 && OJO_RANGE_LENGTH(p) == 1200);
	EXPECT(OJO_RANGE_MAX_OFFSET == (UINT64_C(1) << 40) - 1);
	EXPECT(OJO_RANGE_MAX_LENGTH == (1u << 24) - 1);
	p = OJO_RETRANS(17, 42);
	EXPECT(p == (17 | (UINT64_C(42) << 32)));
	EXPECT(OJO_RETRANS_OLD(p) == 17 && OJO_RETRANS_NEW(p) == 42);
	for (int k = 0; k < 9; k++)
		EXPECT(ojo_payload_kind_parse(ojo_payload_kind_name(k)) == k);
}

/* The hexdump in the "Example" section, parsed and read. */
static void test_example(const char *doc)
{
	const char *p = strstr(doc, "\n00000000  ");
	EXPECT(p != NULL);
	if (!p)
		return;
	unsigned char buf[64];
	size_t n = 0;
	for (p++; strncmp(p, "000000", 6) == 0;) {
		p += 10; /* offset and two spaces */
		for (int i = 0; i < 16; i++) {
			unsigned v;
			if (*p == ' ')
				p++;
			if (sscanf(p, "%2x", &v) != 1)
				break;
			buf[n++] = (unsigned char)v;
			p += 3;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	EXPECT(n == 48);
	ojo_reader *r;
	ojo_reader_error err;
	EXPECT(ojo_reader_open_mem(buf, n, &r, &err) == 0);
	if (!r)
		return;
	ojo_record_view v;
	EXPECT(ojo_reader_count(r) == 1);
	EXPECT(ojo_reader_batch_start_ns(r) == UINT64_C(1764084788000000001));
	EXPECT(ojo_reader_get(r, 0, &v) == 0);
	EXPECT(v.time_ns == UINT64_C(1764084788000000001) + 1500);
	EXPECT(v.flow_id == 3 && v.event_type == OJO_EV_PACKET_SENT &&
	       v.payload == 7);
	ojo_reader_close(r);
}

int main(void)
{
	char *doc = read_doc();
	test_packing();
	test_example(doc);
	test_catalog(doc);
	free(doc);
	return check_report("format_catalog");
}
