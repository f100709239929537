/*
 * The API worker role: a forked process that takes listing tasks from the
 * crawl queue, fetches them (http.h), checks every item (gitlab_json.h),
 * commits what it found to its own journal (crawl_journal.h) and queues the
 * follow-up tasks.  Everything it needs was set up by the supervisor
 * before the fork.
 */
#ifndef GLM_API_WORKER_H
#define GLM_API_WORKER_H

#include <sys/types.h>

#include "options.h"
#include "pool.h"
#include "crawl_queue.h"

struct api_worker_plan {
	const struct options *opts;
	struct crawl_shm *shm; /* the crawl region; not owned */
	struct crawl_queue queue;
	const char *journal_dir; /* private to this run */
	long die_locked_claim;	 /* test hook: the claim after which a worker is killed holding
				    the queue lock, 0 none (the plain one: pool_child_dies_at) */
	const char *die_path;	 /* test hook: every worker that asks for this path is killed */
};

/* Never returns: the worker's process ends here.  Started by the pool (pool.h). */
void api_worker_main(const struct api_worker_plan *plan, const struct pool_child *child)
	__attribute__((noreturn));

#endif
