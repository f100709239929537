/*
 * The option table: every row is complete for its kind, names and letters are
 * unique, and for every option with an environment variable the variable
 * applies alone and the option beats it (the row's own field is read back).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"
#include "options_table.h"

static int clear_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < options_table_len; i++)
		if (options_table[i].env != NULL)
			unsetenv(options_table[i].env);
	return 0;
}

static void test_rows_are_complete_and_unique(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(options_table_len > 0 && options_table_len <= OPTIONS_TABLE_MAX);
	assert_non_null(options_table[0].heading);
	for (i = 0; i < options_table_len; i++) {
		const struct options_row *r = &options_table[i];

		assert_non_null(r->name);
		assert_non_null(r->help);
		assert_true(r->help[0] != '\0');
		for (j = 0; j < i; j++) {
			assert_string_not_equal(r->name, options_table[j].name);
			assert_false(r->letter != 0 && r->letter == options_table[j].letter);
		}
		/* A variable or a typed setter needs a value to set. */
		if (r->env != NULL || r->kind >= OPTIONS_STRING)
			assert_true(r->arg != NULL || r->kind == OPTIONS_CALL);
		if (r->env != NULL)
			assert_memory_equal(r->env, "GITLAB", 6);
		switch (r->kind) {
		case OPTIONS_INT:
			assert_true(r->lo < r->hi);
			break;
		case OPTIONS_CHOICE:
			assert_non_null(r->names);
			assert_non_null(r->names[0]);
			assert_non_null(r->names[1]);
			break;
		case OPTIONS_PATTERNS:
			assert_true(r->count != r->field);
			break;
		case OPTIONS_CALL:
			assert_non_null(r->call);
			break;
		default:
			break;
		}
	}
}

/* Parses "-p -t TOKEN [-u URL] [--NAME VALUE]" with the row's variable set to env_value. */
static int parse_row(struct options *o, const struct options_row *r, const char *env_value,
		     const char *value)
{
	char opt[64], *argv[8];
	int argc = 0, exit_now = 0;

	argv[argc++] = "glmirror";
	argv[argc++] = "-p";
	argv[argc++] = "-t";
	argv[argc++] = "tok-123456";
	if (strcmp(r->name, "url") != 0) {
		argv[argc++] = "-u";
		argv[argc++] = "http://h";
	}
	if (value != NULL) {
		snprintf(opt, sizeof(opt), "--%s", r->name);
		argv[argc++] = opt;
		argv[argc++] = (char *)value;
	}
	setenv(r->env, env_value, 1);
	return options_parse(o, argc, argv, &exit_now);
}

/* The row's field in o holds want_int (integers and choices) or want_str. */
static void assert_field(const struct options *o, const struct options_row *r, int want_int,
			 const char *want_str)
{
	const char *field = (const char *)o + r->field;

	if (r->kind == OPTIONS_INT || r->kind == OPTIONS_CHOICE)
		assert_int_equal(*(const int *)field, want_int);
	else
		assert_string_equal(*(char *const *)field, want_str);
}

static void test_every_variable_applies_and_loses_to_its_option(void **state)
{
	size_t i, tested = 0;

	(void)state;
	for (i = 0; i < options_table_len; i++) {
		const struct options_row *r = &options_table[i];
		const char *from_env, *from_opt;
		char int_env[16], int_opt[16];
		struct options o;

		if (r->env == NULL)
			continue;
		if (r->kind == OPTIONS_INT) {
			snprintf(int_env, sizeof(int_env), "%d", r->lo);
			snprintf(int_opt, sizeof(int_opt), "%d", r->hi);
			from_env = int_env;
			from_opt = int_opt;
		} else if (r->kind == OPTIONS_CHOICE) {
			from_env = r->names[1];
			from_opt = r->names[0];
		} else if (r->kind == OPTIONS_STRING || r->kind == OPTIONS_PATTERNS) {
			from_env = "http://env.example.com";
			from_opt = "http://opt.example.com";
		} else {
			continue; /* tokens and rates: test_options.c */
		}
		assert_int_equal(parse_row(&o, r, from_env, NULL), 0);
		assert_field(&o, r, r->kind == OPTIONS_INT ? r->lo : 1, from_env);
		options_release(&o);
		assert_int_equal(parse_row(&o, r, from_env, from_opt), 0);
		assert_field(&o, r, r->kind == OPTIONS_INT ? r->hi : 0, from_opt);
		options_release(&o);
		unsetenv(r->env);
		tested++;
	}
	assert_true(tested >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_complete_and_unique),
		cmocka_unit_test_setup(test_every_variable_applies_and_loses_to_its_option,
				       clear_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
