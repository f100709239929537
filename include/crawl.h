/*
 * The crawl: discovers the groups, subgroups and projects the user asked
 * for, with N forked API workers over the shared-memory work queue, and
 * returns them as one tree.  Runs in the supervisor process.
 */
#ifndef GLM_CRAWL_H
#define GLM_CRAWL_H

#include <stddef.h>

#include "options.h"
#include "shm_layout.h"
#include "tree.h"

struct crawl_result {
	size_t api_calls;		      /* requests sent, retries included */
	size_t throttled;		      /* 429 answers, the endpoints' own included */
	uint64_t answers[SHM_ANSWER_CLASSES]; /* requests by the status class of the answer */
	size_t retries;			      /* requests sent again */
	double ratelimit_wait_s;	      /* the workers slept for the rate limiter */
	size_t failed_tasks; /* groups or pages that could not be listed (reported) */
	size_t outside;	     /* projects left out because their group is not listed */
	size_t worker_deaths;
};

/*
 * Crawls opts->url with opts->token.  On 0, *out_root (caller owns) holds
 * everything that could be listed; res->failed_tasks > 0 means the tree is
 * partial and each failure was logged.  Errors before any work: GLM_EAUTH
 * (token rejected), GLM_ECONNECT (server unreachable or not a GitLab),
 * GLM_EUSAGE; GLM_EINTR when a signal stopped the run; GLM_ESTOPPED when
 * --fail-fast stopped it after a failure.
 */
int crawl_run(const struct options *opts, struct node **out_root, struct crawl_result *res);

#endif
