/* SHA-256 of Git LFS objects, with OpenSSL's libcrypto (EVP). */
#ifndef GLM_LFS_HASH_H
#define GLM_LFS_HASH_H

#include <stddef.h>

#include "lfs_pointer.h"

struct lfs_hash {
	void *ctx; /* EVP_MD_CTX, owned */
};

int lfs_hash_init(struct lfs_hash *h);
int lfs_hash_update(struct lfs_hash *h, const void *data, size_t len);
/* The lower-case hex digest into hex; releases the context. */
int lfs_hash_final(struct lfs_hash *h, char hex[LFS_OID_LEN + 1]);
void lfs_hash_release(struct lfs_hash *h); /* accepts a finished or unstarted one */

#endif
