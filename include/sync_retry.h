/*
 * Retries of a clone or fetch whose failure is transient: HTTP 5xx and
 * 429, a refused or reset connection, a timeout, GitLab's "unable to
 * handle this request due to load".  retry.c's policy gives the waits
 * (exponential backoff with full jitter); a Retry-After the server sent is
 * honoured; a 429 pauses every sync worker through the sync's shared rate
 * limiter.  401, 403, 404, refused credentials and certificates, a full
 * disk and everything else fail at once.
 */
#ifndef GLM_SYNC_RETRY_H
#define GLM_SYNC_RETRY_H

#include "retry.h"
#include "sync_job.h"

struct sync_retry_op {
	const char *what;      /* "clone", "fetch": the failure's message starts with it */
	int (*run)(void *ctx); /* one try; a libgit2 return code */
	void (*reset)(
		void *ctx); /* before another try: remove what the failed one left; may be NULL */
	void *ctx;
};

/* Runs op up to 1 + --git-retries times.  0, or the last try's error (GLM_EGIT, ...). */
int sync_retry_git(struct sync_job *job, const struct sync_retry_op *op);

/*
 * Why a try that returned rc with libgit2's message msg failed, given the
 * last HTTP status the stream saw (0 none): RETRY_NONE when final.
 */
enum retry_reason sync_retry_classify(int rc, const char *msg, int status);

#endif
