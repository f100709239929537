#include "retry.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "signals.h"

void retry_policy_init(struct retry_policy *p, int retries, double base_s, double cap_s)
{
	struct timespec ts;

	p->retries = retries < 0 ? 0 : retries;
	p->base_s = base_s > 0 ? base_s : RETRY_BASE_S;
	p->cap_s = cap_s > 0 ? cap_s : RETRY_CAP_S;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* Workers forked at the same moment must not back off in lockstep. */
	p->rng = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec;
	if (p->rng == 0)
		p->rng = 0x9e3779b97f4a7c15ull;
}

enum retry_reason retry_classify_curl(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_CONNECT:
		return RETRY_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return RETRY_TIMEOUT;
	case CURLE_PARTIAL_FILE:
		return RETRY_TRUNCATED;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return RETRY_RESET;
	default:
		return RETRY_NONE;
	}
}

enum retry_reason retry_classify_status(long status)
{
	if (status == 429)
		return RETRY_THROTTLED;
	if (status >= 500 && status <= 599)
		return RETRY_HTTP_5XX;
	return RETRY_NONE;
}

int retry_reason_code(enum retry_reason reason)
{
	switch (reason) {
	case RETRY_REFUSED:
	case RETRY_RESET:
	case RETRY_TIMEOUT:
		return GLM_ECONNECT;
	case RETRY_INVALID_JSON:
		return GLM_EPARSE;
	default:
		return GLM_EHTTP;
	}
}

int retry_sleep(double seconds)
{
	struct timespec until;
	int64_t ns;

	if (!(seconds > 0))
		return signals_stopping() ? glm_error_set(GLM_EINTR, "interrupted") : 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	ns = (int64_t)until.tv_nsec + (int64_t)(seconds * 1e9);
	until.tv_sec += (time_t)(ns / 1000000000);
	until.tv_nsec = (long)(ns % 1000000000);
	/* A stop signal interrupts the sleep (no SA_RESTART); other wakeups sleep on. */
	while (!signals_stopping())
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != EINTR)
			return 0;
	return glm_error_set(GLM_EINTR, "interrupted");
}

/* xorshift64*: enough for jitter, and needs no shared state. */
static double retry_uniform(struct retry_policy *p)
{
	uint64_t x = p->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->rng = x;
	return (double)((x * 0x2545f4914f6cdd1dull) >> 11) / (double)(1ull << 53);
}

double retry_backoff(struct retry_policy *p, int attempt)
{
	double ceiling = p->base_s;
	int i;

	for (i = 1; i < attempt && ceiling < p->cap_s; i++)
		ceiling *= 2;
	if (ceiling > p->cap_s)
		ceiling = p->cap_s;
	return ceiling * retry_uniform(p);
}

static const struct {
	long status;
	const char *text;
} retry_phrases[] = {
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 422, "Unprocessable Entity" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *retry_status_text(long status)
{
	size_t i;

	for (i = 0; i < sizeof(retry_phrases) / sizeof(retry_phrases[0]); i++)
		if (retry_phrases[i].status == status)
			return retry_phrases[i].text;
	return "";
}

char *retry_status_str(long status, char *buf, size_t size)
{
	const char *text = retry_status_text(status);

	snprintf(buf, size, "HTTP %ld%s%s", status, *text ? " " : "", text);
	return buf;
}

int retry_fail(int code, const char *method, const char *path, const char *detail, int tries)
{
	return glm_error_set(code, "%s %s: %s after %d %s", method, path, detail, tries,
			     tries == 1 ? "try" : "tries");
}
