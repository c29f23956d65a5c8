/* schema_file.c - writes the user's event-type schema beside the traces.
 * The library only stores the text; readers parse and validate it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* FNV-1a 64 of the text; 0 is kept for "built-in catalog only". */
static uint64_t schema_id(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

int ojo__schema_write(struct ojo_tracer *t, const char *json)
{
	const char *p = json;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '[' && *p != '{')
		return -EINVAL;
	uint64_t id = schema_id(json);
	char name[64];
	snprintf(name, sizeof(name), "schema-%016llx.json",
		 (unsigned long long)id);
	int rc = ojo__publish_file(t, name, json, strlen(json), NULL, 0);
	if (rc == 0)
		t->schema_id = id;
	return rc;
}
