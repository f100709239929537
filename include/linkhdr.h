/*
 * The Link response header (RFC 8288) and the URLs a server hands back in
 * it or in a redirect's Location.  A URL from the server is only ever
 * turned into an API path, which glmirror then asks of the configured
 * --url, so a hostile or misconfigured server cannot make glmirror send
 * the token elsewhere.  A redirect must point to the configured origin
 * (scheme, host and port) below its /api/v4.  A next-page link may name
 * another origin: GitLab writes its external_url into it
 * (lib/gitlab/pagination/offset_header_builder.rb), which is not --url
 * when GitLab is reached by another name (a service name, a tunnel, a
 * proxy); such a link is taken only for the endpoint just asked for.
 */
#ifndef GLM_LINKHDR_H
#define GLM_LINKHDR_H

#define LINKHDR_MAX_LEN	  16384 /* bytes of one (joined) Link header */
#define LINKHDR_MAX_LINKS 64	/* links in one header */

/*
 * Finds the first link with rel="next" in a Link header value.  On 0, *out
 * (caller owns) is its target as an API path relative to
 * base_url + "/api/v4" ("/groups?page=2"), or NULL when there is none.
 * base_url is the configured base ("https://host[:port][/prefix]");
 * endpoint is the API path just asked for ("/groups/7/projects?page=1"):
 * a link on another origin must name its path (the query may differ).
 * Errors: GLM_EPARSE (malformed header or URL), GLM_EUNSAFE (another
 * endpoint on another origin, or outside the API), GLM_ELIMIT (header too
 * long, too many links), GLM_ENOMEM.
 */
int linkhdr_next(const char *value, const char *base_url, const char *endpoint, char **out);

/*
 * Resolves one URL reference from the server (absolute, or relative to
 * base_url + "/api/v4/") to an API path as above.  what names the source
 * for the message ("Link rel=next", "redirect (HTTP 302)"), which reads
 * "<what> points to another host: <url>".
 */
int linkhdr_resolve(const char *ref, const char *base_url, const char *what, char **out);

#endif
