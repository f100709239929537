/* buf: the cap holds exactly, one byte over is refused intact, growth keeps the bytes, NUL after
 * them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"

static void test_cap_reached_exactly(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_add(&b, "abcd", 4), 0);
	assert_int_equal(buf_room(&b), 4);
	assert_int_equal(buf_add(&b, "efgh", 4), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_room(&b), 0);
	assert_string_equal(b.data, "abcdefgh");
	/* The cap bounds the memory too: 8 bytes and the NUL. */
	assert_int_equal(b.cap, 9);
	buf_release(&b);
}

static void test_one_byte_over_is_refused_and_changes_nothing(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_add(&b, "abcdef", 6), 0);
	assert_int_equal(buf_add(&b, "xyz", 3), GLM_ELIMIT);
	assert_int_equal(glm_error_code(), GLM_ELIMIT);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abcdef");
	/* What still fits is taken after a refusal. */
	assert_int_equal(buf_add(&b, "xy", 2), 0);
	assert_string_equal(b.data, "abcdefxy");
	assert_int_equal(buf_add(&b, "z", 1), GLM_ELIMIT);
	assert_string_equal(b.data, "abcdefxy");
	buf_release(&b);
}

static void test_zero_length(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_null(b.data);
	/* An empty add leaves an empty string, not NULL. */
	assert_int_equal(buf_add(&b, NULL, 0), 0);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_add(&b, "abcd", 4), 0);
	assert_int_equal(buf_add(&b, NULL, 0), 0);
	assert_string_equal(b.data, "abcd");
	buf_release(&b);
	/* A buffer capped at zero takes only empty adds. */
	buf_init(&b, 0);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_add(&b, "a", 1), GLM_ELIMIT);
	buf_release(&b);
}

static void test_growth_keeps_the_bytes(void **state)
{
	struct buf b;
	unsigned char chunk[7];
	size_t i, j, last_cap = 0, growths = 0;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 10000; i++) {
		for (j = 0; j < sizeof(chunk); j++)
			chunk[j] = (unsigned char)(i * 7 + j);
		assert_int_equal(buf_add(&b, chunk, sizeof(chunk)), 0);
		assert_true(b.cap > b.len);
		assert_int_equal(b.data[b.len], '\0');
		if (b.cap != last_cap)
			growths++;
		last_cap = b.cap;
	}
	assert_int_equal(b.len, 70000);
	for (i = 0; i < b.len; i++)
		assert_int_equal((unsigned char)b.data[i], (unsigned char)i);
	/* Doubling, not a step per add: 70 KB from a small start in a few steps. */
	assert_true(growths < 16);
	buf_release(&b);
}

static void test_reset_truncate_release(void **state)
{
	struct buf b;
	char *mem;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_add(&b, "hello, world", 12), 0);
	buf_truncate(&b, 5);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "hello");
	buf_truncate(&b, 9); /* never lengthens */
	assert_string_equal(b.data, "hello");
	mem = b.data;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_ptr_equal(b.data, mem);
	assert_int_equal(buf_room(&b), 16);
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	/* Released, it is empty with the same cap. */
	assert_int_equal(buf_room(&b), 16);
	assert_int_equal(buf_add(&b, "0123456789abcdef", 16), 0);
	assert_int_equal(buf_add(&b, "!", 1), GLM_ELIMIT);
	buf_release(&b);
	buf_reset(&b); /* empty and unallocated: nothing to do */
	assert_null(b.data);
}

static void test_huge_max_is_bounded(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, SIZE_MAX);
	assert_int_equal(b.max, SIZE_MAX / 2);
	assert_int_equal(buf_add(&b, "x", 1), 0);
	assert_string_equal(b.data, "x");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_reached_exactly),
		cmocka_unit_test(test_one_byte_over_is_refused_and_changes_nothing),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_growth_keeps_the_bytes),
		cmocka_unit_test(test_reset_truncate_release),
		cmocka_unit_test(test_huge_max_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
