/*
 * The libgit2 filter for `filter=lfs` (.gitattributes), as git-lfs's own
 * filter: at checkout a pointer becomes its object's content when the
 * object is in the store (lfs_store.h), else stays a pointer; towards the
 * object database content becomes its pointer, so libgit2's status of a
 * smudged file is clean.
 */
#ifndef GLM_LFS_FILTER_H
#define GLM_LFS_FILTER_H

/* Registers the filter in this process (after git_libgit2_init). */
int lfs_filter_register(void);

#endif
