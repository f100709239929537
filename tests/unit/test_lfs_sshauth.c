/* lfs_sshauth: the endpoint git-lfs-authenticate names is taken as a clone URL is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "lfs_sshauth.h"
#include "sync_url.h"

#define BASE "https://gitlab.example.com"
#define SSH  "ssh://git@gitlab.example.com:2222/g/lib.git"

static void test_href_on_the_origin_is_taken(void **state)
{
	char out[SYNC_URL_MAX];

	(void)state;
	assert_int_equal(lfs_sshauth_href(BASE, SSH, BASE "/g/lib.git/info/lfs/", out, sizeof(out)),
			 0);
	assert_string_equal(out, BASE "/g/lib.git/info/lfs");
}

static void test_external_url_is_taken_to_the_origin(void **state)
{
	char out[SYNC_URL_MAX];

	(void)state;
	assert_int_equal(lfs_sshauth_href(BASE, "git@ssh.example.com:g/lib.git",
					  "http://gitlab.internal/g/lib.git/info/lfs", out,
					  sizeof(out)),
			 0);
	assert_string_equal(out, BASE "/g/lib.git/info/lfs");
	assert_int_equal(lfs_sshauth_href(BASE "/gitlab", "git@gitlab.example.com:g/lib.git",
					  "https://other/gitlab/g/lib.git/info/lfs", out,
					  sizeof(out)),
			 0);
	assert_string_equal(out, BASE "/gitlab/g/lib.git/info/lfs");
}

static void test_other_endpoints_are_refused(void **state)
{
	char out[SYNC_URL_MAX];

	(void)state;
	/* another project's, another host's other path, not HTTP, too long */
	assert_int_equal(lfs_sshauth_href(BASE, SSH, "https://evil.example/g/other.git/info/lfs",
					  out, sizeof(out)),
			 GLM_EUNSAFE);
	assert_int_equal(lfs_sshauth_href(BASE, SSH, "https://evil.example/g/lib.git/info/lfsx",
					  out, sizeof(out)),
			 GLM_EUNSAFE);
	assert_int_equal(
		lfs_sshauth_href(BASE, SSH, "file:///g/lib.git/info/lfs", out, sizeof(out)),
		GLM_EUNSAFE);
	assert_int_equal(lfs_sshauth_href(BASE, SSH, BASE "/g/lib.git/info/lfs", out, 10),
			 GLM_EUNSAFE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_href_on_the_origin_is_taken),
		cmocka_unit_test(test_external_url_is_taken_to_the_origin),
		cmocka_unit_test(test_other_endpoints_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
