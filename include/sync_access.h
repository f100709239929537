/*
 * Why GitLab refused a clone or fetch.  A project whose code the token may
 * not read answers git with 403 "You are not allowed to download code from
 * this project." (lib/gitlab/git_access.rb), which libgit2 reports only as
 * an HTTP 403; a ban or a proxy answers 403 too.  So the project itself is
 * asked for: without read_code GitLab leaves default_branch out of it
 * (lib/api/entities/basic_project_details.rb), and such a project is
 * skipped, not failed.  One API client per sync worker, made on first use.
 */
#ifndef GLM_SYNC_ACCESS_H
#define GLM_SYNC_ACCESS_H

#include "sync_worker.h"
#include "tree.h"

/*
 * 1 when git's failure (its message msg) for project p means that the token
 * may not read the project's code, else 0 (the API is asked only after a
 * refusal, and only with a token).
 */
int sync_access_refused(const struct sync_plan *plan, const struct node *p, const char *msg);

/* Frees the worker's API client; at the worker's end. */
void sync_access_shutdown(void);

#endif
