/* The Git LFS object store of a repository (lfs_store.h). */
#include "lfs_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* Fails when snprintf's result n did not fit. */
static int lfs_store_fits(int n, size_t size)
{
	if (n < 0 || (size_t)n >= size)
		return glm_error_set(GLM_ELIMIT,
				     "the repository's path is too long for LFS objects");
	return 0;
}

/* git_repository_path ends with a slash. */
int lfs_store_path(git_repository *repo, const char *oid, char *buf, size_t size)
{
	return lfs_store_fits(snprintf(buf, size, "%slfs/objects/%.2s/%.2s/%s",
				       git_repository_path(repo), oid, oid + 2, oid),
			      size);
}

int lfs_store_has(git_repository *repo, const struct lfs_pointer *p)
{
	char path[LFS_STORE_PATH_MAX];
	struct stat st;

	return lfs_store_path(repo, p->oid, path, sizeof(path)) == 0 && stat(path, &st) == 0 &&
	       S_ISREG(st.st_mode) && (uint64_t)st.st_size == p->size;
}

/* mkdir -p of path's folders below the git dir, which exists. */
static int lfs_store_mkdirs(git_repository *repo, char *path)
{
	size_t start = strlen(git_repository_path(repo));

	for (char *s = path + start; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		int rc = mkdir(path, 0755);
		int e = errno;

		*s = '/';
		if (rc < 0 && e != EEXIST)
			return glm_error_errno(GLM_EIO, e, "cannot create the LFS folder");
	}
	return 0;
}

int lfs_store_create(git_repository *repo, const char *oid, int *fd, char *tmp, size_t size)
{
	int err;

	if ((err = lfs_store_fits(snprintf(tmp, size, "%slfs/tmp/%s.%ld", git_repository_path(repo),
					   oid, (long)getpid()),
				  size)) < 0 ||
	    (err = lfs_store_mkdirs(repo, tmp)) < 0)
		return err;
	*fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (*fd < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot create a temporary LFS file");
	return 0;
}

int lfs_store_commit(git_repository *repo, const char *oid, const char *tmp)
{
	char path[LFS_STORE_PATH_MAX];
	int err;

	if ((err = lfs_store_path(repo, oid, path, sizeof(path))) < 0 ||
	    (err = lfs_store_mkdirs(repo, path)) < 0)
		return err;
	if (rename(tmp, path) < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot store LFS object %s", oid);
	return 0;
}
