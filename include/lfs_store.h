/*
 * Where git-lfs keeps objects: <git dir>/lfs/objects/<o1>/<o2>/<oid> (a
 * checkout's .git/lfs/..., a bare mirror's lfs/...).  An object is written
 * to <git dir>/lfs/tmp/ and renamed into place only once verified, so a
 * file in objects/ is always complete.
 */
#ifndef GLM_LFS_STORE_H
#define GLM_LFS_STORE_H

#include <git2.h>
#include <stddef.h>

#include "lfs_pointer.h"

#define LFS_STORE_PATH_MAX 4096

/* The object's final path. */
int lfs_store_path(git_repository *repo, const char *oid, char *buf, size_t size);
/* 1 when the object is stored with the pointer's size, else 0. */
int lfs_store_has(git_repository *repo, const struct lfs_pointer *p);
/* A new temporary file for oid; *fd (caller closes) and tmp (its path) are set. */
int lfs_store_create(git_repository *repo, const char *oid, int *fd, char *tmp, size_t size);
/* Renames a verified temporary file into place. */
int lfs_store_commit(git_repository *repo, const char *oid, const char *tmp);

#endif
