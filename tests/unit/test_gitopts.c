/* gitopts: which -o options map onto libgit2, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>

#include "error.h"
#include "gitopts.h"
#include "gitver.h"

static int parse(struct gitopts *g, int n, ...)
{
	static struct options opts;
	va_list ap;

	memset(&opts, 0, sizeof(opts));
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		opts.git_options[i] = va_arg(ap, char *);
	va_end(ap);
	opts.ngit_options = (size_t)n;
	return gitopts_parse(&opts, g);
}

static void test_supported(void **state)
{
	struct gitopts g;

	(void)state;
	assert_int_equal(parse(&g, 0), 0);
	assert_int_equal(g.single_branch + g.no_tags + g.depth + g.no_checkout, 0);
	assert_int_equal(parse(&g, 4, "--single-branch", "--no-tags", "-q", "--recursive"), 0);
	assert_true(g.single_branch && g.no_tags && g.recurse);
	assert_int_equal(parse(&g, 2, "-b", "dev"), 0);
	assert_string_equal(g.branch, "dev");
	assert_int_equal(parse(&g, 1, "--branch=release/1"), 0);
	assert_string_equal(g.branch, "release/1");
	assert_int_equal(parse(&g, 2, "--single-branch", "--no-single-branch"), 0);
	assert_false(g.single_branch);
	assert_int_equal(parse(&g, 1, "-n"), 0);
	assert_true(g.no_checkout);
}

static void test_refused(void **state)
{
	struct gitopts g;

	(void)state;
	assert_int_equal(parse(&g, 1, "--bare"), GLM_EUSAGE);
	assert_non_null(
		strstr(glm_error_msg(), "git option '--bare' is not supported by glmirror"));
	assert_int_equal(parse(&g, 2, "--single-branch", "--filter=blob:none"), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "'--filter=blob:none'"));
	assert_int_equal(parse(&g, 1, "-b"), GLM_EUSAGE);
	assert_int_equal(parse(&g, 1, "--depth=x"), GLM_EUSAGE);
	assert_int_equal(parse(&g, 1, "--depth=0"), GLM_EUSAGE);
}

static void test_depth_follows_libgit2(void **state)
{
	struct gitopts g;
	int rc;

	(void)state;
	rc = parse(&g, 2, "--depth", "1");
#if GITVER_HAVE_SHALLOW
	assert_int_equal(rc, 0);
	assert_int_equal(g.depth, 1);
	assert_true(g.single_branch);
#else
	assert_int_equal(rc, GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "git option '--depth' is not supported"));
	assert_non_null(strstr(glm_error_msg(), "libgit2 1.7"));
#endif
}

static void test_depth_refused_with_mirror(void **state)
{
	static struct options opts;
	char *items[] = { "--depth=1" };
	struct gitopts g;

	(void)state;
	memset(&opts, 0, sizeof(opts));
	opts.git_options[0] = items[0];
	opts.ngit_options = 1;
	opts.mirror = 1;
	assert_int_equal(gitopts_parse(&opts, &g), GLM_EUSAGE);
#if GITVER_HAVE_SHALLOW
	assert_non_null(strstr(glm_error_msg(), "cannot go with --mirror"));
#else
	assert_non_null(strstr(glm_error_msg(), "git option '--depth' is not supported"));
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_depth_follows_libgit2),
		cmocka_unit_test(test_depth_refused_with_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
