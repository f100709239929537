/* Why GitLab refused a clone (sync_access.h). */
#include "sync_access.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "gitlab_json.h"
#include "http.h"
#include "log.h"

static struct http_client *sync_access_http; /* this worker's; owned */

static int sync_access_is_refusal(const char *msg)
{
	return strstr(msg, "403") != NULL || strstr(msg, "not allowed to download code") != NULL;
}

int sync_access_refused(const struct sync_plan *plan, const struct node *p, const char *msg)
{
	const struct options *opts = plan->opts;
	struct http_config cfg;
	struct http_page pg;
	cJSON *json = NULL;
	struct node *now = NULL;
	char path[64];
	int refused = 0;

	if (opts->token == NULL || p->id <= 0 || !sync_access_is_refusal(msg))
		return 0;
	if (sync_access_http == NULL) {
		http_config_from_options(&cfg, opts, plan->base_url);
		if (http_client_new(&sync_access_http, &cfg) < 0)
			return 0;
	}
	snprintf(path, sizeof(path), "/projects/%lld", p->id);
	if (http_get_json(sync_access_http, path, &json, &pg) == 0 &&
	    gitlab_json_project(json, &now) == 0)
		refused = now->no_code;
	else
		log_verbose("asking why git was refused: %s", glm_error_msg());
	node_free(now);
	cJSON_Delete(json);
	http_page_release(&pg);
	return refused;
}

void sync_access_shutdown(void)
{
	http_client_free(sync_access_http);
	sync_access_http = NULL;
}
