/* demo_scenario.h - named simulation setups for `ojo demo`, and running one
 * into an Ojo tracer. */
#ifndef OJO_DEMO_SCENARIO_H
#define OJO_DEMO_SCENARIO_H

#include <stddef.h>

#include "demo/demo.h"
#include "ojo/ojo.h"

typedef struct demo_scenario {
	char name[24];
	demo_config cfg;
} demo_scenario;

#define DEMO_MAX_SCENARIOS 8

/* The default set: a clean path, a lossy one, one held back by flow
 * control, and CUBIC connections sharing a bottleneck. Returns the count. */
size_t demo_default_scenarios(uint64_t seed, demo_scenario *out, size_t max);

/* One line such as "newreno, 50 Mbit/s, 10 ms, 1% loss, queue 200". */
void demo_describe(const demo_config *cfg, char *buf, size_t len);

const char *demo_cc_name(demo_cc_algo cc);

/* What a traced run produced besides the simulation result. */
typedef struct demo_trace_info {
	char trace_name[128]; /* ojo_tracer_name() of the senders' tracer */
	ojo_stats stats;      /* after the final flush */
	char receiver_trace_name[128]; /* the receivers' tracer */
	ojo_stats receiver_stats;
} demo_trace_info;

/* Runs cfg with the senders' events recorded by one new tracer and the
 * receivers' by another (see sim.h, vantage points), both writing to
 * output_dir (batches end up in output_dir/output); closes them and fills
 * res and info. Returns 0 or a negative code. */
int demo_run_traced(const demo_config *cfg, const char *output_dir,
		    demo_result *res, demo_trace_info *info);

#endif
