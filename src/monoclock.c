/* CLOCK_MONOTONIC in nanoseconds (monoclock.h). */
#include "monoclock.h"

#include <time.h>

int64_t monoclock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * MONOCLOCK_NS_PER_S + ts.tv_nsec;
}

double monoclock_seconds_since(int64_t start_ns)
{
	return (double)(monoclock_ns() - start_ns) / (double)MONOCLOCK_NS_PER_S;
}
