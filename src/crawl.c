/*
 * The crawl (crawl.h), supervisor side: maps the crawl region (bucket,
 * queue, tasks), queues GET /user, runs the API workers in a pool
 * (pool.h; a dead worker's task goes back to the queue), draws the
 * progress, and when the queue has run dry merges the workers' journals
 * into the tree.
 * libcurl is never initialised here.
 */
#include "crawl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api_worker.h"
#include "crawl_merge.h"
#include "crawl_settle.h"
#include "error.h"
#include "log.h"
#include "pool.h"
#include "ratelimit.h"
#include "reqcount.h"
#include "shm.h"
#include "signals.h"

#define CRAWL_TICK_MS 250

/* What the pool's callbacks (pool.h) work on. */
struct crawl_ctx {
	struct api_worker_plan *plan;
	struct pool pool;
	struct crawl_queue_status st;
	int draw; /* the progress line */
};

static long crawl_env_long(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? strtol(v, NULL, 10) : 0;
}

static void crawl_child(void *ctx, const struct pool_child *child)
{
	const struct crawl_ctx *c = ctx;

	api_worker_main(c->plan, child);
}

/* pool_died_fn: a dead worker's tasks go back to the queue. */
static void crawl_died(void *ctx, int index, pid_t pid, int status)
{
	struct crawl_ctx *c = ctx;

	(void)index;
	(void)status;
	ratelimit_reap(&c->plan->shm->rl, pid);
	crawl_queue_requeue_pid(&c->plan->queue, pid);
}

/* pool_stopping_fn: requests in flight are abandoned within a second (http.c). */
static void crawl_stopping(void *ctx)
{
	struct crawl_ctx *c = ctx;

	crawl_queue_stop(&c->plan->queue, CRAWL_QUEUE_STOP_FAILFAST, "stopping");
}

static void crawl_progress(struct crawl_ctx *c)
{
	const struct crawl_queue_status *st = &c->st;
	struct ratelimit_stats rs;
	char line[200];

	if (!c->draw || ratelimit_stats(&c->plan->shm->rl, &rs) < 0)
		return;
	snprintf(line, sizeof(line),
		 "crawl: %llu groups, %llu projects, %llu requests (%u in flight), %llu waits, "
		 "%llu listings to go",
		 (unsigned long long)st->groups, (unsigned long long)st->projects,
		 (unsigned long long)rs.requests, rs.in_flight, (unsigned long long)rs.waits,
		 (unsigned long long)(st->ready + st->claimed));
	log_status_line(line);
}

/*
 * pool_tick_fn: every worker while there are listings to do; a crash loop
 * gives up; a stopped queue stops the workers.
 */
static int crawl_tick(void *ctx, const struct pool *p, struct pool_tick *t)
{
	struct crawl_ctx *c = ctx;
	const struct crawl_queue_status *st = &c->st;
	int err;

	if ((err = crawl_queue_status(&c->plan->queue, &c->st)) < 0)
		return err;
	crawl_progress(c);
	t->stop = st->stop != CRAWL_QUEUE_RUNNING;
	t->want = st->ready + st->claimed > 0 ? (size_t)p->n : 0;
	t->max_forks = (size_t)p->n * 4 + (size_t)st->ntasks * CRAWL_QUEUE_MAX_TRIES;
	return 0;
}

static const struct pool_role crawl_role = {
	.name = "api",
	.title = "API worker",
	.requeued = "its task goes back to the queue",
	.tick_ms = CRAWL_TICK_MS,
	.main = crawl_child,
	.tick = crawl_tick,
	.died = crawl_died,
	.stopping = crawl_stopping,
};

static int crawl_supervise(struct crawl_ctx *c)
{
	int err = pool_run(&c->pool);

	if (c->draw)
		log_status_line(NULL);
	if (err == 0)
		err = crawl_queue_status(&c->plan->queue, &c->st);
	return err;
}

/* What ended the crawl early, as the error the supervisor maps to an exit code. */
static int crawl_outcome(const struct crawl_queue_status *st)
{
	if (signals_stopping())
		return glm_error_set(GLM_EINTR, "interrupted");
	switch (st->stop) {
	case CRAWL_QUEUE_STOP_AUTH:
		return glm_error_set(GLM_EAUTH, "%s", st->fatal);
	case CRAWL_QUEUE_STOP_CONNECT:
		return glm_error_set(GLM_ECONNECT, "%s", st->fatal);
	case CRAWL_QUEUE_STOP_FAILFAST:
		return glm_error_set(GLM_ESTOPPED, "--fail-fast: stopped after: %s", st->fatal);
	default:
		if (st->ready + st->claimed > 0)
			return glm_error_set(GLM_ERR, "the crawl ended with %llu listings not done",
					     (unsigned long long)(st->ready + st->claimed));
		return 0;
	}
}

/*
 * Runs the queue dry, then reads again every listing that GitLab changed
 * while it was read, until all fit (crawl_settle.h).
 */
static int crawl_round(struct crawl_ctx *c, size_t *unsettled)
{
	size_t queued;
	int err;

	do {
		if ((err = crawl_supervise(c)) < 0 || (err = crawl_outcome(&c->st)) < 0 ||
		    (err = crawl_settle(&c->plan->queue, &queued, unsettled)) < 0)
			return err;
	} while (queued > 0);
	return 0;
}

/* What the journals hold, less what a later read of its listing replaced. */
static int crawl_source(struct api_worker_plan *plan, const char *dir, struct crawl_merge_src *src,
			unsigned char **replaced)
{
	int err = crawl_settle_replaced(&plan->queue, replaced, &src->nreplaced);

	src->dir = dir;
	src->replaced = *replaced;
	return err;
}

/*
 * The second round of a crawl of everything listed (or of a search): the
 * listing of the groups is complete, so the groups whose parent is not
 * listed are known; each gets its whole-subtree listings.
 */
static int crawl_from_tops(struct crawl_ctx *c, const char *dir, size_t *unsettled)
{
	struct api_worker_plan *plan = c->plan;
	struct crawl_queue_task t[CRAWL_QUEUE_GROUP_TASKS];
	struct crawl_merge_src src;
	unsigned char *replaced = NULL;
	long long *tops = NULL;
	size_t ntops = 0, i, n;
	int err;

	if ((err = crawl_source(plan, dir, &src, &replaced)) == 0)
		err = crawl_merge_tops(&src, plan->opts, &tops, &ntops);
	free(replaced);
	for (i = 0; i < ntops && err == 0; i++) {
		n = crawl_queue_group_tasks(t, tops[i], plan->opts->include_shared);
		err = crawl_queue_push(&plan->queue, t, n);
	}
	free(tops);
	if (err == 0 && ntops > 0)
		err = crawl_round(c, unsettled);
	return err;
}

/* Whether url's host is gitlab.com (scheme and port aside). */
static int crawl_is_gitlab_com(const char *url)
{
	const char *host = strstr(url, "://");
	size_t n;

	host = host != NULL ? host + 3 : url;
	n = strcspn(host, ":/?#");
	return n == 10 && strncasecmp(host, "gitlab.com", n) == 0;
}

/*
 * GitLab.com's published per-endpoint budgets, when they apply: a crawl
 * paced by them never meets an endpoint's own 429.  Elsewhere the budgets
 * are learned from the first such 429 (ratelimit_pause_class).
 */
static int crawl_endpoint_budgets(const struct options *opts, struct shm_ratelimit *rl)
{
	long limits[RL_CLASS_COUNT];
	long window = crawl_env_long("GLMIRROR_TEST_ENDPOINT_WINDOW");
	int err;

	if (window > 0 && (err = ratelimit_set_window(rl, (double)window)) < 0)
		return err;
	if (opts->endpoint_limits == ENDPOINT_LIMITS_LEARN ||
	    (opts->endpoint_limits == ENDPOINT_LIMITS_AUTO && !crawl_is_gitlab_com(opts->url)))
		return 0;
	for (int i = 0; i < RL_CLASS_COUNT; i++)
		limits[i] = ratelimit_class_gitlab_com((enum ratelimit_class)i);
	return ratelimit_set_budgets(rl, limits);
}

static void crawl_remove_dir(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

int crawl_run(const struct options *opts, struct node **out_root, struct crawl_result *res)
{
	size_t size =
		sizeof(struct crawl_shm) + CRAWL_QUEUE_CAPACITY * sizeof(struct crawl_queue_task);
	struct api_worker_plan plan;
	struct crawl_ctx c;
	struct ratelimit_stats rs;
	struct shm_reqcount counts;
	struct crawl_queue_task seed;
	struct crawl_merge_src src;
	const char *tmp = getenv("TMPDIR");
	unsigned char *replaced = NULL;
	char dir[4096];
	void *region = NULL;
	size_t dropped = 0, unsettled = 0;
	int err;

	*out_root = NULL;
	memset(&plan, 0, sizeof(plan));
	memset(&c, 0, sizeof(c));
	memset(&seed, 0, sizeof(seed));
	snprintf(dir, sizeof(dir), "%s/glmirror-crawl-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return glm_error_errno(GLM_EIO, errno, "cannot make a folder for the crawl in %s",
				       tmp != NULL && *tmp ? tmp : "/tmp");
	if ((err = shm_create(&region, size)) < 0)
		goto out_dir;
	plan.opts = opts;
	plan.shm = region;
	plan.journal_dir = dir;
	plan.die_locked_claim = crawl_env_long("GLMIRROR_TEST_API_DIE_LOCKED");
	plan.die_path = getenv("GLMIRROR_TEST_API_DIE_PATH");
	seed.kind = CRAWL_QUEUE_PREFLIGHT;
	seed.page = 1;
	if ((err = ratelimit_init(&plan.shm->rl, opts->api_rate, 0)) < 0 ||
	    (err = crawl_endpoint_budgets(opts, &plan.shm->rl)) < 0 ||
	    (err = crawl_queue_init(&plan.queue, &plan.shm->queue, plan.shm->tasks,
				    CRAWL_QUEUE_CAPACITY)) < 0 ||
	    (err = crawl_queue_push(&plan.queue, &seed, 1)) < 0)
		goto out;
	c.plan = &plan;
	c.draw = !opts->quiet && (opts->progress == PROGRESS_ALWAYS ||
				  (opts->progress == PROGRESS_AUTO && isatty(STDERR_FILENO)));
	pool_init(&c.pool, &crawl_role, &c, opts->api_concurrency);
	err = crawl_round(&c, &unsettled);
	if (err == 0 && opts->ngroups == 0 && !opts->user_projects)
		err = crawl_from_tops(&c, dir, &unsettled);
	if (err == 0 && (err = crawl_source(&plan, dir, &src, &replaced)) == 0)
		err = crawl_merge(&src, out_root, &dropped, &res->outside);
	free(replaced);
	if (ratelimit_stats(&plan.shm->rl, &rs) == 0) {
		res->api_calls = rs.requests;
		res->ratelimit_wait_s = rs.wait_s;
	}
	reqcount_read(&plan.shm->counts, &counts);
	memcpy(res->answers, counts.answers, sizeof(res->answers));
	res->throttled = counts.throttled;
	res->retries = counts.retries;
	res->failed_tasks = c.st.failed + dropped + unsettled;
	res->worker_deaths = c.pool.deaths;
out:
	shm_destroy(region, size);
out_dir:
	crawl_remove_dir(dir);
	return err;
}
