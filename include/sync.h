/*
 * The sync: forks M sync workers that clone or update every project of the
 * tree below opts->dest with libgit2, one project per task from a queue in
 * shared memory, and draws the progress.  Runs in the supervisor process.
 */
#ifndef GLM_SYNC_H
#define GLM_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "tree.h"

struct sync_summary {
	size_t total, cloned, updated, unchanged, skipped, failed;
	size_t moved;	    /* folders moved to a project's new place before it was synced */
	size_t orphaned;    /* folders of projects no longer in the tree (pruned ones included) */
	size_t pruned;	    /* orphans moved to the trash */
	int guarded;	    /* the shrink guard stopped the run: nothing was changed */
	size_t disk_full;   /* projects never started because the disk under DEST was full */
	uint64_t bytes;	    /* received, as the --report lines count them */
	uint64_t throttled; /* 429s of git and Git LFS requests (each paused every worker) */
	uint64_t retries;   /* clones, fetches and Git LFS requests sent again */
	double ratelimit_wait_s; /* the workers waited for a 429's pause */
};

/*
 * Syncs every project of root (finished, filtered and safe).  The projects
 * of unsafe (NULL allowed: the subtrees safepath marked, moved out of root)
 * are not touched; they count, and are reported, as failed with their
 * reason.  base_url is the GitLab the tree came from: clone URLs must point
 * to its host.  complete is 0 when the crawl left something out: --prune
 * then prunes nothing (a project missing from the tree may still exist).
 * Returns 0 when every project was handled (out->failed may
 * still be > 0), GLM_EINTR when interrupted, or an error that stopped the
 * whole sync (DEST not usable).
 */
int sync_run(const struct options *opts, struct node *root, struct node *unsafe,
	     const char *base_url, int complete, struct sync_summary *out);

#endif
