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

/*
 * Writes root as JSON with sorted keys and a 2-space indent, as gitlabber's
 * -p json does.  version 0 writes gitlabber's keys only; version > 0 writes
 * the tree file (see treefile.c): those keys plus "glmirror_tree": version,
 * the naming and method of opts, and every node's GitLab facts.  Returns 0
 * or GLM_EIO.
 */
int print_json_tree(FILE *out, const struct node *root, const char *base_url,
		    const struct options *opts, int version);

/* What the printer of each format (print.c, print_yaml.c) writes with. */
struct print_ctx {
	FILE *out;
	const char *base_url; /* never NULL */
	const struct options *opts;
};

/* The url key of node: the base URL, a group's web_url, a project's clone URL of -m. */
const char *print_url(const struct print_ctx *pc, const struct node *node);
/* -p yaml (print_yaml.c), unflushed; 0 or GLM_ENOMEM (GLM_EUSAGE: a resolver pattern broke). */
int print_yaml(const struct print_ctx *pc, const struct node *root);

#endif
