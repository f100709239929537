/* Growable arrays (grow.h). */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_array(void *items, size_t *cap, size_t n, size_t elem_size, size_t first_cap)
{
	size_t want;
	void *grown;

	if (n < *cap)
		return items;
	want = *cap ? *cap : first_cap / 2;
	if (want > SIZE_MAX / 2 / elem_size)
		return NULL;
	want *= 2;
	if ((grown = realloc(items, want * elem_size)) == NULL)
		return NULL;
	*cap = want;
	return grown;
}
