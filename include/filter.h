/*
 * Which groups and projects this run keeps: -i/--include and -x/--exclude
 * patterns (gitlabber's glob syntax on root_path) and -a/--archived.  The
 * same filter runs after a crawl and after -f, so both select the same set.
 */
#ifndef GLM_FILTER_H
#define GLM_FILTER_H

#include "options.h"
#include "tree.h"

struct filter;

/* Compiles the patterns of opts.  A bad pattern is GLM_EUSAGE naming it. */
int filter_new(struct filter **out, const struct options *opts); /* caller owns *out */
/* Removes from root what the filter rejects (tree_finish must have run). */
int filter_apply(const struct filter *filter, struct node *root);
void filter_free(struct filter *filter); /* accepts NULL */

#endif
