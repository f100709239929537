/*
 * The sync (sync.h), supervisor side: lists the projects of this shard,
 * maps the queue, forks the sync workers, replaces a worker that dies
 * (its project is requeued once), draws the progress, then writes the
 * summary and the report.  libgit2 is never initialised here.
 */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "gitopts.h"
#include "grow.h"
#include "log.h"
#include "monoclock.h"
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

struct sync_workers {
	pid_t pid[128];
	int n; /* slots in pid[] in use: at most opts->concurrency */
	int alive;
	size_t forks;
	int signalled; /* SIGTERM forwarded */
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

static long sync_die_claim(void)
{
	const char *v = getenv("GLMIRROR_TEST_SYNC_DIE");

	return v != NULL ? strtol(v, NULL, 10) : 0;
}

static int sync_fork_worker(struct sync_plan *plan, struct sync_workers *w, int index)
{
	pid_t pid = fork();

	if (pid < 0)
		return glm_error_errno(GLM_ERR, errno, "cannot start a sync worker");
	if (pid == 0)
		sync_worker_main(plan, index);
	w->pid[index] = pid;
	w->alive++;
	w->forks++;
	return 0;
}

static int sync_worker_index(const struct sync_workers *w, pid_t pid)
{
	for (int i = 0; i < w->n; i++)
		if (w->pid[i] == pid)
			return i;
	return -1;
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

/* Reaps every dead worker; what a dead worker held goes back to the queue. */
static void sync_reap(struct sync_plan *plan, struct sync_workers *w)
{
	char reason[128];
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = sync_worker_index(w, pid)) < 0)
			continue;
		w->pid[i] = 0;
		w->alive--;
		ratelimit_reap(plan->queue.rl, pid);
		sync_remove_dead_clones(plan, pid);
		if (WIFSIGNALED(status))
			snprintf(reason, sizeof(reason), "the sync worker died of signal %d, twice",
				 WTERMSIG(status));
		else
			snprintf(reason, sizeof(reason), "the sync worker exited with %d, twice",
				 WEXITSTATUS(status));
		if (sync_queue_requeue(&plan->queue, pid, SYNC_MAX_TRIES, reason) > 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			log_warn("sync worker %d (pid %ld) %s %d; the project it held was requeued",
				 i, (long)pid,
				 WIFSIGNALED(status) ? "died of signal" : "exited with",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
}

/* Keeps min(concurrency, pending) workers alive while work is pending. */
static int sync_refill(struct sync_plan *plan, struct sync_workers *w)
{
	size_t pending, limit = plan->nprojects * SYNC_MAX_TRIES + (size_t)w->n;
	int i, err;

	if (signals_stopping())
		return 0;
	pending = sync_queue_pending(&plan->queue);
	for (i = 0; i < w->n && (size_t)w->alive < pending; i++) {
		if (w->pid[i] != 0)
			continue;
		if (w->forks >= limit)
			return glm_error_set(GLM_ERR, "sync workers keep dying; giving up");
		if ((err = sync_fork_worker(plan, w, i)) < 0)
			return err;
	}
	return 0;
}

static int sync_supervise(struct sync_plan *plan)
{
	struct sync_workers w;
	struct sync_progress_line pl;
	int err = 0;

	memset(&w, 0, sizeof(w));
	w.n = plan->opts->concurrency > 0 ? plan->opts->concurrency : 1;
	if (w.n > 128)
		w.n = 128;
	if ((size_t)w.n > plan->nprojects)
		w.n = (int)plan->nprojects;
	sync_progress_init(&pl, plan->opts);
	err = sync_refill(plan, &w);
	while (w.alive > 0) {
		sync_progress_tick(&pl, &plan->queue);
		signals_wait_child(sync_progress_interval_ms(&pl));
		sync_reap(plan, &w);
		if (signals_stopping() && !w.signalled) {
			/* A SIGTERM sent to the supervisor alone reaches the workers too. */
			for (int i = 0; i < w.n; i++)
				if (w.pid[i] != 0)
					kill(w.pid[i], SIGTERM);
			w.signalled = 1;
		}
		if (err == 0)
			err = sync_refill(plan, &w);
	}
	sync_progress_end(&pl);
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

/* What the workers' requests came to, for --metrics. */
static void sync_count_requests(struct sync_plan *plan, struct sync_summary *out)
{
	struct ratelimit_stats rs;
	struct shm_reqcount counts;

	reqcount_read(plan->queue.counts, &counts);
	out->retries = counts.retries;
	if (ratelimit_stats(plan->queue.rl, &rs) == 0)
		out->ratelimit_wait_s = rs.wait_s;
}

int sync_run(const struct options *opts, struct node *root, struct node *unsafe,
	     const char *base_url, int complete, struct sync_summary *out)
{
	struct sync_plan plan;
	struct sync_collect collect;
	int64_t start = monoclock_ns();
	sigset_t set, old;
	int pipefd[2] = { -1, -1 }, blocked = 0, guarded = 0, err, rerr;
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
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		err = glm_error_errno(GLM_ERR, errno, "pipe");
		goto out;
	}
	plan.parent_pipe = pipefd[0];
	plan.parent_pipe_w = pipefd[1];
	plan.supervisor_pid = getpid();
	plan.die_claim = sync_die_claim();
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	blocked = 1;
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
	if (blocked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	sync_queue_release(&plan.queue);
	if (plan.dest_fd >= 0)
		close(plan.dest_fd);
	free(plan.projects);
	free(plan.moved_from);
	node_free(plan.orphans);
	sync_state_free(&plan.state);
	return err;
}
