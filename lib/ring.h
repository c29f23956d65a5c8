/* ring.h - bounded rings of published event slots (protocol in ring.c). */
#ifndef OJO_LIB_RING_H
#define OJO_LIB_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* One slot: the publication sequence and the event, 32 bytes. */
struct ojo_slot {
	_Atomic uint64_t seq;
	uint64_t ts;
	uint32_t flow_id;
	uint32_t event_type;
	uint64_t payload;
};
_Static_assert(sizeof(struct ojo_slot) == 32, "slot size");

/* A ring. Fields written by producers and by the flusher sit on separate
 * cache lines so a writer and the flusher do not share a line they write. */
struct ojo_ring {
	/* producer side */
	alignas(64) _Atomic uint64_t head; /* next position to write */
	_Atomic uint64_t dropped;	   /* events refused: ring full */
	uint64_t seen_tail; /* private rings: last tail the writer loaded */
	/* read-mostly */
	alignas(64) struct ojo_slot *slots;
	uint64_t mask;		/* capacity - 1 */
	int shared;		/* 1: many producers (CAS on head) */
	_Atomic uint32_t owner; /* private rings: 1 while a thread holds it */
	/* consumer (flusher) side */
	alignas(64) _Atomic uint64_t tail; /* next position to copy */
};

/* Number of slots for buffer_size bytes: a power of two, at least 64. */
uint64_t ojo_ring_capacity(size_t buffer_size);

/* Allocates and prepares the slots; 0 or -ENOMEM. */
int ojo_ring_init(struct ojo_ring *r, uint64_t capacity, int shared);
void ojo_ring_free(struct ojo_ring *r);

/* Copies up to max published records into out (as host-order file records
 * holding absolute timestamps in ts_delta_ns), frees their slots; returns
 * how many were copied. Only the flusher thread calls this. */
struct ojo_file_record;
size_t ojo_ring_drain(struct ojo_ring *r, struct ojo_file_record *out,
		      size_t max);

/* Slots published or reserved but not yet drained (flusher only). */
static inline uint64_t ojo_ring_used(struct ojo_ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_relaxed) -
	       atomic_load_explicit(&r->tail, memory_order_relaxed);
}

#define OJO_INLINE static inline __attribute__((always_inline))

OJO_INLINE void ojo_ring_count_drop(struct ojo_ring *r)
{
	if (r->shared) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
	} else {
		/* single writer: a plain increment, no locked instruction */
		uint64_t d =
		    atomic_load_explicit(&r->dropped, memory_order_relaxed);
		atomic_store_explicit(&r->dropped, d + 1, memory_order_relaxed);
	}
}

/* Single producer (the ring's owning thread). 0 or -1 when full. */
OJO_INLINE int ojo_ring_push_sp(struct ojo_ring *r, uint64_t ts,
				uint32_t flow_id, uint32_t type,
				uint64_t payload)
{
	uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	if (__builtin_expect(pos - r->seen_tail > r->mask, 0)) {
		/* looks full: see how far the flusher got */
		r->seen_tail =
		    atomic_load_explicit(&r->tail, memory_order_acquire);
		if (pos - r->seen_tail > r->mask)
			return -1;
	}
	struct ojo_slot *s = &r->slots[pos & r->mask];
	s->ts = ts;
	s->flow_id = flow_id;
	s->event_type = type;
	s->payload = payload;
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
	atomic_store_explicit(&r->head, pos + 1, memory_order_relaxed);
	return 0;
}

/* Any number of producers: reserve with CAS on head (Vyukov). */
OJO_INLINE int ojo_ring_push_mp(struct ojo_ring *r, uint64_t ts,
				uint32_t flow_id, uint32_t type,
				uint64_t payload)
{
	uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct ojo_slot *s;
	for (;;) {
		s = &r->slots[pos & r->mask];
		uint64_t seq =
		    atomic_load_explicit(&s->seq, memory_order_acquire);
		int64_t diff = (int64_t)(seq - pos);
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(
				&r->head, &pos, pos + 1, memory_order_relaxed,
				memory_order_relaxed))
				break;
		} else if (diff < 0) {
			return -1; /* full: slot still holds last lap */
		} else {
			pos = atomic_load_explicit(&r->head,
						   memory_order_relaxed);
		}
	}
	s->ts = ts;
	s->flow_id = flow_id;
	s->event_type = type;
	s->payload = payload;
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
	return 0;
}

#endif
