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
		uint32_t *ty = realloc(tn->type, cap * sizeof(*ty));
		if (!ty)
			return -ENOMEM;
		tn->type = ty;
		char **a = realloc(tn->name, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		tn->name = a;
		a = realloc(tn->kind, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		tn->kind = a;
		a = realloc(tn->unit, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		tn->unit = a;
	}
	tn->type[tn->n] = t->type;
	tn->name[tn->n] = strdup(t->name);
	tn->kind[tn->n] = strdup(t->payload_kind);
	tn->unit[tn->n] = strdup(t->unit);
	tn->n++;
	if (!tn->name[tn->n - 1] || !tn->kind[tn->n - 1] ||
	    !tn->unit[tn->n - 1])
		return -ENOMEM;
	return 0;
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
		free(t->name[i]);
		free(t->kind[i]);
		free(t->unit[i]);
	}
	free(t->type);
	free(t->name);
	free(t->kind);
	free(t->unit);
	memset(t, 0, sizeof(*t));
}

long type_names_find(const type_names *t, uint32_t type)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) { /* catalog rows come ordered by type */
		size_t mid = (lo + hi) / 2;
		if (t->type[mid] < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->type[lo] == type ? (long)lo : -1;
}

void put_event_fields(jw *w, const type_names *tn, const ojo_rd_event *e)
{
	jw_kint(w, "flow", e->flow_key);
	jw_kint(w, "type", e->type);
	long i = type_names_find(tn, e->type);
	const char *kind = "count";
	if (i >= 0) {
		jw_kstr(w, "name", tn->name[i]);
		kind = tn->kind[i];
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
