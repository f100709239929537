#include "http_cb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "linkhdr.h"

void http_cb_header_reset(struct http_hdrs *h)
{
	size_t max_body = h->max_body;

	buf_release(&h->link);
	memset(h, 0, sizeof(*h));
	buf_init(&h->link, LINKHDR_MAX_LEN + 1);
	h->max_body = max_body;
	h->page = h->next_page = h->total_pages = -1;
	h->total = -1;
	h->retry_after = -1;
	h->rl_limit = -1;
	h->rl_remaining = h->rl_reset = -1;
	h->content_length = -1;
}

void http_cb_header_release(struct http_hdrs *h)
{
	buf_release(&h->link);
}

/* A whole non-negative decimal number, or -1 (empty, junk, overflow). */
static long long http_cb_header_number(const char *v)
{
	long long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return n;
}

static long http_cb_header_long(const char *v)
{
	long long n = http_cb_header_number(v);

	return n > 0x7fffffffLL ? -1 : (long)n;
}

/* Retry-After is delta-seconds or an HTTP date. */
static double http_cb_header_retry_after(const char *v)
{
	long long n = http_cb_header_number(v);
	time_t when;

	if (n >= 0)
		return (double)n;
	when = curl_getdate(v, NULL);
	if (when < 0)
		return -1;
	return when > time(NULL) ? (double)(when - time(NULL)) : 0;
}

/* A header past the cap is cut: linkhdr_next refuses it for its length. */
static void http_cb_header_link(struct http_hdrs *h, const char *v, size_t vlen)
{
	size_t room = buf_room(&h->link), sep = h->link.len > 0 ? 2 : 0;
	size_t len = h->link.len;

	if (vlen == 0 || sep >= room)
		return;
	if (vlen > room - sep)
		vlen = room - sep;
	/* Out of memory: the header stays as it was. */
	if (buf_add(&h->link, ", ", sep) < 0 || buf_add(&h->link, v, vlen) < 0)
		buf_truncate(&h->link, len);
}

static void http_cb_header_copy(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v);
}

size_t http_cb_header(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct http_hdrs *h = userdata;
	size_t n = size * nitems, name_len, vlen;
	char line[8192], *colon, *v;

	/* A new status line starts a new response (after 100 Continue, a proxy's CONNECT). */
	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		http_cb_header_reset(h);
		return n;
	}
	/* Only Link can be long; it is taken from buf directly. */
	colon = memchr(buf, ':', n);
	if (colon == NULL)
		return n;
	name_len = (size_t)(colon - buf);
	v = colon + 1;
	vlen = n - name_len - 1;
	/* A NUL ends the value: nothing after it is seen by any parser. */
	if ((colon = memchr(v, '\0', vlen)) != NULL)
		vlen = (size_t)(colon - v);
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
		vlen--;
	if (name_len == 4 && strncasecmp(buf, "link", 4) == 0) {
		http_cb_header_link(h, v, vlen);
		return n;
	}
	if (vlen >= sizeof(line))
		return n; /* no header we read is that long */
	memcpy(line, v, vlen);
	line[vlen] = '\0';
#define IS(name) (name_len == sizeof(name) - 1 && strncasecmp(buf, name, name_len) == 0)
	if (IS("x-page"))
		h->page = http_cb_header_long(line);
	else if (IS("x-next-page"))
		h->next_page = http_cb_header_long(line);
	else if (IS("x-total-pages"))
		h->total_pages = http_cb_header_long(line);
	else if (IS("x-total"))
		h->total = http_cb_header_number(line);
	else if (IS("retry-after"))
		h->retry_after = http_cb_header_retry_after(line);
	else if (IS("ratelimit-limit"))
		h->rl_limit = http_cb_header_long(line);
	else if (IS("ratelimit-remaining"))
		h->rl_remaining = http_cb_header_number(line);
	else if (IS("ratelimit-reset"))
		h->rl_reset = http_cb_header_number(line);
	else if (IS("content-type"))
		http_cb_header_copy(h->content_type, sizeof(h->content_type), line);
	else if (IS("location"))
		http_cb_header_copy(h->location, sizeof(h->location), line);
	else if (IS("content-length"))
		h->content_length = http_cb_header_number(line);
#undef IS
	/* Refuse an announced oversize body before receiving any of it. */
	if (h->content_length >= 0 && (unsigned long long)h->content_length > h->max_body) {
		h->too_big = 1;
		return 0;
	}
	return n;
}
