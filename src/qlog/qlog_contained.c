/* qlog_contained.c - contained JSON ({"traces": [...]}) read event by
 * event: a structural scan finds each trace's members and each element of
 * its events array, and cJSON parses one element at a time. Memory is the
 * file's text plus one event, not a tree of the whole file (which takes
 * about ten times the file). A file cut short keeps every complete event
 * before the cut; header members after the events array are then
 * unknown. */
#include "qlog/qlog_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* next_member / next_element also return 0 at the end of the container */
enum { SCAN_OK = 1, SCAN_CUT = -2, SCAN_BAD = -1 };

static size_t skip_ws(const char *p, size_t n, size_t i)
{
	while (i < n &&
	       (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/* End of the string starting at p[i] == '"'. */
static int string_end(const char *p, size_t n, size_t i, size_t *end)
{
	for (i++; i < n; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"') {
			*end = i + 1;
			return SCAN_OK;
		}
	}
	return SCAN_CUT;
}

/* End of the JSON value starting at p[i]: brackets and strings are
 * matched; scalars are left for cJSON to judge. */
static int value_end(const char *p, size_t n, size_t i, size_t *end)
{
	char stack[256];
	size_t depth = 0;
	if (i >= n)
		return SCAN_CUT;
	if (p[i] == '"')
		return string_end(p, n, i, end);
	if (p[i] != '{' && p[i] != '[') {
		while (i < n && !strchr(",}] \t\r\n", p[i]))
			i++;
		if (i == n)
			return SCAN_CUT;
		*end = i;
		return SCAN_OK;
	}
	for (; i < n; i++) {
		char c = p[i];
		if (c == '"') {
			size_t e;
			if (string_end(p, n, i, &e) != SCAN_OK)
				return SCAN_CUT;
			i = e - 1;
		} else if (c == '{' || c == '[') {
			if (depth == sizeof(stack))
				return SCAN_BAD; /* deeper than any qlog */
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (!depth || stack[depth - 1] != c)
				return SCAN_BAD;
			if (--depth == 0) {
				*end = i + 1;
				return SCAN_OK;
			}
		}
	}
	return SCAN_CUT;
}

typedef struct span {
	size_t b, e; /* value text p[b..e) */
} span;

/* Start of the next item of an object or array (close: its '}' or ']')
 * from *i: 1 with *k at it, 0 at the close (*i past it), SCAN_CUT or
 * SCAN_BAD. */
static int next_item(const char *p, size_t n, size_t *i, bool first, char close,
		     size_t *k)
{
	*k = skip_ws(p, n, *i);
	if (*k < n && p[*k] == close) {
		*i = *k + 1;
		return 0;
	}
	if (!first) {
		if (*k >= n)
			return SCAN_CUT;
		if (p[*k] != ',')
			return SCAN_BAD;
		*k = skip_ws(p, n, *k + 1);
	}
	return 1;
}

/* Next member of the object whose '{' came before *i: 1 with key/value,
 * 0 at '}', SCAN_CUT or SCAN_BAD (value.b set to where it starts). */
static int next_member(const char *p, size_t n, size_t *i, bool first,
		       span *key, span *val)
{
	size_t k;
	key->b = key->e = val->b = val->e = 0;
	int rc = next_item(p, n, i, first, '}', &k);
	if (rc != 1)
		return rc;
	if (k >= n)
		return SCAN_CUT;
	if (p[k] != '"')
		return SCAN_BAD;
	key->b = k + 1;
	if (string_end(p, n, k, &k) != SCAN_OK)
		return SCAN_CUT;
	key->e = k - 1;
	k = skip_ws(p, n, k);
	if (k >= n)
		return SCAN_CUT;
	if (p[k] != ':')
		return SCAN_BAD;
	val->b = k = skip_ws(p, n, k + 1);
	rc = value_end(p, n, k, &val->e);
	if (rc != SCAN_OK)
		return rc;
	*i = val->e;
	return 1;
}

/* Next element of the array whose '[' came before *i (same returns). */
static int next_element(const char *p, size_t n, size_t *i, bool first,
			span *val)
{
	size_t k;
	int rc = next_item(p, n, i, first, ']', &k);
	if (rc != 1)
		return rc;
	val->b = k;
	rc = value_end(p, n, k, &val->e);
	if (rc != SCAN_OK)
		return rc;
	*i = val->e;
	return 1;
}

static bool key_is(const char *p, span k, const char *name)
{
	size_t l = strlen(name);
	return k.e - k.b == l && !memcmp(p + k.b, name, l);
}

typedef struct qc {
	const char *p;
	size_t n;
	qlog_map_ctx *m;
	qlog_report *rep;
	char *why;
	size_t whylen;
	bool store_failed;
	size_t kept; /* end of the last complete piece, for a cut file */
} qc;

static int bad(qc *c, size_t at)
{
	snprintf(c->why, c->whylen, "not qlog: invalid JSON at byte %zu", at);
	return -EINVAL;
}

static void cut(qc *c)
{
	c->rep->truncated = true;
	snprintf(c->rep->warning, sizeof(c->rep->warning),
		 "truncated at byte %zu: kept the records before it", c->kept);
}

/* Adds member key: value (parsed) to obj; values cJSON rejects are left
 * out (the events and traces are never parsed this way). */
static void add_member(qc *c, cJSON *obj, span k, span v)
{
	char *key = strndup(c->p + k.b, k.e - k.b);
	cJSON *val = cJSON_ParseWithLength(c->p + v.b, v.e - v.b);
	if (key && val)
		cJSON_AddItemToObject(obj, key, val);
	else
		cJSON_Delete(val);
	free(key);
}

/* Members of the object starting at *i into obj, except the ones named
 * skip (their spans are returned; b == 0 when absent). Returns 1 at the
 * end of the object, SCAN_CUT or SCAN_BAD. A cut inside a skipped
 * member's value leaves its span open (e = c->n). */
static int read_object(qc *c, size_t *i, cJSON *obj, const char *skip1,
		       span *s1, const char *skip2, span *s2)
{
	bool first = true;
	span k = {0, 0}, v = {0, 0};
	int rc;
	s1->b = s1->e = 0;
	if (s2)
		s2->b = s2->e = 0;
	(*i)++; /* '{' */
	while ((rc = next_member(c->p, c->n, i, first, &k, &v)) == 1) {
		first = false;
		if (key_is(c->p, k, skip1))
			*s1 = v;
		else if (skip2 && key_is(c->p, k, skip2))
			*s2 = v;
		else
			add_member(c, obj, k, v);
	}
	if (rc == SCAN_CUT && v.b) { /* cut inside a value */
		if (key_is(c->p, k, skip1))
			*s1 = (span){v.b, c->n};
		else if (skip2 && key_is(c->p, k, skip2))
			*s2 = (span){v.b, c->n};
	}
	return rc == 0 ? 1 : rc;
}

enum { TRACE_DONE = 1, TRACE_CUT = 2 };

/* One trace: its header members, then its events one by one. Returns
 * TRACE_DONE, TRACE_CUT or a negative code. */
static int do_trace(qc *c, int *index, const cJSON *file, size_t at,
		    const char *v)
{
	cJSON *hdr = cJSON_CreateObject();
	span ev, none;
	size_t i = at;
	qlog_trace tr;
	int rc, hrc;
	bool first = true;

	if (!hdr)
		return -ENOMEM;
	hrc = read_object(c, &i, hdr, "events", &ev, NULL, &none);
	if (hrc == SCAN_BAD) {
		cJSON_Delete(hdr);
		return bad(c, i);
	}
	if (!ev.b && cJSON_GetObjectItem(hdr, "error_description")) {
		cJSON_Delete(hdr); /* a trace that only reports an error */
		return hrc == SCAN_CUT ? TRACE_CUT : TRACE_DONE;
	}
	if (c->kept < at)
		c->kept = at;
	qlog_trace_init(&tr, (*index)++, file, hdr, v);
	if ((rc = qlog_map_trace(c->m, &tr)) < 0) {
		cJSON_Delete(hdr);
		c->store_failed = true;
		return rc;
	}
	if (ev.b && c->p[ev.b] == '[') {
		span e;
		size_t k = ev.b + 1;
		while ((rc = next_element(c->p, c->n, &k, first, &e)) == 1) {
			first = false;
			c->kept = e.e;
			cJSON *j = cJSON_ParseWithLength(c->p + e.b, e.e - e.b);
			qlog_event qe;
			if (!j) {
				c->rep->bad_records++;
				continue;
			}
			if (qlog_event_read(&tr, j, &qe)) {
				rc = qlog_map_event(c->m, &qe, j, c->p + e.b,
						    e.e - e.b);
			} else {
				c->rep->malformed++;
				rc = 0;
			}
			cJSON_Delete(j);
			if (rc < 0) {
				cJSON_Delete(hdr);
				c->store_failed = true;
				return rc;
			}
		}
		if (rc == SCAN_BAD) {
			cJSON_Delete(hdr);
			return bad(c, k);
		}
		if (rc == SCAN_CUT)
			hrc = SCAN_CUT;
	}
	cJSON_Delete(hdr);
	return hrc == SCAN_CUT ? TRACE_CUT : TRACE_DONE;
}

int qlog_contained_import(const char *p, size_t n, qlog_map_ctx *m,
			  qlog_report *rep, char *why, size_t whylen,
			  bool *store_failed)
{
	qc c = {p, n, m, rep, why, whylen, false, 0};
	cJSON *root = cJSON_CreateObject();
	span traces, events;
	const char *v;
	size_t i = skip_ws(p, n, 0);
	int rc;

	*store_failed = false;
	if (!root)
		return -ENOMEM;
	if (i >= n || p[i] != '{') {
		cJSON_Delete(root);
		snprintf(why, whylen, "not qlog: not a JSON object");
		return -EINVAL;
	}
	rc = read_object(&c, &i, root, "traces", &traces, "events", &events);
	if (rc == SCAN_BAD) {
		cJSON_Delete(root);
		return bad(&c, i);
	}
	if (!(v = cJSON_GetStringValue(
		  cJSON_GetObjectItem(root, "qlog_version"))))
		v = cJSON_GetStringValue(
		    cJSON_GetObjectItem(root, "file_schema"));
	if (!v) {
		cJSON_Delete(root);
		snprintf(why, whylen,
			 rc == SCAN_CUT && !traces.b
			     ? "not qlog: cut off before its version"
			     : "not qlog: no qlog_version or file_schema");
		return -EINVAL;
	}
	snprintf(rep->version, sizeof(rep->version), "%s", v);
	bool was_cut = rc == SCAN_CUT;
	if (traces.b && p[traces.b] == '[') {
		span t;
		size_t k = traces.b + 1;
		int idx = 0;
		bool first = true;
		while ((rc = next_element(p, n, &k, first, &t)) == 1 ||
		       rc == SCAN_CUT) {
			size_t at = t.b;
			first = false;
			if (at >= n || p[at] != '{')
				break; /* cut between traces */
			bool elem_cut = rc == SCAN_CUT;
			int trc = do_trace(&c, &idx, root, at, v);
			if (trc < 0) {
				cJSON_Delete(root);
				*store_failed = c.store_failed;
				return trc;
			}
			if (trc == TRACE_CUT || elem_cut) {
				was_cut = true;
				break;
			}
		}
		if (rc == SCAN_BAD) {
			cJSON_Delete(root);
			return bad(&c, k);
		}
		if (rc == SCAN_CUT)
			was_cut = true;
	} else if (events.b) { /* 0.1: the file is the trace */
		int idx = 0;
		int trc = do_trace(&c, &idx, root, skip_ws(p, n, 0), v);
		if (trc < 0) {
			cJSON_Delete(root);
			*store_failed = c.store_failed;
			return trc;
		}
		was_cut = was_cut || trc == TRACE_CUT;
	} else if (cJSON_IsObject(cJSON_GetObjectItem(root, "trace"))) {
		/* one trace object: its events were parsed with the header */
		const cJSON *tr = cJSON_GetObjectItem(root, "trace");
		qlog_trace t;
		const cJSON *e;
		qlog_trace_init(&t, 0, root, tr, v);
		if ((rc = qlog_map_trace(m, &t)) < 0) {
			cJSON_Delete(root);
			*store_failed = true;
			return rc;
		}
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(tr, "events"))
		{
			qlog_event qe;
			if (!qlog_event_read(&t, e, &qe)) {
				rep->malformed++;
				continue;
			}
			if ((rc = qlog_map_event(m, &qe, e, NULL, 0)) < 0) {
				cJSON_Delete(root);
				*store_failed = true;
				return rc;
			}
		}
	} else {
		cJSON_Delete(root);
		snprintf(why, whylen, "not qlog: no traces or events");
		return -EINVAL;
	}
	if (was_cut)
		cut(&c);
	cJSON_Delete(root);
	return 0;
}
