/* demo_common.h - helpers shared by the simulator tests (tests/demo_*.c). */
#ifndef OJO_TESTS_DEMO_COMMON_H
#define OJO_TESTS_DEMO_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "check_ojo.h"
#include "ojo/events.h"
#include "ojo/ojo.h"
#include "ojo/reader.h"

/* Events kept in memory, in emission order. */
typedef struct ev_log {
	ojo_event *v;
	size_t n, cap;
} ev_log;

static inline int ev_log_emit(void *user, const ojo_event *ev)
{
	ev_log *l = user;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		CHECK(l->v != NULL);
	}
	l->v[l->n++] = *ev;
	return 0;
}

static inline void ev_log_free(ev_log *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Two runs gave the same events, in the same order. */
#define CHECK_SAME_LOG(a, b)                                                   \
	do {                                                                   \
		CHECK_EQ((a)->n, (b)->n);                                      \
		CHECK(memcmp((a)->v, (b)->v, (a)->n * sizeof(*(a)->v)) == 0);  \
	} while (0)

static inline bool ev_log_differs(const ev_log *a, const ev_log *b)
{
	return a->n != b->n || memcmp(a->v, b->v, a->n * sizeof(*a->v)) != 0;
}

/* Reads every record of the .ojo files in dir (in file-name order, which
 * is batch order) with the reader API into log: all of them, or with
 * trace set only that trace's (files "<trace>-<batch>.ojo", FORMAT.md).
 * The timestamps become Unix epoch ns. Checks that each file validates.
 * Returns the file count. */
static inline size_t read_back_trace(const char *dir, const char *trace,
				     ev_log *log)
{
	size_t n, files = 0;
	char **paths = test_ojo_files(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/') + 1;
		if (trace && (strncmp(base, trace, strlen(trace)) ||
			      base[strlen(trace)] != '-'))
			continue;
		files++;
		ojo_reader *r = test_open_valid(paths[i]);
		for (size_t k = 0; k < ojo_reader_count(r); k++) {
			ojo_record_view v;
			CHECK(ojo_reader_get(r, k, &v) == 0);
			ojo_event ev = {v.time_ns, v.flow_id, v.event_type,
					v.payload};
			ev_log_emit(log, &ev);
		}
		ojo_reader_close(r);
	}
	test_free_list(paths, n);
	return files;
}

static inline size_t read_back(const char *dir, ev_log *log)
{
	return read_back_trace(dir, NULL, log);
}

/* The last payload of type on flow recorded at or before t (0: none). */
static inline uint64_t ev_log_last(const ev_log *log, uint32_t flow,
				   uint32_t type, uint64_t t)
{
	uint64_t v = 0;
	for (size_t i = 0; i < log->n && log->v[i].timestamp_ns <= t; i++)
		if (log->v[i].flow_id == flow && log->v[i].event_type == type)
			v = log->v[i].payload;
	return v;
}

/* Every event type a sender emits: what `ojo demo` must show together. */
static const uint32_t demo_sender_types[] = {
    OJO_EV_PACKET_SENT,
    OJO_EV_PACKET_ACKED,
    OJO_EV_PACKET_LOST_TIMEOUT,
    OJO_EV_PACKET_LOST_THRESHOLD,
    OJO_EV_PACKET_RETRANS_NEW,
    OJO_EV_STREAM_OPENED,
    OJO_EV_STREAM_LINK,
    OJO_EV_STREAM_FIN_SENT,
    OJO_EV_STREAM_FIN_ACKED,
    OJO_EV_MAX_DATA,
    OJO_EV_MAX_STREAM_DATA,
    OJO_EV_DATA_BLOCKED,
    OJO_EV_STREAM_DATA_BLOCKED,
    OJO_EV_CWND,
    OJO_EV_SSTHRESH,
    OJO_EV_BYTES_IN_FLIGHT,
    OJO_EV_RTT_SAMPLE,
    OJO_EV_SMOOTHED_RTT,
    OJO_EV_RTT_VAR,
    OJO_EV_MIN_RTT,
    OJO_EV_RECOVERY_STATE,
    OJO_EV_DATA_SENT,
    OJO_EV_DATA_ACKED,
    OJO_EV_DATA_LOST,
    OJO_EV_DATA_RETRANSMITTED,
};
#define DEMO_N_SENDER_TYPES                                                    \
	(sizeof(demo_sender_types) / sizeof(demo_sender_types[0]))

#endif
