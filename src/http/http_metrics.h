/* http_metrics.h - the series the API knows by name, and which event types
 * feed them. */
#ifndef OJO_HTTP_METRICS_H
#define OJO_HTTP_METRICS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct http_metric {
	const char *name;
	uint32_t type, type2; /* type2: a second type counted (0 = none) */
	bool range;	      /* payload is OJO_RANGE(offset, length) */
	bool children;	      /* on a connection, one series per stream */
	bool series;	      /* usable as /series?metric= */
	const char *unit;
} http_metric;

enum { HTTP_METRIC_COUNT = 17 };
extern const http_metric http_metrics[HTTP_METRIC_COUNT];

/* The metric called name, or NULL. */
const http_metric *http_metric_find(const char *name);

static inline bool http_metric_has_type(const http_metric *m, uint32_t t)
{
	return t == m->type || (m->type2 && t == m->type2);
}

#endif
