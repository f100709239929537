/*
 * --metrics FILE: one run's numbers in the Prometheus text exposition
 * format, for node_exporter's textfile collector.  Written atomically at
 * the end of every run, also a failed or interrupted one.
 *
 * The last successful run's time survives across runs: it is read back
 * from the previous file (glmirror_last_success_timestamp_seconds), since
 * the file is the only thing glmirror keeps outside DEST.
 */
#ifndef GLM_METRICS_H
#define GLM_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "crawl.h"
#include "sync.h"

struct metrics_run {
	double start, end; /* unix time, seconds */
	int exit_code;
	int crawled; /* crawl holds this run's crawl */
	struct crawl_result crawl;
	int synced; /* sync holds this run's sync */
	struct sync_summary sync;
	size_t groups, projects; /* in the tree (after filters); 0 without one */
};

/*
 * The value of glmirror_last_success_timestamp_seconds in the file at path;
 * 0 when the file, or the line, is missing or unreadable.
 */
double metrics_last_success(const char *path);

/* Writes m to f; last_success 0 leaves that metric out. */
int metrics_format(FILE *f, const struct metrics_run *m, double last_success);

/* Writes the file at path, carrying the last success over from the old one. */
int metrics_write(const char *path, const struct metrics_run *m);

#endif
