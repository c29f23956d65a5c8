/* ingest_schema.c - user event types from schema-<id>.json files.
 *
 * The file (docs/FORMAT.md) lists types as {"type", "name", "category",
 * "description", "payload_kind", "unit"} objects, either as a top-level
 * array or under "types". A file that does not parse registers nothing, so
 * a half-valid schema never leaves half its types behind. */
#include "ingest/ingest_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ojo/events.h"

enum { MAX_SCHEMA_BYTES = 1 << 20, MAX_TYPES = 4096 };

static char *read_small_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_SCHEMA_BYTES + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, MAX_SCHEMA_BYTES + 1, f);
	fclose(f);
	if (n > MAX_SCHEMA_BYTES) {
		snprintf(err, errlen, "larger than %d bytes", MAX_SCHEMA_BYTES);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static const char *str_field(const cJSON *o, const char *a, const char *b,
			     const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (!cJSON_IsString(v) && b)
		v = cJSON_GetObjectItemCaseSensitive(o, b);
	return cJSON_IsString(v) ? v->valuestring : def;
}

/* "type" as a number or a decimal / 0x-hex string. */
static int type_field(const cJSON *o, uint32_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (!v)
		v = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble <= UINT32_MAX &&
	    v->valuedouble == (double)(uint32_t)v->valuedouble) {
		*out = (uint32_t)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring[0]) {
		char *end;
		unsigned long long x = strtoull(v->valuestring, &end, 0);
		if (!*end && x <= UINT32_MAX) {
			*out = (uint32_t)x;
			return 0;
		}
	}
	return -EINVAL;
}

/* Checks entry i and fills ti (strings point into the JSON tree). */
static int parse_entry(const cJSON *o, int i, store_type_info *ti, char *err,
		       size_t errlen)
{
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "type entry %d is not an object", i);
		return -EINVAL;
	}
	if (type_field(o, &ti->type) < 0) {
		snprintf(err, errlen, "type entry %d: missing or bad \"type\"",
			 i);
		return -EINVAL;
	}
	if (ti->type < OJO_EV_USER_BASE) {
		snprintf(err, errlen,
			 "type entry %d: type %u is reserved for built-in "
			 "types (user types start at %u)",
			 i, ti->type, (unsigned)OJO_EV_USER_BASE);
		return -EINVAL;
	}
	ti->name = str_field(o, "name", NULL, NULL);
	if (!ti->name || !ti->name[0]) {
		snprintf(err, errlen, "type entry %d: missing \"name\"", i);
		return -EINVAL;
	}
	ti->category = str_field(o, "category", NULL, "user");
	ti->description = str_field(o, "description", NULL, "");
	ti->payload_kind = str_field(o, "payload_kind", "kind", "count");
	ti->unit = str_field(o, "unit", NULL, "");
	if (ojo_payload_kind_parse(ti->payload_kind) < 0) {
		snprintf(err, errlen,
			 "type entry %d (%s): unknown payload_kind \"%s\"", i,
			 ti->name, ti->payload_kind);
		return -EINVAL;
	}
	return 0;
}

int ingest_schema_register(store *s, const char *path, char *err, size_t errlen)
{
	char *text = read_small_file(path, err, errlen);
	const cJSON *list;
	store_type_info *tis = NULL;
	int n, rc = 0;

	if (!text)
		return -EINVAL;
	cJSON *root = cJSON_Parse(text);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		snprintf(err, errlen, "not valid JSON (at byte %ld)",
			 at ? (long)(at - text) : 0L);
		free(text);
		return -EINVAL;
	}
	list = cJSON_IsArray(root)
		   ? root
		   : cJSON_GetObjectItemCaseSensitive(root, "types");
	n = cJSON_GetArraySize(list);
	if (!cJSON_IsArray(list) || n > MAX_TYPES) {
		snprintf(err, errlen, "%s",
			 cJSON_IsArray(list) ? "too many types"
					     : "no \"types\" array");
		rc = -EINVAL;
		goto out;
	}
	tis = calloc((size_t)n + 1, sizeof(*tis));
	if (!tis) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = parse_entry(cJSON_GetArrayItem(list, i), i, &tis[i], err,
				 errlen);
	for (int i = 0; i < n && rc == 0; i++)
		if ((rc = store_event_type(s, &tis[i])) < 0)
			snprintf(err, errlen, "database: %s", store_errmsg(s));
out:
	free(tis);
	cJSON_Delete(root);
	free(text);
	return rc;
}

int ingest_schema_file(ingest_ctx *c)
{
	char err[200] = "";
	store_file_info fi;
	int rc;

	if ((rc = ingest_begin(c)) != 0)
		return rc < 0 ? rc : 0;
	rc = ingest_schema_register(c->s, c->path, err, sizeof(err));
	if (rc == -EINVAL) {
		store_rollback(c->s);
		return ingest_reject(c, "schema", err);
	}
	if (rc < 0)
		return ingest_fail(c, rc);
	ingest_file_info(c, &fi, "schema");
	if ((rc = store_file_done(c->s, &fi)) < 0 ||
	    (rc = store_commit(c->s)) < 0)
		return ingest_fail(c, rc);
	c->res->status = STORE_FILE_INGESTED;
	return 0;
}
