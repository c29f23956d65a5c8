/* store_backend.h - what a storage backend implements behind store.h.
 *
 * A backend fills one store_ops table. Its handles start with a struct
 * store (so store.c can reach the table and the common state) followed by
 * whatever the backend keeps; store.c checks arguments that do not depend
 * on the backend, keeps the error text and the deadline, and forwards.
 * Only backends (src/sqlite, src/clickhouse) and src/backends include
 * this header; callers of the store see store.h alone. store_open()
 * itself lives in src/backends, the one place that knows every backend. */
#ifndef OJO_STORE_BACKEND_H
#define OJO_STORE_BACKEND_H

#include <stdarg.h>

#include "store/store.h"

typedef struct store_ops store_ops;

/* The part of every handle that store.c owns. */
struct store {
	const store_ops *ops;
	int mode;	      /* enum store_mode */
	int64_t deadline_ns;  /* 0: none */
	store_shared *shared; /* may be NULL */
	void (*notice)(void *user, const char *msg);
	void *notice_user;
	char err[512];
};

struct store_ops {
	const char *name;
	/* True when db names a database of this backend (a URL scheme). */
	bool (*claims)(const char *db);
	/* Allocates the handle (calloc'ed, at least sizeof(struct store)):
	 * store.c fills the common part, then calls open(). */
	size_t handle_size;
	int (*open)(store *s, const store_opts *o);
	void (*close)(store *s); /* frees what open() allocated, not s */

	int (*version)(store *s, int64_t *out);

	int (*file_get)(store *s, const char *path, store_file_status *st,
			int64_t *size, int64_t *mtime_ns);
	int (*begin)(store *s);
	int (*commit)(store *s);
	int (*rollback)(store *s);
	int (*trace)(store *s, const store_trace_info *info, int64_t *id);
	int (*append)(store *s, int64_t trace_id, const store_event *ev,
		      size_t n);
	int (*flow_label)(store *s, int64_t trace_id, uint32_t flow_id,
			  const char *label);
	int (*unmapped)(store *s, int64_t trace_id, uint32_t flow_id,
			int64_t time_ns, const char *name, const char *json);
	int (*event_type)(store *s, const store_type_info *ti);
	int (*file_done)(store *s, const store_file_info *fi);

	int (*stats)(store *s, store_stats *out);
	int (*traces)(store *s, int64_t id, store_trace_fn fn, void *user);
	int (*types)(store *s, int64_t trace_id, int64_t flow_key,
		     store_type_fn fn, void *user);
	int (*type_catalog)(store *s, store_type_fn fn, void *user);
	int (*flows)(store *s, const store_flow_query *q, int64_t *total,
		     store_flow_fn fn, void *user);
	int (*flow_get)(store *s, int64_t key, store_flow_fn fn, void *user);
	int (*trace_flows)(store *s, int64_t trace_id, store_flow_fn fn,
			   void *user);
	int (*flow_type_counts)(store *s, int64_t key, bool children,
				store_count_fn fn, void *user);
	int (*trace_type_counts)(store *s, int64_t trace_id,
				 store_flow_count_fn fn, void *user);
	int (*flow_span)(store *s, int64_t key, bool children, int64_t *first,
			 int64_t *last);
	int (*events)(store *s, const store_event_query *q, store_event_fn fn,
		      void *user);
	int (*events_count)(store *s, const store_event_query *q, int64_t *n);
	int (*series)(store *s, const store_series_query *q,
		      store_series_set *out);
	int (*query)(store *s, const char *sql, const store_query_cb *cb);
};

/* Sets s->err from a printf format and returns code. */
int store_fail(store *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int store_vfail(store *s, int code, const char *fmt, va_list ap);

/* The backend state attached to sh for ops (made by make(cache_bytes) on
 * first use, freed by destroy() in store_shared_free); NULL when make
 * fails. Thread-safe. */
void *store_shared_state(store_shared *sh, const store_ops *ops,
			 void *(*make)(size_t cache_bytes),
			 void (*destroy)(void *state));

/* Allocates a handle of ops and opens it (what store_open() does once
 * src/backends has picked the backend that claims o->db). */
int store_open_with(const store_ops *ops, const store_opts *o, store **out,
		    char *err, size_t errlen);

#endif
