/* demo_conn.h - the simulator's internal state: one sender and one receiver per
 * connection, and the simulation that owns them. Private to src/demo. */
#ifndef OJO_DEMO_CONN_H
#define OJO_DEMO_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "demo/demo.h"
#include "demo/demo_cc.h"
#include "demo/demo_heap.h"
#include "demo/demo_link.h"
#include "demo/demo_pacer.h"
#include "demo/demo_ranges.h"
#include "demo/demo_rng.h"
#include "demo/demo_rtt.h"

#define DEMO_MAX_FRAMES	    4
#define DEMO_MAX_ACK_RANGES 32
/* short header (1) + connection id (8) + packet number (4) + AEAD tag
 * (16): what a 1-RTT packet costs before its frames */
#define DEMO_PACKET_OVERHEAD	  29
#define DEMO_PING_SIZE		  (DEMO_PACKET_OVERHEAD + 1)
#define DEMO_ACK_PACKET_SIZE	  60
#define DEMO_TIMER_GRANULARITY_NS UINT64_C(1000000)
#define DEMO_INITIAL_RTT_NS	  UINT64_C(333000000)
#define DEMO_APP_READ_TICK_NS	  UINT64_C(5000000)

enum demo_ev_kind {
	DEMO_EV_CONN_START = 1,
	DEMO_EV_STREAM_OPEN, /* gen = stream index */
	DEMO_EV_PKT_ARRIVE,  /* ptr = demo_wire_pkt, at the receiver */
	DEMO_EV_ACK_ARRIVE,  /* ptr = demo_ack, at the sender */
	DEMO_EV_ACK_TIMER,   /* receiver's delayed-ack timer */
	DEMO_EV_LOSS_TIMER,  /* sender's loss detection / PTO timer */
	DEMO_EV_APP_READ,    /* receiving app reads at its rate */
	DEMO_EV_PACER,	     /* the pacer may release the next packet */
};

typedef struct demo_frame {
	uint32_t stream; /* index within the connection */
	uint32_t len;
	uint64_t offset; /* RESET_STREAM: the final size */
	bool fin;
	bool reset;	 /* a RESET_STREAM frame, not a STREAM frame */
	bool retx;	 /* carries data of a lost (or probed) packet */
	uint64_t old_pn; /* that packet */
} demo_frame;

enum { PKT_OUTSTANDING = 0, PKT_ACKED = 1, PKT_LOST = 2 };

typedef struct demo_sent_pkt {
	uint64_t pn, sent_ns;
	uint32_t size;
	uint8_t state, nframes;
	uint32_t lost_gen; /* detection round that declared it lost */
	demo_frame frames[DEMO_MAX_FRAMES];
} demo_sent_pkt;

typedef struct demo_wire_pkt {
	uint64_t pn;
	uint8_t nframes;
	demo_frame frames[DEMO_MAX_FRAMES];
} demo_wire_pkt;

typedef struct demo_stream_update {
	uint32_t stream;
	uint64_t limit;
} demo_stream_update;

/* An ACK packet from the receiver, with the flow-control frames that
 * ride along. */
typedef struct demo_ack {
	uint64_t pn; /* the receiver's own packet number */
	uint64_t largest;
	uint64_t ack_delay_ns;
	uint32_t nranges; /* [lo, hi] inclusive, highest first */
	struct {
		uint64_t lo, hi;
	} ranges[DEMO_MAX_ACK_RANGES];
	uint64_t max_data; /* 0: no MAX_DATA frame */
	uint32_t nupdates;
	demo_stream_update updates[]; /* MAX_STREAM_DATA frames */
} demo_ack;

typedef struct demo_send_stream {
	uint32_t flow_id;
	uint64_t stream_id; /* QUIC id: client-initiated bidirectional */
	uint64_t size;
	uint64_t next_off;	  /* first byte never sent */
	uint64_t max_stream_data; /* peer's limit */
	uint64_t blocked_at;	  /* limit last reported blocked, or 0 */
	uint64_t blocked_pn;	  /* report rides on this queued packet */
	bool blocked_due;
	demo_ranges acked;
	bool open, fin_sent, fin_acked;
	/* cancelled by the app: no more STREAM frames, a RESET_STREAM
	 * (re)sent until acked */
	bool reset, reset_pending, reset_sent, reset_acked;
	uint64_t reset_old_pn; /* the lost packet a pending reset repeats */
	bool reset_retx;
} demo_send_stream;

typedef struct demo_recv_stream {
	demo_ranges received;
	uint64_t consumed;   /* read by the app */
	uint64_t advertised; /* MAX_STREAM_DATA sent */
	uint64_t final_size; /* from the FIN */
	bool fin_known;
	bool update_due;
	bool seen;  /* the receiver has heard of the stream */
	bool reset; /* RESET_STREAM received */
} demo_recv_stream;

typedef struct demo_retx {
	uint32_t stream;
	uint64_t off, len;
	uint64_t old_pn;
} demo_retx;

typedef struct demo_conn {
	uint32_t idx;
	uint32_t flow_id;
	bool started, done;
	demo_conn_stats st;

	/* sender */
	uint64_t next_pn;
	demo_sent_pkt *sent; /* ring of packets from the oldest unresolved */
	size_t sent_head, sent_n, sent_cap;
	uint64_t bytes_in_flight;
	demo_rtt rtt;
	demo_cc cc;
	bool has_largest_acked;
	uint64_t largest_acked;
	uint64_t loss_time; /* 0: none */
	uint32_t loss_gen;  /* detection rounds so far */
	uint64_t first_rtt_sample_ns;
	uint32_t pto_count;
	uint64_t last_ack_eliciting_ns;
	uint64_t timer_gen, timer_at; /* timer_at 0: disarmed */
	uint64_t max_data;	      /* peer's connection limit */
	uint64_t data_sent;	      /* new stream bytes, all streams */
	uint64_t conn_blocked_at;
	uint64_t conn_blocked_pn;
	bool conn_blocked_due;
	bool cwnd_limited; /* the last send loop stopped at the window */
	bool app_limited;  /* it stopped with window to spare */
	demo_send_stream *ss;
	uint32_t n_streams, rr_next;
	demo_retx *retx;
	size_t retx_head, retx_n, retx_cap;
	/* pacing: packets built, waiting for the pacer, in number order */
	demo_sent_pkt *paced;
	size_t paced_head, paced_n, paced_cap;
	uint64_t paced_bytes;
	demo_pacer pacer;
	uint64_t pacer_gen, pacer_at; /* pacer_at 0: no release scheduled */
	uint64_t ev_pacing_rate;
	/* last values recorded, to emit only changes */
	uint64_t ev_cwnd, ev_ssthresh, ev_bif, ev_min_rtt;
	uint64_t ev_state; /* UINT64_MAX: none yet */

	/* receiver */
	demo_ranges rx_pns;
	bool rx_any;
	uint64_t rx_largest, rx_largest_ns;
	uint64_t rx_next_pn; /* of the ACK packets it sends */
	uint32_t rx_unacked;
	uint64_t ack_timer_gen;
	bool ack_timer_armed;
	demo_recv_stream *rs;
	uint64_t rx_consumed;	/* all streams */
	uint64_t rx_advertised; /* MAX_DATA sent */
	bool max_data_due;
} demo_conn;

typedef struct demo_sim {
	demo_config cfg;
	demo_sink sink;
	demo_rng rng;
	demo_heap heap;
	demo_link link;
	uint64_t now;
	demo_conn *conns;
	uint32_t n_conns, n_done;
	uint64_t events, rx_events, dropped;
	int err; /* first fatal error (sink or allocation) */
} demo_sim;

/* sim.c */
void demo_emit(demo_sim *s, demo_conn *c, uint32_t flow, uint32_t type,
	       uint64_t payload);
/* The same from the receiver's vantage point (the sink's emit_receiver). */
void demo_emit_rx(demo_sim *s, demo_conn *c, uint32_t flow, uint32_t type,
		  uint64_t payload);
/* Records cwnd, ssthresh, recovery state, bytes in flight and the pacing
 * rate if changed; a new rate takes effect in the pacer. */
void demo_emit_cc(demo_sim *s, demo_conn *c);
void demo_schedule(demo_sim *s, uint64_t at, uint32_t kind, demo_conn *c,
		   uint64_t gen, void *ptr);

/* sender.c */
int demo_sender_init(demo_sim *s, demo_conn *c);
void demo_sender_free(demo_conn *c);
void demo_sender_start(demo_sim *s, demo_conn *c);
void demo_sender_open_stream(demo_sim *s, demo_conn *c, uint32_t i);
/* Sends as much as congestion and flow control allow. */
void demo_sender_send(demo_sim *s, demo_conn *c);
/* Sends one probe ignoring the congestion window and the pacer (PTO). */
void demo_sender_probe(demo_sim *s, demo_conn *c);
/* The pacer's timer: releases what the bucket allows. */
void demo_on_pacer(demo_sim *s, demo_conn *c, uint64_t gen);
int demo_sender_queue_retx(demo_sim *s, demo_conn *c, const demo_retx *r);
demo_sent_pkt *demo_sent_find(demo_conn *c, uint64_t pn);

/* recovery.c */
void demo_on_ack(demo_sim *s, demo_conn *c, const demo_ack *ack);
void demo_on_loss_timer(demo_sim *s, demo_conn *c, uint64_t gen);
void demo_set_loss_timer(demo_sim *s, demo_conn *c);

/* receiver.c */
int demo_receiver_init(demo_sim *s, demo_conn *c);
void demo_receiver_free(demo_conn *c);
/* Records the receiver's initial connection limit. */
void demo_receiver_start(demo_sim *s, demo_conn *c);
void demo_on_packet(demo_sim *s, demo_conn *c, const demo_wire_pkt *p);
void demo_on_ack_timer(demo_sim *s, demo_conn *c, uint64_t gen);
void demo_on_app_read(demo_sim *s, demo_conn *c);

#endif
