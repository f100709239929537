/*
 * What the --mirror LFS scan already read: <git dir>/lfs/glmirror-scanned
 * holds the ref tips of the last scan after which every LFS object
 * reachable from them was stored, one hex commit id a line.  The next scan
 * hides them in its revwalk, so a run reads only the commits that came
 * since.  The file holds commit ids only, nothing of the token or the
 * server; a missing, unreadable or odd file only costs a whole scan.
 */
#ifndef GLM_LFS_SCANNED_H
#define GLM_LFS_SCANNED_H

#include <git2.h>
#include <stddef.h>

struct lfs_scanned {
	git_oid *v; /* owned */
	size_t n, cap;
};

/* The tips of the last complete scan into *out (empty when there are none). */
int lfs_scanned_read(git_repository *repo, struct lfs_scanned *out);
int lfs_scanned_add(struct lfs_scanned *s, const git_oid *id);
/* Whether a and b hold the same ids, in any order. */
int lfs_scanned_same(const struct lfs_scanned *a, const struct lfs_scanned *b);
/* Replaces the file with s (atomically). */
int lfs_scanned_write(git_repository *repo, const struct lfs_scanned *s);
void lfs_scanned_release(struct lfs_scanned *s);

#endif
