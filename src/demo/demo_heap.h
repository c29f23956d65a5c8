/* demo_heap.h - the simulator's event queue: a binary min-heap keyed by
 * (time, insertion sequence), so equal times pop in FIFO order and a run
 * never depends on heap layout. */
#ifndef OJO_DEMO_HEAP_H
#define OJO_DEMO_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct demo_ev {
	uint64_t time_ns;
	uint64_t seq; /* set by push */
	uint32_t kind;
	uint32_t conn;
	uint64_t gen; /* lets timers be cancelled by bumping a generation */
	void *ptr;    /* owned by the event's handler */
} demo_ev;

typedef struct demo_heap {
	demo_ev *v;
	size_t n, cap;
	uint64_t next_seq;
} demo_heap;

void demo_heap_init(demo_heap *h);
/* Frees the array only; pointers inside events are the caller's. */
void demo_heap_free(demo_heap *h);
int demo_heap_push(demo_heap *h, const demo_ev *ev);
/* Removes the earliest event into *out; -ENOENT when empty. */
int demo_heap_pop(demo_heap *h, demo_ev *out);

#endif
