/*
 * The sync (sync.h), supervisor side: lists the projects of this shard,
 * maps the queue, runs the sync workers in a pool (pool.h; a dead
 * worker's project is requeued once), draws the progress, then writes the
 * summary and the report.  libgit2 is never initialised here.
 */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "gitopts.h"
#include "grow.h"
#include "log.h"
#include "monoclock.h"
#include "pool.h"
#include "ratelimit.h"
#include "reqcount.h"
#include "safepath.h"
#include "signals.h"
#include "sync_dryrun.h"
#include "sync_fs.h"
#include "sync_lifecycle.h"
#include "sync_move.h"
#include "sync_progress.h"
#include "sync_report.h"
#include "sync_shard.h"
#include "sync_worker.h"

#define SYNC_MAX_TRIES 2 /* a project whose worker died is tried once more */
#define SYNC_ORPHAN_REASON                                                                         \
	"no longer in the tree (deleted, moved out of reach, access lost or filtered out); "       \
	"left in place"

/* What the pool's callbacks (pool.h) work on. */
struct sync_ctx {
	struct sync_plan *plan;
	struct sync_progress_line pl;
};

struct sync_collect {
	struct sync_plan *plan;
	size_t cap;
};

static int sync_collect_project(struct node *node, void *ctx)
{
	struct sync_collect *c = ctx;
	const struct options *opts = c->plan->opts;
	struct node **grown;

	if (node->type != NODE_PROJECT ||
	    !sync_shard_mine(node->full_path, opts->shard_k, opts->shard_n))
		return 0;
	grown = grow_array(c->plan->projects, &c->cap, c->plan->nprojects, sizeof(*grown), 64);
	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	c->plan->projects = grown;
	c->plan->projects[c->plan->nprojects++] = node;
	return 0;
}

static void sync_child(void *ctx, const struct pool_child *child)
{
	struct sync_ctx *c = ctx;

	sync_worker_main(c->plan, child);
}

/*
 * A worker that died in a clone left its temporary folder: removed now, so
 * that a project not tried again (tried twice, or a full disk) leaves
 * nothing half-written until its next run.
 */
static void sync_remove_dead_clones(struct sync_plan *plan, pid_t pid)
{
	char tmp[512];

	for (size_t i = 0; i < plan->orphans_from; i++) {
		const struct node *p = plan->projects[i];
		int fd;

		if (plan->queue.slots[i].state != SYNC_SLOT_RUNNING ||
		    plan->queue.slots[i].pid != pid || p->parent == NULL)
			continue;
		sync_fs_tmp_name(tmp, sizeof(tmp), p->folder, pid);
		if (safepath_open_dir(plan->dest_fd, p->parent->root_path, 0, &fd) < 0)
			continue;
		if (sync_fs_remove(fd, tmp) < 0)
			log_warn("%s", glm_error_msg());
		close(fd);
	}
}

/* pool_died_fn: what a dead worker held goes back to the queue, once. */
static void sync_died(void *ctx, int index, pid_t pid, int status)
{
	struct sync_plan *plan = ((struct sync_ctx *)ctx)->plan;
	char what[96], reason[160];

	(void)index;
	ratelimit_reap(plan->queue.rl, pid);
	sync_remove_dead_clones(plan, pid);
	pool_status_text(status, what, sizeof(what));
	snprintf(reason, sizeof(reason), "the sync worker %s, twice", what);
	sync_queue_requeue(&plan->queue, pid, SYNC_MAX_TRIES, reason);
}

/* pool_tick_fn: min(concurrency, pending) workers while work is pending. */
static int sync_tick(void *ctx, const struct pool *p, struct pool_tick *t)
{
	struct sync_ctx *c = ctx;

	sync_progress_tick(&c->pl, &c->plan->queue);
	t->want = sync_queue_pending(&c->plan->queue);
	t->max_forks = c->plan->nprojects * SYNC_MAX_TRIES + (size_t)p->n;
	return 0;
}

static int sync_supervise(struct sync_plan *plan)
{
	struct pool_role role = {
		.name = "sync",
		.title = "sync worker",
		.requeued = "the project it held was requeued",
		.main = sync_child,
		.tick = sync_tick,
		.died = sync_died,
	};
	struct sync_ctx c = { .plan = plan };
	struct pool pool;
	int n = plan->opts->concurrency, err;

	sync_progress_init(&c.pl, plan->opts);
	role.tick_ms = sync_progress_interval_ms(&c.pl);
	if ((size_t)n > plan->nprojects)
		n = (int)plan->nprojects;
	pool_init(&pool, &role, &c, n);
	err = pool_run(&pool);
	sync_progress_end(&c.pl);
	return err;
}

/* One sync per DEST at a time: two would clone into the same folders. */
static int sync_lock_dest(int dest_fd, const char *dest)
{
	if (flock(dest_fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK
			       ? glm_error_set(GLM_EUSAGE,
					       "another glmirror is syncing into '%s' right now",
					       dest)
			       : glm_error_errno(GLM_EIO, errno, "cannot lock '%s'", dest);
	return 0;
}

/* The projects moved out of the tree as unsafe: failed before any work, with the reason. */
static void sync_fail_unsafe(struct sync_plan *plan)
{
	char reason[SYNC_REASON_MAX];

	for (size_t i = plan->nsafe; i < plan->orphans_from; i++)
		sync_queue_finish(&plan->queue, i, SYNC_RES_FAILED,
				  safepath_reason(plan->projects[i], reason, sizeof(reason)), 0, 0);
}

/* The trash folder of this run: its start in UTC, as a folder name that sorts by time. */
static void sync_trash_stamp(struct sync_plan *plan)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(plan->trash_stamp, sizeof(plan->trash_stamp), "%Y%m%dT%H%M%SZ", &tm);
}

/* What the workers' requests came to, for the summary and --metrics. */
static void sync_count_requests(struct sync_plan *plan, struct sync_summary *out)
{
	struct ratelimit_stats rs;
	struct shm_reqcount counts;

	reqcount_read(plan->queue.counts, &counts);
	out->retries = counts.retries;
	if (ratelimit_stats(plan->queue.rl, &rs) == 0) {
		out->ratelimit_wait_s = rs.wait_s;
		out->throttled = rs.throttled;
	}
}

int sync_run(const struct options *opts, struct node *root, struct node *unsafe,
	     const char *base_url, int complete, struct sync_summary *out)
{
	struct sync_plan plan;
	struct sync_collect collect;
	int64_t start = monoclock_ns();
	int guarded = 0, err, rerr;
	char why[512];
	size_t moved = 0;

	memset(out, 0, sizeof(*out));
	memset(&plan, 0, sizeof(plan));
	plan.opts = opts;
	plan.base_url = base_url;
	plan.dest_fd = -1;
	collect.plan = &plan;
	collect.cap = 0;
	if ((err = gitopts_parse(opts, &plan.gitopts)) < 0 ||
	    (err = tree_walk(root, sync_collect_project, &collect)) < 0)
		goto out;
	plan.nsafe = plan.nprojects;
	if (unsafe != NULL && (err = tree_walk(unsafe, sync_collect_project, &collect)) < 0)
		goto out;
	plan.orphans_from = plan.nprojects;
	out->total = plan.nprojects;
	plan.dest_fd = open(opts->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* A dry run writes nothing, not even DEST: a missing one means "clone all". */
	if (opts->dry_run && plan.dest_fd < 0 && errno == ENOENT) {
		err = sync_dryrun_run(&plan, out);
		goto out;
	}
	if (plan.dest_fd < 0) {
		err = glm_error_errno(GLM_EUSAGE, errno, "cannot open destination '%s'",
				      opts->dest);
		goto out;
	}
	if (opts->dry_run) {
		if ((err = sync_state_read(plan.dest_fd, &plan.state)) == 0 &&
		    (err = sync_lifecycle_find_orphans(&plan, root, unsafe)) == 0)
			err = sync_dryrun_run(&plan, out);
		goto out;
	}
	if ((err = sync_lock_dest(plan.dest_fd, opts->dest)) < 0 ||
	    (err = sync_state_read(plan.dest_fd, &plan.state)) < 0 ||
	    (err = sync_lifecycle_find_orphans(&plan, root, unsafe)) < 0 ||
	    (err = sync_queue_create(&plan.queue, plan.nprojects)) < 0)
		goto out;
	sync_fail_unsafe(&plan);
	plan.moved_from = calloc(plan.nprojects + 1, sizeof(*plan.moved_from));
	if (plan.moved_from == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	if (!opts->prune)
		sync_lifecycle_keep_orphans(&plan, SYNC_ORPHAN_REASON);
	else if ((out->guarded = sync_lifecycle_guard(&plan, complete, why, sizeof(why))))
		sync_lifecycle_stop(&plan);
	sync_trash_stamp(&plan);
	if (!out->guarded && (err = sync_move_run(&plan, &moved)) < 0)
		goto out;
	if (!out->guarded) {
		err = sync_supervise(&plan);
		sync_lifecycle_tidy(&plan);
		if ((rerr = sync_lifecycle_record(&plan)) < 0 && err == 0)
			err = rerr;
	}
	guarded = out->guarded;
	sync_report_count(&plan, out);
	sync_count_requests(&plan, out);
	out->moved = moved;
	out->guarded = guarded;
	sync_report_log(&plan, out, monoclock_seconds_since(start));
	if (opts->report != NULL && (rerr = sync_report_write(&plan, opts->report)) < 0 && err == 0)
		err = rerr;
	if (guarded)
		log_error("%s", why);
	if (err == 0 && signals_stopping())
		err = glm_error_set(GLM_EINTR, "interrupted");
out:
	sync_queue_release(&plan.queue);
	if (plan.dest_fd >= 0)
		close(plan.dest_fd);
	free(plan.projects);
	free(plan.moved_from);
	node_free(plan.orphans);
	sync_state_release(&plan.state);
	return err;
}
