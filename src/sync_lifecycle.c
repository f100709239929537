/* The mirror over many runs, supervisor side (sync_lifecycle.h). */
#include "sync_lifecycle.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "safepath.h"
#include "sync_state.h"

/* Projects a moved or failed run cannot remember by id: no id (gitlabber's JSON), shared copies. */
static int sync_lifecycle_trackable(const struct node *p)
{
	return p->id > 0 && !p->shared;
}

/* A repository (checkout or bare mirror) is at root_path now. */
static int sync_lifecycle_is_repo(int dest_fd, const char *root_path)
{
	struct stat st;
	int fd, found;

	if (safepath_open_dir(dest_fd, root_path, 0, &fd) < 0)
		return 0;
	found = fstatat(fd, ".git", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		fstatat(fd, "HEAD", &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	return found;
}

static int sync_lifecycle_mirrored(const struct sync_plan *plan, size_t i)
{
	const struct sync_slot *slot = &plan->queue.slots[i];

	if (slot->state == SYNC_SLOT_DONE &&
	    (slot->result == SYNC_RES_CLONED || slot->result == SYNC_RES_UPDATED ||
	     slot->result == SYNC_RES_UNCHANGED))
		return 1;
	return sync_lifecycle_is_repo(plan->dest_fd, plan->projects[i]->root_path);
}

static int sync_lifecycle_cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int sync_lifecycle_record(const struct sync_plan *plan)
{
	struct sync_state next;
	long long *ids = malloc((plan->nsafe + 1) * sizeof(*ids));
	size_t i, nids = 0;
	int err = 0;

	memset(&next, 0, sizeof(next));
	if (ids == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	for (i = 0; i < plan->nsafe && err == 0; i++) {
		const struct node *p = plan->projects[i];
		const struct sync_state_entry *e;

		if (!sync_lifecycle_trackable(p))
			continue;
		ids[nids++] = p->id;
		if (sync_lifecycle_mirrored(plan, i))
			err = sync_state_add(&next, p->id, p->root_path, p->full_path);
		else if ((e = sync_state_find(&plan->state, p->id)) != NULL)
			err = sync_state_add(&next, e->id, e->root_path, e->full_path);
	}
	qsort(ids, nids, sizeof(*ids), sync_lifecycle_cmp_id);
	for (i = 0; i < plan->state.n && err == 0; i++) {
		const struct sync_state_entry *e = &plan->state.entries[i];

		if (bsearch(&e->id, ids, nids, sizeof(*ids), sync_lifecycle_cmp_id) == NULL)
			err = sync_state_add(&next, e->id, e->root_path, e->full_path);
	}
	free(ids);
	if (err == 0) {
		sync_state_sort(&next);
		err = sync_state_write(plan->dest_fd, &next);
	}
	sync_state_free(&next);
	return err;
}
