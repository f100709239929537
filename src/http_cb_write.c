#include "http_cb.h"

#include "error.h"

void http_cb_write_reset(struct http_body *b)
{
	buf_reset(&b->buf);
	b->too_big = 0;
}

void http_cb_write_release(struct http_body *b)
{
	buf_release(&b->buf);
}

size_t http_cb_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_body *b = userdata;
	size_t n = size * nmemb;
	int err;

	/* Returning less than n aborts the transfer with CURLE_WRITE_ERROR. */
	if ((err = buf_add(&b->buf, ptr, n)) < 0) {
		b->too_big = err == GLM_ELIMIT;
		return 0;
	}
	return n;
}
