/* Journals -> tree (crawl_merge.h). */
#include "crawl_merge.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "crawl_journal.h"
#include "log.h"
#include "pattern.h"

struct merge_item {
	struct node *node; /* owned while owned is set; then borrowed from the tree */
	int owned;
	unsigned flags;
	int parent;  /* index of the parent group; -1 for none */
	int reached; /* 0 unknown, 1 yes, -1 no, 2 being looked at */
};

struct merge_list {
	struct merge_item *items;
	size_t n, cap;
};

struct merge {
	struct merge_list groups, projects;
	const struct crawl_merge_src *src;
};

static int merge_push(struct merge_list *l, struct node *node, unsigned flags)
{
	struct merge_item *grown = grow_array(l->items, &l->cap, l->n, sizeof(*grown), 256);

	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	l->items = grown;
	l->items[l->n].node = node;
	l->items[l->n].owned = 1;
	l->items[l->n].flags = flags;
	l->items[l->n].parent = -1;
	l->items[l->n].reached = 0;
	l->n++;
	return 0;
}

static int merge_collect(struct node *node, unsigned flags, uint64_t task, void *ctx)
{
	struct merge *m = ctx;
	int err;

	if (m->src->replaced != NULL && task < m->src->nreplaced && m->src->replaced[task]) {
		node_free(node);
		return 0;
	}
	err = merge_push(node->type == NODE_PROJECT ? &m->projects : &m->groups, node, flags);

	if (err < 0)
		node_free(node);
	return err;
}

static int merge_cmp_id(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int merge_cmp_group(const void *a, const void *b)
{
	const struct merge_item *x = a, *y = b;
	int c = merge_cmp_id(x->node->id, y->node->id);

	/* The copy that says "top" first, so it survives the de-duplication. */
	return c != 0 ? c
		      : (int)(y->flags & CRAWL_JOURNAL_TOP) - (int)(x->flags & CRAWL_JOURNAL_TOP);
}

static int merge_cmp_project(const void *a, const void *b)
{
	const struct merge_item *x = a, *y = b;
	int c = merge_cmp_id(x->node->parent_id, y->node->parent_id);

	return c != 0 ? c : merge_cmp_id(x->node->id, y->node->id);
}

/* Sorts and drops repeats (a task done twice); same_fn says what a repeat is. */
static void merge_dedupe(struct merge_list *l, int (*cmp)(const void *, const void *),
			 int by_parent)
{
	size_t i, o = 0;

	if (l->n == 0)
		return;
	qsort(l->items, l->n, sizeof(*l->items), cmp);
	for (i = 0; i < l->n; i++) {
		const struct node *n = l->items[i].node;

		if (o > 0 && l->items[o - 1].node->id == n->id &&
		    (!by_parent || l->items[o - 1].node->parent_id == n->parent_id)) {
			l->items[o - 1].flags |= l->items[i].flags;
			node_free(l->items[i].node);
			continue;
		}
		l->items[o++] = l->items[i];
	}
	l->n = o;
}

static int merge_find_group(const struct merge_list *g, long long id)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->items[mid].node->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n && g->items[lo].node->id == id ? (int)lo : -1;
}

/* Whether group i hangs from a top group; a cycle never does. */
static int merge_reached(struct merge_list *g, int i)
{
	int chain[64], n = 0, r;

	while (g->items[i].reached == 0 && n < (int)(sizeof(chain) / sizeof(chain[0]))) {
		g->items[i].reached = 2;
		chain[n++] = i;
		if (g->items[i].parent < 0) {
			g->items[i].reached = (g->items[i].flags & CRAWL_JOURNAL_TOP) ? 1 : -1;
			break;
		}
		i = g->items[i].parent;
	}
	/* 2 again means a cycle; an unfinished walk means deeper than GitLab allows. */
	r = g->items[i].reached == 1 ? 1 : -1;
	while (n > 0)
		g->items[chain[--n]].reached = r;
	return r == 1;
}

static void merge_report(const struct node *n, const char *why)
{
	char esc[256];

	log_error("leaving out %s %s (id %lld): %s", n->type == NODE_PROJECT ? "project" : "group",
		  log_esc(n->full_path ? n->full_path : "", esc, sizeof(esc)), n->id, why);
}

static int merge_build(struct merge *m, struct node *root, size_t *dropped, size_t *outside)
{
	struct merge_list *g = &m->groups, *p = &m->projects;
	size_t i;
	int err = 0, parent;

	for (i = 0; i < g->n; i++) {
		struct merge_item *it = &g->items[i];

		it->parent =
			it->node->parent_id != 0 ? merge_find_group(g, it->node->parent_id) : -1;
	}
	for (i = 0; i < g->n; i++)
		merge_reached(g, (int)i);
	/* Attach children before parents move: nodes are pointers, so order is free. */
	for (i = 0; i < g->n; i++) {
		struct merge_item *it = &g->items[i];

		if (it->reached != 1) {
			merge_report(it->node, "its parent group is missing or forms a cycle");
			(*dropped)++;
		} else {
			struct node *to = it->parent >= 0 ? g->items[it->parent].node : root;

			if ((err = node_add_child(to, it->node)) < 0)
				break;
			it->owned = 0;
		}
	}
	for (i = 0; i < p->n; i++) {
		struct merge_item *it = &p->items[i];

		if (err < 0)
			break;
		parent = merge_find_group(g, it->node->parent_id);
		if (parent < 0) {
			log_verbose("leaving out project %s: its group is not in the tree (see "
				    "--scope)",
				    it->node->full_path);
			(*outside)++;
		} else if (g->items[parent].reached != 1) {
			merge_report(it->node, "its group is not in the tree");
			(*dropped)++;
		} else if ((err = node_add_child(g->items[parent].node, it->node)) == 0) {
			it->owned = 0;
		}
	}
	return err;
}

/* Frees what did not make it into the tree. */
static void merge_release(struct merge *m)
{
	for (size_t i = 0; i < m->groups.n; i++)
		if (m->groups.items[i].owned)
			node_free(m->groups.items[i].node);
	for (size_t i = 0; i < m->projects.n; i++)
		if (m->projects.items[i].owned)
			node_free(m->projects.items[i].node);
	free(m->groups.items);
	free(m->projects.items);
}

/* Every journal into m, sorted and without repeats. */
static int merge_read(const struct crawl_merge_src *src, struct merge *m)
{
	struct dirent *de;
	char path[4096];
	DIR *d;
	int err = 0;

	memset(m, 0, sizeof(*m));
	m->src = src;
	if ((d = opendir(src->dir)) == NULL)
		return glm_error_errno(GLM_EIO, errno, "crawl journals in %s", src->dir);
	while (err == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "api-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", src->dir, de->d_name);
		err = crawl_journal_read(path, merge_collect, m);
	}
	closedir(d);
	merge_dedupe(&m->groups, merge_cmp_group, 0);
	merge_dedupe(&m->projects, merge_cmp_project, 1);
	return err;
}

/* The first folders that every include pattern starts with; NULL when one does not. */
static int merge_top_folders(const struct options *opts, char ***out, size_t *n)
{
	struct pattern *p = NULL;
	const char *prefix, *end;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (opts->nincludes == 0)
		return 0;
	if ((*out = calloc(opts->nincludes, sizeof(**out))) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	for (size_t i = 0; i < opts->nincludes && err == 0; i++) {
		if ((err = pattern_compile(&p, opts->includes[i])) < 0)
			break;
		prefix = pattern_literal_prefix(p);
		if (prefix[0] == '/' && prefix[1] != '\0') {
			end = strchr(prefix + 1, '/');
			(*out)[*n] = strndup(prefix + 1,
					     end ? (size_t)(end - prefix - 1) : strlen(prefix + 1));
			if ((*out)[(*n)++] == NULL)
				err = glm_error_set(GLM_ENOMEM, "out of memory");
		} else {
			err = 1; /* this include can match anywhere: no limit */
		}
		pattern_free(p);
	}
	if (err != 0) {
		for (size_t i = 0; i < *n; i++)
			free((*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err < 0 ? err : 0;
}

static int merge_top_wanted(const struct node *g, const struct options *opts, char **folders,
			    size_t n)
{
	const char *folder = opts->naming == NAMING_PATH ? g->path : g->name;

	if (folders == NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(folders[i], folder) == 0)
			return 1;
	return 0;
}

int crawl_merge_tops(const struct crawl_merge_src *src, const struct options *opts, long long **ids,
		     size_t *n)
{
	struct merge m;
	char **folders = NULL;
	size_t nfolders = 0, i;
	int err;

	*ids = NULL;
	*n = 0;
	if ((err = merge_read(src, &m)) < 0 ||
	    (err = merge_top_folders(opts, &folders, &nfolders)) < 0)
		goto out;
	if ((*ids = calloc(m.groups.n + 1, sizeof(**ids))) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m.groups.n; i++) {
		const struct node *g = m.groups.items[i].node;

		if ((g->parent_id == 0 || merge_find_group(&m.groups, g->parent_id) < 0) &&
		    merge_top_wanted(g, opts, folders, nfolders))
			(*ids)[(*n)++] = g->id;
	}
out:
	for (i = 0; i < nfolders; i++)
		free(folders[i]);
	free(folders);
	merge_release(&m);
	return err;
}

int crawl_merge(const struct crawl_merge_src *src, struct node **out_root, size_t *dropped,
		size_t *outside)
{
	struct merge m;
	struct node *root = NULL;
	int err;

	*out_root = NULL;
	if ((err = merge_read(src, &m)) == 0 && (root = node_new(NODE_ROOT)) == NULL)
		err = glm_error_set(GLM_ENOMEM, "out of memory");
	if (err < 0) {
		merge_release(&m);
		return err;
	}
	err = merge_build(&m, root, dropped, outside);
	merge_release(&m);
	if (err < 0) {
		node_free(root);
		return err;
	}
	*out_root = root;
	return 0;
}
