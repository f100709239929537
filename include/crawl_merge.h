/*
 * The supervisor's half of the crawl results: reads every API worker's
 * journal and builds one tree.  Groups are joined by parent_id and
 * projects by namespace id; duplicates (a task done twice after a crash)
 * are merged; a group that cannot be reached from a top group (a parent
 * that is missing, itself or part of a cycle) and a project without its
 * group are reported and left out.
 */
#ifndef GLM_CRAWL_MERGE_H
#define GLM_CRAWL_MERGE_H

#include <stddef.h>

#include "options.h"
#include "tree.h"

/* Builds *out_root (caller owns) from the journals in dir; *dropped counts what was left out. */
int crawl_merge(const char *dir, struct node **out_root, size_t *dropped);

/*
 * After the listing of every visible group (the first round of a crawl
 * without --group, -g or -U): the ids of the groups whose parent is not
 * visible, which start the whole-subtree listings.  When every -i pattern
 * begins with literal folders, only tops whose folder is one of their
 * first folders are kept, so a narrow include does not crawl the instance.
 * *ids is the caller's.
 */
int crawl_merge_tops(const char *dir, const struct options *opts, long long **ids, size_t *n);

#endif
