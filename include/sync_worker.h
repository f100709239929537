/*
 * A sync worker: a forked process that takes one project at a time from
 * the sync queue and clones, updates or mirrors it with libgit2.  Workers
 * inherit the plan (options, tree, project list) from the supervisor.
 */
#ifndef GLM_SYNC_WORKER_H
#define GLM_SYNC_WORKER_H

#include <stddef.h>
#include <sys/types.h>

#include "gitopts.h"
#include "options.h"
#include "pool.h"
#include "sync_queue.h"
#include "sync_state.h"
#include "tree.h"

#define SYNC_PRUNE_TRASH ".glmirror-trash" /* below DEST: pruned orphans, by run */

/* Everything a worker needs; built by the supervisor before the first fork. */
struct sync_plan {
	const struct options *opts; /* borrowed */
	const char *base_url;	    /* borrowed */
	struct gitopts gitopts;
	struct node **projects; /* owned array of borrowed nodes; slot i = projects[i] */
	size_t nprojects;
	size_t nsafe;	      /* projects[nsafe..] are unsafe: failed before any work starts */
	size_t orphans_from;  /* projects[orphans_from..] are orphans (sync_lifecycle.h) */
	struct node *orphans; /* owned: the orphans' nodes, children of a root */
	int dest_fd;	      /* DEST, opened by the supervisor */
	struct sync_queue queue;
	struct sync_state state; /* the last run's folders by id (sync_state.h); owned */
	const char **moved_from; /* [nprojects]: old folder of a moved project; into state */
	char trash_stamp[32];	 /* --prune: "20261206T051500Z", this run's folder in the trash */
};

/* The worker's entry point, in the child the pool (pool.h) forked; never returns. */
__attribute__((noreturn)) void sync_worker_main(struct sync_plan *plan,
						const struct pool_child *child);

/* Why a project the token can see but not read is skipped (the API said so). */
#define SYNC_JOB_NO_CODE                                                                           \
	"the token may not read this project's code (a Guest, or the repository is disabled)"

#endif
