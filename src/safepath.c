/*
 * Safe paths: the checks every folder name from the network passes, the
 * clash check between siblings, and a component-by-component openat() walk
 * that never follows a symlink.
 */
#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "utf8.h"

int safepath_check_component(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	char esc[96];
	const unsigned char *end;
	size_t len;
	uint32_t cp;

	if (name == NULL || name[0] == '\0')
		return glm_error_set(GLM_EUNSAFE, "empty folder name");
	end = s + strlen(name);
	log_esc(name, esc, sizeof(esc));
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return glm_error_set(GLM_EUNSAFE, "folder name '%s' is not allowed", esc);
	if (strcasecmp(name, ".git") == 0)
		return glm_error_set(GLM_EUNSAFE, "folder name '%s' would be taken for git's own",
				     esc);
	if (strlen(name) > SAFEPATH_MAX_COMPONENT)
		return glm_error_set(GLM_EUNSAFE, "folder name '%s' is longer than %d bytes", esc,
				     SAFEPATH_MAX_COMPONENT);
	for (; *s != '\0'; s += len) {
		if (*s == '/')
			return glm_error_set(GLM_EUNSAFE, "folder name '%s' contains '/'", esc);
		if ((len = utf8_decode(s, end, &cp)) == 0)
			return glm_error_set(GLM_EUNSAFE, "folder name '%s' is not valid UTF-8",
					     esc);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return glm_error_set(GLM_EUNSAFE,
					     "folder name '%s' contains a control character", esc);
	}
	return 0;
}

static size_t safepath_count_projects(const struct node *node)
{
	return tree_count(node, NODE_PROJECT) - (node->type == NODE_PROJECT);
}

static void safepath_mark(struct node *node, const char *reason, safepath_report_fn report,
			  void *ctx)
{
	size_t below = safepath_count_projects(node);
	char full[GLM_ERROR_MAX + 64];

	node->unsafe = 1;
	if (below > 0)
		snprintf(full, sizeof(full), "%s (%zu project%s below it skipped too)", reason,
			 below, below == 1 ? "" : "s");
	else
		snprintf(full, sizeof(full), "%s", reason);
	/* Out of memory only loses the wording: safepath_reason() has a fallback. */
	(void)node_set(&node->unsafe_reason, full);
	if (report != NULL)
		report(node, full, ctx);
}

static size_t safepath_check_node(struct node *node, safepath_report_fn report, void *ctx)
{
	const struct node *kept = NULL;
	size_t i, marked = 0;

	for (i = 0; i < node->nchildren; i++) {
		struct node *child = node->children[i];
		char why[GLM_ERROR_MAX], esc[256];

		if (safepath_check_component(child->folder) < 0) {
			safepath_mark(child, glm_error_msg(), report, ctx);
			marked++;
		} else if (strncmp(child->folder, SAFEPATH_RESERVED, strlen(SAFEPATH_RESERVED)) ==
			   0) {
			snprintf(why, sizeof(why), "folder name '%s' is reserved for glmirror",
				 log_esc(child->folder, esc, sizeof(esc)));
			safepath_mark(child, why, report, ctx);
			marked++;
		} else if (child->root_path == NULL ||
			   strlen(child->root_path) > SAFEPATH_MAX_PATH) {
			snprintf(why, sizeof(why), "its path is longer than %d bytes",
				 SAFEPATH_MAX_PATH);
			safepath_mark(child, why, report, ctx);
			marked++;
		} else if (kept != NULL && strcmp(kept->folder, child->folder) == 0) {
			snprintf(why, sizeof(why),
				 "folder '%s' is already taken by %s %s (id %lld)",
				 log_esc(child->root_path, esc, sizeof(esc)),
				 node_type_name(kept->type), kept->full_path ? kept->full_path : "",
				 kept->id);
			safepath_mark(child, why, report, ctx);
			marked++;
		} else {
			kept = child;
			marked += safepath_check_node(child, report, ctx);
		}
	}
	return marked;
}

size_t safepath_check_tree(struct node *root, safepath_report_fn report, void *ctx)
{
	return safepath_check_node(root, report, ctx);
}

const char *safepath_reason(const struct node *node, char *buf, size_t size)
{
	const struct node *marked = node;
	const char *why;
	char esc[256];

	while (marked != NULL && !marked->unsafe)
		marked = marked->parent;
	if (marked == NULL)
		return NULL;
	why = marked->unsafe_reason ? marked->unsafe_reason : "its folder is not safe to create";
	if (marked == node)
		snprintf(buf, size, "%s", why);
	else
		snprintf(buf, size, "%s %s is skipped: %s", node_type_name(marked->type),
			 log_esc(marked->full_path ? marked->full_path : "", esc, sizeof(esc)),
			 why);
	return buf;
}

/* Why openat() of a component failed: a symlink, not a folder, or errno. */
static int safepath_open_error(int dir_fd, const char *comp, const char *root_path, int errnum)
{
	struct stat st;

	if (fstatat(dir_fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return glm_error_set(GLM_EUNSAFE, "'%s': a symlink is in the way at '%s'",
					     root_path, comp);
		if (!S_ISDIR(st.st_mode))
			return glm_error_set(GLM_EIO, "'%s': '%s' is in the way and not a folder",
					     root_path, comp);
	}
	return glm_error_errno(GLM_EIO, errnum, "'%s': cannot open '%s'", root_path, comp);
}

int safepath_open_dir(int dest_fd, const char *root_path, int create, int *out_fd)
{
	char comp[SAFEPATH_MAX_COMPONENT + 1];
	const char *p = root_path, *slash;
	int fd, next, err;

	*out_fd = -1;
	if (strlen(root_path) > SAFEPATH_MAX_PATH)
		return glm_error_set(GLM_EUNSAFE, "path is longer than %d bytes",
				     SAFEPATH_MAX_PATH);
	fd = openat(dest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return glm_error_errno(GLM_EIO, errno, "cannot open the destination folder");
	while (*p == '/')
		p++;
	while (*p != '\0') {
		size_t len;

		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len > SAFEPATH_MAX_COMPONENT) {
			err = glm_error_set(GLM_EUNSAFE,
					    "'%s': a component is longer than %d bytes", root_path,
					    SAFEPATH_MAX_COMPONENT);
			goto fail;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if ((err = safepath_check_component(comp)) < 0) {
			glm_error_prefix("'%s'", root_path);
			goto fail;
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				err = glm_error_errno(GLM_EIO, errno, "'%s': cannot create '%s'",
						      root_path, comp);
				goto fail;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			err = errno == ENOENT ? glm_error_set(GLM_ENOTFOUND, "'%s': no folder '%s'",
							      root_path, comp)
					      : safepath_open_error(fd, comp, root_path, errno);
			goto fail;
		}
		close(fd);
		fd = next;
		p += len;
		while (*p == '/')
			p++;
	}
	*out_fd = fd;
	return 0;
fail:
	close(fd);
	return err;
}
