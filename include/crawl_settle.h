/*
 * Listings that GitLab changed while they were read.  Pages 2..N of a
 * listing are fetched in parallel, at different moments; a project deleted
 * between two of those moments shifts the later pages, and an untouched
 * project slips past a page boundary unseen.  Every listing is therefore
 * read in id order and checked once all its pages are in: each answer must
 * name the same X-Total, the items must add up to it, and each page's ids
 * must lie above the previous page's.  A listing that does not fit is read
 * again, up to CRAWL_SETTLE_TRIES times in all; then it is reported.
 * Runs in the supervisor between rounds of the crawl, while no worker runs.
 */
#ifndef GLM_CRAWL_SETTLE_H
#define GLM_CRAWL_SETTLE_H

#include <stddef.h>

#include "crawl_queue.h"

#define CRAWL_SETTLE_TRIES 5

/*
 * Checks every finished listing not checked before; queues a new read of
 * each that changed (*queued counts them) and reports each that changed
 * CRAWL_SETTLE_TRIES times (*unsettled counts them).
 */
int crawl_settle(struct crawl_queue *q, size_t *queued, size_t *unsettled);

/*
 * For each slot in use, whether what it found was replaced by a later read
 * (*out is the caller's, *n entries).  The merge leaves those out.
 */
int crawl_settle_replaced(struct crawl_queue *q, unsigned char **out, size_t *n);

#endif
