/*
 * The crawl's work queue (crawl_queue.h).  Every change to a slot and to the
 * counters happens under the robust lock; the counters are derived data,
 * so the repair after a holder died simply recounts them from the slots.
 * A slot is filled before ntasks covers it, so a half-written one is never
 * seen.
 */
#include "crawl_queue.h"

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

#define CRAWL_QUEUE_SKIP_RECHECK_NS 250000000L

static void crawl_queue_repair(void *ctx)
{
	struct crawl_queue *q = ctx;
	struct crawl_queue_shm *s = q->shm;
	uint64_t i;

	if (s->ntasks > s->capacity)
		s->ntasks = s->capacity;
	s->ready = s->claimed = s->done = s->failed = 0;
	s->first_ready = 0;
	for (i = 0; i < s->ntasks; i++) {
		switch (q->tasks[i].state) {
		case CRAWL_QUEUE_READY:
			s->ready++;
			break;
		case CRAWL_QUEUE_CLAIMED:
			s->claimed++;
			break;
		case CRAWL_QUEUE_DONE:
			s->done++;
			break;
		case CRAWL_QUEUE_FAILED:
			s->failed++;
			break;
		default:
			/* A slot without a known state cannot be trusted: do it again. */
			q->tasks[i].state = CRAWL_QUEUE_READY;
			s->ready++;
		}
	}
}

static int crawl_queue_lock(struct crawl_queue *q)
{
	return shm_lock_enter(&q->shm->lock, crawl_queue_repair, q);
}

static void crawl_queue_unlock(struct crawl_queue *q)
{
	shm_lock_leave(&q->shm->lock);
}

int crawl_queue_init(struct crawl_queue *q, struct crawl_queue_shm *shm,
		     struct crawl_queue_task *tasks, size_t capacity)
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
static int crawl_queue_append(struct crawl_queue *q, const struct crawl_queue_task *tasks, size_t n,
			      const struct crawl_queue_task *parent)
{
	struct crawl_queue_shm *s = q->shm;
	size_t i;

	if (n > s->capacity - s->ntasks)
		return glm_error_set(GLM_ELIMIT,
				     "the crawl needs more than %llu listing requests; crawl a "
				     "part of the instance at a time (--group)",
				     (unsigned long long)s->capacity);
	for (i = 0; i < n; i++) {
		struct crawl_queue_task *t = &q->tasks[s->ntasks + i];

		*t = tasks[i];
		t->state = CRAWL_QUEUE_READY;
		t->pid = 0;
		t->tries = 0;
		t->closed = 0;
		t->mark = CRAWL_QUEUE_LISTING_OK;
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

int crawl_queue_push(struct crawl_queue *q, const struct crawl_queue_task *tasks, size_t n)
{
	int err;

	if ((err = crawl_queue_lock(q)) < 0)
		return err;
	err = crawl_queue_append(q, tasks, n, NULL);
	crawl_queue_unlock(q);
	return err;
}

/* Under the lock: the crawl has ended when nothing is READY or CLAIMED. */
static int crawl_queue_finished(const struct crawl_queue_shm *s)
{
	return s->stop != CRAWL_QUEUE_RUNNING || (s->ready == 0 && s->claimed == 0);
}

/*
 * Under the lock: the first READY slot that skip lets through, or ntasks.
 * *first is the first READY slot seen (ntasks: none), which keeps
 * first_ready tight so that claims do not rescan finished slots.
 */
static uint64_t crawl_queue_find(struct crawl_queue *q, crawl_queue_skip_fn skip, void *ctx,
				 uint64_t *first)
{
	struct crawl_queue_shm *s = q->shm;
	uint64_t i;

	*first = s->ntasks;
	for (i = s->first_ready; i < s->ntasks; i++) {
		if (q->tasks[i].state != CRAWL_QUEUE_READY)
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

int crawl_queue_claim(struct crawl_queue *q, pid_t pid, struct crawl_queue_task *out, size_t *index,
		      uint64_t *claim_no)
{
	return crawl_queue_claim_if(q, pid, NULL, NULL, out, index, claim_no);
}

int crawl_queue_claim_if(struct crawl_queue *q, pid_t pid, crawl_queue_skip_fn skip, void *ctx,
			 struct crawl_queue_task *out, size_t *index, uint64_t *claim_no)
{
	struct crawl_queue_shm *s = q->shm;
	struct timespec deadline;
	uint64_t i = 0, first = 0;
	int err;

	if ((err = crawl_queue_lock(q)) < 0)
		return err;
	for (;;) {
		if (crawl_queue_finished(s)) {
			crawl_queue_unlock(q);
			return GLM_ESTOPPED;
		}
		if (s->ready > 0 && (i = crawl_queue_find(q, skip, ctx, &first)) < s->ntasks)
			break;
		if (s->ready > 0 && first == s->ntasks) {
			/* The counters disagree with the slots: recount and let the caller retry.
			 */
			crawl_queue_repair(q);
			crawl_queue_unlock(q);
			return glm_error_set(GLM_ERR, "crawl queue: counters were inconsistent");
		}
		if (signals_stopping()) {
			crawl_queue_unlock(q);
			return glm_error_set(GLM_EINTR, "interrupted");
		}
		/*
		 * A signal does not end a condition wait: look at the flag every
		 * second.  Slots skipped now (their endpoint is closed) are looked
		 * at again a quarter of a second later, as nothing signals a reopening.
		 */
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		if (s->ready > 0) {
			deadline.tv_nsec += CRAWL_QUEUE_SKIP_RECHECK_NS;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		} else {
			deadline.tv_sec++;
		}
		if ((err = shm_cond_wait(&s->cond, &s->lock, &deadline, crawl_queue_repair, q)) < 0)
			return err;
	}
	if (i == first)
		s->first_ready = i + 1;
	q->tasks[i].state = CRAWL_QUEUE_CLAIMED;
	q->tasks[i].pid = pid;
	q->tasks[i].tries++;
	s->ready--;
	s->claimed++;
	*claim_no = ++s->claims;
	*out = q->tasks[i];
	*index = (size_t)i;
	crawl_queue_unlock(q);
	return 0;
}

int crawl_queue_give_back(struct crawl_queue *q, size_t index)
{
	struct crawl_queue_shm *s = q->shm;
	struct crawl_queue_task *t = &q->tasks[index];
	int err;

	if ((err = crawl_queue_lock(q)) < 0)
		return err;
	if (index < s->ntasks && t->state == CRAWL_QUEUE_CLAIMED) {
		t->pid = 0;
		s->claimed--;
		if (++t->closed >= CRAWL_QUEUE_MAX_CLOSED) {
			t->state = CRAWL_QUEUE_FAILED;
			s->failed++;
			log_error(
				"%s (id %lld, page %lld): refused by the endpoint's own rate limit "
				"%u times; giving up on it",
				crawl_queue_kind_name((enum crawl_queue_kind)t->kind),
				(long long)t->id, (long long)t->page, t->closed);
		} else {
			t->state = CRAWL_QUEUE_READY;
			if (t->tries > 0)
				t->tries--;
			s->ready++;
			if (index < s->first_ready)
				s->first_ready = index;
		}
		pthread_cond_broadcast(&s->cond);
	}
	crawl_queue_unlock(q);
	return 0;
}

int crawl_queue_complete(struct crawl_queue *q, size_t index, const struct crawl_queue_result *res,
			 const struct crawl_queue_task *next, size_t nnext)
{
	struct crawl_queue_shm *s = q->shm;
	struct crawl_queue_task *t = &q->tasks[index];
	int failed = res->failed, err;

	if ((err = crawl_queue_lock(q)) < 0)
		return err;
	if (t->state == CRAWL_QUEUE_CLAIMED && (err = crawl_queue_append(q, next, nnext, t)) < 0)
		failed = 1;
	if (t->state == CRAWL_QUEUE_CLAIMED) {
		t->state = failed ? CRAWL_QUEUE_FAILED : CRAWL_QUEUE_DONE;
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
	if (crawl_queue_finished(s))
		pthread_cond_broadcast(&s->cond);
	crawl_queue_unlock(q);
	return err;
}

size_t crawl_queue_group_tasks(struct crawl_queue_task *out, long long id, int include_shared)
{
	static const enum crawl_queue_kind kinds[CRAWL_QUEUE_GROUP_TASKS] = {
		CRAWL_QUEUE_DESCENDANTS, CRAWL_QUEUE_PROJECTS, CRAWL_QUEUE_SHARED
	};
	size_t i, n = include_shared ? 3 : 2;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].kind = kinds[i];
		out[i].id = id;
		out[i].page = 1;
	}
	return n;
}

void crawl_queue_stop(struct crawl_queue *q, enum crawl_queue_stop why, const char *msg)
{
	struct crawl_queue_shm *s = q->shm;

	if (crawl_queue_lock(q) < 0)
		return;
	if (s->stop == CRAWL_QUEUE_RUNNING) {
		s->stop = why;
		snprintf(s->fatal, sizeof(s->fatal), "%s", msg != NULL ? msg : "");
	}
	pthread_cond_broadcast(&s->cond);
	crawl_queue_unlock(q);
}

static const char *const crawl_queue_kind_names[] = {
	[CRAWL_QUEUE_PREFLIGHT] = "GET /user",
	[CRAWL_QUEUE_TOP] = "GET /groups",
	[CRAWL_QUEUE_GROUP] = "GET /groups/:id",
	[CRAWL_QUEUE_DESCENDANTS] = "GET /groups/:id/descendant_groups",
	[CRAWL_QUEUE_PROJECTS] = "GET /groups/:id/projects",
	[CRAWL_QUEUE_SHARED] = "GET /groups/:id/projects/shared",
	[CRAWL_QUEUE_USER_PROJECTS] = "GET /users/:id/projects",
};

const char *crawl_queue_kind_name(enum crawl_queue_kind kind)
{
	return crawl_queue_kind_names[(size_t)kind < sizeof(crawl_queue_kind_names) /
							      sizeof(crawl_queue_kind_names[0])
					      ? kind
					      : 0];
}

int crawl_queue_pages(struct crawl_queue *q, struct crawl_queue_page_view **out, size_t *n)
{
	struct crawl_queue_page_view *v;
	uint64_t i;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = crawl_queue_lock(q)) < 0)
		return err;
	if ((v = calloc(q->shm->ntasks + 1, sizeof(*v))) == NULL) {
		crawl_queue_unlock(q);
		return glm_error_set(GLM_ENOMEM, "out of memory");
	}
	for (i = 0; i < q->shm->ntasks; i++) {
		const struct crawl_queue_task *t = &q->tasks[i];

		v[i].listing = t->listing < q->shm->ntasks ? t->listing : i;
		v[i].state = (enum crawl_queue_state)t->state;
		v[i].kind = (enum crawl_queue_kind)t->kind;
		v[i].id = t->id;
		v[i].page = t->page;
		v[i].chain = t->chain;
		v[i].total = t->total;
		v[i].items = t->items;
		v[i].min_id = t->min_id;
		v[i].max_id = t->max_id;
		v[i].rereads = t->rereads;
		v[i].mark = (enum crawl_queue_listing_mark)t->mark;
		v[i].unsorted = t->unsorted;
	}
	*n = (size_t)q->shm->ntasks;
	crawl_queue_unlock(q);
	*out = v;
	return 0;
}

int crawl_queue_mark_listing(struct crawl_queue *q, size_t listing,
			     enum crawl_queue_listing_mark mark)
{
	struct crawl_queue_task again;
	int err = 0;

	if ((err = crawl_queue_lock(q)) < 0)
		return err;
	if (listing >= q->shm->ntasks) {
		crawl_queue_unlock(q);
		return glm_error_set(GLM_ERR, "crawl queue: no listing at slot %zu", listing);
	}
	again = q->tasks[listing];
	q->tasks[listing].mark = (uint8_t)mark;
	if (mark == CRAWL_QUEUE_LISTING_REREAD) {
		again.page = 1;
		again.chain = 0;
		again.rereads++;
		err = crawl_queue_append(q, &again, 1, NULL);
	}
	crawl_queue_unlock(q);
	return err;
}

size_t crawl_queue_requeue_pid(struct crawl_queue *q, pid_t pid)
{
	struct crawl_queue_shm *s = q->shm;
	size_t failed = 0;
	uint64_t i;

	if (crawl_queue_lock(q) < 0)
		return 0;
	for (i = 0; i < s->ntasks; i++) {
		struct crawl_queue_task *t = &q->tasks[i];

		if (t->state != CRAWL_QUEUE_CLAIMED || t->pid != pid)
			continue;
		t->pid = 0;
		s->claimed--;
		if (t->tries >= CRAWL_QUEUE_MAX_TRIES) {
			t->state = CRAWL_QUEUE_FAILED;
			s->failed++;
			failed++;
			log_error("%s (id %lld, page %lld) killed %u API workers; giving up on it",
				  crawl_queue_kind_name((enum crawl_queue_kind)t->kind),
				  (long long)t->id, (long long)t->page, t->tries);
		} else {
			t->state = CRAWL_QUEUE_READY;
			s->ready++;
			if (i < s->first_ready)
				s->first_ready = i;
		}
	}
	pthread_cond_broadcast(&s->cond);
	crawl_queue_unlock(q);
	return failed;
}

int crawl_queue_status(struct crawl_queue *q, struct crawl_queue_status *out)
{
	struct crawl_queue_shm *s = q->shm;
	int err;

	if ((err = crawl_queue_lock(q)) < 0)
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
	crawl_queue_unlock(q);
	return 0;
}

void crawl_queue_die_holding_lock(struct crawl_queue *q)
{
	if (crawl_queue_lock(q) == 0)
		q->shm->ready = UINT64_MAX / 2; /* garbage the next locker must repair */
	raise(SIGKILL);
	_exit(1);
}
