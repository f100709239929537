/* Moves by project id (sync_move.h). */
#include "sync_move.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "safepath.h"
#include "sync_state.h"

/* "/A/B/p" -> parent "/A/B" in buf and leaf "p" (points into root_path). */
static int sync_move_split(const char *root_path, char *buf, size_t size, const char **leaf)
{
	const char *slash = strrchr(root_path, '/');

	if (slash == NULL || slash[1] == '\0' || (size_t)(slash - root_path) >= size)
		return glm_error_set(GLM_EUNSAFE, "'%s' is not a folder path", root_path);
	memcpy(buf, root_path, (size_t)(slash - root_path));
	buf[slash - root_path] = '\0';
	*leaf = slash + 1;
	return 0;
}

int sync_move_path(int from_dir_fd, const char *from, int to_dir_fd, const char *to)
{
	char from_parent[SAFEPATH_MAX_PATH + 1], to_parent[SAFEPATH_MAX_PATH + 1];
	const char *from_leaf, *to_leaf;
	int from_fd = -1, to_fd = -1, err;
	struct stat st;

	if ((err = sync_move_split(from, from_parent, sizeof(from_parent), &from_leaf)) < 0 ||
	    (err = sync_move_split(to, to_parent, sizeof(to_parent), &to_leaf)) < 0 ||
	    (err = safepath_check_component(from_leaf)) < 0 ||
	    (err = safepath_check_component(to_leaf)) < 0 ||
	    (err = safepath_open_dir(from_dir_fd, from_parent, 0, &from_fd)) < 0)
		goto out;
	if (fstatat(from_fd, from_leaf, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
		err = glm_error_set(GLM_ENOTFOUND, "'%s' is gone", from);
		goto out;
	}
	err = safepath_open_dir(to_dir_fd, to_parent, 0, &to_fd);
	if (err == 0 && fstatat(to_fd, to_leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		err = 1;
		goto out;
	}
	if (err == GLM_ENOTFOUND)
		err = safepath_open_dir(to_dir_fd, to_parent, 1, &to_fd);
	if (err < 0)
		goto out;
	if (renameat2(from_fd, from_leaf, to_fd, to_leaf, RENAME_NOREPLACE) < 0)
		err = errno == EEXIST ? 1
				      : glm_error_errno(GLM_EIO, errno, "cannot move '%s' to '%s'",
							from, to);
out:
	if (from_fd >= 0)
		close(from_fd);
	if (to_fd >= 0)
		close(to_fd);
	return err;
}

void sync_move_remove_empty_parents(int dest_fd, const char *root_path)
{
	char parent[SAFEPATH_MAX_PATH + 1], grand[SAFEPATH_MAX_PATH + 1];
	const char *leaf;
	int fd;

	if (sync_move_split(root_path, parent, sizeof(parent), &leaf) < 0)
		return;
	/* Bounded by the path's depth: each turn drops one component. */
	while (parent[0] != '\0' && sync_move_split(parent, grand, sizeof(grand), &leaf) == 0) {
		if (safepath_open_dir(dest_fd, grand, 0, &fd) < 0)
			return;
		if (unlinkat(fd, leaf, AT_REMOVEDIR) < 0) {
			close(fd);
			return;
		}
		close(fd);
		log_verbose("removed the empty folder '%s'", parent);
		parent[leaf - 1 - parent] = '\0';
	}
}

/* One pass over the pending moves; returns how many were done. */
static int sync_move_pass(struct sync_plan *plan, const char **from, size_t *moved)
{
	char a[512], b[512];
	size_t i, done = 0;
	int rc;

	for (i = 0; i < plan->nsafe; i++) {
		const struct node *p = plan->projects[i];

		if (from[i] == NULL)
			continue;
		rc = sync_move_path(plan->dest_fd, from[i], plan->dest_fd, p->root_path);
		if (rc == 1)
			continue; /* taken: another move may still free it */
		if (rc == GLM_ENOTFOUND || rc == GLM_EUNSAFE) {
			log_verbose("%s: not moved from '%s': %s", p->full_path, from[i],
				    glm_error_msg());
		} else if (rc < 0) {
			return rc;
		} else {
			log_info("moved '%s' to '%s'", log_esc(from[i], a, sizeof(a)),
				 log_esc(p->root_path, b, sizeof(b)));
			plan->moved_from[i] = from[i];
			sync_move_remove_empty_parents(plan->dest_fd, from[i]);
			done++;
		}
		from[i] = NULL;
	}
	*moved += done;
	return (int)(done > 0);
}

int sync_move_run(struct sync_plan *plan, size_t *moved)
{
	const char **from = calloc(plan->nsafe + 1, sizeof(*from));
	char reason[SYNC_REASON_MAX];
	size_t i, pending = 0;
	int rc = 1;

	*moved = 0;
	if (from == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	for (i = 0; i < plan->nsafe; i++) {
		const struct node *p = plan->projects[i];
		const struct sync_state_entry *e =
			p->shared || p->id <= 0 ? NULL : sync_state_find(&plan->state, p->id);

		if (e != NULL && strcmp(e->root_path, p->root_path) != 0) {
			from[i] = e->root_path;
			pending++;
		}
	}
	/* A chain (A takes B's old folder, B moves on) needs one pass per link. */
	for (i = 0; i <= pending && rc > 0; i++)
		rc = sync_move_pass(plan, from, moved);
	if (rc < 0) {
		free(from);
		return rc;
	}
	for (i = 0; i < plan->nsafe; i++) {
		if (from[i] == NULL)
			continue;
		snprintf(reason, sizeof(reason), "cannot move it from '%s': '%s' is taken", from[i],
			 plan->projects[i]->root_path);
		sync_queue_finish(&plan->queue, i, SYNC_RES_SKIPPED, reason, 0, 0);
	}
	free(from);
	return 0;
}
