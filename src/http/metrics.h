/* metrics.h - the series the API knows by name, and which event types
 * feed them. */
#ifndef OJO_HTTP_METRICS_H
#define OJO_HTTP_METRICS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct metric {
	const char *name;
	uint32_t type, type2; /* type2: a second type counted (0 = none) */
	bool range;	      /* payload is OJO_RANGE(offset, length) */
	bool children;	      /* on a connection, one series per stream */
	bool series;	      /* usable as /series?metric= */
	const char *unit;
} metric;

enum { METRIC_COUNT = 17 };
extern const metric metrics[METRIC_COUNT];

/* The metric called name, or NULL. */
const metric *metric_find(const char *name);

static inline bool metric_has_type(const metric *m, uint32_t t)
{
	return t == m->type || (m->type2 && t == m->type2);
}

#endif
