/* demo_catalog.c - the default `ojo demo` scenarios exercise the whole
 * built-in catalog, from the senders' and the receivers' vantage points
 * together: every type is emitted, or listed below with the reason the
 * simulation cannot honestly emit it. A type added to the catalog later
 * fails here until the simulator records it or this list says why not. */
#include "demo/demo_scenario.h"
#include "demo_common.h"

static const struct {
	uint32_t type;
	const char *why;
} not_emitted[] = {
    {OJO_EV_PACKET_RETRANS_SAME, "QUIC never reuses a packet number"},
    {OJO_EV_EVENTS_DROPPED, "written by libojo itself, only on drops"},
};

static bool excused(uint32_t type)
{
	for (size_t i = 0; i < sizeof(not_emitted) / sizeof(not_emitted[0]);
	     i++)
		if (not_emitted[i].type == type)
			return true;
	return false;
}

static int sender_side(void *user, const ojo_event *ev)
{
	return ev_log_emit(((ev_log **)user)[0], ev);
}

static int receiver_side(void *user, const ojo_event *ev)
{
	return ev_log_emit(((ev_log **)user)[1], ev);
}

int main(void)
{
	demo_scenario sc[DEMO_MAX_SCENARIOS];
	size_t n = demo_default_scenarios(1, sc, DEMO_MAX_SCENARIOS);
	CHECK(n >= 4);
	uint64_t count[256] = {0};
	for (size_t i = 0; i < n; i++) {
		ev_log log = {0}, rx = {0};
		demo_result res;
		/* one user pointer for both sides: keep them apart by address
		 */
		ev_log *both[2] = {&log, &rx};
		demo_sink sink = {.emit = sender_side,
				  .user = both,
				  .emit_receiver = receiver_side};
		CHECK_EQ(demo_run(&sc[i].cfg, &sink, &res), 0);
		CHECK_EQ(res.events, log.n);
		CHECK_EQ(res.rx_events, rx.n);
		for (size_t k = 0; k < res.n_conns; k++) {
			const demo_conn_stats *c = &res.conns[k];
			CHECK(c->completed);
			/* the peer's ACK packets: numbered 0, 1, 2 ... on the
			 * connection, and at least one per two sent */
			uint64_t next = 0;
			for (size_t e = 0; e < log.n; e++) {
				const ojo_event *ev = &log.v[e];
				if (ev->event_type != OJO_EV_PACKET_RECEIVED ||
				    ev->flow_id != c->flow_id)
					continue;
				CHECK_EQ(ev->payload, next);
				next++;
			}
			CHECK(2 * next >= c->packets_acked);
			CHECK(next <= c->packets_sent);
		}
		for (size_t e = 0; e < log.n; e++) {
			CHECK(log.v[e].event_type < 256);
			count[log.v[e].event_type]++;
		}
		for (size_t e = 0; e < rx.n; e++) {
			CHECK(rx.v[e].event_type < 256);
			count[rx.v[e].event_type]++;
		}
		demo_result_free(&res);
		ev_log_free(&log);
		ev_log_free(&rx);
	}
	size_t ntypes, emitted = 0;
	const ojo_event_type_info *cat = ojo_event_types(&ntypes);
	for (size_t i = 0; i < ntypes; i++) {
		uint32_t t = cat[i].type;
		CHECK(t < 256);
		if (count[t])
			emitted++;
		else if (!excused(t))
			fprintf(stderr, "%s (%u) never emitted by the demo\n",
				cat[i].name, t);
		CHECK(count[t] > 0 || excused(t));
		/* an excuse for a type that is emitted is stale */
		CHECK(!(count[t] > 0 && excused(t)));
	}
	printf("demo_catalog: %zu of %zu catalog types emitted, the other %zu "
	       "excused:\n",
	       emitted, ntypes, ntypes - emitted);
	for (size_t i = 0; i < sizeof(not_emitted) / sizeof(not_emitted[0]);
	     i++)
		printf("  %s: %s\n",
		       ojo_event_type_lookup(not_emitted[i].type)->name,
		       not_emitted[i].why);
	return 0;
}
