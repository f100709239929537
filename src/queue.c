/*
 * The crawl's work queue (queue.h).  Every change to a slot and to the
 * counters happens under the robust lock; the counters are derived data,
 * so the repair after a holder died simply recounts them from the slots.
 * A slot is filled before ntasks covers it, so a half-written one is never
 * seen.
 */
#include "queue.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "log.h"
#include "shm.h"
#include "signals.h"

#define QUEUE_SKIP_RECHECK_NS 250000000L

static void queue_repair(void *ctx)
{
	struct queue *q = ctx;
	struct queue_shm *s = q->shm;
	uint64_t i;

	if (s->ntasks > s->capacity)
		s->ntasks = s->capacity;
	s->ready = s->claimed = s->done = s->failed = 0;
	s->first_ready = 0;
	for (i = 0; i < s->ntasks; i++) {
		switch (q->tasks[i].state) {
		case QUEUE_READY:
			s->ready++;
			break;
		case QUEUE_CLAIMED:
			s->claimed++;
			break;
		case QUEUE_DONE:
			s->done++;
			break;
		case QUEUE_FAILED:
			s->failed++;
			break;
		default:
			/* A slot without a known state cannot be trusted: do it again. */
			q->tasks[i].state = QUEUE_READY;
			s->ready++;
		}
	}
}

static int queue_lock(struct queue *q)
{
	return shm_lock_acquire(&q->shm->lock, queue_repair, q);
}

static void queue_unlock(struct queue *q)
{
	shm_lock_release(&q->shm->lock);
}

int queue_init(struct queue *q, struct queue_shm *shm, struct queue_task *tasks, size_t capacity)
{
	int err;

	q->shm = shm;
	q->tasks = tasks;
	memset(shm, 0, sizeof(*shm));
	shm->capacity = capacity;
	if ((err = shm_lock_init(&shm->lock)) < 0 || (err = shm_cond_init(&shm->cond)) < 0)
		return glm_error_prefix("crawl queue");
	return 0;
}

/*
 * Under the lock.  A task with a chain is a later page of parent's listing;
 * any other task starts a listing of its own.
 */
static int queue_append(struct queue *q, const struct queue_task *tasks, size_t n,
			const struct queue_task *parent)
{
	struct queue_shm *s = q->shm;
	size_t i;

	if (n > s->capacity - s->ntasks)
		return glm_error_set(GLM_ELIMIT,
				     "the crawl needs more than %llu listing requests; crawl a "
				     "part of the instance at a time (--group)",
				     (unsigned long long)s->capacity);
	for (i = 0; i < n; i++) {
		struct queue_task *t = &q->tasks[s->ntasks + i];

		*t = tasks[i];
		t->state = QUEUE_READY;
		t->pid = 0;
		t->tries = 0;
		t->closed = 0;
		t->mark = QUEUE_LISTING_OK;
		if (t->chain != 0 && parent != NULL) {
			t->listing = parent->listing;
			t->rereads = parent->rereads;
		} else {
			t->listing = (uint32_t)(s->ntasks + i);
		}
	}
	s->ntasks += n;
	s->ready += n;
	if (n > 0)
		pthread_cond_broadcast(&s->cond);
	return 0;
}

int queue_push(struct queue *q, const struct queue_task *tasks, size_t n)
{
	int err;

	if ((err = queue_lock(q)) < 0)
		return err;
	err = queue_append(q, tasks, n, NULL);
	queue_unlock(q);
	return err;
}

/* Under the lock: the crawl has ended when nothing is READY or CLAIMED. */
static int queue_finished(const struct queue_shm *s)
{
	return s->stop != QUEUE_RUNNING || (s->ready == 0 && s->claimed == 0);
}

/*
 * Under the lock: the first READY slot that skip lets through, or ntasks.
 * *first is the first READY slot seen (ntasks: none), which keeps
 * first_ready tight so that claims do not rescan finished slots.
 */
static uint64_t queue_find(struct queue *q, queue_skip_fn skip, void *ctx, uint64_t *first)
{
	struct queue_shm *s = q->shm;
	uint64_t i;

	*first = s->ntasks;
	for (i = s->first_ready; i < s->ntasks; i++) {
		if (q->tasks[i].state != QUEUE_READY)
			continue;
		if (*first == s->ntasks)
			*first = i;
		if (skip == NULL || !skip(&q->tasks[i], ctx))
			break;
	}
	if (*first < s->ntasks)
		s->first_ready = *first;
	return i;
}

int queue_claim(struct queue *q, pid_t pid, struct queue_task *out, size_t *index,
		uint64_t *claim_no)
{
	return queue_claim_if(q, pid, NULL, NULL, out, index, claim_no);
}

int queue_claim_if(struct queue *q, pid_t pid, queue_skip_fn skip, void *ctx,
		   struct queue_task *out, size_t *index, uint64_t *claim_no)
{
	struct queue_shm *s = q->shm;
	struct timespec deadline;
	uint64_t i = 0, first = 0;
	int err;

	if ((err = queue_lock(q)) < 0)
		return err;
	for (;;) {
		if (queue_finished(s)) {
			queue_unlock(q);
			return GLM_ESTOPPED;
		}
		if (s->ready > 0 && (i = queue_find(q, skip, ctx, &first)) < s->ntasks)
			break;
		if (s->ready > 0 && first == s->ntasks) {
			/* The counters disagree with the slots: recount and let the caller retry.
			 */
			queue_repair(q);
			queue_unlock(q);
			return glm_error_set(GLM_ERR, "crawl queue: counters were inconsistent");
		}
		if (signals_stopping()) {
			queue_unlock(q);
			return glm_error_set(GLM_EINTR, "interrupted");
		}
		/*
		 * A signal does not end a condition wait: look at the flag every
		 * second.  Slots skipped now (their endpoint is closed) are looked
		 * at again a quarter of a second later, as nothing signals a reopening.
		 */
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		if (s->ready > 0) {
			deadline.tv_nsec += QUEUE_SKIP_RECHECK_NS;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		} else {
			deadline.tv_sec++;
		}
		if ((err = shm_cond_wait(&s->cond, &s->lock, &deadline, queue_repair, q)) < 0)
			return err;
	}
	if (i == first)
		s->first_ready = i + 1;
	q->tasks[i].state = QUEUE_CLAIMED;
	q->tasks[i].pid = pid;
	q->tasks[i].tries++;
	s->ready--;
	s->claimed++;
	*claim_no = ++s->claims;
	*out = q->tasks[i];
	*index = (size_t)i;
	queue_unlock(q);
	return 0;
}

int queue_give_back(struct queue *q, size_t index)
{
	struct queue_shm *s = q->shm;
	struct queue_task *t = &q->tasks[index];
	int err;

	if ((err = queue_lock(q)) < 0)
		return err;
	if (index < s->ntasks && t->state == QUEUE_CLAIMED) {
		t->pid = 0;
		s->claimed--;
		if (++t->closed >= QUEUE_MAX_CLOSED) {
			t->state = QUEUE_FAILED;
			s->failed++;
			log_error(
				"%s (id %lld, page %lld): refused by the endpoint's own rate limit "
				"%u times; giving up on it",
				queue_kind_name((enum queue_kind)t->kind), (long long)t->id,
				(long long)t->page, t->closed);
		} else {
			t->state = QUEUE_READY;
			if (t->tries > 0)
				t->tries--;
			s->ready++;
			if (index < s->first_ready)
				s->first_ready = index;
		}
		pthread_cond_broadcast(&s->cond);
	}
	queue_unlock(q);
	return 0;
}

int queue_complete(struct queue *q, size_t index, const struct queue_result *res,
		   const struct queue_task *next, size_t nnext)
{
	struct queue_shm *s = q->shm;
	struct queue_task *t = &q->tasks[index];
	int failed = res->failed, err;

	if ((err = queue_lock(q)) < 0)
		return err;
	if (t->state == QUEUE_CLAIMED && (err = queue_append(q, next, nnext, t)) < 0)
		failed = 1;
	if (t->state == QUEUE_CLAIMED) {
		t->state = failed ? QUEUE_FAILED : QUEUE_DONE;
		t->pid = 0;
		t->total = res->total;
		t->items = res->items;
		t->min_id = res->min_id;
		t->max_id = res->max_id;
		t->unsorted = (uint8_t)(res->unsorted != 0);
		s->claimed--;
		if (failed)
			s->failed++;
		else
			s->done++;
		s->groups += res->groups;
		s->projects += res->projects;
	}
	if (queue_finished(s))
		pthread_cond_broadcast(&s->cond);
	queue_unlock(q);
	return err;
}

size_t queue_group_tasks(struct queue_task *out, long long id, int include_shared)
{
	static const enum queue_kind kinds[QUEUE_GROUP_TASKS] = { QUEUE_DESCENDANTS, QUEUE_PROJECTS,
								  QUEUE_SHARED };
	size_t i, n = include_shared ? 3 : 2;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].kind = kinds[i];
		out[i].id = id;
		out[i].page = 1;
	}
	return n;
}

void queue_stop(struct queue *q, enum queue_stop why, const char *msg)
{
	struct queue_shm *s = q->shm;

	if (queue_lock(q) < 0)
		return;
	if (s->stop == QUEUE_RUNNING) {
		s->stop = why;
		snprintf(s->fatal, sizeof(s->fatal), "%s", msg != NULL ? msg : "");
	}
	pthread_cond_broadcast(&s->cond);
	queue_unlock(q);
}

static const char *const queue_kind_names[] = {
	[QUEUE_PREFLIGHT] = "GET /user",
	[QUEUE_TOP] = "GET /groups",
	[QUEUE_GROUP] = "GET /groups/:id",
	[QUEUE_DESCENDANTS] = "GET /groups/:id/descendant_groups",
	[QUEUE_PROJECTS] = "GET /groups/:id/projects",
	[QUEUE_SHARED] = "GET /groups/:id/projects/shared",
	[QUEUE_USER_PROJECTS] = "GET /users/:id/projects",
};

const char *queue_kind_name(enum queue_kind kind)
{
	return queue_kind_names
		[(size_t)kind < sizeof(queue_kind_names) / sizeof(queue_kind_names[0]) ? kind : 0];
}

int queue_pages(struct queue *q, struct queue_page_view **out, size_t *n)
{
	struct queue_page_view *v;
	uint64_t i;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = queue_lock(q)) < 0)
		return err;
	if ((v = calloc(q->shm->ntasks + 1, sizeof(*v))) == NULL) {
		queue_unlock(q);
		return glm_error_set(GLM_ENOMEM, "out of memory");
	}
	for (i = 0; i < q->shm->ntasks; i++) {
		const struct queue_task *t = &q->tasks[i];

		v[i].listing = t->listing < q->shm->ntasks ? t->listing : i;
		v[i].state = (enum queue_state)t->state;
		v[i].kind = (enum queue_kind)t->kind;
		v[i].id = t->id;
		v[i].page = t->page;
		v[i].chain = t->chain;
		v[i].total = t->total;
		v[i].items = t->items;
		v[i].min_id = t->min_id;
		v[i].max_id = t->max_id;
		v[i].rereads = t->rereads;
		v[i].mark = (enum queue_listing_mark)t->mark;
		v[i].unsorted = t->unsorted;
	}
	*n = (size_t)q->shm->ntasks;
	queue_unlock(q);
	*out = v;
	return 0;
}

int queue_mark_listing(struct queue *q, size_t listing, enum queue_listing_mark mark)
{
	struct queue_task again;
	int err = 0;

	if ((err = queue_lock(q)) < 0)
		return err;
	if (listing >= q->shm->ntasks) {
		queue_unlock(q);
		return glm_error_set(GLM_ERR, "crawl queue: no listing at slot %zu", listing);
	}
	again = q->tasks[listing];
	q->tasks[listing].mark = (uint8_t)mark;
	if (mark == QUEUE_LISTING_REREAD) {
		again.page = 1;
		again.chain = 0;
		again.rereads++;
		err = queue_append(q, &again, 1, NULL);
	}
	queue_unlock(q);
	return err;
}

size_t queue_requeue_pid(struct queue *q, pid_t pid)
{
	struct queue_shm *s = q->shm;
	size_t failed = 0;
	uint64_t i;

	if (queue_lock(q) < 0)
		return 0;
	for (i = 0; i < s->ntasks; i++) {
		struct queue_task *t = &q->tasks[i];

		if (t->state != QUEUE_CLAIMED || t->pid != pid)
			continue;
		t->pid = 0;
		s->claimed--;
		if (t->tries >= QUEUE_MAX_TRIES) {
			t->state = QUEUE_FAILED;
			s->failed++;
			failed++;
			log_error("%s (id %lld, page %lld) killed %u API workers; giving up on it",
				  queue_kind_name((enum queue_kind)t->kind), (long long)t->id,
				  (long long)t->page, t->tries);
		} else {
			t->state = QUEUE_READY;
			s->ready++;
			if (i < s->first_ready)
				s->first_ready = i;
		}
	}
	pthread_cond_broadcast(&s->cond);
	queue_unlock(q);
	return failed;
}

int queue_status(struct queue *q, struct queue_status *out)
{
	struct queue_shm *s = q->shm;
	int err;

	if ((err = queue_lock(q)) < 0)
		return err;
	out->ntasks = s->ntasks;
	out->ready = s->ready;
	out->claimed = s->claimed;
	out->done = s->done;
	out->failed = s->failed;
	out->groups = s->groups;
	out->projects = s->projects;
	out->stop = s->stop;
	memcpy(out->fatal, s->fatal, sizeof(out->fatal));
	queue_unlock(q);
	return 0;
}

void queue_die_holding_lock(struct queue *q)
{
	if (queue_lock(q) == 0)
		q->shm->ready = UINT64_MAX / 2; /* garbage the next locker must repair */
	raise(SIGKILL);
	_exit(1);
}
