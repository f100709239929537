/*
 * An existing checkout: fetch, then bring the checked-out branch to its
 * upstream only when nothing local can be lost: no uncommitted change, no
 * operation in progress, no local commit the upstream lacks.  That is a
 * fast-forward, or following a force-push, a new default branch or a
 * deleted branch (sync_follow.c).  Anything else is left as it is and
 * reported with the reason.
 *
 * --mirror: a bare repository whose origin fetches every ref onto itself
 * (the refspec sync_clone.c gives it, as `git clone --mirror`), updated by
 * a fetch that prunes the refs deleted upstream; HEAD follows the default
 * branch.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "lfs_fetch.h"
#include "log.h"
#include "sync_checkout.h"
#include "sync_follow.h"
#include "sync_job.h"
#include "sync_shallow.h"

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

/* Fetches origin (sets its URL to job->url first), pruning when asked. */
static int sync_update_fetch(struct sync_job *job, git_repository *repo, int prune)
{
	struct sync_shallow shallow;
	git_fetch_options fo;
	git_remote *remote = NULL;
	int rc, err;

	if ((err = sync_update_remote(job, repo, &remote)) < 0 || remote == NULL)
		goto out;
	sync_remote_fetch_options(&fo, job);
	fo.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE;
	log_verbose("fetching %s", job->project->full_path);
	if ((err = sync_shallow_save(&shallow, repo)) < 0)
		goto out;
	job->repo = repo;
	err = sync_retry_fetch(job, remote, &fo);
	job->repo = NULL;
	rc = sync_shallow_restore(&shallow, repo);
	err = err < 0 ? err : rc;
out:
	git_remote_free(remote);
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

/* Before the fetch: where the checked-out branch's upstream was, and origin's HEAD. */
static int sync_update_before(git_repository *repo, struct sync_follow_before *out)
{
	git_reference *head = NULL, *up = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (git_repository_head_unborn(repo) == 1 || git_repository_head_detached(repo) == 1 ||
	    git_repository_head(&head, repo) < 0)
		return sync_follow_read_old_default(out, repo);
	if ((err = sync_update_upstream(repo, head, &up)) == 0 && up != NULL &&
	    git_reference_target(up) != NULL) {
		git_oid_cpy(&out->upstream, git_reference_target(up));
		out->has_upstream = 1;
		snprintf(out->upstream_ref, sizeof(out->upstream_ref), "%s",
			 git_reference_name(up));
	}
	if (err == 0)
		err = sync_follow_read_old_default(out, repo);
	git_reference_free(up);
	git_reference_free(head);
	return err;
}

/* An empty repository cloned earlier that has commits now: check out the default branch. */
static int sync_update_unborn(struct sync_job *job, git_repository *repo)
{
	const char *db = job->project->default_branch;
	git_reference *up = NULL;
	char name[1024];
	int err;

	job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
	if (db == NULL)
		return 0;
	snprintf(name, sizeof(name), "refs/remotes/origin/%s", db);
	if (git_reference_lookup(&up, repo, name) < 0)
		return 0;
	err = sync_checkout_move(job, repo, db, git_reference_target(up), 1,
				 "glmirror: first commit");
	git_reference_free(up);
	return err;
}

/*
 * A shallow checkout (-o --depth): each fetch cuts the history at the new
 * tips, so the old tip and the new one share no history to walk.  The branch
 * has nothing of its own when its tip is one its upstream ref had; then
 * moving it is the fast-forward git would make with the whole history.
 */
static int sync_update_shallow(struct sync_job *job, git_repository *repo, git_reference *head,
			       git_reference *up, const struct sync_follow_before *before)
{
	const git_oid *tip = git_reference_target(head);
	char msg[256], old[GIT_OID_HEXSZ + 1];
	int nothing_local = before->has_upstream && git_oid_equal(tip, &before->upstream);
	int safe = 0, err;

	if (!nothing_local &&
	    (err = sync_follow_in_reflog(repo, before->upstream_ref, tip, &nothing_local)) < 0)
		return err;
	if (!nothing_local)
		return sync_job_skip(job, "local commits in a shallow clone (not compared with "
					  "upstream)");
	if ((err = sync_checkout_is_safe(job, repo, &safe)) < 0 || !safe)
		return err;
	git_oid_tostr(old, sizeof(old), tip);
	snprintf(msg, sizeof(msg), "glmirror: fast-forward (shallow) from %s", old);
	return sync_checkout_move(job, repo, git_reference_shorthand(head),
				  git_reference_target(up), 0, msg);
}

/*
 * head is behind or beside its upstream up.  Fast-forwards, or follows a
 * force-push (resets to up; the old tip stays in the reflog) when the tip
 * is one upstream had; anything else stays as it is.
 */
static int sync_update_move(struct sync_job *job, git_repository *repo, git_reference *head,
			    git_reference *up, const struct sync_follow_before *before)
{
	const git_oid *tip = git_reference_target(head), *target = git_reference_target(up);
	size_t ahead = 0, behind = 0;
	char msg[256], old[GIT_OID_HEXSZ + 1];
	int nothing_local = 0, safe = 0, rc, err;

	rc = git_graph_ahead_behind(&ahead, &behind, repo, tip, target);
	if (rc < 0)
		return sync_remote_git_error(rc, "comparing with upstream");
	if (ahead > 0 &&
	    (err = sync_follow_nothing_local(repo, tip, NULL, before, &nothing_local)) < 0)
		return err;
	if (ahead > 0 && !nothing_local) {
		if (behind > 0)
			return sync_job_skip(job, "diverged (%zu local and %zu upstream commits)",
					     ahead, behind);
		/* Only local commits: nothing to bring in. */
		job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
		return 0;
	}
	if ((err = sync_checkout_is_safe(job, repo, &safe)) < 0 || !safe)
		return err;
	git_oid_tostr(old, sizeof(old), tip);
	snprintf(msg, sizeof(msg),
		 ahead > 0 ? "glmirror: followed a force-push (old head %s)"
			   : "glmirror: fast-forward from %s",
		 old);
	err = sync_checkout_move(job, repo, git_reference_shorthand(head), target, 0, msg);
	if (err < 0 || job->result != SYNC_RES_UPDATED || ahead == 0)
		return err;
	log_verbose("%s: followed a force-push, old head %s", job->project->full_path, old);
	old[12] = '\0';
	sync_job_note(job, "followed a force-push (old head %s, kept in the reflog)", old);
	return 0;
}

static int sync_update_branch(struct sync_job *job, git_repository *repo,
			      const struct sync_follow_before *before)
{
	git_reference *head = NULL, *up = NULL;
	int handled = 0, rc, err = 0;

	rc = git_repository_head_unborn(repo);
	if (rc == 1)
		return sync_update_unborn(job, repo);
	if (git_repository_head_detached(repo) == 1)
		return sync_job_skip(job, "detached HEAD");
	if ((rc = git_repository_head(&head, repo)) < 0)
		return sync_remote_git_error(rc, "HEAD");
	if ((err = sync_update_upstream(repo, head, &up)) < 0)
		goto out;
	if ((err = sync_follow_switch(job, repo, head, up, before, &handled)) < 0 || handled)
		goto out;
	if (up == NULL) {
		sync_job_skip(job, "branch deleted upstream");
		goto out;
	}
	if (git_oid_equal(git_reference_target(head), git_reference_target(up))) {
		job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
		goto out;
	}
	if (git_repository_is_shallow(repo) == 1)
		err = sync_update_shallow(job, repo, head, up, before);
	else
		err = sync_update_move(job, repo, head, up, before);
out:
	git_reference_free(up);
	git_reference_free(head);
	return err;
}

/* Fetches all refs of a bare mirror, pruning. */
static int sync_update_mirror(struct sync_job *job, git_repository *repo)
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

int sync_update_run(struct sync_job *job, int dir_fd)
{
	struct sync_follow_before before;
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
		err = sync_update_mirror(job, repo);
		goto out;
	}
	if ((err = sync_update_before(repo, &before)) < 0 ||
	    (err = sync_update_fetch(job, repo, 1)) < 0 || job->result == SYNC_RES_SKIPPED)
		goto out;
	if (job->plan->opts->use_fetch) {
		job->result = job->tips > 0 ? SYNC_RES_UPDATED : SYNC_RES_UNCHANGED;
		sync_follow_tips_reason(job, 0);
		goto out;
	}
	if ((err = sync_update_branch(job, repo, &before)) < 0 ||
	    (err = sync_follow_origin_head(job, repo)) < 0)
		goto out;
	if (job->result != SYNC_RES_SKIPPED)
		sync_follow_tips_reason(job, 0);
	if ((job->plan->opts->recursive || job->plan->gitopts.recurse) &&
	    job->result != SYNC_RES_SKIPPED)
		err = sync_submodules_update(job, repo);
out:
	git_repository_free(repo);
	return err;
}
