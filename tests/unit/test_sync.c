/*
 * sync_run through its real entry point: forked workers, a server that
 * refuses connections, a clone URL to another host, a worker killed by the
 * test hook (requeued once, then finished), --dry-run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "sync.h"
#include "tree_fixture.h"

#define BASE "http://127.0.0.1:1" /* nothing listens on port 1: refused at once */

static char dest[64];

static struct node *make_tree(void)
{
	struct node *root = node_new(NODE_ROOT), *g, *p;

	assert_non_null(root);
	g = fx_add(root, NODE_GROUP, 1, "G", "g");
	for (int i = 0; i < 4; i++) {
		char name[16], url[128];

		snprintf(name, sizeof(name), "p%d", i);
		p = fx_add(g, NODE_PROJECT, 10 + i, name, name);
		snprintf(url, sizeof(url), BASE "/g/%s.git", name);
		assert_int_equal(node_set(&p->http_url, url), 0);
	}
	/* A clone URL elsewhere is refused before any connection. */
	p = fx_add(g, NODE_PROJECT, 20, "evil", "evil");
	assert_int_equal(node_set(&p->http_url, "https://evil.example/x.git"), 0);
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	return root;
}

static void make_options(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->dest = dest;
	o->method = METHOD_HTTP;
	o->concurrency = 2;
	o->progress = PROGRESS_NEVER;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dest, sizeof(dest), "/tmp/glm-test-sync-XXXXXX");
	return mkdtemp(dest) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dest);
	return system(cmd) == 0 ? 0 : -1;
}

static int leftovers(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "find '%s' -name '.glmirror-tmp-*' | grep -q .", dest);
	return system(cmd) == 0;
}

static void test_every_project_fails_cleanly(void **state)
{
	struct node *root = make_tree();
	struct sync_summary sum;
	struct options o;

	(void)state;
	make_options(&o);
	assert_int_equal(sync_run(&o, root, NULL, BASE, 1, &sum), 0);
	assert_int_equal(sum.total, 5);
	assert_int_equal(sum.failed, 5);
	assert_int_equal(sum.cloned + sum.updated + sum.unchanged + sum.skipped, 0);
	assert_false(leftovers());
	node_free(root);
}

static void test_dead_worker_is_replaced(void **state)
{
	struct node *root = make_tree();
	struct sync_summary sum;
	struct options o;

	(void)state;
	make_options(&o);
	setenv("GLMIRROR_TEST_SYNC_DIE", "1", 1);
	assert_int_equal(sync_run(&o, root, NULL, BASE, 1, &sum), 0);
	unsetenv("GLMIRROR_TEST_SYNC_DIE");
	/* Every project was finished, the killed one by a replacement worker. */
	assert_int_equal(sum.total, 5);
	assert_int_equal(sum.failed, 5);
	assert_false(leftovers());
	node_free(root);
}

static void test_shard_and_dry_run(void **state)
{
	struct node *root = make_tree();
	struct sync_summary sum;
	struct options o;
	struct stat st;
	char path[128];
	size_t total = 0;

	(void)state;
	make_options(&o);
	o.dry_run = 1;
	o.shard_n = 2;
	for (o.shard_k = 0; o.shard_k < 2; o.shard_k++) {
		assert_int_equal(sync_run(&o, root, NULL, BASE, 1, &sum), 0);
		total += sum.total;
	}
	assert_int_equal(total, 5);
	/* The dry run created nothing. */
	snprintf(path, sizeof(path), "%s/G", dest);
	assert_int_equal(stat(path, &st), -1);
	node_free(root);
}

static void test_refused_git_option(void **state)
{
	struct node *root = make_tree();
	struct sync_summary sum;
	struct options o;
	char bare[] = "--bare";

	(void)state;
	make_options(&o);
	o.git_options[0] = bare;
	o.ngit_options = 1;
	assert_int_equal(sync_run(&o, root, NULL, BASE, 1, &sum), GLM_EUSAGE);
	node_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_project_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_worker_is_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shard_and_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_git_option, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
