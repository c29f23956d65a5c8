/* heap.h - the simulator's event queue: a binary min-heap keyed by
 * (time, insertion sequence), so equal times pop in FIFO order and a run
 * never depends on heap layout. */
#ifndef OJO_DEMO_HEAP_H
#define OJO_DEMO_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ojo_demo_ev {
	uint64_t time_ns;
	uint64_t seq; /* set by push */
	uint32_t kind;
	uint32_t conn;
	uint64_t gen; /* lets timers be cancelled by bumping a generation */
	void *ptr;    /* owned by the event's handler */
} ojo_demo_ev;

typedef struct ojo_demo_heap {
	ojo_demo_ev *v;
	size_t n, cap;
	uint64_t next_seq;
} ojo_demo_heap;

void ojo_demo_heap_init(ojo_demo_heap *h);
/* Frees the array only; pointers inside events are the caller's. */
void ojo_demo_heap_free(ojo_demo_heap *h);
int ojo_demo_heap_push(ojo_demo_heap *h, const ojo_demo_ev *ev);
/* Removes the earliest event into *out; -ENOENT when empty. */
int ojo_demo_heap_pop(ojo_demo_heap *h, ojo_demo_ev *out);

#endif
