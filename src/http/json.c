/* json.c - the JSON writer of the HTTP API. */
#include "http/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void jw_free(jw *w)
{
	free(w->buf);
	jw_init(w);
}

void jw_reset(jw *w)
{
	char *b = w->buf;
	size_t cap = w->cap;
	jw_init(w);
	w->buf = b;
	w->cap = cap;
}

char *jw_take(jw *w, size_t *len)
{
	jw_raw(w, "", 0);
	char *b = w->buf;
	*len = w->len;
	if (b)
		b[w->len] = 0;
	jw_init(w);
	return b;
}

static bool reserve(jw *w, size_t more)
{
	if (w->oom)
		return false;
	if (w->len + more + 1 <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < w->len + more + 1)
		cap *= 2;
	char *b = realloc(w->buf, cap);
	if (!b) {
		w->oom = true;
		return false;
	}
	w->buf = b;
	w->cap = cap;
	return true;
}

void jw_raw(jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void put(jw *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

static void sep(jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		put(w, ',');
	w->first[w->depth] = false;
}

static void open_(jw *w, char c)
{
	sep(w);
	put(w, c);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(jw *w, char c)
{
	put(w, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj(jw *w)
{
	open_(w, '{');
}

void jw_obj_end(jw *w)
{
	close_(w, '}');
}

void jw_arr(jw *w)
{
	open_(w, '[');
}

void jw_arr_end(jw *w)
{
	close_(w, ']');
}

void jw_escape(jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			put(w, '\\');
			put(w, (char)c);
		} else if (c < 0x20) {
			char e[7] = {'\\',	  'u',	       '0', '0',
				     hex[c >> 4], hex[c & 15], 0};
			jw_raw(w, e, 6);
		} else {
			put(w, (char)c);
		}
	}
}

void jw_key(jw *w, const char *k)
{
	sep(w);
	put(w, '"');
	jw_escape(w, k);
	jw_raw(w, "\":", 2);
	w->after_key = true;
}

void jw_str(jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	sep(w);
	put(w, '"');
	jw_escape(w, s);
	put(w, '"');
}

/* Decimal digits of v ending at end; returns the first. Hot in series. */
static char *fmt_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void jw_int(jw *w, int64_t v)
{
	char b[24];
	char *e = b + sizeof(b);
	char *p = fmt_u64(e, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	sep(w);
	jw_raw(w, p, (size_t)(e - p));
}

void jw_uint(jw *w, uint64_t v)
{
	char b[24];
	char *e = b + sizeof(b);
	char *p = fmt_u64(e, v);
	sep(w);
	jw_raw(w, p, (size_t)(e - p));
}

void jw_i64s(jw *w, int64_t v)
{
	char b[26];
	int n = snprintf(b, sizeof(b), "\"%" PRId64 "\"", v);
	sep(w);
	jw_raw(w, b, (size_t)n);
}

void jw_u64s(jw *w, uint64_t v)
{
	char b[26];
	int n = snprintf(b, sizeof(b), "\"%" PRIu64 "\"", v);
	sep(w);
	jw_raw(w, b, (size_t)n);
}

void jw_bool(jw *w, bool v)
{
	sep(w);
	jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(jw *w)
{
	sep(w);
	jw_raw(w, "null", 4);
}

void jw_kstr(jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kint(jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_ki64s(jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_i64s(w, v);
}

void jw_kint_opt(jw *w, const char *k, bool has, int64_t v)
{
	jw_key(w, k);
	if (has)
		jw_int(w, v);
	else
		jw_null(w);
}

void jw_ki64s_opt(jw *w, const char *k, bool has, int64_t v)
{
	jw_key(w, k);
	if (has)
		jw_i64s(w, v);
	else
		jw_null(w);
}

void jw_rawval(jw *w, const char *s, size_t n)
{
	sep(w);
	jw_raw(w, s, n);
}
