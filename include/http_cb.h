/*
 * libcurl's callbacks for http.c, each in its own file: the header
 * callback (http_cb_header.c) keeps what glmirror reads from a response's
 * headers, the write callback (http_cb_write.c) keeps the body up to a hard
 * cap and aborts the transfer beyond it, the progress callback
 * (http_cb_progress.c) aborts it when the run is stopping.  Internal to http.c and its tests.
 */
#ifndef GLM_HTTP_CB_H
#define GLM_HTTP_CB_H

#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"

#define HTTP_CB_TYPE_MAX     64
#define HTTP_CB_LOCATION_MAX 1024

/* What the headers of the last response said; numbers are -1 when absent. */
struct http_hdrs {
	long page, next_page, total_pages; /* X-Page, X-Next-Page, X-Total-Pages */
	long long total;		   /* X-Total */
	struct buf link; /* Link values joined by ", ", cut at LINKHDR_MAX_LEN + 1: refused later */
	double retry_after;		  /* seconds (number or HTTP date) */
	long rl_limit;			  /* RateLimit-Limit */
	long long rl_remaining, rl_reset; /* RateLimit-Remaining, RateLimit-Reset */
	long long content_length;
	char content_type[HTTP_CB_TYPE_MAX];
	char location[HTTP_CB_LOCATION_MAX]; /* cut when longer; only used for messages */
	size_t max_body; /* set by the owner: a larger Content-Length aborts at once */
	int too_big;
};

void http_cb_header_reset(struct http_hdrs *h); /* keeps max_body */
void http_cb_header_release(struct http_hdrs *h);
/* CURLOPT_HEADERFUNCTION; userdata is a struct http_hdrs. */
size_t http_cb_header(char *buf, size_t size, size_t nitems, void *userdata);

/* The body of the last response, at most buf.max bytes (the owner's buf_init). */
struct http_body {
	struct buf buf;
	int too_big;
};

void http_cb_write_reset(struct http_body *b); /* keeps the buffer and max */
void http_cb_write_release(struct http_body *b);
/* CURLOPT_WRITEFUNCTION; userdata is a struct http_body. */
size_t http_cb_write(char *ptr, size_t size, size_t nmemb, void *userdata);

/* CURLOPT_XFERINFOFUNCTION: non-zero (abort) once a stop signal arrived. */
int http_cb_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		     curl_off_t ulnow);

#endif
