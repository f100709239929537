/* sync_shard: the stable hash and the split into disjoint, complete shards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sync_shard.h"

static void test_hash_is_fnv1a_64(void **state)
{
	(void)state;
	/* Published FNV-1a 64 test vectors: a tree file synced anywhere splits the same way. */
	assert_true(sync_shard_hash("") == 0xcbf29ce484222325ull);
	assert_true(sync_shard_hash("a") == 0xaf63dc4c8601ec8cull);
	assert_true(sync_shard_hash("foobar") == 0x85944171f73967e8ull);
}

static void test_shards_partition(void **state)
{
	char path[64];
	int n, k, i, count[7] = { 0 };

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "group-%d/sub/project-%d", i % 17, i);
		for (n = 1; n <= 7; n++) {
			int owners = 0;

			for (k = 0; k < n; k++)
				owners += sync_shard_mine(path, k, n);
			assert_int_equal(owners, 1);
		}
		for (k = 0; k < 7; k++)
			count[k] += sync_shard_mine(path, k, 7);
		assert_true(sync_shard_mine(path, 0, 0));
	}
	/* Roughly even: every shard of 7 gets 3000/7 = 428 +- 25 %. */
	for (k = 0; k < 7; k++)
		assert_in_range(count[k], 321, 535);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_is_fnv1a_64),
		cmocka_unit_test(test_shards_partition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
