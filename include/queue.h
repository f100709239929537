/*
 * The crawl's work queue in shared memory: fixed-size task slots, each with
 * its state and the pid that claimed it, under one robust process-shared
 * mutex.  Workers sleep on a process-shared condition variable while no
 * task is READY and wake when one is, or when the crawl ends or stops.
 * When a worker dies, the supervisor hands its tasks back (queue_requeue_pid).
 */
#ifndef GLM_QUEUE_H
#define GLM_QUEUE_H

#include <stddef.h>
#include <sys/types.h>

#include "shm_layout.h"

/* A process's handle; everything it points to lives in the crawl region. */
struct queue {
	struct queue_shm *shm;	  /* not owned */
	struct queue_task *tasks; /* not owned */
};

/* Initialises the shared part (before any fork). */
int queue_init(struct queue *q, struct queue_shm *shm, struct queue_task *tasks, size_t capacity);

/* Appends READY tasks (the state of each is set here).  Overflow is GLM_ELIMIT. */
int queue_push(struct queue *q, const struct queue_task *tasks, size_t n);

/*
 * Blocks until a task is READY and claims it for pid (*out is a copy,
 * *index its slot, *claim_no the 1-based count of claims so far), or
 * returns GLM_ESTOPPED when nothing is left to do or the crawl stopped,
 * GLM_EINTR on a stop signal.
 */
int queue_claim(struct queue *q, pid_t pid, struct queue_task *out, size_t *index,
		uint64_t *claim_no);

/* Non-zero: leave this READY task for now (called under the queue's lock). */
typedef int (*queue_skip_fn)(const struct queue_task *t, void *ctx);

/*
 * queue_claim, passing over the READY tasks that skip refuses (while an
 * endpoint is closed, other endpoints go on); when it refuses them all,
 * waits and asks again a quarter of a second later.
 */
int queue_claim_if(struct queue *q, pid_t pid, queue_skip_fn skip, void *ctx,
		   struct queue_task *out, size_t *index, uint64_t *claim_no);

/*
 * Puts the claimed task at index back as READY, as if it had not been
 * claimed (its endpoint is closed for a while; the try does not count).
 * The QUEUE_MAX_CLOSED-th time the task fails instead (logged).
 */
int queue_give_back(struct queue *q, size_t index);

/* What one finished task found. */
struct queue_result {
	int failed;
	size_t groups, projects; /* for the progress line */
	long long total;	 /* X-Total of the answer, -1 when absent */
	long long items;	 /* items in the answer */
	long long min_id, max_id;
	int unsorted; /* the items' ids were not ascending */
};

/*
 * Ends the claimed task at index: DONE or FAILED as res says, adds the
 * groups and projects it found to the counters, records what its answer
 * held, and appends its follow-up tasks (a follow-up with a non-zero chain
 * is another page of the same listing), all under one lock so a death
 * cannot leave half of it.
 */
int queue_complete(struct queue *q, size_t index, const struct queue_result *res,
		   const struct queue_task *next, size_t nnext);

/* One slot as crawl_settle.c sees it. */
struct queue_page_view {
	size_t listing; /* slot of the listing's first page */
	enum queue_state state;
	enum queue_kind kind;
	long long id, page, chain, total, items, min_id, max_id;
	unsigned rereads;
	enum queue_listing_mark mark;
	int unsorted;
};

/* A copy of every slot in use (*out is the caller's; *n slots). */
int queue_pages(struct queue *q, struct queue_page_view **out, size_t *n);

/*
 * Records what crawl_settle.c found of the listing whose first page is
 * slot `listing`.  QUEUE_LISTING_REREAD also queues its first page again,
 * with one more reread.
 */
int queue_mark_listing(struct queue *q, size_t listing, enum queue_listing_mark mark);

/* "GET /groups/:id/projects" for a kind, for messages. */
const char *queue_kind_name(enum queue_kind kind);

#define QUEUE_GROUP_TASKS 3
/*
 * The listings that crawl one group's subtree: its descendants, its
 * projects and, with include_shared, what was shared into it.  Fills up to
 * QUEUE_GROUP_TASKS slots of out (page 1 each) and returns how many.
 */
size_t queue_group_tasks(struct queue_task *out, long long id, int include_shared);

/* Stops the crawl for everybody; the first reason and message win. */
void queue_stop(struct queue *q, enum queue_stop why, const char *msg);

/*
 * The supervisor's repair after worker pid died: its CLAIMED tasks become
 * READY again, or FAILED once they have been claimed QUEUE_MAX_TRIES times.
 * Returns how many failed that way; each is logged.
 */
size_t queue_requeue_pid(struct queue *q, pid_t pid);

/* Test hook (GLMIRROR_TEST_API_DIE_LOCKED): dies holding the lock, for the repair test. */
void queue_die_holding_lock(struct queue *q) __attribute__((noreturn));

struct queue_status {
	uint64_t ntasks, ready, claimed, done, failed, groups, projects;
	enum queue_stop stop;
	char fatal[QUEUE_FATAL_MAX];
};
int queue_status(struct queue *q, struct queue_status *out);

#endif
