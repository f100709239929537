/* --shard K/N (sync_shard.h). */
#include "sync_shard.h"

#include <stddef.h>

uint64_t sync_shard_hash(const char *full_path)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)full_path; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h;
}

int sync_shard_mine(const char *full_path, int k, int n)
{
	if (n <= 0)
		return 1;
	return sync_shard_hash(full_path != NULL ? full_path : "") % (uint64_t)n == (uint64_t)k;
}
