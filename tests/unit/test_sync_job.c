/* sync_job.c: the skip reason and the notes that add to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sync_job.h"

static void test_notes_join_and_stay_bounded(void **state)
{
	struct sync_job job;
	char big[SYNC_REASON_MAX * 2];

	(void)state;
	memset(&job, 0, sizeof(job));
	job.result = SYNC_RES_UPDATED;
	sync_job_note(&job, "followed a force-push of %s", "dev");
	sync_job_note(&job, "tag %s moved upstream", "v1.0");
	assert_string_equal(job.reason, "followed a force-push of dev; tag v1.0 moved upstream");
	assert_int_equal(job.result, SYNC_RES_UPDATED);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sync_job_note(&job, "%s", big);
	assert_int_equal(strlen(job.reason), SYNC_REASON_MAX - 1);
	/* A full reason takes no more. */
	sync_job_note(&job, "more");
	assert_int_equal(strlen(job.reason), SYNC_REASON_MAX - 1);
	assert_int_equal(job.reason[SYNC_REASON_MAX - 2], 'x');
}

static void test_skip_sets_result_and_reason(void **state)
{
	struct sync_job job;

	(void)state;
	memset(&job, 0, sizeof(job));
	sync_job_skip(&job, "diverged (%d local and %d upstream commits)", 2, 1);
	assert_int_equal(job.result, SYNC_RES_SKIPPED);
	assert_string_equal(job.reason, "diverged (2 local and 1 upstream commits)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes_join_and_stay_bounded),
		cmocka_unit_test(test_skip_sets_result_and_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
