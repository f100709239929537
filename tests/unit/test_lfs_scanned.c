/* The --mirror LFS scan's record: what is written is read back, junk costs a scan only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <git2.h>

#include "lfs_scanned.h"

#define A "0123456789abcdef0123456789abcdef01234567"
#define B "fedcba9876543210fedcba9876543210fedcba98"

struct fixture {
	char dir[64];
	git_repository *repo;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	git_libgit2_init();
	snprintf(f->dir, sizeof(f->dir), "/tmp/glm-lfs-scanned-XXXXXX");
	if (mkdtemp(f->dir) == NULL || git_repository_init(&f->repo, f->dir, 1) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	git_repository_free(f->repo);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	git_libgit2_shutdown();
	return 0;
}

static void add(struct lfs_scanned *s, const char *hex)
{
	git_oid id;

	assert_int_equal(git_oid_fromstr(&id, hex), 0);
	assert_int_equal(lfs_scanned_add(s, &id), 0);
}

static void test_written_tips_are_read_back(void **state)
{
	struct fixture *f = *state;
	struct lfs_scanned w = { 0 }, r, other = { 0 };

	assert_int_equal(lfs_scanned_read(f->repo, &r), 0);
	assert_int_equal(r.n, 0); /* no record yet: a whole scan */
	add(&w, A);
	add(&w, B);
	assert_int_equal(lfs_scanned_write(f->repo, &w), 0);
	assert_int_equal(lfs_scanned_read(f->repo, &r), 0);
	assert_int_equal(r.n, 2);
	assert_true(lfs_scanned_same(&w, &r));
	add(&other, B);
	assert_false(lfs_scanned_same(&w, &other));
	add(&other, A);
	assert_true(lfs_scanned_same(&w, &other)); /* in any order */
	lfs_scanned_release(&w);
	lfs_scanned_release(&r);
	lfs_scanned_release(&other);
}

static void test_odd_lines_are_left_out(void **state)
{
	struct fixture *f = *state;
	struct lfs_scanned r;
	char path[128];
	FILE *out;

	snprintf(path, sizeof(path), "%s/lfs", f->dir);
	(void)mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/lfs/glmirror-scanned", f->dir);
	assert_non_null(out = fopen(path, "w"));
	fputs("not a commit\n" A "\n" B "0\n" B, out); /* junk, one id, too long, no newline */
	fclose(out);
	assert_int_equal(lfs_scanned_read(f->repo, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(git_oid_tostr_s(&r.v[0]), A);
	lfs_scanned_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_written_tips_are_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_lines_are_left_out, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
