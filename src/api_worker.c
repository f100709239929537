/*
 * The API worker (api_worker.h).  One task is one GET: the answer's items
 * become nodes in this worker's journal, its pagination headers become more
 * tasks.  Pages 2..N are queued at once when page 1 says how many there
 * are, so every worker can fetch them in parallel; without totals (GitLab
 * omits them above 10,000 items) a window of pages ahead keeps the workers
 * busy, with a guard against pagination that never ends.
 */
#include "api_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gitlab_json.h"
#include "grow.h"
#include "http.h"
#include "crawl_journal.h"
#include "log.h"
#include "monoclock.h"
#include "ratelimit.h"
#include "signals.h"

#define API_PER_PAGE	 100
#define API_MAX_PAGES	 1000000 /* 100 million items in one listing: a server that lies */
#define API_USERNAME_MAX 256
#define API_ORDER	 "order_by=id&sort=asc"

struct api_task_run {
	const struct api_worker_plan *plan;
	struct http_client *http;
	struct crawl_journal_record rec;
	struct crawl_queue_task *next; /* follow-up tasks; owned */
	size_t nnext, capnext;
	struct crawl_queue_result res;
	int bad_items;
};

static int api_next(struct api_task_run *r, enum crawl_queue_kind kind, long long id,
		    long long page, long long chain, const char *ref)
{
	struct crawl_queue_task *grown =
		grow_array(r->next, &r->capnext, r->nnext, sizeof(*grown), 16);
	struct crawl_queue_task *t;

	if (grown == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	r->next = grown;
	t = &r->next[r->nnext++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->id = id;
	t->page = page;
	t->chain = chain;
	if (ref != NULL && snprintf(t->ref, sizeof(t->ref), "%s", ref) >= (int)sizeof(t->ref)) {
		r->nnext--;
		return glm_error_set(GLM_ELIMIT, "a next-page link longer than %d bytes",
				     CRAWL_QUEUE_REF_MAX - 1);
	}
	return 0;
}

/* Percent-encodes s (a group path or a search term) for a URL. */
static void api_escape(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0' && o + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

/*
 * --scope as GitLab's parameters (lib/api/groups.rb, GroupsFinder): for a
 * normal token GET /groups lists its groups with their ancestors and
 * descendants; all_available=true adds every public and internal one.
 * Project listings already hold every visible project, so only "member"
 * narrows them.
 */
static const char *api_scope_param(const struct options *opts, int groups)
{
	switch (opts->scope) {
	case SCOPE_ALL:
		return groups ? "&all_available=true" : "";
	case SCOPE_MEMBER:
		return "&min_access_level=10";
	default:
		return "";
	}
}

static const char *api_archived_param(const struct options *opts)
{
	switch (opts->archived) {
	case ARCHIVED_EXCLUDE:
		return "&archived=false";
	case ARCHIVED_ONLY:
		return "&archived=true";
	default:
		return "";
	}
}

/*
 * The API path of a task (page-numbered, or the link followed).  Every
 * listing is read in id order, so crawl_settle.c can tell whether its
 * pages, read at different moments, still fit together.
 */
static void api_task_path(const struct options *opts, const struct crawl_queue_task *t, char *out,
			  size_t size)
{
	char enc[CRAWL_QUEUE_REF_MAX * 3 + 1];
	const char *arch = api_archived_param(opts);
	const char *gscope = api_scope_param(opts, 1), *pscope = api_scope_param(opts, 0);
	long long page = t->page;

	if (t->page == 0) {
		snprintf(out, size, "%s", t->ref);
		return;
	}
	switch ((enum crawl_queue_kind)t->kind) {
	case CRAWL_QUEUE_PREFLIGHT:
		snprintf(out, size, "/user");
		break;
	case CRAWL_QUEUE_TOP:
		api_escape(t->ref, enc, sizeof(enc));
		if (t->ref[0])
			snprintf(out, size,
				 "/groups?search=%s%s&" API_ORDER "&per_page=%d&page=%lld", enc,
				 gscope, API_PER_PAGE, page);
		else
			snprintf(out, size, "/groups?" API_ORDER "%s&per_page=%d&page=%lld", gscope,
				 API_PER_PAGE, page);
		break;
	case CRAWL_QUEUE_GROUP:
		api_escape(t->ref, enc, sizeof(enc));
		snprintf(out, size, "/groups/%s?with_projects=false", enc);
		break;
	case CRAWL_QUEUE_DESCENDANTS:
		snprintf(out, size,
			 "/groups/%lld/descendant_groups?" API_ORDER "%s&per_page=%d&page=%lld",
			 (long long)t->id, gscope, API_PER_PAGE, page);
		break;
	case CRAWL_QUEUE_PROJECTS:
		snprintf(out, size,
			 "/groups/%lld/projects?include_subgroups=true&with_shared=false%s%s"
			 "&" API_ORDER "&per_page=%d&page=%lld",
			 (long long)t->id, arch, pscope, API_PER_PAGE, page);
		break;
	case CRAWL_QUEUE_SHARED:
		snprintf(out, size,
			 "/groups/%lld/projects/shared?" API_ORDER "%s%s&per_page=%d&page=%lld",
			 (long long)t->id, arch, pscope, API_PER_PAGE, page);
		break;
	case CRAWL_QUEUE_USER_PROJECTS:
		snprintf(out, size, "/users/%lld/projects?" API_ORDER "%s&per_page=%d&page=%lld",
			 (long long)t->id, arch, API_PER_PAGE, page);
		break;
	}
}

/* The listings of one group of the user's selection. */
static int api_seed_group(struct api_task_run *r, long long id)
{
	struct crawl_queue_task t[CRAWL_QUEUE_GROUP_TASKS];
	size_t i, n = crawl_queue_group_tasks(t, id, r->plan->opts->include_shared);
	int err = 0;

	for (i = 0; i < n && err == 0; i++)
		err = api_next(r, t[i].kind, id, 1, 0, NULL);
	return err;
}

/* GET /user answered: the token works; queue what the user asked for. */
static int api_preflight(struct api_task_run *r, const cJSON *json)
{
	const struct options *opts = r->plan->opts;
	char username[API_USERNAME_MAX], buf[API_USERNAME_MAX + 64];
	long long uid;
	struct node *g;
	size_t i;
	int err;

	if ((err = gitlab_json_user(json, &uid, username, sizeof(username))) < 0)
		return err;
	if (opts->user_projects) {
		/* gitlabber's layout: one synthetic group holding the personal projects. */
		if ((g = node_new(NODE_GROUP)) == NULL)
			return glm_error_set(GLM_ENOMEM, "out of memory");
		snprintf(buf, sizeof(buf), "%s-personal-projects", username);
		err = node_set(&g->name, buf);
		if (err == 0)
			err = node_set(&g->path, buf);
		if (err == 0)
			err = node_set(&g->full_path, buf);
		snprintf(buf, sizeof(buf), "%s/users/%s/projects", opts->url, username);
		if (err == 0)
			err = node_set(&g->web_url, buf);
		if (err == 0)
			err = crawl_journal_record_add(&r->rec, g, CRAWL_JOURNAL_TOP);
		node_free(g);
		return err < 0 ? err : api_next(r, CRAWL_QUEUE_USER_PROJECTS, uid, 1, 0, NULL);
	}
	if (opts->ngroups > 0) {
		for (i = 0; i < opts->ngroups; i++)
			if ((err = api_next(r, CRAWL_QUEUE_GROUP, 0, 1, 0, opts->groups[i])) < 0)
				return err;
		return 0;
	}
	return api_next(r, CRAWL_QUEUE_TOP, 0, 1, 0, opts->group_search ? opts->group_search : "");
}

/* Records one item of a listing; a bad item is reported and skipped. */
static int api_item(struct api_task_run *r, const struct crawl_queue_task *t, const cJSON *item,
		    const char *path)
{
	struct node *n = NULL;
	unsigned flags = 0;
	int err;

	if (t->kind == CRAWL_QUEUE_TOP || t->kind == CRAWL_QUEUE_GROUP ||
	    t->kind == CRAWL_QUEUE_DESCENDANTS)
		err = gitlab_json_group(item, &n);
	else
		err = gitlab_json_project(item, &n);
	if (err < 0) {
		log_error("GET %s: skipping an item: %s", path, glm_error_msg());
		r->bad_items++;
		return 0;
	}
	if (n->deletion_scheduled && !r->plan->opts->include_deletion_scheduled) {
		log_verbose("leaving out %s: GitLab will delete it", n->full_path);
		node_free(n);
		return 0;
	}
	if (t->kind == CRAWL_QUEUE_TOP || t->kind == CRAWL_QUEUE_GROUP) {
		/*
		 * --group may name a subgroup: it becomes a top of this tree.  A
		 * listing of groups (all, or a search) only proposes tops: the
		 * supervisor picks those whose parent it does not hold once the
		 * listing is complete (a search hit's descendants are hits too).
		 */
		flags = CRAWL_JOURNAL_TOP;
		if (t->kind == CRAWL_QUEUE_GROUP)
			err = api_seed_group(r, n->id);
	} else if (t->kind == CRAWL_QUEUE_DESCENDANTS && r->plan->opts->include_shared) {
		err = api_next(r, CRAWL_QUEUE_SHARED, n->id, 1, 0, NULL);
	} else if (t->kind == CRAWL_QUEUE_SHARED) {
		n->shared = 1;
		n->parent_id = t->id;
	} else if (t->kind == CRAWL_QUEUE_USER_PROJECTS) {
		n->parent_id = 0;
	}
	if (err == 0)
		err = crawl_journal_record_add(&r->rec, n, flags);
	if (n->type == NODE_PROJECT)
		r->res.projects++;
	else
		r->res.groups++;
	node_free(n);
	return err;
}

/*
 * A numbered listing without totals (X-Next-Page then only says that a
 * further page exists): page 1 queues pages 2..1+W and each page p with a
 * successor queues p+W, so W pages of the listing are always on their way
 * and the read ends at most W-1 empty pages past the last one.  W is the
 * number of API workers.  Pages carry chain = page - 1, so crawl_settle.c
 * orders them by page like the pages of a listing with totals.
 */
static int api_window(struct api_task_run *r, const struct crawl_queue_task *t)
{
	long long w = r->plan->opts->api_concurrency > 1 ? r->plan->opts->api_concurrency : 1;
	long long from = t->chain == 0 ? t->page + 1 : t->page + w;
	long long to = t->page + w;
	int err = 0;

	if (to >= API_MAX_PAGES)
		return glm_error_set(GLM_ELIMIT, "a listing of more than %d pages", API_MAX_PAGES);
	for (long long p = from; p <= to && err == 0; p++)
		err = api_next(r, t->kind, t->id, p, p - 1, t->ref);
	return err;
}

/* What follows this page: pages 2..N at once, a window of pages, or the linked page. */
static int api_paginate(struct api_task_run *r, const struct crawl_queue_task *t,
			const struct http_page *pg, size_t nitems, const char *path)
{
	long long p;
	int err;

	if (t->chain < 0)
		return 0; /* one of pages 2..N, queued by page 1 */
	if (t->page == 1 && t->chain == 0 && pg->total_pages > 1) {
		if (pg->total_pages > API_MAX_PAGES)
			return glm_error_set(GLM_ELIMIT, "GET %s: the server claims %ld pages",
					     path, pg->total_pages);
		for (p = 2; p <= pg->total_pages; p++)
			if ((err = api_next(r, t->kind, t->id, p, -1, t->ref)) < 0)
				return err;
		return 0;
	}
	if (pg->next == NULL && pg->next_page == 0)
		return 0;
	if (nitems == 0 || t->chain + 1 >= API_MAX_PAGES ||
	    (t->page > 0 && pg->next == NULL && pg->next_page <= t->page) ||
	    (pg->next != NULL && strcmp(pg->next, path) == 0))
		return glm_error_set(GLM_ELIMIT,
				     "GET %s: pagination does not end (page %lld is %s but the "
				     "server names a next page)",
				     path, (long long)t->chain + 1,
				     nitems == 0 ? "empty" : "a repeat");
	if (pg->next != NULL)
		return api_next(r, t->kind, t->id, 0, t->chain + 1, pg->next);
	if (t->page == 0)
		return api_next(r, t->kind, t->id, pg->next_page, t->chain + 1, t->ref);
	return api_window(r, t);
}

/* What crawl_settle.c needs to know of a listing's page. */
static void api_page_facts(struct crawl_queue_result *res, const cJSON *json,
			   const struct http_page *pg)
{
	const cJSON *item, *id;
	long long prev = 0, v;

	res->total = pg->total;
	cJSON_ArrayForEach(item, json)
	{
		res->items++;
		id = cJSON_GetObjectItemCaseSensitive(item, "id");
		if (!cJSON_IsNumber(id))
			continue;
		v = (long long)id->valuedouble;
		if (v <= prev)
			res->unsorted = 1;
		prev = v;
		if (res->min_id == 0 || v < res->min_id)
			res->min_id = v;
		if (v > res->max_id)
			res->max_id = v;
	}
}

/* Runs one task; the caller commits the record and the follow-ups. */
static int api_run(struct api_task_run *r, const struct crawl_queue_task *t)
{
	char path[CRAWL_QUEUE_REF_MAX * 3 + 256];
	struct http_page pg;
	const cJSON *item;
	cJSON *json = NULL;
	size_t nitems = 0;
	int err;

	memset(&pg, 0, sizeof(pg));
	api_task_path(r->plan->opts, t, path, sizeof(path));
	if (r->plan->die_path != NULL && strstr(path, r->plan->die_path) != NULL)
		raise(SIGKILL);
	if ((err = http_get_json(r->http, path, &json, &pg)) < 0)
		goto out;
	if (t->kind == CRAWL_QUEUE_PREFLIGHT) {
		err = api_preflight(r, json);
	} else if (t->kind == CRAWL_QUEUE_GROUP) {
		nitems = 1;
		err = api_item(r, t, json, path);
	} else if (!cJSON_IsArray(json)) {
		err = glm_error_set(GLM_EPARSE, "GET %s: the answer is not a JSON array", path);
	} else {
		api_page_facts(&r->res, json, &pg);
		cJSON_ArrayForEach(item, json)
		{
			nitems++;
			if ((err = api_item(r, t, item, path)) < 0)
				break;
		}
		if (err == 0)
			err = api_paginate(r, t, &pg, nitems, path);
	}
out:
	cJSON_Delete(json);
	http_page_release(&pg);
	return err;
}

static void api_fail(const struct api_worker_plan *plan, struct crawl_queue *q, int err)
{
	const struct options *opts = plan->opts;
	char msg[CRAWL_QUEUE_FATAL_MAX];

	snprintf(msg, sizeof(msg), "%s", glm_error_msg());
	if (err == GLM_EAUTH) {
		snprintf(msg, sizeof(msg),
			 "token rejected by %s (HTTP 401): check --token, --token-file or "
			 "GITLAB_TOKEN and its scopes (read_api, read_repository)",
			 opts->url);
		crawl_queue_stop(q, CRAWL_QUEUE_STOP_AUTH, msg);
		return;
	}
	log_error("%s", msg);
	if (opts->fail_fast)
		crawl_queue_stop(q, CRAWL_QUEUE_STOP_FAILFAST, msg);
}

/* The first request tells a wrong URL or token from everything later. */
static void api_preflight_fail(const struct api_worker_plan *plan, struct crawl_queue *q, int err)
{
	char msg[CRAWL_QUEUE_FATAL_MAX];

	if (err == GLM_EAUTH) {
		api_fail(plan, q, err);
		return;
	}
	/* GitLab answers a token without the scope with 403 insufficient_scope. */
	if (err == GLM_EFORBIDDEN) {
		snprintf(msg, sizeof(msg),
			 "the token is valid but may not read the API of %s (HTTP 403): it lacks "
			 "the read_api scope; create one with read_api and read_repository",
			 plan->opts->url);
		crawl_queue_stop(q, CRAWL_QUEUE_STOP_AUTH, msg);
		return;
	}
	if (err == GLM_ECONNECT)
		snprintf(msg, sizeof(msg), "cannot reach %s: %s", plan->opts->url, glm_error_msg());
	else
		snprintf(msg, sizeof(msg),
			 "%s does not answer like a GitLab API (%s); give the base URL, e.g. "
			 "https://gitlab.example.com",
			 plan->opts->url, glm_error_msg());
	crawl_queue_stop(q, CRAWL_QUEUE_STOP_CONNECT, msg);
}

static int api_open_journal(const struct api_worker_plan *plan, int slot)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/api-%d-%ld", plan->journal_dir, slot, (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return glm_error_errno(GLM_EIO, errno, "crawl journal %s", path);
	return fd;
}

/* The endpoint class of a task's request (ratelimit_class.h). */
static enum ratelimit_class api_task_class(const struct crawl_queue_task *t)
{
	if (t->page == 0)
		return ratelimit_class_of(t->ref);
	switch ((enum crawl_queue_kind)t->kind) {
	case CRAWL_QUEUE_TOP:
		return RL_CLASS_GROUPS;
	case CRAWL_QUEUE_GROUP:
		return RL_CLASS_GROUP;
	case CRAWL_QUEUE_PROJECTS:
		return RL_CLASS_GROUP_PROJECTS;
	case CRAWL_QUEUE_USER_PROJECTS:
		return RL_CLASS_USER_PROJECTS;
	default:
		return RL_CLASS_OTHER;
	}
}

/* crawl_queue_skip_fn: a task whose endpoint is closed by its own 429 waits in the queue. */
static int api_skip_closed(const struct crawl_queue_task *t, void *ctx)
{
	const int64_t *until = ctx;

	return until[api_task_class(t)] > monoclock_ns();
}

static int api_loop(const struct api_worker_plan *plan, const struct pool_child *child,
		    struct crawl_queue *q, struct api_task_run *r, int fd)
{
	int64_t closed_until[RL_CLASS_COUNT];
	struct crawl_queue_task t;
	uint64_t claim;
	size_t index;
	int err;

	for (;;) {
		if ((err = ratelimit_pauses(&plan->shm->rl, closed_until)) < 0 ||
		    (err = crawl_queue_claim_if(q, getpid(), api_skip_closed, closed_until, &t,
						&index, &claim)) < 0)
			return err == GLM_ESTOPPED ? 0 : err;
		if (plan->die_locked_claim > 0 && (long)claim == plan->die_locked_claim &&
		    t.tries == 1)
			crawl_queue_die_holding_lock(q);
		if (pool_child_dies_at(child, claim) && t.tries == 1)
			raise(SIGKILL);
		r->nnext = 0;
		memset(&r->res, 0, sizeof(r->res));
		r->res.total = -1;
		r->bad_items = 0;
		crawl_journal_record_begin(&r->rec, index);
		err = api_run(r, &t);
		if (err == GLM_EINTR || signals_stopping())
			return GLM_EINTR;
		/* Its endpoint closed itself for a while: others go on (api_skip_closed). */
		if (err == GLM_ECLOSED) {
			if ((err = crawl_queue_give_back(q, index)) < 0)
				log_error("%s", glm_error_msg());
			continue;
		}
		if (err < 0 && t.kind == CRAWL_QUEUE_PREFLIGHT)
			api_preflight_fail(plan, q, err);
		else if (err < 0)
			api_fail(plan, q, err);
		r->res.failed = err < 0 || r->bad_items > 0;
		if (r->res.failed && err == 0 && plan->opts->fail_fast)
			crawl_queue_stop(q, CRAWL_QUEUE_STOP_FAILFAST, "an item was refused");
		/* The nodes are committed before the task is: a death in between repeats it. */
		if ((err = crawl_journal_record_commit(&r->rec, fd)) < 0 ||
		    (err = crawl_queue_complete(q, index, &r->res, r->next, r->nnext)) < 0)
			log_error("%s", glm_error_msg());
	}
}

void api_worker_main(const struct api_worker_plan *plan, const struct pool_child *child)
{
	const struct options *opts = plan->opts;
	struct http_config cfg;
	struct api_task_run run;
	struct crawl_queue q = plan->queue;
	int fd, err;

	memset(&run, 0, sizeof(run));
	run.plan = plan;
	crawl_journal_record_init(&run.rec);
	http_config_from_options(&cfg, opts, opts->url);
	cfg.rl = &plan->shm->rl;
	cfg.counts = &plan->shm->counts;
	cfg.give_back_closed = 1;
	if ((fd = api_open_journal(plan, child->index)) < 0 ||
	    (err = http_client_new(&run.http, &cfg)) < 0) {
		log_error("%s", glm_error_msg());
		_exit(1);
	}
	err = api_loop(plan, child, &q, &run, fd);
	if (err < 0 && err != GLM_EINTR && err != GLM_ESTOPPED)
		log_error("%s", glm_error_msg());
	http_client_free(run.http);
	crawl_journal_record_release(&run.rec);
	free(run.next);
	close(fd);
	_exit(err < 0 && err != GLM_EINTR && err != GLM_ESTOPPED ? 1 : 0);
}
