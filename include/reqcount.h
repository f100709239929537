/*
 * Counters of what the workers' requests came to (struct shm_reqcount in
 * shm_layout.h): answers by status class, 429s and retries, for --metrics.
 * Every worker adds to the same counters in shared memory; the supervisor
 * reads them when the workers are done.  A NULL counter counts nothing.
 */
#ifndef GLM_REQCOUNT_H
#define GLM_REQCOUNT_H

#include <stdint.h>

#include "shm_layout.h"

/* One try's answer: its HTTP status, or 0 when no status line arrived. */
void reqcount_answer(struct shm_reqcount *c, long status);

/* A request is sent again after a failed or throttled try. */
void reqcount_retry(struct shm_reqcount *c);

/* A snapshot of c (the workers may still be adding). */
void reqcount_read(struct shm_reqcount *c, struct shm_reqcount *out);

#endif
