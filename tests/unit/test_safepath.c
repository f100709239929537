/* safepath: folder-name checks, clashes, and the no-symlink walk below DEST. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "safepath.h"
#include "tree_fixture.h"

static void expect_unsafe(const char *name, const char *words)
{
	assert_int_equal(safepath_check_component(name), GLM_EUNSAFE);
	if (strstr(glm_error_msg(), words) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", name, glm_error_msg(), words);
}

static void test_component_checks(void **state)
{
	char long_name[SAFEPATH_MAX_COMPONENT + 2];

	(void)state;
	expect_unsafe("", "empty");
	expect_unsafe(NULL, "empty");
	expect_unsafe(".", "'.' is not allowed");
	expect_unsafe("..", "'..' is not allowed");
	expect_unsafe(".git", "git");
	expect_unsafe(".GiT", "git");
	expect_unsafe("a/b", "contains '/'");
	expect_unsafe("../../etc", "contains '/'");
	expect_unsafe("/etc", "contains '/'");
	expect_unsafe("a\nb", "control character");
	expect_unsafe("a\x1b[31m", "control character");
	expect_unsafe("a\x7f", "control character");
	expect_unsafe("a\xc2\x9b", "control character"); /* C1 CSI */
	expect_unsafe("a\xff", "not valid UTF-8");
	expect_unsafe("\xc0\xaf", "not valid UTF-8");	  /* overlong '/' */
	expect_unsafe("\xed\xa0\x80", "not valid UTF-8"); /* surrogate */
	expect_unsafe("\xe6\x97", "not valid UTF-8");	  /* truncated */
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	expect_unsafe(long_name, "longer than 255 bytes");
	/* The escaped name in the message cannot rewrite a terminal. */
	expect_unsafe("\x1b]0;x\x07", "'\\x1b]0;x\\x07'");

	long_name[SAFEPATH_MAX_COMPONENT] = '\0';
	assert_int_equal(safepath_check_component(long_name), 0);
	assert_int_equal(safepath_check_component("My Project"), 0);
	assert_int_equal(safepath_check_component("..."), 0);
	assert_int_equal(safepath_check_component(".gitlab"), 0);
	assert_int_equal(safepath_check_component("-rf"), 0);
	assert_int_equal(safepath_check_component("Gr\xc3\xbcn \xf0\x9f\x99\x82"), 0);
}

struct reports {
	char text[2048];
	size_t n;
};

static void record(const struct node *node, const char *reason, void *ctx)
{
	struct reports *r = ctx;
	size_t len = strlen(r->text);

	snprintf(r->text + len, sizeof(r->text) - len, "%lld: %s\n", node->id, reason);
	r->n++;
}

static void test_check_tree_marks_and_reports(void **state)
{
	struct node *root = node_new(NODE_ROOT), *bad, *g, *p1, *p2, *p3, *ok;
	struct reports r = { "", 0 };

	(void)state;
	bad = fx_add(root, NODE_GROUP, 1, "..", "dotdot");
	fx_add(bad, NODE_PROJECT, 10, "inner", "inner");
	fx_add(bad, NODE_PROJECT, 11, "inner2", "inner2");
	g = fx_add(root, NODE_GROUP, 2, "G", "g");
	p1 = fx_add(g, NODE_PROJECT, 21, "same", "same-a");
	p2 = fx_add(g, NODE_PROJECT, 20, "same", "same-b");
	p3 = fx_add(g, NODE_PROJECT, 22, "Same", "same-c");
	ok = fx_add(g, NODE_PROJECT, 23, ".git", "dotgit");
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);

	assert_int_equal(safepath_check_tree(root, record, &r), 3);
	assert_int_equal(r.n, 3);
	assert_true(bad->unsafe);
	assert_false(bad->children[0]->unsafe); /* pruned with its group */
	assert_false(g->unsafe);
	/* Sorted by folder then id: id 20 keeps "same", id 21 is the clash. */
	assert_false(p2->unsafe);
	assert_true(p1->unsafe);
	assert_false(p3->unsafe); /* case differs: a different folder */
	assert_true(ok->unsafe);
	assert_non_null(strstr(r.text, "1: folder name '..' is not allowed (2 projects below it "
				       "skipped too)\n"));
	assert_non_null(strstr(r.text, "21: folder '/G/same' is already taken by project g/same-b "
				       "(id 20)\n"));
	assert_non_null(strstr(r.text, "23: folder name '.git'"));
	node_free(root);
}

static void test_check_tree_reserves_glmirror_names(void **state)
{
	struct node *root = node_new(NODE_ROOT), *trash, *tmp, *ok;
	struct reports r = { "", 0 };

	(void)state;
	trash = fx_add(root, NODE_GROUP, 1, ".glmirror-trash", "t");
	fx_add(trash, NODE_PROJECT, 10, "p", "p");
	tmp = fx_add(root, NODE_PROJECT, 2, ".glmirror-tmp-x-1", "x");
	ok = fx_add(root, NODE_PROJECT, 3, ".glmirror", "y");
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	assert_int_equal(safepath_check_tree(root, record, &r), 2);
	assert_true(trash->unsafe);
	assert_true(tmp->unsafe);
	assert_false(ok->unsafe);
	assert_non_null(strstr(r.text, "1: folder name '.glmirror-trash' is reserved for glmirror "
				       "(1 project below it skipped too)\n"));
	node_free(root);
}

static void test_check_tree_path_length(void **state)
{
	struct node *root = node_new(NODE_ROOT), *parent = root;
	char name[201];
	size_t i;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (i = 0; i < 25; i++) /* 25 * 201 bytes > 4096 */
		parent = fx_add(parent, NODE_GROUP, (long long)i + 1, name, "p");
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	assert_int_equal(safepath_check_tree(root, NULL, NULL), 1);
	for (parent = root; !parent->unsafe; parent = parent->children[0])
		assert_true(strlen(parent->root_path) <= SAFEPATH_MAX_PATH);
	assert_true(strlen(parent->root_path) > SAFEPATH_MAX_PATH);
	node_free(root);
}

struct tmp {
	char dir[64];
	int fd;
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/glm-safepath-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->fd = open(t->dir, O_RDONLY | O_DIRECTORY);
	assert_true(t->fd >= 0);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char cmd[128];

	close(t->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void test_open_dir_creates_below_dest(void **state)
{
	struct tmp *t = *state;
	struct stat st;
	char path[256];
	int fd = -1;

	assert_int_equal(safepath_open_dir(t->fd, "/Grp/Sub Group/proj", 0, &fd), GLM_ENOTFOUND);
	assert_int_equal(fd, -1);
	assert_int_equal(safepath_open_dir(t->fd, "/Grp/Sub Group/proj", 1, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	snprintf(path, sizeof(path), "%s/Grp/Sub Group/proj", t->dir);
	assert_int_equal(stat(path, &st), 0);
	/* Existing folders open again; the root path is DEST itself. */
	assert_int_equal(safepath_open_dir(t->fd, "/Grp/Sub Group/proj", 0, &fd), 0);
	close(fd);
	assert_int_equal(safepath_open_dir(t->fd, "", 0, &fd), 0);
	close(fd);
	assert_int_equal(safepath_open_dir(t->fd, "/Grp/../../x", 1, &fd), GLM_EUNSAFE);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(glm_error_msg(), "'..' is not allowed"));
}

/* A symlink planted inside DEST never redirects a folder outside it. */
static void test_open_dir_refuses_planted_symlink(void **state)
{
	struct tmp *t = *state;
	char outside[80], link[160], victim[200];
	struct stat st;
	int fd = -1;

	snprintf(outside, sizeof(outside), "%s-outside", t->dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(mkdirat(t->fd, "Grp", 0755), 0);
	snprintf(link, sizeof(link), "%s/Grp/Sub", t->dir);
	assert_int_equal(symlink(outside, link), 0);

	assert_int_equal(safepath_open_dir(t->fd, "/Grp/Sub/proj", 1, &fd), GLM_EUNSAFE);
	assert_int_equal(fd, -1);
	assert_string_equal(glm_error_msg(), "'/Grp/Sub/proj': a symlink is in the way at 'Sub'");
	snprintf(victim, sizeof(victim), "%s/proj", outside);
	assert_int_equal(stat(victim, &st), -1); /* nothing was created outside */
	assert_int_equal(safepath_open_dir(t->fd, "/Grp/Sub", 0, &fd), GLM_EUNSAFE);

	/* A file in the way is an I/O error, not followed either. */
	close(openat(t->fd, "Grp/file", O_CREAT | O_WRONLY, 0644));
	assert_int_equal(safepath_open_dir(t->fd, "/Grp/file/x", 1, &fd), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "not a folder"));
	assert_int_equal(rmdir(outside), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_component_checks),
		cmocka_unit_test(test_check_tree_marks_and_reports),
		cmocka_unit_test(test_check_tree_reserves_glmirror_names),
		cmocka_unit_test(test_check_tree_path_length),
		cmocka_unit_test_setup_teardown(test_open_dir_creates_below_dest, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_open_dir_refuses_planted_symlink, tmp_setup,
						tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
