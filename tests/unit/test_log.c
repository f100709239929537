/* log: the JSON lines of --log-format json parse whatever the message holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "log.h"
#include "stderr_capture.h"

/* Runs log_error(fmt, arg) with stderr captured; returns the parsed line (caller owns). */
static cJSON *logged(const char *arg)
{
	struct stderr_capture cap;
	char *text;
	size_t n;
	cJSON *o;

	stderr_capture_start(&cap);
	log_error("m:%s", arg);
	text = stderr_capture_end(&cap);
	n = strlen(text);
	assert_true(n > 0);
	assert_int_equal(text[n - 1], '\n');
	assert_ptr_equal(strchr(text, '\n'), text + n - 1); /* one line */
	o = cJSON_Parse(text);
	free(text);
	assert_non_null(o);
	return o;
}

static const char *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void test_escapes_and_bad_utf8(void **state)
{
	cJSON *o;

	(void)state;
	log_init("supervisor", LOG_INFO);
	log_set_json(1);
	o = logged("q\" b\\ nl\n tab\t del\x7f bad\xff\xc3 ok\xc3\xa9\xe6\x97\xa5");
	assert_string_equal(field(o, "message"),
			    "m:q\" b\\ nl\n tab\t del\x7f bad\xef\xbf\xbd\xef\xbf\xbd "
			    "ok\xc3\xa9\xe6\x97\xa5");
	assert_string_equal(field(o, "level"), "error");
	assert_string_equal(field(o, "event"), "logged");
	assert_string_equal(field(o, "role"), "supervisor");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "project")));
	cJSON_Delete(o);
	log_set_json(0);
}

static void test_project_and_secret(void **state)
{
	cJSON *o;

	(void)state;
	log_init("sync-1", LOG_INFO);
	log_set_json(1);
	log_add_secret("glpat-verysecret");
	log_set_project("acme/\"odd\"");
	o = logged("token glpat-verysecret here");
	assert_string_equal(field(o, "message"), "m:token [REDACTED] here");
	assert_string_equal(field(o, "project"), "acme/\"odd\"");
	assert_string_equal(field(o, "role"), "sync-1");
	cJSON_Delete(o);
	log_set_project(NULL);
	log_set_json(0);
}

/* A message of control characters grows six times when escaped: cut, still one object. */
static void test_long_message_is_cut_but_parses(void **state)
{
	char *big = malloc(20000);
	cJSON *o;

	(void)state;
	assert_non_null(big);
	memset(big, '\x01', 19999);
	big[19999] = '\0';
	log_init("supervisor", LOG_INFO);
	log_set_json(1);
	o = logged(big);
	assert_true(strlen(field(o, "message")) > 1000);
	cJSON_Delete(o);
	log_set_json(0);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_and_bad_utf8),
		cmocka_unit_test(test_project_and_secret),
		cmocka_unit_test(test_long_message_is_cut_but_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
