#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "error.h"
#include "http_cb.h"
#include "linkhdr.h"
#include "log.h"
#include "options.h"
#include "ratelimit.h"
#include "reqcount.h"
#include "retry.h"

#define HTTP_CONNECT_TIMEOUT_S 10
#define HTTP_JSON_MAX_DEPTH    64
#define HTTP_DETAIL_MAX	       512

struct http_client {
	CURL *curl;
	struct curl_slist *headers; /* holds the token */
	struct http_config cfg;	    /* strings borrowed */
	char *api_base;		    /* base_url + "/api/v4", owned */
	const char *api_path;	    /* of the request under way; borrowed */
	struct retry_policy retry;
	struct http_hdrs hdrs;
	struct http_body body;
	char errbuf[CURL_ERROR_SIZE];
};

/* What one try came to. */
struct http_try {
	CURLcode cc;
	long status;
	long ms;
	enum retry_reason reason; /* RETRY_NONE: final (success or not) */
	char detail[HTTP_DETAIL_MAX];
};

#define HTTP_SET(c, opt, val)                                                                      \
	do {                                                                                       \
		if (curl_easy_setopt((c), (opt), (val)) != CURLE_OK)                               \
			return glm_error_set(GLM_ERR, "libcurl option " #opt);                     \
	} while (0)

int http_easy_setup(CURL *h, const struct http_config *cfg, char *errbuf)
{
	long connect_s = HTTP_CONNECT_TIMEOUT_S;

	if (cfg->timeout_s > 0 && cfg->timeout_s < connect_s)
		connect_s = cfg->timeout_s;
	HTTP_SET(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* A redirect is reported, never followed: it would take the token along. */
	HTTP_SET(h, CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_SET(h, CURLOPT_CONNECTTIMEOUT, connect_s);
	HTTP_SET(h, CURLOPT_TIMEOUT, cfg->timeout_s > 0 ? cfg->timeout_s : 0L);
	if (cfg->idle_s > 0) {
		HTTP_SET(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		HTTP_SET(h, CURLOPT_LOW_SPEED_TIME, cfg->idle_s);
	}
	HTTP_SET(h, CURLOPT_SSL_VERIFYPEER, cfg->insecure ? 0L : 1L);
	HTTP_SET(h, CURLOPT_SSL_VERIFYHOST, cfg->insecure ? 0L : 2L);
	if (cfg->cacert != NULL)
		HTTP_SET(h, CURLOPT_CAINFO, cfg->cacert);
	HTTP_SET(h, CURLOPT_USERAGENT, "glmirror/" GLM_VERSION);
	/* Workers are forked processes: no signals from libcurl's resolver. */
	HTTP_SET(h, CURLOPT_NOSIGNAL, 1L);
	HTTP_SET(h, CURLOPT_TCP_KEEPALIVE, 1L);
	/* libcurl's own trace would print the request headers, token included. */
	HTTP_SET(h, CURLOPT_VERBOSE, 0L);
	HTTP_SET(h, CURLOPT_ERRORBUFFER, errbuf);
	/* A stop signal ends a transfer within a second, not after the timeout. */
	HTTP_SET(h, CURLOPT_XFERINFOFUNCTION, http_cb_progress);
	HTTP_SET(h, CURLOPT_NOPROGRESS, 0L);
	return 0;
}

static int http_setup(struct http_client *c)
{
	const struct http_config *cfg = &c->cfg;
	CURL *h = c->curl;
	int rc;

	if ((rc = http_easy_setup(h, cfg, c->errbuf)) < 0)
		return rc;
	HTTP_SET(h, CURLOPT_HTTPHEADER, c->headers);
	HTTP_SET(h, CURLOPT_ACCEPT_ENCODING, "");
	HTTP_SET(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_body);
	HTTP_SET(h, CURLOPT_WRITEFUNCTION, http_cb_write);
	HTTP_SET(h, CURLOPT_WRITEDATA, &c->body);
	HTTP_SET(h, CURLOPT_HEADERFUNCTION, http_cb_header);
	HTTP_SET(h, CURLOPT_HEADERDATA, &c->hdrs);
	return 0;
}

void http_config_from_options(struct http_config *cfg, const struct options *opts,
			      const char *base_url)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->base_url = base_url;
	cfg->token = opts->token;
	cfg->cacert = opts->cacert;
	cfg->insecure = opts->insecure;
	cfg->timeout_s = opts->api_timeout;
	cfg->retries = opts->api_retries;
	cfg->max_body = (size_t)opts->max_body;
}

int http_client_new(struct http_client **out, const struct http_config *cfg)
{
	struct http_client *c = NULL;
	struct curl_slist *l;
	char *tokhdr = NULL;
	size_t blen;
	int rc = GLM_ENOMEM;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return glm_error_set(GLM_ERR, "libcurl initialisation failed");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto nomem;
	c->cfg = *cfg;
	if (c->cfg.max_body == 0)
		c->cfg.max_body = (size_t)64 << 20;
	blen = strlen(cfg->base_url);
	while (blen > 0 && cfg->base_url[blen - 1] == '/')
		blen--;
	if (asprintf(&c->api_base, "%.*s/api/v4", (int)blen, cfg->base_url) < 0) {
		c->api_base = NULL;
		goto nomem;
	}
	/*
	 * Bearer takes every kind of token, OAuth ones included; PRIVATE-TOKEN
	 * takes personal, group and project tokens only
	 * (lib/gitlab/auth/auth_finders.rb).
	 */
	if (cfg->token != NULL && asprintf(&tokhdr, "Authorization: Bearer %s", cfg->token) < 0) {
		tokhdr = NULL;
		goto nomem;
	}
	if ((l = curl_slist_append(NULL, "Accept: application/json")) == NULL)
		goto nomem;
	c->headers = l;
	if (tokhdr != NULL && (l = curl_slist_append(c->headers, tokhdr)) == NULL)
		goto nomem;
	if ((c->curl = curl_easy_init()) == NULL)
		goto nomem;
	retry_policy_init(&c->retry, cfg->retries, cfg->backoff_base_s, cfg->backoff_cap_s);
	c->hdrs.max_body = c->cfg.max_body;
	buf_init(&c->body.buf, c->cfg.max_body);
	http_cb_header_reset(&c->hdrs);
	if ((rc = http_setup(c)) < 0)
		goto fail;
	*out = c;
	rc = 0;
	goto out;
nomem:
	rc = glm_error_set(GLM_ENOMEM, "out of memory");
fail:
	http_client_free(c);
out:
	if (tokhdr != NULL) {
		explicit_bzero(tokhdr, strlen(tokhdr));
		free(tokhdr);
	}
	return rc;
}

void http_client_free(struct http_client *client)
{
	struct curl_slist *l;

	if (client == NULL)
		return;
	if (client->curl != NULL)
		curl_easy_cleanup(client->curl);
	/* The token header is wiped before it goes back to the allocator. */
	for (l = client->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(client->headers);
	http_cb_header_release(&client->hdrs);
	http_cb_write_release(&client->body);
	free(client->api_base);
	free(client);
	curl_global_cleanup();
}

void http_page_release(struct http_page *page)
{
	if (page == NULL)
		return;
	free(page->next);
	memset(page, 0, sizeof(*page));
	page->total = -1;
}

/* The caller's path goes into a URL as it is: printable ASCII only, no fragment. */
static int http_check_path(const char *api_path)
{
	const unsigned char *p = (const unsigned char *)api_path;
	char esc[160];

	if (*p != '/')
		goto bad;
	for (; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '#')
			goto bad;
	return 0;
bad:
	return glm_error_set(GLM_EUNSAFE, "API path %s is not a URL path",
			     log_esc(api_path, esc, sizeof(esc)));
}

/*
 * cJSON recurses once per level (up to its compiled-in 1000); a listing is
 * a handful deep, so anything deeper is refused before parsing.  cJSON
 * would also end a C string at an escaped NUL and so silently shorten a
 * name; "\u0000" is turned into "\u0001" here, a control character that
 * gitlab_json refuses item by item.
 */
static int http_json_scan(char *s, size_t len, int max)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (in_str) {
			if (ch == '\\' && i + 5 < len && s[i + 1] == 'u' &&
			    memcmp(s + i + 2, "0000", 4) == 0)
				s[i + 5] = '1';
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '[' || ch == '{') {
			if (++depth > max)
				return 1;
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	return 0;
}

/* ": <message>" from GitLab's {"message": ...} or {"error": ...}, escaped; "" if none. */
static void http_server_message(const struct http_body *b, char *out, size_t size)
{
	const cJSON *m;
	cJSON *j = NULL;
	char esc[128];

	out[0] = '\0';
	if (b->buf.len == 0 || b->buf.len > 65536 || http_json_scan(b->buf.data, b->buf.len, 8))
		return;
	j = cJSON_ParseWithLength(b->buf.data, b->buf.len);
	m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (!cJSON_IsString(m))
		m = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsString(m)) {
		log_esc(m->valuestring, esc, sizeof(esc));
		log_redact(esc);
		snprintf(out, size, ": %s", esc);
	}
	cJSON_Delete(j);
}

/*
 * Whether a 429 is the endpoint's own: Gitlab::ApplicationRateLimiter's
 * answer (lib/api/helpers/rate_limiter.rb) is {"message":{"error":...}}
 * (the text is translated), where the overall limit (Rack::Attack) answers
 * in plain text.  The RateLimit-* headers are the overall limit's, sent on
 * every answer where it is on; a spent overall budget is never taken for
 * an endpoint's own.
 */
static int http_endpoint_throttled(const struct http_client *c)
{
	const cJSON *m;
	cJSON *j;
	int own;

	if (c->hdrs.rl_remaining == 0 || c->body.buf.len == 0 || c->body.buf.len > 65536 ||
	    http_json_scan(c->body.buf.data, c->body.buf.len, 8))
		return 0;
	j = cJSON_ParseWithLength(c->body.buf.data, c->body.buf.len);
	m = cJSON_GetObjectItemCaseSensitive(j, "message");
	own = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "error"));
	cJSON_Delete(j);
	return own;
}

/* A 3xx: never followed; a target on another origin is named as unsafe. */
static int http_redirect(struct http_client *c, long status)
{
	char what[64], st[64], esc[256], *path = NULL;
	int rc;

	retry_status_str(status, st, sizeof(st));
	if (c->hdrs.location[0] == '\0')
		return glm_error_set(GLM_EHTTP, "%s without a Location", st);
	snprintf(what, sizeof(what), "redirect (%s)", st);
	rc = linkhdr_resolve(c->hdrs.location, c->cfg.base_url, what, &path);
	free(path);
	if (rc < 0)
		return rc;
	log_esc(c->hdrs.location, esc, sizeof(esc));
	log_redact(esc);
	return glm_error_set(GLM_EHTTP, "%s: redirect to %s not followed (is --url right?)", st,
			     esc);
}

/* A 2xx answer: the JSON and the pagination headers. */
static int http_accept(struct http_client *c, struct http_try *t, cJSON **out_json,
		       struct http_page *page)
{
	const char *end = NULL;
	cJSON *json;
	int rc;

	if (http_json_scan(c->body.buf.data, c->body.buf.len, HTTP_JSON_MAX_DEPTH))
		return glm_error_set(GLM_ELIMIT, "JSON nested deeper than %d levels",
				     HTTP_JSON_MAX_DEPTH);
	/* The terminating NUL counts: cJSON checks that nothing follows the value. */
	if (c->body.buf.len > 0 && memchr(c->body.buf.data, '\0', c->body.buf.len) == NULL)
		json = cJSON_ParseWithLengthOpts(c->body.buf.data, c->body.buf.len + 1, &end, 1);
	else
		json = NULL;
	if (json == NULL) {
		t->reason = RETRY_INVALID_JSON;
		snprintf(t->detail, sizeof(t->detail),
			 "invalid JSON (%zu bytes, %s, error at byte %zu)", c->body.buf.len,
			 c->hdrs.content_type[0] ? c->hdrs.content_type : "no type",
			 end != NULL && end >= c->body.buf.data ? (size_t)(end - c->body.buf.data)
								: 0);
		return 1;
	}
	page->page = c->hdrs.page > 0 ? c->hdrs.page : 0;
	page->next_page = c->hdrs.next_page > 0 ? c->hdrs.next_page : 0;
	page->total_pages = c->hdrs.total_pages > 0 ? c->hdrs.total_pages : 0;
	page->total = c->hdrs.total;
	/*
	 * GitLab's offset pages name the next page in X-Next-Page too; asking
	 * for it by number keeps every request on --url.  Only keyset pages
	 * need the Link.
	 */
	if (page->next_page == 0 && c->hdrs.link.len > 0 &&
	    (rc = linkhdr_next(c->hdrs.link.data, c->cfg.base_url, c->api_path, &page->next)) < 0) {
		cJSON_Delete(json);
		return rc;
	}
	*out_json = json;
	return 0;
}

/*
 * Judges one try: 0 = success, 1 = worth retrying (t->reason, t->detail),
 * negative = final error with its message (without the "GET path" prefix).
 */
static int http_judge(struct http_client *c, struct http_try *t, cJSON **out_json,
		      struct http_page *page)
{
	char st[64], msg[160];

	t->reason = RETRY_NONE;
	if (c->body.too_big || c->hdrs.too_big || t->cc == CURLE_FILESIZE_EXCEEDED)
		return glm_error_set(GLM_ELIMIT,
				     "answer larger than %zu bytes (--max-response-size)",
				     c->cfg.max_body);
	if (t->cc == CURLE_ABORTED_BY_CALLBACK)
		return glm_error_set(GLM_EINTR, "interrupted");
	if (t->cc != CURLE_OK) {
		t->reason = retry_classify_curl(t->cc);
		if (t->cc == CURLE_WRITE_ERROR)
			return glm_error_set(GLM_ENOMEM, "out of memory for the answer");
		if (t->reason == RETRY_NONE)
			return glm_error_set(GLM_ECONNECT, "%s",
					     c->errbuf[0] ? c->errbuf : curl_easy_strerror(t->cc));
		if (t->reason == RETRY_TRUNCATED && c->hdrs.content_length >= 0)
			snprintf(t->detail, sizeof(t->detail), "truncated body (%zu of %lld bytes)",
				 c->body.buf.len, c->hdrs.content_length);
		else if (t->reason == RETRY_TRUNCATED)
			snprintf(t->detail, sizeof(t->detail), "truncated body");
		else if (t->reason == RETRY_TIMEOUT)
			snprintf(t->detail, sizeof(t->detail), "timed out (%s)", c->errbuf);
		else if (t->reason == RETRY_REFUSED)
			snprintf(t->detail, sizeof(t->detail), "connection refused");
		else
			snprintf(t->detail, sizeof(t->detail), "connection reset (%s)",
				 c->errbuf[0] ? c->errbuf : curl_easy_strerror(t->cc));
		return 1;
	}
	retry_status_str(t->status, st, sizeof(st));
	if (t->status >= 200 && t->status <= 299)
		return http_accept(c, t, out_json, page);
	if (t->status >= 300 && t->status <= 399)
		return http_redirect(c, t->status);
	if (t->status == 401)
		return glm_error_set(GLM_EAUTH, "token rejected (HTTP 401)");
	t->reason = retry_classify_status(t->status);
	if (t->reason != RETRY_NONE) {
		snprintf(t->detail, sizeof(t->detail), "%s", st);
		return 1;
	}
	http_server_message(&c->body, msg, sizeof(msg));
	if (t->status == 403)
		return glm_error_set(GLM_EFORBIDDEN, "%s%s", st, msg);
	if (t->status == 404)
		return glm_error_set(GLM_ENOTFOUND, "%s%s", st, msg);
	return glm_error_set(GLM_EHTTP, "%s%s", st, msg);
}

/* One request on the wire, between taking and giving back a rate-limit token. */
static int http_try_once(struct http_client *c, struct http_try *t, enum ratelimit_class cls)
{
	curl_off_t us = 0;
	int rc;

	if ((rc = ratelimit_acquire_class(c->cfg.rl, cls)) < 0)
		return rc;
	http_cb_header_reset(&c->hdrs);
	http_cb_write_reset(&c->body);
	c->errbuf[0] = '\0';
	t->status = 0;
	t->cc = curl_easy_perform(c->curl);
	ratelimit_done(c->cfg.rl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &t->status);
	reqcount_answer(c->cfg.counts, t->status);
	curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &us);
	t->ms = (long)(us / 1000);
	ratelimit_observe(c->cfg.rl, c->hdrs.rl_limit, c->hdrs.rl_remaining, c->hdrs.rl_reset);
	return 0;
}

/*
 * After a 429: an endpoint's own closes only its class, for Retry-After
 * when given or else a window of the class; any other pauses everybody.
 */
static int http_throttled(struct http_client *c, const char *api_path, const struct http_try *t,
			  enum ratelimit_class cls, int n)
{
	double delay;

	int rc;

	if (c->cfg.rl != NULL && http_endpoint_throttled(c)) {
		log_verbose("GET %s: %s from this endpoint's own limit; %s waits %s", api_path,
			    t->detail, ratelimit_class_name(cls),
			    c->hdrs.retry_after >= 0 ? "for Retry-After" : "for its window");
		if ((rc = ratelimit_pause_class(c->cfg.rl, cls, c->hdrs.retry_after)) < 0 ||
		    !c->cfg.give_back_closed)
			return rc;
		/* The caller gives the request back; it is asked again when the class opens. */
		reqcount_retry(c->cfg.counts);
		return glm_error_set(GLM_ECLOSED, "%s is closed for a while", api_path);
	}
	delay = ratelimit_pause_seconds(c->hdrs.retry_after, c->hdrs.rl_reset,
					retry_backoff(&c->retry, n));
	log_verbose("GET %s: %s; everybody waits %.1f s", api_path, t->detail, delay);
	if (c->cfg.rl != NULL)
		return ratelimit_pause(c->cfg.rl, delay);
	return retry_sleep(delay);
}

int http_get_json(struct http_client *client, const char *api_path, cJSON **out_json,
		  struct http_page *page_out)
{
	enum ratelimit_class cls = ratelimit_class_of(api_path);
	struct http_try t;
	char *url = NULL;
	int tries = 0, failures = 0, throttled = 0, rc;
	double delay;

	*out_json = NULL;
	memset(page_out, 0, sizeof(*page_out));
	page_out->total = -1;
	if ((rc = http_check_path(api_path)) < 0)
		return rc;
	if (asprintf(&url, "%s%s", client->api_base, api_path) < 0)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	client->api_path = api_path;
	if (curl_easy_setopt(client->curl, CURLOPT_URL, url) != CURLE_OK) {
		rc = glm_error_set(GLM_EUNSAFE, "libcurl refused the URL of %s", api_path);
		goto out;
	}
	for (;;) {
		memset(&t, 0, sizeof(t));
		if (++tries > 1)
			reqcount_retry(client->cfg.counts);
		if ((rc = http_try_once(client, &t, cls)) < 0)
			goto out;
		rc = http_judge(client, &t, out_json, page_out);
		if (t.cc != CURLE_OK)
			log_verbose("GET %s: %s in %ld ms (try %d)", api_path,
				    curl_easy_strerror(t.cc), t.ms, tries);
		else
			log_verbose("GET %s: %ld in %ld ms (try %d)", api_path, t.status, t.ms,
				    tries);
		if (rc <= 0)
			break;
		if (t.reason == RETRY_THROTTLED) {
			if (++throttled > RETRY_MAX_THROTTLED) {
				rc = retry_fail(GLM_EHTTP, "GET", api_path, t.detail, tries);
				goto out;
			}
			if ((rc = http_throttled(client, api_path, &t, cls, throttled)) < 0)
				goto out;
			continue;
		}
		if (++failures > client->retry.retries) {
			rc = retry_fail(retry_reason_code(t.reason), "GET", api_path, t.detail,
					tries);
			goto out;
		}
		delay = retry_backoff(&client->retry, failures);
		log_verbose("GET %s: %s; retrying in %.1f s (%d %s left)", api_path, t.detail,
			    delay, client->retry.retries - failures + 1,
			    client->retry.retries - failures + 1 == 1 ? "try" : "tries");
		if ((rc = retry_sleep(delay)) < 0)
			goto out;
	}
	if (rc < 0)
		glm_error_prefix("GET %s", api_path);
out:
	if (rc < 0)
		http_page_release(page_out);
	free(url);
	return rc;
}
