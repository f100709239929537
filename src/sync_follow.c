/*
 * Following upstream like a mirror (sync_follow.h): a checkout switches to
 * the new default branch or away from a branch deleted upstream, a bare
 * mirror's HEAD follows the default branch, and the refs a fetch moved
 * other than forward end up in the reason.
 */
#include "sync_follow.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "sync_checkout.h"

#define SYNC_FOLLOW_REMOTE_PREFIX "refs/remotes/origin/"
#define SYNC_FOLLOW_ORIGIN_HEAD	  SYNC_FOLLOW_REMOTE_PREFIX "HEAD"

/*
 * The old default is what refs/remotes/origin/HEAD names: the clone sets it
 * (git and libgit2 alike), a fetch never moves it (libgit2 does not, nor
 * does git before followRemoteHEAD), and sync_follow_origin_head moves it
 * only once the checkout has followed.  So it survives a skipped run, a
 * tree file from elsewhere or a deleted DEST/tree file, unlike the previous
 * run's tree file.
 */
int sync_follow_read_old_default(struct sync_follow_before *before, git_repository *repo)
{
	git_reference *ref = NULL;
	const char *target;
	int rc = git_reference_lookup(&ref, repo, SYNC_FOLLOW_ORIGIN_HEAD);

	before->old_default[0] = '\0';
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return sync_remote_git_error(rc, SYNC_FOLLOW_ORIGIN_HEAD);
	target = git_reference_symbolic_target(ref);
	if (target != NULL &&
	    strncmp(target, SYNC_FOLLOW_REMOTE_PREFIX, strlen(SYNC_FOLLOW_REMOTE_PREFIX)) == 0)
		snprintf(before->old_default, sizeof(before->old_default), "%s",
			 target + strlen(SYNC_FOLLOW_REMOTE_PREFIX));
	git_reference_free(ref);
	return 0;
}

/* The newest reflog entries looked at; a mirror fetches a few times a day. */
#define SYNC_FOLLOW_MAX_REFLOG 1000

int sync_follow_in_reflog(git_repository *repo, const char *refname, const git_oid *tip, int *out)
{
	git_reflog *log = NULL;
	size_t i, n;
	int rc;

	*out = 0;
	if (refname[0] == '\0')
		return 0;
	if ((rc = git_reflog_read(&log, repo, refname)) < 0)
		return sync_remote_git_error(rc, "reflog");
	n = git_reflog_entrycount(log);
	for (i = 0; i < n && i < SYNC_FOLLOW_MAX_REFLOG && !*out; i++)
		*out = git_oid_equal(git_reflog_entry_id_new(git_reflog_entry_byindex(log, i)),
				     tip);
	git_reflog_free(log);
	return 0;
}

int sync_follow_nothing_local(git_repository *repo, const git_oid *tip, const git_oid *now,
			      const struct sync_follow_before *before, int *out)
{
	int err = 0;

	*out = 0;
	if (before->has_upstream)
		err = sync_checkout_contains(repo, tip, &before->upstream, out);
	if (err == 0 && !*out && now != NULL)
		err = sync_checkout_contains(repo, tip, now, out);
	if (err == 0 && !*out)
		err = sync_follow_in_reflog(repo, before->upstream_ref, tip, out);
	return err;
}

/* A local branch named like the default one must hold nothing upstream lacks. */
static int sync_follow_local_default(struct sync_job *job, git_repository *repo, const char *db,
				     const git_oid *target, int *ok)
{
	git_reference *local = NULL;
	int rc = git_branch_lookup(&local, repo, db, GIT_BRANCH_LOCAL), err = 0;

	*ok = 1;
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return sync_remote_git_error(rc, "local branch");
	if (git_reference_target(local) != NULL &&
	    (err = sync_checkout_contains(repo, git_reference_target(local), target, ok)) == 0 &&
	    !*ok)
		sync_job_skip(job,
			      "default branch is now %s; not switched: local branch %s has commits "
			      "of its own",
			      db, db);
	git_reference_free(local);
	return err;
}

int sync_follow_switch(struct sync_job *job, git_repository *repo, git_reference *head,
		       git_reference *up, const struct sync_follow_before *before, int *handled)
{
	const char *db = job->project->default_branch;
	const char *branch = git_reference_shorthand(head);
	git_reference *target = NULL;
	char name[512], msg[700];
	int renamed, ok = 0, rc, err = 0;

	*handled = 0;
	/* -b NAME chose the branch, and so did a person on another branch upstream still has. */
	if (db == NULL || job->plan->gitopts.branch != NULL || strcmp(branch, db) == 0)
		return 0;
	renamed = strcmp(branch, before->old_default) == 0;
	if (up != NULL && !renamed)
		return 0;
	*handled = 1;
	snprintf(name, sizeof(name), SYNC_FOLLOW_REMOTE_PREFIX "%s", db);
	rc = git_reference_lookup(&target, repo, name);
	if (rc == GIT_ENOTFOUND && renamed)
		return sync_job_skip(job, "default branch is now %s, which origin does not fetch",
				     db);
	if (rc == GIT_ENOTFOUND)
		return sync_job_skip(job, "branch deleted upstream");
	if (rc < 0)
		return sync_remote_git_error(rc, "default branch");
	/* Nothing local: upstream had the tip, on this branch or in the default one. */
	if ((err = sync_follow_nothing_local(repo, git_reference_target(head),
					     up != NULL ? git_reference_target(up) : NULL, before,
					     &ok)) < 0 ||
	    (!ok && (err = sync_checkout_contains(repo, git_reference_target(head),
						  git_reference_target(target), &ok)) < 0))
		goto out;
	if (!ok) {
		sync_job_skip(job, "%s; not switched to %s: local commits on %s",
			      renamed ? "default branch changed" : "branch deleted upstream", db,
			      branch);
		goto out;
	}
	err = sync_follow_local_default(job, repo, db, git_reference_target(target), &ok);
	if (err < 0 || !ok)
		goto out;
	if ((err = sync_checkout_is_safe(job, repo, &ok)) < 0 || !ok)
		goto out;
	snprintf(msg, sizeof(msg), "glmirror: switched from %s to default branch %s", branch, db);
	err = sync_checkout_move(job, repo, db, git_reference_target(target), 1, msg);
	if (err < 0 || job->result != SYNC_RES_UPDATED)
		goto out;
	log_verbose("%s: switched from %s to default branch %s", job->project->full_path, branch,
		    db);
	if (renamed)
		sync_job_note(job, "switched to new default branch %s", db);
	else
		sync_job_note(job, "branch %s deleted upstream, switched to default branch %s",
			      branch, db);
out:
	git_reference_free(target);
	return err;
}

int sync_follow_origin_head(struct sync_job *job, git_repository *repo)
{
	const char *db = job->project->default_branch;
	git_reference *ref = NULL, *set = NULL;
	char name[512];
	int rc, err = 0;

	if (db == NULL || job->result == SYNC_RES_SKIPPED)
		return 0;
	snprintf(name, sizeof(name), SYNC_FOLLOW_REMOTE_PREFIX "%s", db);
	if (git_reference_lookup(&ref, repo, name) < 0)
		return 0; /* not fetched (--single-branch of another branch) */
	git_reference_free(ref);
	ref = NULL;
	rc = git_reference_lookup(&ref, repo, SYNC_FOLLOW_ORIGIN_HEAD);
	if (rc == 0 && git_reference_symbolic_target(ref) != NULL &&
	    strcmp(git_reference_symbolic_target(ref), name) == 0)
		goto out;
	if ((rc = git_reference_symbolic_create(&set, repo, SYNC_FOLLOW_ORIGIN_HEAD, name, 1,
						"glmirror: default branch")) < 0)
		err = sync_remote_git_error(rc, SYNC_FOLLOW_ORIGIN_HEAD);
out:
	git_reference_free(set);
	git_reference_free(ref);
	return err;
}

int sync_follow_mirror_head(struct sync_job *job, git_repository *repo)
{
	const char *db = job->project->default_branch;
	git_reference *ref = NULL;
	char name[512];
	int rc, err = 0;

	if (db == NULL)
		return 0;
	snprintf(name, sizeof(name), "refs/heads/%s", db);
	if (git_reference_lookup(&ref, repo, name) < 0)
		return 0;
	git_reference_free(ref);
	ref = NULL;
	rc = git_reference_lookup(&ref, repo, "HEAD");
	if (rc == 0 && git_reference_symbolic_target(ref) != NULL &&
	    strcmp(git_reference_symbolic_target(ref), name) == 0)
		goto out;
	if ((rc = git_repository_set_head(repo, name)) < 0) {
		err = sync_remote_git_error(rc, "HEAD");
		goto out;
	}
	job->result = SYNC_RES_UPDATED;
	sync_job_note(job, "HEAD follows the new default branch %s", db);
out:
	git_reference_free(ref);
	return err;
}

void sync_follow_tip(struct sync_job *job, const char *refname, const git_oid *old,
		     const git_oid *now)
{
	struct sync_moved *m = &job->moved;

	if (job->repo == NULL || git_oid_is_zero(old) || git_oid_is_zero(now))
		return;
	if (strncmp(refname, "refs/tags/", 10) == 0) {
		if (m->tags++ == 0)
			snprintf(m->tag, sizeof(m->tag), "%s", refname + 10);
	} else if (git_graph_descendant_of(job->repo, now, old) != 1) {
		if (m->forced++ == 0)
			snprintf(m->forced_ref, sizeof(m->forced_ref), "%s",
				 strncmp(refname, "refs/heads/", 11) == 0 ? refname + 11 : refname);
	}
}

void sync_follow_tips_reason(struct sync_job *job, int forced)
{
	const struct sync_moved *m = &job->moved;

	if (forced && m->forced == 1)
		sync_job_note(job, "followed a force-push of %s", m->forced_ref);
	else if (forced && m->forced > 1)
		sync_job_note(job, "followed force-pushes of %s and %zu more", m->forced_ref,
			      m->forced - 1);
	if (m->tags == 1)
		sync_job_note(job, "tag %s moved upstream", m->tag);
	else if (m->tags > 1)
		sync_job_note(job, "tags %s and %zu more moved upstream", m->tag, m->tags - 1);
}
