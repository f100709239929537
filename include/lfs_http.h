/*
 * The HTTP side of Git LFS in a sync worker: the batch request (Git LFS
 * spec docs/api/batch.md) and object downloads (basic-transfers.md), with
 * libcurl, the crawl's TLS and timeout settings (http_easy_setup) and the
 * crawl's retry policy (retry.h).  Every try takes a token from cfg->rl
 * (the sync's shared limiter) and a 429 pauses every worker there once, as
 * the API requests do with the crawl's.  An object is written to a
 * temporary file of the store, its size and SHA-256 checked, then renamed
 * into place.
 */
#ifndef GLM_LFS_HTTP_H
#define GLM_LFS_HTTP_H

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <git2.h>
#include <stdint.h>

#include "http.h"
#include "lfs_pointer.h"

struct lfs_http;

/* Called with each batch of bytes received. */
typedef void (*lfs_http_progress_fn)(void *arg, uint64_t bytes);

/* cfg's strings and limiter are borrowed; its token is never used here. */
int lfs_http_new(struct lfs_http **out, const struct http_config *cfg);
void lfs_http_free(struct lfs_http *c); /* accepts NULL */

/* POSTs the JSON body to url with headers (borrowed); *out (caller owns) the answer. */
int lfs_http_batch(struct lfs_http *c, const char *url, struct curl_slist *headers,
		   const char *body, cJSON **out);

/* GETs the object p from href with headers (borrowed) into repo's LFS store. */
int lfs_http_download(struct lfs_http *c, const char *href, struct curl_slist *headers,
		      git_repository *repo, const struct lfs_pointer *p,
		      lfs_http_progress_fn progress, void *arg);

#endif
