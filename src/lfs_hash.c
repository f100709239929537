/* SHA-256 through OpenSSL's EVP interface (lfs_hash.h). */
#include "lfs_hash.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "error.h"

int lfs_hash_init(struct lfs_hash *h)
{
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		lfs_hash_release(h);
		return glm_error_set(GLM_ENOMEM, "SHA-256: cannot start a digest");
	}
	return 0;
}

int lfs_hash_update(struct lfs_hash *h, const void *data, size_t len)
{
	if (EVP_DigestUpdate(h->ctx, data, len) != 1)
		return glm_error_set(GLM_ERR, "SHA-256: digest update failed");
	return 0;
}

int lfs_hash_final(struct lfs_hash *h, char hex[LFS_OID_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, md, &n) == 1 && n * 2 == LFS_OID_LEN;

	lfs_hash_release(h);
	if (!ok)
		return glm_error_set(GLM_ERR, "SHA-256: digest failed");
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

void lfs_hash_release(struct lfs_hash *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}
