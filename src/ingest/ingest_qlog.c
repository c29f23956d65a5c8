/* ingest_qlog.c - a qlog file into the store, in the same one-transaction
 * scheme as Ojo batches (the mapping itself lives in src/qlog). */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qlog/qlog.h"

int ingest_qlog(ingest_ctx *c)
{
	qlog_report rep;
	char err[256] = "", format[48];
	store_file_info fi;
	int rc;

	memset(&rep, 0, sizeof(rep));
	if ((rc = ingest_begin(c)) != 0)
		return rc < 0 ? rc : 0;
	rc = qlog_import(c->s, c->path, &rep, err, sizeof(err));
	if (rc == -EINVAL) { /* not (valid) qlog: the file's fault */
		store_rollback(c->s);
		return ingest_reject(c, "qlog", err[0] ? err : "not qlog");
	}
	if (rc == -ENOSYS || rc == -EIO || rc == -ENOMEM || rc == -ENOENT ||
	    rc == -EACCES) {
		/* not the file's fault: leave it out of the ledger */
		store_rollback(c->s);
		snprintf(c->res->reason, sizeof(c->res->reason), "%s", err);
		return 0;
	}
	if (rc < 0)
		return ingest_fail(c, rc);
	if (rep.truncated && !(c->flags & INGEST_SETTLED)) {
		store_rollback(c->s);
		c->res->unsettled = true;
		snprintf(c->res->reason, sizeof(c->res->reason), "%s",
			 rep.warning);
		return 0;
	}
	snprintf(format, sizeof(format), "qlog%s%s", rep.format[0] ? "-" : "",
		 rep.format);
	ingest_file_info(c, &fi, format);
	fi.events = rep.ojo_events;
	fi.reason = rep.warning[0] ? rep.warning : NULL;
	if ((rc = store_file_done(c->s, &fi)) < 0 ||
	    (rc = store_commit(c->s)) < 0)
		return ingest_fail(c, rc);
	c->res->status = STORE_FILE_INGESTED;
	c->res->events = rep.ojo_events;
	c->res->unmapped = rep.events_unmapped;
	snprintf(c->res->reason, sizeof(c->res->reason), "%s", rep.warning);
	return 0;
}
