/*
 * --shard K/N: a project belongs to shard FNV-1a-64(path_with_namespace)
 * mod N (K counts from 0), so N machines syncing the same tree file split
 * its projects into disjoint sets that together cover all of them.
 */
#ifndef GLM_SYNC_SHARD_H
#define GLM_SYNC_SHARD_H

#include <stdint.h>

uint64_t sync_shard_hash(const char *full_path);
/* 1 when the project is in shard k of n (always when n == 0). */
int sync_shard_mine(const char *full_path, int k, int n);

#endif
