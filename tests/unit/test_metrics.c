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

/* What metrics_format writes for m, as a string in buf. */
static void format(const struct metrics_run *m, char *buf, size_t size)
{
	FILE *f = fopen(path, "w+");
	size_t n;

	assert_non_null(f);
	assert_int_equal(metrics_format(f, m, 0), 0);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
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
	static const char *const absent[] = {
		"glmirror_api_requests_total",
		"glmirror_api_retries_total",
		"glmirror_projects_total",
		"glmirror_sync_retries_total",
		"glmirror_ratelimit_wait_seconds_total",
		"glmirror_last_success",
	};
	struct metrics_run m;
	char buf[8192];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.exit_code = 2;
	format(&m, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nglmirror_run_exit_code 2\n"));
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(strstr(buf, absent[i]));
}

/* The waits of the crawl's and the sync's workers are one sum; each status class its sample. */
static void test_waits_add_up_and_every_class_has_a_sample(void **state)
{
	static const char *const lines[] = {
		"\nglmirror_api_requests_total{class=\"2xx\"} 7\n",
		"\nglmirror_api_requests_total{class=\"4xx\"} 0\n",
		"\nglmirror_api_requests_total{class=\"error\"} 2\n",
		"\nglmirror_api_retries_total 3\n",
		"\nglmirror_sync_retries_total 4\n",
		"\nglmirror_ratelimit_wait_seconds_total 1.75\n",
	};
	struct metrics_run m;
	char buf[8192];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.crawled = m.synced = 1;
	m.crawl.answers[SHM_ANSWER_2XX] = 7;
	m.crawl.answers[SHM_ANSWER_NONE] = 2;
	m.crawl.retries = 3;
	m.crawl.ratelimit_wait_s = 1.25;
	m.sync.retries = 4;
	m.sync.ratelimit_wait_s = 0.5;
	format(&m, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_non_null(strstr(buf, lines[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_success_is_read_back),
		cmocka_unit_test(test_a_failed_run_carries_the_last_success_over),
		cmocka_unit_test(test_without_crawl_and_sync_their_metrics_are_absent),
		cmocka_unit_test(test_waits_add_up_and_every_class_has_a_sample),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
