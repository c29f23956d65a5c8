/* http_types.c - event type names and payload kinds for event listings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "ojo/events.h"

static int add_type(void *user, const store_type_row *t)
{
	http_types *tn = user;
	if ((tn->n & (tn->n - 1)) == 0) {
		size_t cap = tn->n ? tn->n * 2 : 32;
		http_type_name *a = realloc(tn->t, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		tn->t = a;
	}
	http_type_name *e = &tn->t[tn->n++];
	e->type = t->type;
	e->name = strdup(t->name);
	e->kind = strdup(t->payload_kind);
	e->unit = strdup(t->unit);
	return e->name && e->kind && e->unit ? 0 : -ENOMEM;
}

int http_types_load(store *r, http_types *t)
{
	memset(t, 0, sizeof(*t));
	int rc = store_type_catalog(r, add_type, t);
	if (rc == -ENODATA)
		rc = 0;
	return rc;
}

void http_types_free(http_types *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->t[i].name);
		free(t->t[i].kind);
		free(t->t[i].unit);
	}
	free(t->t);
	memset(t, 0, sizeof(*t));
}

long http_types_find(const http_types *t, uint32_t type)
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

void http_put_event_fields(util_json *w, const http_types *tn,
			   const store_event_row *e)
{
	util_json_kint(w, "flow", e->flow_key);
	util_json_kint(w, "type", e->type);
	long i = http_types_find(tn, e->type);
	const char *kind = "count";
	if (i >= 0) {
		util_json_kstr(w, "name", tn->t[i].name);
		kind = tn->t[i].kind;
	} else {
		const ojo_event_type_info *ti = ojo_event_type_lookup(e->type);
		char name[32];
		snprintf(name, sizeof(name), "type_%u", e->type);
		util_json_kstr(w, "name", ti ? ti->name : name);
		if (ti)
			kind = ojo_payload_kind_name(ti->payload_kind);
	}
	util_json_key(w, "payload");
	util_json_u64s(w, e->payload);
	util_json_key(w, "value");
	if (e->payload < (UINT64_C(1) << 53))
		util_json_uint(w, e->payload);
	else
		util_json_null(w);
	if (kind && !strcmp(kind, "range")) {
		util_json_kint(w, "offset",
			       (int64_t)OJO_RANGE_OFFSET(e->payload));
		util_json_kint(w, "length",
			       (int64_t)OJO_RANGE_LENGTH(e->payload));
	} else if (kind && !strcmp(kind, "retrans")) {
		util_json_kint(w, "old_pn",
			       (int64_t)OJO_RETRANS_OLD(e->payload));
		util_json_kint(w, "new_pn",
			       (int64_t)OJO_RETRANS_NEW(e->payload));
	}
}
