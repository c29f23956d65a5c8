/* qlog_json.c - reading qlog's loosely typed JSON values (numbers written
 * as strings in the early drafts). */
#include "qlog/qlog_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const cJSON *qj_get(const cJSON *o, const char *name)
{
	if (!o || !cJSON_IsObject(o))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

const char *qlog_json_str(const cJSON *o, const char *name)
{
	const cJSON *j = qj_get(o, name);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

bool qlog_json_double(const cJSON *j, double *out)
{
	char *end;
	if (cJSON_IsNumber(j)) {
		*out = j->valuedouble;
		return true;
	}
	if (!cJSON_IsString(j) || !j->valuestring[0])
		return false;
	*out = strtod(j->valuestring, &end);
	return *end == '\0';
}

bool qlog_json_u64(const cJSON *j, uint64_t *out)
{
	char *end;
	if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		if (!(d >= 0))
			return false;
		*out = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
		return true;
	}
	if (!cJSON_IsString(j) || !j->valuestring[0] ||
	    j->valuestring[0] == '-')
		return false;
	errno = 0;
	*out = strtoull(j->valuestring, &end, 10);
	if (*end == '.') { /* "12.0" */
		double d = strtod(j->valuestring, &end);
		if (*end || !(d >= 0))
			return false;
		*out = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
		return true;
	}
	return *end == '\0' && errno == 0;
}

bool qlog_json_truthy(const cJSON *j)
{
	if (cJSON_IsBool(j))
		return cJSON_IsTrue(j);
	if (cJSON_IsNumber(j))
		return j->valuedouble != 0;
	if (cJSON_IsString(j))
		return !strcmp(j->valuestring, "true") ||
		       !strcmp(j->valuestring, "1");
	return false;
}
