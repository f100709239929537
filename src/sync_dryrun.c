/* --dry-run (sync_dryrun.h). */
#include "sync_dryrun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "safepath.h"
#include "sync_url.h"

/* What the sync would do; reason is set for a skip. */
static const char *sync_dryrun_what(const struct sync_plan *plan, int dest_fd, const struct node *p,
				    char *reason, size_t size)
{
	const struct options *opts = plan->opts;
	char url[SYNC_URL_MAX];
	struct stat st;
	int fd, err;

	if (p->no_code) {
		snprintf(reason, size, "%s", SYNC_JOB_NO_CODE);
		return "skip";
	}
	if (sync_url_for(p, plan->base_url, opts->method, url, sizeof(url)) < 0) {
		snprintf(reason, size, "%s", glm_error_msg());
		return "fail";
	}
	if (dest_fd < 0)
		return "clone"; /* DEST does not exist yet */
	err = safepath_open_dir(dest_fd, p->root_path, 0, &fd);
	if (err == GLM_ENOTFOUND)
		return "clone";
	if (err < 0) {
		snprintf(reason, size, "%s", glm_error_msg());
		return "fail";
	}
	if (fstatat(fd, opts->mirror ? "HEAD" : ".git", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		/* An empty folder is replaced by the clone. */
		int empty = fstatat(fd, ".", &st, 0) == 0 && st.st_nlink == 2 &&
			    faccessat(fd, ".", W_OK, 0) == 0;

		close(fd);
		if (empty)
			return "clone";
		snprintf(reason, size, "folder exists and is not a %s",
			 opts->mirror ? "bare mirror" : "git repository");
		return "skip";
	}
	close(fd);
	return opts->mirror || opts->use_fetch ? "fetch" : "update";
}

/*
 * A project the last run mirrored at another folder that is still there:
 * "move" (then updated in its new place), or "skip" when the place is taken.
 */
static const char *sync_dryrun_move(const struct sync_plan *plan, const struct node *p,
				    char *reason, size_t size)
{
	const struct sync_state_entry *e =
		p->shared || p->id <= 0 ? NULL : sync_state_find(&plan->state, p->id);
	char old[512];
	int fd;

	if (e == NULL || strcmp(e->root_path, p->root_path) == 0 ||
	    safepath_open_dir(plan->dest_fd, e->root_path, 0, &fd) < 0)
		return NULL;
	close(fd);
	log_esc(e->root_path, old, sizeof(old));
	if (safepath_open_dir(plan->dest_fd, p->root_path, 0, &fd) == 0) {
		close(fd);
		snprintf(reason, size, "cannot move it from '%s': it is taken", old);
		return "skip";
	}
	snprintf(reason, size, "from %s", old);
	return "move";
}

int sync_dryrun_run(const struct sync_plan *plan, struct sync_summary *out)
{
	char reason[GLM_ERROR_MAX], path[512];
	int dest_fd = plan->dest_fd;
	size_t i;

	for (i = 0; i < plan->nprojects; i++) {
		const struct node *p = plan->projects[i];
		const char *what = "fail";

		reason[0] = '\0';
		if (i >= plan->orphans_from)
			what = plan->opts->prune ? "prune" : "orphan";
		else if (i < plan->nsafe &&
			 (what = sync_dryrun_move(plan, p, reason, sizeof(reason))) == NULL)
			what = sync_dryrun_what(plan, dest_fd, p, reason, sizeof(reason));
		else if (i >= plan->nsafe)
			safepath_reason(p, reason, sizeof(reason));
		log_esc(p->root_path, path, sizeof(path));
		if (reason[0] == '\0' && plan->gitopts.depth > 0)
			snprintf(reason, sizeof(reason), "shallow, depth %d", plan->gitopts.depth);
		if (reason[0] != '\0')
			printf("%s %s: %s\n", what, path, reason);
		else
			printf("%s %s\n", what, path);
		out->skipped += strcmp(what, "skip") == 0;
		out->failed += strcmp(what, "fail") == 0;
	}
	fflush(stdout);
	log_info("dry run: %zu projects, nothing was changed", plan->orphans_from);
	return 0;
}
