/* Summary and --report file of a sync (sync_report.h). */
#include "sync_report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"

const char *sync_report_result_name(enum sync_result result)
{
	switch (result) {
	case SYNC_RES_CLONED:
		return "cloned";
	case SYNC_RES_UPDATED:
		return "updated";
	case SYNC_RES_UNCHANGED:
		return "unchanged";
	case SYNC_RES_SKIPPED:
		return "skipped";
	case SYNC_RES_FAILED:
		return "failed";
	case SYNC_RES_ORPHANED:
		return "orphaned";
	case SYNC_RES_PRUNED:
		return "pruned";
	default:
		return "skipped";
	}
}

const char *sync_report_action_name(enum sync_action action)
{
	switch (action) {
	case SYNC_ACT_CLONE:
		return "clone";
	case SYNC_ACT_UPDATE:
		return "update";
	case SYNC_ACT_FETCH:
		return "fetch";
	case SYNC_ACT_PRUNE:
		return "prune";
	default:
		return "none";
	}
}

/* A slot never finished (the run was interrupted) reads as skipped. */
static enum sync_result sync_report_result(const struct sync_slot *slot)
{
	return slot->state == SYNC_SLOT_DONE ? (enum sync_result)slot->result : SYNC_RES_SKIPPED;
}

static const char *sync_report_reason(const struct sync_slot *slot)
{
	return slot->state == SYNC_SLOT_DONE ? slot->reason : "interrupted";
}

static int sync_report_is_disk_full(const struct sync_slot *slot)
{
	return slot->state == SYNC_SLOT_DONE && slot->result == SYNC_RES_SKIPPED &&
	       strcmp(slot->reason, SYNC_QUEUE_DISK_FULL) == 0;
}

void sync_report_count(const struct sync_plan *plan, struct sync_summary *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->total = plan->orphans_from;
	for (i = 0; i < plan->nprojects; i++) {
		enum sync_result r = sync_report_result(&plan->queue.slots[i]);

		if (i >= plan->orphans_from) {
			out->orphaned++;
			out->pruned += r == SYNC_RES_PRUNED;
			continue;
		}
		out->bytes += plan->queue.slots[i].bytes;
		switch (r) {
		case SYNC_RES_CLONED:
			out->cloned++;
			break;
		case SYNC_RES_UPDATED:
			out->updated++;
			break;
		case SYNC_RES_UNCHANGED:
			out->unchanged++;
			break;
		case SYNC_RES_FAILED:
			out->failed++;
			break;
		default:
			out->skipped++;
			out->disk_full += sync_report_is_disk_full(&plan->queue.slots[i]);
			break;
		}
	}
}

/* ", 2 moved, 3 orphaned, 1 pruned": the parts that are not 0. */
static void sync_report_lifecycle(const struct sync_summary *sum, char *buf, size_t size)
{
	const size_t n[] = { sum->moved, sum->orphaned, sum->pruned };
	const char *what[] = { "moved", "orphaned", "pruned" };
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < 3 && len < size; i++)
		if (n[i] > 0)
			len += (size_t)snprintf(buf + len, size - len, ", %zu %s", n[i], what[i]);
}

void sync_report_log(const struct sync_plan *plan, const struct sync_summary *sum, double seconds)
{
	char path[512], reason[SYNC_REASON_MAX + 64], more[96];
	size_t i;

	sync_report_lifecycle(sum, more, sizeof(more));
	log_info("synced %zu projects in %.1f s: %zu cloned, %zu updated, %zu unchanged, "
		 "%zu skipped, %zu failed%s",
		 sum->total, seconds, sum->cloned, sum->updated, sum->unchanged, sum->skipped,
		 sum->failed, more);
	if (sum->throttled > 0)
		log_info("GitLab answered 429 (Too Many Requests) to %llu git or Git LFS requests; "
			 "every sync worker paused",
			 (unsigned long long)sum->throttled);
	for (i = 0; i < plan->nprojects; i++) {
		const struct sync_slot *slot = &plan->queue.slots[i];
		enum sync_result r = sync_report_result(slot);

		/*
		 * A full disk is said once below; an update is named only when it
		 * followed upstream past a fast-forward (it has a reason).
		 */
		if (r == SYNC_RES_CLONED || r == SYNC_RES_UNCHANGED ||
		    (r == SYNC_RES_UPDATED && slot->reason[0] == '\0') ||
		    sync_report_is_disk_full(slot))
			continue;
		log_esc(plan->projects[i]->root_path, path, sizeof(path));
		log_esc(sync_report_reason(slot), reason, sizeof(reason));
		if (r == SYNC_RES_FAILED)
			log_error("failed: %s: %s", path, reason);
		else if (r == SYNC_RES_UPDATED)
			log_info("updated: %s: %s", path, reason);
		else if (r == SYNC_RES_PRUNED)
			log_info("pruned: %s: %s", path, reason);
		else if (i >= plan->orphans_from)
			log_warn("orphaned: %s: %s", path, reason);
		else
			log_warn("skipped: %s: %s", path, reason);
	}
	if (sum->disk_full > 0)
		log_error("the disk under the destination is full (no space left on device): no "
			  "clone or fetch was started after that, %zu projects were skipped with "
			  "reason 'disk full'; free some space and run again",
			  sum->disk_full);
}

static int sync_report_line(FILE *f, const struct sync_plan *plan, size_t i)
{
	const struct sync_slot *slot = &plan->queue.slots[i];
	const struct node *p = plan->projects[i];
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	int err = 0;

	if (o == NULL || !cJSON_AddStringToObject(o, "path", p->root_path) ||
	    !cJSON_AddStringToObject(o, "full_path", p->full_path ? p->full_path : "") ||
	    !cJSON_AddNumberToObject(o, "id", (double)p->id) ||
	    !cJSON_AddStringToObject(o, "action",
				     sync_report_action_name((enum sync_action)slot->action)) ||
	    !cJSON_AddStringToObject(o, "result",
				     sync_report_result_name(sync_report_result(slot))) ||
	    !cJSON_AddStringToObject(o, "reason", sync_report_reason(slot)) ||
	    !cJSON_AddNumberToObject(o, "duration_ms", (double)slot->duration_ms) ||
	    !cJSON_AddNumberToObject(o, "bytes", (double)slot->bytes) ||
	    (plan->moved_from != NULL && plan->moved_from[i] != NULL &&
	     !cJSON_AddStringToObject(o, "moved_from", plan->moved_from[i])) ||
	    !cJSON_AddNumberToObject(o, "lfs_objects", (double)slot->lfs_objects) ||
	    !cJSON_AddNumberToObject(o, "lfs_bytes", (double)slot->lfs_bytes) ||
	    /* -o --depth: the checkout is (or would have been made) shallow */
	    (plan->gitopts.depth > 0 &&
	     !cJSON_AddNumberToObject(o, "depth", (double)plan->gitopts.depth)) ||
	    (text = cJSON_PrintUnformatted(o)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory");
	} else {
		log_redact(text);
		if (fprintf(f, "%s\n", text) < 0)
			err = glm_error_errno(GLM_EIO, errno, "write");
	}
	cJSON_free(text);
	cJSON_Delete(o);
	return err;
}

int sync_report_write(const struct sync_plan *plan, const char *path)
{
	size_t len = strlen(path) + 32, i;
	char *tmp = malloc(len);
	FILE *f = NULL;
	int fd = -1, err = 0;

	if (tmp == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		err = glm_error_errno(GLM_EIO, errno, "cannot write report %s", path);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	for (i = 0; i < plan->nprojects && err == 0; i++)
		err = sync_report_line(f, plan, i);
	if (err == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		err = glm_error_errno(GLM_EIO, errno, "cannot write report %s", path);
	if (fclose(f) != 0 && err == 0)
		err = glm_error_errno(GLM_EIO, errno, "cannot write report %s", path);
	if (err == 0 && rename(tmp, path) < 0)
		err = glm_error_errno(GLM_EIO, errno, "cannot write report %s", path);
	if (err < 0) {
		unlink(tmp);
		glm_error_prefix("report");
	}
out:
	free(tmp);
	return err;
}
