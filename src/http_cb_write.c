#include "http_cb.h"

#include <stdlib.h>
#include <string.h>

void http_cb_write_reset(struct http_body *b)
{
	b->len = 0;
	b->too_big = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void http_cb_write_free(struct http_body *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

size_t http_cb_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_body *b = userdata;
	size_t n = size * nmemb, want;
	char *p;

	/* Returning less than n aborts the transfer with CURLE_WRITE_ERROR. */
	if (n > b->max - b->len) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		want = b->cap ? b->cap : 16384;
		while (want < b->len + n + 1)
			want *= 2;
		if (want > b->max + 1)
			want = b->max + 1;
		p = realloc(b->data, want);
		if (p == NULL)
			return 0;
		b->data = p;
		b->cap = want;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}
