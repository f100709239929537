/*
 * libFuzzer target: the pattern compiler and matcher.  The input is a
 * pattern, a newline, and a subject.  Besides not crashing, a match must
 * agree with the literal prefix, and a pattern without special characters
 * must match exactly itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *subject;
	struct pattern *p = NULL;
	const char *prefix;
	size_t plen;
	int m;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	subject = strchr(text, '\n');
	if (subject != NULL)
		*subject++ = '\0';
	else
		subject = text + strlen(text);
	if (pattern_compile(&p, text) < 0) {
		if (p != NULL || glm_error_code() != GLM_EUSAGE)
			abort();
		goto out;
	}
	m = pattern_match(p, subject);
	if (m < 0)
		goto out;
	prefix = pattern_literal_prefix(p);
	plen = strlen(prefix);
	if (m == 1 && plen > 0 && (strncmp(subject, prefix, plen) != 0 || subject[plen] != '/'))
		abort();
	if (strpbrk(text, "*?[{\\") == NULL && m != (strcmp(text, subject) == 0))
		abort();
	if (pattern_match(p, text) < 0)
		goto out;
out:
	pattern_free(p);
	glm_error_clear();
	free(text);
	return 0;
}
