/* demo.h - a deterministic discrete-event simulation of QUIC-like
 * connections over one shared bottleneck, recording every sender-side
 * action as Ojo events through a sink (e.g. an ojo_tracer).
 *
 * Times are simulated nanoseconds since the start of the run; they become
 * the events' timestamp_ns. The same config (seed included) always yields
 * the same events in the same order: one seeded PRNG per run, an event
 * queue ordered by (time, insertion), no global state.
 *
 * What is modelled, and where:
 *   link.c      FIFO drop-tail bottleneck (packets or bytes), serialization
 *               at the bandwidth, one-way delay, random loss, an optional
 *               outage; ACKs return over an uncongested, lossless path.
 *   sender.c    packet numbers (the receiver's ACK-only packets are
 *               recorded as received), STREAM frames (lost data first, then new
 *               data round-robin over open streams), MAX_DATA /
 *               MAX_STREAM_DATA limits, DATA_BLOCKED, PTO probes, an
 *               application cancelling a stream (RESET_STREAM).
 *   pacer.c     RFC 9002 7.7 pacing: packets are built (PACKET_CREATED) as
 *               soon as the window allows and queued; a token bucket
 *               releases them (PACKET_SENT) at 1.25 x cwnd / smoothed_rtt
 *               with a burst of one initial window. Built-but-unsent bytes
 *               count against the window, so a paced sender is window-
 *               limited, not application-limited. PTO probes go at once.
 *               In slow start the pacer, not the window, limits: cwnd
 *               grows g = 1.92x per RTT (g ln g = 1.25), not 2x.
 *   recovery.c  RFC 9002: ACK ranges, RTT samples, packet threshold 3,
 *               time threshold 9/8, PTO with backoff, persistent
 *               congestion.
 *   rtt.c       RFC 9002 section 5 estimator.
 *   cc*.c       NewReno (RFC 9002 7) and CUBIC (RFC 9438), shared slow
 *               start and recovery period, no growth when app-limited.
 *   receiver.c  ACK every 2nd packet, at once on a gap, else after
 *               max_ack_delay; reassembly; the app reads at once or at a
 *               set rate; credit returned when half a window is consumed;
 *               a reset stream's final size counted as consumed.
 * Not modelled: handshake, ECN, HyStart, ACK loss, reordering.
 *
 * Vantage points: an Ojo trace is one endpoint's log, so the sender's and
 * the receiver's events never share a trace. The sink's emit gets the
 * sender's view (everything above); emit_receiver, if set, gets the
 * receiver's own view under the same flow ids: packets received
 * (PACKET_RECEIVED), stream data received (DATA_RECEIVED), its ACK-only
 * packets (PACKET_SENT), the limits it advertises (MAX_DATA,
 * MAX_STREAM_DATA), streams as it learns of them (STREAM_OPENED,
 * STREAM_LINK) and a peer's reset (STREAM_RESET). `ojo demo` records it
 * with a second tracer, a trace titled "... (receiver)". */
#ifndef OJO_DEMO_H
#define OJO_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "demo/demo_cc.h"
#include "demo/demo_link.h"
#include "ojo/ojo.h"

typedef struct demo_config {
	demo_link_cfg link;
	uint32_t connections;
	uint32_t streams_per_conn;
	uint64_t bytes_per_stream; /* > 0 */
	demo_cc_algo cc;
	uint64_t seed;
	uint32_t max_packet_size;	  /* UDP payload bytes, 1200..1500 */
	uint64_t initial_max_data;	  /* receiver's connection window */
	uint64_t initial_max_stream_data; /* receiver's per-stream window */
	uint64_t app_read_bps;	    /* receiving app's read rate; 0 = at once */
	uint64_t max_ack_delay_ns;  /* receiver's ack timer */
	uint64_t conn_start_gap_ns; /* connection k starts at k * gap */
	uint64_t stream_start_gap_ns; /* stream i opens i * gap after its
					 connection */
	uint32_t first_flow_id; /* connection k: first + k * (streams + 1);
				   its streams follow it */
	uint64_t time_limit_ns; /* stop even if transfers are unfinished */
	bool pacing;		/* RFC 9002 7.7; off: sent as soon as built */
	/* the app cancels stream reset_stream - 1 (0: none) of each
	 * connection once reset_after_bytes of it were sent */
	uint32_t reset_stream;
	uint64_t reset_after_bytes;
	uint64_t reset_error_code; /* RESET_STREAM's application error */
} demo_config;

/* Defaults: one NewReno connection, 3 streams x 1 MB, 20 Mbit/s, 20 ms
 * one-way, 100-packet queue, no loss, 1280-byte packets, 1 MB / 512 KB
 * windows, 25 ms max_ack_delay, seed 1, flow ids from 1, pacing on, no
 * stream reset. */
void demo_config_init(demo_config *cfg);
/* 0, or -EINVAL naming nothing: callers validate their own inputs first. */
int demo_config_check(const demo_config *cfg);

/* Where events go. emit returns 0 or a negative code; -OJO_EDROPPED is
 * counted and tolerated, anything else stops the run with that code.
 * emit_receiver (optional) gets the receiver's vantage point, see above. */
typedef struct demo_sink {
	int (*emit)(void *user, const ojo_event *ev);
	void *user;
	int (*emit_receiver)(void *user, const ojo_event *ev);
} demo_sink;

typedef struct demo_conn_stats {
	uint32_t flow_id;   /* the connection's flow */
	uint32_t n_streams; /* streams are flow_id + 1 .. + n_streams */
	uint64_t events;    /* events on the connection and its streams */
	uint64_t packets_sent;
	uint64_t packets_acked;
	uint64_t packets_lost; /* declared lost by the sender */
	uint64_t lost_threshold;
	uint64_t lost_timeout;
	uint64_t ptos;
	uint64_t persistent_congestion; /* RFC 9002 7.6 events */
	uint64_t bytes_total; /* stream bytes the app wanted delivered (a
				 reset stream: its final size) */
	uint64_t bytes_sent_new;
	uint64_t bytes_retransmitted;
	uint64_t data_blocked; /* DATA_BLOCKED + STREAM_DATA_BLOCKED */
	uint64_t max_cwnd;
	uint32_t streams_reset;
	uint64_t rx_events;	   /* recorded by the receiver */
	uint64_t start_ns, end_ns; /* end: last FIN acked (or the time limit) */
	bool completed;
} demo_conn_stats;

typedef struct demo_result {
	size_t n_conns;
	demo_conn_stats *conns; /* malloc'd; demo_result_free() */
	demo_link_stats link;
	uint64_t events;    /* handed to the sink's emit */
	uint64_t rx_events; /* handed to its emit_receiver */
	uint64_t dropped;   /* of both, answered -OJO_EDROPPED */
	uint64_t end_ns;    /* simulated time when the run stopped */
} demo_result;

/* Runs the whole simulation. On success res holds the statistics; on
 * failure (bad config, -ENOMEM, sink error) res is left empty. */
int demo_run(const demo_config *cfg, const demo_sink *sink, demo_result *res);
void demo_result_free(demo_result *res);

/* Goodput of a connection in bits per second (0 if it did not finish). */
double demo_goodput_bps(const demo_conn_stats *st);

#endif
