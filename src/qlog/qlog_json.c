/* qlog_json.c - reading qlog's loosely typed JSON values (numbers written
 * as strings in the early drafts) and repairing contained JSON that was
 * cut short by a writer that died. */
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

const char *qj_str(const cJSON *o, const char *name)
{
	const cJSON *j = qj_get(o, name);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

bool qj_double(const cJSON *j, double *out)
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

bool qj_u64(const cJSON *j, uint64_t *out)
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

bool qj_truthy(const cJSON *j)
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

/* Why this works: after the last container that closed at depth d, the
 * containers below d are exactly those still open at the end (one closing
 * later would itself be a later cut point), so appending their closers to
 * that prefix gives a complete JSON text. */
int qj_repair(const char *buf, size_t len, size_t *keep, char *close,
	      size_t closecap)
{
	char *stack = NULL;
	size_t depth = 0, cap = 0, cut = 0, cut_depth = 0;
	bool in_str = false, esc = false, any_cut = false;
	int ret;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (depth == cap) {
				size_t nc = cap ? cap * 2 : 64;
				char *ns = realloc(stack, nc);
				if (!ns) {
					free(stack);
					return -1;
				}
				stack = ns;
				cap = nc;
			}
			stack[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (!depth) {
				free(stack);
				return -1;
			}
			depth--;
			cut = i + 1;
			cut_depth = depth;
			any_cut = true;
		}
	}
	if (depth == 0 && !in_str) {
		ret = 0;
	} else if (!any_cut || cut_depth == 0 || cut_depth + 1 > closecap) {
		ret = -1;
	} else {
		for (size_t k = 0; k < cut_depth; k++)
			close[k] = stack[cut_depth - 1 - k] == '{' ? '}' : ']';
		close[cut_depth] = '\0';
		*keep = cut;
		ret = 1;
	}
	free(stack);
	return ret;
}
