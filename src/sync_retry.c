/* Retries of a clone or fetch (sync_retry.h). */
#include "sync_retry.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "ratelimit.h"
#include "reqcount.h"
#include "signals.h"
#include "sync_stream.h"

/* What libgit2 and sync_stream.c say for transient failures, lower case. */
static const struct {
	const char *text;
	enum retry_reason reason;
} sync_retry_words[] = {
	{ "status code: 429", RETRY_THROTTLED },
	{ "status code: 5", RETRY_HTTP_5XX },
	{ "unable to handle this request due to load", RETRY_HTTP_5XX },
	{ "connection refused", RETRY_REFUSED },
	{ "connection reset", RETRY_RESET },
	{ "broken pipe", RETRY_RESET },
	{ "early eof", RETRY_RESET },
	{ "unexpected eof", RETRY_RESET },
	{ "the remote end hung up", RETRY_RESET },
	{ "nothing for", RETRY_TIMEOUT },
	{ "timed out", RETRY_TIMEOUT },
};

enum retry_reason sync_retry_classify(int rc, const char *msg, int status)
{
	if (rc == GIT_EAUTH || rc == GIT_ECERTIFICATE || rc == GIT_EUSER || signals_stopping() ||
	    strcasestr(msg, "no space left") != NULL)
		return RETRY_NONE;
	if (status == 429 || (status >= 500 && status <= 599))
		return retry_classify_status(status);
	if (status >= 400)
		return RETRY_NONE; /* 401, 403, 404: asking again changes nothing */
	for (size_t i = 0; i < sizeof(sync_retry_words) / sizeof(sync_retry_words[0]); i++)
		if (strcasestr(msg, sync_retry_words[i].text) != NULL)
			return sync_retry_words[i].reason;
	return RETRY_NONE;
}

/* Waits before try attempt + 1; a 429 makes every worker wait. */
static int sync_retry_wait(struct sync_job *job, struct retry_policy *policy, int attempt,
			   enum retry_reason reason, double retry_after)
{
	double wait = retry_backoff(policy, attempt);

	if (retry_after > wait)
		wait = retry_after > RETRY_MAX_PAUSE_S ? RETRY_MAX_PAUSE_S : retry_after;
	log_verbose("%s: %s; trying again in %.1f s (retry %d of %d)", job->project->full_path,
		    glm_error_msg(), wait, attempt, policy->retries);
	if (reason == RETRY_THROTTLED)
		return ratelimit_pause(job->plan->queue.rl, wait);
	return retry_sleep(wait);
}

int sync_retry_git(struct sync_job *job, const struct sync_retry_op *op)
{
	struct retry_policy policy;
	enum retry_reason reason;
	double retry_after;
	int attempt, rc, err, status;

	retry_policy_init(&policy, job->plan->opts->git_retries, 0, 0);
	for (attempt = 1;; attempt++) {
		/* Waits out a pause a 429 to any worker has set. */
		if ((err = ratelimit_acquire(job->plan->queue.rl)) < 0)
			return err;
		sync_stream_forget();
		/* Each try asks for credentials anew: a second ask is a rejection only within one.
		 */
		job->cred_tries = 0;
		job->key_offered = 0;
		rc = op->run(op->ctx);
		ratelimit_done(job->plan->queue.rl);
		if (rc >= 0)
			return 0;
		err = sync_remote_git_error(rc, op->what);
		sync_stream_last_answer(&status, &retry_after);
		reason = sync_retry_classify(rc, glm_error_msg(), status);
		if (reason == RETRY_NONE || attempt > policy.retries || err == GLM_ESTOPPED)
			break;
		if (sync_retry_wait(job, &policy, attempt, reason, retry_after) < 0)
			return glm_error_set(GLM_ESTOPPED, "%s: interrupted", op->what);
		reqcount_retry(job->plan->queue.counts);
		if (op->reset != NULL)
			op->reset(op->ctx);
	}
	if (attempt > 1) {
		char msg[GLM_ERROR_MAX];

		snprintf(msg, sizeof(msg), "%s", glm_error_msg());
		glm_error_set(err, "%s (after %d tries)", msg, attempt);
	}
	return err;
}

struct sync_retry_fetch_try {
	git_remote *remote;
	const git_fetch_options *fo;
};

static int sync_retry_fetch_run(void *ctx)
{
	struct sync_retry_fetch_try *t = ctx;

	return git_remote_fetch(t->remote, NULL, t->fo, "fetch");
}

int sync_retry_fetch(struct sync_job *job, git_remote *remote, const git_fetch_options *fo)
{
	struct sync_retry_fetch_try t = { remote, fo };
	struct sync_retry_op op = { "fetch", sync_retry_fetch_run, NULL, &t };

	return sync_retry_git(job, &op);
}
