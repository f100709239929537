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

#define SYNC_REASON_MAX 200 /* bytes of a result's reason, NUL included */

enum sync_slot_state { SYNC_SLOT_PENDING, SYNC_SLOT_RUNNING, SYNC_SLOT_DONE };
enum sync_action { SYNC_ACT_NONE, SYNC_ACT_CLONE, SYNC_ACT_UPDATE, SYNC_ACT_FETCH };
enum sync_result {
	SYNC_RES_NONE,
	SYNC_RES_CLONED,
	SYNC_RES_UPDATED,
	SYNC_RES_UNCHANGED,
	SYNC_RES_SKIPPED,
	SYNC_RES_FAILED,
};

/*
 * One project of the sync.  The project itself (URLs, folder) is in the
 * tree every worker inherited at fork; the slot's index is its position in
 * the supervisor's project list.
 */
struct sync_slot {
	uint32_t state;	 /* enum sync_slot_state */
	int32_t pid;	 /* the worker holding it while RUNNING */
	uint32_t tries;	 /* times handed out (a dead worker's project is tried twice) */
	uint32_t action; /* enum sync_action, set by the worker */
	uint32_t result; /* enum sync_result, once DONE */
	uint32_t pad;
	uint64_t bytes;		      /* received from the server */
	int64_t duration_ms;	      /* of the last try */
	char reason[SYNC_REASON_MAX]; /* why skipped or failed; "" otherwise */
};

_Static_assert(sizeof(struct sync_slot) == 240, "sync_slot layout");
_Static_assert(offsetof(struct sync_slot, reason) == 40, "sync_slot reason offset");

/* Followed in the mapping by nslots struct sync_slot. */
struct sync_queue_shm {
	struct shm_lock lock;
	uint64_t nslots;
	uint64_t next;	  /* lowest index that may still be PENDING */
	uint64_t claims;  /* projects handed out so far (the test hook counts them) */
	uint64_t done;	  /* slots DONE */
	uint32_t cloning; /* RUNNING slots by action */
	uint32_t updating;
	uint64_t failed; /* DONE with SYNC_RES_FAILED */
	uint64_t bytes;	 /* received by every worker, updated while transferring */
} __attribute__((aligned(SHM_CACHELINE)));

_Static_assert(offsetof(struct sync_queue_shm, lock) == 0, "the lock leads the queue");
_Static_assert(sizeof(struct sync_queue_shm) % SHM_CACHELINE == 0, "queue pads to a cache line");
_Static_assert(sizeof(struct sync_slot) % _Alignof(struct sync_slot) == 0, "slots pack");

#endif
