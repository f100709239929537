/*
 * The one clock for durations, deadlines and rates: CLOCK_MONOTONIC, which
 * neither NTP steps nor a changed system time move.
 */
#ifndef GLM_MONOCLOCK_H
#define GLM_MONOCLOCK_H

#include <stdint.h>

#define MONOCLOCK_NS_PER_S 1000000000LL

int64_t monoclock_ns(void);
/* Seconds from start_ns (a monoclock_ns() value) to now. */
double monoclock_seconds_since(int64_t start_ns);

#endif
