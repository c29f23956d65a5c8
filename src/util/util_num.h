/* util_num.h - numbers from text (options, query parameters, URLs):
 * decimal only, the whole string, in range, or an error. */
#ifndef OJO_UTIL_NUM_H
#define OJO_UTIL_NUM_H

#include <stdint.h>

/* s as a decimal int64 ([-]digits, nothing else, no overflow): 0 and
 * *out set, or -EINVAL (empty, junk, out of int64 range). */
int util_parse_i64(const char *s, int64_t *out);
/* The same with lo <= value <= hi, else -ERANGE. */
int util_parse_i64_in(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif
