/* sync_state: the state file round-trips, is found by id, and damage reads as empty. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "sync_state.h"

static int open_tmpdir(char *dir)
{
	strcpy(dir, "/tmp/glm-state-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return open(dir, O_RDONLY | O_DIRECTORY);
}

static void write_file(int dfd, const char *text)
{
	int fd = openat(dfd, SYNC_STATE_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void cleanup(int dfd, const char *dir)
{
	unlinkat(dfd, SYNC_STATE_FILE, 0);
	close(dfd);
	rmdir(dir);
}

static void test_round_trip_and_find(void **unused)
{
	struct sync_state s, back;
	char dir[64];
	int dfd = open_tmpdir(dir);

	(void)unused;
	memset(&s, 0, sizeof(s));
	assert_int_equal(sync_state_read(dfd, &back), 0); /* no file: empty */
	assert_int_equal(back.n, 0);
	assert_int_equal(sync_state_add(&s, 42, "/Été \"x\"/p", "g/p"), 0);
	assert_int_equal(sync_state_add(&s, 7, "/A/b", "a/b"), 0);
	assert_int_equal(sync_state_add(&s, 9007199254740991LL, "/Z/z", "z/z"), 0);
	sync_state_sort(&s);
	assert_int_equal(sync_state_write(dfd, &s), 0);
	assert_int_equal(sync_state_read(dfd, &back), 0);
	assert_int_equal(back.n, 3);
	assert_string_equal(sync_state_find(&back, 42)->root_path, "/Été \"x\"/p");
	assert_string_equal(sync_state_find(&back, 7)->full_path, "a/b");
	assert_non_null(sync_state_find(&back, 9007199254740991LL));
	assert_null(sync_state_find(&back, 8));
	assert_null(sync_state_find(&back, 0));
	sync_state_release(&s);
	sync_state_release(&back);
	cleanup(dfd, dir);
}

static void test_damage_reads_as_empty(void **unused)
{
	static const char *const bad[] = {
		"",
		"{\"glmirror_state\":2}\n",
		"{\"glmirror_state\":1}\n{\"id\":1,\"path\":\"/a\"}\n",
		"{\"glmirror_state\":1}\n{\"id\":-1,\"path\":\"/a\",\"full_path\":\"a\"}\n",
		"{\"glmirror_state\":1}\n{\"id\":1,\"path\":\"a\",\"full_path\":\"a\"}\n",
		"{\"glmirror_state\":1}\n{\"id\":1,\"path\":\"/a\",\"full_path\":\"a\"",
		"[1]\n",
	};
	struct sync_state back;
	char dir[64];
	int dfd = open_tmpdir(dir);

	(void)unused;
	log_init("test", LOG_ERROR);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(dfd, bad[i]);
		assert_int_equal(sync_state_read(dfd, &back), 0);
		assert_int_equal(back.n, 0);
		sync_state_release(&back);
	}
	write_file(dfd, "{\"glmirror_state\":1}\n{\"id\":3,\"path\":\"/a\",\"full_path\":\"a\","
			"\"later\":true}\n");
	assert_int_equal(sync_state_read(dfd, &back), 0);
	assert_int_equal(back.n, 1);
	sync_state_release(&back);
	cleanup(dfd, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_find),
		cmocka_unit_test(test_damage_reads_as_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
