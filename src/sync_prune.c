/*
 * --prune, worker side: an orphan is moved to the trash only when nothing
 * in it exists only locally; anything that might be someone's work keeps
 * it in place, reported with what was found.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "safepath.h"
#include "sync_job.h"
#include "sync_move.h"

#define SYNC_PRUNE_MAX_REMOTES 4096 /* remote branches compared with; more: kept as local work */

/* Every refs/remotes/ tip into oids; 1 when there are too many to judge. */
static int sync_prune_remote_tips(git_repository *repo, git_oid *oids, size_t *n)
{
	git_branch_iterator *it = NULL;
	git_reference *ref;
	git_branch_t type;
	int rc;

	*n = 0;
	if ((rc = git_branch_iterator_new(&it, repo, GIT_BRANCH_REMOTE)) < 0)
		return sync_remote_git_error(rc, "listing remote branches");
	while ((rc = git_branch_next(&ref, &type, it)) == 0) {
		if (git_reference_target(ref) != NULL && *n < SYNC_PRUNE_MAX_REMOTES)
			git_oid_cpy(&oids[(*n)++], git_reference_target(ref));
		git_reference_free(ref);
	}
	git_branch_iterator_free(it);
	if (rc != GIT_ITEROVER)
		return sync_remote_git_error(rc, "listing remote branches");
	return *n >= SYNC_PRUNE_MAX_REMOTES;
}

/* 1 when the commit is on no remote branch. */
static int sync_prune_unpushed(git_repository *repo, const git_oid *id, const git_oid *remotes,
			       size_t n)
{
	int rc = n > 0 ? git_graph_reachable_from_any(repo, id, remotes, n) : 0;

	for (size_t i = 0; i < n; i++)
		if (git_oid_equal(id, &remotes[i]))
			return 0;
	return rc < 0 ? sync_remote_git_error(rc, "comparing with remote branches") : rc == 0;
}

/* Local branches (and a detached HEAD) with commits on no remote branch: 1 and why. */
static int sync_prune_local_commits(git_repository *repo, char *why, size_t size)
{
	static git_oid remotes[SYNC_PRUNE_MAX_REMOTES];
	git_branch_iterator *it = NULL;
	git_reference *ref, *head = NULL;
	git_branch_t type;
	size_t n;
	int rc, found = 0;

	if ((rc = sync_prune_remote_tips(repo, remotes, &n)) != 0) {
		snprintf(why, size, "more remote branches than glmirror compares with");
		return rc < 0 ? rc : 1;
	}
	if (git_repository_head_detached(repo) == 1 && git_repository_head(&head, repo) == 0 &&
	    git_reference_target(head) != NULL &&
	    (found = sync_prune_unpushed(repo, git_reference_target(head), remotes, n)) > 0)
		snprintf(why, size, "a detached HEAD with commits on no remote branch");
	git_reference_free(head);
	if (found != 0)
		return found;
	if ((rc = git_branch_iterator_new(&it, repo, GIT_BRANCH_LOCAL)) < 0)
		return sync_remote_git_error(rc, "listing branches");
	while (found == 0 && git_branch_next(&ref, &type, it) == 0) {
		if (git_reference_target(ref) != NULL &&
		    (found = sync_prune_unpushed(repo, git_reference_target(ref), remotes, n)) > 0)
			snprintf(why, size, "commits on branch '%s' that are on no remote branch",
				 git_reference_shorthand(ref));
		git_reference_free(ref);
	}
	git_branch_iterator_free(it);
	return found;
}

/* 1 (and why) when the checkout in dir_fd holds anything that exists only here. */
static int sync_prune_local_work(int dir_fd, char *why, size_t size)
{
	git_repository *repo = NULL;
	git_status_options so;
	git_status_list *list = NULL;
	git_reference *stash = NULL;
	char path[64];
	int rc;

	sync_job_fd_path(path, sizeof(path), dir_fd, NULL);
	rc = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc == GIT_ENOTFOUND) {
		snprintf(why, size, "not a git repository");
		return 1;
	}
	if (rc < 0)
		return sync_remote_git_error(rc, "opening the repository");
	/* A bare mirror holds only what it fetched. */
	rc = 0;
	if (git_repository_is_bare(repo))
		goto out;
	if (git_repository_state(repo) != GIT_REPOSITORY_STATE_NONE) {
		snprintf(why, size, "a merge, rebase or similar is in progress");
		rc = 1;
		goto out;
	}
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
	if ((rc = git_status_list_new(&list, repo, &so)) < 0) {
		rc = sync_remote_git_error(rc, "status");
		goto out;
	}
	if (git_status_list_entrycount(list) > 0) {
		snprintf(why, size, "uncommitted or untracked changes");
		rc = 1;
		goto out;
	}
	if (git_reference_lookup(&stash, repo, "refs/stash") == 0) {
		snprintf(why, size, "stashed changes");
		rc = 1;
		goto out;
	}
	rc = sync_prune_local_commits(repo, why, size);
out:
	git_reference_free(stash);
	git_status_list_free(list);
	git_repository_free(repo);
	return rc;
}

int sync_prune_run(struct sync_job *job)
{
	const char *from = job->project->root_path;
	char why[160], trash[SAFEPATH_MAX_PATH + 1];
	int fd, rc;

	job->action = SYNC_ACT_PRUNE;
	sync_queue_set_action(&job->plan->queue, job->slot, job->action);
	if ((rc = safepath_open_dir(job->plan->dest_fd, from, 0, &fd)) < 0)
		return rc;
	rc = sync_prune_local_work(fd, why, sizeof(why));
	close(fd);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return sync_job_skip(job, "not pruned: %s", why);
	if ((size_t)snprintf(trash, sizeof(trash), "/%s/%s%s", SYNC_PRUNE_TRASH,
			     job->plan->trash_stamp, from) >= sizeof(trash))
		return glm_error_set(GLM_ELIMIT, "the trash path of '%s' is too long", from);
	rc = sync_move_path(job->plan->dest_fd, from, job->plan->dest_fd, trash);
	if (rc == 1)
		return sync_job_skip(job, "not pruned: '%s' is taken", trash + 1);
	if (rc < 0)
		return rc;
	job->result = SYNC_RES_PRUNED;
	snprintf(job->reason, sizeof(job->reason), "moved to %s", trash + 1);
	return 0;
}
