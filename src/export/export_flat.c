/* export_flat.c - stored events as flat CSV or JSON rows (trace, flow,
 * time, type, name, payload, and offset/length for byte ranges). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "export/export_int.h"
#include "ojo/events.h"

/* ---- CSV and JSON ---------------------------------------------------- */

static int flat_cb(void *ctx, const store_event_row *e)
{
	export_flat *fl = ctx;
	char buf[32];
	const char *name =
	    e->type ? export_type_name(e->type, buf, sizeof(buf)) : e->name;
	const ojo_event_type_info *ti = ojo_event_type_lookup(e->type);
	bool range = ti && ti->payload_kind == OJO_PK_RANGE;
	if (fl->json) {
		fprintf(fl->out,
			"%s\n{\"trace_id\":%" PRId64 ",\"flow_id\":%u,"
			"\"time_ns\":%" PRId64 ",\"type\":%u,\"name\":",
			fl->first ? "" : ",", fl->trace, e->flow_id, e->time_ns,
			e->type);
		export_json_str(fl->out, name);
		if (e->type)
			fprintf(fl->out, ",\"payload\":%" PRIu64, e->payload);
		if (range)
			fprintf(fl->out,
				",\"offset\":%" PRIu64 ",\"length\":%" PRIu64,
				OJO_RANGE_OFFSET(e->payload),
				OJO_RANGE_LENGTH(e->payload));
		if (!e->type && e->json)
			fprintf(fl->out, ",\"qlog\":%s", e->json);
		fputc('}', fl->out);
	} else {
		fprintf(fl->out, "%" PRId64 ",%u,%" PRId64 ",%u,", fl->trace,
			e->flow_id, e->time_ns, e->type);
		/* names are identifiers or qlog names: quote them anyway */
		fputc('"', fl->out);
		for (const char *p = name; p && *p; p++) {
			if (*p == '"')
				fputc('"', fl->out);
			fputc(*p, fl->out);
		}
		fputc('"', fl->out);
		if (e->type)
			fprintf(fl->out, ",%" PRIu64, e->payload);
		else
			fputc(',', fl->out);
		if (range)
			fprintf(fl->out, ",%" PRIu64 ",%" PRIu64 "\n",
				OJO_RANGE_OFFSET(e->payload),
				OJO_RANGE_LENGTH(e->payload));
		else
			fputs(",,\n", fl->out);
	}
	fl->first = false;
	fl->n++;
	return ferror(fl->out) ? -EIO : 0;
}

int export_flat_conn(store *s, const export_opts *o, export_trace *t,
		     const export_flow *c, export_flat *fl)
{
	uint32_t *ids;
	store_event_query f;
	/* one flow asked for: only it (and, for a connection, its streams) */
	uint32_t only = o->flow_id && o->flow_id != c->id ? o->flow_id : 0;
	int rc = export_conn_filter(t, c, only, o, &f, &ids);
	if (rc < 0)
		return rc;
	fl->trace = t->id;
	rc = store_events(s, &f, flat_cb, fl);
	free(ids);
	return rc;
}
