/* options_parse: gitlabber's options and variables, precedence, and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "options.h"

static const char *const env_names[] = {
	"GITLAB_TOKEN",
	"GITLAB_URL",
	"GITLAB_TOKEN_FILE",
	"GITLABBER_FOLDER_NAMING",
	"GITLABBER_CLONE_METHOD",
	"GITLABBER_INCLUDE",
	"GITLABBER_EXCLUDE",
	"GITLABBER_GIT_CONCURRENCY",
	"GITLABBER_API_CONCURRENCY",
	"GITLABBER_API_RATE_LIMIT",
};

static int clear_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		unsetenv(env_names[i]);
	return 0;
}

/* Parses a NULL-terminated argument list after "glmirror". */
static int parse(struct options *o, ...)
{
	char *argv[64];
	int argc = 0, exit_now = 0, rc;
	va_list ap;

	argv[argc++] = "glmirror";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	rc = options_parse(o, argc, argv, &exit_now);
	assert_int_equal(exit_now, 0);
	return rc;
}

static void test_defaults_match_gitlabber(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(
		parse(&o, "-t", "tok-123456", "-u", "https://gl.example.com/", "dest/", NULL), 0);
	assert_string_equal(o.url, "https://gl.example.com");
	assert_string_equal(o.dest, "dest");
	assert_int_equal(o.method, METHOD_SSH);
	assert_int_equal(o.naming, NAMING_NAME);
	assert_int_equal(o.archived, ARCHIVED_INCLUDE);
	assert_int_equal(o.api_concurrency, 5);
	assert_int_equal(o.git_timeout, 300);
	assert_int_equal(o.include_shared, 0);
	assert_true(o.concurrency >= 1);
	options_release(&o);
}

static void test_environment_then_option_precedence(void **state)
{
	struct options o;

	(void)state;
	setenv("GITLAB_TOKEN", "env-token-xyz", 1);
	setenv("GITLAB_URL", "http://env.example.com", 1);
	setenv("GITLABBER_FOLDER_NAMING", "path", 1);
	setenv("GITLABBER_CLONE_METHOD", "http", 1);
	setenv("GITLABBER_GIT_CONCURRENCY", "7", 1);
	setenv("GITLABBER_API_CONCURRENCY", "9", 1);
	setenv("GITLABBER_INCLUDE", " /a** , ,/b ", 1);
	setenv("GITLABBER_EXCLUDE", "/c", 1);
	setenv("GITLABBER_API_RATE_LIMIT", "3600", 1);
	assert_int_equal(parse(&o, "-p", NULL), 0);
	assert_true(o.api_rate > 0.99 && o.api_rate < 1.01);
	assert_string_equal(o.token, "env-token-xyz");
	assert_string_equal(o.url, "http://env.example.com");
	assert_int_equal(o.naming, NAMING_PATH);
	assert_int_equal(o.method, METHOD_HTTP);
	assert_int_equal(o.concurrency, 7);
	assert_int_equal(o.api_concurrency, 9);
	assert_int_equal(o.nincludes, 2);
	assert_string_equal(o.includes[0], "/a**");
	assert_string_equal(o.includes[1], "/b");
	assert_int_equal(o.nexcludes, 1);
	options_release(&o);

	assert_int_equal(parse(&o, "-p", "-t", "cli-token-abc", "-u", "http://cli.example.com",
			       "-n", "name", "-m", "ssh", "-c", "2", "--api-concurrency", "3", "-i",
			       "/z", "--api-rate-limit", "5/s", NULL),
			 0);
	assert_true(o.api_rate > 4.99 && o.api_rate < 5.01);
	assert_string_equal(o.token, "cli-token-abc");
	assert_string_equal(o.url, "http://cli.example.com");
	assert_int_equal(o.naming, NAMING_NAME);
	assert_int_equal(o.method, METHOD_SSH);
	assert_int_equal(o.concurrency, 2);
	assert_int_equal(o.api_concurrency, 3);
	assert_int_equal(o.nincludes, 1);
	assert_string_equal(o.includes[0], "/z");
	options_release(&o);
}

static void test_token_file(void **state)
{
	char path[] = "/tmp/glm-token-XXXXXX";
	struct options o;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "  file-token-777 \nsecond line\n", 30), 30);
	close(fd);
	setenv("GITLAB_TOKEN", "env-token-xyz", 1);
	assert_int_equal(parse(&o, "-p", "-u", "http://h", "--token-file", path, NULL), 0);
	assert_string_equal(o.token, "file-token-777");
	options_release(&o);
	unsetenv("GITLAB_TOKEN");
	setenv("GITLAB_TOKEN_FILE", path, 1);
	assert_int_equal(parse(&o, "-p", "-u", "http://h", NULL), 0);
	assert_string_equal(o.token, "file-token-777");
	options_release(&o);
	unlink(path);
	assert_int_equal(parse(&o, "-p", "-u", "http://h", NULL), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "token file"));
	options_release(&o);
}

static void test_git_options_split_like_gitlabber(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(
		parse(&o, "-p", "-t", "tok-123456", "-u", "http://h", "-o", "\\-\\-depth=1,", NULL),
		0);
	assert_int_equal(o.ngit_options, 1);
	assert_string_equal(o.git_options[0], "--depth=1");
	options_release(&o);
	assert_int_equal(parse(&o, "-p", "-t", "tok-123456", "-u", "http://h", "-o",
			       "--branch 'my branch',--no-checkout", NULL),
			 0);
	assert_int_equal(o.ngit_options, 3);
	assert_string_equal(o.git_options[1], "my branch");
	assert_string_equal(o.git_options[2], "--no-checkout");
	options_release(&o);
}

static void test_rates_sizes_shards(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, "-p", "-t", "tok-123456", "-u", "http://h", "--api-rate-limit",
			       "7200", "--max-response-size", "2M", "--shard", "2/3", NULL),
			 0);
	assert_true(o.api_rate > 1.99 && o.api_rate < 2.01);
	assert_int_equal(o.max_body, 2 << 20);
	assert_int_equal(o.shard_k, 2);
	assert_int_equal(o.shard_n, 3);
	options_release(&o);
	assert_int_equal(parse(&o, "-p", "-t", "tok-123456", "-u", "http://h", "--api-rate-limit",
			       "10/s", "--git-timeout", "45", NULL),
			 0);
	assert_true(o.api_rate > 9.99 && o.api_rate < 10.01);
	assert_int_equal(o.git_timeout, 45);
	options_release(&o);
}

static void test_bad_input_is_a_usage_error(void **state)
{
	static const char *const cases[][3] = {
		{ "-c", "0", "--concurrency" },
		{ "-c", "129", "--concurrency" },
		{ "--api-concurrency", "65", "--api-concurrency" },
		{ "-m", "ftp", "--method" },
		{ "-n", "slug", "--naming" },
		{ "-a", "maybe", "--archived" },
		{ "--print-format", "xml", "--print-format" },
		{ "--shard", "3/3", "--shard" },
		{ "--api-rate-limit", "fast", "--api-rate-limit" },
		{ "-u", "gitlab.example.com", "--url" },
		{ "--api-retries", "-1", "--api-retries" },
		{ "--git-timeout", "0", "--git-timeout" },
	};
	struct options o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&o, "-p", "-t", "tok-123456", "-u", "http://h",
				       (char *)cases[i][0], (char *)cases[i][1], NULL),
				 GLM_EUSAGE);
		assert_non_null(strstr(glm_error_msg(), cases[i][2]));
		options_release(&o);
	}
	setenv("GITLABBER_API_RATE_LIMIT", "fast", 1);
	assert_int_equal(parse(&o, "-p", "-t", "tok-123456", "-u", "http://h", NULL), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "GITLABBER_API_RATE_LIMIT"));
	options_release(&o);
	unsetenv("GITLABBER_API_RATE_LIMIT");
	assert_int_equal(parse(&o, "--bogus", NULL), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "unknown option '--bogus'"));
	options_release(&o);
	assert_int_equal(parse(&o, "-t", "tok-123456", "-u", "http://h", NULL), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "destination"));
	options_release(&o);
	assert_int_equal(parse(&o, "-p", "-t", "tok-123456", NULL), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "URL"));
	options_release(&o);
}

static void test_store_token_takes_no_token_from_the_environment(void **state)
{
	struct options o;

	(void)state;
	setenv("GITLAB_TOKEN", "env-token-xyz", 1);
	assert_int_equal(parse(&o, "--store-token", "-u", "http://h/", NULL), 0);
	assert_true(o.store_token);
	assert_null(o.token);
	assert_string_equal(o.url, "http://h");
	options_release(&o);
	assert_int_equal(parse(&o, "--store-token", "-u", "http://h", "-t", "cli-token-abc", NULL),
			 0);
	assert_string_equal(o.token, "cli-token-abc");
	options_release(&o);
	assert_int_equal(parse(&o, "--store-token", NULL), GLM_EUSAGE);
	assert_non_null(strstr(glm_error_msg(), "--store-token needs the GitLab URL"));
	options_release(&o);
}

static void test_url_normalisation(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, "-p", "-t", "tok-123456", "-u",
			       " https://gl.example.com/gitlab/api/v4/ ", NULL),
			 0);
	assert_string_equal(o.url, "https://gl.example.com/gitlab");
	options_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_match_gitlabber, clear_env),
		cmocka_unit_test_setup(test_environment_then_option_precedence, clear_env),
		cmocka_unit_test_setup(test_token_file, clear_env),
		cmocka_unit_test_setup(test_git_options_split_like_gitlabber, clear_env),
		cmocka_unit_test_setup(test_rates_sizes_shards, clear_env),
		cmocka_unit_test_setup(test_bad_input_is_a_usage_error, clear_env),
		cmocka_unit_test_setup(test_store_token_takes_no_token_from_the_environment,
				       clear_env),
		cmocka_unit_test_setup(test_url_normalisation, clear_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
