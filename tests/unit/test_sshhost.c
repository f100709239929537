/* sshhost: known_hosts checks; unknown hosts refused or recorded, changed keys refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libssh2.h>

#include "error.h"
#include "sshhost.h"

/* The SSH wire form of an ed25519 public key: string "ssh-ed25519", string key. */
static size_t make_key(unsigned char *out, unsigned char fill)
{
	static const char type[] = "ssh-ed25519";
	size_t n = 0;

	memcpy(out, "\0\0\0\x0b", 4);
	n += 4;
	memcpy(out + n, type, 11);
	n += 11;
	memcpy(out + n, "\0\0\0\x20", 4);
	n += 4;
	memset(out + n, fill, 32);
	return n + 32;
}

static char path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/glm-known-hosts-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return libssh2_init(0);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static char *slurp(void)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_unknown_refused_then_accepted(void **state)
{
	unsigned char key[64], other[64];
	size_t len = make_key(key, 0x41), olen = make_key(other, 0x42);
	const int ed = GIT_CERT_SSH_RAW_TYPE_KEY_ED25519;

	(void)state;
	assert_int_equal(sshhost_check_file(path, "git.example", 22, key, len, ed, 0), GLM_EUNSAFE);
	assert_non_null(strstr(glm_error_msg(), "unknown SSH host git.example"));
	assert_non_null(strstr(glm_error_msg(), "--ssh-accept-new"));
	assert_string_equal(slurp(), "");

	assert_int_equal(sshhost_check_file(path, "git.example", 22, key, len, ed, 1), 0);
	assert_non_null(strstr(slurp(), "git.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
	assert_int_equal(sshhost_check_file(path, "git.example", 22, key, len, ed, 0), 0);

	/* A changed key is refused even with --ssh-accept-new. */
	assert_int_equal(sshhost_check_file(path, "git.example", 22, other, olen, ed, 1),
			 GLM_EUNSAFE);
	assert_non_null(strstr(glm_error_msg(), "differs"));

	/* A host on another port is recorded as [host]:port. */
	assert_int_equal(sshhost_check_file(path, "other.example", 2222, key, len, ed, 0),
			 GLM_EUNSAFE);
	assert_int_equal(sshhost_check_file(path, "other.example", 2222, key, len, ed, 1), 0);
	assert_non_null(strstr(slurp(), "[other.example]:2222 ssh-ed25519 "));
	assert_int_equal(sshhost_check_file(path, "other.example", 2222, key, len, ed, 0), 0);
}

static void test_unknown_key_type(void **state)
{
	unsigned char key[64];
	size_t len = make_key(key, 1);

	(void)state;
	assert_int_equal(sshhost_check_file(path, "h", 22, key, len, 0, 1), GLM_EUNSAFE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_refused_then_accepted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_type, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
