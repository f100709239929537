/*
 * Moves by project id, in the supervisor before any worker starts: a
 * project whose id the last run mirrored at another folder (renamed or
 * moved project or group, another -n) has that folder renamed into its
 * new place inside DEST, local work and all, instead of a new clone.
 */
#ifndef GLM_SYNC_MOVE_H
#define GLM_SYNC_MOVE_H

#include <stddef.h>

#include "sync_worker.h"

/*
 * Moves every safe project of plan whose plan->state entry names another
 * folder, and records the old folder in plan->moved_from[i].  A project
 * whose new place is taken (and stays taken after the other moves) is
 * finished as skipped with the reason, nothing moved; one whose old folder
 * is gone is simply cloned.  Group folders the moves left empty are
 * removed.  Returns the number moved, or an error that stops the sync.
 */
int sync_move_run(struct sync_plan *plan, size_t *moved);

/*
 * Removes the folders above root_path ("/A/B/p": /A/B, then /A) that are
 * empty, deepest first, stopping at the first that is not.
 */
void sync_move_remove_empty_parents(int dest_fd, const char *root_path);

/*
 * Renames from (a root_path below from_dir_fd) to to (below to_dir_fd),
 * creating to's parent folders: 0 when moved, 1 when to exists, or an
 * error (GLM_ENOTFOUND when from is gone).
 */
int sync_move_path(int from_dir_fd, const char *from, int to_dir_fd, const char *to);

#endif
