#include "linkhdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "error.h"
#include "log.h"

/* A cursor over the header value; end points at its NUL. */
struct linkhdr_cur {
	const char *p;
};

static int linkhdr_resolve_in(const char *ref, const char *base_url, const char *endpoint,
			      const char *what, char **out);

/* One parsed link: the target between <> and whether rel contains "next". */
struct linkhdr_link {
	const char *uri; /* points into the header value; not NUL-terminated */
	size_t uri_len;
	int is_next;
};

static void linkhdr_skip_ows(struct linkhdr_cur *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

/* RFC 9110 tchar. */
static int linkhdr_is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int linkhdr_malformed(const char *value, const char *why)
{
	char esc[160];

	return glm_error_set(GLM_EPARSE, "malformed Link header (%s): %s", why,
			     log_esc(value, esc, sizeof(esc)));
}

/*
 * Reads a parameter value (token or quoted-string) into buf (at least as
 * large as what is left of the header), unescaping quoted pairs.
 */
static int linkhdr_param_value(struct linkhdr_cur *c, char *buf, const char *value)
{
	size_t n = 0;

	if (*c->p != '"') {
		while (linkhdr_is_tchar(*c->p))
			buf[n++] = *c->p++;
		buf[n] = '\0';
		return 0;
	}
	c->p++;
	while (*c->p != '"') {
		if (*c->p == '\0')
			return linkhdr_malformed(value, "unterminated quoted string");
		if (*c->p == '\\' && c->p[1] != '\0')
			c->p++;
		buf[n++] = *c->p++;
	}
	c->p++;
	buf[n] = '\0';
	return 0;
}

/* rel is a space-separated list of relation types, compared without case. */
static int linkhdr_rel_has_next(const char *rel)
{
	const char *p = rel;

	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, " \t");
		if (len == 4 && strncasecmp(p, "next", 4) == 0)
			return 1;
		p += len;
	}
	return 0;
}

/* Parses "<uri>; param=value; ..." up to the next top-level comma. */
static int linkhdr_parse_link(struct linkhdr_cur *c, char *scratch, const char *value,
			      struct linkhdr_link *out)
{
	const char *gt;
	int seen_rel = 0, rc;

	out->is_next = 0;
	if (*c->p != '<')
		return linkhdr_malformed(value, "expected '<'");
	gt = strchr(c->p + 1, '>');
	if (gt == NULL)
		return linkhdr_malformed(value, "missing '>'");
	out->uri = c->p + 1;
	out->uri_len = (size_t)(gt - out->uri);
	c->p = gt + 1;
	for (;;) {
		const char *name;
		size_t name_len;

		linkhdr_skip_ows(c);
		if (*c->p == ',' || *c->p == '\0')
			return 0;
		if (*c->p != ';')
			return linkhdr_malformed(value, "expected ';' or ','");
		c->p++;
		linkhdr_skip_ows(c);
		name = c->p;
		while (linkhdr_is_tchar(*c->p))
			c->p++;
		name_len = (size_t)(c->p - name);
		if (name_len == 0)
			return linkhdr_malformed(value, "empty parameter name");
		linkhdr_skip_ows(c);
		scratch[0] = '\0';
		if (*c->p == '=') {
			c->p++;
			linkhdr_skip_ows(c);
			if ((rc = linkhdr_param_value(c, scratch, value)) < 0)
				return rc;
		}
		/* RFC 8288 3.3: occurrences of rel after the first are ignored. */
		if (name_len == 3 && strncasecmp(name, "rel", 3) == 0 && !seen_rel) {
			seen_rel = 1;
			out->is_next = linkhdr_rel_has_next(scratch);
		}
	}
}

int linkhdr_next(const char *value, const char *base_url, const char *endpoint, char **out)
{
	struct linkhdr_cur c = { value };
	struct linkhdr_link link, next = { NULL, 0, 0 };
	char *scratch = NULL, *uri = NULL;
	size_t len = strlen(value);
	int links = 0, rc;

	*out = NULL;
	if (len > LINKHDR_MAX_LEN)
		return glm_error_set(GLM_ELIMIT, "Link header of %zu bytes is longer than %d", len,
				     LINKHDR_MAX_LEN);
	scratch = malloc(len + 1);
	if (scratch == NULL) {
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		while (*c.p == ' ' || *c.p == '\t' || *c.p == ',')
			c.p++;
		if (*c.p == '\0')
			break;
		if (++links > LINKHDR_MAX_LINKS) {
			rc = glm_error_set(GLM_ELIMIT, "Link header has more than %d links",
					   LINKHDR_MAX_LINKS);
			goto out;
		}
		if ((rc = linkhdr_parse_link(&c, scratch, value, &link)) < 0)
			goto out;
		if (link.is_next && next.uri == NULL)
			next = link;
	}
	rc = 0;
	if (next.uri == NULL)
		goto out;
	uri = strndup(next.uri, next.uri_len);
	if (uri == NULL) {
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	rc = linkhdr_resolve_in(uri, base_url, endpoint, "Link rel=next", out);
out:
	free(uri);
	free(scratch);
	return rc;
}

/* One part of a parsed URL (owned, curl_free), or NULL when absent. */
static char *linkhdr_part(CURLU *u, CURLUPart part, unsigned flags)
{
	char *s = NULL;

	if (curl_url_get(u, part, &s, flags) != CURLUE_OK)
		return NULL;
	return s;
}

static int linkhdr_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

/* The refusal message names the (escaped, redacted) URL the server sent. */
static int linkhdr_refuse(int code, const char *what, const char *why, const char *ref)
{
	char esc[256];

	log_esc(ref, esc, sizeof(esc));
	log_redact(esc);
	return glm_error_set(code, "%s %s: %s", what, why, esc);
}

/*
 * A link on another origin, for the endpoint just asked for: its path below
 * /api/v4/ (the external URL's own prefix is not --url's).  NULL when it
 * names another endpoint.
 */
static const char *linkhdr_rebase(const char *scheme, const char *path, const char *endpoint)
{
	const char *api, *q;
	size_t n;

	if (endpoint == NULL || scheme == NULL || path == NULL ||
	    (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0) ||
	    (api = strstr(path, "/api/v4/")) == NULL)
		return NULL;
	api += strlen("/api/v4");
	q = strchr(endpoint, '?');
	n = q != NULL ? (size_t)(q - endpoint) : strlen(endpoint);
	return strlen(api) == n && strncmp(api, endpoint, n) == 0 ? api : NULL;
}

/* Resolves ref; endpoint as for linkhdr_next(), NULL for a redirect. */
static int linkhdr_resolve_in(const char *ref, const char *base_url, const char *endpoint,
			      const char *what, char **out)
{
	CURLU *base = NULL, *u = NULL;
	char *api_base = NULL, *b_scheme = NULL, *b_host = NULL, *b_port = NULL, *b_path = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	char *user = NULL, *password = NULL;
	const char *rebased = NULL;
	size_t blen = strlen(base_url), plen;
	int rc;

	*out = NULL;
	while (blen > 0 && base_url[blen - 1] == '/')
		blen--;
	base = curl_url();
	u = curl_url();
	if (base == NULL || u == NULL ||
	    asprintf(&api_base, "%.*s/api/v4/", (int)blen, base_url) < 0) {
		api_base = NULL;
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	if (curl_url_set(base, CURLUPART_URL, api_base, 0) != CURLUE_OK) {
		rc = glm_error_set(GLM_EUSAGE, "cannot parse the base URL %s", base_url);
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, api_base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK) {
		rc = linkhdr_refuse(GLM_EPARSE, what, "is not a valid URL", ref);
		goto out;
	}
	b_scheme = linkhdr_part(base, CURLUPART_SCHEME, 0);
	b_host = linkhdr_part(base, CURLUPART_HOST, 0);
	b_port = linkhdr_part(base, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	b_path = linkhdr_part(base, CURLUPART_PATH, 0);
	scheme = linkhdr_part(u, CURLUPART_SCHEME, 0);
	host = linkhdr_part(u, CURLUPART_HOST, 0);
	port = linkhdr_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	path = linkhdr_part(u, CURLUPART_PATH, 0);
	query = linkhdr_part(u, CURLUPART_QUERY, 0);
	user = linkhdr_part(u, CURLUPART_USER, 0);
	password = linkhdr_part(u, CURLUPART_PASSWORD, 0);
	if (user != NULL || password != NULL) {
		rc = linkhdr_refuse(GLM_EUNSAFE, what, "points to another host", ref);
		goto out;
	}
	if (!linkhdr_same(scheme, b_scheme) || !linkhdr_same(host, b_host) ||
	    !linkhdr_same(port, b_port)) {
		if ((rebased = linkhdr_rebase(scheme, path, endpoint)) == NULL) {
			rc = linkhdr_refuse(GLM_EUNSAFE, what, "points to another host", ref);
			goto out;
		}
	} else {
		/* b_path is "<prefix>/api/v4/"; the target must lie below it. */
		plen = b_path != NULL ? strlen(b_path) : 0;
		if (path == NULL || plen == 0 || strncmp(path, b_path, plen) != 0) {
			rc = linkhdr_refuse(GLM_EUNSAFE, what, "points outside the API", ref);
			goto out;
		}
		rebased = path + plen - 1;
	}
	if (asprintf(out, "%s%s%s", rebased, query != NULL ? "?" : "", query != NULL ? query : "") <
	    0) {
		*out = NULL;
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	curl_free(b_scheme);
	curl_free(b_host);
	curl_free(b_port);
	curl_free(b_path);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(user);
	curl_free(password);
	free(api_base);
	curl_url_cleanup(base);
	curl_url_cleanup(u);
	return rc;
}

int linkhdr_resolve(const char *ref, const char *base_url, const char *what, char **out)
{
	return linkhdr_resolve_in(ref, base_url, NULL, what, out);
}
