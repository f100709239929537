/*
 * --dry-run: says on stdout what the sync would do with each project
 * ("clone", "update", "fetch", "skip: reason", "move: from OLD"; "orphan"
 * or, with --prune, "prune" for each orphan), from what is on disk and in
 * the state file, without creating, changing or fetching anything.
 */
#ifndef GLM_SYNC_DRYRUN_H
#define GLM_SYNC_DRYRUN_H

#include "sync.h"
#include "sync_worker.h"

int sync_dryrun_run(const struct sync_plan *plan, struct sync_summary *out);

#endif
