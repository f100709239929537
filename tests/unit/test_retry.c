/* retry: classification of failures, backoff bounds with full jitter, final messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "retry.h"
#include "signals.h"

static void test_classify_status(void **state)
{
	(void)state;
	assert_int_equal(retry_classify_status(502), RETRY_HTTP_5XX);
	assert_int_equal(retry_classify_status(500), RETRY_HTTP_5XX);
	assert_int_equal(retry_classify_status(599), RETRY_HTTP_5XX);
	assert_int_equal(retry_classify_status(429), RETRY_THROTTLED);
	assert_int_equal(retry_classify_status(401), RETRY_NONE);
	assert_int_equal(retry_classify_status(403), RETRY_NONE);
	assert_int_equal(retry_classify_status(404), RETRY_NONE);
	assert_int_equal(retry_classify_status(200), RETRY_NONE);
	assert_int_equal(retry_classify_status(302), RETRY_NONE);
}

static void test_classify_curl(void **state)
{
	(void)state;
	assert_int_equal(retry_classify_curl(CURLE_COULDNT_CONNECT), RETRY_REFUSED);
	assert_int_equal(retry_classify_curl(CURLE_OPERATION_TIMEDOUT), RETRY_TIMEOUT);
	assert_int_equal(retry_classify_curl(CURLE_PARTIAL_FILE), RETRY_TRUNCATED);
	assert_int_equal(retry_classify_curl(CURLE_RECV_ERROR), RETRY_RESET);
	assert_int_equal(retry_classify_curl(CURLE_GOT_NOTHING), RETRY_RESET);
	/* configuration problems do not go away by trying again */
	assert_int_equal(retry_classify_curl(CURLE_PEER_FAILED_VERIFICATION), RETRY_NONE);
	assert_int_equal(retry_classify_curl(CURLE_COULDNT_RESOLVE_HOST), RETRY_NONE);
	assert_int_equal(retry_classify_curl(CURLE_WRITE_ERROR), RETRY_NONE);
	assert_int_equal(retry_classify_curl(CURLE_UNSUPPORTED_PROTOCOL), RETRY_NONE);
}

static void test_backoff_bounds(void **state)
{
	struct retry_policy p;
	double max_seen[8] = { 0 }, sum = 0;
	int attempt, i;

	(void)state;
	retry_policy_init(&p, 5, 0, 0);
	assert_true(p.base_s == RETRY_BASE_S && p.cap_s == RETRY_CAP_S);
	for (i = 0; i < 4000; i++) {
		for (attempt = 1; attempt <= 7; attempt++) {
			double ceiling = RETRY_BASE_S * (double)(1 << (attempt - 1));
			double d = retry_backoff(&p, attempt);

			if (ceiling > RETRY_CAP_S)
				ceiling = RETRY_CAP_S;
			assert_true(d >= 0 && d <= ceiling);
			if (d > max_seen[attempt])
				max_seen[attempt] = d;
			if (attempt == 1)
				sum += d;
		}
	}
	/* full jitter: the whole range is used, the mean is half the ceiling */
	assert_true(max_seen[1] > 0.45 && max_seen[4] > 3.6 && max_seen[7] > 27);
	assert_true(sum / 4000 > 0.2 && sum / 4000 < 0.3);
	/* the cap holds for absurd attempt numbers */
	assert_true(retry_backoff(&p, 1000) <= RETRY_CAP_S);
}

static void test_backoff_custom(void **state)
{
	struct retry_policy p;
	int i;

	(void)state;
	retry_policy_init(&p, -3, 0.01, 0.02);
	assert_int_equal(p.retries, 0);
	for (i = 0; i < 100; i++)
		assert_true(retry_backoff(&p, 5) <= 0.02);
}

static void test_messages(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(retry_status_str(502, buf, sizeof(buf)), "HTTP 502 Bad Gateway");
	assert_string_equal(retry_status_str(599, buf, sizeof(buf)), "HTTP 599");
	assert_int_equal(retry_fail(GLM_EHTTP, "GET", "/groups/42/projects?page=3",
				    retry_status_str(502, buf, sizeof(buf)), 6),
			 GLM_EHTTP);
	assert_string_equal(glm_error_msg(),
			    "GET /groups/42/projects?page=3: HTTP 502 Bad Gateway after 6 tries");
	assert_int_equal(glm_error_code(), GLM_EHTTP);
	retry_fail(GLM_ECONNECT, "GET", "/version", "connection refused", 1);
	assert_string_equal(glm_error_msg(), "GET /version: connection refused after 1 try");
}

static void test_reason_codes(void **state)
{
	(void)state;
	assert_int_equal(retry_reason_code(RETRY_HTTP_5XX), GLM_EHTTP);
	assert_int_equal(retry_reason_code(RETRY_THROTTLED), GLM_EHTTP);
	assert_int_equal(retry_reason_code(RETRY_TRUNCATED), GLM_EHTTP);
	assert_int_equal(retry_reason_code(RETRY_REFUSED), GLM_ECONNECT);
	assert_int_equal(retry_reason_code(RETRY_RESET), GLM_ECONNECT);
	assert_int_equal(retry_reason_code(RETRY_TIMEOUT), GLM_ECONNECT);
	assert_int_equal(retry_reason_code(RETRY_INVALID_JSON), GLM_EPARSE);
}

static void test_sleep_stops(void **state)
{
	(void)state;
	assert_int_equal(retry_sleep(0.001), 0);
	assert_int_equal(retry_sleep(-1), 0);
	/* a stop asked before or during the wait ends it */
	signals_caught = SIGTERM;
	assert_int_equal(retry_sleep(30), GLM_EINTR);
	assert_int_equal(retry_sleep(0), GLM_EINTR);
	signals_caught = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_status), cmocka_unit_test(test_classify_curl),
		cmocka_unit_test(test_backoff_bounds),	cmocka_unit_test(test_backoff_custom),
		cmocka_unit_test(test_messages),	cmocka_unit_test(test_reason_codes),
		cmocka_unit_test(test_sleep_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
