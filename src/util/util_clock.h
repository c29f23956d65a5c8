/* util_clock.h - the two clocks the tool reads: monotonic for timeouts and
 * intervals, wall (Unix epoch) for what users and traces call time. */
#ifndef OJO_UTIL_CLOCK_H
#define OJO_UTIL_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ns: deadlines, durations. */
int64_t util_mono_ns(void);
/* CLOCK_REALTIME in ns since the Unix epoch. */
int64_t util_wall_ns(void);
/* Sleeps ms milliseconds, the whole time even when signals arrive. */
void util_sleep_ms(unsigned ms);

#endif
