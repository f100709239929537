/*
 * File-system steps of the sync below DEST, all relative to folders opened
 * with safepath_open_dir() and never following a symlink: the temporary
 * clone folder's name, removing a folder tree, cleaning up what a killed
 * run left behind.
 */
#ifndef GLM_SYNC_FS_H
#define GLM_SYNC_FS_H

#include <stddef.h>
#include <sys/types.h>

#define SYNC_FS_TMP_PREFIX ".glmirror-tmp-"

/* ".glmirror-tmp-<folder>-<pid>" (a long folder is cut and hashed to fit NAME_MAX). */
void sync_fs_tmp_name(char *buf, size_t size, const char *folder, pid_t pid);
/* Removes name (a file or a whole folder tree) inside dir_fd; a missing name is fine. */
int sync_fs_remove(int dir_fd, const char *name);
/* Removes every temporary clone folder of folder left in parent_fd by an earlier process. */
int sync_fs_clean_leftovers(int parent_fd, const char *folder);

#endif
