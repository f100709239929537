/*
 * GitLab JSON -> struct node (gitlab_json.h).  Field names follow GitLab's
 * documented shapes; what glmirror does not use is ignored.
 */
#include "gitlab_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define GITLAB_JSON_MAX_ID 9007199254740992.0 /* 2^53: exact in a double */

/* A whole number from 1 to 2^53 (allow_null: null or absent gives 0). */
static int gitlab_json_id(const cJSON *obj, const char *key, int allow_null, long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = 0;
	if (allow_null && (v == NULL || cJSON_IsNull(v)))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > GITLAB_JSON_MAX_ID ||
	    floor(v->valuedouble) != v->valuedouble)
		return glm_error_set(GLM_EPARSE, "'%s' is not a whole number from 1 to 2^53", key);
	*out = (long long)v->valuedouble;
	return 0;
}

/* A string (required: present and non-empty) into *field. */
static int gitlab_json_str(const cJSON *obj, const char *key, int required, char **field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			return glm_error_set(GLM_EPARSE, "'%s' is missing", key);
		return 0;
	}
	if (!cJSON_IsString(v) || (required && v->valuestring[0] == '\0'))
		return glm_error_set(GLM_EPARSE, "'%s' is not a %sstring", key,
				     required ? "non-empty " : "");
	/* GitLab allows none; http.c turned an escaped NUL into \x01 for this check. */
	for (const unsigned char *c = (const unsigned char *)v->valuestring; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return glm_error_set(GLM_EPARSE, "'%s' contains a NUL or control character",
					     key);
	return node_set(field, v->valuestring);
}

static int gitlab_json_bool(const cJSON *obj, const char *key, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return glm_error_set(GLM_EPARSE, "'%s' is not true or false", key);
	*out = cJSON_IsTrue(v);
	return 0;
}

/* "item 3 (id 42): " in front of the message, so the reader knows which. */
static int gitlab_json_fail(const cJSON *item, struct node *node)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");

	node_free(node);
	if (cJSON_IsNumber(id))
		return glm_error_prefix("item with id %.0f", id->valuedouble);
	return glm_error_prefix("item without a usable id");
}

int gitlab_json_group(const cJSON *item, struct node **out)
{
	struct node *g;

	*out = NULL;
	if (!cJSON_IsObject(item))
		return glm_error_set(GLM_EPARSE, "a group is not a JSON object");
	if ((g = node_new(NODE_GROUP)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	if (gitlab_json_id(item, "id", 0, &g->id) < 0 ||
	    gitlab_json_id(item, "parent_id", 1, &g->parent_id) < 0 ||
	    gitlab_json_str(item, "name", 1, &g->name) < 0 ||
	    gitlab_json_str(item, "path", 1, &g->path) < 0 ||
	    gitlab_json_str(item, "full_path", 1, &g->full_path) < 0 ||
	    gitlab_json_str(item, "web_url", 0, &g->web_url) < 0)
		return gitlab_json_fail(item, g);
	if (g->parent_id == g->id) {
		glm_error_set(GLM_EPARSE, "the group is its own parent");
		return gitlab_json_fail(item, g);
	}
	*out = g;
	return 0;
}

/* A string field that is there and not null. */
static int gitlab_json_has(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/*
 * Whether the token may read the code.  GitLab leaves default_branch out
 * (not null: that is an empty repository) without read_code
 * (lib/api/entities/basic_project_details.rb), e.g. for a Guest on a
 * private project, and says "disabled" for a project without a repository.
 */
static int gitlab_json_no_code(const cJSON *item)
{
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(item, "repository_access_level");

	return cJSON_GetObjectItemCaseSensitive(item, "default_branch") == NULL ||
	       (cJSON_IsString(level) && strcmp(level->valuestring, "disabled") == 0);
}

int gitlab_json_project(const cJSON *item, struct node **out)
{
	const cJSON *ns;
	struct node *p;

	*out = NULL;
	if (!cJSON_IsObject(item))
		return glm_error_set(GLM_EPARSE, "a project is not a JSON object");
	if ((p = node_new(NODE_PROJECT)) == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	ns = cJSON_GetObjectItemCaseSensitive(item, "namespace");
	if (gitlab_json_id(item, "id", 0, &p->id) < 0 ||
	    gitlab_json_str(item, "name", 1, &p->name) < 0 ||
	    gitlab_json_str(item, "path", 1, &p->path) < 0 ||
	    gitlab_json_str(item, "path_with_namespace", 1, &p->full_path) < 0 ||
	    gitlab_json_str(item, "web_url", 0, &p->web_url) < 0 ||
	    gitlab_json_str(item, "http_url_to_repo", 0, &p->http_url) < 0 ||
	    gitlab_json_str(item, "ssh_url_to_repo", 0, &p->ssh_url) < 0 ||
	    gitlab_json_str(item, "default_branch", 0, &p->default_branch) < 0 ||
	    gitlab_json_str(item, "last_activity_at", 0, &p->last_activity_at) < 0 ||
	    gitlab_json_bool(item, "archived", &p->archived) < 0 ||
	    gitlab_json_bool(item, "empty_repo", &p->empty_repo) < 0)
		return gitlab_json_fail(item, p);
	if (!cJSON_IsObject(ns)) {
		glm_error_set(GLM_EPARSE, "'namespace' is not an object");
		return gitlab_json_fail(item, p);
	}
	if (gitlab_json_id(ns, "id", 0, &p->parent_id) < 0) {
		glm_error_prefix("namespace");
		return gitlab_json_fail(item, p);
	}
	p->no_code = gitlab_json_no_code(item);
	/* Delayed deletion (GitLab Premium) renames and archives it first. */
	p->deletion_scheduled = gitlab_json_has(item, "marked_for_deletion_at") ||
				gitlab_json_has(item, "marked_for_deletion_on");
	*out = p;
	return 0;
}

int gitlab_json_user(const cJSON *item, long long *id, char *name, size_t size)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(item, "username");

	if (!cJSON_IsObject(item))
		return glm_error_set(GLM_EPARSE, "GET /user did not return a JSON object");
	if (gitlab_json_id(item, "id", 0, id) < 0)
		return glm_error_prefix("GET /user did not return a user");
	if (!cJSON_IsString(u) || u->valuestring[0] == '\0' || strlen(u->valuestring) >= size)
		return glm_error_set(GLM_EPARSE, "GET /user: 'username' is not a usable string");
	snprintf(name, size, "%s", u->valuestring);
	return 0;
}
