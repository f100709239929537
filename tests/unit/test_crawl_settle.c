/* crawl_settle: a listing whose pages do not fit is read again, then given up on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawl_settle.h"
#include "error.h"

#define CAP 64

#include "crawl_queue_fixture.h"
#include "stderr_capture.h"

/* One page's answer: X-Total, and ids from..to (none when from is 0). */
struct page {
	long long total, from, to;
};

/* Claims the next task and completes it with pg; pages 2..n follow page 1. */
static void answer(struct fixture *f, const struct page *pg, int npages)
{
	struct crawl_queue_task t, next[8];
	struct crawl_queue_result res;
	uint64_t claim;
	size_t index;

	assert_true(npages <= 8);
	assert_int_equal(crawl_queue_claim(&f->q, 1, &t, &index, &claim), 0);
	memset(next, 0, sizeof(next));
	for (int p = 1; p < npages; p++) {
		next[p - 1].kind = t.kind;
		next[p - 1].id = t.id;
		next[p - 1].page = p + 1;
		next[p - 1].chain = -1;
	}
	memset(&res, 0, sizeof(res));
	res.total = pg[0].total;
	res.items = pg[0].from ? pg[0].to - pg[0].from + 1 : 0;
	res.min_id = pg[0].from;
	res.max_id = pg[0].to;
	assert_int_equal(crawl_queue_complete(&f->q, index, &res, next, (size_t)npages - 1), 0);
	for (int p = 1; p < npages; p++) {
		assert_int_equal(crawl_queue_claim(&f->q, 1, &t, &index, &claim), 0);
		assert_int_equal(t.page, p + 1);
		memset(&res, 0, sizeof(res));
		res.total = pg[p].total;
		res.items = pg[p].from ? pg[p].to - pg[p].from + 1 : 0;
		res.min_id = pg[p].from;
		res.max_id = pg[p].to;
		assert_int_equal(crawl_queue_complete(&f->q, index, &res, NULL, 0), 0);
	}
}

static void push_listing(struct fixture *f)
{
	struct crawl_queue_task t;

	memset(&t, 0, sizeof(t));
	t.kind = CRAWL_QUEUE_PROJECTS;
	t.id = 7;
	t.page = 1;
	assert_int_equal(crawl_queue_push(&f->q, &t, 1), 0);
}

static size_t replaced_count(struct fixture *f)
{
	unsigned char *replaced = NULL;
	size_t n = 0, count = 0;

	assert_int_equal(crawl_settle_replaced(&f->q, &replaced, &n), 0);
	for (size_t i = 0; i < n; i++)
		count += replaced[i];
	free(replaced);
	return count;
}

static void test_pages_that_fit_are_kept(void **state)
{
	struct fixture *f = *state;
	const struct page pages[] = { { 250, 1, 100 }, { 250, 101, 200 }, { 250, 201, 250 } };
	size_t queued = 9, unsettled = 0;

	push_listing(f);
	answer(f, pages, 3);
	assert_int_equal(crawl_settle(&f->q, &queued, &unsettled), 0);
	assert_int_equal(queued, 0);
	assert_int_equal(unsettled, 0);
	assert_int_equal(replaced_count(f), 0);
}

/* A deletion between page reads: X-Total drops and the sum falls short. */
static void test_a_deletion_between_pages_reads_again(void **state)
{
	struct fixture *f = *state;
	const struct page shifted[] = { { 250, 1, 100 }, { 249, 102, 201 }, { 249, 202, 250 } };
	const struct page settled[] = { { 249, 1, 100 }, { 249, 102, 201 }, { 249, 202, 250 } };
	struct crawl_queue_task t;
	size_t queued = 0, unsettled = 0, index;
	uint64_t claim;

	push_listing(f);
	answer(f, shifted, 3);
	assert_int_equal(crawl_settle(&f->q, &queued, &unsettled), 0);
	assert_int_equal(queued, 1);
	assert_int_equal(replaced_count(f), 3); /* the old read's three pages */
	answer(f, settled, 3);
	assert_int_equal(crawl_settle(&f->q, &queued, &unsettled), 0);
	assert_int_equal(queued, 0);
	assert_int_equal(unsettled, 0);
	assert_int_equal(replaced_count(f), 3);
	assert_int_equal(crawl_queue_claim(&f->q, 1, &t, &index, &claim), GLM_ESTOPPED);
}

/* Equal totals but overlapping ids: an insertion shifted a page up. */
static void test_overlapping_pages_read_again(void **state)
{
	struct fixture *f = *state;
	const struct page pages[] = { { 200, 1, 100 }, { 200, 100, 199 } };
	size_t queued = 0, unsettled = 0;

	push_listing(f);
	answer(f, pages, 2);
	assert_int_equal(crawl_settle(&f->q, &queued, &unsettled), 0);
	assert_int_equal(queued, 1);
}

static void test_a_listing_that_never_settles_is_reported(void **state)
{
	struct fixture *f = *state;
	const struct page pages[] = { { 200, 1, 100 }, { 199, 102, 200 } };
	size_t queued = 0, unsettled = 0;
	struct stderr_capture cap;
	char *logged;
	int reads;

	push_listing(f);
	stderr_capture_start(&cap);
	for (reads = 1; reads <= CRAWL_SETTLE_TRIES; reads++) {
		answer(f, pages, 2);
		assert_int_equal(crawl_settle(&f->q, &queued, &unsettled), 0);
		if (queued == 0)
			break;
	}
	logged = stderr_capture_end(&cap);
	assert_int_equal(reads, CRAWL_SETTLE_TRIES);
	assert_int_equal(unsettled, 1);
	assert_non_null(strstr(logged, "the listing changed each of the 5 times it was read; "
				       "giving up on it, so projects may be missing"));
	free(logged);
	/* the last read's pages still count */
	assert_int_equal(replaced_count(f), 2 * (CRAWL_SETTLE_TRIES - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pages_that_fit_are_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_deletion_between_pages_reads_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_pages_read_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_listing_that_never_settles_is_reported,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
