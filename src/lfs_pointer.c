/* Reading and writing Git LFS pointer files (lfs_pointer.h). */
#include "lfs_pointer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* git-lfs still reads pointers of its first releases, named "hawser". */
static const char *const lfs_pointer_versions[] = {
	"version https://git-lfs.github.com/spec/v1\n",
	"version https://hawser.github.com/spec/v1\n",
};

static int lfs_pointer_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* One "key value\n" line after the version; 0 when it is not well formed. */
static int lfs_pointer_line(const char *line, size_t n, struct lfs_pointer *out, int *seen)
{
	static const char oid_key[] = "oid sha256:", size_key[] = "size ";
	uint64_t size = 0;

	if (n == sizeof(oid_key) - 1 + LFS_OID_LEN &&
	    memcmp(line, oid_key, sizeof(oid_key) - 1) == 0 &&
	    lfs_pointer_hex(line + sizeof(oid_key) - 1, LFS_OID_LEN)) {
		memcpy(out->oid, line + sizeof(oid_key) - 1, LFS_OID_LEN);
		out->oid[LFS_OID_LEN] = '\0';
		*seen |= 1;
		return 1;
	}
	if (n > sizeof(size_key) - 1 && memcmp(line, size_key, sizeof(size_key) - 1) == 0) {
		for (size_t i = sizeof(size_key) - 1; i < n; i++) {
			if (line[i] < '0' || line[i] > '9' || size > (UINT64_MAX - 9) / 10)
				return 0;
			size = size * 10 + (uint64_t)(line[i] - '0');
		}
		out->size = size;
		*seen |= 2;
		return 1;
	}
	/* Extension lines ("ext-0-foo sha256:...") are allowed by the spec. */
	return n > 4 && memcmp(line, "ext-", 4) == 0;
}

int lfs_pointer_parse(const char *buf, size_t len, struct lfs_pointer *out)
{
	const char *p = NULL, *end = buf + len;
	int seen = 0;

	if (len >= LFS_POINTER_MAX)
		return 0;
	for (size_t i = 0; i < sizeof(lfs_pointer_versions) / sizeof(char *); i++) {
		size_t n = strlen(lfs_pointer_versions[i]);

		if (len >= n && memcmp(buf, lfs_pointer_versions[i], n) == 0)
			p = buf + n;
	}
	if (p == NULL)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL || !lfs_pointer_line(p, (size_t)(nl - p), out, &seen))
			return 0;
		p = nl + 1;
	}
	return seen == 3;
}

size_t lfs_pointer_format(const struct lfs_pointer *p, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%soid sha256:%s\nsize %" PRIu64 "\n", lfs_pointer_versions[0],
			 p->oid, p->size);

	return n < 0 ? 0 : (size_t)n;
}
