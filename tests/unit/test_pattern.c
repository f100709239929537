/* pattern: gitlabber's glob language, its embedded regular expressions, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "pattern.h"

struct match_case {
	const char *pattern, *subject;
	int expect;
};

static void check_cases(const struct match_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pattern *p = NULL;
		int rc = pattern_compile(&p, cases[i].pattern);

		if (rc != 0)
			fail_msg("'%s' did not compile: %s", cases[i].pattern, glm_error_msg());
		if (pattern_match(p, cases[i].subject) != cases[i].expect)
			fail_msg("'%s' against '%s': expected %d", cases[i].pattern,
				 cases[i].subject, cases[i].expect);
		pattern_free(p);
	}
}

/* The rules gitlabber.md lists for globre. */
static void test_glob_rules(void **state)
{
	static const struct match_case cases[] = {
		{ "/a/**", "/a", 0 },
		{ "/a/**", "/a/", 1 },
		{ "/a/**", "/a/b/c", 1 },
		{ "/a**", "/a", 1 },
		{ "/a**", "/ab", 1 },
		{ "/a**", "/a/b", 1 },
		{ "/a**", "/b", 0 },
		{ "/a/*", "/a/b", 1 },
		{ "/a/*", "/a/b/c", 0 },
		{ "/a/*", "/a/", 1 },
		{ "/a/?", "/a/b", 1 },
		{ "/a/?", "/a/bc", 0 },
		{ "/a?b", "/a/b", 0 },
		{ "**", "", 1 },
		{ "**", "/any/thing", 1 },
		{ "*", "/x", 0 },
		{ "", "", 1 },
		{ "", "/a", 0 },
		{ "/Group/project", "/Group/project", 1 },
		{ "/Group/project", "/Group/project2", 0 },
		{ "/Group/project", "/group/project", 0 }, /* case-sensitive */
		{ "/My Group/**", "/My Group/Sub Group/p", 1 },
		{ "/*/x", "/a/x", 1 },
		{ "/*/x", "/a/b/x", 0 },
		{ "/**/x", "/a/b/x", 1 },
		{ "/**/x", "/x", 0 },
		{ "/[ab]c", "/bc", 1 },
		{ "/[ab]c", "/cc", 0 },
		{ "/[^ab]c", "/cc", 1 },
		{ "/[a-c]", "/b", 1 },
		{ "/[]]", "/]", 1 },
		{ "/[\\]x]", "/x", 1 },
		{ "/[\\d]", "/7", 1 },
		{ "/x\\*", "/x*", 1 },
		{ "/x\\*", "/xy", 0 },
		{ "/x\\?", "/x?", 1 },
		{ "/a.b", "/a.b", 1 },
		{ "/a.b", "/axb", 0 }, /* '.' is literal outside {...} */
		{ "/a+b", "/a+b", 1 },
		{ "/a(b)", "/a(b)", 1 },
		{ "/a|b", "/a|b", 1 },
		{ "/a$", "/a$", 1 },
		{ "/a^", "/a^", 1 },
		{ "/}", "/}", 1 },
		{ "/]", "/]", 1 },
	};

	(void)state;
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_embedded_regex(void **state)
{
	static const struct match_case cases[] = {
		/* README's "case insensitive w": in fact a lower-case w first. */
		{ "/{[w].*}", "/web/app", 1 },
		{ "/{[w].*}", "/Web/app", 0 },
		{ "/{foo|bar}/**", "/bar/x", 1 },
		{ "/{foo|bar}/**", "/baz/x", 0 },
		{ "/{(?:ab)+}", "/ababab", 1 },
		{ "/{(ab)+}", "/aba", 0 },
		{ "/{a?b*c+}", "/bbc", 1 },
		{ "/{a?b*c+}", "/ab", 0 },
		{ "/{a*?}x", "/aaax", 1 },
		{ "/{\\d+}", "/2024", 1 },
		{ "/{\\d+}", "/20x", 0 },
		{ "/{\\w+}", "/a_1", 1 },
		{ "/{\\W}", "/-", 1 },
		{ "/{\\s}", "/ ", 1 },
		{ "/{\\.}", "/.", 1 },
		{ "/{\\.}", "/x", 0 },
		{ "/{.}", "/\n", 0 },
		{ "{^/a$}", "/a", 1 },
		{ "/{}x", "/x", 1 },
		{ "/{a|}", "/", 1 },
		{ "/{\\x41\\u00fc}", "/A\xc3\xbc", 1 },
		{ "/{[^/]+}", "/a/b", 0 },
	};

	(void)state;
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* '?' and '*' count characters, not bytes, as Python does. */
static void test_unicode(void **state)
{
	static const struct match_case cases[] = {
		{ "/?", "/\xc3\xbc", 1 },		    /* ü */
		{ "/?", "/\xf0\x9f\x99\x82", 1 },	    /* 🙂 */
		{ "/??", "/\xe6\x97\xa5", 0 },		    /* 日 is one character */
		{ "/[\xc3\xa4-\xc3\xbc]", "/\xc3\xb6", 1 }, /* [ä-ü] has ö */
		{ "/Gr\xc3\xbcn/*", "/Gr\xc3\xbcn/x", 1 },
		{ "/?", "/\xff", 1 }, /* an invalid byte is one character */
		{ "/[a]", "/\xff", 0 },
	};

	(void)state;
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void expect_bad(const char *text, const char *words)
{
	struct pattern *p = (struct pattern *)0x1;

	assert_int_equal(pattern_compile(&p, text), GLM_EUSAGE);
	assert_null(p);
	if (strstr(glm_error_msg(), words) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", text, glm_error_msg(), words);
}

static void test_bad_patterns_name_themselves(void **state)
{
	char big[PATTERN_MAX_LEN + 2], deep[200];
	size_t i;

	(void)state;
	expect_bad("/a\\", "bad pattern '/a\\': dangling");
	expect_bad("/[ab", "bad pattern '/[ab': unclosed '['");
	expect_bad("/{ab", "unclosed '{'");
	expect_bad("/{a(b}", "unbalanced '('");
	expect_bad("/{a)b}", "unbalanced ')'");
	expect_bad("/{*a}", "nothing to repeat");
	expect_bad("/{a**}", "multiple repeat");
	expect_bad("/{(?=a)}", "'(?:'");
	expect_bad("/{\\1}", "unsupported escape");
	expect_bad("/{\\b}", "unsupported escape");
	expect_bad("/[z-a]", "bad character range");
	expect_bad("/{\\x4}", "escape");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_bad(big, "too long");
	deep[0] = '{';
	for (i = 1; i <= 40; i++)
		deep[i] = '(';
	for (; i <= 80; i++)
		deep[i] = ')';
	deep[i++] = '}';
	deep[i] = '\0';
	expect_bad(deep, "nested too deeply");
}

/*
 * Patterns that make backtracking matchers take exponential time are
 * linear here: this finishes at once instead of after years.
 */
static void test_no_exponential_blowup(void **state)
{
	char pat[PATTERN_MAX_LEN + 1] = "", subject[4097];
	struct pattern *p;
	size_t i;

	(void)state;
	for (i = 0; i < 60; i++)
		strcat(pat, "**a");
	memset(subject, 'a', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '\0';
	subject[sizeof(subject) - 2] = 'b';
	assert_int_equal(pattern_compile(&p, pat), 0);
	assert_int_equal(pattern_match(p, subject), 0);
	subject[sizeof(subject) - 2] = 'a';
	assert_int_equal(pattern_match(p, subject), 1);
	pattern_free(p);

	assert_int_equal(pattern_compile(&p, "{(a*)*(a*)*(a|aa)*b}"), 0);
	subject[sizeof(subject) - 2] = 'c';
	assert_int_equal(pattern_match(p, subject), 0);
	pattern_free(p);
}

static void test_literal_prefix(void **state)
{
	static const struct {
		const char *pattern, *prefix;
	} cases[] = {
		{ "/MyGroup/Sub/**", "/MyGroup/Sub" },
		{ "/MyGroup/**", "/MyGroup" },
		{ "/MyGroup**", "" },
		{ "/a/b*", "/a" },
		{ "/a/b/c", "/a/b" },
		{ "**", "" },
		{ "/My Group/x?", "/My Group" },
		{ "/a/\\*/b", "/a" },
		{ "/a/{b}/c", "/a" },
		{ "/a/[b]/c", "/a" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pattern *p;

		assert_int_equal(pattern_compile(&p, cases[i].pattern), 0);
		assert_string_equal(pattern_literal_prefix(p), cases[i].prefix);
		assert_string_equal(pattern_text(p), cases[i].pattern);
		pattern_free(p);
	}
	pattern_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_rules),
		cmocka_unit_test(test_embedded_regex),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_bad_patterns_name_themselves),
		cmocka_unit_test(test_no_exponential_blowup),
		cmocka_unit_test(test_literal_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
