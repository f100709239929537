/*
 * Git LFS objects of a project, fetched by a sync worker after git fetched
 * the commits: the pointers of a tree (a checkout's commit) or of every
 * ref (--mirror) are found, those not yet stored are asked of GitLab's
 * batch endpoint at <HTTP clone URL>/info/lfs/objects/batch on --url's
 * origin (the token goes there, through HTTP Basic as for git, and nowhere
 * else: downloads get only the headers of the batch answer) and
 * downloaded into the store (lfs_http.h).  Over SSH without a token the
 * endpoint and its header come from git-lfs-authenticate (lfs_sshauth.h);
 * when that fails the project's files stay pointers, said once for the
 * project and in its reason.  Objects the server lacks are
 * named in job->lfs_missing; the checkout keeps their pointers.
 */
#ifndef GLM_LFS_FETCH_H
#define GLM_LFS_FETCH_H

#include <git2.h>

struct sync_job;

/* The objects of commit's tree. */
int lfs_fetch_commit(struct sync_job *job, git_repository *repo, const git_oid *commit);
/*
 * After a checkout of commit: files still holding a pointer whose object is
 * stored are checked out again.  libgit2 reads .gitattributes once per
 * checkout, so a file that came with its filter=lfs line was written
 * unfiltered.
 */
int lfs_fetch_smudge(struct sync_job *job, git_repository *repo, const git_oid *commit);
/* The objects of every commit of every ref (a bare mirror). */
int lfs_fetch_refs(struct sync_job *job, git_repository *repo);
/*
 * A new checkout's LFS content: the clone leaves the checkout to
 * lfs_fetch_checkout when lfs_fetch_wanted, which fetches HEAD's objects
 * first, so the filter (lfs_filter.h) finds them.
 */
int lfs_fetch_wanted(const struct sync_job *job);
int lfs_fetch_checkout(struct sync_job *job, git_repository *repo);
/*
 * A submodule's checkout (-r): the objects of its HEAD, from the batch
 * endpoint of url, its own clone URL (already checked by sync_url_check:
 * the token goes to --url's origin only), then the files that stayed
 * pointers are checked out again with their content.
 */
int lfs_fetch_submodule(struct sync_job *job, git_repository *sub, const char *url);
/* Frees this worker's HTTP client. */
void lfs_fetch_shutdown(void);

#endif
