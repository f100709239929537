/* The --mirror LFS scan's record of complete tips (lfs_scanned.h). */
#include "lfs_scanned.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomicfile.h"
#include "error.h"
#include "grow.h"
#include "lfs_store.h"

#define LFS_SCANNED_FILE "lfs/glmirror-scanned"
#define LFS_SCANNED_MAX	 100000 /* tips kept; more are not read back */

static int lfs_scanned_path(git_repository *repo, char *buf, size_t size)
{
	/* git_repository_path ends with a slash. */
	if (snprintf(buf, size, "%s%s", git_repository_path(repo), LFS_SCANNED_FILE) >= (int)size)
		return glm_error_set(GLM_ELIMIT, "LFS: the repository's path is too long");
	return 0;
}

int lfs_scanned_add(struct lfs_scanned *s, const git_oid *id)
{
	git_oid *v = grow_array(s->v, &s->cap, s->n, sizeof(*v), 16);

	if (v == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	s->v = v;
	git_oid_cpy(&s->v[s->n++], id);
	return 0;
}

int lfs_scanned_read(git_repository *repo, struct lfs_scanned *out)
{
	char path[LFS_STORE_PATH_MAX], line[GIT_OID_SHA1_HEXSIZE + 2];
	git_oid id;
	FILE *f;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = lfs_scanned_path(repo, path, sizeof(path))) < 0)
		return rc;
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : glm_error_errno(GLM_EIO, errno, "reading %s", path);
	while (rc == 0 && out->n < LFS_SCANNED_MAX && fgets(line, sizeof(line), f) != NULL)
		if (strlen(line) == GIT_OID_SHA1_HEXSIZE + 1 &&
		    line[GIT_OID_SHA1_HEXSIZE] == '\n' &&
		    git_oid_fromstrn(&id, line, GIT_OID_SHA1_HEXSIZE) == 0)
			rc = lfs_scanned_add(out, &id);
	fclose(f);
	if (rc < 0)
		lfs_scanned_release(out);
	return rc;
}

static int lfs_scanned_has(const struct lfs_scanned *s, const git_oid *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (git_oid_equal(&s->v[i], id))
			return 1;
	return 0;
}

int lfs_scanned_same(const struct lfs_scanned *a, const struct lfs_scanned *b)
{
	size_t i;

	for (i = 0; i < a->n && lfs_scanned_has(b, &a->v[i]); i++)
		;
	if (i < a->n)
		return 0;
	for (i = 0; i < b->n && lfs_scanned_has(a, &b->v[i]); i++)
		;
	return i == b->n;
}

static int lfs_scanned_fill(FILE *f, void *ctx)
{
	const struct lfs_scanned *s = ctx;
	char hex[GIT_OID_SHA1_HEXSIZE + 1];

	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s\n", git_oid_tostr(hex, sizeof(hex), &s->v[i]));
	return 0;
}

int lfs_scanned_write(git_repository *repo, const struct lfs_scanned *s)
{
	char path[LFS_STORE_PATH_MAX], *slash;
	int rc;

	if ((rc = lfs_scanned_path(repo, path, sizeof(path))) < 0)
		return rc;
	slash = strrchr(path, '/');
	*slash = '\0';
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return glm_error_errno(GLM_EIO, errno, "creating %s", path);
	*slash = '/';
	return atomicfile_write(path, "LFS scan record", lfs_scanned_fill, (void *)s);
}

void lfs_scanned_release(struct lfs_scanned *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
