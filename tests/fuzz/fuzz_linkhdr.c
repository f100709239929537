/* libFuzzer target: the Link header parser and the origin check behind it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "linkhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_linkhdr_one(const char *value, const char *base)
{
	char *next = NULL;
	int rc = linkhdr_next(value, base, "/groups/1/projects?page=1", &next);

	/* Success yields nothing or an API path; failure yields nothing and a message. */
	if (rc == 0 && next != NULL && next[0] != '/')
		abort();
	if (rc < 0 && (next != NULL || glm_error_msg()[0] == '\0'))
		abort();
	free(next);
	glm_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = malloc(size + 1);

	if (value == NULL)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	fuzz_linkhdr_one(value, "https://gitlab.example.com");
	fuzz_linkhdr_one(value, "http://127.0.0.1:8080/prefix");
	free(value);
	return 0;
}
