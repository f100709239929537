/* Stub until the sync engine lands. */
#include "sync.h"

#include "error.h"

int sync_run(const struct options *opts, struct node *root, const char *base_url,
	     struct sync_summary *out)
{
	(void)opts;
	(void)root;
	(void)base_url;
	(void)out;
	return glm_error_set(GLM_ERR, "syncing is not built yet");
}
