/*
 * The filter, as gitlabber's TreeFilter: post-order over the finished tree;
 * a node with surviving children is kept whatever the patterns say; a leaf
 * (a project, an empty group, or a group whose children were all removed)
 * is kept when no exclude matches its root_path and, if there are
 * includes, one of them does.  The root is never tested.  -a and -s act on
 * projects only, before the patterns, as gitlabber's API parameters do.
 */
#include "filter.h"

#include <stdlib.h>

#include "error.h"
#include "pattern.h"

struct filter {
	struct pattern *includes[OPT_MAX_LIST];
	size_t nincludes;
	struct pattern *excludes[OPT_MAX_LIST];
	size_t nexcludes;
	enum archived_mode archived;
	int include_shared;
};

static int filter_compile(struct pattern **out, size_t *nout, char *const *texts, size_t n,
			  const char *option)
{
	for (*nout = 0; *nout < n; (*nout)++)
		if (pattern_compile(&out[*nout], texts[*nout]) < 0)
			return glm_error_prefix("%s", option);
	return 0;
}

int filter_new(struct filter **out, const struct options *opts)
{
	struct filter *f = calloc(1, sizeof(*f));
	int err;

	*out = NULL;
	if (f == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	f->archived = opts->archived;
	f->include_shared = opts->include_shared;
	if ((err = filter_compile(f->includes, &f->nincludes, opts->includes, opts->nincludes,
				  "--include")) < 0 ||
	    (err = filter_compile(f->excludes, &f->nexcludes, opts->excludes, opts->nexcludes,
				  "--exclude")) < 0) {
		filter_free(f);
		return err;
	}
	*out = f;
	return 0;
}

/* 1 when one of pats matches subject, 0 when none, GLM_ENOMEM. */
static int filter_any(struct pattern *const *pats, size_t n, const char *subject)
{
	size_t i;
	int m;

	for (i = 0; i < n; i++)
		if ((m = pattern_match(pats[i], subject)) != 0)
			return m;
	return 0;
}

/* 1 keep, 0 drop, or GLM_ENOMEM: the test gitlabber applies to a leaf. */
static int filter_leaf(const struct filter *f, const struct node *node)
{
	const char *subject = node->root_path ? node->root_path : "";
	int m;

	if (node->type == NODE_PROJECT) {
		if ((f->archived == ARCHIVED_EXCLUDE && node->archived) ||
		    (f->archived == ARCHIVED_ONLY && !node->archived))
			return 0;
		if (node->shared && !f->include_shared)
			return 0;
	}
	if ((m = filter_any(f->excludes, f->nexcludes, subject)) != 0)
		return m < 0 ? m : 0;
	if (f->nincludes == 0)
		return 1;
	return filter_any(f->includes, f->nincludes, subject);
}

static int filter_node(const struct filter *f, struct node *node)
{
	size_t i = 0;
	int keep;

	while (i < node->nchildren) {
		struct node *child = node->children[i];

		if (child->type != NODE_PROJECT && child->nchildren > 0) {
			if ((keep = filter_node(f, child)) < 0)
				return keep;
			/* Pruning left it empty: it is tested as a leaf below. */
			if (child->nchildren > 0) {
				i++;
				continue;
			}
		}
		if ((keep = filter_leaf(f, child)) < 0)
			return keep;
		if (keep)
			i++;
		else
			node_remove_child(node, i);
	}
	return 0;
}

int filter_apply(const struct filter *filter, struct node *root)
{
	return filter_node(filter, root);
}

void filter_free(struct filter *filter)
{
	size_t i;

	if (filter == NULL)
		return;
	for (i = 0; i < filter->nincludes; i++)
		pattern_free(filter->includes[i]);
	for (i = 0; i < filter->nexcludes; i++)
		pattern_free(filter->excludes[i]);
	free(filter);
}
