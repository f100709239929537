/* filter: gitlabber's include/exclude algorithm, -a, -s, and bad patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "filter.h"
#include "tree_fixture.h"

/*
 * /Grp/Sub/p1, /Grp/Sub/p2 (archived), /Grp/p3, /Grp/Empty (no children),
 * /Other/p4 (shared into Other), /Other/p5
 */
static struct node *sample(void)
{
	struct node *root = node_new(NODE_ROOT), *grp, *sub, *other, *n;

	assert_non_null(root);
	grp = fx_add(root, NODE_GROUP, 1, "Grp", "grp");
	sub = fx_add(grp, NODE_GROUP, 2, "Sub", "sub");
	fx_add(sub, NODE_PROJECT, 10, "p1", "p1");
	n = fx_add(sub, NODE_PROJECT, 11, "p2", "p2");
	n->archived = 1;
	fx_add(grp, NODE_PROJECT, 12, "p3", "p3");
	fx_add(grp, NODE_GROUP, 3, "Empty", "empty");
	other = fx_add(root, NODE_GROUP, 4, "Other", "other");
	n = fx_add(other, NODE_PROJECT, 13, "p4", "p4");
	n->shared = 1;
	fx_add(other, NODE_PROJECT, 14, "p5", "p5");
	assert_int_equal(tree_finish(root, NAMING_NAME), 0);
	return root;
}

static void collect(const struct node *node, char *buf, size_t cap)
{
	size_t i;

	if (node->type != NODE_ROOT) {
		strncat(buf, node->root_path, cap - strlen(buf) - 1);
		strncat(buf, " ", cap - strlen(buf) - 1);
	}
	for (i = 0; i < node->nchildren; i++)
		collect(node->children[i], buf, cap);
}

/* Runs the filter of the given options on sample() and returns what is left. */
static void run(struct options *o, const char *expect)
{
	struct filter *f = NULL;
	struct node *root = sample();
	char got[1024] = "";

	if (filter_new(&f, o) != 0)
		fail_msg("filter_new: %s", glm_error_msg());
	assert_int_equal(filter_apply(f, root), 0);
	collect(root, got, sizeof(got));
	if (strcmp(got, expect) != 0)
		fail_msg("expected '%s', got '%s'", expect, got);
	filter_free(f);
	node_free(root);
}

static void base_opts(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->archived = ARCHIVED_INCLUDE;
	o->include_shared = 1;
}

static void test_no_patterns_keeps_all(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p1 /Grp/Sub/p2 /Grp/p3 /Other /Other/p4 "
		"/Other/p5 ");
}

static void test_include_keeps_ancestors_only(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	o.includes[o.nincludes++] = "/Grp/Sub/p1";
	run(&o, "/Grp /Grp/Sub /Grp/Sub/p1 ");
	o.includes[o.nincludes++] = "/Other/**";
	run(&o, "/Grp /Grp/Sub /Grp/Sub/p1 /Other /Other/p4 /Other/p5 ");
}

/* The empty group is a leaf and matches "/Grp**" itself. */
static void test_include_double_star(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	o.includes[o.nincludes++] = "/Grp**";
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p1 /Grp/Sub/p2 /Grp/p3 ");
	o.nincludes = 0;
	o.includes[o.nincludes++] = "/Grp/**";
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p1 /Grp/Sub/p2 /Grp/p3 ");
}

static void test_exclude_wins_and_groups_are_not_matched(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	/* Without "**" the group's projects stay, and so does the group. */
	o.excludes[o.nexcludes++] = "/Grp";
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p1 /Grp/Sub/p2 /Grp/p3 /Other /Other/p4 "
		"/Other/p5 ");
	o.nexcludes = 0;
	o.excludes[o.nexcludes++] = "/Grp/**";
	o.includes[o.nincludes++] = "**";
	/* "/Grp" is not matched by the exclude: emptied, it stays as in gitlabber. */
	run(&o, "/Grp /Other /Other/p4 /Other/p5 ");
	o.excludes[o.nexcludes++] = "/Grp";
	run(&o, "/Other /Other/p4 /Other/p5 ");
}

/* Excluding every project of a subgroup leaves the subgroup when its own path passes. */
static void test_emptied_group_is_tested_as_leaf(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	o.excludes[o.nexcludes++] = "/Grp/Sub/*";
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/p3 /Other /Other/p4 /Other/p5 ");
	o.includes[o.nincludes++] = "/Grp/Sub/*";
	run(&o, "");
}

static void test_archived_modes(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	o.archived = ARCHIVED_EXCLUDE;
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p1 /Grp/p3 /Other /Other/p4 /Other/p5 ");
	o.archived = ARCHIVED_ONLY;
	/* Groups stay, as gitlabber's API filter leaves them: the emptied ones as leaves. */
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p2 /Other ");
}

static void test_shared_dropped_unless_asked(void **state)
{
	struct options o;

	(void)state;
	base_opts(&o);
	o.include_shared = 0;
	run(&o, "/Grp /Grp/Empty /Grp/Sub /Grp/Sub/p1 /Grp/Sub/p2 /Grp/p3 /Other /Other/p5 ");
}

static void test_path_naming_changes_the_subject(void **state)
{
	struct options o;
	struct filter *f;
	struct node *root = sample();
	char got[256] = "";

	(void)state;
	base_opts(&o);
	o.includes[o.nincludes++] = "/grp/sub/*";
	assert_int_equal(tree_finish(root, NAMING_PATH), 0);
	assert_int_equal(filter_new(&f, &o), 0);
	assert_int_equal(filter_apply(f, root), 0);
	collect(root, got, sizeof(got));
	assert_string_equal(got, "/grp /grp/sub /grp/sub/p1 /grp/sub/p2 ");
	filter_free(f);
	node_free(root);
}

static void test_bad_pattern_names_option_and_pattern(void **state)
{
	struct options o;
	struct filter *f = (struct filter *)0x1;

	(void)state;
	base_opts(&o);
	o.includes[o.nincludes++] = "/ok/**";
	o.excludes[o.nexcludes++] = "/x/[y";
	assert_int_equal(filter_new(&f, &o), GLM_EUSAGE);
	assert_null(f);
	assert_string_equal(glm_error_msg(), "--exclude: bad pattern '/x/[y': unclosed '['");
	filter_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_patterns_keeps_all),
		cmocka_unit_test(test_include_keeps_ancestors_only),
		cmocka_unit_test(test_include_double_star),
		cmocka_unit_test(test_exclude_wins_and_groups_are_not_matched),
		cmocka_unit_test(test_emptied_group_is_tested_as_leaf),
		cmocka_unit_test(test_archived_modes),
		cmocka_unit_test(test_shared_dropped_unless_asked),
		cmocka_unit_test(test_path_naming_changes_the_subject),
		cmocka_unit_test(test_bad_pattern_names_option_and_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
