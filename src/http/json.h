/* json.h - a small streaming JSON writer into a growing buffer.
 * Faster than building a cJSON tree for responses of 100k numbers. */
#ifndef OJO_HTTP_JSON_H
#define OJO_HTTP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

typedef struct jw {
	char *buf;
	size_t len, cap;
	bool oom;	/* an allocation failed: the text is incomplete */
	bool after_key; /* the next value follows a key: no comma */
	int depth;
	bool first[JW_MAX_DEPTH];
} jw;

void jw_init(jw *w);
void jw_free(jw *w);
/* Gives the buffer away (NUL-terminated), leaving w empty. */
char *jw_take(jw *w, size_t *len);
void jw_reset(jw *w);

void jw_obj(jw *w);
void jw_obj_end(jw *w);
void jw_arr(jw *w);
void jw_arr_end(jw *w);
void jw_key(jw *w, const char *k);
void jw_str(jw *w, const char *s); /* NULL writes null */
void jw_int(jw *w, int64_t v);
void jw_uint(jw *w, uint64_t v);
void jw_i64s(jw *w, int64_t v); /* as a decimal string */
void jw_u64s(jw *w, uint64_t v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);

/* Appends raw bytes (no separator logic). */
void jw_raw(jw *w, const char *s, size_t n);
/* Appends an already-encoded value (with separator logic). */
void jw_rawval(jw *w, const char *s, size_t n);
/* Appends s JSON-escaped, without quotes (no separator logic). */
void jw_escape(jw *w, const char *s);

/* Shorthands for "key": value. */
void jw_kstr(jw *w, const char *k, const char *s);
void jw_kint(jw *w, const char *k, int64_t v);
void jw_ki64s(jw *w, const char *k, int64_t v);
/* The same, writing null when !has (optional fields). */
void jw_kint_opt(jw *w, const char *k, bool has, int64_t v);
void jw_ki64s_opt(jw *w, const char *k, bool has, int64_t v);

#endif
