/* Git LFS batch requests and object downloads (lfs_http.h). */
#include "lfs_http.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "http_cb.h"
#include "lfs_hash.h"
#include "lfs_store.h"
#include "log.h"
#include "ratelimit.h"
#include "reqcount.h"
#include "retry.h"

#define LFS_HTTP_BATCH_MAX ((size_t)16 << 20) /* bytes of a batch answer */
#define LFS_HTTP_REDIRECTS 5

struct lfs_http {
	CURL *curl;
	struct http_config cfg; /* strings borrowed */
	struct retry_policy retry;
	struct http_body body; /* the batch answer */
	struct http_hdrs hdrs; /* of the last answer: Retry-After, RateLimit-* */
	char errbuf[CURL_ERROR_SIZE];
};

/* The object being received: into fd, hashed, never past its announced size. */
struct lfs_http_sink {
	CURL *curl; /* borrowed: whose answer this is */
	int fd;
	uint64_t len, max;
	struct lfs_hash hash;
	lfs_http_progress_fn progress;
	void *arg;
	int too_big, io_error;
};

/* Prepares a try: reset is called before each one (a retry starts over). */
struct lfs_http_req {
	const char *method, *url; /* for messages */
	int (*reset)(struct lfs_http *c, void *arg);
	void *arg;
};

int lfs_http_new(struct lfs_http **out, const struct http_config *cfg)
{
	struct lfs_http *c;
	int rc;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return glm_error_set(GLM_ERR, "libcurl initialisation failed");
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->curl = curl_easy_init()) == NULL) {
		free(c);
		curl_global_cleanup();
		return glm_error_set(GLM_ENOMEM, "out of memory");
	}
	c->cfg = *cfg;
	c->cfg.token = NULL;
	buf_init(&c->body.buf, LFS_HTTP_BATCH_MAX);
	/* An object's size is the sink's to check, against its pointer. */
	c->hdrs.max_body = SIZE_MAX;
	http_cb_header_reset(&c->hdrs);
	retry_policy_init(&c->retry, cfg->retries, cfg->backoff_base_s, cfg->backoff_cap_s);
	if ((rc = http_easy_setup(c->curl, &c->cfg, c->errbuf)) < 0 ||
	    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, http_cb_header) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &c->hdrs) != CURLE_OK) {
		if (rc == 0)
			rc = glm_error_set(GLM_ERR, "libcurl option CURLOPT_HEADERFUNCTION");
		lfs_http_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void lfs_http_free(struct lfs_http *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	http_cb_write_release(&c->body);
	http_cb_header_release(&c->hdrs);
	free(c);
	curl_global_cleanup();
}

/* Why one try failed, or RETRY_NONE with rc set for a final answer. */
static enum retry_reason lfs_http_judge(struct lfs_http *c, CURLcode cc, long status, char *detail,
					size_t size)
{
	char st[64];

	if (cc != CURLE_OK) {
		snprintf(detail, size, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
		return retry_classify_curl(cc);
	}
	retry_status_str(status, st, sizeof(st));
	snprintf(detail, size, "%s", st);
	return retry_classify_status(status);
}

/*
 * One try on the wire, between taking and giving back a token of the
 * sync's shared limiter (cfg.rl), which then learns from the answer's
 * RateLimit-* headers.
 */
static int lfs_http_try(struct lfs_http *c, const struct lfs_http_req *r, CURLcode *cc,
			long *status)
{
	int rc;

	if ((rc = r->reset(c, r->arg)) < 0 || (rc = ratelimit_acquire(c->cfg.rl)) < 0)
		return rc;
	http_cb_header_reset(&c->hdrs);
	c->errbuf[0] = '\0';
	*status = 0;
	*cc = curl_easy_perform(c->curl);
	ratelimit_done(c->cfg.rl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	return ratelimit_observe(c->cfg.rl, c->hdrs.rl_limit, c->hdrs.rl_remaining,
				 c->hdrs.rl_reset);
}

/*
 * A 429 (GitLab's Rack::Attack throttle, see lfs_fetch.c): every sync
 * worker waits, once, for Retry-After or the window's reset; 429s are not
 * failures, RETRY_MAX_THROTTLED in a row give up as the API requests do.
 */
static int lfs_http_throttled(struct lfs_http *c, const struct lfs_http_req *r, const char *detail,
			      int n)
{
	double delay = ratelimit_pause_seconds(c->hdrs.retry_after, c->hdrs.rl_reset,
					       retry_backoff(&c->retry, n));

	log_verbose("%s %s: %s; every sync worker waits %.1f s", r->method, r->url, detail, delay);
	if (c->cfg.rl != NULL)
		return ratelimit_pause(c->cfg.rl, delay);
	return retry_sleep(delay);
}

/* Runs r with retries; *status is the final answer's HTTP status. */
static int lfs_http_perform(struct lfs_http *c, const struct lfs_http_req *r, long *status)
{
	char detail[RETRY_DETAIL_MAX];
	int tries = 0, failures = 0, throttled = 0, rc;

	for (;;) {
		enum retry_reason why;
		CURLcode cc;

		tries++;
		if ((rc = lfs_http_try(c, r, &cc, status)) < 0)
			return rc;
		why = lfs_http_judge(c, cc, *status, detail, sizeof(detail));
		if (why == RETRY_NONE && cc == CURLE_OK)
			return 0;
		if (cc == CURLE_ABORTED_BY_CALLBACK)
			return glm_error_set(GLM_ESTOPPED, "%s %s: interrupted", r->method, r->url);
		if (cc == CURLE_WRITE_ERROR)
			return 1; /* the sink says why */
		if (why == RETRY_THROTTLED && ++throttled <= RETRY_MAX_THROTTLED) {
			if ((rc = lfs_http_throttled(c, r, detail, throttled)) < 0)
				return rc;
			reqcount_retry(c->cfg.counts);
			continue;
		}
		if (why == RETRY_NONE || why == RETRY_THROTTLED || ++failures > c->retry.retries)
			return retry_fail(why == RETRY_NONE ? GLM_ECONNECT : retry_reason_code(why),
					  r->method, r->url, detail, tries);
		double delay = retry_backoff(&c->retry, failures);

		log_verbose("%s %s: %s; retrying in %.1f s", r->method, r->url, detail, delay);
		if ((rc = retry_sleep(delay)) < 0)
			return rc;
		reqcount_retry(c->cfg.counts);
	}
}

static int lfs_http_batch_reset(struct lfs_http *c, void *arg)
{
	(void)arg;
	http_cb_write_reset(&c->body);
	return 0;
}

#define LFS_HTTP_SET(opt, val)                                                                     \
	do {                                                                                       \
		if (curl_easy_setopt(c->curl, (opt), (val)) != CURLE_OK)                           \
			return glm_error_set(GLM_ERR, "libcurl option " #opt);                     \
	} while (0)

int lfs_http_batch(struct lfs_http *c, const char *url, struct curl_slist *headers,
		   const char *body, cJSON **out)
{
	struct lfs_http_req r = { "POST", url, lfs_http_batch_reset, NULL };
	long status;
	int rc;

	*out = NULL;
	LFS_HTTP_SET(CURLOPT_URL, url);
	LFS_HTTP_SET(CURLOPT_HTTPHEADER, headers);
	LFS_HTTP_SET(CURLOPT_POSTFIELDS, body);
	LFS_HTTP_SET(CURLOPT_FOLLOWLOCATION, 0L);
	LFS_HTTP_SET(CURLOPT_WRITEFUNCTION, http_cb_write);
	LFS_HTTP_SET(CURLOPT_WRITEDATA, &c->body);
	LFS_HTTP_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LFS_HTTP_BATCH_MAX);
	if ((rc = lfs_http_perform(c, &r, &status)) != 0)
		return rc < 0 ? rc : glm_error_set(GLM_ELIMIT, "POST %s: answer too large", url);
	if (status == 401)
		return glm_error_set(GLM_EAUTH, "POST %s: HTTP 401 (the token was refused)", url);
	if (status == 403 || status == 404)
		return glm_error_set(status == 404 ? GLM_ENOTFOUND : GLM_EFORBIDDEN,
				     "POST %s: HTTP %ld", url, status);
	if (status < 200 || status > 299)
		return glm_error_set(GLM_EHTTP, "POST %s: HTTP %ld", url, status);
	*out = cJSON_ParseWithLength(c->body.buf.data, c->body.buf.len);
	if (*out == NULL)
		return glm_error_set(GLM_EPARSE, "POST %s: the answer is not JSON", url);
	return 0;
}

static size_t lfs_http_sink_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct lfs_http_sink *s = userdata;
	size_t n = size * nmemb, done = 0;
	long status = 0;

	/* The body of an error (a 429's "Retry later", a 503's page) is not the object. */
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299)
		return n;
	if (s->len + n > s->max) {
		s->too_big = 1;
		return 0;
	}
	while (done < n) {
		ssize_t w = write(s->fd, ptr + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->io_error = errno;
			return 0;
		}
		done += (size_t)w;
	}
	if (lfs_hash_update(&s->hash, ptr, n) < 0) {
		s->io_error = EIO;
		return 0;
	}
	s->len += n;
	if (s->progress != NULL)
		s->progress(s->arg, n);
	return n;
}

static int lfs_http_sink_reset(struct lfs_http *c, void *arg)
{
	struct lfs_http_sink *s = arg;

	(void)c;
	lfs_hash_release(&s->hash);
	s->len = 0;
	if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot rewind a temporary LFS file");
	return lfs_hash_init(&s->hash);
}

/* The received file is the object the pointer names. */
static int lfs_http_verify(struct lfs_http_sink *s, const struct lfs_pointer *p)
{
	char hex[LFS_OID_LEN + 1];
	int rc;

	if (s->len != p->size)
		return glm_error_set(GLM_EPARSE,
				     "LFS object %s: %llu bytes received, %llu expected", p->oid,
				     (unsigned long long)s->len, (unsigned long long)p->size);
	if ((rc = lfs_hash_final(&s->hash, hex)) < 0)
		return rc;
	if (strcmp(hex, p->oid) != 0)
		return glm_error_set(GLM_EPARSE, "LFS object %s: the content's SHA-256 is %s",
				     p->oid, hex);
	return 0;
}

int lfs_http_download(struct lfs_http *c, const char *href, struct curl_slist *headers,
		      git_repository *repo, const struct lfs_pointer *p,
		      lfs_http_progress_fn progress, void *arg)
{
	struct lfs_http_sink s = {
		.curl = c->curl, .fd = -1, .max = p->size, .progress = progress, .arg = arg
	};
	struct lfs_http_req r = { "GET", href, lfs_http_sink_reset, &s };
	char tmp[LFS_STORE_PATH_MAX];
	long status;
	int rc;

	LFS_HTTP_SET(CURLOPT_URL, href);
	LFS_HTTP_SET(CURLOPT_HTTPGET, 1L);
	LFS_HTTP_SET(CURLOPT_HTTPHEADER, headers);
	/*
	 * GitLab with object storage answers with a redirect to a signed URL;
	 * libcurl keeps a custom Authorization header to the first host only.
	 */
	LFS_HTTP_SET(CURLOPT_FOLLOWLOCATION, 1L);
	LFS_HTTP_SET(CURLOPT_MAXREDIRS, (long)LFS_HTTP_REDIRECTS);
	LFS_HTTP_SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	LFS_HTTP_SET(CURLOPT_WRITEFUNCTION, lfs_http_sink_write);
	LFS_HTTP_SET(CURLOPT_WRITEDATA, &s);
	LFS_HTTP_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
	if ((rc = lfs_store_create(repo, p->oid, &s.fd, tmp, sizeof(tmp))) < 0)
		return rc;
	rc = lfs_http_perform(c, &r, &status);
	if (rc > 0)
		rc = s.too_big ? glm_error_set(GLM_ELIMIT, "LFS object %s: more than %llu bytes",
					       p->oid, (unsigned long long)p->size)
			       : glm_error_errno(GLM_EIO, s.io_error ? s.io_error : EIO,
						 "writing LFS object %s", p->oid);
	else if (rc == 0 && (status < 200 || status > 299))
		rc = glm_error_set(status == 404 ? GLM_ENOTFOUND : GLM_EHTTP,
				   "GET LFS object %s: HTTP %ld", p->oid, status);
	if (rc == 0)
		rc = lfs_http_verify(&s, p);
	if (close(s.fd) < 0 && rc == 0)
		rc = glm_error_errno(GLM_EIO, errno, "writing LFS object %s", p->oid);
	if (rc == 0)
		rc = lfs_store_commit(repo, p->oid, tmp);
	if (rc < 0)
		unlink(tmp);
	lfs_hash_release(&s.hash);
	return rc;
}
