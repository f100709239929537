/* linkhdr: RFC 8288 parsing, rel="next" only, and the origin and API-prefix checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "linkhdr.h"

#define BASE "https://gitlab.example.com"

/* Asserts linkhdr_next(value, base) succeeds with want (NULL = no next link). */
static void expect_next(const char *value, const char *base, const char *want)
{
	char *got = (char *)"unset";

	assert_int_equal(linkhdr_next(value, base, NULL, &got), 0);
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

/* Asserts linkhdr_next fails with code and a message containing needle. */
static void expect_error(const char *value, const char *base, int code, const char *needle)
{
	char *got = (char *)"unset";

	assert_int_equal(linkhdr_next(value, base, NULL, &got), code);
	assert_null(got);
	assert_non_null(strstr(glm_error_msg(), needle));
}

static void test_gitlab_header(void **state)
{
	(void)state;
	expect_next("<https://gitlab.example.com/api/v4/groups/42/projects?page=2&per_page=100>; "
		    "rel=\"next\", <https://gitlab.example.com/api/v4/groups/42/projects?page=1&"
		    "per_page=100>; rel=\"first\", <https://gitlab.example.com/api/v4/groups/42/"
		    "projects?page=7&per_page=100>; rel=\"last\"",
		    BASE, "/groups/42/projects?page=2&per_page=100");
}

static void test_next_not_first(void **state)
{
	(void)state;
	expect_next("<" BASE "/api/v4/x?page=1>; rel=\"prev\", <" BASE
		    "/api/v4/x?page=3>; rel=next",
		    BASE, "/x?page=3");
}

static void test_no_next(void **state)
{
	(void)state;
	expect_next("<" BASE "/api/v4/x?page=1>; rel=\"first\", <" BASE "/api/v4/x?page=1>; "
		    "rel=\"last\"",
		    BASE, NULL);
	expect_next("", BASE, NULL);
	expect_next("  ,, ", BASE, NULL);
}

static void test_rel_list_case_and_params(void **state)
{
	(void)state;
	/* rel is a list, compared without case; other parameters are skipped. */
	expect_next("<" BASE "/api/v4/a?page=2>; title=\"x, y; z\"; REL=\"last NeXt\"", BASE,
		    "/a?page=2");
	/* only the first rel counts (RFC 8288 3.3) */
	expect_next("<" BASE "/api/v4/a>; rel=prev; rel=next", BASE, NULL);
	/* "nextpage" is not "next" */
	expect_next("<" BASE "/api/v4/a>; rel=\"nextpage\"", BASE, NULL);
	/* a parameter without value, escaped quote */
	expect_next("<" BASE "/api/v4/a?id_after=5>; crossorigin; t=\"a\\\"b\"; rel=next", BASE,
		    "/a?id_after=5");
}

static void test_keyset_and_relative(void **state)
{
	(void)state;
	expect_next("</api/v4/projects?id_after=99&pagination=keyset>; rel=\"next\"", BASE,
		    "/projects?id_after=99&pagination=keyset");
	expect_next("<projects?page=2>; rel=\"next\"", BASE, "/projects?page=2");
}

static void test_prefix_and_port(void **state)
{
	(void)state;
	expect_next("<https://h.example:8443/gitlab/api/v4/groups?page=2>; rel=next",
		    "https://h.example:8443/gitlab", "/groups?page=2");
	/* the default port written out is the same origin; host case does not matter */
	expect_next("<https://GitLab.Example.com:443/api/v4/groups>; rel=next", BASE, "/groups");
	expect_next("<http://127.0.0.1:8080/api/v4/g?page=2>; rel=next", "http://127.0.0.1:8080/",
		    "/g?page=2");
}

static void test_other_origin_refused(void **state)
{
	(void)state;
	expect_error("<https://evil.example/api/v4/groups?page=2>; rel=\"next\"", BASE, GLM_EUNSAFE,
		     "Link rel=next points to another host: https://evil.example/");
	expect_error("<http://gitlab.example.com/api/v4/groups>; rel=next", BASE, GLM_EUNSAFE,
		     "another host");
	expect_error("<https://gitlab.example.com:444/api/v4/groups>; rel=next", BASE, GLM_EUNSAFE,
		     "another host");
	expect_error("<https://user@gitlab.example.com/api/v4/groups>; rel=next", BASE, GLM_EUNSAFE,
		     "another host");
	expect_error("<//evil.example/api/v4/groups>; rel=next", BASE, GLM_EUNSAFE, "another host");
	expect_error("<file:///etc/passwd>; rel=next", BASE, GLM_EUNSAFE, "another host");
	/* the same host, but not the API */
	expect_error("<https://gitlab.example.com/admin>; rel=next", BASE, GLM_EUNSAFE,
		     "points outside the API");
	expect_error("<https://gitlab.example.com/api/v4/../../admin>; rel=next", BASE, GLM_EUNSAFE,
		     "outside the API");
	expect_error("<https://h.example/other/api/v4/x>; rel=next", "https://h.example/gitlab",
		     GLM_EUNSAFE, "outside the API");
}

/* GitLab writes its external_url; the endpoint just asked for is then asked of --url. */
static void test_external_url_rebased(void **state)
{
	char *got = NULL;

	(void)state;
	assert_int_equal(linkhdr_next("<https://gitlab.example.com/api/v4/groups/7/projects?"
				      "page=2&per_page=100>; rel=\"next\"",
				      "http://10.0.0.5:8080",
				      "/groups/7/projects?page=1&per_page=100", &got),
			 0);
	assert_string_equal(got, "/groups/7/projects?page=2&per_page=100");
	free(got);
	/* the external URL's own prefix is not --url's */
	assert_int_equal(
		linkhdr_next("<https://proxy.example/gitlab/api/v4/groups?page=3>; rel=next",
			     "https://gitlab.internal", "/groups?page=2", &got),
		0);
	assert_string_equal(got, "/groups?page=3");
	free(got);
	got = (char *)"unset";
	/* another endpoint, or no API at all, on another origin is still refused */
	assert_int_equal(
		linkhdr_next("<https://evil.example/api/v4/groups/8/projects?page=2>; rel=next",
			     BASE, "/groups/7/projects?page=1", &got),
		GLM_EUNSAFE);
	assert_null(got);
	assert_non_null(strstr(glm_error_msg(), "another host"));
	assert_int_equal(linkhdr_next("<https://evil.example/groups/7/projects?page=2>; rel=next",
				      BASE, "/groups/7/projects", &got),
			 GLM_EUNSAFE);
	assert_int_equal(
		linkhdr_next("<ftp://evil.example/api/v4/groups>; rel=next", BASE, "/groups", &got),
		GLM_EUNSAFE);
	assert_int_equal(linkhdr_next("<https://u:p@evil.example/api/v4/groups>; rel=next", BASE,
				      "/groups", &got),
			 GLM_EUNSAFE);
	assert_int_equal(linkhdr_next("<https://evil.example/api/v4/groups/../admin>; rel=next",
				      BASE, "/groups", &got),
			 GLM_EUNSAFE);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("https://gitlab.example.com/api/v4/x; rel=next", BASE, GLM_EPARSE,
		     "malformed Link header");
	expect_error("<" BASE "/api/v4/x; rel=next", BASE, GLM_EPARSE, "missing '>'");
	expect_error("<" BASE "/api/v4/x>; rel=\"next", BASE, GLM_EPARSE, "unterminated");
	expect_error("<" BASE "/api/v4/x> rel=next", BASE, GLM_EPARSE, "expected ';'");
	expect_error("<" BASE "/api/v4/x>; =next", BASE, GLM_EPARSE, "empty parameter");
	expect_error("<" BASE "/api/v4/x y>; rel=next", BASE, GLM_EPARSE, "not a valid URL");
	expect_error("<" BASE "/api/v4/x\x01>; rel=next", BASE, GLM_EPARSE, "\\x01");
}

static void test_limits(void **state)
{
	char *big, *p;
	int i;

	(void)state;
	big = malloc(LINKHDR_MAX_LEN + 2);
	assert_non_null(big);
	memset(big, ' ', LINKHDR_MAX_LEN + 1);
	big[LINKHDR_MAX_LEN + 1] = '\0';
	expect_error(big, BASE, GLM_ELIMIT, "longer than");
	p = big;
	for (i = 0; i <= LINKHDR_MAX_LINKS; i++, p += 12)
		memcpy(p, "<a>; rel=x, ", 12);
	*p = '\0';
	expect_error(big, BASE, GLM_ELIMIT, "more than");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gitlab_header),
		cmocka_unit_test(test_next_not_first),
		cmocka_unit_test(test_no_next),
		cmocka_unit_test(test_rel_list_case_and_params),
		cmocka_unit_test(test_keyset_and_relative),
		cmocka_unit_test(test_prefix_and_port),
		cmocka_unit_test(test_other_origin_refused),
		cmocka_unit_test(test_external_url_rebased),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
