/*
 * The tree file: the crawl's result as JSON, written by --tree-out and read
 * back by -f for a later sync or print.  It is gitlabber's -p json output
 * (the root's url is the GitLab base URL) plus every node's fields of
 * struct node; never the token.  gitlabber's own output is read too.
 * Writes are atomic (temp file, fsync, rename), so a reader never sees half
 * a file.
 */
#ifndef GLM_TREEFILE_H
#define GLM_TREEFILE_H

#include "tree.h"

/*
 * Writes root (finished by tree_finish) and base_url to path atomically,
 * with names, root_path and urls by the naming and method of opts.
 * Returns 0 or GLM_EIO.
 */
int treefile_write(const char *path, const struct node *root, const char *base_url,
		   const struct options *opts);

/*
 * Reads path into a new tree (*out_root, caller owns) and the base URL it
 * was made from (*out_base_url, caller owns).  A missing, truncated, corrupt
 * or hand-edited file is GLM_EIO or GLM_EPARSE with a message naming the
 * file and what is wrong; nothing is returned then.  The tree is not yet
 * finished: call tree_finish() with the naming of this run.
 */
int treefile_read(const char *path, struct node **out_root, char **out_base_url);

/* Like treefile_read on the len bytes of buf; name is the file named in messages. */
int treefile_parse(const char *name, const char *buf, size_t len, struct node **out_root,
		   char **out_base_url);

#endif
