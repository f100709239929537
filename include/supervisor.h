/*
 * The supervisor: the one process that owns the run.  It maps shared
 * memory, forks and reaps the API workers (crawl), merges their results
 * into the tree, writes and prints it, then forks and reaps the sync
 * workers.  Returns the process exit code (exitcodes.h).
 */
#ifndef GLM_SUPERVISOR_H
#define GLM_SUPERVISOR_H

#include "options.h"

int supervisor_run(const struct options *opts);

#endif
