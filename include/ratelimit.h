/*
 * One token bucket in shared memory for every API request of every worker.
 * The supervisor (crawl) maps the region, calls ratelimit_init() and forks;
 * the handle everybody uses is a plain pointer to the shm section.
 *
 * A request takes a token (ratelimit_acquire, which sleeps until one is
 * due, never spins) and gives back its in-flight mark when it is answered
 * (ratelimit_done).  The server's RateLimit-* headers slow the bucket
 * down so that the remaining budget lasts until the window resets
 * (ratelimit_observe); a 429 pauses everybody at once (ratelimit_pause).
 * Beside it, each endpoint class (ratelimit_class.h) has a budget of its
 * own: a request takes a token from both, and an endpoint's own 429 closes
 * only its class (ratelimit_pause_class).
 *
 * The *_at functions are the pure cores with the clock passed in
 * (CLOCK_MONOTONIC nanoseconds), for tests.
 */
#ifndef GLM_RATELIMIT_H
#define GLM_RATELIMIT_H

#include <stdint.h>
#include <sys/types.h>

#include "ratelimit_class.h"
#include "shm_layout.h"

#define RATELIMIT_ADAPT_RATE  100.0 /* requests/s until the headers say less */
#define RATELIMIT_ADAPT_BURST 50.0
#define RATELIMIT_MIN_RATE    0.001 /* the headers never slow the bucket below this */

/*
 * rate_per_s 0 = adapt: start at RATELIMIT_ADAPT_RATE and follow the
 * server's headers.  burst <= 0 picks a default (10 when adapting, else
 * the rate clamped to 1..10).  Call once, before forking.
 */
int ratelimit_init(struct shm_ratelimit *rl, double rate_per_s, double burst);

/*
 * Waits until a token is available and takes it; the request counts as in
 * flight until ratelimit_done().  rl NULL: returns at once.
 * Errors: GLM_EINTR when a stop signal arrives while waiting.
 */
int ratelimit_acquire(struct shm_ratelimit *rl);
/* The same for a request of endpoint class cls: its budget must allow it too. */
int ratelimit_acquire_class(struct shm_ratelimit *rl, enum ratelimit_class cls);
void ratelimit_done(struct shm_ratelimit *rl); /* accepts NULL */

/*
 * After each response: RateLimit-Limit, -Remaining, -Reset (unix time; a
 * small value is taken as seconds from now).  Negative = header absent.
 */
int ratelimit_observe(struct shm_ratelimit *rl, long limit, long long remaining,
		      long long reset_epoch);
/* RateLimit-Reset as seconds from now (may be <= 0); negative input: -1. */
double ratelimit_reset_seconds(long long reset);
/*
 * How long everybody waits after a 429: Retry-After (seconds; negative when
 * absent), else until RateLimit-Reset (as ratelimit_reset_seconds reads
 * it), else backoff_s; at least a second, so that a bare 429 is not
 * hammered, and at most RETRY_MAX_PAUSE_S.
 */
double ratelimit_pause_seconds(double retry_after, long long reset, double backoff_s);
/* A 429: nobody starts a request for seconds (capped); one shared pause. */
int ratelimit_pause(struct shm_ratelimit *rl, double seconds);

/*
 * A 429 that was the endpoint's own (ratelimit_class.h): only class cls
 * waits, for retry_after_s or, when negative, a whole window of the class;
 * it is then paced at the budget learned from the requests of the window.
 */
int ratelimit_pause_class(struct shm_ratelimit *rl, enum ratelimit_class cls, double retry_after_s);

/* Known budgets per window for each class (0: none known).  Before forking. */
int ratelimit_set_budgets(struct shm_ratelimit *rl, const long limits[RL_CLASS_COUNT]);

/* Every class's window in seconds (a test hook: GitLab's are a minute or ten). */
int ratelimit_set_window(struct shm_ratelimit *rl, double seconds);

/* Until when each class is closed by its own 429 (monotonic ns; in the past: open). */
int ratelimit_pauses(struct shm_ratelimit *rl, int64_t until[RL_CLASS_COUNT]);

/* The supervisor reaped pid: forget the requests it had in flight. */
void ratelimit_reap(struct shm_ratelimit *rl, pid_t pid);

struct ratelimit_stats {
	uint64_t requests, throttled, waits;
	uint32_t in_flight, max_in_flight, repairs;
	double rate, tokens;
	double wait_s; /* slept for tokens and pauses, every worker together */
	uint64_t class_throttled[RL_CLASS_COUNT]; /* own 429s of each class */
	int64_t class_limit[RL_CLASS_COUNT];	  /* budget per window in force; 0 none */
};
int ratelimit_stats(struct shm_ratelimit *rl, struct ratelimit_stats *out);

/*
 * Pure core of acquire: 0 = token taken; 1 = none now, *wait_ns is how
 * long until one is due (or the pause ends); negative on error.
 */
int ratelimit_acquire_at(struct shm_ratelimit *rl, int64_t now_ns, int64_t *wait_ns);
int ratelimit_acquire_class_at(struct shm_ratelimit *rl, enum ratelimit_class cls, int64_t now_ns,
			       int64_t *wait_ns);
int ratelimit_pause_class_at(struct shm_ratelimit *rl, enum ratelimit_class cls, int64_t now_ns,
			     double retry_after_s);
/* reset_ns: end of the server's window on the monotonic clock; 0 unknown. */
int ratelimit_observe_at(struct shm_ratelimit *rl, int64_t now_ns, long limit, long long remaining,
			 int64_t reset_ns);
int ratelimit_pause_at(struct shm_ratelimit *rl, int64_t now_ns, double seconds);

#endif
