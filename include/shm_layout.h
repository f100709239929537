/*
 * Every structure that lives in shared memory, in one place.  Plain data
 * only: indices instead of pointers, fixed-size arrays instead of char *.
 * The region is mapped MAP_SHARED by the supervisor before it forks, so the
 * same addresses are valid in every worker.  Each section is owned by one
 * mechanism (named in its comment) and only that mechanism's functions
 * touch it, through a process-local handle.
 */
#ifndef GLM_SHM_LAYOUT_H
#define GLM_SHM_LAYOUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_MAGIC	   0x474c4d52u /* "GLMR" */
#define SHM_LAYOUT_VERSION 1
#define SHM_CACHELINE	   64

/* A robust, process-shared mutex (shm_lock.c), alone on its cache line. */
struct shm_lock {
	pthread_mutex_t mutex;
	uint32_t repairs; /* how often a dead holder's state was repaired */
} __attribute__((aligned(SHM_CACHELINE)));

_Static_assert(sizeof(struct shm_lock) % SHM_CACHELINE == 0, "shm_lock pads to a cache line");
_Static_assert(_Alignof(struct shm_lock) == SHM_CACHELINE, "shm_lock is cache-line aligned");

/* Start of every region (shm.c). */
struct shm_header {
	uint32_t magic;
	uint32_t version;
	uint64_t size; /* bytes mapped */
};

_Static_assert(sizeof(struct shm_header) == 16, "shm_header layout");

/* ---- rate limiter (ratelimit.c) -------------------------------------- */

/* ---- API work queue (queue.c) ---------------------------------------- */

/* ---- sync queue and progress (sync_queue.c) -------------------------- */

#endif
