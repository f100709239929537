/* The budget of one endpoint class (ratelimit_class.h). */
#include "ratelimit_class.h"

#include <math.h>
#include <string.h>

#include "monoclock.h"
#include "retry.h"

#define RC_NS	     MONOCLOCK_NS_PER_S
#define RC_MAX_BURST 10
/*
 * The server's window opens when a request arrives, ours when it is sent:
 * latency that varies from request to request shifts one against the
 * other, so the budget is spread over a window 5% longer.
 */
#define RC_WINDOW_MARGIN 1.05
/* A later 429 lowers a known budget by 10% at most: it may come from a shifted window. */
#define RC_RELEARN_FLOOR 0.9

/*
 * GitLab.com's per-user budgets (docs: "GitLab.com-specific rate limits";
 * the same defaults ship, off, in self-managed GitLab) and each window.
 */
static const struct {
	const char *name;
	long gitlab_com;
	double interval_s;
} ratelimit_class_table[RL_CLASS_COUNT] = {
	[RL_CLASS_OTHER] = { "other endpoints", 0, 60 },
	[RL_CLASS_GROUPS] = { "GET /groups", 200, 60 },
	[RL_CLASS_GROUP] = { "GET /groups/:id", 400, 60 },
	[RL_CLASS_GROUP_PROJECTS] = { "GET /groups/:id/projects", 600, 60 },
	[RL_CLASS_USER_PROJECTS] = { "GET /users/:id/projects", 300, 60 },
	[RL_CLASS_PROJECTS] = { "GET /projects", 2000, 600 },
};

/* The length of the path segment at s (up to '/', '?' or the end). */
static size_t ratelimit_class_segment(const char *s)
{
	return strcspn(s, "/?");
}

/* Whether s is exactly word, followed by the end or a query. */
static int ratelimit_class_is(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == '\0' || s[n] == '?');
}

enum ratelimit_class ratelimit_class_of(const char *api_path)
{
	const char *rest;
	size_t n;

	if (ratelimit_class_is(api_path, "/groups"))
		return RL_CLASS_GROUPS;
	if (ratelimit_class_is(api_path, "/projects"))
		return RL_CLASS_PROJECTS;
	if (strncmp(api_path, "/groups/", 8) == 0) {
		rest = api_path + 8;
		n = ratelimit_class_segment(rest);
		if (n > 0 && (rest[n] == '\0' || rest[n] == '?'))
			return RL_CLASS_GROUP;
		if (n > 0 && ratelimit_class_is(rest + n, "/projects"))
			return RL_CLASS_GROUP_PROJECTS;
	}
	if (strncmp(api_path, "/users/", 7) == 0) {
		rest = api_path + 7;
		n = ratelimit_class_segment(rest);
		if (n > 0 && ratelimit_class_is(rest + n, "/projects"))
			return RL_CLASS_USER_PROJECTS;
	}
	return RL_CLASS_OTHER;
}

const char *ratelimit_class_name(enum ratelimit_class cls)
{
	return ratelimit_class_table[(unsigned)cls < RL_CLASS_COUNT ? cls : RL_CLASS_OTHER].name;
}

long ratelimit_class_gitlab_com(enum ratelimit_class cls)
{
	return (unsigned)cls < RL_CLASS_COUNT ? ratelimit_class_table[cls].gitlab_com : 0;
}

void ratelimit_class_init(struct shm_rl_class *c, enum ratelimit_class cls, int64_t now_ns)
{
	memset(c, 0, sizeof(*c));
	c->interval_s = ratelimit_class_table[(unsigned)cls < RL_CLASS_COUNT ? cls : 0].interval_s;
	c->last_ns = now_ns;
}

void ratelimit_class_set_limit(struct shm_rl_class *c, long limit)
{
	double burst;

	c->limit = limit > 0 ? limit : 0;
	if (limit <= 0) {
		c->rate = 0;
		return;
	}
	burst = floor((double)limit / 20);
	burst = burst < 1 ? 1 : burst > RC_MAX_BURST ? RC_MAX_BURST : burst;
	c->burst = burst;
	/* burst + rate x window <= limit in any window, however it is placed */
	c->rate = ((double)limit - burst > 0 ? (double)limit - burst : 1) /
		  (c->interval_s * RC_WINDOW_MARGIN);
	if (c->tokens > burst)
		c->tokens = burst;
}

void ratelimit_class_refill(struct shm_rl_class *c, int64_t now_ns)
{
	if (now_ns <= c->last_ns)
		return;
	if (c->rate > 0) {
		c->tokens += c->rate * (double)(now_ns - c->last_ns) / (double)RC_NS;
		if (c->tokens > c->burst)
			c->tokens = c->burst;
	}
	c->last_ns = now_ns;
}

int64_t ratelimit_class_wait(const struct shm_rl_class *c, int64_t now_ns)
{
	if (now_ns < c->pause_until)
		return c->pause_until - now_ns;
	if (c->rate <= 0 || c->tokens >= 1)
		return 0;
	/* +1 ns so truncation cannot wake the caller early */
	return (int64_t)((1 - c->tokens) / c->rate * (double)RC_NS) + 1;
}

void ratelimit_class_take(struct shm_rl_class *c, int64_t now_ns)
{
	if (c->rate > 0)
		c->tokens -= 1;
	c->requests++;
	/* The server's window opens at the first request after the last one ended. */
	if (c->win_start == 0 || now_ns - c->win_start >= (int64_t)(c->interval_s * RC_NS)) {
		c->win_start = now_ns;
		c->win_count = 0;
	}
	c->win_count++;
}

/*
 * What a 429 says of the budget.  The window held win_count requests, this
 * one included: the budget is at most one less.  Requests that were in
 * flight with it get 429s too, so only the first of a closing teaches
 * anything; a refusal of the first request after a pause only says that
 * the server's window had not ended yet.  When the budget is already
 * known, our window may not be the server's: lower it by 10% at most.
 */
static void ratelimit_class_learn(struct shm_rl_class *c, int64_t now_ns)
{
	int64_t learned = c->win_count - 1;

	if (now_ns < c->pause_until || c->win_count <= 1)
		return;
	if (c->limit > 0 && learned < (int64_t)((double)c->limit * RC_RELEARN_FLOOR))
		learned = (int64_t)((double)c->limit * RC_RELEARN_FLOOR);
	if (c->limit == 0 || learned < c->limit)
		ratelimit_class_set_limit(c, (long)(learned > 0 ? learned : 1));
}

void ratelimit_class_throttled(struct shm_rl_class *c, int64_t now_ns, double retry_after_s)
{
	double secs = retry_after_s >= 0 ? retry_after_s : c->interval_s;
	int64_t until;

	c->throttled++;
	ratelimit_class_learn(c, now_ns);
	if (secs < 1)
		secs = 1;
	if (secs > RETRY_MAX_PAUSE_S)
		secs = RETRY_MAX_PAUSE_S;
	until = now_ns + (int64_t)(secs * RC_NS);
	if (until > c->pause_until)
		c->pause_until = until;
	/* The window is over when the pause is: one request then, not a full bucket. */
	c->tokens = c->burst >= 1 ? 1 : 0;
	c->last_ns = c->pause_until;
	c->win_start = 0;
	c->win_count = 0;
}

void ratelimit_class_repair(struct shm_rl_class *c, enum ratelimit_class cls, int64_t now_ns)
{
	if (!isfinite(c->interval_s) || c->interval_s < 1 || !isfinite(c->rate) || c->rate < 0 ||
	    !isfinite(c->burst) || !isfinite(c->tokens)) {
		long limit = (long)c->limit;

		ratelimit_class_init(c, cls, now_ns);
		ratelimit_class_set_limit(c, limit);
	}
	if (c->tokens < 0)
		c->tokens = 0;
	if (c->rate > 0 && c->tokens > c->burst)
		c->tokens = c->burst;
	if (c->last_ns > now_ns + (int64_t)RETRY_MAX_PAUSE_S * RC_NS)
		c->last_ns = now_ns;
	if (c->pause_until > now_ns + (int64_t)RETRY_MAX_PAUSE_S * RC_NS)
		c->pause_until = now_ns;
	if (c->win_start > now_ns)
		c->win_start = 0;
}
