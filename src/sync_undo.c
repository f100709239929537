/*
 * A fast-forward whose checkout failed halfway (a full disk) has written
 * some of the new files and not others while the branch still names the
 * old commit.  The update only starts on a clean checkout, so putting the
 * old commit's files back loses nothing: files the new commit added are
 * removed, changed ones restored; untracked files the user had are not
 * touched (they are in neither tree).
 */
#include "error.h"
#include "log.h"
#include "sync_job.h"

void sync_undo_checkout(struct sync_job *job, git_repository *repo, git_object *target)
{
	git_checkout_options co;
	git_object *head = NULL;
	git_tree *baseline = NULL;
	int rc;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED;
	/* The baseline says what the failed checkout may have written. */
	if ((rc = git_commit_tree(&baseline, (git_commit *)target)) == 0 &&
	    (rc = git_revparse_single(&head, repo, "HEAD")) == 0) {
		co.baseline = baseline;
		rc = git_checkout_tree(repo, head, &co);
	}
	if (rc < 0)
		log_warn("%s: the checkout of the new commit failed and the old one could not be "
			 "restored: %s",
			 job->project->full_path,
			 git_error_last() ? git_error_last()->message : "unknown error");
	git_object_free(head);
	git_tree_free(baseline);
}
