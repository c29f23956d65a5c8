/* types.c - event type names and payload kinds for event listings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "ojo/events.h"

static int add_type(void *user, const ojo_rd_type *t)
{
	type_names *tn = user;
	if ((tn->n & (tn->n - 1)) == 0) {
		size_t cap = tn->n ? tn->n * 2 : 32;
		type_name *a = realloc(tn->t, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		tn->t = a;
	}
	type_name *e = &tn->t[tn->n++];
	e->type = t->type;
	e->name = strdup(t->name);
	e->kind = strdup(t->payload_kind);
	e->unit = strdup(t->unit);
	return e->name && e->kind && e->unit ? 0 : -ENOMEM;
}

int type_names_load(ojo_rd *r, type_names *t)
{
	memset(t, 0, sizeof(*t));
	int rc = ojo_rd_type_catalog(r, add_type, t);
	if (rc == -ENODATA)
		rc = 0;
	return rc;
}

void type_names_free(type_names *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->t[i].name);
		free(t->t[i].kind);
		free(t->t[i].unit);
	}
	free(t->t);
	memset(t, 0, sizeof(*t));
}

long type_names_find(const type_names *t, uint32_t type)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) { /* catalog rows come ordered by type */
		size_t mid = (lo + hi) / 2;
		if (t->t[mid].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->t[lo].type == type ? (long)lo : -1;
}

void put_event_fields(jw *w, const type_names *tn, const ojo_rd_event *e)
{
	jw_kint(w, "flow", e->flow_key);
	jw_kint(w, "type", e->type);
	long i = type_names_find(tn, e->type);
	const char *kind = "count";
	if (i >= 0) {
		jw_kstr(w, "name", tn->t[i].name);
		kind = tn->t[i].kind;
	} else {
		const ojo_event_type_info *ti = ojo_event_type_lookup(e->type);
		char name[32];
		snprintf(name, sizeof(name), "type_%u", e->type);
		jw_kstr(w, "name", ti ? ti->name : name);
		if (ti)
			kind = ojo_payload_kind_name(ti->payload_kind);
	}
	jw_key(w, "payload");
	jw_u64s(w, e->payload);
	jw_key(w, "value");
	if (e->payload < (UINT64_C(1) << 53))
		jw_uint(w, e->payload);
	else
		jw_null(w);
	if (kind && !strcmp(kind, "range")) {
		jw_kint(w, "offset", (int64_t)OJO_RANGE_OFFSET(e->payload));
		jw_kint(w, "length", (int64_t)OJO_RANGE_LENGTH(e->payload));
	} else if (kind && !strcmp(kind, "retrans")) {
		jw_kint(w, "old_pn", (int64_t)OJO_RETRANS_OLD(e->payload));
		jw_kint(w, "new_pn", (int64_t)OJO_RETRANS_NEW(e->payload));
	}
}
