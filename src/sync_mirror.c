/*
 * --mirror: bare repositories with every ref of the server
 * (every ref under refs/ fetched onto itself, as `git clone --mirror`), updated by a fetch that
 * prunes the refs deleted upstream; HEAD follows the default branch.
 */
#include "error.h"
#include "lfs_fetch.h"
#include "log.h"
#include "sync_follow.h"
#include "sync_job.h"

#define SYNC_MIRROR_REFSPEC "+refs/*:refs/*"

int sync_mirror_remote_cb(git_remote **out, git_repository *repo, const char *name, const char *url,
			  void *payload)
{
	(void)payload;
	return git_remote_create_with_fetchspec(out, repo, name, url, SYNC_MIRROR_REFSPEC);
}

int sync_mirror_update(struct sync_job *job, git_repository *repo)
{
	int err = sync_update_fetch(job, repo, 1);

	if (err < 0 || job->result == SYNC_RES_SKIPPED)
		return err;
	if ((err = lfs_fetch_refs(job, repo)) < 0)
		return err;
	job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
	/* The refspec is forced: force-pushed branches and moved tags are followed already. */
	sync_follow_tips_reason(job, 1);
	return sync_follow_mirror_head(job, repo);
}
