#include "tree.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"

struct node *node_new(enum node_type type)
{
	struct node *node = calloc(1, sizeof(*node));

	if (node != NULL)
		node->type = type;
	return node;
}

void node_free(struct node *node)
{
	size_t i;

	if (node == NULL)
		return;
	for (i = 0; i < node->nchildren; i++)
		node_free(node->children[i]);
	free(node->children);
	free(node->name);
	free(node->path);
	free(node->full_path);
	free(node->web_url);
	free(node->http_url);
	free(node->ssh_url);
	free(node->default_branch);
	free(node->last_activity_at);
	free(node->folder);
	free(node->root_path);
	free(node->unsafe_reason);
	free(node);
}

int node_add_child(struct node *parent, struct node *child)
{
	struct node **grown =
		grow_array(parent->children, &parent->cap, parent->nchildren, sizeof(*grown), 4);

	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory adding a tree node");
	parent->children = grown;
	child->parent = parent;
	parent->children[parent->nchildren++] = child;
	return 0;
}

struct node *node_take_child(struct node *parent, size_t i)
{
	struct node *child = parent->children[i];

	memmove(&parent->children[i], &parent->children[i + 1],
		(parent->nchildren - i - 1) * sizeof(parent->children[0]));
	parent->nchildren--;
	child->parent = NULL;
	return child;
}

void node_remove_child(struct node *parent, size_t i)
{
	node_free(node_take_child(parent, i));
}

int node_set(char **field, const char *value)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory copying a tree field");
	free(*field);
	*field = copy;
	return 0;
}

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;
	int c = strcmp(x->folder ? x->folder : "", y->folder ? y->folder : "");

	if (c != 0)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int tree_finish_node(struct node *node, enum naming naming, const char *parent_path)
{
	const char *folder = naming == NAMING_PATH ? node->path : node->name;
	size_t i, len;

	if (node->type != NODE_ROOT) {
		if (folder == NULL)
			folder = node->path != NULL ? node->path : "";
		if (node_set(&node->folder, folder) < 0)
			return GLM_ENOMEM;
		len = strlen(parent_path) + strlen(folder) + 2;
		free(node->root_path);
		if ((node->root_path = malloc(len)) == NULL)
			return glm_error_set(GLM_ENOMEM, "out of memory building paths");
		memcpy(node->root_path, parent_path, strlen(parent_path));
		node->root_path[strlen(parent_path)] = '/';
		memcpy(node->root_path + strlen(parent_path) + 1, folder, strlen(folder) + 1);
		if (node->type == NODE_GROUP || node->type == NODE_SUBGROUP)
			node->type = node->parent != NULL && node->parent->type != NODE_ROOT
					     ? NODE_SUBGROUP
					     : NODE_GROUP;
	} else if (node_set(&node->folder, "") < 0 || node_set(&node->root_path, "") < 0) {
		return GLM_ENOMEM;
	}
	for (i = 0; i < node->nchildren; i++)
		if (tree_finish_node(node->children[i], naming, node->root_path) < 0)
			return GLM_ENOMEM;
	if (node->nchildren > 1) /* children is NULL when there are none: qsort's UB */
		qsort(node->children, node->nchildren, sizeof(node->children[0]), node_cmp);
	return 0;
}

int tree_finish(struct node *root, enum naming naming)
{
	return tree_finish_node(root, naming, "");
}

int tree_walk(struct node *node, int (*fn)(struct node *node, void *ctx), void *ctx)
{
	size_t i;
	int rc;

	if ((rc = fn(node, ctx)) != 0)
		return rc;
	for (i = 0; i < node->nchildren; i++)
		if ((rc = tree_walk(node->children[i], fn, ctx)) != 0)
			return rc;
	return 0;
}

size_t tree_count(const struct node *node, enum node_type type)
{
	size_t i, n = node->type == type;

	for (i = 0; i < node->nchildren; i++)
		n += tree_count(node->children[i], type);
	return n;
}

const char *node_type_name(enum node_type type)
{
	switch (type) {
	case NODE_ROOT:
		return "root";
	case NODE_GROUP:
		return "group";
	case NODE_SUBGROUP:
		return "subgroup";
	case NODE_PROJECT:
		return "project";
	}
	return "unknown";
}
