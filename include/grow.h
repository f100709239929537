/*
 * Growable arrays: room for one more element, doubling the allocation when
 * it is full, as every list built while parsing or crawling needs.
 */
#ifndef GLM_GROW_H
#define GLM_GROW_H

#include <stddef.h>

/*
 * The array items (n elements of elem_size in room for *cap) with room for
 * element n: items itself while n < *cap, else items reallocated to twice
 * *cap (first_cap the first time) with *cap updated.  NULL when out of
 * memory or the size would overflow; items is then unchanged and still the
 * caller's.
 */
void *grow_array(void *items, size_t *cap, size_t n, size_t elem_size, size_t first_cap);

#endif
