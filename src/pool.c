/* The process pool (pool.h). */
#include "pool.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "shm_layout.h"
#include "signals.h"

/* Each child in a request holds a slot of a rate limiter, tracked by pid. */
_Static_assert(POOL_MAX_WORKERS <= SHM_RL_SLOTS, "a rate limiter slot for every worker");

static long pool_test_hook(const char *role)
{
	char name[64];
	const char *v;
	size_t i;

	snprintf(name, sizeof(name), "GLMIRROR_TEST_%s_DIE", role);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	v = getenv(name);
	return v != NULL ? strtol(v, NULL, 10) : 0;
}

void pool_init(struct pool *p, const struct pool_role *role, void *ctx, int n)
{
	memset(p, 0, sizeof(*p));
	p->role = role;
	p->ctx = ctx;
	p->n = n < 1 ? 1 : n > POOL_MAX_WORKERS ? POOL_MAX_WORKERS : n;
	p->parent = getpid();
	p->die_claim = pool_test_hook(role->name);
}

int pool_child_dies_at(const struct pool_child *child, uint64_t claim)
{
	return child->die_claim > 0 && (uint64_t)child->die_claim == claim;
}

void pool_status_text(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "died of signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "exited with %d", WEXITSTATUS(status));
}

/*
 * The child's side of the fork.  The name keeps to the kernel's 15
 * characters ("glm-sync-127"), so that ps and top show every index.
 * PR_SET_PDEATHSIG turns the supervisor's death into the SIGTERM every
 * worker already obeys; the getppid() check covers a death before the prctl.
 */
__attribute__((noreturn)) static void pool_child(const struct pool *p, int index)
{
	struct pool_child child = { .index = index, .die_claim = p->die_claim };
	char role[32], name[16];

	snprintf(role, sizeof(role), "%s-%d", p->role->name, index);
	log_set_role(role);
	snprintf(name, sizeof(name), "glm-%s", role);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != p->parent)
		_exit(1);
	sigprocmask(SIG_SETMASK, &p->child_mask, NULL);
	p->role->main(p->ctx, &child);
	log_error("%s %d returned from its entry point", p->role->title, index);
	_exit(1);
}

static int pool_fork(struct pool *p, int index)
{
	pid_t pid = fork();

	if (pid < 0)
		return glm_error_errno(GLM_ERR, errno, "cannot start %s %d", p->role->title, index);
	if (pid == 0)
		pool_child(p, index);
	p->pid[index] = pid;
	p->alive++;
	p->forks++;
	return 0;
}

/* Forks into free slots until the work has as many children as it can use. */
static int pool_fill(struct pool *p, const struct pool_tick *t)
{
	size_t want = t->want < (size_t)p->n ? t->want : (size_t)p->n;
	int err;

	if (p->stopped || signals_stopping())
		return 0;
	for (int i = 0; i < p->n && (size_t)p->alive < want; i++) {
		if (p->pid[i] != 0)
			continue;
		if (p->forks >= t->max_forks)
			return glm_error_set(GLM_ERR, "%ss keep dying; giving up", p->role->title);
		if ((err = pool_fork(p, i)) < 0)
			return err;
	}
	return 0;
}

/* A SIGTERM sent to the supervisor alone, or the role's own stop, reaches every child. */
static void pool_stop(struct pool *p)
{
	if (p->stopped)
		return;
	if (p->role->stopping != NULL)
		p->role->stopping(p->ctx);
	for (int i = 0; i < p->n; i++)
		if (p->pid[i] != 0)
			kill(p->pid[i], SIGTERM);
	p->stopped = 1;
}

static void pool_reap(struct pool *p)
{
	char what[96];
	int status, i, expected;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < p->n && p->pid[i] != pid; i++)
			;
		if (i == p->n)
			continue;
		p->pid[i] = 0;
		p->alive--;
		expected = p->stopped || signals_stopping();
		p->role->died(p->ctx, i, pid, status);
		if (expected || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
			continue;
		p->deaths++;
		pool_status_text(status, what, sizeof(what));
		log_warn("%s %d (pid %ld) %s; %s", p->role->title, i, (long)pid, what,
			 p->role->requeued);
	}
}

/* One look at the work: stop the children if asked to, else fork what it needs. */
static int pool_look(struct pool *p)
{
	struct pool_tick t;
	int err;

	memset(&t, 0, sizeof(t));
	err = p->role->tick(p->ctx, p, &t);
	if (err == 0 && !t.stop && !signals_stopping())
		err = pool_fill(p, &t);
	if (err < 0 || t.stop || signals_stopping())
		pool_stop(p);
	return err;
}

int pool_run(struct pool *p)
{
	sigset_t chld;
	int err;

	/* SIGCHLD stays pending for signals_wait_child, which is how the pool sleeps. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &p->child_mask);
	err = pool_look(p);
	while (p->alive > 0) {
		signals_wait_child(p->role->tick_ms);
		pool_reap(p);
		if (err == 0)
			err = pool_look(p);
	}
	sigprocmask(SIG_SETMASK, &p->child_mask, NULL);
	return err;
}
