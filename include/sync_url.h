/*
 * Clone URLs come from the server, so they are checked before use: only a
 * URL on base_url's host (and, over HTTP, its scheme and port) is ever
 * given to libgit2 as the server wrote it, so a server cannot make
 * glmirror send the token to another host or read a local path (file://,
 * /path, ext::).  GitLab writes its external_url into http_url_to_repo
 * and its SSH host (gitlab_shell.ssh_host) into ssh_url_to_repo, which
 * need not be --url's host: a project's URL on another host is still
 * taken when its path is where GitLab puts the project, <full_path>.git.
 * Over HTTP it is then asked of --url's origin instead, so the token never
 * leaves it; over SSH, which carries no token, the SSH host is used and
 * its key checked in known_hosts.
 */
#ifndef GLM_SYNC_URL_H
#define GLM_SYNC_URL_H

#include <stddef.h>

#include "options.h"
#include "tree.h"

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

/* The path part of a clone URL: after host[:port] (URL) or after "host:" (scp-like). */
const char *sync_url_path(const char *url);
/* The user name before '@' in url's host part into out; "" when none. */
int sync_url_user(const char *url, char *out, size_t size);

#define SYNC_URL_MAX 4096

/*
 * The URL to clone project p from (into out) for method: its own URL when
 * sync_url_check() takes it, else as above.  GLM_EUNSAFE otherwise.
 */
int sync_url_for(const struct node *p, const char *base_url, enum clone_method method, char *out,
		 size_t size);

/*
 * The HTTP URL on base_url's origin of url, a clone URL sync_url_check()
 * took for method (into out, ending in ".git", as git-lfs derives its LFS
 * endpoint from a remote): url itself over HTTP, base_url and url's path
 * over SSH (GitLab serves LFS over HTTP only).
 */
int sync_url_http_of(const char *url, const char *base_url, enum clone_method method, char *out,
		     size_t size);

#endif
