/*
 * Clone URLs come from the server, so they are checked before use: only a
 * URL on base_url's host (and, over HTTP, its scheme and port) is ever
 * given to libgit2, so a server cannot make glmirror send the token to
 * another host or read a local path (file://, /path, ext::).
 */
#ifndef GLM_SYNC_URL_H
#define GLM_SYNC_URL_H

#include "options.h"

#define SYNC_URL_HOST_MAX 256

struct sync_url {
	char scheme[16]; /* "http", "https", "ssh" */
	char host[SYNC_URL_HOST_MAX];
	int port; /* the scheme's default when none is given */
};

/* Parses http(s)://, ssh:// and scp-like user@host:path URLs. */
int sync_url_parse(const char *url, struct sync_url *out);
/*
 * 0 when url may be used for method with a tree from base_url; GLM_EUNSAFE
 * "clone URL points to another host: ..." otherwise.
 */
int sync_url_check(const char *url, const char *base_url, enum clone_method method);

#endif
