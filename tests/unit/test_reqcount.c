/* reqcount: answers by status class, 429s and retries, added up across processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "reqcount.h"
#include "shm.h"

static void test_status_classes(void **state)
{
	const long statuses[] = { 200, 204, 304, 404, 429, 429, 502, 503, 0, 99, 600 };
	struct shm_reqcount c, out;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		reqcount_answer(&c, statuses[i]);
	reqcount_retry(&c);
	reqcount_read(&c, &out);
	assert_int_equal(out.answers[SHM_ANSWER_2XX], 2);
	assert_int_equal(out.answers[SHM_ANSWER_3XX], 1);
	assert_int_equal(out.answers[SHM_ANSWER_4XX], 3);
	assert_int_equal(out.answers[SHM_ANSWER_5XX], 2);
	assert_int_equal(out.answers[SHM_ANSWER_NONE], 3); /* no status, or none GitLab sends */
	assert_int_equal(out.throttled, 2);
	assert_int_equal(out.retries, 1);
}

static void test_null_counts_nothing(void **state)
{
	struct shm_reqcount out;

	(void)state;
	reqcount_answer(NULL, 200);
	reqcount_retry(NULL);
	reqcount_read(NULL, &out);
	assert_int_equal(out.retries, 0);
	assert_int_equal(out.answers[SHM_ANSWER_2XX], 0);
}

/* Processes adding at the same time lose no count. */
static void test_processes_add_up(void **state)
{
	enum { PROCS = 4, EACH = 20000 };
	struct shm_reqcount *c = NULL, out;
	pid_t pids[PROCS];
	int status;

	(void)state;
	assert_int_equal(shm_create((void **)&c, sizeof(*c)), 0);
	memset(c, 0, sizeof(*c));
	for (int k = 0; k < PROCS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0) {
			for (int i = 0; i < EACH; i++) {
				reqcount_answer(c, 429);
				reqcount_retry(c);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	reqcount_read(c, &out);
	assert_int_equal(out.answers[SHM_ANSWER_4XX], PROCS * EACH);
	assert_int_equal(out.throttled, PROCS * EACH);
	assert_int_equal(out.retries, PROCS * EACH);
	shm_destroy(c, sizeof(*c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_classes),
		cmocka_unit_test(test_null_counts_nothing),
		cmocka_unit_test(test_processes_add_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
