/*
 * The mirror over many runs, supervisor side: after the sync, the state
 * file (sync_state.h) is rewritten with the folder of every project this
 * run left mirrored; everything else in it is kept for the other shards.
 */
#ifndef GLM_SYNC_LIFECYCLE_H
#define GLM_SYNC_LIFECYCLE_H

#include "sync_worker.h"

/*
 * Writes the new state: a project of this run is recorded at its folder
 * when a repository is there now (cloned, updated, unchanged, or skipped
 * or failed after it was moved); otherwise its old entry stays.  Entries
 * of projects outside this run (other shards) are kept.
 */
int sync_lifecycle_record(const struct sync_plan *plan);

#endif
