/*
 * The sync's work queue in shared memory: one slot per project, claimed by
 * the sync workers one at a time, its result written back into the slot.
 * The supervisor creates it before forking, requeues what a dead worker
 * held, and reads the counters for the progress line and the report.
 */
#ifndef GLM_SYNC_QUEUE_H
#define GLM_SYNC_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm_layout.h"

/* A process's handle; the shared part lives in the mapping. */
struct sync_queue {
	struct sync_queue_shm *shm;  /* points into region; not owned */
	struct sync_slot *slots;     /* points into region; not owned */
	struct shm_ratelimit *rl;    /* the git servers' shared pause; points into region */
	struct shm_reqcount *counts; /* retries of git and LFS requests; points into region */
	void *region;		     /* owned by the creator (the supervisor) */
	size_t region_size;
};

struct sync_progress {
	uint64_t total, done, failed, bytes;
	uint32_t cloning, updating;
};

/* Maps a queue of nslots PENDING slots.  Release with sync_queue_release(). */
int sync_queue_create(struct sync_queue *out, size_t nslots);
void sync_queue_release(struct sync_queue *q); /* accepts a zeroed handle */

/*
 * Hands the lowest PENDING slot to pid: *out_index and the claim's number
 * (1 for the first project handed out in the run).  GLM_ENOTFOUND when
 * nothing is pending.
 */
int sync_queue_claim(struct sync_queue *q, pid_t pid, size_t *out_index, uint64_t *out_claim);
/* What the worker is doing with the slot it holds (for the progress counters). */
void sync_queue_set_action(struct sync_queue *q, size_t index, enum sync_action action);
/* Marks the slot DONE with its result; reason may be NULL. */
void sync_queue_finish(struct sync_queue *q, size_t index, enum sync_result result,
		       const char *reason, uint64_t bytes, int64_t duration_ms);
/*
 * Supervisor, after reaping pid: every slot it held goes back to PENDING
 * when it was tried fewer than max_tries times, else DONE and FAILED with
 * reason.  Returns the number of slots it held.
 */
size_t sync_queue_requeue(struct sync_queue *q, pid_t pid, uint32_t max_tries, const char *reason);
size_t sync_queue_pending(struct sync_queue *q);
/*
 * The disk under DEST is full: every PENDING slot is finished as skipped
 * with SYNC_QUEUE_DISK_FULL as the reason, and none is handed out again.
 */
void sync_queue_disk_full(struct sync_queue *q);
#define SYNC_QUEUE_DISK_FULL "disk full"

/* Before sync_queue_finish: the Git LFS objects the worker downloaded. */
void sync_queue_set_lfs(struct sync_queue *q, size_t index, uint64_t objects, uint64_t bytes);
/* Lock-free: bytes received, counted while a transfer runs. */
void sync_queue_add_bytes(struct sync_queue *q, uint64_t n);
void sync_queue_progress(struct sync_queue *q, struct sync_progress *out);

#endif
