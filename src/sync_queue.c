/*
 * The sync queue (sync_queue.h): slots in shared memory under one robust
 * lock.  The counters are derived from the slots, so a holder that died in
 * the middle of an update is repaired by recounting.
 */
#include "sync_queue.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "ratelimit.h"
#include "shm.h"

/* Recomputes every counter from the slots (the lock's repair function). */
static void sync_queue_recount(void *ctx)
{
	struct sync_queue *q = ctx;
	struct sync_queue_shm *s = q->shm;
	uint64_t i;

	s->done = s->failed = 0;
	s->cloning = s->updating = 0;
	s->next = s->nslots;
	for (i = 0; i < s->nslots; i++) {
		struct sync_slot *slot = &q->slots[i];

		if (slot->state == SYNC_SLOT_DONE) {
			s->done++;
			s->failed += slot->result == SYNC_RES_FAILED;
		} else if (slot->state == SYNC_SLOT_RUNNING) {
			s->cloning += slot->action == SYNC_ACT_CLONE;
			s->updating +=
				slot->action != SYNC_ACT_CLONE && slot->action != SYNC_ACT_NONE;
		} else if (i < s->next) {
			s->next = i;
		}
	}
}

static int sync_queue_lock(struct sync_queue *q)
{
	return shm_lock_enter(&q->shm->lock, sync_queue_recount, q);
}

/*
 * The sync's limiter has no rate of its own: clones, fetches and Git LFS
 * requests are paced by -c and the RateLimit-* headers of LFS answers, and
 * a 429's pause stops them all.
 */
#define SYNC_QUEUE_GIT_RATE 1e9

int sync_queue_create(struct sync_queue *out, size_t nslots)
{
	size_t size = sizeof(struct sync_shm) + nslots * sizeof(struct sync_slot);
	struct sync_shm *region;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = shm_create((void **)&region, size)) < 0)
		return glm_error_prefix("sync queue");
	out->region = region;
	out->region_size = size;
	out->rl = &region->rl;
	out->counts = &region->counts;
	out->shm = &region->queue;
	out->slots = region->slots;
	out->shm->nslots = nslots;
	if ((err = shm_lock_init(&out->shm->lock)) < 0 ||
	    (err = ratelimit_init(out->rl, SYNC_QUEUE_GIT_RATE, SYNC_QUEUE_GIT_RATE)) < 0) {
		sync_queue_release(out);
		return err;
	}
	return 0;
}

void sync_queue_release(struct sync_queue *q)
{
	if (q->region != NULL)
		pthread_mutex_destroy(&q->shm->lock.mutex);
	shm_destroy(q->region, q->region_size);
	memset(q, 0, sizeof(*q));
}

int sync_queue_claim(struct sync_queue *q, pid_t pid, size_t *out_index, uint64_t *out_claim)
{
	struct sync_queue_shm *s = q->shm;
	uint64_t i;
	int err;

	if ((err = sync_queue_lock(q)) < 0)
		return err;
	for (i = s->next; i < s->nslots && q->slots[i].state != SYNC_SLOT_PENDING; i++)
		;
	s->next = i;
	if (i == s->nslots) {
		shm_lock_leave(&s->lock);
		return GLM_ENOTFOUND;
	}
	q->slots[i].state = SYNC_SLOT_RUNNING;
	q->slots[i].pid = pid;
	q->slots[i].tries++;
	q->slots[i].action = SYNC_ACT_NONE;
	s->next = i + 1;
	*out_claim = ++s->claims;
	*out_index = i;
	shm_lock_leave(&s->lock);
	return 0;
}

void sync_queue_set_action(struct sync_queue *q, size_t index, enum sync_action action)
{
	struct sync_slot *slot = &q->slots[index];

	if (sync_queue_lock(q) < 0)
		return;
	q->shm->cloning -= slot->action == SYNC_ACT_CLONE;
	q->shm->updating -= slot->action != SYNC_ACT_CLONE && slot->action != SYNC_ACT_NONE;
	slot->action = action;
	q->shm->cloning += action == SYNC_ACT_CLONE;
	q->shm->updating += action != SYNC_ACT_CLONE && action != SYNC_ACT_NONE;
	shm_lock_leave(&q->shm->lock);
}

/* Called with the lock held. */
static void sync_queue_mark_done(struct sync_queue *q, struct sync_slot *slot,
				 enum sync_result result, const char *reason)
{
	q->shm->cloning -= slot->state == SYNC_SLOT_RUNNING && slot->action == SYNC_ACT_CLONE;
	q->shm->updating -= slot->state == SYNC_SLOT_RUNNING && slot->action != SYNC_ACT_CLONE &&
			    slot->action != SYNC_ACT_NONE;
	slot->state = SYNC_SLOT_DONE;
	slot->result = result;
	snprintf(slot->reason, sizeof(slot->reason), "%s", reason != NULL ? reason : "");
	q->shm->done++;
	q->shm->failed += result == SYNC_RES_FAILED;
}

void sync_queue_finish(struct sync_queue *q, size_t index, enum sync_result result,
		       const char *reason, uint64_t bytes, int64_t duration_ms)
{
	struct sync_slot *slot = &q->slots[index];

	if (sync_queue_lock(q) < 0)
		return;
	slot->bytes = bytes;
	slot->duration_ms = duration_ms;
	sync_queue_mark_done(q, slot, result, reason);
	shm_lock_leave(&q->shm->lock);
}

void sync_queue_set_lfs(struct sync_queue *q, size_t index, uint64_t objects, uint64_t bytes)
{
	struct sync_slot *slot = &q->slots[index];

	if (sync_queue_lock(q) < 0)
		return;
	slot->lfs_objects = objects > UINT32_MAX ? UINT32_MAX : (uint32_t)objects;
	slot->lfs_bytes = bytes;
	shm_lock_leave(&q->shm->lock);
}

size_t sync_queue_requeue(struct sync_queue *q, pid_t pid, uint32_t max_tries, const char *reason)
{
	size_t i, held = 0;

	if (sync_queue_lock(q) < 0)
		return 0;
	for (i = 0; i < q->shm->nslots; i++) {
		struct sync_slot *slot = &q->slots[i];

		if (slot->state != SYNC_SLOT_RUNNING || slot->pid != pid)
			continue;
		held++;
		if (slot->tries >= max_tries || q->shm->disk_full) {
			sync_queue_mark_done(q, slot, SYNC_RES_FAILED, reason);
			log_verbose("slot %zu was held by pid %ld; tried %u times, failed", i,
				    (long)pid, slot->tries);
			continue;
		}
		q->shm->cloning -= slot->action == SYNC_ACT_CLONE;
		q->shm->updating -= slot->action != SYNC_ACT_CLONE && slot->action != SYNC_ACT_NONE;
		slot->state = SYNC_SLOT_PENDING;
		slot->action = SYNC_ACT_NONE;
		slot->pid = 0;
		if (i < q->shm->next)
			q->shm->next = i;
		log_verbose("slot %zu was held by pid %ld; requeued", i, (long)pid);
	}
	shm_lock_leave(&q->shm->lock);
	return held;
}

void sync_queue_disk_full(struct sync_queue *q)
{
	if (sync_queue_lock(q) < 0)
		return;
	q->shm->disk_full = 1;
	for (uint64_t i = q->shm->next; i < q->shm->nslots; i++)
		if (q->slots[i].state == SYNC_SLOT_PENDING)
			sync_queue_mark_done(q, &q->slots[i], SYNC_RES_SKIPPED,
					     SYNC_QUEUE_DISK_FULL);
	q->shm->next = q->shm->nslots;
	shm_lock_leave(&q->shm->lock);
}

size_t sync_queue_pending(struct sync_queue *q)
{
	size_t i, n = 0;

	if (sync_queue_lock(q) < 0)
		return 0;
	for (i = q->shm->next; i < q->shm->nslots; i++)
		n += q->slots[i].state == SYNC_SLOT_PENDING;
	shm_lock_leave(&q->shm->lock);
	return n;
}

void sync_queue_add_bytes(struct sync_queue *q, uint64_t n)
{
	__atomic_fetch_add(&q->shm->bytes, n, __ATOMIC_RELAXED);
}

void sync_queue_progress(struct sync_queue *q, struct sync_progress *out)
{
	memset(out, 0, sizeof(*out));
	if (sync_queue_lock(q) < 0)
		return;
	out->total = q->shm->nslots;
	out->done = q->shm->done;
	out->failed = q->shm->failed;
	out->cloning = q->shm->cloning;
	out->updating = q->shm->updating;
	shm_lock_leave(&q->shm->lock);
	out->bytes = __atomic_load_n(&q->shm->bytes, __ATOMIC_RELAXED);
}
