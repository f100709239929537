/*
 * The shared-memory region: one anonymous MAP_SHARED mapping made by the
 * supervisor before it forks, so every worker sees it at the same address.
 * Anonymous memory needs no name and cannot outlive the processes.
 */
#ifndef GLM_SHM_H
#define GLM_SHM_H

#include <stddef.h>

#include "shm_layout.h"

/* Maps size bytes (rounded up to pages), zeroed, with the header filled in. */
int shm_create(void **out, size_t size);
void shm_destroy(void *region, size_t size); /* accepts NULL */

/*
 * Robust process-shared mutex.  When a holder died, the next locker gets
 * the lock after repair(ctx) has restored the invariants of what the lock
 * guards; repair may be NULL when there is nothing to repair.
 */
typedef void (*shm_repair_fn)(void *ctx);
int shm_lock_init(struct shm_lock *lock);
int shm_lock_enter(struct shm_lock *lock, shm_repair_fn repair, void *ctx);
void shm_lock_leave(struct shm_lock *lock);

/* A process-shared condition variable used with a shm_lock. */
int shm_cond_init(pthread_cond_t *cond);
/*
 * Waits on cond until woken or abs_deadline (CLOCK_MONOTONIC; NULL = no
 * deadline).  Returns 0 when woken or timed out (callers re-check their
 * condition), negative on error.  Repairs like shm_lock_enter.
 */
int shm_cond_wait(pthread_cond_t *cond, struct shm_lock *lock, const struct timespec *abs_deadline,
		  shm_repair_fn repair, void *ctx);

#endif
