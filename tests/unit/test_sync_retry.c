/* sync_retry: which failures of a clone or fetch are worth another try. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sync_retry.h"

static void test_transient_failures_are_retried(void **state)
{
	(void)state;
	assert_int_equal(sync_retry_classify(-1, "clone: unexpected http status code: 502", 502),
			 RETRY_HTTP_5XX);
	assert_int_equal(sync_retry_classify(-1, "unexpected http status code: 503", 0),
			 RETRY_HTTP_5XX);
	assert_int_equal(sync_retry_classify(-1, "unexpected http status code: 429", 0),
			 RETRY_THROTTLED);
	assert_int_equal(sync_retry_classify(-1, "whatever", 429), RETRY_THROTTLED);
	assert_int_equal(sync_retry_classify(-1,
					     "remote: GitLab is currently unable to handle this "
					     "request due to load.",
					     0),
			 RETRY_HTTP_5XX);
	assert_int_equal(sync_retry_classify(-1, "reading from h:1: Connection reset by peer", 200),
			 RETRY_RESET);
	assert_int_equal(sync_retry_classify(-1, "connecting to h:1: Connection refused", 0),
			 RETRY_REFUSED);
	assert_int_equal(sync_retry_classify(-1, "reading from h:1: nothing for 300 s", 200),
			 RETRY_TIMEOUT);
	assert_int_equal(sync_retry_classify(-1, "early EOF", 0), RETRY_RESET);
}

static void test_final_failures_are_not(void **state)
{
	(void)state;
	assert_int_equal(sync_retry_classify(-1, "unexpected http status code: 403", 403),
			 RETRY_NONE);
	assert_int_equal(sync_retry_classify(-1, "unexpected http status code: 404", 404),
			 RETRY_NONE);
	/* The status the stream saw beats words in the message. */
	assert_int_equal(sync_retry_classify(-1, "connection reset", 401), RETRY_NONE);
	assert_int_equal(sync_retry_classify(GIT_EAUTH, "connection reset", 0), RETRY_NONE);
	assert_int_equal(sync_retry_classify(GIT_ECERTIFICATE, "timed out", 0), RETRY_NONE);
	assert_int_equal(sync_retry_classify(-1,
					     "could not write to 'x': No space left on device "
					     "(connection reset)",
					     0),
			 RETRY_NONE);
	assert_int_equal(sync_retry_classify(-1, "object not found", 0), RETRY_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transient_failures_are_retried),
		cmocka_unit_test(test_final_failures_are_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
