/* events.h - the catalog of built-in event types.
 *
 * Each constant names what happened; the comment says what the 64-bit
 * payload carries. Flow ids are the caller's: use one per connection and
 * one per stream, and link a stream to its connection with
 * OJO_EV_STREAM_LINK. Types below OJO_EV_USER_BASE are reserved. */
#ifndef OJO_EVENTS_H
#define OJO_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ojo_event_type {
	/* packets: payload = packet number */
	OJO_EV_PACKET_CREATED = 1,
	OJO_EV_PACKET_SENT = 2,
	OJO_EV_PACKET_RECEIVED = 3,
	OJO_EV_PACKET_ACKED = 4,
	OJO_EV_PACKET_LOST_TIMEOUT = 5,	  /* time threshold or PTO */
	OJO_EV_PACKET_LOST_THRESHOLD = 6, /* packet threshold, dup ACKs */
	OJO_EV_PACKET_RETRANS_SAME = 7, /* resent under the same number (TCP) */
	OJO_EV_PACKET_RETRANS_NEW = 8,	/* payload = OJO_RETRANS(old, new) */

	/* streams: recorded on the stream's own flow id */
	OJO_EV_STREAM_OPENED = 16,   /* payload = protocol stream id */
	OJO_EV_STREAM_LINK = 17,     /* payload = parent (connection) flow id */
	OJO_EV_STREAM_FIN_SENT = 18, /* payload = final size in bytes */
	OJO_EV_STREAM_FIN_ACKED = 19,
	OJO_EV_STREAM_RESET = 20, /* payload = application error code */

	/* flow control: payload = limit in bytes */
	OJO_EV_MAX_DATA = 32, /* connection limit, on the connection flow */
	OJO_EV_MAX_STREAM_DATA = 33, /* stream limit, on the stream flow */
	OJO_EV_DATA_BLOCKED = 34,
	OJO_EV_STREAM_DATA_BLOCKED = 35,

	/* congestion control and RTT */
	OJO_EV_CWND = 48,	     /* bytes */
	OJO_EV_SSTHRESH = 49,	     /* bytes; UINT64_MAX = infinite */
	OJO_EV_BYTES_IN_FLIGHT = 50, /* bytes */
	OJO_EV_RTT_SAMPLE = 51,	     /* ns */
	OJO_EV_SMOOTHED_RTT = 52,    /* ns */
	OJO_EV_RTT_VAR = 53,	     /* ns */
	OJO_EV_MIN_RTT = 54,	     /* ns */
	OJO_EV_RECOVERY_STATE = 55,  /* enum ojo_recovery_state */
	OJO_EV_PACING_RATE = 56,     /* bytes per second */

	/* stream data ranges: payload = OJO_RANGE(offset, length) */
	OJO_EV_DATA_SENT = 64,
	OJO_EV_DATA_ACKED = 65,
	OJO_EV_DATA_LOST = 66,
	OJO_EV_DATA_RETRANSMITTED = 67,
	OJO_EV_DATA_RECEIVED = 68,

	/* written by the library itself, flow id 0: payload = events lost */
	OJO_EV_EVENTS_DROPPED = 255,

	OJO_EV_USER_BASE = 0x10000, /* first type free for users */
};

enum ojo_recovery_state {
	OJO_RS_SLOW_START = 0,
	OJO_RS_CONGESTION_AVOIDANCE = 1,
	OJO_RS_RECOVERY = 2,
	OJO_RS_APPLICATION_LIMITED = 3,
};

/* A byte range in one payload: offset in the low 40 bits (1 TiB), length
 * in the high 24 bits (16 MiB). Split larger ranges into several events. */
#define OJO_RANGE_OFFSET_BITS 40
#define OJO_RANGE_MAX_OFFSET  ((UINT64_C(1) << OJO_RANGE_OFFSET_BITS) - 1)
#define OJO_RANGE_MAX_LENGTH  ((UINT64_C(1) << (64 - OJO_RANGE_OFFSET_BITS)) - 1)
#define OJO_RANGE(offset, length)                                              \
	((OJO_RANGE_MAX_OFFSET & (uint64_t)(offset)) |                         \
	 ((uint64_t)(length) << OJO_RANGE_OFFSET_BITS))
#define OJO_RANGE_OFFSET(p) (OJO_RANGE_MAX_OFFSET & (uint64_t)(p))
#define OJO_RANGE_LENGTH(p) ((uint64_t)(p) >> OJO_RANGE_OFFSET_BITS)

/* Retransmission under a new number: old packet number in the low 32 bits,
 * new one in the high 32 bits. */
#define OJO_RETRANS(old_pn, new_pn)                                            \
	(((uint64_t)(uint32_t)(old_pn)) | ((uint64_t)(new_pn) << 32))
#define OJO_RETRANS_OLD(p) (UINT64_C(0xffffffff) & (uint64_t)(p))
#define OJO_RETRANS_NEW(p) ((uint64_t)(p) >> 32)

/* How a reader should show a payload. */
typedef enum ojo_payload_kind {
	OJO_PK_NONE = 0,    /* payload carries nothing */
	OJO_PK_COUNT,	    /* a plain number (packet number, count, id) */
	OJO_PK_BYTES,	    /* a quantity of bytes */
	OJO_PK_DURATION_NS, /* a duration in nanoseconds */
	OJO_PK_RANGE,	    /* OJO_RANGE(offset, length) */
	OJO_PK_FLOW,	    /* another flow id */
	OJO_PK_ENUM,	    /* a small enumeration */
	OJO_PK_RETRANS,	    /* OJO_RETRANS(old, new) */
	OJO_PK_RATE,	    /* bytes per second */
} ojo_payload_kind;

typedef struct ojo_event_type_info {
	uint32_t type;
	const char *name;     /* e.g. "packet_sent" */
	const char *category; /* packet, stream, flow_control, congestion,
				 rtt, data, meta */
	const char *description;
	ojo_payload_kind payload_kind;
	const char *unit; /* "bytes", "ns", "" ... */
} ojo_event_type_info;

/* The built-in catalog, in type order, for readers that show events;
 * *n receives its length. Static: never freed. */
const ojo_event_type_info *ojo_event_types(size_t *n);

/* The entry for one built-in type (static), or NULL for unknown/user
 * types, which readers describe from the schema file instead. */
const ojo_event_type_info *ojo_event_type_lookup(uint32_t type);

/* Name of a payload kind as schema files spell it ("bytes", "range", ...;
 * static, "unknown" out of range), and back (-1 if unknown). */
const char *ojo_payload_kind_name(ojo_payload_kind k);
int ojo_payload_kind_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
