/*
 * GitLab's group and project JSON -> struct node.  The JSON is untrusted:
 * every field is type-checked, ids must be whole numbers from 1 to 2^53,
 * and an item that fails is refused with a message naming the field, so
 * one bad item never takes its page down with it.
 */
#ifndef GLM_GITLAB_JSON_H
#define GLM_GITLAB_JSON_H

#include <cjson/cJSON.h>

#include "tree.h"

/* A group (GET /groups, /groups/:id, /descendant_groups).  *out is the caller's. */
int gitlab_json_group(const cJSON *item, struct node **out);
/* A project; parent_id is its namespace's id.  *out is the caller's. */
int gitlab_json_project(const cJSON *item, struct node **out);
/* GET /user: the user's id and username (copied into name, at most size bytes). */
int gitlab_json_user(const cJSON *item, long long *id, char *name, size_t size);

#endif
