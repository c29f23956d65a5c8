/* events.c - the built-in event-type catalog (events.h). */
#include <string.h>

#include "internal.h"

#define E(t, n, c, d, k, u)                                                    \
	{                                                                      \
		OJO_EV_##t, n, c, d, OJO_PK_##k, u                             \
	}

static const ojo_event_type_info catalog[] = {
    E(PACKET_CREATED, "packet_created", "packet", "packet built, not yet sent",
      COUNT, ""),
    E(PACKET_SENT, "packet_sent", "packet", "packet sent", COUNT, ""),
    E(PACKET_RECEIVED, "packet_received", "packet", "packet received", COUNT,
      ""),
    E(PACKET_ACKED, "packet_acked", "packet", "packet acknowledged", COUNT, ""),
    E(PACKET_LOST_TIMEOUT, "packet_lost_timeout", "packet",
      "packet declared lost by time threshold or PTO", COUNT, ""),
    E(PACKET_LOST_THRESHOLD, "packet_lost_threshold", "packet",
      "packet declared lost by packet threshold / duplicate ACKs", COUNT, ""),
    E(PACKET_RETRANS_SAME, "packet_retransmitted_same", "packet",
      "packet resent under the same number", COUNT, ""),
    E(PACKET_RETRANS_NEW, "packet_retransmitted_new", "packet",
      "packet content resent under a new number", RETRANS, ""),
    E(STREAM_OPENED, "stream_opened", "stream", "stream opened", COUNT, ""),
    E(STREAM_LINK, "stream_link", "stream",
      "stream belongs to the connection flow in the payload", FLOW, ""),
    E(STREAM_FIN_SENT, "stream_fin_sent", "stream", "FIN sent on the stream",
      BYTES, "bytes"),
    E(STREAM_FIN_ACKED, "stream_fin_acked", "stream",
      "FIN of the stream acknowledged", NONE, ""),
    E(STREAM_RESET, "stream_reset", "stream", "stream reset", COUNT, ""),
    E(MAX_DATA, "max_data", "flow_control", "connection flow-control limit",
      BYTES, "bytes"),
    E(MAX_STREAM_DATA, "max_stream_data", "flow_control",
      "stream flow-control limit", BYTES, "bytes"),
    E(DATA_BLOCKED, "data_blocked", "flow_control",
      "sender blocked by the connection limit", BYTES, "bytes"),
    E(STREAM_DATA_BLOCKED, "stream_data_blocked", "flow_control",
      "sender blocked by the stream limit", BYTES, "bytes"),
    E(CWND, "cwnd", "congestion", "congestion window", BYTES, "bytes"),
    E(SSTHRESH, "ssthresh", "congestion", "slow-start threshold", BYTES,
      "bytes"),
    E(BYTES_IN_FLIGHT, "bytes_in_flight", "congestion", "bytes in flight",
      BYTES, "bytes"),
    E(RTT_SAMPLE, "rtt_sample", "rtt", "RTT sample", DURATION_NS, "ns"),
    E(SMOOTHED_RTT, "smoothed_rtt", "rtt", "smoothed RTT", DURATION_NS, "ns"),
    E(RTT_VAR, "rtt_var", "rtt", "RTT variation", DURATION_NS, "ns"),
    E(MIN_RTT, "min_rtt", "rtt", "minimum RTT", DURATION_NS, "ns"),
    E(RECOVERY_STATE, "recovery_state", "congestion",
      "loss-recovery state change (ojo_recovery_state)", ENUM, ""),
    E(PACING_RATE, "pacing_rate", "congestion", "pacing rate", RATE, "bytes/s"),
    E(DATA_SENT, "data_sent", "data", "stream bytes sent", RANGE, "bytes"),
    E(DATA_ACKED, "data_acked", "data", "stream bytes acknowledged", RANGE,
      "bytes"),
    E(DATA_LOST, "data_lost", "data", "stream bytes declared lost", RANGE,
      "bytes"),
    E(DATA_RETRANSMITTED, "data_retransmitted", "data",
      "stream bytes retransmitted", RANGE, "bytes"),
    E(DATA_RECEIVED, "data_received", "data", "stream bytes received", RANGE,
      "bytes"),
    E(EVENTS_DROPPED, "events_dropped", "meta",
      "events lost by the tracer (ring full or write error)", COUNT, "events"),
};

#define NCAT (sizeof(catalog) / sizeof(catalog[0]))

OJO_API const ojo_event_type_info *ojo_event_types(size_t *n)
{
	if (n)
		*n = NCAT;
	return catalog;
}

OJO_API const ojo_event_type_info *ojo_event_type_lookup(uint32_t type)
{
	size_t lo = 0, hi = NCAT; /* the table is in type order */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (catalog[mid].type == type)
			return &catalog[mid];
		if (catalog[mid].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *const kind_names[] = {
    [OJO_PK_NONE] = "none",   [OJO_PK_COUNT] = "count",
    [OJO_PK_BYTES] = "bytes", [OJO_PK_DURATION_NS] = "duration_ns",
    [OJO_PK_RANGE] = "range", [OJO_PK_FLOW] = "flow",
    [OJO_PK_ENUM] = "enum",   [OJO_PK_RETRANS] = "retrans",
    [OJO_PK_RATE] = "rate",
};

#define NKIND (sizeof(kind_names) / sizeof(kind_names[0]))

OJO_API const char *ojo_payload_kind_name(ojo_payload_kind k)
{
	if ((unsigned)k < NKIND)
		return kind_names[k];
	return "unknown";
}

OJO_API int ojo_payload_kind_parse(const char *name)
{
	for (size_t i = 0; name && i < NKIND; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -1;
}
