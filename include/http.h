/*
 * GitLab API requests from one API worker: one libcurl easy handle, reused
 * for keep-alive.  Every request takes a token from the shared rate limiter
 * first; transient failures (5xx, resets, timeouts, truncated bodies,
 * invalid JSON, 429) are retried here, so callers see either a parsed
 * answer or a final error whose message says what was asked, what came
 * back and how many tries were made.
 */
#ifndef GLM_HTTP_H
#define GLM_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

struct shm_ratelimit;
struct shm_reqcount;

struct http_config {
	const char *base_url;	  /* "https://gitlab.example.com" (no /api/v4, no trailing /) */
	const char *token;	  /* sent as PRIVATE-TOKEN to base_url's origin only */
	const char *cacert;	  /* NULL: the system store */
	int insecure;		  /* skip TLS verification (the user asked) */
	long timeout_s;		  /* total time of one try */
	long idle_s;		  /* 0, or give up a try that receives nothing for this long */
	int retries;		  /* tries after the first */
	size_t max_body;	  /* bytes; a larger answer is an error */
	struct shm_ratelimit *rl; /* shared limiter (ratelimit.h); NULL for none */
	double backoff_base_s;	  /* 0: RETRY_BASE_S (retry.h); tests make it small */
	double backoff_cap_s;	  /* 0: RETRY_CAP_S */
	int give_back_closed;	  /* an endpoint's own 429 returns GLM_ECLOSED instead of waiting */
	struct shm_reqcount *counts; /* tries and retries counted (reqcount.h); NULL for none */
};

/* What the pagination headers said. */
struct http_page {
	long page;	  /* X-Page, 0 when absent */
	long next_page;	  /* X-Next-Page, 0 when absent or empty */
	long total_pages; /* X-Total-Pages, 0 when absent (GitLab omits it above 10,000) */
	long long total;  /* X-Total, -1 when absent */
	char *next; /* Link rel="next" as an API path ("/projects?..."), owned; NULL if none */
};

struct http_client;

/* The config's strings are borrowed and must outlive the client. */
int http_client_new(struct http_client **out, const struct http_config *cfg);

struct options;
/* *cfg for GitLab's API at base_url as opts says, without a rate limiter. */
void http_config_from_options(struct http_config *cfg, const struct options *opts,
			      const char *base_url);
void http_client_free(struct http_client *client); /* accepts NULL */

/*
 * GET <base>/api/v4<api_path> and parse the JSON answer.  api_path starts
 * with "/" and carries its query ("/groups/42/projects?per_page=100&page=3").
 * On success *out_json (caller owns) and *page_out (caller releases) are set.
 * Errors: GLM_EAUTH (401), GLM_EFORBIDDEN (403), GLM_ENOTFOUND (404),
 * GLM_EHTTP (other statuses after retries), GLM_ECONNECT, GLM_EPARSE,
 * GLM_ELIMIT (body too large, JSON too deep), GLM_ECLOSED (the endpoint's
 * own 429 with give_back_closed: its class is closed for a while and the
 * caller does something else meanwhile), GLM_EUNSAFE (a Link or a
 * redirect to another origin), GLM_EINTR (a stop signal, SIGINT or
 * SIGTERM, while waiting for the rate limiter or a backoff, or during a
 * transfer: it is abandoned within about a second).  The client calls curl_global_init
 * itself (refcounted by libcurl): create it in the worker, after fork.
 */
int http_get_json(struct http_client *client, const char *api_path, cJSON **out_json,
		  struct http_page *page_out);
void http_page_release(struct http_page *page);

/*
 * The options every glmirror transfer shares, from cfg's TLS, timeout
 * fields: http and https only, no redirects followed, TLS verified unless
 * insecure, no libcurl trace (it would print headers), stop signals abort
 * within a second.  errbuf (CURL_ERROR_SIZE) must outlive the handle.
 */
int http_easy_setup(CURL *h, const struct http_config *cfg, char *errbuf);

#endif
