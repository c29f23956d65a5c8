/* demo_fifo.h - the one growth rule of the simulator's ring buffers (the link
 * queue, packets in flight, data waiting for retransmission). */
#ifndef OJO_DEMO_FIFO_H
#define OJO_DEMO_FIFO_H

#include <stddef.h>

/* A ring of *cap slots of elem bytes holding n elements from *head is full:
 * returns a buffer twice as large (first slots the first time) with the
 * elements unwrapped to slot 0 and sets *head = 0 and *cap. Frees v. On
 * -ENOMEM returns NULL and leaves v, *head and *cap untouched. */
void *demo_fifo_grow(void *v, size_t elem, size_t *head, size_t n, size_t *cap,
		     size_t first);

#endif
