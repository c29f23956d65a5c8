/* util_json.h - a small streaming JSON writer into a growing buffer.
 * Faster than building a cJSON tree for responses of 100k numbers. */
#ifndef OJO_UTIL_JSON_H
#define OJO_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTIL_JSON_MAX_DEPTH 32

typedef struct util_json {
	char *buf;
	size_t len, cap;
	bool oom;	/* an allocation failed: the text is incomplete */
	bool after_key; /* the next value follows a key: no comma */
	int depth;
	bool first[UTIL_JSON_MAX_DEPTH];
} util_json;

void util_json_init(util_json *w);
void util_json_free(util_json *w);
/* Gives the buffer away (NUL-terminated), leaving w empty. */
char *util_json_take(util_json *w, size_t *len);
void util_json_reset(util_json *w);

void util_json_obj(util_json *w);
void util_json_obj_end(util_json *w);
void util_json_arr(util_json *w);
void util_json_arr_end(util_json *w);
void util_json_key(util_json *w, const char *k);
void util_json_str(util_json *w, const char *s); /* NULL writes null */
void util_json_int(util_json *w, int64_t v);
void util_json_uint(util_json *w, uint64_t v);
void util_json_i64s(util_json *w, int64_t v); /* as a decimal string */
void util_json_u64s(util_json *w, uint64_t v);
void util_json_bool(util_json *w, bool v);
void util_json_null(util_json *w);

/* Appends raw bytes (no separator logic). */
void util_json_raw(util_json *w, const char *s, size_t n);
/* Appends an already-encoded value (with separator logic). */
void util_json_rawval(util_json *w, const char *s, size_t n);
/* Appends s JSON-escaped, without quotes (no separator logic). */
void util_json_escape(util_json *w, const char *s);

/* Shorthands for "key": value. */
void util_json_kstr(util_json *w, const char *k, const char *s);
void util_json_kint(util_json *w, const char *k, int64_t v);
void util_json_ki64s(util_json *w, const char *k, int64_t v);
/* The same, writing null when !has (optional fields). */
void util_json_kint_opt(util_json *w, const char *k, bool has, int64_t v);
void util_json_ki64s_opt(util_json *w, const char *k, bool has, int64_t v);

#endif
