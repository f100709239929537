/*
 * A shallow checkout's boundary (.git/shallow) through a fetch.  libgit2 1.8
 * rewrites the file with only the roots the fetch reported, dropping the
 * older ones (fixed upstream by libgit2 PR #6846, after 1.8.4): the old tip
 * then points at a parent that is not there and every history walk fails.
 * Like git, glmirror keeps the old roots; with a fixed libgit2 the merge
 * adds nothing.
 */
#ifndef GLM_SYNC_SHALLOW_H
#define GLM_SYNC_SHALLOW_H

#include <git2.h>
#include <stddef.h>

struct sync_shallow {
	char *roots; /* owned: the file before the fetch; NULL when not shallow */
	size_t len;
};

/* Reads repo's shallow roots before a fetch; a repository without any is fine. */
int sync_shallow_save(struct sync_shallow *s, git_repository *repo);
/* After the fetch: adds back the saved roots the file lost; frees s in any case. */
int sync_shallow_restore(struct sync_shallow *s, git_repository *repo);

#endif
