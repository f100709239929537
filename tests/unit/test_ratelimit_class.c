/*
 * ratelimit_class and the per-endpoint budgets of the shared bucket: the
 * class of each API path, GitLab.com's budgets never exceeded in any
 * window, an endpoint's own 429 closing only its class, and the budget
 * learned from it.  The clock is injected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ratelimit.h"
#include "shm.h"

#define NS	  1000000000LL
#define T0	  (1000 * NS)
#define MAX_GRANT 4000

static int setup(void **state)
{
	void *region;

	if (shm_create(&region, sizeof(struct shm_ratelimit)) < 0)
		return -1;
	*state = region;
	return 0;
}

static int teardown(void **state)
{
	shm_destroy(*state, sizeof(struct shm_ratelimit));
	return 0;
}

/* A fast shared bucket (it never holds a request back here) whose clock reads T0. */
static struct shm_ratelimit *bucket(void **state)
{
	struct shm_ratelimit *rl = *state;

	assert_int_equal(ratelimit_init(rl, 10000, 10), 0);
	rl->last_ns = T0;
	for (int i = 0; i < RL_CLASS_COUNT; i++)
		rl->cls[i].last_ns = T0;
	return rl;
}

static void test_class_of_paths(void **state)
{
	(void)state;
	assert_int_equal(ratelimit_class_of("/groups?order_by=id&page=2"), RL_CLASS_GROUPS);
	assert_int_equal(ratelimit_class_of("/groups"), RL_CLASS_GROUPS);
	assert_int_equal(ratelimit_class_of("/groups/a%2Fb?with_projects=false"), RL_CLASS_GROUP);
	assert_int_equal(ratelimit_class_of("/groups/42/projects?include_subgroups=true"),
			 RL_CLASS_GROUP_PROJECTS);
	assert_int_equal(ratelimit_class_of("/groups/42/projects/shared?page=1"), RL_CLASS_OTHER);
	assert_int_equal(ratelimit_class_of("/groups/42/descendant_groups"), RL_CLASS_OTHER);
	assert_int_equal(ratelimit_class_of("/users/7/projects?page=3"), RL_CLASS_USER_PROJECTS);
	assert_int_equal(ratelimit_class_of("/projects?pagination=keyset"), RL_CLASS_PROJECTS);
	assert_int_equal(ratelimit_class_of("/projects/42"), RL_CLASS_OTHER);
	assert_int_equal(ratelimit_class_of("/user"), RL_CLASS_OTHER);
	assert_int_equal(ratelimit_class_of("/groupsx"), RL_CLASS_OTHER);
	assert_int_equal(ratelimit_class_of("/groups//projects"), RL_CLASS_OTHER);
}

/* A greedy taker of one class, sleeping as told; the grant times go to at[]. */
static long greedy(struct shm_ratelimit *rl, enum ratelimit_class cls, int64_t from, int64_t to,
		   int64_t *at)
{
	int64_t now = from, wait;
	long n = 0, steps = 0;

	while (now < to && n < MAX_GRANT && steps++ < 1000000) {
		if (ratelimit_acquire_class_at(rl, cls, now, &wait) == 0) {
			at[n++] = now;
			ratelimit_done(rl);
			continue;
		}
		assert_true(wait > 0);
		now += wait;
	}
	return n;
}

/* The most grants in any window of length w (a window may open at any request). */
static long busiest(const int64_t *at, long n, int64_t w)
{
	long best = 0, j = 0;

	for (long i = 0; i < n; i++) {
		while (at[i] - at[j] >= w)
			j++;
		if (i - j + 1 > best)
			best = i - j + 1;
	}
	return best;
}

static void test_gitlab_com_budgets_hold_in_every_window(void **state)
{
	struct shm_ratelimit *rl = bucket(state);
	long limits[RL_CLASS_COUNT];
	static int64_t at[MAX_GRANT];
	long n;

	for (int i = 0; i < RL_CLASS_COUNT; i++)
		limits[i] = ratelimit_class_gitlab_com((enum ratelimit_class)i);
	assert_int_equal(limits[RL_CLASS_GROUPS], 200);
	assert_int_equal(limits[RL_CLASS_GROUP_PROJECTS], 600);
	assert_int_equal(ratelimit_set_budgets(rl, limits), 0);
	n = greedy(rl, RL_CLASS_GROUPS, T0, T0 + 300 * NS, at);
	assert_true(busiest(at, n, 60 * NS) <= 200);
	/* and it is used: (200 - burst 10) / 63 s (a 5% margin), plus the burst */
	assert_true(n >= 300 * 190 / 63);
	n = greedy(rl, RL_CLASS_GROUP_PROJECTS, T0 + 300 * NS, T0 + 420 * NS, at);
	assert_true(busiest(at, n, 60 * NS) <= 600 && n >= 120 * 590 / 63);
	/* endpoints without a budget are not held back by the class */
	n = greedy(rl, RL_CLASS_OTHER, T0 + 420 * NS, T0 + 421 * NS, at);
	assert_true(n >= 1000);
}

static void test_own_429_closes_only_its_class(void **state)
{
	struct shm_ratelimit *rl = bucket(state);
	struct ratelimit_stats st;
	int64_t wait, until[RL_CLASS_COUNT];

	assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_GROUP_PROJECTS, T0, &wait), 0);
	assert_int_equal(ratelimit_pause_class_at(rl, RL_CLASS_GROUP_PROJECTS, T0, -1), 0);
	/* no Retry-After: closed for a whole window of the endpoint (a minute) */
	assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_GROUP_PROJECTS, T0 + NS, &wait),
			 1);
	assert_true(wait == 59 * NS);
	assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_GROUPS, T0 + NS, &wait), 0);
	assert_int_equal(ratelimit_acquire_at(rl, T0 + NS, &wait), 0);
	assert_int_equal(ratelimit_pauses(rl, until), 0);
	assert_true(until[RL_CLASS_GROUP_PROJECTS] == T0 + 60 * NS && until[RL_CLASS_GROUPS] <= T0);
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.class_throttled[RL_CLASS_GROUP_PROJECTS] == 1 && st.throttled == 0);
	/* the overall bucket was neither paused nor slowed */
	assert_true(rl->pause_until <= T0 + NS && rl->rate == 10000);
	/* Retry-After, when sent, is taken instead; the first request goes at the reopening */
	for (int i = 0; i < 50; i++)
		assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_USER_PROJECTS,
							    T0 + NS + i * NS / 1000, &wait),
				 0);
	assert_int_equal(ratelimit_pause_class_at(rl, RL_CLASS_USER_PROJECTS, T0 + NS, 5), 0);
	assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_USER_PROJECTS, T0 + 2 * NS, &wait),
			 1);
	assert_true(wait == 4 * NS);
	assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_USER_PROJECTS, T0 + 6 * NS, &wait),
			 0);
}

static void test_budget_learned_from_the_first_429(void **state)
{
	struct shm_ratelimit *rl = bucket(state);
	struct ratelimit_stats st;
	static int64_t at[MAX_GRANT];
	int64_t wait, now = T0;
	long n;

	/* 121 requests answered in the window, the 122nd got the 429: the budget is 121 */
	for (int i = 0; i < 122; i++, now += NS / 10)
		assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_GROUPS, now, &wait), 0);
	assert_int_equal(ratelimit_pause_class_at(rl, RL_CLASS_GROUPS, now, -1), 0);
	/* requests that were in flight with it get 429s too, and teach nothing more */
	assert_int_equal(ratelimit_pause_class_at(rl, RL_CLASS_GROUPS, now + 1, -1), 0);
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.class_limit[RL_CLASS_GROUPS] == 121);
	assert_true(st.class_throttled[RL_CLASS_GROUPS] == 2);
	/* from the reopening on, it is paced within the budget in every window */
	n = greedy(rl, RL_CLASS_GROUPS, now, now + 400 * NS, at);
	assert_true(at[0] >= now + 60 * NS);
	assert_true(busiest(at, n, 60 * NS) <= 121 && n >= 5 * 121 - 30);
	/* a refusal of the first request after a pause teaches nothing */
	now = at[n - 1] + 120 * NS;
	assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_GROUPS, now, &wait), 0);
	assert_int_equal(ratelimit_pause_class_at(rl, RL_CLASS_GROUPS, now, -1), 0);
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.class_limit[RL_CLASS_GROUPS] == 121);
	/* a later 429 lowers a known budget by a tenth at most: windows may be shifted */
	now += 200 * NS;
	for (int i = 0; i < 5; i++, now += NS)
		assert_int_equal(ratelimit_acquire_class_at(rl, RL_CLASS_GROUPS, now, &wait), 0);
	assert_int_equal(ratelimit_pause_class_at(rl, RL_CLASS_GROUPS, now, -1), 0);
	assert_int_equal(ratelimit_stats(rl, &st), 0);
	assert_true(st.class_limit[RL_CLASS_GROUPS] == 108);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_of_paths),
		cmocka_unit_test_setup_teardown(test_gitlab_com_budgets_hold_in_every_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_own_429_closes_only_its_class, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_budget_learned_from_the_first_429, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
