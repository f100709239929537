/* Small trees for the unit tests of filter, safepath, treefile and print. */
#ifndef GLM_TEST_TREE_FIXTURE_H
#define GLM_TEST_TREE_FIXTURE_H

#include <stdio.h>

#include "tree.h"

/* Adds a child with name, path and URLs derived from them; aborts the test on failure. */
static inline struct node *fx_add(struct node *parent, enum node_type type, long long id,
				  const char *name, const char *path)
{
	struct node *n = node_new(type);
	char buf[512];
	const char *parent_full = parent->full_path ? parent->full_path : "";

	assert_non_null(n);
	n->id = id;
	n->parent_id = parent->id;
	assert_int_equal(node_set(&n->name, name), 0);
	assert_int_equal(node_set(&n->path, path), 0);
	snprintf(buf, sizeof(buf), "%s%s%s", parent_full, *parent_full ? "/" : "", path);
	assert_int_equal(node_set(&n->full_path, buf), 0);
	if (type == NODE_PROJECT) {
		snprintf(buf, sizeof(buf), "git@gitlab.example.com:%s.git", n->full_path);
		assert_int_equal(node_set(&n->ssh_url, buf), 0);
		snprintf(buf, sizeof(buf), "https://gitlab.example.com/%s.git", n->full_path);
		assert_int_equal(node_set(&n->http_url, buf), 0);
	}
	snprintf(buf, sizeof(buf), "https://gitlab.example.com/%s", n->full_path);
	assert_int_equal(node_set(&n->web_url, buf), 0);
	assert_int_equal(node_add_child(parent, n), 0);
	return n;
}

#endif
