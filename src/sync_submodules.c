/*
 * -r: submodules initialised and updated recursively after a clone or an
 * update, with the same callbacks (so the token goes only to base_url's
 * host: a submodule elsewhere fails rather than getting it), and their Git
 * LFS files fetched like the project's.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "lfs_fetch.h"
#include "log.h"
#include "sync_job.h"
#include "sync_url.h"

#define SYNC_SUBMODULES_MAX_DEPTH 8

struct sync_submodules_walk {
	struct sync_job *job;
	int depth;
	int err;
};

static int sync_submodules_repo(struct sync_job *job, git_repository *repo, int depth);

/*
 * A submodule is fetched only from base_url's host, like the projects.
 * *url (the caller disposes of it) is the resolved URL.
 */
static int sync_submodules_check_url(struct sync_job *job, git_submodule *sm, git_buf *url)
{
	int rc;

	if (git_submodule_url(sm) == NULL)
		return glm_error_set(GLM_EGIT, "no URL");
	rc = git_submodule_resolve_url(url, git_submodule_owner(sm), git_submodule_url(sm));
	if (rc < 0)
		return sync_remote_git_error(rc, "URL");
	return sync_url_check(url->ptr, job->plan->base_url, job->plan->opts->method);
}

static int sync_submodules_one(git_submodule *sm, const char *name, void *payload)
{
	struct sync_submodules_walk *w = payload;
	git_submodule_update_options uo;
	git_repository *sub = NULL;
	git_buf url = { 0 };
	int rc;

	git_submodule_update_options_init(&uo, GIT_SUBMODULE_UPDATE_OPTIONS_VERSION);
	if ((w->err = sync_submodules_check_url(w->job, sm, &url)) < 0)
		goto out;
	sync_remote_fetch_options(&uo.fetch_opts, w->job);
	sync_remote_whole_history(&uo.fetch_opts);
	uo.checkout_opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	w->job->cred_tries = 0;
	w->job->key_offered = 0;
	log_verbose("%s: submodule %s", w->job->project->full_path, name);
	if ((rc = git_submodule_update(sm, 1, &uo)) < 0 ||
	    (rc = git_submodule_open(&sub, sm)) < 0) {
		w->err = sync_remote_git_error(rc, "submodule");
		goto out;
	}
	/* Its LFS files too, from its own project's endpoint, as git-lfs would. */
	if ((w->err = lfs_fetch_submodule(w->job, sub, url.ptr)) == 0)
		w->err = sync_submodules_repo(w->job, sub, w->depth + 1);
out:
	if (w->err < 0)
		glm_error_prefix("submodule '%s'", name);
	git_repository_free(sub);
	git_buf_dispose(&url);
	return w->err < 0 ? -1 : 0;
}

static int sync_submodules_repo(struct sync_job *job, git_repository *repo, int depth)
{
	struct sync_submodules_walk w = { job, depth, 0 };
	int rc;

	if (depth > SYNC_SUBMODULES_MAX_DEPTH)
		return glm_error_set(GLM_ELIMIT, "submodules nested deeper than %d",
				     SYNC_SUBMODULES_MAX_DEPTH);
	rc = git_submodule_foreach(repo, sync_submodules_one, &w);
	if (w.err < 0)
		return w.err;
	if (rc < 0)
		return sync_remote_git_error(rc, "submodules");
	return 0;
}

int sync_submodules_update(struct sync_job *job, git_repository *repo)
{
	return sync_submodules_repo(job, repo, 0);
}
