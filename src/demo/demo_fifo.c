/* demo_fifo.c - growing a full ring buffer. */
#include "demo/demo_fifo.h"

#include <stdlib.h>
#include <string.h>

void *demo_fifo_grow(void *v, size_t elem, size_t *head, size_t n, size_t *cap,
		     size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	char *nv = malloc(ncap * elem);
	if (!nv)
		return NULL;
	/* the elements run from head to the end, then wrap to slot 0 */
	size_t tail = *cap - *head < n ? *cap - *head : n;
	if (n) {
		memcpy(nv, (char *)v + *head * elem, tail * elem);
		memcpy(nv + tail * elem, v, (n - tail) * elem);
	}
	free(v);
	*head = 0;
	*cap = ncap;
	return nv;
}
