/*
 * crawl_merge: journals -> tree.  Parent chains are joined whatever the
 * journal and order they came in; cycles, missing parents and what hangs
 * from them are reported and left out; repeats are merged; replaced tasks
 * are ignored; the tops of a listing of every group.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crawl_merge.h"
#include "crawl_journal.h"
#include "log.h"
#include "stderr_capture.h"

/* One node as a worker would journal it. */
struct item {
	enum node_type type;
	long long id, parent_id;
	unsigned flags;
};

#define TOP CRAWL_JOURNAL_TOP

static char dir[64];

static int setup(void **state)
{
	(void)state;
	log_init("supervisor", LOG_INFO);
	snprintf(dir, sizeof(dir), "/tmp/glmirror-test-merge-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

/* dir holds files only: the journals and what a test put beside them. */
static int teardown(void **state)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return rmdir(dir);
}

/* Appends one task's record of items to the journal file name in dir. */
static void put(const char *name, uint64_t task, const struct item *items, size_t n)
{
	struct crawl_journal_record rec;
	char path[256], text[32];
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	assert_true(fd >= 0);
	crawl_journal_record_init(&rec);
	crawl_journal_record_begin(&rec, task);
	for (i = 0; i < n; i++) {
		struct node *node = node_new(items[i].type);

		assert_non_null(node);
		node->id = items[i].id;
		node->parent_id = items[i].parent_id;
		snprintf(text, sizeof(text), "%c%lld", items[i].type == NODE_PROJECT ? 'p' : 'g',
			 items[i].id);
		assert_int_equal(node_set(&node->name, text), 0);
		assert_int_equal(node_set(&node->path, text), 0);
		assert_int_equal(node_set(&node->full_path, text), 0);
		assert_int_equal(crawl_journal_record_add(&rec, node, items[i].flags), 0);
		node_free(node);
	}
	assert_int_equal(crawl_journal_record_commit(&rec, fd), 0);
	crawl_journal_record_release(&rec);
	close(fd);
}

/* The child of n with type and id; NULL when there is none. */
static const struct node *child(const struct node *n, enum node_type type, long long id)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++)
		if (n->children[i]->type == type && n->children[i]->id == id)
			return n->children[i];
	return NULL;
}

/* What crawl_merge made of dir, and what it wrote to stderr. */
struct merged {
	struct node *root;
	size_t dropped, outside;
	char *logged;
};

static void merge(struct merged *m, const unsigned char *replaced, size_t nreplaced)
{
	struct crawl_merge_src src = { dir, replaced, nreplaced };
	struct stderr_capture cap;

	memset(m, 0, sizeof(*m));
	stderr_capture_start(&cap);
	assert_int_equal(crawl_merge(&src, &m->root, &m->dropped, &m->outside), 0);
	m->logged = stderr_capture_end(&cap);
	assert_non_null(m->root);
}

static void merged_release(struct merged *m)
{
	node_free(m->root);
	free(m->logged);
}

static void test_parent_chains_join_across_journals(void **state)
{
	/* Children before their parents, spread over two workers' journals. */
	const struct item a[] = { { NODE_PROJECT, 10, 3, 0 }, { NODE_GROUP, 3, 2, 0 } };
	const struct item b[] = { { NODE_GROUP, 2, 1, 0 }, { NODE_PROJECT, 11, 1, 0 } };
	const struct item c[] = { { NODE_GROUP, 1, 0, TOP } };
	const struct node *g1, *g2, *g3;
	struct merged m;
	char path[256];
	FILE *f;

	(void)state;
	put("api-0", 0, a, 2);
	put("api-1", 1, b, 2);
	put("api-1", 2, c, 1);
	/* Only the workers' journals are read. */
	snprintf(path, sizeof(path), "%s/not-a-journal", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("garbage", f);
	assert_int_equal(fclose(f), 0);
	merge(&m, NULL, 0);
	assert_int_equal(m.dropped, 0);
	assert_int_equal(m.outside, 0);
	assert_string_equal(m.logged, "");
	assert_int_equal(m.root->nchildren, 1);
	assert_non_null(g1 = child(m.root, NODE_GROUP, 1));
	assert_int_equal(g1->nchildren, 2);
	assert_non_null(g2 = child(g1, NODE_GROUP, 2));
	assert_non_null(child(g1, NODE_PROJECT, 11));
	assert_int_equal(g2->nchildren, 1);
	assert_non_null(g3 = child(g2, NODE_GROUP, 3));
	assert_int_equal(g3->nchildren, 1);
	assert_non_null(child(g3, NODE_PROJECT, 10));
	merged_release(&m);
}

static void test_cycles_and_missing_parents_are_left_out(void **state)
{
	const struct item items[] = {
		{ NODE_GROUP, 1, 0, TOP },     { NODE_GROUP, 5, 6, 0 },	   /* 5 <-> 6 */
		{ NODE_GROUP, 6, 5, 0 },       { NODE_GROUP, 7, 7, 0 },	   /* its own parent */
		{ NODE_GROUP, 8, 99, 0 },      { NODE_GROUP, 9, 8, 0 },	   /* below a missing one */
		{ NODE_GROUP, 4, 0, 0 },       { NODE_PROJECT, 20, 5, 0 }, /* in the cycle */
		{ NODE_PROJECT, 21, 1234, 0 }, /* its group is outside the tree */
		{ NODE_PROJECT, 22, 1, 0 },
	};
	static const char *const reported[] = {
		"leaving out group g4 (id 4): its parent group is missing or forms a cycle\n",
		"leaving out group g5 (id 5): its parent group is missing or forms a cycle\n",
		"leaving out group g6 (id 6): its parent group is missing or forms a cycle\n",
		"leaving out group g7 (id 7): its parent group is missing or forms a cycle\n",
		"leaving out group g8 (id 8): its parent group is missing or forms a cycle\n",
		"leaving out group g9 (id 9): its parent group is missing or forms a cycle\n",
		"leaving out project p20 (id 20): its group is not in the tree\n",
	};
	struct merged m;
	size_t i;

	(void)state;
	put("api-0", 0, items, sizeof(items) / sizeof(items[0]));
	merge(&m, NULL, 0);
	assert_int_equal(m.dropped, 7);
	assert_int_equal(m.outside, 1);
	assert_int_equal(m.root->nchildren, 1);
	assert_int_equal(m.root->children[0]->id, 1);
	assert_int_equal(m.root->children[0]->nchildren, 1);
	assert_non_null(child(m.root->children[0], NODE_PROJECT, 22));
	for (i = 0; i < sizeof(reported) / sizeof(reported[0]); i++)
		assert_non_null(strstr(m.logged, reported[i]));
	/* The project outside the tree is left out quietly (a --verbose line). */
	assert_null(strstr(m.logged, "p21"));
	merged_release(&m);
}

static void test_repeats_are_merged(void **state)
{
	/* The same listing twice (a task done again after a crash) and a shared project. */
	const struct item first[] = { { NODE_GROUP, 1, 0, 0 },
				      { NODE_GROUP, 2, 1, 0 },
				      { NODE_PROJECT, 10, 2, 0 } };
	const struct item again[] = { { NODE_GROUP, 2, 1, 0 },
				      { NODE_PROJECT, 10, 2, 0 },
				      { NODE_PROJECT, 10, 1, 0 } };
	const struct item top[] = { { NODE_GROUP, 1, 0, TOP } };
	const struct node *g1, *g2;
	struct merged m;

	(void)state;
	put("api-0", 0, first, 3);
	put("api-1", 0, again, 3);
	/* Whichever copy says "top" makes the group a top. */
	put("api-1", 1, top, 1);
	merge(&m, NULL, 0);
	assert_int_equal(m.dropped, 0);
	assert_string_equal(m.logged, "");
	assert_int_equal(tree_count(m.root, NODE_GROUP), 2);
	assert_int_equal(tree_count(m.root, NODE_PROJECT), 2);
	assert_non_null(g1 = child(m.root, NODE_GROUP, 1));
	assert_non_null(g2 = child(g1, NODE_GROUP, 2));
	/* Same id in another group: the project shared into it stays there too. */
	assert_non_null(child(g1, NODE_PROJECT, 10));
	assert_int_equal(g2->nchildren, 1);
	assert_non_null(child(g2, NODE_PROJECT, 10));
	merged_release(&m);
}

static void test_replaced_tasks_are_ignored(void **state)
{
	const struct item top[] = { { NODE_GROUP, 1, 0, TOP } };
	const struct item old[] = { { NODE_GROUP, 2, 1, 0 } };
	const struct item now[] = { { NODE_GROUP, 3, 1, 0 } };
	const unsigned char replaced[] = { 0, 1, 0 };
	struct merged m;

	(void)state;
	put("api-0", 0, top, 1);
	put("api-0", 1, old, 1);
	put("api-1", 2, now, 1);
	merge(&m, replaced, sizeof(replaced));
	assert_int_equal(m.dropped, 0);
	assert_int_equal(m.root->children[0]->nchildren, 1);
	assert_int_equal(m.root->children[0]->children[0]->id, 3);
	merged_release(&m);
}

static void test_tops_of_a_listing(void **state)
{
	const struct item items[] = {
		{ NODE_GROUP, 4, 0, 0 },
		{ NODE_GROUP, 2, 1, 0 },
		/* The token is a member of this subgroup only: its parent is not listed. */
		{ NODE_GROUP, 3, 50, 0 },
		{ NODE_GROUP, 1, 0, 0 },
	};
	struct crawl_merge_src src = { dir, NULL, 0 };
	struct options opts;
	long long *ids = NULL;
	size_t n = 0;

	(void)state;
	put("api-0", 0, items, sizeof(items) / sizeof(items[0]));
	memset(&opts, 0, sizeof(opts));
	opts.naming = NAMING_NAME;
	assert_int_equal(crawl_merge_tops(&src, &opts, &ids, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 3);
	assert_int_equal(ids[2], 4);
	free(ids);
	/* Includes that all start with literal folders keep the tops they name. */
	opts.includes[0] = "/g3/**";
	opts.includes[1] = "/g4/x";
	opts.nincludes = 2;
	assert_int_equal(crawl_merge_tops(&src, &opts, &ids, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 4);
	free(ids);
	/* One that can match anywhere keeps them all. */
	opts.includes[1] = "**/x";
	assert_int_equal(crawl_merge_tops(&src, &opts, &ids, &n), 0);
	assert_int_equal(n, 3);
	free(ids);
}

/* Each test in a journal directory of its own. */
#define IN_DIR(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_parent_chains_join_across_journals),
		IN_DIR(test_cycles_and_missing_parents_are_left_out),
		IN_DIR(test_repeats_are_merged),
		IN_DIR(test_replaced_tasks_are_ignored),
		IN_DIR(test_tops_of_a_listing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
