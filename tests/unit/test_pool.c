/*
 * pool: real children that exit, die of a signal or wait for a stop; the
 * death callback, replacement, the crash-loop limit, stop forwarding, the
 * children's names and test hook, and the SIGTERM a dead supervisor leaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "pool.h"
#include "signals.h"

#define NGEN  8	   /* forks a scene plans for */
#define PAUSE 1000 /* behaviour: wait for a signal */
#define CHECK 1001 /* behaviour: check what the pool set up, exit 0 when all is right */

struct record { /* what each child writes first */
	int index, gen;
	pid_t pid;
};

struct death {
	int index, status;
	pid_t pid;
};

struct scene {
	struct pool pool;
	int record[2];	     /* pipe: a struct record per child */
	size_t want;	     /* children at once the work has use for */
	int jobs;	     /* jobs not done; each child does one, and dies */
	size_t max_forks;    /* the replacement limit */
	int behaviour[NGEN]; /* by fork number: an exit code, a signal as -SIG, PAUSE, CHECK */
	int stop_tick;	     /* the look at which the role asks to stop; 0 never */
	int sigint_tick;     /* the look at which a SIGINT was caught; 0 never */
	int orphan_tick;     /* the look at which this process reads a record and dies */
	int ticks, stoppings, most_alive_at_death;
	struct death dead[2 * NGEN];
	int ndead;
};

/* What the pool set up in the child; a distinct code for each thing wrong. */
static int child_checks(const struct pool_child *c)
{
	char want[32], comm[32] = "";
	sigset_t mask;
	int sig = 0, fd;
	ssize_t n;

	snprintf(want, sizeof(want), "glm-test-%d\n", c->index);
	fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0 || strcmp(comm, want) != 0)
		return 10;
	if (prctl(PR_GET_PDEATHSIG, &sig) != 0 || sig != SIGTERM)
		return 11;
	if (!pool_child_dies_at(c, 7) || pool_child_dies_at(c, 6))
		return 12;
	if (sigprocmask(SIG_BLOCK, NULL, &mask) != 0 || sigismember(&mask, SIGCHLD))
		return 13;
	return 0;
}

static void child_main(void *ctx, const struct pool_child *c)
{
	struct scene *s = ctx;
	size_t gen = s->pool.forks; /* counted in the parent after the fork */
	struct record r = { .index = c->index, .gen = (int)gen, .pid = getpid() };
	int b = gen < NGEN ? s->behaviour[gen] : 97;

	if (write(s->record[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(96);
	if (b == CHECK)
		_exit(child_checks(c));
	if (b == PAUSE) {
		alarm(30); /* SIGALRM, not a hang, if the stop never comes */
		pause();
		_exit(95);
	}
	if (b < 0)
		raise(-b);
	_exit(b);
}

static int tick(void *ctx, const struct pool *p, struct pool_tick *t)
{
	struct scene *s = ctx;
	struct record r;

	s->ticks++;
	if (s->ticks == s->orphan_tick && read(s->record[0], &r, sizeof(r)) == sizeof(r))
		_exit(0); /* a supervisor that dies with its child at work */
	if (s->ticks == s->sigint_tick)
		signals_caught = SIGINT;
	t->stop = s->ticks == s->stop_tick;
	t->want = s->jobs < 0 ? 0 : (size_t)s->jobs;
	if (t->want > s->want)
		t->want = s->want;
	t->max_forks = s->max_forks;
	assert_ptr_equal(p, &s->pool);
	return 0;
}

static void died(void *ctx, int index, pid_t pid, int status)
{
	struct scene *s = ctx;

	assert_true(s->ndead < 2 * NGEN);
	s->dead[s->ndead++] = (struct death){ .index = index, .status = status, .pid = pid };
	if (s->pool.alive > s->most_alive_at_death)
		s->most_alive_at_death = s->pool.alive;
	s->jobs--;
}

static void stopping(void *ctx)
{
	struct scene *s = ctx;

	s->stoppings++;
}

static const struct pool_role role = {
	.name = "test",
	.title = "test worker",
	.requeued = "its job was requeued",
	.tick_ms = 20,
	.main = child_main,
	.tick = tick,
	.died = died,
	.stopping = stopping,
};

static struct scene *scene_new(int n, size_t want, int jobs, size_t max_forks)
{
	struct scene *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(pipe2(s->record, O_CLOEXEC | O_NONBLOCK), 0);
	s->want = want;
	s->jobs = jobs;
	s->max_forks = max_forks;
	pool_init(&s->pool, &role, s, n);
	return s;
}

static void scene_free(struct scene *s)
{
	close(s->record[0]);
	close(s->record[1]);
	free(s);
}

/* The record of the child that was pid: each death is matched to one. */
static struct record record_of(struct scene *s, struct record *all, int *n, pid_t pid)
{
	struct record r;

	while (read(s->record[0], &r, sizeof(r)) == sizeof(r))
		all[(*n)++] = r;
	for (int i = 0; i < *n; i++)
		if (all[i].pid == pid)
			return all[i];
	fail_msg("no record of pid %ld", (long)pid);
	return all[0];
}

static void expect_status(int status, int behaviour)
{
	char text[96];

	if (behaviour < 0) {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), -behaviour);
		pool_status_text(status, text, sizeof(text));
		assert_true(strncmp(text, "died of signal ", 15) == 0);
	} else {
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), behaviour);
		pool_status_text(status, text, sizeof(text));
		assert_int_equal(atoi(text + strlen("exited with ")), behaviour);
	}
}

static void test_dead_children_are_requeued_and_replaced(void **state)
{
	struct scene *s = scene_new(2, 2, 4, 100);
	struct record all[NGEN];
	int n = 0, want[] = { 0, -SIGKILL, 3, 0 };
	char text[96];

	(void)state;
	memcpy(s->behaviour, want, sizeof(want));
	assert_int_equal(pool_run(&s->pool), 0);
	assert_int_equal(s->pool.forks, 4);
	assert_int_equal(s->pool.alive, 0);
	assert_int_equal(s->ndead, 4);
	/* The kill and the exit with 3, not the clean exits. */
	assert_int_equal(s->pool.deaths, 2);
	for (int i = 0; i < s->ndead; i++) {
		struct record r = record_of(s, all, &n, s->dead[i].pid);

		assert_int_equal(s->dead[i].index, r.index);
		assert_in_range(r.index, 0, 1);
		expect_status(s->dead[i].status, want[r.gen]);
	}
	assert_int_equal(n, 4);
	assert_int_equal(s->stoppings, 0);
	pool_status_text(W_EXITCODE(0, SIGKILL), text, sizeof(text));
	assert_string_equal(text, "died of signal 9 (Killed)");
	scene_free(s);
}

static void test_no_more_children_than_the_work_wants(void **state)
{
	struct scene *s = scene_new(3, 1, 3, 100);

	(void)state;
	assert_int_equal(pool_run(&s->pool), 0);
	assert_int_equal(s->pool.forks, 3);
	assert_int_equal(s->most_alive_at_death, 0); /* one at a time */
	scene_free(s);
}

static void test_a_crash_loop_gives_up(void **state)
{
	struct scene *s = scene_new(2, 2, 1000, 5);

	(void)state;
	for (int i = 0; i < NGEN; i++)
		s->behaviour[i] = 1;
	assert_int_equal(pool_run(&s->pool), GLM_ERR);
	assert_string_equal(glm_error_msg(), "test workers keep dying; giving up");
	assert_int_equal(s->pool.forks, 5);
	assert_int_equal(s->pool.alive, 0);
	assert_int_equal(s->ndead, 5);
	/* The error stopped the children that were still alive. */
	assert_int_equal(s->stoppings, 1);
	scene_free(s);
}

/* Three children that wait; the look named by *tick asks them to stop. */
static struct scene *stop_scene(void)
{
	struct scene *s = scene_new(3, 3, 1000, 100);

	for (int i = 0; i < NGEN; i++)
		s->behaviour[i] = PAUSE;
	return s;
}

static void expect_stopped(struct scene *s)
{
	assert_int_equal(pool_run(&s->pool), 0);
	assert_int_equal(s->stoppings, 1);
	assert_int_equal(s->pool.forks, 3); /* none replaced */
	assert_int_equal(s->ndead, 3);
	for (int i = 0; i < s->ndead; i++) {
		assert_true(WIFSIGNALED(s->dead[i].status));
		assert_int_equal(WTERMSIG(s->dead[i].status), SIGTERM);
	}
	assert_int_equal(s->pool.deaths, 0); /* deaths asked for */
}

static void test_the_role_stops_the_children(void **state)
{
	struct scene *s = stop_scene();

	(void)state;
	s->stop_tick = 2;
	expect_stopped(s);
	scene_free(s);
}

static void test_a_caught_signal_is_forwarded(void **state)
{
	struct scene *s = stop_scene();

	(void)state;
	s->sigint_tick = 2;
	expect_stopped(s);
	signals_caught = 0;
	scene_free(s);
}

static void test_children_are_named_and_see_their_hook(void **state)
{
	struct scene *s;

	(void)state;
	setenv("GLMIRROR_TEST_TEST_DIE", "7", 1);
	s = scene_new(2, 2, 2, 100);
	unsetenv("GLMIRROR_TEST_TEST_DIE");
	s->behaviour[0] = s->behaviour[1] = CHECK;
	assert_int_equal(pool_run(&s->pool), 0);
	assert_int_equal(s->ndead, 2);
	for (int i = 0; i < s->ndead; i++) {
		assert_true(WIFEXITED(s->dead[i].status));
		assert_int_equal(WEXITSTATUS(s->dead[i].status), 0);
	}
	scene_free(s);
}

/*
 * A supervisor killed with a child at work: the child gets SIGTERM.  This
 * process adopts the orphan (a subreaper) to see how it ended.
 */
static void test_a_dead_supervisor_stops_its_children(void **state)
{
	pid_t supervisor, pid;
	int status, seen = 0;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	supervisor = fork();
	assert_true(supervisor >= 0);
	if (supervisor == 0) {
		struct scene *s = stop_scene();

		s->want = 1;
		/* A blocking read: the child has written its record after its prctl. */
		fcntl(s->record[0], F_SETFL, 0);
		s->orphan_tick = 2;
		pool_run(&s->pool);
		_exit(1); /* the tick ended this process before */
	}
	for (int i = 0; i < 2; i++) {
		pid = waitpid(-1, &status, 0);
		assert_true(pid > 0);
		if (pid == supervisor) {
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
			continue;
		}
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGTERM);
		seen++;
	}
	assert_int_equal(seen, 1);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_children_are_requeued_and_replaced),
		cmocka_unit_test(test_no_more_children_than_the_work_wants),
		cmocka_unit_test(test_a_crash_loop_gives_up),
		cmocka_unit_test(test_the_role_stops_the_children),
		cmocka_unit_test(test_a_caught_signal_is_forwarded),
		cmocka_unit_test(test_children_are_named_and_see_their_hook),
		cmocka_unit_test(test_a_dead_supervisor_stops_its_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
