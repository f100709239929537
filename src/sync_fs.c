/* File-system steps of the sync (sync_fs.h). */
#include "sync_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "sync_shard.h"

#define SYNC_FS_MAX_DEPTH 256
#define SYNC_FS_KEEP	  160 /* bytes of a long folder name kept in the temporary name */

void sync_fs_tmp_name(char *buf, size_t size, const char *folder, pid_t pid)
{
	if (strlen(folder) <= SYNC_FS_KEEP + 32)
		snprintf(buf, size, SYNC_FS_TMP_PREFIX "%s-%ld", folder, (long)pid);
	else
		snprintf(buf, size, SYNC_FS_TMP_PREFIX "%.*s~%016llx-%ld", SYNC_FS_KEEP, folder,
			 (unsigned long long)sync_shard_hash(folder), (long)pid);
}

static int sync_fs_remove_at(int dir_fd, const char *name, int depth)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int fd, err = 0;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
			       ? 0
			       : glm_error_errno(GLM_EIO, errno, "cannot remove '%s'", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
			return glm_error_errno(GLM_EIO, errno, "cannot remove '%s'", name);
		return 0;
	}
	if (depth > SYNC_FS_MAX_DEPTH)
		return glm_error_set(GLM_ELIMIT, "'%s': folders nested too deep to remove", name);
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot open '%s'", name);
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return glm_error_errno(GLM_EIO, errno, "cannot read '%s'", name);
	}
	while (err == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		err = sync_fs_remove_at(dirfd(dir), de->d_name, depth + 1);
	}
	closedir(dir);
	if (err == 0 && unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		err = glm_error_errno(GLM_EIO, errno, "cannot remove '%s'", name);
	return err;
}

int sync_fs_remove(int dir_fd, const char *name)
{
	return sync_fs_remove_at(dir_fd, name, 0);
}

/* name is tmp_name(folder, some pid). */
static int sync_fs_is_leftover(const char *name, const char *folder)
{
	char want[512];
	size_t len;

	sync_fs_tmp_name(want, sizeof(want), folder, 0);
	len = strlen(want) - 1; /* without the "0" */
	if (strncmp(name, want, len) != 0 || name[len] == '\0')
		return 0;
	return strspn(name + len, "0123456789") == strlen(name + len);
}

int sync_fs_clean_leftovers(int parent_fd, const char *folder)
{
	struct dirent *de;
	DIR *dir;
	int fd, err = 0;

	fd = openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return glm_error_errno(GLM_EIO, errno, "cannot read the parent folder");
	}
	while (err == 0 && (de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, SYNC_FS_TMP_PREFIX, strlen(SYNC_FS_TMP_PREFIX)) != 0 ||
		    !sync_fs_is_leftover(de->d_name, folder))
			continue;
		log_verbose("removing '%s', left by an interrupted clone", de->d_name);
		err = sync_fs_remove(parent_fd, de->d_name);
	}
	closedir(dir);
	return err;
}
