/* http_params.c - strict parsing of query parameters: anything malformed is a
 * 400 that names the parameter. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

const char *http_req_arg(http_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

int http_arg_int(http_req *q, const char *name, int64_t lo, int64_t hi,
		 int64_t def, int64_t *out, bool *given)
{
	const char *v = http_req_arg(q, name);
	if (given)
		*given = v != NULL;
	if (!v) {
		*out = def;
		return 0;
	}
	int64_t x;
	if (util_parse_i64(v, &x) || x < lo || x > hi)
		return http_req_error(q, 400, name,
				      "%s must be an integer in %" PRId64
				      "..%" PRId64,
				      name, lo, hi);
	*out = x;
	return 0;
}

int http_arg_enum(http_req *q, const char *name, const char *const *names,
		  int def, int *out)
{
	const char *v = http_req_arg(q, name);
	if (!v) {
		*out = def;
		return 0;
	}
	for (int i = 0; names[i]; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	char list[256] = "";
	size_t len = 0;
	for (int i = 0; names[i] && len + 16 < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", names[i]);
	return http_req_error(q, 400, name, "%s must be one of: %s", name,
			      list);
}

int http_arg_types(http_req *q, const char *name, uint32_t *out, size_t max,
		   size_t *n)
{
	*n = 0;
	const char *v = http_req_arg(q, name);
	if (!v || !*v)
		return 0;
	const char *p = v;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char tmp[24];
		int64_t x;
		if (len == 0 || len >= sizeof(tmp))
			goto bad;
		memcpy(tmp, p, len);
		tmp[len] = 0;
		if (util_parse_i64(tmp, &x) || x < 0 || x > UINT32_MAX)
			goto bad;
		if (*n == max)
			return http_req_error(
			    q, 400, name, "%s: at most %zu types", name, max);
		out[(*n)++] = (uint32_t)x;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
bad:
	return http_req_error(q, 400, name,
			      "%s must be comma-separated event type numbers",
			      name);
}

int http_arg_window(http_req *q, int64_t base, int64_t dfrom, int64_t dto,
		    int64_t *from, int64_t *to)
{
	/* offsets are bounded so base + offset cannot overflow */
	const int64_t lim = INT64_C(1) << 62;
	int64_t f, t;
	bool fg, tg;
	if (http_arg_int(q, "from", -lim, lim, 0, &f, &fg) ||
	    http_arg_int(q, "to", -lim, lim, 0, &t, &tg))
		return -1;
	*from = fg ? base + f : dfrom;
	*to = tg ? base + t : dto;
	if (*from > *to)
		return http_req_error(q, 400, fg ? "from" : "to",
				      "from must not be after to");
	return 0;
}
