/* ring.c - the publication protocol of libojo's rings.
 *
 * Why: a ring that reserves a slot (CAS on a counter) and then fills it has
 * a window where the slot is reserved but half written; a consumer that
 * trusts the reservation counter would copy a torn or stale record. Here
 * every slot carries its own sequence number, and only that number tells
 * the flusher a record is complete:
 *
 *   seq == pos + 1   the slot holds the whole record of position pos
 *   anything else    not yet written for this lap (or still the last lap)
 *
 * Producer at position pos (slot pos & mask):
 *   1. make sure the slot is free, i.e. the flusher has copied position
 *      pos - capacity (see below for how each kind of ring knows);
 *   2. write the 24 record bytes;
 *   3. store-release seq = pos + 1: the record is published.
 *
 * Flusher (the only consumer) at position tail:
 *   1. acquire-load seq; unless seq == tail + 1 the record of this position
 *      is not (fully) published: stop there, retry at the next tick. The
 *      acquire pairs with the producer's release, so the copy sees every
 *      byte the producer wrote, and a slot still holding the previous lap
 *      (seq == tail + 1 - capacity) is never taken for this one.
 *   2. copy the record;
 *   3. hand the slot back (below), then store-release tail.
 *
 * Private rings (one writer thread each; the common case): the writer is
 * the only one to advance head, so it needs no atomic read-modify-write.
 * The slot is free when pos - tail < capacity; the writer keeps the last
 * tail it acquire-loaded and re-reads the flusher's tail only when that
 * copy says "full", so it never reads a line the flusher writes on the
 * fast path. The acquire on tail pairs with the flusher's release after
 * its copies: the writer cannot overwrite a slot being copied.
 *
 * The shared ring (threads beyond max_writers) is Vyukov's bounded MPMC
 * queue: the flusher hands a slot back with store-release seq = pos +
 * capacity; a producer acquire-loads seq, and only if seq == pos does it
 * try to reserve pos with CAS on head (seq < pos: full, drop); the CAS
 * makes sure two producers never get the same pos.
 *
 * So the flusher copies only whole records of the current lap, a producer
 * never overwrites a record not yet copied, and no lock or system call is
 * on the producer's path. The counters (head = events accepted, dropped)
 * live on the producer's cache line; the flusher and stats only read
 * them. */
#include "ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ojo/format.h"

uint64_t ojo_ring_capacity(size_t buffer_size)
{
	uint64_t n = buffer_size / sizeof(struct ojo_slot);
	uint64_t cap = 64;
	while (cap * 2 <= n && cap < (UINT64_C(1) << 40))
		cap *= 2;
	return cap;
}

int ojo_ring_init(struct ojo_ring *r, uint64_t capacity, int shared)
{
	memset(r, 0, sizeof(*r));
	void *mem = NULL;
	if (posix_memalign(&mem, 64, capacity * sizeof(struct ojo_slot)))
		return -ENOMEM;
	r->slots = mem;
	r->mask = capacity - 1;
	r->shared = shared;
	for (uint64_t i = 0; i < capacity; i++) {
		atomic_init(&r->slots[i].seq, i);
		r->slots[i].ts = 0;
		r->slots[i].flow_id = 0;
		r->slots[i].event_type = 0;
		r->slots[i].payload = 0;
	}
	atomic_init(&r->head, 0);
	atomic_init(&r->dropped, 0);
	atomic_init(&r->owner, 0);
	atomic_init(&r->tail, 0);
	r->seen_tail = 0;
	return 0;
}

void ojo_ring_free(struct ojo_ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

size_t ojo_ring_drain(struct ojo_ring *r, struct ojo_file_record *out,
		      size_t max)
{
	uint64_t cap = r->mask + 1;
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t n = 0;
	while (n < max) {
		struct ojo_slot *s = &r->slots[pos & r->mask];
		if (atomic_load_explicit(&s->seq, memory_order_acquire) !=
		    pos + 1)
			break;
		out[n].ts_delta_ns = s->ts;
		out[n].flow_id = s->flow_id;
		out[n].event_type = s->event_type;
		out[n].payload = s->payload;
		n++;
		if (r->shared)
			atomic_store_explicit(&s->seq, pos + cap,
					      memory_order_release);
		pos++;
	}
	atomic_store_explicit(&r->tail, pos, memory_order_release);
	return n;
}
