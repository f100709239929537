/* Stub until the tree-file module lands. */
#include "treefile.h"

#include "error.h"

int treefile_write(const char *path, const struct node *root, const char *base_url)
{
	(void)root;
	(void)base_url;
	return glm_error_set(GLM_ERR, "%s: writing tree files is not built yet", path);
}

int treefile_read(const char *path, struct node **out_root, char **out_base_url)
{
	*out_root = NULL;
	*out_base_url = NULL;
	return glm_error_set(GLM_ERR, "%s: reading tree files is not built yet", path);
}
