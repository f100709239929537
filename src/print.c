/* Stub until the print module lands. */
#include "print.h"

#include "error.h"

int print_tree(FILE *out, const struct node *root, const char *base_url, const struct options *opts)
{
	(void)out;
	(void)root;
	(void)base_url;
	(void)opts;
	return glm_error_set(GLM_ERR, "printing is not built yet");
}
