/* util_clock.c - clock readings in ns (util_clock.h). */
#include "util/util_clock.h"

#include <errno.h>
#include <time.h>

static int64_t read_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t util_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

int64_t util_wall_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}

void util_sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
