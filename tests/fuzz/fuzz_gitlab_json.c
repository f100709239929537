/*
 * libFuzzer target: GitLab's group, project and user JSON -> tree nodes
 * (gitlab_json.c), the parser every API answer of the crawl goes through.
 * The input is parsed as cJSON and each object (the value itself, or each
 * element of an array) is read as a group, a project and a user.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "gitlab_json.h"
#include "tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Success yields a node with a positive id and its required strings; failure yields none and a
 * message. */
static void fuzz_gitlab_json_check(int rc, struct node *node, int project)
{
	if (rc == 0) {
		if (node == NULL || node->id < 1 || node->name == NULL || node->path == NULL ||
		    node->full_path == NULL || (project && node->parent_id < 1) ||
		    (!project && node->parent_id == node->id))
			abort();
	} else if (node != NULL || glm_error_msg()[0] == '\0') {
		abort();
	}
	node_free(node);
	glm_error_clear();
}

static void fuzz_gitlab_json_one(const cJSON *item)
{
	struct node *node = NULL;
	char name[64];
	long long id = 0;
	int rc;

	rc = gitlab_json_group(item, &node);
	fuzz_gitlab_json_check(rc, node, 0);
	node = NULL;
	rc = gitlab_json_project(item, &node);
	fuzz_gitlab_json_check(rc, node, 1);
	rc = gitlab_json_user(item, &id, name, sizeof(name));
	if ((rc == 0 && (id < 1 || strlen(name) >= sizeof(name))) ||
	    (rc < 0 && glm_error_msg()[0] == '\0'))
		abort();
	glm_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *json = cJSON_ParseWithLength((const char *)data, size);
	const cJSON *item;

	if (json == NULL)
		return 0;
	if (cJSON_IsArray(json)) {
		cJSON_ArrayForEach(item, json)
		{
			fuzz_gitlab_json_one(item);
		}
	} else {
		fuzz_gitlab_json_one(json);
	}
	cJSON_Delete(json);
	return 0;
}
