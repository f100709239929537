/*
 * log: the JSON lines of --log-format json parse whatever the message
 * holds; secrets are redacted from every line; log_esc's escapes and cut.
 */
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

/* Each registered secret, wherever it stands in whatever line, and the line never grows. */
static void test_secrets_are_redacted_from_every_line(void **state)
{
	struct stderr_capture cap;
	char line[128], *text;

	(void)state;
	log_init("supervisor", LOG_INFO);
	log_add_secret("glpat-0123456789abcdef");
	log_add_secret("glpat-0123456789abcdef"); /* once is enough */
	log_add_secret("abc");			  /* too short to tell from ordinary text */
	log_add_secret("s3cr");
	snprintf(line, sizeof(line), "a glpat-0123456789abcdef b %s%s c", "glpat-0123456789abcdef",
		 "glpat-0123456789abcdef");
	log_redact(line);
	assert_string_equal(line, "a [REDACTED] b [REDACTED][REDACTED] c");
	/* A secret shorter than the mark gets as much of the mark as it is long. */
	snprintf(line, sizeof(line), "x s3cr abc y");
	log_redact(line);
	assert_string_equal(line, "x [RED abc y");
	/* Messages and the status line alike, whoever put the secret in them. */
	stderr_capture_start(&cap);
	log_error("url https://oauth2:%s@host/x.git", "glpat-0123456789abcdef");
	log_status_line("fetching with s3cr");
	log_status_line(NULL);
	text = stderr_capture_end(&cap);
	assert_null(strstr(text, "glpat-"));
	assert_null(strstr(text, "s3cr"));
	assert_non_null(
		strstr(text, "glmirror: error: url https://oauth2:[REDACTED]@host/x.git\n"));
	assert_non_null(strstr(text, "\r\033[Kfetching with [RED"));
	free(text);
}

static void test_esc_escapes_controls_and_cuts_whole_characters(void **state)
{
	char buf[64], small[16], tiny[4];

	(void)state;
	assert_string_equal(log_esc("a\nb\x1b[2J\x7f", buf, sizeof(buf)), "a\\x0ab\\x1b[2J\\x7f");
	/* UTF-8, bidi controls and invalid bytes pass unchanged. */
	assert_string_equal(log_esc("\xc3\xa9\xff\xe2\x80\xae", buf, sizeof(buf)),
			    "\xc3\xa9\xff\xe2\x80\xae");
	assert_string_equal(log_esc(NULL, buf, sizeof(buf)), "(null)");
	/* Cut once more is left than fits with 8 bytes to spare, with "...". */
	assert_string_equal(log_esc("abcdefghijklmnopq", small, sizeof(small)), "abcdefgh...");
	assert_string_equal(log_esc("abcdefghi", small, sizeof(small)), "abcdefgh...");
	assert_string_equal(log_esc("abcdefgh", small, sizeof(small)), "abcdefgh");
	/* A character the cut would split goes whole. */
	assert_string_equal(log_esc("abcdefg\xc3\xa9xyz", small, sizeof(small)), "abcdefg...");
	assert_string_equal(log_esc("abc", tiny, sizeof(tiny)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_and_bad_utf8),
		cmocka_unit_test(test_project_and_secret),
		cmocka_unit_test(test_long_message_is_cut_but_parses),
		cmocka_unit_test(test_secrets_are_redacted_from_every_line),
		cmocka_unit_test(test_esc_escapes_controls_and_cuts_whole_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
