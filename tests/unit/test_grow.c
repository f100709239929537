/* grow_array: doubling from the first capacity, no change while there is room, overflow refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "grow.h"

static void test_doubles_and_keeps_contents(void **state)
{
	int *a = NULL, *g;
	size_t cap = 0, n;

	(void)state;
	for (n = 0; n < 100; n++) {
		g = grow_array(a, &cap, n, sizeof(*a), 4);
		assert_non_null(g);
		a = g;
		a[n] = (int)n;
		assert_true(cap > n);
	}
	assert_int_equal(cap, 128); /* 4, 8, ..., 128 */
	for (n = 0; n < 100; n++)
		assert_int_equal(a[n], (int)n);
	/* room left: the same array, the same capacity */
	assert_ptr_equal(grow_array(a, &cap, 100, sizeof(*a), 4), a);
	assert_int_equal(cap, 128);
	free(a);
}

static void test_overflow_is_refused_and_keeps_the_array(void **state)
{
	char *a = malloc(8);
	size_t cap = SIZE_MAX / 2 + 1;

	(void)state;
	assert_non_null(a);
	assert_null(grow_array(a, &cap, cap, 1, 4));
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_and_keeps_contents),
		cmocka_unit_test(test_overflow_is_refused_and_keeps_the_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
