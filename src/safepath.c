/* Stub until the safe-path module lands: refuses everything. */
#include "safepath.h"

#include "error.h"

int safepath_check_component(const char *name)
{
	return glm_error_set(GLM_EUNSAFE, "%s: path checks are not built yet", name);
}

size_t safepath_check_tree(struct node *root, safepath_report_fn report, void *ctx)
{
	(void)root;
	(void)report;
	(void)ctx;
	return 0;
}

int safepath_open_dir(int dest_fd, const char *root_path, int create, int *out_fd)
{
	(void)dest_fd;
	(void)create;
	*out_fd = -1;
	return glm_error_set(GLM_EUNSAFE, "%s: path checks are not built yet", root_path);
}
