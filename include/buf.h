/*
 * A growable byte buffer whose maximum is fixed when it is created, so
 * nothing read from the network or built for another process grows
 * without bound (arrays of elements grow with grow.h).  Once anything was
 * added, data is NUL-terminated at data[len], so text can be handed to
 * string functions.
 */
#ifndef GLM_BUF_H
#define GLM_BUF_H

#include <stddef.h>

struct buf {
	char *data;	 /* owned; NULL until the first add */
	size_t len, cap; /* bytes used; bytes allocated (the NUL included) */
	size_t max;	 /* len never passes it */
};

/* An empty buffer that holds at most max bytes (at most SIZE_MAX / 2). */
void buf_init(struct buf *b, size_t max);
/*
 * Appends n bytes of p.  GLM_ELIMIT when len + n would pass max,
 * GLM_ENOMEM; either way the buffer is unchanged.
 */
int buf_add(struct buf *b, const void *p, size_t n);
/* How many more bytes buf_add takes. */
size_t buf_room(const struct buf *b);
/* Cuts the buffer back to its first len bytes (len <= b->len); the memory stays. */
void buf_truncate(struct buf *b, size_t len);
/* Empties the buffer; the memory stays for the next adds. */
void buf_reset(struct buf *b);
/* Frees the memory the buffer holds; it is then empty, with the same max. */
void buf_release(struct buf *b);

#endif
