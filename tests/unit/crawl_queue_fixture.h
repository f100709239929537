/*
 * A crawl queue of CAP slots in a fresh shared region for each test
 * (test_queue.c, test_crawl_settle.c): define CAP, then include this after
 * cmocka.h.
 */
#ifndef GLM_TEST_QUEUE_FIXTURE_H
#define GLM_TEST_QUEUE_FIXTURE_H

#include "crawl_queue.h"
#include "shm.h"

struct fixture {
	void *region;
	size_t size;
	struct crawl_queue q;
};

static int setup(void **state)
{
	static struct fixture f;
	struct crawl_shm *shm;

	f.size = sizeof(struct crawl_shm) + CAP * sizeof(struct crawl_queue_task);
	assert_int_equal(shm_create(&f.region, f.size), 0);
	shm = f.region;
	assert_int_equal(crawl_queue_init(&f.q, &shm->queue, shm->tasks, CAP), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	shm_destroy(f->region, f->size);
	return 0;
}

#endif
