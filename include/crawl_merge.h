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

#include "tree.h"

/* Builds *out_root (caller owns) from the journals in dir; *dropped counts what was left out. */
int crawl_merge(const char *dir, struct node **out_root, size_t *dropped);

#endif
