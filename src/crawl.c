/* Stub until the crawl engine lands. */
#include "crawl.h"

#include "error.h"

int crawl_run(const struct options *opts, struct node **out_root, struct crawl_result *res)
{
	(void)opts;
	(void)res;
	*out_root = NULL;
	return glm_error_set(GLM_ERR, "crawling is not built yet");
}
