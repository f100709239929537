/*
 * The end of a sync: the summary in the log (counts, then every skipped
 * and failed project with its reason, and every update that did more than
 * a fast-forward) and the --report file, one JSON
 * object per line and project, written atomically:
 *   {"path": "/Group/project", "full_path": "group/project", "id": 42,
 *    "action": "clone|update|fetch|none", "result": "cloned|updated|
 *    unchanged|skipped|failed", "reason": "...", "duration_ms": 812,
 *    "bytes": 10240}
 */
#ifndef GLM_SYNC_REPORT_H
#define GLM_SYNC_REPORT_H

#include "sync.h"
#include "sync_worker.h"

/* Counts the slots into out (pending slots count as skipped: "interrupted"). */
void sync_report_count(const struct sync_plan *plan, struct sync_summary *out);
void sync_report_log(const struct sync_plan *plan, const struct sync_summary *sum, double seconds);
int sync_report_write(const struct sync_plan *plan, const char *path);

const char *sync_report_result_name(enum sync_result result);
const char *sync_report_action_name(enum sync_action action);

#endif
