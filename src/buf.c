/* Capped byte buffers (buf.h). */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Small enough for a header value, and doubled quickly for a body. */
#define BUF_FIRST_ALLOC 256

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	/* Keeps max + 1 and the doubling below from overflowing. */
	b->max = max < SIZE_MAX / 2 ? max : SIZE_MAX / 2;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	size_t want;
	char *grown;

	if (n > b->max - b->len)
		return glm_error_set(GLM_ELIMIT, "more than %zu bytes", b->max);
	if (b->len + n >= b->cap) {
		want = b->cap ? b->cap : BUF_FIRST_ALLOC;
		while (want <= b->len + n)
			want *= 2;
		/* Never more than the cap needs: max bytes and the NUL. */
		if (want > b->max + 1)
			want = b->max + 1;
		if ((grown = realloc(b->data, want)) == NULL)
			return glm_error_set(GLM_ENOMEM, "out of memory");
		b->data = grown;
		b->cap = want;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

size_t buf_room(const struct buf *b)
{
	return b->max - b->len;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}
