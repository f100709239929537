/*
 * A new checkout (or bare mirror): cloned into a temporary sibling folder
 * and renamed into place only when complete, so a clone that is killed or
 * fails never leaves something that looks like a finished repository.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "lfs_fetch.h"
#include "log.h"
#include "sync_fs.h"
#include "sync_job.h"
#include "sync_retry.h"

/* One try of the clone, for sync_retry_git(). */
struct sync_clone_try {
	struct sync_job *job;
	git_repository **repo;
	const char *tmp;  /* the temporary folder's name in job->parent_fd */
	const char *path; /* the same as a path for libgit2 */
	git_clone_options *co;
};

static int sync_clone_try_run(void *ctx)
{
	struct sync_clone_try *t = ctx;

	return git_clone(t->repo, t->job->url, t->path, t->co);
}

/* What a failed try left is removed, so the next one starts from nothing. */
static void sync_clone_try_reset(void *ctx)
{
	struct sync_clone_try *t = ctx;

	git_repository_free(*t->repo);
	*t->repo = NULL;
	if (sync_fs_remove(t->job->parent_fd, t->tmp) < 0)
		log_warn("%s", glm_error_msg());
}

/* --mirror: origin fetches every ref under refs/ onto itself, as `git clone --mirror`. */
static int sync_clone_mirror_cb(git_remote **out, git_repository *repo, const char *name,
				const char *url, void *payload)
{
	(void)payload;
	return git_remote_create_with_fetchspec(out, repo, name, url, "+refs/*:refs/*");
}

/* --single-branch: origin fetches only the branch that is checked out. */
static int sync_clone_single_branch_cb(git_remote **out, git_repository *repo, const char *name,
				       const char *url, void *payload)
{
	struct sync_job *job = payload;
	const char *branch = job->plan->gitopts.branch != NULL ? job->plan->gitopts.branch
							       : job->project->default_branch;
	char spec[512];

	if (branch == NULL)
		return git_remote_create(out, repo, name, url);
	snprintf(spec, sizeof(spec), "+refs/heads/%s:refs/remotes/%s/%s", branch, name, branch);
	return git_remote_create_with_fetchspec(out, repo, name, url, spec);
}

/* Finishes the repository in place before it gets its real name. */
static int sync_clone_finish(struct sync_job *job, git_repository *repo)
{
	git_config *cfg = NULL;
	int rc;

	if (job->plan->opts->mirror) {
		if ((rc = lfs_fetch_refs(job, repo)) < 0)
			return rc;
		rc = git_repository_config(&cfg, repo);
		if (rc == 0)
			rc = git_config_set_bool(cfg, "remote.origin.mirror", 1);
		git_config_free(cfg);
		if (rc < 0)
			return sync_remote_git_error(rc, "setting remote.origin.mirror");
		return 0;
	}
	if ((rc = lfs_fetch_checkout(job, repo)) < 0)
		return rc;
	if (job->plan->opts->recursive || job->plan->gitopts.recurse)
		return sync_submodules_update(job, repo);
	return 0;
}

int sync_clone_run(struct sync_job *job)
{
	const struct options *opts = job->plan->opts;
	git_clone_options co;
	git_repository *repo = NULL;
	char tmp[512], path[600];
	struct sync_clone_try t = { job, &repo, tmp, path, &co };
	struct sync_retry_op op = { "clone", sync_clone_try_run, sync_clone_try_reset, &t };
	int err = -1;

	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	sync_fs_tmp_name(tmp, sizeof(tmp), job->project->folder, getpid());
	if ((err = sync_fs_remove(job->parent_fd, tmp)) < 0)
		goto out;
	sync_job_fd_path(path, sizeof(path), job->parent_fd, tmp);

	sync_remote_fetch_options(&co.fetch_opts, job);
	co.bare = opts->mirror;
	co.checkout_opts.checkout_strategy = job->plan->gitopts.no_checkout || lfs_fetch_wanted(job)
						     ? GIT_CHECKOUT_NONE
						     : GIT_CHECKOUT_SAFE;
	co.checkout_branch = opts->mirror ? NULL : job->plan->gitopts.branch;
	if (opts->mirror) {
		co.remote_cb = sync_clone_mirror_cb;
	} else if (job->plan->gitopts.single_branch) {
		co.remote_cb = sync_clone_single_branch_cb;
		co.remote_cb_payload = job;
	}
	log_verbose("cloning %s", job->project->full_path);
	if ((err = sync_retry_git(job, &op)) < 0)
		goto out;
	if ((err = sync_clone_finish(job, repo)) < 0)
		goto out;
	git_repository_free(repo);
	repo = NULL;
	if (renameat2(job->parent_fd, tmp, job->parent_fd, job->project->folder, RENAME_NOREPLACE) <
	    0) {
		err = glm_error_errno(GLM_EIO, errno,
				      "cannot rename the finished clone into place");
		goto out;
	}
	job->result = SYNC_RES_CLONED;
	err = 0;
out:
	git_repository_free(repo);
	if (err < 0) {
		struct glm_error_saved saved;

		glm_error_save(&saved);
		sync_fs_remove(job->parent_fd, tmp);
		glm_error_restore(&saved);
	}
	return err;
}
