/*
 * Endpoint classes: GitLab.com (and self-managed GitLab when enabled)
 * limits some endpoints per user on their own, beside the overall API
 * limit (docs: administration/settings/rate_limit_on_groups_api and
 * rate_limit_on_projects_api).  Such a 429 comes from
 * Gitlab::ApplicationRateLimiter (lib/api/helpers/rate_limiter.rb) and
 * closes only that endpoint until its window ends; its window opens at the
 * first request and lasts a minute (ten for GET /projects).
 *
 * Git LFS requests are no API requests and have no class: GitLab counts
 * them against the web or Git LFS limit, whose 429s are general ones
 * (lfs_fetch.c says which bucket they use).
 *
 * The arithmetic of one class's budget (struct shm_rl_class), without
 * locks: ratelimit.c calls it under the bucket's lock.
 */
#ifndef GLM_RATELIMIT_CLASS_H
#define GLM_RATELIMIT_CLASS_H

#include <stdint.h>

#include "shm_layout.h"

enum ratelimit_class {
	RL_CLASS_OTHER,		 /* every other endpoint (no budget of its own known) */
	RL_CLASS_GROUPS,	 /* GET /groups */
	RL_CLASS_GROUP,		 /* GET /groups/:id */
	RL_CLASS_GROUP_PROJECTS, /* GET /groups/:id/projects */
	RL_CLASS_USER_PROJECTS,	 /* GET /users/:id/projects */
	RL_CLASS_PROJECTS,	 /* GET /projects */
	RL_CLASS_COUNT
};

_Static_assert(RL_CLASS_COUNT == SHM_RL_CLASSES, "one budget per class in shared memory");

/* The class of an API path ("/groups/42/projects?page=2"). */
enum ratelimit_class ratelimit_class_of(const char *api_path);

/* "GET /groups/:id/projects", for messages. */
const char *ratelimit_class_name(enum ratelimit_class cls);

/* No budget known; the window GitLab uses for the class. */
void ratelimit_class_init(struct shm_rl_class *c, enum ratelimit_class cls, int64_t now_ns);

/* GitLab.com's published budget of the class (0 for RL_CLASS_OTHER). */
long ratelimit_class_gitlab_com(enum ratelimit_class cls);

/*
 * Paces the class at limit requests per window: a small burst and a rate
 * such that burst + rate x window never exceeds the limit, whatever the
 * window's start.  limit <= 0 lifts the budget.
 */
void ratelimit_class_set_limit(struct shm_rl_class *c, long limit);

/* Adds the tokens earned since the last refill. */
void ratelimit_class_refill(struct shm_rl_class *c, int64_t now_ns);

/* Nanoseconds until the class lets a request start; 0 = now. */
int64_t ratelimit_class_wait(const struct shm_rl_class *c, int64_t now_ns);

/* A request of the class starts now (after a wait of 0). */
void ratelimit_class_take(struct shm_rl_class *c, int64_t now_ns);

/*
 * The endpoint answered its own 429: the class learns its budget from the
 * requests of the current window (the first 429 of a closing only) and
 * closes until retry_after_s, or a whole window when it is negative.
 */
void ratelimit_class_throttled(struct shm_rl_class *c, int64_t now_ns, double retry_after_s);

/* Brings the fields of a class back into range after a holder died. */
void ratelimit_class_repair(struct shm_rl_class *c, enum ratelimit_class cls, int64_t now_ns);

#endif
