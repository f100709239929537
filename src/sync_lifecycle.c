/* The mirror over many runs, supervisor side (sync_lifecycle.h). */
#include "sync_lifecycle.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "grow.h"
#include "log.h"
#include "safepath.h"
#include "sync_move.h"
#include "sync_shard.h"
#include "sync_state.h"
#include "tree.h"

struct sync_lifecycle_ids {
	long long *ids; /* owned */
	size_t n, cap;
};

static int sync_lifecycle_cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int sync_lifecycle_has(const struct sync_lifecycle_ids *set, long long id)
{
	return bsearch(&id, set->ids, set->n, sizeof(*set->ids), sync_lifecycle_cmp_id) != NULL;
}

static int sync_lifecycle_add_id(struct sync_lifecycle_ids *set, long long id)
{
	long long *grown = grow_array(set->ids, &set->cap, set->n, sizeof(*grown), 256);

	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	set->ids = grown;
	set->ids[set->n++] = id;
	return 0;
}

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

static int sync_lifecycle_exists(int dest_fd, const char *root_path)
{
	int fd;

	if (safepath_open_dir(dest_fd, root_path, 0, &fd) < 0)
		return 0;
	close(fd);
	return 1;
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

int sync_lifecycle_record(const struct sync_plan *plan)
{
	struct sync_state next;
	struct sync_lifecycle_ids seen = { NULL, 0, 0 };
	size_t i;
	int err = 0;

	memset(&next, 0, sizeof(next));
	for (i = 0; i < plan->nsafe && err == 0; i++) {
		const struct node *p = plan->projects[i];
		const struct sync_state_entry *e;

		if (!sync_lifecycle_trackable(p) || (err = sync_lifecycle_add_id(&seen, p->id)) < 0)
			continue;
		if (sync_lifecycle_mirrored(plan, i))
			err = sync_state_add(&next, p->id, p->root_path, p->full_path);
		else if ((e = sync_state_find(&plan->state, p->id)) != NULL)
			err = sync_state_add(&next, e->id, e->root_path, e->full_path);
	}
	if (seen.n > 1)
		qsort(seen.ids, seen.n, sizeof(*seen.ids), sync_lifecycle_cmp_id);
	for (i = 0; i < plan->state.n && err == 0; i++) {
		const struct sync_state_entry *e = &plan->state.entries[i];

		if (!sync_lifecycle_has(&seen, e->id) &&
		    sync_lifecycle_exists(plan->dest_fd, e->root_path))
			err = sync_state_add(&next, e->id, e->root_path, e->full_path);
	}
	free(seen.ids);
	if (err == 0) {
		sync_state_sort(&next);
		err = sync_state_write(plan->dest_fd, &next);
	}
	sync_state_release(&next);
	return err;
}

static int sync_lifecycle_collect_id(struct node *node, void *ctx)
{
	if (node->type != NODE_PROJECT || !sync_lifecycle_trackable(node))
		return 0;
	return sync_lifecycle_add_id(ctx, node->id);
}

static int sync_lifecycle_orphan_node(struct sync_plan *plan, const struct sync_state_entry *e,
				      struct node **out)
{
	struct node *n = node_new(NODE_PROJECT);
	const char *leaf = strrchr(e->root_path, '/');
	int err;

	*out = n;
	if (n == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	n->id = e->id;
	if (node_set(&n->full_path, e->full_path) < 0 ||
	    node_set(&n->root_path, e->root_path) < 0 ||
	    node_set(&n->folder, leaf != NULL ? leaf + 1 : e->root_path) < 0) {
		node_free(n);
		*out = NULL;
		return glm_error_set(GLM_ENOMEM, "out of memory");
	}
	if ((err = node_add_child(plan->orphans, n)) < 0) {
		node_free(n);
		*out = NULL;
	}
	return err;
}

int sync_lifecycle_find_orphans(struct sync_plan *plan, struct node *root, struct node *unsafe)
{
	const struct options *opts = plan->opts;
	struct sync_lifecycle_ids tree = { NULL, 0, 0 };
	struct node **grown, *n;
	size_t i, cap = plan->nprojects;
	int err;

	plan->orphans_from = plan->nprojects;
	if ((plan->orphans = node_new(NODE_ROOT)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	if ((err = tree_walk(root, sync_lifecycle_collect_id, &tree)) < 0 ||
	    (unsafe != NULL && (err = tree_walk(unsafe, sync_lifecycle_collect_id, &tree)) < 0))
		goto out;
	if (tree.n > 1)
		qsort(tree.ids, tree.n, sizeof(*tree.ids), sync_lifecycle_cmp_id);
	for (i = 0; i < plan->state.n; i++) {
		const struct sync_state_entry *e = &plan->state.entries[i];

		if (sync_lifecycle_has(&tree, e->id) ||
		    !sync_shard_mine(e->full_path, opts->shard_k, opts->shard_n) ||
		    !sync_lifecycle_exists(plan->dest_fd, e->root_path))
			continue;
		grown = grow_array(plan->projects, &cap, plan->nprojects, sizeof(*grown), 64);
		if (grown == NULL) {
			err = glm_error_set(GLM_ENOMEM, "out of memory");
			goto out;
		}
		plan->projects = grown;
		if ((err = sync_lifecycle_orphan_node(plan, e, &n)) < 0)
			goto out;
		plan->projects[plan->nprojects++] = n;
	}
out:
	free(tree.ids);
	return err;
}

void sync_lifecycle_keep_orphans(struct sync_plan *plan, const char *reason)
{
	for (size_t i = plan->orphans_from; i < plan->nprojects; i++)
		sync_queue_finish(&plan->queue, i, SYNC_RES_ORPHANED, reason, 0, 0);
}

int sync_lifecycle_guard(const struct sync_plan *plan, int complete, char *buf, size_t size)
{
	const struct options *opts = plan->opts;
	size_t orphans = plan->nprojects - plan->orphans_from, mirrored = 0, i;

	if (orphans == 0)
		return 0;
	if (!complete) {
		snprintf(buf, size,
			 "not pruning: the crawl was incomplete (see the errors above), so a "
			 "project "
			 "missing from the tree may still exist; nothing was changed. Run again "
			 "when "
			 "the crawl completes, or without --prune");
		return 1;
	}
	for (i = 0; i < plan->state.n; i++)
		mirrored += sync_shard_mine(plan->state.entries[i].full_path, opts->shard_k,
					    opts->shard_n);
	if (orphans * 100 <= (size_t)opts->prune_max * mirrored)
		return 0;
	snprintf(
		buf, size,
		"not pruning: %zu of the %zu projects mirrored here (%zu%%) would go to the trash, "
		"more than --prune-max %d%%; nothing was changed. If they really are gone, run "
		"again with --prune-max %zu",
		orphans, mirrored, orphans * 100 / (mirrored ? mirrored : 1), opts->prune_max,
		(orphans * 100 + mirrored - 1) / (mirrored ? mirrored : 1));
	return 1;
}

void sync_lifecycle_stop(struct sync_plan *plan)
{
	for (size_t i = 0; i < plan->orphans_from; i++)
		if (plan->queue.slots[i].state == SYNC_SLOT_PENDING)
			sync_queue_finish(&plan->queue, i, SYNC_RES_SKIPPED,
					  "not synced: the shrink guard of --prune stopped the run",
					  0, 0);
	sync_lifecycle_keep_orphans(plan, "not pruned: the shrink guard of --prune "
					  "stopped the run");
}

void sync_lifecycle_tidy(const struct sync_plan *plan)
{
	for (size_t i = plan->orphans_from; i < plan->nprojects; i++)
		if (plan->queue.slots[i].state == SYNC_SLOT_DONE &&
		    plan->queue.slots[i].result == SYNC_RES_PRUNED)
			sync_move_remove_empty_parents(plan->dest_fd, plan->projects[i]->root_path);
}
