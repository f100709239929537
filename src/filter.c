/* Stub until the filter module lands: keeps everything. */
#include "filter.h"

#include <stdlib.h>

#include "error.h"

struct filter {
	int unused;
};

int filter_new(struct filter **out, const struct options *opts)
{
	(void)opts;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : glm_error_set(GLM_ENOMEM, "out of memory");
}

int filter_apply(const struct filter *filter, struct node *root)
{
	(void)filter;
	(void)root;
	return 0;
}

void filter_free(struct filter *filter)
{
	free(filter);
}
