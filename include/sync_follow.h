/*
 * Following upstream like a mirror (sync_follow.c): a checkout whose branch
 * was force-pushed, renamed as the new default or deleted upstream follows
 * it, but only when nothing local can be lost: no uncommitted change, no
 * merge or rebase in progress, and a branch tip that upstream had (the tip
 * its remote-tracking ref pointed to before the fetch, or one in its
 * history).  A bare mirror's HEAD follows the default branch.
 */
#ifndef GLM_SYNC_FOLLOW_H
#define GLM_SYNC_FOLLOW_H

#include <git2.h>

#include "sync_job.h"

/* What origin showed before this fetch, read by sync_update.c. */
struct sync_follow_before {
	git_oid upstream; /* the checked-out branch's remote-tracking ref */
	int has_upstream;
	char upstream_ref[512]; /* its name, for its reflog; "" without one */
	char old_default[256];	/* the branch refs/remotes/origin/HEAD named; "" unknown */
};

/* Fills before->old_default from refs/remotes/origin/HEAD (left "" without it). */
int sync_follow_read_old_default(struct sync_follow_before *before, git_repository *repo);
/* *out = 1 when refname's reflog (its latest entries) names tip; a refname "" has none. */
int sync_follow_in_reflog(git_repository *repo, const char *refname, const git_oid *tip, int *out);
/*
 * *out = 1 when tip is a commit upstream had, so the branch has no commit of
 * its own: the remote-tracking ref pointed there before the fetch or at an
 * earlier fetch (its reflog: a run skipped for local changes fetched the
 * force-push already), or tip is in the history of either end.
 */
int sync_follow_nothing_local(git_repository *repo, const git_oid *tip, const git_oid *now,
			      const struct sync_follow_before *before, int *out);
/*
 * The checkout is on head, whose upstream ref is up (NULL: deleted).  When
 * the default branch changed or head was deleted upstream, switches to the
 * default branch if nothing local can be lost, else skips; *handled = 1 in
 * both cases.  *handled = 0: head is the branch to update.
 */
int sync_follow_switch(struct sync_job *job, git_repository *repo, git_reference *head,
		       git_reference *up, const struct sync_follow_before *before, int *handled);
/* After an update that was not skipped: refs/remotes/origin/HEAD names the default branch. */
int sync_follow_origin_head(struct sync_job *job, git_repository *repo);
/* A bare mirror: HEAD names the default branch, when that exists. */
int sync_follow_mirror_head(struct sync_job *job, git_repository *repo);
/* From update_tips: remembers a ref moved other than forward (a moved tag, a force-push). */
void sync_follow_tip(struct sync_job *job, const char *refname, const git_oid *old,
		     const git_oid *now);
/* Adds the refs sync_follow_tip saw to the reason (force-pushes only when forced is set). */
void sync_follow_tips_reason(struct sync_job *job, int forced);

#endif
