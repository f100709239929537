/*
 * Git LFS pointer files (Git LFS spec docs/spec.md): the small text a
 * repository holds instead of a large file, naming the object by its
 * SHA-256 and size.
 */
#ifndef GLM_LFS_POINTER_H
#define GLM_LFS_POINTER_H

#include <stddef.h>
#include <stdint.h>

#define LFS_POINTER_MAX 1024 /* the spec: a pointer is smaller than this */
#define LFS_OID_LEN	64   /* hex digits of a SHA-256 */

struct lfs_pointer {
	char oid[LFS_OID_LEN + 1]; /* lower-case hex */
	uint64_t size;
};

/* 1 and *out set when buf is a pointer, 0 when it is anything else. */
int lfs_pointer_parse(const char *buf, size_t len, struct lfs_pointer *out);

/* The pointer text of an object, as git-lfs writes it; returns its length. */
size_t lfs_pointer_format(const struct lfs_pointer *p, char *buf, size_t size);

#endif
