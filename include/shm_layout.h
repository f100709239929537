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

#define SHM_RL_SLOTS 128 /* requests in flight tracked by pid (--api-concurrency <= 64) */

/*
 * One token bucket shared by every API worker (ratelimit.c).  Times are
 * CLOCK_MONOTONIC nanoseconds, which all processes of a run share.
 */
struct shm_ratelimit {
	struct shm_lock lock;
	double rate;	     /* tokens per second in force now */
	double rate_cap;     /* the configured (or adaptive) rate; rate never exceeds it */
	double burst;	     /* bucket size */
	double tokens;	     /* 0..burst */
	int64_t last_ns;     /* time of the last refill */
	int64_t pause_until; /* nobody starts a request before this (429) */
	int64_t last_429;    /* time of the last 429 while the rate is lowered; 0 none */
	int32_t adaptive;    /* no rate given: follow the server's headers */
	int32_t srv_limit;   /* RateLimit-Limit, -1 unknown */
	int64_t srv_remaining;
	int64_t srv_reset;  /* end of the server's window, monotonic; 0 unknown */
	uint64_t requests;  /* tokens granted */
	uint64_t throttled; /* 429 answers seen */
	uint64_t waits;	    /* times a worker slept for a token or a pause */
	uint32_t in_flight;
	uint32_t max_in_flight;
	int32_t flight_pid[SHM_RL_SLOTS]; /* pid of each request in flight, 0 = free */
};

_Static_assert(offsetof(struct shm_ratelimit, lock) == 0, "the lock leads the bucket");
_Static_assert(sizeof(struct shm_ratelimit) % SHM_CACHELINE == 0, "bucket pads to a cache line");
_Static_assert(sizeof(struct shm_ratelimit) <= 1024, "bucket stays small");

/* ---- API work queue (queue.c) ---------------------------------------- */

/* ---- sync queue and progress (sync_queue.c) -------------------------- */

#endif
