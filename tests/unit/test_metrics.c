/* metrics: the last success is read back from the previous file; what a run without sync writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"

static char path[] = "/tmp/glmirror-test-metrics-XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void put(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_last_success_is_read_back(void **state)
{
	(void)state;
	put("# HELP glmirror_last_success_timestamp_seconds x\n"
	    "glmirror_last_success_timestamp_seconds_other 5\n"
	    "glmirror_last_success_timestamp_seconds 1765000000.25\n");
	assert_true(metrics_last_success(path) == 1765000000.25);
	put("glmirror_last_success_timestamp_seconds garbage\n");
	assert_true(metrics_last_success(path) == 0);
	put("glmirror_last_success_timestamp_seconds -3\n");
	assert_true(metrics_last_success(path) == 0);
	put("");
	assert_true(metrics_last_success(path) == 0);
	assert_true(metrics_last_success("/nonexistent/glmirror.prom") == 0);
}

static void test_a_failed_run_carries_the_last_success_over(void **state)
{
	struct metrics_run m;
	double prev = 1765000000.5;
	char line[128];

	(void)state;
	snprintf(line, sizeof(line), "glmirror_last_success_timestamp_seconds %.17g\n", prev);
	put(line);
	memset(&m, 0, sizeof(m));
	m.start = 1765100000;
	m.end = 1765100010;
	m.exit_code = 3;
	assert_int_equal(metrics_write(path, &m), 0);
	assert_true(metrics_last_success(path) == prev);
	m.exit_code = 0;
	assert_int_equal(metrics_write(path, &m), 0);
	assert_true(metrics_last_success(path) == m.end);
}

static void test_without_crawl_and_sync_their_metrics_are_absent(void **state)
{
	struct metrics_run m;
	char buf[8192];
	FILE *f;
	size_t n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.exit_code = 2;
	f = fopen(path, "w+");
	assert_non_null(f);
	assert_int_equal(metrics_format(f, &m, 0), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\nglmirror_run_exit_code 2\n"));
	assert_null(strstr(buf, "glmirror_api_requests_total"));
	assert_null(strstr(buf, "glmirror_projects_total"));
	assert_null(strstr(buf, "glmirror_last_success"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_success_is_read_back),
		cmocka_unit_test(test_a_failed_run_carries_the_last_success_over),
		cmocka_unit_test(test_without_crawl_and_sync_their_metrics_are_absent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
