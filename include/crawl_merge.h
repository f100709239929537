/*
 * The supervisor's half of the crawl results: reads every API worker's
 * journal and builds one tree.  Groups are joined by parent_id and
 * projects by namespace id; duplicates (a task done twice after a crash)
 * are merged; a group that cannot be reached from a top group (a parent
 * that is missing, itself or part of a cycle) is reported and left out.
 * A project whose group is not in the tree is left out quietly: GitLab
 * lists every project the token can see in a subtree, but only the groups
 * it is a member of (and their ancestors), and gitlabber's tree keeps the
 * groups.
 */
#ifndef GLM_CRAWL_MERGE_H
#define GLM_CRAWL_MERGE_H

#include <stddef.h>

#include "options.h"
#include "tree.h"

/* The journals in dir, less the tasks whose listing was read again (replaced[task] != 0). */
struct crawl_merge_src {
	const char *dir;
	const unsigned char *replaced; /* NULL: none */
	size_t nreplaced;
};

/*
 * Builds *out_root (caller owns) from the journals; *dropped counts what
 * was reported and left out, *outside the projects of groups not in the
 * tree.
 */
int crawl_merge(const struct crawl_merge_src *src, struct node **out_root, size_t *dropped,
		size_t *outside);

/*
 * After the listing of every visible group, or of a search's hits (the
 * first round of a crawl without --group or -U): the ids of the groups
 * whose parent is not listed, which start the whole-subtree listings.  When every -i pattern
 * begins with literal folders, only tops whose folder is one of their
 * first folders are kept, so a narrow include does not crawl the instance.
 * *ids is the caller's.
 */
int crawl_merge_tops(const struct crawl_merge_src *src, const struct options *opts, long long **ids,
		     size_t *n);

#endif
