/*
 * --dry-run: says on stdout what the sync would do with each project
 * ("clone", "update", "fetch", "skip: reason"), from what is on disk,
 * without creating, changing or fetching anything.
 */
#ifndef GLM_SYNC_DRYRUN_H
#define GLM_SYNC_DRYRUN_H

#include "sync.h"
#include "sync_worker.h"

int sync_dryrun_run(const struct sync_plan *plan, struct sync_summary *out);

#endif
