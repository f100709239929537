/*
 * -p/--print: the tree as gitlabber prints it (tree, json or yaml), so
 * scripts that parse gitlabber's output keep working.
 */
#ifndef GLM_PRINT_H
#define GLM_PRINT_H

#include <stdio.h>

#include "options.h"
#include "tree.h"

/* Returns 0 or GLM_EIO when out cannot be written. */
int print_tree(FILE *out, const struct node *root, const char *base_url,
	       const struct options *opts);

#endif
