/* sync_report: counts, and the --report file's JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "error.h"
#include "log.h"
#include "sync_report.h"

static struct node *project(long long id, const char *root_path, const char *full_path)
{
	struct node *n = node_new(NODE_PROJECT);

	assert_non_null(n);
	n->id = id;
	assert_int_equal(node_set(&n->root_path, root_path), 0);
	assert_int_equal(node_set(&n->full_path, full_path), 0);
	return n;
}

static void test_report_file(void **state)
{
	struct options opts;
	struct sync_plan plan;
	struct sync_summary sum;
	struct node *nodes[3];
	char path[] = "/tmp/glm-report-XXXXXX", line[1024];
	size_t i;
	uint64_t claim;
	FILE *f;
	int fd, n = 0;

	(void)state;
	log_add_secret("s3cr3t-token");
	memset(&opts, 0, sizeof(opts));
	memset(&plan, 0, sizeof(plan));
	plan.opts = &opts;
	nodes[0] = project(1, "/G/a \"quoted\"", "g/a");
	nodes[1] = project(2, "/G/b", "g/b");
	nodes[2] = project(3, "/G/c", "g/c");
	plan.projects = nodes;
	plan.nprojects = 3;
	plan.nsafe = plan.orphans_from = 3;
	assert_int_equal(sync_queue_create(&plan.queue, 3), 0);
	assert_int_equal(sync_queue_claim(&plan.queue, 1, &i, &claim), 0);
	sync_queue_set_action(&plan.queue, i, SYNC_ACT_CLONE);
	sync_queue_finish(&plan.queue, i, SYNC_RES_CLONED, NULL, 4096, 12);
	assert_int_equal(sync_queue_claim(&plan.queue, 1, &i, &claim), 0);
	sync_queue_set_action(&plan.queue, i, SYNC_ACT_UPDATE);
	sync_queue_finish(&plan.queue, i, SYNC_RES_FAILED, "fetch: auth s3cr3t-token", 0, 7);
	/* The third was never started (interrupted). */
	sync_report_count(&plan, &sum);
	assert_int_equal(sum.total, 3);
	assert_int_equal(sum.cloned, 1);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(sum.skipped, 1);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sync_report_write(&plan, path), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		cJSON *o = cJSON_Parse(line);

		assert_non_null(o);
		assert_null(strstr(line, "s3cr3t"));
		if (n == 0) {
			assert_string_equal(cJSON_GetObjectItem(o, "path")->valuestring,
					    "/G/a \"quoted\"");
			assert_string_equal(cJSON_GetObjectItem(o, "action")->valuestring, "clone");
			assert_string_equal(cJSON_GetObjectItem(o, "result")->valuestring,
					    "cloned");
			assert_int_equal(cJSON_GetObjectItem(o, "bytes")->valuedouble, 4096);
			assert_int_equal(cJSON_GetObjectItem(o, "duration_ms")->valuedouble, 12);
			assert_int_equal(cJSON_GetObjectItem(o, "id")->valuedouble, 1);
		} else if (n == 1) {
			assert_string_equal(cJSON_GetObjectItem(o, "result")->valuestring,
					    "failed");
			assert_non_null(strstr(cJSON_GetObjectItem(o, "reason")->valuestring,
					       "[REDACTED]"));
		} else {
			assert_string_equal(cJSON_GetObjectItem(o, "result")->valuestring,
					    "skipped");
			assert_string_equal(cJSON_GetObjectItem(o, "reason")->valuestring,
					    "interrupted");
		}
		cJSON_Delete(o);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 3);
	unlink(path);
	/* A report that cannot be written is an error that names it. */
	assert_int_equal(sync_report_write(&plan, "/nonexistent-dir/r.json"), GLM_EIO);
	assert_non_null(strstr(glm_error_msg(), "/nonexistent-dir/r.json"));
	sync_queue_release(&plan.queue);
	for (i = 0; i < 3; i++)
		node_free(nodes[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
