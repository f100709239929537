/* Git LFS pointers: what git-lfs writes is read back, anything else is not a pointer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lfs_pointer.h"

#define OID "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"

static int parse(const char *text, struct lfs_pointer *p)
{
	return lfs_pointer_parse(text, strlen(text), p);
}

static void test_reads_what_git_lfs_writes(void **state)
{
	struct lfs_pointer p, q;
	char buf[LFS_POINTER_MAX];

	(void)state;
	assert_int_equal(parse("version https://git-lfs.github.com/spec/v1\noid sha256:" OID
			       "\nsize 12345\n",
			       &p),
			 1);
	assert_string_equal(p.oid, OID);
	assert_int_equal(p.size, 12345);
	size_t n = lfs_pointer_format(&p, buf, sizeof(buf));

	assert_int_equal(n, strlen(buf));
	assert_int_equal(parse(buf, &q), 1);
	assert_string_equal(q.oid, OID);
	assert_int_equal(q.size, 12345);
	/* extensions and the first releases' version line */
	assert_int_equal(parse("version https://hawser.github.com/spec/v1\next-0-foo sha256:" OID
			       "\noid sha256:" OID "\nsize 0\n",
			       &p),
			 1);
	assert_int_equal(p.size, 0);
}

static void test_refuses_everything_else(void **state)
{
	static const char *const bad[] = {
		"",
		"version https://git-lfs.github.com/spec/v1\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" OID "\n",
		"version https://git-lfs.github.com/spec/v1\nsize 3\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" OID "\nsize 3",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" OID "\nsize -3\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" OID
		"\nsize 99999999999999999999999\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:4D7A\nsize 3\n",
		"version https://git-lfs.github.com/spec/v1\noid md5:" OID "\nsize 3\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" OID "\nsize 3\nhello\n",
		"# README\n",
	};
	struct lfs_pointer p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_what_git_lfs_writes),
		cmocka_unit_test(test_refuses_everything_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
