/*
 * The one retry policy of API requests: which failures are worth another
 * try, how long to wait before it (exponential backoff with full jitter),
 * and the messages that say what happened.  http.c asks it after every
 * try; nothing else decides about retries.
 */
#ifndef GLM_RETRY_H
#define GLM_RETRY_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#define RETRY_BASE_S	    0.5	 /* first backoff ceiling */
#define RETRY_CAP_S	    30.0 /* largest backoff ceiling */
#define RETRY_MAX_THROTTLED 30	 /* 429s in a row before giving up (they pause, not back off) */
#define RETRY_MAX_PAUSE_S   900	 /* longest Retry-After honoured at once */
#define RETRY_DETAIL_MAX    192

/* Why a try failed.  RETRY_NONE: it did not fail, or not in a way worth retrying. */
enum retry_reason {
	RETRY_NONE = 0,
	RETRY_HTTP_5XX,	    /* 500..599 */
	RETRY_THROTTLED,    /* 429 */
	RETRY_REFUSED,	    /* connection refused */
	RETRY_RESET,	    /* connection reset, closed, nothing received */
	RETRY_TIMEOUT,	    /* connect or total timeout */
	RETRY_TRUNCATED,    /* fewer body bytes than announced */
	RETRY_INVALID_JSON, /* a 2xx answer that does not parse */
};

struct retry_policy {
	int retries;   /* tries after the first */
	double base_s; /* backoff ceiling of the first retry */
	double cap_s;  /* backoff ceiling never grows past this */
	uint64_t rng;  /* jitter state (process-local) */
};

/* base_s/cap_s <= 0 take RETRY_BASE_S/RETRY_CAP_S; the jitter is seeded from pid and time. */
void retry_policy_init(struct retry_policy *p, int retries, double base_s, double cap_s);

/* Transport failures: the reason, or RETRY_NONE for a final one (TLS, DNS, bad URL, ...). */
enum retry_reason retry_classify_curl(CURLcode code);
/* Statuses: 5xx and 429 are retried; everything else is final. */
enum retry_reason retry_classify_status(long status);

/*
 * Seconds to wait before retry number attempt (1 = the first retry): a
 * uniform random value in [0, min(cap, base * 2^(attempt-1))].
 */
double retry_backoff(struct retry_policy *p, int attempt);

/* The GLM_E* code of a request that kept failing for this reason. */
int retry_reason_code(enum retry_reason reason);

/* Sleeps seconds on the monotonic clock; GLM_EINTR when a stop signal arrives. */
int retry_sleep(double seconds);

/* "Bad Gateway" for 502; "" for statuses without a well-known phrase. */
const char *retry_status_text(long status);
/* "HTTP 502 Bad Gateway" (or "HTTP 599") into buf. */
char *retry_status_str(long status, char *buf, size_t size);

/*
 * The final message of a request that failed after tries tries, as
 * "GET <path>: <detail> after 6 tries" (or "after 1 try"); returns code.
 */
int retry_fail(int code, const char *method, const char *path, const char *detail, int tries);

#endif
