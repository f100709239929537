/*
 * What the sync mirrored, remembered between runs: for every project id
 * the folder (root_path) its repository sits in below DEST.  The file
 * DEST/.glmirror-state.json is read and rewritten under the DEST lock, so
 * shards that sync into one DEST one after the other share it: each run
 * rewrites the entries of its own projects and keeps all the others.
 *
 * Format: JSON lines, a header {"glmirror_state":1}, then one
 * {"id":42,"path":"/Group/project","full_path":"group/project"} per project.
 * It is written atomically (temporary file, fsync, rename).
 */
#ifndef GLM_SYNC_STATE_H
#define GLM_SYNC_STATE_H

#include <stddef.h>

#define SYNC_STATE_FILE ".glmirror-state.json"

struct sync_state_entry {
	long long id;
	char *root_path; /* owned */
	char *full_path; /* owned */
};

struct sync_state {
	struct sync_state_entry *entries; /* owned; sorted by id after sync_state_sort() */
	size_t n, cap;
};

/*
 * Reads SYNC_STATE_FILE in dest_fd into out (zeroed first).  A missing file
 * is an empty state; an unreadable or damaged one is reported as a warning
 * and read as empty, so a bad file costs clones, never the run.
 */
int sync_state_read(int dest_fd, struct sync_state *out);
/* Appends a copy of the entry.  GLM_ENOMEM. */
int sync_state_add(struct sync_state *s, long long id, const char *root_path,
		   const char *full_path);
/* Sorts by id (the last of equal ids wins in sync_state_find). */
void sync_state_sort(struct sync_state *s);
/* The entry of id in a sorted state, or NULL. */
const struct sync_state_entry *sync_state_find(const struct sync_state *s, long long id);
/* Writes s as SYNC_STATE_FILE in dest_fd, atomically. */
int sync_state_write(int dest_fd, const struct sync_state *s);
void sync_state_release(struct sync_state *s); /* accepts a zeroed state */

#endif
