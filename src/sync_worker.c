/*
 * A sync worker (sync_worker.h): libgit2 is initialised here, after the
 * fork, never in the supervisor.  Each project is taken from the queue,
 * cloned or updated, and its result written back into its slot.
 */
#include "sync_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "lfs_fetch.h"
#include "lfs_filter.h"
#include "log.h"
#include "monoclock.h"
#include "safepath.h"
#include "signals.h"
#include "sync_access.h"
#include "sync_fs.h"
#include "sync_job.h"
#include "sync_report.h"
#include "sync_stream.h"
#include "sync_url.h"

/* Clone when the folder is missing (or empty), else update what is there. */
static int sync_worker_sync(struct sync_job *job)
{
	const struct options *opts = job->plan->opts;
	const char *folder = job->project->folder;
	int dir_fd, err;

	if ((err = sync_fs_clean_leftovers(job->parent_fd, folder)) < 0)
		return err;
	if (unlinkat(job->parent_fd, folder, AT_REMOVEDIR) == 0)
		log_verbose("%s: replacing an empty folder", job->project->full_path);
	dir_fd = openat(job->parent_fd, folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0 && errno == ENOENT) {
		job->action = SYNC_ACT_CLONE;
		sync_queue_set_action(&job->plan->queue, job->slot, job->action);
		return sync_clone_run(job);
	}
	if (dir_fd < 0)
		return errno == ELOOP || errno == ENOTDIR
			       ? glm_error_set(GLM_EUNSAFE, "'%s' is a symlink or not a folder",
					       job->project->root_path)
			       : glm_error_errno(GLM_EIO, errno, "cannot open '%s'",
						 job->project->root_path);
	job->action = opts->mirror || opts->use_fetch ? SYNC_ACT_FETCH : SYNC_ACT_UPDATE;
	sync_queue_set_action(&job->plan->queue, job->slot, job->action);
	err = sync_update_run(job, dir_fd);
	close(dir_fd);
	return err;
}

static int sync_worker_prepare(struct sync_job *job)
{
	const struct options *opts = job->plan->opts;
	const struct node *p = job->project;
	const char *parent = p->parent != NULL ? p->parent->root_path : "";

	if (sync_url_for(p, job->plan->base_url, opts->method, job->urlbuf, sizeof(job->urlbuf)) <
	    0)
		return GLM_EUNSAFE;
	job->url = job->urlbuf;
	return safepath_open_dir(job->plan->dest_fd, parent, 1, &job->parent_fd);
}

/*
 * Verbose only: the supervisor lists every skip and failure at the end, and
 * a worker's line would break the status line the supervisor draws.
 */
static void sync_worker_log(const struct sync_job *job)
{
	char path[512];

	if (!log_enabled(LOG_VERBOSE))
		return;
	log_esc(job->project->root_path, path, sizeof(path));
	log_verbose("%s: %s%s%s", path, sync_report_result_name(job->result),
		    job->reason[0] != '\0' ? ": " : "", job->reason);
}

static void sync_worker_project(struct sync_plan *plan, const struct pool_child *child, size_t slot,
				uint64_t claim)
{
	struct sync_job job;
	const char *cause = NULL; /* a full disk's strerror() */
	int64_t start = monoclock_ns() / 1000000;
	int err;

	memset(&job, 0, sizeof(job));
	job.plan = plan;
	job.project = plan->projects[slot];
	log_set_project(job.project->full_path);
	job.slot = slot;
	job.parent_fd = -1;
	job.die = pool_child_dies_at(child, claim);
	glm_error_clear();
	if (slot >= plan->orphans_from)
		err = sync_prune_run(&job);
	else if (job.project->no_code)
		err = sync_job_skip(&job, "%s", SYNC_JOB_NO_CODE);
	else if ((err = sync_worker_prepare(&job)) == 0)
		err = sync_worker_sync(&job);
	if (err == 0 && job.lfs_missing[0] != '\0')
		err = glm_error_set(GLM_ENOTFOUND, "Git LFS object %s is missing on the server",
				    job.lfs_missing);
	if (job.die)
		raise(SIGKILL); /* the test hook, when there was nothing to transfer */
	if (job.parent_fd >= 0)
		close(job.parent_fd);
	if (err < 0) {
		job.result = SYNC_RES_FAILED;
		snprintf(job.reason, sizeof(job.reason), "%s", glm_error_msg());
		/*
		 * libgit2 and glm_error_errno both end with strerror(ENOSPC or
		 * EDQUOT), after a path that may not fit in the reason: look at
		 * the whole message, and put the cause first in the reason.
		 */
		if (strcasestr(glm_error_msg(), strerror(ENOSPC)) != NULL)
			cause = strerror(ENOSPC);
		else if (strcasestr(glm_error_msg(), strerror(EDQUOT)) != NULL)
			cause = strerror(EDQUOT);
		if (cause != NULL) {
			snprintf(job.reason, sizeof(job.reason), "%s: %s", cause, glm_error_msg());
			sync_queue_disk_full(&plan->queue);
		} else if (err == GLM_EGIT && sync_access_refused(plan, job.project, job.reason))
			sync_job_skip(&job, "%s", SYNC_JOB_NO_CODE);
	}
	log_redact(job.reason);
	sync_worker_log(&job);
	sync_queue_set_lfs(&plan->queue, slot, job.lfs_objects, job.lfs_bytes);
	sync_queue_finish(&plan->queue, slot, job.result, job.reason, job.bytes,
			  monoclock_ns() / 1000000 - start);
	log_set_project(NULL);
}

void sync_worker_main(struct sync_plan *plan, const struct pool_child *child)
{
	size_t slot;
	uint64_t claim;

	if (git_libgit2_init() < 0) {
		log_error("libgit2 initialisation failed");
		_exit(1);
	}
	if (plan->opts->method == METHOD_HTTP &&
	    sync_stream_register(plan->opts->git_timeout) < 0) {
		log_error("%s", glm_error_msg());
		_exit(1);
	}
	if (!plan->opts->no_lfs && lfs_filter_register() < 0) {
		log_error("%s", glm_error_msg());
		_exit(1);
	}
	if (plan->opts->cacert != NULL &&
	    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, plan->opts->cacert, NULL) < 0)
		log_warn("--cacert %s: %s", plan->opts->cacert,
			 git_error_last() ? git_error_last()->message : "not usable");
	while (!signals_stopping() && sync_queue_claim(&plan->queue, getpid(), &slot, &claim) == 0)
		sync_worker_project(plan, child, slot, claim);
	sync_access_shutdown();
	lfs_fetch_shutdown();
	git_libgit2_shutdown();
	_exit(0);
}
