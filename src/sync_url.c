/* Clone URL checks (sync_url.h). */
#include "sync_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "log.h"

static int sync_url_default_port(const char *scheme)
{
	if (strcmp(scheme, "https") == 0)
		return 443;
	if (strcmp(scheme, "http") == 0)
		return 80;
	return 22;
}

/* host[:port] from s up to the first '/' (or end); [v6] literals kept with brackets. */
static int sync_url_host_port(const char *s, size_t len, struct sync_url *out)
{
	const char *colon = NULL, *p;
	size_t hlen;

	if (len > 0 && s[0] == '[') {
		p = memchr(s, ']', len);
		if (p == NULL)
			return GLM_EPARSE;
		colon = p + 1 < s + len && p[1] == ':' ? p + 1 : NULL;
		if (colon == NULL && p + 1 != s + len)
			return GLM_EPARSE;
	} else {
		colon = memchr(s, ':', len);
	}
	hlen = colon != NULL ? (size_t)(colon - s) : len;
	if (hlen == 0 || hlen >= sizeof(out->host))
		return GLM_EPARSE;
	memcpy(out->host, s, hlen);
	out->host[hlen] = '\0';
	out->port = sync_url_default_port(out->scheme);
	if (colon != NULL) {
		char digits[8], *end;
		size_t dlen = len - hlen - 1;
		long port;

		if (dlen == 0 || dlen >= sizeof(digits))
			return GLM_EPARSE;
		memcpy(digits, colon + 1, dlen);
		digits[dlen] = '\0';
		port = strtol(digits, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535)
			return GLM_EPARSE;
		out->port = (int)port;
	}
	return 0;
}

int sync_url_parse(const char *url, struct sync_url *out)
{
	const char *sep = strstr(url, "://"), *auth, *at, *end;
	size_t slen;

	memset(out, 0, sizeof(*out));
	if (sep != NULL) {
		slen = (size_t)(sep - url);
		if (slen == 0 || slen >= sizeof(out->scheme))
			goto bad;
		memcpy(out->scheme, url, slen);
		out->scheme[slen] = '\0';
		if (strcasecmp(out->scheme, "http") != 0 && strcasecmp(out->scheme, "https") != 0 &&
		    strcasecmp(out->scheme, "ssh") != 0)
			goto bad;
		for (char *c = out->scheme; *c; c++)
			*c = (char)(*c | 0x20);
		auth = sep + 3;
		end = auth + strcspn(auth, "/?#");
		at = memchr(auth, '@', (size_t)(end - auth));
		if (at != NULL)
			auth = at + 1;
		if (sync_url_host_port(auth, (size_t)(end - auth), out) < 0)
			goto bad;
		return 0;
	}
	/* scp-like: [user@]host:path, never a local path. */
	end = strchr(url, ':');
	if (end == NULL || strchr(url, '/') < end)
		goto bad;
	at = memchr(url, '@', (size_t)(end - url));
	auth = at != NULL ? at + 1 : url;
	if (end == auth || (size_t)(end - auth) >= sizeof(out->host))
		goto bad;
	snprintf(out->scheme, sizeof(out->scheme), "ssh");
	memcpy(out->host, auth, (size_t)(end - auth));
	out->host[end - auth] = '\0';
	out->port = 22;
	return 0;
bad:
	return glm_error_set(GLM_EPARSE, "not a clone URL glmirror can use");
}

int sync_url_user(const char *url, char *out, size_t size)
{
	const char *sep = strstr(url, "://"), *auth = sep != NULL ? sep + 3 : url;
	size_t end = strcspn(auth, sep != NULL ? "/?#" : ":"), len;
	const char *at = memchr(auth, '@', end);

	len = at != NULL ? (size_t)(at - auth) : 0;
	if (len >= size)
		return glm_error_set(GLM_EPARSE, "the user name of an SSH URL is too long");
	memcpy(out, auth, len);
	out[len] = '\0';
	return 0;
}

int sync_url_check(const char *url, const char *base_url, enum clone_method method)
{
	struct sync_url u, b;
	char esc[256];
	int ok;

	if (url == NULL || *url == '\0')
		return glm_error_set(GLM_EUNSAFE, "the server sent no %s clone URL",
				     method == METHOD_HTTP ? "HTTP" : "SSH");
	if (sync_url_parse(base_url, &b) < 0)
		return glm_error_set(GLM_EUNSAFE, "base URL %s cannot be parsed", base_url);
	if (sync_url_parse(url, &u) < 0)
		return glm_error_set(GLM_EUNSAFE, "clone URL points to another host: %s",
				     log_esc(url, esc, sizeof(esc)));
	if (method == METHOD_HTTP)
		ok = strcmp(u.scheme, b.scheme) == 0 && strcasecmp(u.host, b.host) == 0 &&
		     u.port == b.port;
	else
		ok = strcmp(u.scheme, "ssh") == 0 && strcasecmp(u.host, b.host) == 0;
	if (!ok)
		return glm_error_set(GLM_EUNSAFE, "clone URL points to another host: %s",
				     log_esc(url, esc, sizeof(esc)));
	return 0;
}

const char *sync_url_path(const char *url)
{
	const char *sep = strstr(url, "://"), *p;

	if (sep != NULL)
		return (p = strchr(sep + 3, '/')) != NULL ? p : "";
	p = strchr(url, ':');
	return p != NULL ? p + 1 : "";
}

/* Whether path is "[anything/]<full_path>.git", where GitLab puts the project. */
static int sync_url_path_is(const char *path, const char *full_path)
{
	size_t plen = strlen(path), flen = strlen(full_path);

	if (plen < flen + 4 || strcmp(path + plen - 4, ".git") != 0 ||
	    strncmp(path + plen - 4 - flen, full_path, flen) != 0)
		return 0;
	return plen == flen + 4 || path[plen - 5 - flen] == '/';
}

int sync_url_for(const struct node *p, const char *base_url, enum clone_method method, char *out,
		 size_t size)
{
	const char *url = method == METHOD_HTTP ? p->http_url : p->ssh_url;
	struct sync_url u;
	size_t blen = strlen(base_url);
	int n;

	if (url != NULL && *url != '\0' && sync_url_check(url, base_url, method) == 0) {
		n = snprintf(out, size, "%s", url);
	} else if (url != NULL && *url != '\0' && p->full_path != NULL &&
		   sync_url_parse(url, &u) == 0 &&
		   (method == METHOD_HTTP ? strcmp(u.scheme, "ssh") != 0
					  : strcmp(u.scheme, "ssh") == 0) &&
		   sync_url_path_is(sync_url_path(url), p->full_path)) {
		while (blen > 0 && base_url[blen - 1] == '/')
			blen--;
		if (method == METHOD_HTTP)
			n = snprintf(out, size, "%.*s/%s.git", (int)blen, base_url, p->full_path);
		else
			n = snprintf(out, size, "%s", url);
	} else {
		/* Not where GitLab would put it: the check says why. */
		(void)sync_url_check(url, base_url, method);
		return GLM_EUNSAFE;
	}
	if (n < 0 || (size_t)n >= size)
		return glm_error_set(GLM_EUNSAFE, "clone URL longer than %zu bytes", size - 1);
	return 0;
}

int sync_url_http_of(const char *url, const char *base_url, enum clone_method method, char *out,
		     size_t size)
{
	const char *path = method == METHOD_HTTP ? url : sync_url_path(url);
	size_t blen = strlen(base_url), plen;
	int n;

	while (blen > 0 && base_url[blen - 1] == '/')
		blen--;
	while (method != METHOD_HTTP && *path == '/')
		path++;
	plen = strlen(path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	if (plen == 0)
		return glm_error_set(GLM_EUNSAFE, "clone URL without a path");
	n = snprintf(out, size, "%.*s%s%.*s%s", method == METHOD_HTTP ? 0 : (int)blen, base_url,
		     method == METHOD_HTTP ? "" : "/", (int)plen, path,
		     plen >= 4 && strncmp(path + plen - 4, ".git", 4) == 0 ? "" : ".git");
	if (n < 0 || (size_t)n >= size)
		return glm_error_set(GLM_EUNSAFE, "clone URL longer than %zu bytes", size - 1);
	return 0;
}
