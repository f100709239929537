/*
 * The mirror over many runs, supervisor side: orphans (folders the last
 * run mirrored whose project this run's tree no longer has) are found
 * before the sync and appended to the plan, and after the sync the state
 * file (sync_state.h) is rewritten with the folder of every project this
 * run left mirrored.
 */
#ifndef GLM_SYNC_LIFECYCLE_H
#define GLM_SYNC_LIFECYCLE_H

#include "sync_worker.h"

/*
 * Appends to plan->projects (from plan->orphans_from on) one node for each
 * entry of plan->state that belongs to this shard, whose id is in neither
 * root nor unsafe, and whose folder is still there.
 */
int sync_lifecycle_find_orphans(struct sync_plan *plan, struct node *root, struct node *unsafe);
/* Finishes every orphan slot as orphaned with reason (action none). */
void sync_lifecycle_keep_orphans(struct sync_plan *plan, const char *reason);

/*
 * The shrink guard of --prune: 0 when the orphans may be pruned, else 1
 * with why (and how to override) in buf.  complete is 0 after a crawl that
 * left something out.
 */
int sync_lifecycle_guard(const struct sync_plan *plan, int complete, char *buf, size_t size);
/* The guard stopped the run: every project skipped, every orphan kept; nothing changes. */
void sync_lifecycle_stop(struct sync_plan *plan);
/* After the workers: removes the group folders that pruned orphans left empty. */
void sync_lifecycle_tidy(const struct sync_plan *plan);

/*
 * Writes the new state: a project of this run is recorded at its folder
 * when a repository is there now (cloned, updated, unchanged, or skipped
 * or failed after it was moved); otherwise its old entry stays.  Any other
 * entry (another shard's project, an orphan left in place) is kept while
 * its folder exists.
 */
int sync_lifecycle_record(const struct sync_plan *plan);

#endif
