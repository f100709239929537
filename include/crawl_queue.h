/*
 * The crawl's work queue in shared memory: fixed-size task slots, each with
 * its state and the pid that claimed it, under one robust process-shared
 * mutex.  Workers sleep on a process-shared condition variable while no
 * task is READY and wake when one is, or when the crawl ends or stops.
 * When a worker dies, the supervisor hands its tasks back (crawl_queue_requeue_pid).
 */
#ifndef GLM_CRAWL_QUEUE_H
#define GLM_CRAWL_QUEUE_H

#include <stddef.h>
#include <sys/types.h>

#include "shm_layout.h"

/* A process's handle; everything it points to lives in the crawl region. */
struct crawl_queue {
	struct crawl_queue_shm *shm;	/* not owned */
	struct crawl_queue_task *tasks; /* not owned */
};

/* Initialises the shared part (before any fork). */
int crawl_queue_init(struct crawl_queue *q, struct crawl_queue_shm *shm,
		     struct crawl_queue_task *tasks, size_t capacity);

/* Appends READY tasks (the state of each is set here).  Overflow is GLM_ELIMIT. */
int crawl_queue_push(struct crawl_queue *q, const struct crawl_queue_task *tasks, size_t n);

/*
 * Blocks until a task is READY and claims it for pid (*out is a copy,
 * *index its slot, *claim_no the 1-based count of claims so far), or
 * returns GLM_ESTOPPED when nothing is left to do or the crawl stopped,
 * GLM_EINTR on a stop signal.
 */
int crawl_queue_claim(struct crawl_queue *q, pid_t pid, struct crawl_queue_task *out, size_t *index,
		      uint64_t *claim_no);

/* Non-zero: leave this READY task for now (called under the queue's lock). */
typedef int (*crawl_queue_skip_fn)(const struct crawl_queue_task *t, void *ctx);

/*
 * crawl_queue_claim, passing over the READY tasks that skip refuses (while an
 * endpoint is closed, other endpoints go on); when it refuses them all,
 * waits and asks again a quarter of a second later.
 */
int crawl_queue_claim_if(struct crawl_queue *q, pid_t pid, crawl_queue_skip_fn skip, void *ctx,
			 struct crawl_queue_task *out, size_t *index, uint64_t *claim_no);

/*
 * Puts the claimed task at index back as READY, as if it had not been
 * claimed (its endpoint is closed for a while; the try does not count).
 * The CRAWL_QUEUE_MAX_CLOSED-th time the task fails instead (logged).
 */
int crawl_queue_give_back(struct crawl_queue *q, size_t index);

/* What one finished task found. */
struct crawl_queue_result {
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
int crawl_queue_complete(struct crawl_queue *q, size_t index, const struct crawl_queue_result *res,
			 const struct crawl_queue_task *next, size_t nnext);

/* One slot as crawl_settle.c sees it. */
struct crawl_queue_page_view {
	size_t listing; /* slot of the listing's first page */
	enum crawl_queue_state state;
	enum crawl_queue_kind kind;
	long long id, page, chain, total, items, min_id, max_id;
	unsigned rereads;
	enum crawl_queue_listing_mark mark;
	int unsorted;
};

/* A copy of every slot in use (*out is the caller's; *n slots). */
int crawl_queue_pages(struct crawl_queue *q, struct crawl_queue_page_view **out, size_t *n);

/*
 * Records what crawl_settle.c found of the listing whose first page is
 * slot `listing`.  CRAWL_QUEUE_LISTING_REREAD also queues its first page again,
 * with one more reread.
 */
int crawl_queue_mark_listing(struct crawl_queue *q, size_t listing,
			     enum crawl_queue_listing_mark mark);

/* "GET /groups/:id/projects" for a kind, for messages. */
const char *crawl_queue_kind_name(enum crawl_queue_kind kind);

#define CRAWL_QUEUE_GROUP_TASKS 3
/*
 * The listings that crawl one group's subtree: its descendants, its
 * projects and, with include_shared, what was shared into it.  Fills up to
 * CRAWL_QUEUE_GROUP_TASKS slots of out (page 1 each) and returns how many.
 */
size_t crawl_queue_group_tasks(struct crawl_queue_task *out, long long id, int include_shared);

/* Stops the crawl for everybody; the first reason and message win. */
void crawl_queue_stop(struct crawl_queue *q, enum crawl_queue_stop why, const char *msg);

/*
 * The supervisor's repair after worker pid died: its CLAIMED tasks become
 * READY again, or FAILED once they have been claimed CRAWL_QUEUE_MAX_TRIES times.
 * Returns how many failed that way; each is logged.
 */
size_t crawl_queue_requeue_pid(struct crawl_queue *q, pid_t pid);

/* Test hook (GLMIRROR_TEST_API_DIE_LOCKED): dies holding the lock, for the repair test. */
void crawl_queue_die_holding_lock(struct crawl_queue *q) __attribute__((noreturn));

struct crawl_queue_status {
	uint64_t ntasks, ready, claimed, done, failed, groups, projects;
	enum crawl_queue_stop stop;
	char fatal[CRAWL_QUEUE_FATAL_MAX];
};
int crawl_queue_status(struct crawl_queue *q, struct crawl_queue_status *out);

#endif
