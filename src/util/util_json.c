/* util_json.c - the JSON writer of the HTTP API. */
#include "util/util_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void util_json_init(util_json *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void util_json_free(util_json *w)
{
	free(w->buf);
	util_json_init(w);
}

void util_json_reset(util_json *w)
{
	char *b = w->buf;
	size_t cap = w->cap;
	util_json_init(w);
	w->buf = b;
	w->cap = cap;
}

char *util_json_take(util_json *w, size_t *len)
{
	util_json_raw(w, "", 0);
	char *b = w->buf;
	*len = w->len;
	if (b)
		b[w->len] = 0;
	util_json_init(w);
	return b;
}

static bool reserve(util_json *w, size_t more)
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

void util_json_raw(util_json *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void put(util_json *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

static void sep(util_json *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		put(w, ',');
	w->first[w->depth] = false;
}

static void open_(util_json *w, char c)
{
	sep(w);
	put(w, c);
	if (w->depth + 1 < UTIL_JSON_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(util_json *w, char c)
{
	put(w, c);
	if (w->depth > 0)
		w->depth--;
}

void util_json_obj(util_json *w)
{
	open_(w, '{');
}

void util_json_obj_end(util_json *w)
{
	close_(w, '}');
}

void util_json_arr(util_json *w)
{
	open_(w, '[');
}

void util_json_arr_end(util_json *w)
{
	close_(w, ']');
}

void util_json_escape(util_json *w, const char *s)
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
			util_json_raw(w, e, 6);
		} else {
			put(w, (char)c);
		}
	}
}

void util_json_key(util_json *w, const char *k)
{
	sep(w);
	put(w, '"');
	util_json_escape(w, k);
	util_json_raw(w, "\":", 2);
	w->after_key = true;
}

void util_json_str(util_json *w, const char *s)
{
	if (!s) {
		util_json_null(w);
		return;
	}
	sep(w);
	put(w, '"');
	util_json_escape(w, s);
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

void util_json_int(util_json *w, int64_t v)
{
	char b[24];
	char *e = b + sizeof(b);
	char *p = fmt_u64(e, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	sep(w);
	util_json_raw(w, p, (size_t)(e - p));
}

void util_json_uint(util_json *w, uint64_t v)
{
	char b[24];
	char *e = b + sizeof(b);
	char *p = fmt_u64(e, v);
	sep(w);
	util_json_raw(w, p, (size_t)(e - p));
}

void util_json_i64s(util_json *w, int64_t v)
{
	char b[26];
	int n = snprintf(b, sizeof(b), "\"%" PRId64 "\"", v);
	sep(w);
	util_json_raw(w, b, (size_t)n);
}

void util_json_u64s(util_json *w, uint64_t v)
{
	char b[26];
	int n = snprintf(b, sizeof(b), "\"%" PRIu64 "\"", v);
	sep(w);
	util_json_raw(w, b, (size_t)n);
}

void util_json_bool(util_json *w, bool v)
{
	sep(w);
	util_json_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void util_json_null(util_json *w)
{
	sep(w);
	util_json_raw(w, "null", 4);
}

void util_json_kstr(util_json *w, const char *k, const char *s)
{
	util_json_key(w, k);
	util_json_str(w, s);
}

void util_json_kint(util_json *w, const char *k, int64_t v)
{
	util_json_key(w, k);
	util_json_int(w, v);
}

void util_json_ki64s(util_json *w, const char *k, int64_t v)
{
	util_json_key(w, k);
	util_json_i64s(w, v);
}

void util_json_kint_opt(util_json *w, const char *k, bool has, int64_t v)
{
	util_json_key(w, k);
	if (has)
		util_json_int(w, v);
	else
		util_json_null(w);
}

void util_json_ki64s_opt(util_json *w, const char *k, bool has, int64_t v)
{
	util_json_key(w, k);
	if (has)
		util_json_i64s(w, v);
	else
		util_json_null(w);
}

void util_json_rawval(util_json *w, const char *s, size_t n)
{
	sep(w);
	util_json_raw(w, s, n);
}
