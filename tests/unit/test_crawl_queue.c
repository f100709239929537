/* queue: push, claim, complete, requeue after a death, repair of a dead lock holder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"

#define CAP 8

#include "crawl_queue_fixture.h"
#include "stderr_capture.h"

static struct crawl_queue_task task(enum crawl_queue_kind kind, long long id)
{
	struct crawl_queue_task t;

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.id = id;
	t.page = 1;
	return t;
}

static void status(struct crawl_queue *q, struct crawl_queue_status *st)
{
	assert_int_equal(crawl_queue_status(q, st), 0);
}

static void test_claim_complete_and_end(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t = task(CRAWL_QUEUE_PROJECTS, 42), got,
				next = task(CRAWL_QUEUE_PROJECTS, 42);
	struct crawl_queue_status st;
	size_t i;
	uint64_t claim;

	assert_int_equal(crawl_queue_push(&f->q, &t, 1), 0);
	assert_int_equal(crawl_queue_claim(&f->q, 100, &got, &i, &claim), 0);
	assert_int_equal(got.id, 42);
	assert_int_equal(claim, 1);
	status(&f->q, &st);
	assert_int_equal(st.claimed, 1);
	assert_int_equal(st.ready, 0);
	/* Page 2 is queued in the same step as page 1 ends: no moment looks finished. */
	next.page = 2;
	assert_int_equal(
		crawl_queue_complete(&f->q, i,
				     &(struct crawl_queue_result){
					     .failed = 0, .groups = 0, .projects = 3, .total = -1 },
				     &next, 1),
		0);
	assert_int_equal(crawl_queue_claim(&f->q, 100, &got, &i, &claim), 0);
	assert_int_equal(got.page, 2);
	assert_int_equal(
		crawl_queue_complete(&f->q, i,
				     &(struct crawl_queue_result){
					     .failed = 0, .groups = 0, .projects = 2, .total = -1 },
				     NULL, 0),
		0);
	status(&f->q, &st);
	assert_int_equal(st.done, 2);
	assert_int_equal(st.projects, 5);
	/* Nothing READY and nothing CLAIMED: the crawl is over for every worker. */
	assert_int_equal(crawl_queue_claim(&f->q, 100, &got, &i, &claim), GLM_ESTOPPED);
}

static void test_overflow_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t[CAP + 1];

	for (size_t k = 0; k < CAP + 1; k++)
		t[k] = task(CRAWL_QUEUE_DESCENDANTS, (long long)k + 1);
	assert_int_equal(crawl_queue_push(&f->q, t, CAP), 0);
	assert_int_equal(crawl_queue_push(&f->q, t, 1), GLM_ELIMIT);
	assert_non_null(strstr(glm_error_msg(), "8"));
}

/* A child claims and is killed: requeued twice, then the third death fails the task. */
static void test_a_task_that_kills_three_workers_fails(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t = task(CRAWL_QUEUE_SHARED, 7), got;
	struct crawl_queue_status st;
	struct stderr_capture cap;
	char *logged;
	size_t i;
	uint64_t claim;
	int round, wst;

	assert_int_equal(crawl_queue_push(&f->q, &t, 1), 0);
	stderr_capture_start(&cap);
	for (round = 1; round <= CRAWL_QUEUE_MAX_TRIES; round++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			if (crawl_queue_claim(&f->q, getpid(), &got, &i, &claim) == 0)
				raise(SIGKILL);
			_exit(3);
		}
		assert_int_equal(waitpid(pid, &wst, 0), pid);
		assert_true(WIFSIGNALED(wst));
		assert_int_equal(crawl_queue_requeue_pid(&f->q, pid),
				 round == CRAWL_QUEUE_MAX_TRIES);
		status(&f->q, &st);
		assert_int_equal(st.claimed, 0);
		assert_int_equal(st.ready, round < CRAWL_QUEUE_MAX_TRIES);
	}
	logged = stderr_capture_end(&cap);
	assert_non_null(strstr(logged, "(id 7, page 1) killed 3 API workers; giving up on it\n"));
	free(logged);
	status(&f->q, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(crawl_queue_claim(&f->q, 1, &got, &i, &claim), GLM_ESTOPPED);
}

/* A worker dies holding the mutex with garbage in the counters: the next locker repairs. */
static void test_death_holding_the_lock_is_repaired(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t[2] = { task(CRAWL_QUEUE_PROJECTS, 1),
					 task(CRAWL_QUEUE_PROJECTS, 2) },
				got;
	struct crawl_queue_status st;
	size_t i;
	uint64_t claim;
	pid_t pid;
	int wst;

	assert_int_equal(crawl_queue_push(&f->q, t, 2), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		crawl_queue_die_holding_lock(&f->q);
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFSIGNALED(wst));
	status(&f->q, &st);
	assert_int_equal(st.ready, 2);
	assert_int_equal(crawl_queue_claim(&f->q, 5, &got, &i, &claim), 0);
	assert_int_equal(got.id, 1);
}

/* Follow-ups that do not fit fail their task, which says so; a repeated completion is a no-op. */
static void test_follow_ups_that_do_not_fit_fail_the_task(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t[CAP], got;
	struct crawl_queue_status st;
	uint64_t claim;
	size_t i;

	for (size_t k = 0; k < CAP; k++)
		t[k] = task(CRAWL_QUEUE_PROJECTS, (long long)k + 1);
	assert_int_equal(crawl_queue_push(&f->q, t, CAP - 1), 0);
	assert_int_equal(crawl_queue_claim(&f->q, 9, &got, &i, &claim), 0);
	assert_int_equal(
		crawl_queue_complete(&f->q, i,
				     &(struct crawl_queue_result){
					     .failed = 0, .groups = 0, .projects = 0, .total = -1 },
				     t, 2),
		GLM_ELIMIT);
	assert_int_equal(f->q.tasks[i].state, CRAWL_QUEUE_FAILED);
	assert_int_equal(
		crawl_queue_complete(&f->q, i,
				     &(struct crawl_queue_result){
					     .failed = 0, .groups = 0, .projects = 4, .total = -1 },
				     NULL, 0),
		0);
	status(&f->q, &st);
	assert_int_equal(st.ntasks, CAP - 1);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.done, 0);
	assert_int_equal(st.projects, 0);
}

static void test_stop_ends_claims_and_the_first_reason_wins(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t = task(CRAWL_QUEUE_PREFLIGHT, 0), got;
	struct crawl_queue_status st;
	uint64_t claim;
	size_t i;

	assert_int_equal(crawl_queue_push(&f->q, &t, 1), 0);
	crawl_queue_stop(&f->q, CRAWL_QUEUE_STOP_AUTH, "token rejected");
	crawl_queue_stop(&f->q, CRAWL_QUEUE_STOP_FAILFAST, "later");
	assert_int_equal(crawl_queue_claim(&f->q, 1, &got, &i, &claim), GLM_ESTOPPED);
	status(&f->q, &st);
	assert_int_equal(st.stop, CRAWL_QUEUE_STOP_AUTH);
	assert_string_equal(st.fatal, "token rejected");
}

/* A worker that finds nothing READY while a task is in flight gets that task's follow-up. */
static void test_a_waiting_worker_gets_the_follow_up(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t = task(CRAWL_QUEUE_TOP, 0), next = task(CRAWL_QUEUE_PROJECTS, 5),
				got;
	uint64_t claim;
	size_t i;
	int wst;
	pid_t pid;

	assert_int_equal(crawl_queue_push(&f->q, &t, 1), 0);
	assert_int_equal(crawl_queue_claim(&f->q, getpid(), &got, &i, &claim), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int err = crawl_queue_claim(&f->q, getpid(), &got, &i, &claim);

		_exit(err == 0 && i == 1 && got.id == 5 ? 0 : 1);
	}
	assert_int_equal(
		crawl_queue_complete(&f->q, i,
				     &(struct crawl_queue_result){
					     .failed = 0, .groups = 0, .projects = 0, .total = -1 },
				     &next, 1),
		0);
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFEXITED(wst));
	assert_int_equal(WEXITSTATUS(wst), 0);
	assert_int_equal(f->q.tasks[1].pid, pid);
}

static int skip_projects(const struct crawl_queue_task *t, void *ctx)
{
	(void)ctx;
	return t->kind == CRAWL_QUEUE_PROJECTS;
}

/* While an endpoint is closed its tasks wait; a task given back is claimed again later. */
static void test_skipped_and_given_back_tasks(void **state)
{
	struct fixture *f = *state;
	struct crawl_queue_task t[3] = { task(CRAWL_QUEUE_PROJECTS, 1),
					 task(CRAWL_QUEUE_DESCENDANTS, 2),
					 task(CRAWL_QUEUE_PROJECTS, 3) };
	struct crawl_queue_task got;
	struct crawl_queue_status st;
	struct stderr_capture cap;
	char *logged;
	size_t i, j;
	uint64_t claim;

	assert_int_equal(crawl_queue_push(&f->q, t, 3), 0);
	assert_int_equal(crawl_queue_claim_if(&f->q, 100, skip_projects, NULL, &got, &i, &claim),
			 0);
	assert_int_equal(got.id, 2);
	/* the skipped slots stay first in line for claims that take them */
	assert_int_equal(crawl_queue_claim(&f->q, 101, &got, &j, &claim), 0);
	assert_int_equal(got.id, 1);
	assert_int_equal(got.tries, 1);
	assert_int_equal(crawl_queue_give_back(&f->q, j), 0);
	status(&f->q, &st);
	assert_true(st.ready == 2 && st.claimed == 1);
	assert_int_equal(crawl_queue_claim(&f->q, 101, &got, &j, &claim), 0);
	/* the try that was given back does not count towards CRAWL_QUEUE_MAX_TRIES */
	assert_true(got.id == 1 && got.tries == 1 && got.closed == 1);
	/* an endpoint that never reopens for it fails the task in the end */
	for (int n = 1; n < CRAWL_QUEUE_MAX_CLOSED - 1; n++) {
		assert_int_equal(crawl_queue_give_back(&f->q, j), 0);
		assert_int_equal(crawl_queue_claim(&f->q, 101, &got, &j, &claim), 0);
		assert_int_equal(got.id, 1);
	}
	stderr_capture_start(&cap);
	assert_int_equal(crawl_queue_give_back(&f->q, j), 0);
	logged = stderr_capture_end(&cap);
	assert_non_null(strstr(logged, "(id 1, page 1): refused by the endpoint's own rate limit "
				       "30 times; giving up on it\n"));
	free(logged);
	status(&f->q, &st);
	assert_true(st.failed == 1 && st.ready == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_complete_and_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_task_that_kills_three_workers_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_death_holding_the_lock_is_repaired, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_follow_ups_that_do_not_fit_fail_the_task,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_ends_claims_and_the_first_reason_wins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_skipped_and_given_back_tasks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_waiting_worker_gets_the_follow_up, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
