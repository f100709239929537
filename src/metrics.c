/*
 * Per-run counts are counters (_total) that start again at each run: a
 * restarted counter is what rate() and increase() expect, and the textfile
 * collector shows only the last run anyway.  Facts about the run itself
 * (times, exit code, the tree's size) are gauges.
 */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "error.h"

#define METRICS_LAST_SUCCESS "glmirror_last_success_timestamp_seconds"

double metrics_last_success(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	double v = 0;
	size_t n = strlen(METRICS_LAST_SUCCESS);

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *end;

		if (strncmp(line, METRICS_LAST_SUCCESS, n) != 0 || line[n] != ' ')
			continue;
		v = strtod(line + n + 1, &end);
		if (end == line + n + 1 || v < 0)
			v = 0;
		break;
	}
	fclose(f);
	return v;
}

static void metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metrics_one(FILE *f, const char *name, const char *type, const char *help, double value)
{
	metrics_family(f, name, type, help);
	fprintf(f, "%s %.17g\n", name, value);
}

static void metrics_projects(FILE *f, const struct sync_summary *s)
{
	const struct {
		const char *result;
		size_t n;
	} rows[] = {
		{ "cloned", s->cloned },       { "updated", s->updated },
		{ "unchanged", s->unchanged }, { "skipped", s->skipped },
		{ "failed", s->failed },       { "moved", s->moved },
		{ "orphaned", s->orphaned },   { "pruned", s->pruned },
	};
	size_t i;

	metrics_family(f, "glmirror_projects_total", "counter",
		       "Projects of the last run by result (moved, orphaned and pruned "
		       "folders counted apart).");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fprintf(f, "glmirror_projects_total{result=\"%s\"} %zu\n", rows[i].result,
			rows[i].n);
}

static void metrics_api_requests(FILE *f, const struct crawl_result *c)
{
	static const char *const classes[SHM_ANSWER_CLASSES] = {
		[SHM_ANSWER_2XX] = "2xx", [SHM_ANSWER_3XX] = "3xx",    [SHM_ANSWER_4XX] = "4xx",
		[SHM_ANSWER_5XX] = "5xx", [SHM_ANSWER_NONE] = "error",
	};

	metrics_family(f, "glmirror_api_requests_total", "counter",
		       "API requests of the last run's crawl, retries included, by the status "
		       "class of the answer (error: no answer, the connection failed).");
	for (int i = 0; i < SHM_ANSWER_CLASSES; i++)
		fprintf(f, "glmirror_api_requests_total{class=\"%s\"} %" PRIu64 "\n", classes[i],
			c->answers[i]);
}

int metrics_format(FILE *f, const struct metrics_run *m, double last_success)
{
	metrics_one(f, "glmirror_run_start_timestamp_seconds", "gauge",
		    "Start of the last run, unix time.", m->start);
	metrics_one(f, "glmirror_run_end_timestamp_seconds", "gauge",
		    "End of the last run, unix time.", m->end);
	metrics_one(f, "glmirror_run_duration_seconds", "gauge", "Duration of the last run.",
		    m->end - m->start);
	metrics_one(f, "glmirror_run_exit_code", "gauge",
		    "Exit code of the last run (0 ok, 1 partial, 2 usage, 3 auth, 4 bug, "
		    "130 interrupted).",
		    m->exit_code);
	if (last_success > 0)
		metrics_one(f, METRICS_LAST_SUCCESS, "gauge",
			    "End of the last run that exited 0, unix time.", last_success);
	metrics_one(f, "glmirror_tree_groups", "gauge",
		    "Groups and subgroups in the last run's tree.", (double)m->groups);
	metrics_one(f, "glmirror_tree_projects", "gauge", "Projects in the last run's tree.",
		    (double)m->projects);
	if (m->crawled) {
		metrics_api_requests(f, &m->crawl);
		metrics_one(f, "glmirror_api_throttled_total", "counter",
			    "API answers 429 (Too Many Requests) in the last run's crawl.",
			    (double)m->crawl.throttled);
		metrics_one(f, "glmirror_api_retries_total", "counter",
			    "API requests of the last run's crawl sent again after a failed or "
			    "throttled try.",
			    (double)m->crawl.retries);
	}
	if (m->synced) {
		metrics_projects(f, &m->sync);
		metrics_one(f, "glmirror_received_bytes_total", "counter",
			    "Bytes received by the last run's clones and fetches.",
			    (double)m->sync.bytes);
		metrics_one(
			f, "glmirror_sync_throttled_total", "counter",
			"Git and Git LFS answers 429 (Too Many Requests) in the last run's sync.",
			(double)m->sync.throttled);
		metrics_one(f, "glmirror_sync_retries_total", "counter",
			    "Clones, fetches and Git LFS requests of the last run sent again after "
			    "a failed or throttled try.",
			    (double)m->sync.retries);
	}
	if (m->crawled || m->synced)
		metrics_one(f, "glmirror_ratelimit_wait_seconds_total", "counter",
			    "Time the last run's workers waited for the rate limit (its pace and "
			    "the pauses after 429s), every worker's wait added up.",
			    (m->crawled ? m->crawl.ratelimit_wait_s : 0) +
				    (m->synced ? m->sync.ratelimit_wait_s : 0));
	if (ferror(f))
		return glm_error_errno(GLM_EIO, errno, "write");
	return 0;
}

struct metrics_out {
	const struct metrics_run *m;
	double last_success;
};

static int metrics_fill(FILE *f, void *ctx)
{
	const struct metrics_out *o = ctx;

	return metrics_format(f, o->m, o->last_success);
}

int metrics_write(const char *path, const struct metrics_run *m)
{
	struct metrics_out o = { m, m->exit_code == 0 ? m->end : metrics_last_success(path) };

	return atomicfile_write(path, "metrics file", metrics_fill, &o);
}
