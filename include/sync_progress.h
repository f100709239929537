/*
 * The sync's progress, drawn by the supervisor from the queue's counters:
 * one status line redrawn in place when stderr is a terminal (--progress
 * auto) or always; otherwise a plain log line every SYNC_PROGRESS_PLAIN_S.
 */
#ifndef GLM_SYNC_PROGRESS_H
#define GLM_SYNC_PROGRESS_H

#include <stdint.h>

#include "options.h"
#include "sync_queue.h"

#define SYNC_PROGRESS_PLAIN_S 10

struct sync_progress_line {
	int draw;	  /* a status line, redrawn in place */
	int64_t start_ns; /* CLOCK_MONOTONIC */
	int64_t last_plain_ns;
};

void sync_progress_init(struct sync_progress_line *pl, const struct options *opts);
/* How long the supervisor may wait before the next tick. */
int sync_progress_interval_ms(const struct sync_progress_line *pl);
void sync_progress_tick(struct sync_progress_line *pl, struct sync_queue *q);
void sync_progress_end(struct sync_progress_line *pl);
/* "12.3 MiB" */
void sync_progress_bytes(char *buf, size_t size, uint64_t bytes);

#endif
