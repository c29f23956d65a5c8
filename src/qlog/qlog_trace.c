/* qlog_trace.c - what a trace header says about its events (column layout
 * of the early drafts, time units and formats, reference time, connection
 * id, vantage point) and the normalization of one event to qlog_event. */
#include "qlog/qlog_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void copy_lower(char *dst, size_t cap, const char *src, size_t n)
{
	size_t k = 0;
	for (; k < n && k + 1 < cap; k++)
		dst[k] = (char)tolower((unsigned char)src[k]);
	dst[k] = '\0';
}

static double unit_of(const char *u)
{
	if (!u)
		return 1e6;
	if (!strcasecmp(u, "us") || !strcasecmp(u, "microseconds"))
		return 1e3;
	if (!strcasecmp(u, "ns") || !strcasecmp(u, "nanoseconds"))
		return 1;
	if (!strcasecmp(u, "s") || !strcasecmp(u, "seconds"))
		return 1e9;
	return 1e6;
}

/* v time units in ns, exactly for whole units: v * unit alone rounds to
 * 256 ns at today's epoch. Callers keep |v * unit| below 4e18. */
static int64_t to_ns(double v, double unit_ns)
{
	double ip = trunc(v);
	return (int64_t)ip * (int64_t)unit_ns +
	       (int64_t)llround((v - ip) * unit_ns);
}

/* A reference time counts as Unix epoch when, read in its declared unit or
 * in s/ms/us/ns (pcap2qlog writes seconds while declaring ms), it falls
 * between 2000 and 2100. Anything else (0, "11001" us) is a relative
 * origin and times stay relative to 0. */
static bool epoch_ns(double v, double unit_ns, int64_t *out)
{
	const double lo = 946684800e9, hi = 4102444800e9;
	const double units[] = {unit_ns, 1e9, 1e6, 1e3, 1};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double ns = v * units[i];
		if (ns >= lo && ns < hi) {
			/* whole and fractional parts apart: v * unit alone
			   rounds to 256 ns at today's epoch */
			*out = to_ns(v, units[i]);
			return true;
		}
	}
	return false;
}

/* "1970-01-01T00:00:00.000Z" and other RFC 3339 UTC times. */
static bool parse_rfc3339(const char *s, int64_t *out)
{
	struct tm tm;
	double sec = 0;
	int n = 0;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &sec, &n) != 6)
		return false;
	if (tm.tm_year < 1970 || tm.tm_year > 2200 || !(sec >= 0 && sec < 61))
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = 0;
	time_t t = timegm(&tm);
	if (t < 0 || t > 7258118400) /* keeps the ns below INT64_MAX */
		return false;
	*out = (int64_t)t * 1000000000 + (int64_t)llround(sec * 1e9);
	return true;
}

static void set_columns(qlog_trace *t, const cJSON *fields)
{
	int i = 0;
	const cJSON *f;
	t->c_time = t->c_cat = t->c_name = t->c_data = t->c_trigger =
	    t->c_group = -1;
	cJSON_ArrayForEach(f, fields)
	{
		const char *n = cJSON_IsString(f) ? f->valuestring : "";
		if (!strcasecmp(n, "relative_time") || !strcasecmp(n, "time")) {
			t->c_time = i;
		} else if (!strcasecmp(n, "delta_time")) {
			t->c_time = i;
			t->c_time_delta = true;
		} else if (!strcasecmp(n, "category")) {
			t->c_cat = i;
		} else if (!strcasecmp(n, "event") ||
			   !strcasecmp(n, "event_type") ||
			   !strcasecmp(n, "type")) {
			t->c_name = i;
		} else if (!strcasecmp(n, "data")) {
			t->c_data = i;
		} else if (!strcasecmp(n, "trigger")) {
			t->c_trigger = i;
		} else if (!strcasecmp(n, "group_id")) {
			t->c_group = i;
		}
		i++;
	}
	t->ncols = i;
}

static void set_string(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

void qlog_trace_init(qlog_trace *t, int index, const cJSON *file,
		     const cJSON *trace, const char *version)
{
	const cJSON *cf = qj_get(trace, "common_fields");
	const cJSON *conf = qj_get(trace, "configuration");
	const cJSON *vp = qj_get(trace, "vantage_point");
	const cJSON *ref, *fields;
	const char *tf, *units, *g;
	double v;

	(void)version;
	memset(t, 0, sizeof(*t));
	t->index = index;
	t->last_base = INT64_MIN;
	units = qlog_json_str(conf, "time_units");
	if (!units)
		units = qlog_json_str(cf, "time_units");
	t->unit_ns = unit_of(units);
	if (qlog_json_double(qj_get(conf, "time_offset"), &v) && isfinite(v) &&
	    fabs(v * t->unit_ns) < 4e18)
		t->offset_ns = to_ns(v, t->unit_ns);

	tf = qlog_json_str(cf, "time_format");
	if (!tf)
		tf = qlog_json_str(trace, "time_format");
	if (tf &&
	    (!strcmp(tf, "delta") || !strcmp(tf, "relative_to_previous_event")))
		t->mode = QLOG_TIME_DELTA;
	else if (tf && !strcmp(tf, "absolute"))
		t->mode = QLOG_TIME_ABSOLUTE;

	ref = qj_get(cf, "reference_time");
	if (!ref && file != trace)
		ref = qj_get(qj_get(file, "common_fields"), "reference_time");
	if (cJSON_IsObject(ref)) {
		/* newest drafts: {clock_type, epoch, wall_clock_time} */
		const char *ep = qlog_json_str(ref, "epoch");
		int64_t e;
		if (ep && parse_rfc3339(ep, &e)) {
			t->ref_epoch = true;
			t->ref_ns = e;
		}
	} else if (qlog_json_double(ref, &v)) {
		t->ref_epoch = epoch_ns(v, t->unit_ns, &t->ref_ns);
	} else if (qlog_json_double(qj_get(trace, "starttime"), &v)) {
		t->ref_epoch = epoch_ns(v, 1e9, &t->ref_ns); /* qlog 0.1 */
	}

	fields = qj_get(trace, "event_fields");
	if (!fields)
		fields = qj_get(trace, "fields"); /* 0.1 */
	if (cJSON_IsArray(fields))
		set_columns(t, fields);

	g = qlog_json_str(cf, "group_id");
	if (!g)
		g = qlog_json_str(cf, "ODCID");
	if (!g)
		g = qlog_json_str(cf, "odcid");
	if (!g)
		g = qlog_json_str(trace, "connectionid"); /* 0.1 */
	set_string(t->group, sizeof(t->group), g);
	if (vp) {
		const char *ty = qlog_json_str(vp, "type");
		copy_lower(t->vantage, sizeof(t->vantage), ty ? ty : "",
			   ty ? strlen(ty) : 0);
	} else if ((g = qlog_json_str(trace, "vantagepoint"))) {
		copy_lower(t->vantage, sizeof(t->vantage), g, strlen(g));
	}
	g = qlog_json_str(trace, "title");
	if (!g)
		g = qlog_json_str(file, "title");
	set_string(t->title, sizeof(t->title), g);
}

static const cJSON *col(const cJSON *e, int i)
{
	return i < 0 ? NULL : cJSON_GetArrayItem(e, i);
}

/* Appends src to dst[*k..cap-1), keeping a terminator. */
static void append(char *dst, size_t cap, size_t *k, const char *src)
{
	while (*src && *k + 1 < cap)
		dst[(*k)++] = *src++;
	dst[*k] = '\0';
}

static void set_name(qlog_event *out, const char *cat, const char *ev)
{
	const char *colon;
	size_t k = 0;
	out->name[0] = '\0';
	if (cat && *cat) {
		append(out->name, sizeof(out->name), &k, cat);
		append(out->name, sizeof(out->name), &k, ":");
	}
	append(out->name, sizeof(out->name), &k, ev);
	colon = strchr(out->name, ':');
	if (colon) {
		copy_lower(out->catl, sizeof(out->catl), out->name,
			   (size_t)(colon - out->name));
		out->ev = colon + 1;
	} else {
		out->catl[0] = '\0';
		out->ev = out->name;
	}
	copy_lower(out->evl, sizeof(out->evl), out->ev, strlen(out->ev));
}

bool qlog_event_read(qlog_trace *t, const cJSON *e, qlog_event *out)
{
	const cJSON *tj, *d;
	const char *cat = NULL, *ev = NULL;
	bool delta = t->mode == QLOG_TIME_DELTA;
	double v;
	int64_t base;

	memset(out, 0, sizeof(*out));
	if (cJSON_IsArray(e) && t->ncols > 0) {
		const cJSON *c = col(e, t->c_cat), *n = col(e, t->c_name);
		tj = col(e, t->c_time);
		cat = cJSON_IsString(c) ? c->valuestring : NULL;
		ev = cJSON_IsString(n) ? n->valuestring : NULL;
		d = col(e, t->c_data);
		if (t->c_trigger >= 0 && cJSON_IsString(col(e, t->c_trigger)))
			out->trigger = col(e, t->c_trigger)->valuestring;
		if (t->c_group >= 0 && cJSON_IsString(col(e, t->c_group)))
			out->group = col(e, t->c_group)->valuestring;
		delta = delta || t->c_time_delta;
	} else if (cJSON_IsObject(e)) {
		/* one pass over the members: lookups by name would compare
		   every key again for each of them */
		const cJSON *c, *dt = NULL, *evt = NULL, *evtype = NULL;
		const cJSON *name = NULL, *catj = NULL;
		tj = d = NULL;
		cJSON_ArrayForEach(c, e)
		{
			const char *k = c->string;
			if (!k)
				continue;
			if (!strcmp(k, "time"))
				tj = c;
			else if (!strcmp(k, "name"))
				name = c;
			else if (!strcmp(k, "data"))
				d = c;
			else if (!strcmp(k, "group_id"))
				out->group = cJSON_GetStringValue(c);
			else if (!strcmp(k, "trigger"))
				out->trigger = cJSON_GetStringValue(c);
			else if (!strcmp(k, "delta_time"))
				dt = c;
			else if (!strcmp(k, "category"))
				catj = c;
			else if (!strcmp(k, "event"))
				evt = c;
			else if (!strcmp(k, "event_type"))
				evtype = c;
		}
		if (!tj && dt) {
			tj = dt;
			delta = true;
		}
		ev = cJSON_GetStringValue(name);
		if (!ev) {
			cat = cJSON_GetStringValue(catj);
			ev = cJSON_GetStringValue(evt);
			if (!ev)
				ev = cJSON_GetStringValue(evtype);
		}
	} else {
		return false;
	}
	if (!ev || !*ev || !qlog_json_double(tj, &v) || !isfinite(v) ||
	    fabs(v * t->unit_ns) > 4e18)
		return false;
	out->data = cJSON_IsObject(d) ? d : NULL;
	set_name(out, cat, ev);

	if (delta) {
		if (__builtin_add_overflow(t->prev_ns, to_ns(v, t->unit_ns),
					   &t->prev_ns))
			return false;
		base = t->prev_ns;
	} else {
		base = to_ns(v, t->unit_ns) + t->offset_ns;
	}
	if (t->mode != QLOG_TIME_ABSOLUTE && t->ref_epoch &&
	    __builtin_add_overflow(base, t->ref_ns, &base))
		return false;
	if (base > INT64_MAX - 1000)
		return false;
	/* events sharing one timestamp are spread 1 ns apart, in file order,
	   so their order (and which frames belong to which packet) survives
	   the store's per-type blocks */
	if (base == t->last_base) {
		if (t->same < 999)
			t->same++;
	} else {
		t->same = 0;
		t->last_base = base;
	}
	out->t_ns = base + t->same;
	return true;
}
