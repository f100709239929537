/*
 * The crawl's result: a tree of groups and projects under one root.  The
 * crawl builds it, filters prune it, the tree file stores it, -p prints it
 * and the sync engine walks its projects.  Every node owns its strings and
 * its children; a parent pointer is borrowed.
 */
#ifndef GLM_TREE_H
#define GLM_TREE_H

#include <stddef.h>

#include "options.h"

enum node_type { NODE_ROOT, NODE_GROUP, NODE_SUBGROUP, NODE_PROJECT };

struct node {
	enum node_type type;
	long long id;	     /* GitLab id; 0 for the root and synthetic nodes */
	long long parent_id; /* groups: parent group id (0 at the top); projects: namespace id */
	char *name;	     /* GitLab display name */
	char *path;	     /* GitLab path (URL slug) */
	char *full_path;     /* groups: full_path; projects: path_with_namespace */
	char *web_url;
	char *http_url;		/* projects: http_url_to_repo */
	char *ssh_url;		/* projects: ssh_url_to_repo */
	char *default_branch;	/* projects; NULL for an empty repository */
	char *last_activity_at; /* projects; as GitLab sent it */
	int archived;
	int empty_repo;
	int shared;		/* a project listed in a group it was shared into */
	int no_code;		/* a project the token sees but whose code it cannot read */
	int deletion_scheduled; /* a project GitLab has marked for deletion */
	int unsafe;		/* set by safepath_check_tree(): never touches the disk */
	char *unsafe_reason;	/* owned; why, when unsafe (NULL if out of memory) */

	/* Derived by tree_finish() from the naming choice: */
	char *folder;	 /* name or path: the folder, and gitlabber's "name" key */
	char *root_path; /* "/Group/Sub/project": folders joined; "" for the root */

	struct node *parent; /* borrowed; NULL for the root */
	struct node **children;
	size_t nchildren;
	size_t cap;
};

struct node *node_new(enum node_type type); /* caller owns; NULL when out of memory */
/* Frees node, its strings and its whole subtree; accepts NULL. */
void node_free(struct node *node);
/* Appends child (stolen) to parent.  Returns 0 or GLM_ENOMEM. */
int node_add_child(struct node *parent, struct node *child);
/* Removes and frees children[i]. */
void node_remove_child(struct node *parent, size_t i);
/* Removes children[i] and returns it; the caller owns it. */
struct node *node_take_child(struct node *parent, size_t i);
/* Sets *field to a copy of value (NULL allowed); frees the old one. */
int node_set(char **field, const char *value);

/*
 * Computes folder and root_path for every node from naming, marks groups
 * below the top as NODE_SUBGROUP, and sorts children (by folder, then id)
 * so that the tree and every output of it are deterministic.
 */
int tree_finish(struct node *root, enum naming naming);

/* Calls fn on node and each descendant, parents first; stops at a non-zero return. */
int tree_walk(struct node *node, int (*fn)(struct node *node, void *ctx), void *ctx);
size_t tree_count(const struct node *node, enum node_type type);
const char *node_type_name(enum node_type type); /* "root", "group", "subgroup", "project" */

#endif
