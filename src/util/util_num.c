/* util_num.c - decimal integers from text (util_num.h). */
#include "util/util_num.h"

#include <errno.h>
#include <stdlib.h>

int util_parse_i64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	/* only [-]digits: strtoll alone would also take blanks and '+' */
	const char *p = s + (*s == '-');
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (const char *c = p; *c; c++)
		if (*c < '0' || *c > '9')
			return -EINVAL;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int util_parse_i64_in(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v;
	int rc = util_parse_i64(s, &v);
	if (rc)
		return rc;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}
