/*
 * Moving a checkout to another commit only when nothing local can be lost
 * (sync_checkout.c): used by the fast-forward, a followed force-push, a
 * switch to the new default branch and the first commit of an empty clone.
 */
#ifndef GLM_SYNC_CHECKOUT_H
#define GLM_SYNC_CHECKOUT_H

#include <git2.h>

#include "sync_job.h"

/*
 * *safe = 1 when no merge or rebase is in progress and nothing is modified or
 * staged; else the job is skipped with the reason.  Returns 0 or a GLM_EGIT.
 */
int sync_checkout_is_safe(struct sync_job *job, git_repository *repo, int *safe);
/* *out = 1 when commit is tip or has tip in its history. */
int sync_checkout_contains(git_repository *repo, const git_oid *tip, const git_oid *commit,
			   int *out);
/*
 * Checks out target safely (untracked files in the way skip the job), then
 * points refs/heads/<branch> at it (reflog message msg), tracking
 * origin/<branch> when track is set, and puts HEAD on it.  Sets the job
 * updated.
 */
int sync_checkout_move(struct sync_job *job, git_repository *repo, const char *branch,
		       const git_oid *target, int track, const char *msg);

#endif
