/* transfer.c - records a plausible multi-connection transfer with libojo.
 *
 * Each connection runs on its own thread and sends a few streams over a
 * simulated path: slow start, then congestion avoidance; packets lost by
 * packet threshold or by timeout, their data retransmitted in new packets;
 * flow-control credit granted as data is acknowledged; FINs sent and acked.
 * Time is simulated, so the program finishes at once while the trace shows
 * a transfer of a few seconds: events carry caller timestamps (ojo_record)
 * counted from the moment each thread starts (ojo_now_ns).
 *
 *   usage: transfer_example [OUTPUT_DIR]      (default ./traces) */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ojo/ojo.h"

#define MSS	    1200
#define MAX_STREAMS 4
#define MAX_BURST   512
#define MS	    1000000ull /* ns */

struct path {
	const char *what;
	uint64_t rtt_ns;
	unsigned loss_permille;
	uint64_t window; /* receiver's flow-control window, bytes */
	int streams;
	uint64_t stream_bytes;
};

static const struct path paths[] = {
    {"clean", 20 * MS, 0, 4 << 20, 2, 512 << 10},
    {"lossy", 40 * MS, 20, 4 << 20, 3, 384 << 10},
    {"flow-control limited", 30 * MS, 5, 96 << 10, 4, 256 << 10},
    {"long and lossy", 90 * MS, 10, 2 << 20, 2, 512 << 10},
};
#define NCONN (sizeof(paths) / sizeof(paths[0]))

struct stream {
	uint64_t size, sent, acked, max_data;
	bool fin_delivered, fin_acked;
};

struct pkt {
	uint64_t pn, off, len, sent_at;
	int s; /* stream index */
	bool fin, retrans;
	uint64_t old_pn;
};

struct conn {
	ojo_tracer *t;
	const struct path *p;
	uint32_t flow; /* the connection; stream s is flow + 1 + s */
	uint64_t now, rng, next_pn;
	uint64_t cwnd, ssthresh, in_flight, srtt;
	int state;			/* enum ojo_recovery_state */
	uint64_t sent, acked, max_data; /* connection-level flow control */
	struct stream st[MAX_STREAMS];
	struct pkt burst[MAX_BURST];	/* sent in the current round trip */
	struct pkt lost[4 * MAX_BURST]; /* waiting for retransmission */
	int nlost, next_stream;
};

static void rec(struct conn *c, uint32_t flow, uint32_t type, uint64_t v)
{
	ojo_event ev = {c->now, flow, type, v};
	ojo_record(c->t, &ev); /* a full ring drops and counts the event */
}

static void set_state(struct conn *c, int state)
{
	if (c->state != state)
		rec(c, c->flow, OJO_EV_RECOVERY_STATE, (uint64_t)state);
	c->state = state;
}

static uint32_t sflow(const struct conn *c, int s)
{
	return c->flow + 1 + (uint32_t)s;
}

static uint64_t rnd(struct conn *c) /* xorshift: deterministic per conn */
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

/* Next packet to send: lost data first, then new data within flow control.
 * Returns false when there is nothing to send. */
static bool next_packet(struct conn *c, struct pkt *k)
{
	if (c->nlost) {
		*k = c->lost[--c->nlost];
		k->old_pn = k->pn;
		k->retrans = true;
		return true;
	}
	bool unsent = false;
	for (int i = 0; i < c->p->streams; i++) {
		int s = (c->next_stream + i) % c->p->streams;
		struct stream *st = &c->st[s];
		uint64_t len = st->size - st->sent;
		unsent |= len > 0;
		if (st->max_data - st->sent < len)
			len = st->max_data - st->sent;
		if (c->max_data - c->sent < len)
			len = c->max_data - c->sent;
		if (len > MSS)
			len = MSS;
		if (len == 0) {
			if (st->sent < st->size && st->sent == st->max_data)
				rec(c, sflow(c, s), OJO_EV_STREAM_DATA_BLOCKED,
				    st->max_data);
			continue;
		}
		*k = (struct pkt){.off = st->sent, .len = len, .s = s};
		st->sent += len;
		c->sent += len;
		k->fin = st->sent == st->size;
		c->next_stream = (s + 1) % c->p->streams;
		return true;
	}
	if (unsent && c->sent == c->max_data)
		rec(c, c->flow, OJO_EV_DATA_BLOCKED, c->max_data);
	return false;
}

static void send_packet(struct conn *c, struct pkt *k)
{
	k->pn = c->next_pn++;
	uint32_t sf = sflow(c, k->s);
	if (k->retrans) {
		rec(c, c->flow, OJO_EV_PACKET_RETRANS_NEW,
		    OJO_RETRANS(k->old_pn, k->pn));
		rec(c, sf, OJO_EV_DATA_RETRANSMITTED,
		    OJO_RANGE(k->off, k->len));
	} else {
		rec(c, sf, OJO_EV_DATA_SENT, OJO_RANGE(k->off, k->len));
	}
	rec(c, c->flow, OJO_EV_PACKET_SENT, k->pn);
	if (k->fin && !k->retrans)
		rec(c, sf, OJO_EV_STREAM_FIN_SENT, c->st[k->s].size);
	c->in_flight += k->len;
}

/* The receiver consumes data at once and re-opens the window when half of
 * it has been used, as QUIC receivers typically do. */
static void grant_credit(struct conn *c, int s)
{
	struct stream *st = &c->st[s];
	uint64_t w = c->p->window;
	if (st->max_data < st->size && st->acked + w / 2 > st->max_data) {
		st->max_data = st->acked + w;
		rec(c, sflow(c, s), OJO_EV_MAX_STREAM_DATA, st->max_data);
	}
	w *= (uint64_t)c->p->streams; /* the connection's window */
	if (c->acked + w / 2 > c->max_data) {
		c->max_data = c->acked + w;
		rec(c, c->flow, OJO_EV_MAX_DATA, c->max_data);
	}
}

static void on_ack(struct conn *c, struct pkt *k, uint64_t rtt)
{
	struct stream *st = &c->st[k->s];
	rec(c, c->flow, OJO_EV_PACKET_ACKED, k->pn);
	rec(c, sflow(c, k->s), OJO_EV_DATA_ACKED, OJO_RANGE(k->off, k->len));
	rec(c, c->flow, OJO_EV_RTT_SAMPLE, rtt);
	c->srtt = (7 * c->srtt + rtt) / 8;
	c->in_flight -= k->len;
	st->acked += k->len;
	c->acked += k->len;
	st->fin_delivered |= k->fin;
	if (st->fin_delivered && st->acked == st->size && !st->fin_acked) {
		st->fin_acked = true; /* FIN and every byte before it */
		rec(c, sflow(c, k->s), OJO_EV_STREAM_FIN_ACKED, 0);
	}
	/* slow start doubles per round trip; avoidance adds one MSS */
	c->cwnd += c->cwnd < c->ssthresh ? k->len : MSS * k->len / c->cwnd;
	grant_credit(c, k->s);
}

static void on_loss(struct conn *c, struct pkt *k, bool by_timeout,
		    bool *reduced)
{
	rec(c, c->flow,
	    by_timeout ? OJO_EV_PACKET_LOST_TIMEOUT
		       : OJO_EV_PACKET_LOST_THRESHOLD,
	    k->pn);
	rec(c, sflow(c, k->s), OJO_EV_DATA_LOST, OJO_RANGE(k->off, k->len));
	c->in_flight -= k->len;
	c->lost[c->nlost++] = *k;
	if (!*reduced) { /* NewReno: halve once per round trip */
		*reduced = true;
		c->ssthresh = c->cwnd / 2 > 2 * MSS ? c->cwnd / 2 : 2 * MSS;
		c->cwnd = c->ssthresh;
		set_state(c, OJO_RS_RECOVERY);
		rec(c, c->flow, OJO_EV_SSTHRESH, c->ssthresh);
	}
}

static bool done(const struct conn *c)
{
	if (c->nlost)
		return false;
	for (int s = 0; s < c->p->streams; s++)
		if (!c->st[s].fin_acked)
			return false;
	return true;
}

/* One round trip: send a window, then process its ACKs and losses. */
static void round_trip(struct conn *c)
{
	struct pkt *burst = c->burst;
	int n = 0;
	uint64_t gap = c->srtt / (2 * (c->cwnd / MSS) + 1); /* pacing */
	while (n < MAX_BURST && c->in_flight + MSS <= c->cwnd &&
	       next_packet(c, &burst[n])) {
		burst[n].sent_at = c->now;
		send_packet(c, &burst[n++]);
		rec(c, c->flow, OJO_EV_BYTES_IN_FLIGHT, c->in_flight);
		c->now += gap;
	}
	bool reduced = false;
	uint64_t end = c->now;
	for (int i = 0; i < n; i++) {
		uint64_t rtt = c->p->rtt_ns + rnd(c) % (c->p->rtt_ns / 8);
		c->now = burst[i].sent_at + rtt;
		if (rnd(c) % 1000 < c->p->loss_permille) {
			/* the last packets of a burst have too few followers
			 * for the packet threshold: a timer finds them */
			bool timeout = i + 3 >= n;
			c->now += timeout ? rtt / 2 : 0;
			on_loss(c, &burst[i], timeout, &reduced);
		} else {
			on_ack(c, &burst[i], rtt);
		}
		end = c->now > end ? c->now : end;
	}
	c->now = end;
	rec(c, c->flow, OJO_EV_CWND, c->cwnd);
	rec(c, c->flow, OJO_EV_BYTES_IN_FLIGHT, c->in_flight);
	rec(c, c->flow, OJO_EV_SMOOTHED_RTT, c->srtt);
	if (!reduced && c->cwnd >= c->ssthresh)
		set_state(c, OJO_RS_CONGESTION_AVOIDANCE);
}

static void *connection(void *arg)
{
	struct conn *c = arg;
	c->now = ojo_now_ns(c->t);
	c->cwnd = 10 * MSS;
	c->ssthresh = UINT64_MAX;
	c->srtt = c->p->rtt_ns;
	c->max_data = c->p->window * c->p->streams;
	rec(c, c->flow, OJO_EV_MAX_DATA, c->max_data);
	rec(c, c->flow, OJO_EV_CWND, c->cwnd);
	rec(c, c->flow, OJO_EV_SSTHRESH, c->ssthresh);
	rec(c, c->flow, OJO_EV_RECOVERY_STATE, OJO_RS_SLOW_START);
	for (int s = 0; s < c->p->streams; s++) {
		c->st[s] = (struct stream){.size = c->p->stream_bytes,
					   .max_data = c->p->window};
		rec(c, sflow(c, s), OJO_EV_STREAM_OPENED, 4 * (uint64_t)s);
		rec(c, sflow(c, s), OJO_EV_STREAM_LINK, c->flow);
		rec(c, sflow(c, s), OJO_EV_MAX_STREAM_DATA, c->p->window);
	}
	while (!done(c))
		round_trip(c);
	return NULL;
}

int main(int argc, char **argv)
{
	ojo_config cfg;
	ojo_config_init(&cfg);
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [OUTPUT_DIR]  (default %s)\n",
			argv[0], cfg.output_dir);
		return 2;
	}
	if (argc == 2)
		cfg.output_dir = argv[1];

	ojo_tracer *t;
	int rc = ojo_tracer_open(&cfg, &t);
	if (rc) {
		fprintf(stderr, "transfer_example: %s: %s\n", cfg.output_dir,
			ojo_strerror(rc));
		return 1;
	}
	static struct conn conns[NCONN];
	pthread_t threads[NCONN];
	for (size_t i = 0; i < NCONN; i++) {
		conns[i] = (struct conn){.t = t,
					 .p = &paths[i],
					 .flow = 100 * (uint32_t)(i + 1),
					 .rng = 0x9E3779B97F4A7C15ull + i};
		pthread_create(&threads[i], NULL, connection, &conns[i]);
	}
	for (size_t i = 0; i < NCONN; i++) {
		pthread_join(threads[i], NULL);
		const struct path *p = &paths[i];
		printf("flow %u: %s, %d streams x %llu KiB, rtt %llu ms, "
		       "%llu packets\n",
		       conns[i].flow, p->what, p->streams,
		       (unsigned long long)p->stream_bytes >> 10,
		       (unsigned long long)(p->rtt_ns / MS),
		       (unsigned long long)conns[i].next_pn);
	}

	rc = ojo_tracer_flush(t); /* everything is in output/ after this */
	ojo_stats st;
	ojo_tracer_stats(t, &st);
	printf("recorded %llu events (%llu dropped) in %llu files under "
	       "%s/output\ntrace %s\n",
	       (unsigned long long)st.events_recorded,
	       (unsigned long long)st.events_dropped,
	       (unsigned long long)st.files_written, cfg.output_dir,
	       ojo_tracer_name(t));
	if (ojo_tracer_close(t) != 0 || rc != 0) {
		fprintf(stderr, "transfer_example: %s: %s\n", cfg.output_dir,
			ojo_strerror(rc));
		return 1;
	}
	return 0;
}
