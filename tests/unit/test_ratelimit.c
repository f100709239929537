/*
 * ratelimit: the bucket's arithmetic with an injected clock, the server's
 * headers, the shared pause, many processes taking tokens at once, and a
 * process killed while it holds the lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "monoclock.h"
#include "ratelimit.h"
#include "shm.h"
#include "signals.h"

#define NS	   1000000000LL
#define T0	   (1000 * NS) /* the injected clock starts here */
#define MAX_STAMPS 4096

/* The region: the bucket, then the stamps the test's children record. */
struct fixture {
	void *region;
	struct shm_ratelimit *rl;
	int64_t *stamps;
	uint32_t *nstamps;
};

static size_t region_size(void)
{
	return 2 * sizeof(struct shm_ratelimit) + MAX_STAMPS * sizeof(int64_t) + 64;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || shm_create(&f->region, region_size()) < 0)
		return -1;
	f->rl = (struct shm_ratelimit *)((char *)f->region + sizeof(struct shm_ratelimit));
	f->stamps = (int64_t *)(f->rl + 1);
	f->nstamps = (uint32_t *)(f->stamps + MAX_STAMPS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	shm_destroy(f->region, region_size());
	free(f);
	return 0;
}

/* A bucket whose clock reads T0 now. */
static struct shm_ratelimit *bucket(void **state, double rate, double burst)
{
	struct fixture *f = *state;

	assert_int_equal(ratelimit_init(f->rl, rate, burst), 0);
	f->rl->last_ns = T0;
	return f->rl;
}

static void test_defaults(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 0, 0);

	assert_true(rl->adaptive && rl->rate == RATELIMIT_ADAPT_RATE &&
		    rl->burst == RATELIMIT_ADAPT_BURST && rl->tokens == RATELIMIT_ADAPT_BURST);
	rl = bucket(state, 0.5, 0);
	assert_true(!rl->adaptive && rl->rate == 0.5 && rl->burst == 1);
	rl = bucket(state, 100, 0);
	assert_true(rl->burst == 10);
	rl = bucket(state, 3, 7);
	assert_true(rl->burst == 7 && rl->tokens == 7);
}

static void test_burst_then_rate(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 2, 3);
	int64_t wait;
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 0);
		assert_true(wait == 0);
	}
	assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 1);
	/* the next token is due in 1/rate = 0.5 s */
	assert_true(wait > NS / 2 - 10 && wait <= NS / 2 + 10);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + NS / 4, &wait), 1);
	assert_true(wait > NS / 4 - 10 && wait <= NS / 4 + 10);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + NS / 2 + 1, &wait), 0);
	assert_true(rl->requests == 4 && rl->waits == 2);
}

/* A greedy taker that sleeps exactly as told gets rate*t + burst tokens, never more. */
static void test_greedy_respects_rate(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 7, 4);
	int64_t now = T0, wait, end = T0 + 60 * NS;
	long granted = 0, steps = 0;

	while (now < end && steps++ < 100000) {
		if (ratelimit_acquire_at(rl, now, &wait) == 0) {
			granted++;
			continue;
		}
		assert_true(wait > 0);
		now += wait;
	}
	assert_true(granted <= 7 * 60 + 4);
	assert_true(granted >= 7 * 60 + 4 - 1);
}

static void test_in_flight(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);
	struct ratelimit_stats st;
	int64_t wait;

	assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 0);
	assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 0);
	ratelimit_done(rl);
	assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 0);
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.in_flight == 2 && st.max_in_flight == 2 && st.requests == 3);
	/* a dead worker's requests are forgotten when the supervisor reaps it */
	ratelimit_reap(rl, getpid());
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.in_flight == 0 && st.max_in_flight == 2);
	ratelimit_done(NULL);
	assert_int_equal(ratelimit_acquire(NULL), 0);
}

static void test_pause_is_shared(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);
	int64_t wait;

	assert_int_equal(ratelimit_pause_at(rl, T0, 2.0), 0);
	assert_true(rl->throttled == 1 && rl->rate == 5);
	/* the rate asked for stays the ceiling */
	assert_true(rl->rate_cap == 10);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + NS, &wait), 1);
	assert_true(wait == NS);
	/* other workers' 429s during the pause extend it but do not slow down again */
	assert_int_equal(ratelimit_pause_at(rl, T0 + NS, 1.5), 0);
	assert_true(rl->throttled == 2 && rl->rate == 5);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + 2 * NS, &wait), 1);
	assert_true(wait == NS / 2);
	/* after the pause the bucket starts empty: no burst into the server */
	assert_int_equal(ratelimit_acquire_at(rl, T0 + 5 * NS / 2, &wait), 1);
	assert_true(wait > NS / 5 - 10 && wait <= NS / 5 + 10);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + 27 * NS / 10 + 1, &wait), 0);
	/* absurd Retry-After values are capped */
	assert_int_equal(ratelimit_pause_at(rl, T0 + 3 * NS, 1e12), 0);
	assert_true(rl->pause_until <= T0 + 3 * NS + 900 * NS);
}

/* Without RateLimit headers, a rate halved by 429s doubles after each quiet minute. */
static void test_rate_recovers(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 0, 0);
	int64_t wait;
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_pause_at(rl, T0 + (int64_t)i * 2 * NS, 1), 0);
	assert_true(rl->rate == RATELIMIT_ADAPT_RATE / 8 && rl->throttled == 3);
	ratelimit_acquire_at(rl, T0 + 50 * NS, &wait);
	assert_true(rl->rate == RATELIMIT_ADAPT_RATE / 8);
	ratelimit_acquire_at(rl, T0 + 64 * NS, &wait);
	assert_true(rl->rate == RATELIMIT_ADAPT_RATE / 4);
	ratelimit_acquire_at(rl, T0 + 100 * NS, &wait);
	assert_true(rl->rate == RATELIMIT_ADAPT_RATE / 4);
	ratelimit_acquire_at(rl, T0 + 124 * NS, &wait);
	ratelimit_acquire_at(rl, T0 + 184 * NS, &wait);
	assert_true(rl->rate == RATELIMIT_ADAPT_RATE && rl->last_429 == 0);
	/* never above the rate asked for */
	ratelimit_acquire_at(rl, T0 + 300 * NS, &wait);
	assert_true(rl->rate == RATELIMIT_ADAPT_RATE);
}

/* A budget spent early cuts the rate to nothing, but only until the window resets. */
static void test_low_rate_never_sleeps_past_the_reset(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);
	int64_t wait, reset = T0 + 10 * NS;

	assert_int_equal(ratelimit_observe_at(rl, T0, 600, 1, reset), 0);
	assert_true(rl->rate == RATELIMIT_MIN_RATE);
	assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 0);
	ratelimit_done(rl);
	assert_int_equal(ratelimit_acquire_at(rl, T0, &wait), 1);
	assert_true(wait > 0 && wait <= 10 * NS + 1);
	/* Woken at the reset, the worker finds the rate full again and a token. */
	assert_int_equal(ratelimit_acquire_at(rl, T0 + wait, &wait), 0);
	assert_true(rl->rate == 10);
}

/* With Remaining low, the bucket spreads what is left until the reset. */
static void test_observe_slows_down(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);
	int64_t now = T0, wait, reset = T0 + 10 * NS;
	long granted = 0, steps = 0;

	assert_int_equal(ratelimit_observe_at(rl, T0, 600, 20, reset), 0);
	assert_true(rl->tokens == 10);
	assert_true(rl->rate > 0.99 && rl->rate < 1.01);
	while (now < reset && steps++ < 10000) {
		if (ratelimit_acquire_at(rl, now, &wait) == 0) {
			granted++;
			continue;
		}
		now += wait;
	}
	assert_true(granted <= 20);
	/* the window is over: full speed again */
	assert_int_equal(ratelimit_acquire_at(rl, reset + 1, &wait), 0);
	assert_true(rl->rate == 10);
}

static void test_observe_plenty_changes_nothing(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);

	assert_int_equal(ratelimit_observe_at(rl, T0, 2000, 1900, T0 + 30 * NS), 0);
	assert_true(rl->rate == 10 && rl->tokens == 10);
	assert_true(rl->srv_limit == 2000 && rl->srv_remaining == 1900);
	/* absent headers are ignored */
	assert_int_equal(ratelimit_observe_at(rl, T0, -1, -1, 0), 0);
	assert_true(rl->srv_remaining == 1900);
}

static void test_observe_exhausted_pauses(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);
	int64_t wait;

	assert_int_equal(ratelimit_observe_at(rl, T0, 60, 0, T0 + 4 * NS), 0);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + NS, &wait), 1);
	assert_true(wait == 3 * NS);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + 4 * NS, &wait), 0);
}

static void test_observe_out_of_order(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);

	assert_int_equal(ratelimit_observe_at(rl, T0, 60, 30, T0 + 5 * NS), 0);
	/* an older answer from the same window (higher count) does not raise the budget */
	assert_int_equal(ratelimit_observe_at(rl, T0, 60, 45, T0 + 5 * NS + NS / 2), 0);
	assert_true(rl->srv_remaining == 30);
	/* an answer from the previous window is ignored */
	assert_int_equal(ratelimit_observe_at(rl, T0, 60, 50, T0 + 2 * NS), 0);
	assert_true(rl->srv_remaining == 30 && rl->srv_reset == T0 + 5 * NS + NS / 2);
	/* a new window replaces the old one: 10 in the bucket, 49 more over 9 s */
	assert_int_equal(ratelimit_observe_at(rl, T0 + 6 * NS, 60, 59, T0 + 15 * NS), 0);
	assert_true(rl->srv_remaining == 59 && rl->tokens == 10);
	assert_true(rl->rate > 49.0 / 9 - 0.01 && rl->rate < 49.0 / 9 + 0.01);
}

static void test_observe_wall_clock(void **state)
{
	struct shm_ratelimit *rl = bucket(state, 10, 10);
	struct ratelimit_stats st;
	double in_s;

	rl->last_ns = monoclock_ns();
	/* a small RateLimit-Reset is seconds from now */
	assert_int_equal(ratelimit_observe(rl, 600, 5, 10), 0);
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.tokens <= 5 && st.rate < 1);
	/* a time in the far future is not believed */
	rl = bucket(state, 10, 10);
	rl->last_ns = monoclock_ns();
	assert_int_equal(ratelimit_observe(rl, 600, 5, (long long)time(NULL) + 86400), 0);
	assert_true(rl->rate == 10);
	assert_true(ratelimit_reset_seconds(-1) == -1);
	assert_true(ratelimit_reset_seconds(42) == 42);
	in_s = ratelimit_reset_seconds((long long)time(NULL) + 30);
	assert_true(in_s > 28 && in_s <= 30);
	assert_int_equal(ratelimit_observe(NULL, 1, 1, 1), 0);
	assert_int_equal(ratelimit_pause(NULL, 1), 0);
}

#define PROCS 4

/*
 * Several processes take tokens from one bucket at the real clock's pace;
 * every token's time is recorded, and no interval of the run holds more
 * than rate * its length + burst of them.
 */
static void test_processes_share_the_bucket(void **state)
{
	struct fixture *f = *state;
	const double rate = 40, burst = 5;
	int64_t start, end;
	pid_t pids[PROCS];
	uint32_t n, i, j;
	int status, k;

	assert_int_equal(ratelimit_init(f->rl, rate, burst), 0);
	*f->nstamps = 0;
	start = monoclock_ns();
	end = start + NS; /* one second of traffic */
	for (k = 0; k < PROCS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0) {
			int64_t now, wait;
			struct timespec ts;

			while ((now = monoclock_ns()) < end) {
				int rc = ratelimit_acquire_at(f->rl, now, &wait);

				if (rc < 0)
					_exit(2);
				if (rc == 0) {
					uint32_t slot =
						__atomic_fetch_add(f->nstamps, 1, __ATOMIC_SEQ_CST);

					if (slot < MAX_STAMPS)
						f->stamps[slot] = now;
					ratelimit_done(f->rl);
					continue;
				}
				ts.tv_sec = wait / NS;
				ts.tv_nsec = wait % NS;
				nanosleep(&ts, NULL);
			}
			_exit(0);
		}
	}
	for (k = 0; k < PROCS; k++) {
		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	n = *f->nstamps;
	assert_true(n < MAX_STAMPS);
	/* some refill happened: more than the burst went through */
	assert_true(n > burst + 5);
	assert_true(n <= rate * 1.1 + burst);
	/* sort, then check every interval */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && f->stamps[j - 1] > f->stamps[j]; j--) {
			int64_t t = f->stamps[j];

			f->stamps[j] = f->stamps[j - 1];
			f->stamps[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
			assert_true((double)(j - i + 1) <=
				    burst + rate * (double)(f->stamps[j] - f->stamps[i]) / NS +
					    1e-6);
	assert_true(f->rl->in_flight == 0 && f->rl->max_in_flight <= PROCS);
}

/* The sleeping wrapper: a run of N tokens takes at least (N - burst) / rate. */
static void test_acquire_sleeps(void **state)
{
	struct fixture *f = *state;
	const double rate = 50, burst = 5;
	const int per_proc = 10;
	struct ratelimit_stats rs;
	pid_t pids[PROCS];
	int64_t start, took;
	int status, k;

	assert_int_equal(ratelimit_init(f->rl, rate, burst), 0);
	start = monoclock_ns();
	for (k = 0; k < PROCS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0) {
			int i;

			for (i = 0; i < per_proc; i++) {
				if (ratelimit_acquire(f->rl) < 0)
					_exit(2);
				ratelimit_done(f->rl);
			}
			_exit(0);
		}
	}
	for (k = 0; k < PROCS; k++) {
		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	took = monoclock_ns() - start;
	assert_true(f->rl->requests == PROCS * per_proc);
	assert_true((double)took >= (PROCS * per_proc - burst) / rate * NS * 0.99);
	assert_true(f->rl->in_flight == 0 && f->rl->max_in_flight <= PROCS);
	assert_true(f->rl->waits > 0);
	/* Every process's sleep is added up: some, and no more than all of them slept at most. */
	assert_int_equal(ratelimit_stats(f->rl, &rs), 0);
	assert_true(rs.wait_s > 0 && rs.wait_s <= PROCS * (double)took / NS);
}

/* A worker waiting for a token leaves at once when the run is asked to stop. */
static void test_acquire_interrupted(void **state)
{
	struct fixture *f = *state;
	int fds[2], status;
	pid_t pid;
	char c;

	assert_int_equal(ratelimit_init(f->rl, 0.01, 1), 0); /* next token in 100 s */
	f->rl->tokens = 0;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (signals_install() < 0 || write(fds[1], "x", 1) != 1)
			_exit(3);
		_exit(ratelimit_acquire(f->rl) == GLM_EINTR ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(f->rl->requests == 0 && f->rl->in_flight == 0);
}

/* A process killed while it holds the lock, halfway through an update. */
static void test_killed_holder_is_repaired(void **state)
{
	struct fixture *f = *state;
	struct ratelimit_stats st;
	int fds[2], status;
	int64_t wait;
	pid_t pid;
	char c;

	assert_int_equal(ratelimit_init(f->rl, 10, 10), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (shm_lock_enter(&f->rl->lock, NULL, NULL) < 0)
			_exit(2);
		f->rl->tokens = -1e300 * 1e300; /* -inf: a torn update */
		f->rl->rate = 0;
		f->rl->flight_pid[3] = getpid();
		f->rl->in_flight = 7;
		f->rl->last_ns = INT64_MAX;
		if (write(fds[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));

	assert_int_equal(ratelimit_acquire_at(f->rl, monoclock_ns(), &wait), 1);
	assert_int_equal(ratelimit_stats(f->rl, &st), 0);
	assert_true(st.repairs == 1);
	assert_true(st.tokens >= 0 && st.tokens <= 10);
	assert_true(st.rate == 10);
	assert_true(st.in_flight == 0 && f->rl->flight_pid[3] == 0);
	assert_true(wait > 0 && wait <= NS / 10 + 1);
	assert_true(f->rl->last_ns <= monoclock_ns());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_then_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_greedy_respects_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_is_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_observe_slows_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_low_rate_never_sleeps_past_the_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_observe_plenty_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_observe_exhausted_pauses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_observe_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_observe_wall_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processes_share_the_bucket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acquire_sleeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acquire_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_holder_is_repaired, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
