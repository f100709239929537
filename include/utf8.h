/* UTF-8 decoding for names from the network: strict (no overlongs, no surrogates). */
#ifndef GLM_UTF8_H
#define GLM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at s (before end) into *cp.  Returns its length in
 * bytes, or 0 when the bytes at s are not valid UTF-8 (*cp is then s[0]).
 */
size_t utf8_decode(const unsigned char *s, const unsigned char *end, uint32_t *cp);

#endif
