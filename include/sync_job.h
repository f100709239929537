/*
 * One project in the hands of a sync worker: what sync_clone.c and
 * sync_update.c need, and what they report back.
 */
#ifndef GLM_SYNC_JOB_H
#define GLM_SYNC_JOB_H

#include <git2.h>
#include <stdint.h>

#include "shm_layout.h"
#include "sync_url.h"
#include "sync_worker.h"

/* Refs a fetch moved other than forward, for the reason (sync_follow.c). */
struct sync_moved {
	size_t forced; /* branches whose new tip does not contain the old one */
	size_t tags;   /* tags that pointed elsewhere before */
	char forced_ref[64], tag[64];
};

struct sync_job {
	struct sync_plan *plan;	    /* borrowed */
	const struct node *project; /* borrowed */
	size_t slot;
	const char *url; /* clone URL from sync_url_for(): points to urlbuf */
	char urlbuf[SYNC_URL_MAX];
	int parent_fd;	      /* the folder that holds the checkout; owned */
	int die;	      /* test hook: SIGKILL in the middle of the transfer */
	int cred_tries;	      /* credential callback calls */
	int key_offered;      /* SSH key credentials given to libgit2 */
	uint64_t bytes;	      /* received so far, every transfer of the project */
	uint64_t received;    /* the current transfer's count */
	size_t tips;	      /* refs the fetch changed */
	git_repository *repo; /* borrowed while fetching, so update_tips can compare commits */
	struct sync_moved moved;
	uint64_t lfs_objects, lfs_bytes;   /* Git LFS objects downloaded (lfs_fetch.h) */
	char lfs_missing[SYNC_REASON_MAX]; /* "<oid> (<path>)" the server lacks; "" if none */
	enum sync_action action;
	enum sync_result result;
	char reason[SYNC_REASON_MAX];
};

/* Sets result and reason ("local changes", ...); returns 0. */
int sync_job_skip(struct sync_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds "; text" to the reason (or sets it) without changing the result. */
void sync_job_note(struct sync_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The SSH keys of every SSH connection, in the order they are offered:
 * --ssh-key, else ssh-agent (SSH_AUTH_SOCK), else the files ssh itself
 * would try.  The n-th (from 0), a file's path into path; NONE when no
 * n-th is left, and sync_remote_no_identity says why in a sentence.
 */
enum sync_remote_identity { SYNC_REMOTE_KEY_NONE, SYNC_REMOTE_KEY_FILE, SYNC_REMOTE_KEY_AGENT };
enum sync_remote_identity sync_remote_identity(const char *ssh_key, int n, char *path, size_t size);
const char *sync_remote_no_identity(const char *ssh_key, int n);

/* Fetch options with the callbacks: credentials, host checks, progress (sync_remote.c). */
void sync_remote_fetch_options(git_fetch_options *out, struct sync_job *job);
/*
 * Clears -o --depth from opts: submodules are cloned whole, as git clone
 * --depth does without --shallow-submodules, so the commit the superproject
 * records is there.
 */
void sync_remote_whole_history(git_fetch_options *opts);
/* The libgit2 error as a GLM_EGIT message, with the token redacted. */
int sync_remote_git_error(int rc, const char *what);

/* Clones into a temporary sibling folder, renames it into place (sync_clone.c). */
int sync_clone_run(struct sync_job *job);
/* Fetches and fast-forwards an existing checkout in dir_fd (sync_update.c). */
int sync_update_run(struct sync_job *job, int dir_fd);
/* git_remote_fetch(remote, fo), retried as sync_retry.h says; 0 or a GLM error. */
int sync_retry_fetch(struct sync_job *job, git_remote *remote, const git_fetch_options *fo);
/* --prune: moves the orphan to the trash unless it holds local work (sync_prune.c). */
int sync_prune_run(struct sync_job *job);
/* After a failed checkout of target: the files of HEAD again, nothing half-written (sync_undo.c).
 */
void sync_undo_checkout(struct sync_job *job, git_repository *repo, git_object *target);
/* Submodules, recursively, after a clone or update (-r). */
int sync_submodules_update(struct sync_job *job, git_repository *repo);

/* "/proc/self/fd/N[/name]": a path for libgit2 to an fd opened safely. */
void sync_job_fd_path(char *buf, size_t size, int fd, const char *name);

#endif
