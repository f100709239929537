/*
 * Moving a checkout to another commit, for the fast-forward, a followed
 * force-push and a switch of branch alike (sync_checkout.h): first the check
 * that nothing local can be lost, then a safe checkout, and only then the
 * branch and HEAD, so that a refused checkout leaves every ref as it was.
 */
#include "sync_checkout.h"

#include <stdio.h>

#include "error.h"
#include "lfs_fetch.h"

int sync_checkout_is_safe(struct sync_job *job, git_repository *repo, int *safe)
{
	git_status_options so;
	git_status_list *list = NULL;
	int rc;

	*safe = 0;
	if (git_repository_state(repo) != GIT_REPOSITORY_STATE_NONE)
		return sync_job_skip(job,
				     "local changes (a merge, rebase or similar is in progress)");
	/* Untracked files count only where the checkout would overwrite them (GIT_ECONFLICT). */
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = 0;
	if ((rc = git_status_list_new(&list, repo, &so)) < 0)
		return sync_remote_git_error(rc, "status");
	*safe = git_status_list_entrycount(list) == 0;
	git_status_list_free(list);
	return *safe ? 0 : sync_job_skip(job, "local changes");
}

int sync_checkout_contains(git_repository *repo, const git_oid *tip, const git_oid *commit,
			   int *out)
{
	int rc;

	*out = git_oid_equal(tip, commit);
	if (*out)
		return 0;
	rc = git_graph_descendant_of(repo, commit, tip);
	if (rc < 0)
		return sync_remote_git_error(rc, "comparing with upstream");
	*out = rc == 1;
	return 0;
}

int sync_checkout_move(struct sync_job *job, git_repository *repo, const char *branch,
		       const git_oid *target, int track, const char *msg)
{
	git_checkout_options co;
	git_object *obj = NULL;
	git_reference *ref = NULL;
	char name[512], upstream[512];
	int rc, err = 0;

	snprintf(name, sizeof(name), "refs/heads/%s", branch);
	snprintf(upstream, sizeof(upstream), "origin/%s", branch);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED;
	if ((rc = git_object_lookup(&obj, repo, target, GIT_OBJECT_COMMIT)) < 0) {
		err = sync_remote_git_error(rc, "upstream commit");
		goto out;
	}
	if ((err = lfs_fetch_commit(job, repo, target)) < 0)
		goto out;
	rc = git_checkout_tree(repo, obj, &co);
	if (rc == GIT_ECONFLICT) {
		sync_job_skip(job, "local changes (untracked files would be overwritten)");
		goto out;
	}
	if (rc < 0) {
		err = sync_remote_git_error(rc, "checkout");
		sync_undo_checkout(job, repo, obj);
		goto out;
	}
	/* git_branch_create refuses to force the branch HEAD is on; a reference does not. */
	if ((rc = git_reference_create(&ref, repo, name, target, 1, msg)) < 0 ||
	    (track && (rc = git_branch_set_upstream(ref, upstream)) < 0) ||
	    (rc = git_repository_set_head(repo, name)) < 0) {
		err = sync_remote_git_error(rc, "moving the branch");
		goto out;
	}
	if ((err = lfs_fetch_smudge(job, repo, target)) < 0)
		goto out;
	job->result = SYNC_RES_UPDATED;
out:
	git_reference_free(ref);
	git_object_free(obj);
	return err;
}
