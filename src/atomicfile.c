#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* fsync of the folder holding path, so the rename itself is durable. */
static void atomicfile_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? strdup(".") : strndup(path, slash == path ? 1 : slash - path);
	int fd;

	if (dir == NULL)
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int atomicfile_write(const char *path, const char *what, atomicfile_fill_fn fill, void *ctx)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, err;
	size_t len = strlen(path) + 32;

	if ((tmp = malloc(len)) == NULL)
		return glm_error_set(GLM_ENOMEM, "%s '%s': out of memory", what, path);
	snprintf(tmp, len, "%s.tmp-%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* Same name, same pid: left by an earlier process that died. */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	}
	if (fd < 0) {
		err = glm_error_errno(GLM_EIO, errno, "%s '%s': cannot create '%s'", what, path,
				      tmp);
		free(tmp);
		return err; /* tmp is not ours: never unlink it */
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		err = glm_error_errno(GLM_EIO, errno, "%s '%s': write", what, path);
		goto out;
	}
	fd = -1; /* f owns it */
	if ((err = fill(f, ctx)) < 0) {
		glm_error_prefix("%s '%s'", what, path);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		err = glm_error_errno(GLM_EIO, errno, "%s '%s': fsync", what, path);
		goto out;
	}
	err = fclose(f);
	f = NULL;
	if (err != 0) {
		err = glm_error_errno(GLM_EIO, errno, "%s '%s': close", what, path);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		err = glm_error_errno(GLM_EIO, errno, "%s '%s': rename", what, path);
		goto out;
	}
	atomicfile_sync_dir(path);
out:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (err < 0)
		unlink(tmp);
	free(tmp);
	return err;
}
