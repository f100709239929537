/*
 * An existing checkout: fetch, then fast-forward the checked-out branch
 * only when nothing local can be lost: no uncommitted change, no operation
 * in progress, no local commit the upstream lacks.  Anything else is left
 * as it is and reported with the reason.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "lfs_fetch.h"
#include "log.h"
#include "sync_job.h"

/* origin's URL is the one the tree names now (a moved project, -m switched). */
static int sync_update_remote(struct sync_job *job, git_repository *repo, git_remote **out)
{
	int rc = git_remote_lookup(out, repo, "origin");

	if (rc == GIT_ENOTFOUND)
		return sync_job_skip(job, "no remote 'origin'");
	if (rc < 0)
		return sync_remote_git_error(rc, "remote origin");
	if (git_remote_url(*out) == NULL || strcmp(git_remote_url(*out), job->url) != 0) {
		log_verbose("%s: origin now points to %s", job->project->full_path, job->url);
		git_remote_free(*out);
		*out = NULL;
		if ((rc = git_remote_set_url(repo, "origin", job->url)) < 0 ||
		    (rc = git_remote_lookup(out, repo, "origin")) < 0)
			return sync_remote_git_error(rc, "setting origin's URL");
	}
	return 0;
}

int sync_update_fetch(struct sync_job *job, git_repository *repo, int prune)
{
	git_fetch_options fo;
	git_remote *remote = NULL;
	int rc, err;

	if ((err = sync_update_remote(job, repo, &remote)) < 0 || remote == NULL)
		goto out;
	sync_remote_fetch_options(&fo, job);
	fo.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE;
	log_verbose("fetching %s", job->project->full_path);
	if ((rc = git_remote_fetch(remote, NULL, &fo, "fetch")) < 0)
		err = sync_remote_git_error(rc, "fetch");
out:
	git_remote_free(remote);
	return err;
}

/* Nothing uncommitted (untracked files are checked by the safe checkout). */
static int sync_update_is_clean(git_repository *repo, int *clean)
{
	git_status_options so;
	git_status_list *list = NULL;
	int rc;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = 0;
	if ((rc = git_status_list_new(&list, repo, &so)) < 0)
		return sync_remote_git_error(rc, "status");
	*clean = git_status_list_entrycount(list) == 0;
	git_status_list_free(list);
	return 0;
}

/* Checks out target's tree (safely), then moves the branch: a fast-forward. */
static int sync_update_fast_forward(struct sync_job *job, git_repository *repo,
				    git_reference *branch, const git_oid *target)
{
	git_checkout_options co;
	git_object *obj = NULL;
	git_reference *moved = NULL;
	int rc, err = 0;

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
		goto out;
	}
	if ((rc = git_reference_set_target(&moved, branch, target, "glmirror: fast-forward")) < 0) {
		err = sync_remote_git_error(rc, "moving the branch");
		goto out;
	}
	if ((err = lfs_fetch_smudge(job, repo, target)) < 0)
		goto out;
	job->result = SYNC_RES_UPDATED;
out:
	git_reference_free(moved);
	git_object_free(obj);
	return err;
}

/* The branch's upstream ref, or refs/remotes/origin/<branch>; NULL when gone. */
static int sync_update_upstream(git_repository *repo, git_reference *branch, git_reference **out)
{
	char name[1024];
	const char *shorthand = git_reference_shorthand(branch);
	int rc = git_branch_upstream(out, branch);

	if (rc == 0 || rc != GIT_ENOTFOUND)
		return rc == 0 ? 0 : sync_remote_git_error(rc, "upstream branch");
	*out = NULL;
	snprintf(name, sizeof(name), "refs/remotes/origin/%s", shorthand);
	rc = git_reference_lookup(out, repo, name);
	if (rc == GIT_ENOTFOUND) {
		*out = NULL;
		return 0;
	}
	return rc == 0 ? 0 : sync_remote_git_error(rc, "upstream branch");
}

/* An empty repository cloned earlier that has commits now: check out the default branch. */
static int sync_update_unborn(struct sync_job *job, git_repository *repo)
{
	const char *db = job->project->default_branch;
	git_reference *up = NULL, *local = NULL;
	git_commit *commit = NULL;
	char name[1024];
	int rc, err = 0;

	job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
	if (db == NULL)
		return 0;
	snprintf(name, sizeof(name), "refs/remotes/origin/%s", db);
	if (git_reference_lookup(&up, repo, name) < 0)
		return 0;
	if ((rc = git_commit_lookup(&commit, repo, git_reference_target(up))) < 0 ||
	    (rc = git_branch_create(&local, repo, db, commit, 0)) < 0 ||
	    (rc = git_branch_set_upstream(local, name + strlen("refs/remotes/"))) < 0 ||
	    (rc = git_repository_set_head(repo, git_reference_name(local))) < 0) {
		err = sync_remote_git_error(rc, "checking out the first commit");
		goto out;
	}
	{
		git_checkout_options co;

		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED;
		if ((rc = git_checkout_head(repo, &co)) < 0) {
			err = sync_remote_git_error(rc, "checkout");
			goto out;
		}
	}
	job->result = SYNC_RES_UPDATED;
out:
	git_reference_free(local);
	git_reference_free(up);
	git_commit_free(commit);
	return err;
}

static int sync_update_branch(struct sync_job *job, git_repository *repo)
{
	git_reference *head = NULL, *up = NULL;
	size_t ahead = 0, behind = 0;
	int clean = 0, rc, err = 0;

	rc = git_repository_head_unborn(repo);
	if (rc == 1)
		return sync_update_unborn(job, repo);
	if (git_repository_head_detached(repo) == 1)
		return sync_job_skip(job, "detached HEAD");
	if ((rc = git_repository_head(&head, repo)) < 0)
		return sync_remote_git_error(rc, "HEAD");
	if ((err = sync_update_upstream(repo, head, &up)) < 0)
		goto out;
	if (up == NULL) {
		sync_job_skip(job, "branch deleted upstream");
		goto out;
	}
	if (git_oid_equal(git_reference_target(head), git_reference_target(up))) {
		job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
		goto out;
	}
	rc = git_graph_ahead_behind(&ahead, &behind, repo, git_reference_target(head),
				    git_reference_target(up));
	if (rc < 0) {
		err = sync_remote_git_error(rc, "comparing with upstream");
		goto out;
	}
	if (ahead > 0 && behind > 0) {
		sync_job_skip(job, "diverged (%zu local and %zu upstream commits)", ahead, behind);
		goto out;
	}
	if (behind == 0) {
		/* Only local commits: nothing to bring in. */
		job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
		goto out;
	}
	if (git_repository_state(repo) != GIT_REPOSITORY_STATE_NONE) {
		sync_job_skip(job, "local changes (a merge, rebase or similar is in progress)");
		goto out;
	}
	if ((err = sync_update_is_clean(repo, &clean)) < 0)
		goto out;
	if (!clean) {
		sync_job_skip(job, "local changes");
		goto out;
	}
	err = sync_update_fast_forward(job, repo, head, git_reference_target(up));
out:
	git_reference_free(up);
	git_reference_free(head);
	return err;
}

int sync_update_run(struct sync_job *job, int dir_fd)
{
	git_repository *repo = NULL;
	char path[64];
	int rc, err;

	sync_job_fd_path(path, sizeof(path), dir_fd, NULL);
	/* NO_SEARCH: a folder that is not a repository must not find DEST's parents. */
	rc = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc == GIT_ENOTFOUND)
		return sync_job_skip(job, "folder exists and is not a git repository");
	if (rc < 0)
		return sync_remote_git_error(rc, "opening the repository");
	if (git_repository_is_bare(repo) != (job->plan->opts->mirror != 0)) {
		err = sync_job_skip(
			job, job->plan->opts->mirror
				     ? "a checkout, not a bare mirror (made without --mirror)"
				     : "a bare repository (made with --mirror)");
		goto out;
	}
	if (job->plan->opts->mirror) {
		err = sync_mirror_update(job, repo);
		goto out;
	}
	if ((err = sync_update_fetch(job, repo, 1)) < 0 || job->result == SYNC_RES_SKIPPED)
		goto out;
	if (job->plan->opts->use_fetch) {
		job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
		goto out;
	}
	if ((err = sync_update_branch(job, repo)) < 0)
		goto out;
	if ((job->plan->opts->recursive || job->plan->gitopts.recurse) &&
	    job->result != SYNC_RES_SKIPPED)
		err = sync_submodules_update(job, repo);
out:
	git_repository_free(repo);
	return err;
}
