/* sync_queue: claims, results, requeue after a death, repair of a dead lock holder. */
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
#include "sync_queue.h"

static void test_claim_and_finish(void **state)
{
	struct sync_queue q;
	struct sync_progress p;
	size_t i;
	uint64_t claim;

	(void)state;
	assert_int_equal(sync_queue_create(&q, 3), 0);
	assert_int_equal(sync_queue_pending(&q), 3);
	assert_int_equal(sync_queue_claim(&q, 100, &i, &claim), 0);
	assert_int_equal(i, 0);
	assert_int_equal(claim, 1);
	sync_queue_set_action(&q, i, SYNC_ACT_CLONE);
	assert_int_equal(sync_queue_claim(&q, 101, &i, &claim), 0);
	assert_int_equal(i, 1);
	sync_queue_set_action(&q, i, SYNC_ACT_UPDATE);
	sync_queue_progress(&q, &p);
	assert_int_equal(p.cloning, 1);
	assert_int_equal(p.updating, 1);
	sync_queue_finish(&q, 0, SYNC_RES_FAILED, "boom", 10, 5);
	sync_queue_add_bytes(&q, 123);
	sync_queue_progress(&q, &p);
	assert_int_equal(p.done, 1);
	assert_int_equal(p.failed, 1);
	assert_int_equal(p.cloning, 0);
	assert_int_equal(p.bytes, 123);
	assert_string_equal(q.slots[0].reason, "boom");
	assert_int_equal(sync_queue_claim(&q, 100, &i, &claim), 0);
	assert_int_equal(i, 2);
	assert_int_equal(claim, 3);
	assert_int_equal(sync_queue_claim(&q, 100, &i, &claim), GLM_ENOTFOUND);
	sync_queue_release(&q);
}

static void test_requeue_once(void **state)
{
	struct sync_queue q;
	size_t i;
	uint64_t claim;

	(void)state;
	assert_int_equal(sync_queue_create(&q, 2), 0);
	assert_int_equal(sync_queue_claim(&q, 7, &i, &claim), 0);
	assert_int_equal(sync_queue_claim(&q, 8, &i, &claim), 0);
	/* pid 7 died: its slot is pending again, pid 8's is untouched. */
	assert_int_equal(sync_queue_requeue(&q, 7, 2, "died twice"), 1);
	assert_int_equal(sync_queue_pending(&q), 1);
	assert_int_equal(q.slots[1].state, SYNC_SLOT_RUNNING);
	assert_int_equal(sync_queue_claim(&q, 9, &i, &claim), 0);
	assert_int_equal(i, 0);
	assert_int_equal(q.slots[0].tries, 2);
	/* Died again: failed, not requeued a third time. */
	assert_int_equal(sync_queue_requeue(&q, 9, 2, "died twice"), 1);
	assert_int_equal(q.slots[0].state, SYNC_SLOT_DONE);
	assert_int_equal(q.slots[0].result, SYNC_RES_FAILED);
	assert_string_equal(q.slots[0].reason, "died twice");
	assert_int_equal(sync_queue_pending(&q), 0);
	assert_int_equal(sync_queue_requeue(&q, 12345, 2, "x"), 0);
	sync_queue_release(&q);
}

/* A forked process dies holding the lock: the next locker repairs the counters. */
static void test_dead_lock_holder_is_repaired(void **state)
{
	struct sync_queue q;
	struct sync_progress p;
	size_t i;
	uint64_t claim;
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(sync_queue_create(&q, 4), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sync_queue_claim(&q, getpid(), &i, &claim);
		pthread_mutex_lock(&q.shm->lock.mutex);
		q.shm->done = 99; /* half an update */
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	sync_queue_progress(&q, &p);
	assert_int_equal(p.done, 0);
	assert_int_equal(q.shm->lock.repairs, 1);
	assert_int_equal(sync_queue_requeue(&q, pid, 2, "x"), 1);
	assert_int_equal(sync_queue_pending(&q), 4);
	sync_queue_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_and_finish),
		cmocka_unit_test(test_requeue_once),
		cmocka_unit_test(test_dead_lock_holder_is_repaired),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
