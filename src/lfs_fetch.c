/* Finding and fetching a project's Git LFS objects (lfs_fetch.h). */
#include "lfs_fetch.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "grow.h"
#include "lfs_http.h"
#include "lfs_pointer.h"
#include "lfs_scanned.h"
#include "lfs_sshauth.h"
#include "lfs_store.h"
#include "log.h"
#include "sync_job.h"
#include "sync_url.h"

#define LFS_FETCH_BATCH 100 /* objects per batch request, as git-lfs sends */
#define LFS_FETCH_MEDIA "application/vnd.git-lfs+json"

struct lfs_fetch_want {
	struct lfs_pointer p;
	char path[256]; /* where a tree holds it, for messages */
};

/* The pointers found, each object once, none already stored. */
struct lfs_fetch_list {
	git_repository *repo;	  /* borrowed */
	struct lfs_fetch_want *v; /* owned */
	size_t n, cap;
	int err;
	int stale; /* collect stored objects whose worktree file is still the pointer */
};

static struct lfs_http *lfs_fetch_http; /* this worker's; owned */

/* The worktree file at path holds exactly the pointer text. */
static int lfs_fetch_is_stale(git_repository *repo, const char *path, const void *text, size_t len)
{
	char file[LFS_STORE_PATH_MAX], buf[LFS_POINTER_MAX];
	FILE *f;
	size_t n;

	if (snprintf(file, sizeof(file), "%s%s", git_repository_workdir(repo), path) >=
	    (int)sizeof(file))
		return 0;
	if ((f = fopen(file, "rbe")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == len && memcmp(buf, text, len) == 0;
}

static int lfs_fetch_add(struct lfs_fetch_list *l, const struct lfs_pointer *p, const char *path)
{
	/* A stale file is removed by its path: one too long to keep whole stays a pointer. */
	if (l->stale && strlen(path) >= sizeof(l->v->path))
		return 0;
	if (!l->stale)
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(l->v[i].p.oid, p->oid) == 0)
				return 0;
	if (lfs_store_has(l->repo, p) != l->stale)
		return 0;
	struct lfs_fetch_want *v = grow_array(l->v, &l->cap, l->n, sizeof(*v), 16);

	if (v == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	l->v = v;
	l->v[l->n].p = *p;
	snprintf(l->v[l->n].path, sizeof(l->v[l->n].path), "%s", path);
	l->n++;
	return 0;
}

/* git_tree_walk's callback: a small blob may be a pointer. */
static int lfs_fetch_entry(const char *root, const git_tree_entry *e, void *payload)
{
	struct lfs_fetch_list *l = payload;
	struct lfs_pointer p;
	git_odb *odb = NULL;
	git_blob *blob = NULL;
	git_object_t type;
	size_t len;
	char path[512];

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (git_repository_odb(&odb, l->repo) < 0 ||
	    git_odb_read_header(&len, &type, odb, git_tree_entry_id(e)) < 0) {
		git_odb_free(odb);
		l->err = sync_remote_git_error(-1, "LFS: reading a tree");
		return -1;
	}
	git_odb_free(odb);
	if (len >= LFS_POINTER_MAX)
		return 0;
	if (git_blob_lookup(&blob, l->repo, git_tree_entry_id(e)) < 0) {
		l->err = sync_remote_git_error(-1, "LFS: reading a blob");
		return -1;
	}
	snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(e));
	if (lfs_pointer_parse(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), &p) &&
	    (!l->stale || lfs_fetch_is_stale(l->repo, path, git_blob_rawcontent(blob),
					     (size_t)git_blob_rawsize(blob))) &&
	    (l->err = lfs_fetch_add(l, &p, path)) < 0) {
		git_blob_free(blob);
		return -1;
	}
	git_blob_free(blob);
	return 0;
}

static int lfs_fetch_scan(struct lfs_fetch_list *l, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	int rc;

	if ((rc = git_commit_lookup(&c, l->repo, commit)) < 0 ||
	    (rc = git_commit_tree(&tree, c)) < 0) {
		git_commit_free(c);
		return sync_remote_git_error(rc, "LFS: reading a commit");
	}
	rc = git_tree_walk(tree, GIT_TREEWALK_PRE, lfs_fetch_entry, l);
	git_tree_free(tree);
	git_commit_free(c);
	if (rc < 0)
		return l->err < 0 ? l->err : sync_remote_git_error(rc, "LFS: walking a tree");
	return 0;
}

/* "Authorization: Basic base64(oauth2:token)", as git sends it; NULL without a token. */
static int lfs_fetch_auth(const char *token, char **out)
{
	char *plain = NULL, *b64 = NULL;
	size_t n;
	int rc = 0;

	*out = NULL;
	if (token == NULL)
		return 0;
	if (asprintf(&plain, "oauth2:%s", token) < 0)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	n = strlen(plain);
	if ((b64 = malloc(4 * ((n + 2) / 3) + 1)) == NULL) {
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
	} else {
		EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)plain, (int)n);
		if (asprintf(out, "Authorization: Basic %s", b64) < 0) {
			*out = NULL;
			rc = glm_error_set(GLM_ENOMEM, "out of memory");
		}
	}
	explicit_bzero(plain, n);
	if (b64 != NULL)
		explicit_bzero(b64, strlen(b64));
	free(plain);
	free(b64);
	return rc;
}

static void lfs_fetch_free_headers(struct curl_slist *h)
{
	for (struct curl_slist *l = h; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h);
}

/* The download's headers: exactly those of the batch answer (basic-transfers.md). */
static int lfs_fetch_download_headers(const cJSON *header, struct curl_slist **out)
{
	const cJSON *item;
	struct curl_slist *h = NULL, *t;
	char line[4096];

	*out = NULL;
	cJSON_ArrayForEach(item, header)
	{
		if (!cJSON_IsString(item) || item->string == NULL ||
		    strpbrk(item->string, "\r\n:") != NULL ||
		    strpbrk(item->valuestring, "\r\n") != NULL ||
		    (size_t)snprintf(line, sizeof(line), "%s: %s", item->string,
				     item->valuestring) >= sizeof(line)) {
			lfs_fetch_free_headers(h);
			return glm_error_set(GLM_EPARSE, "LFS batch answer: a bad download header");
		}
		if ((t = curl_slist_append(h, line)) == NULL) {
			explicit_bzero(line, sizeof(line));
			lfs_fetch_free_headers(h);
			return glm_error_set(GLM_ENOMEM, "out of memory");
		}
		h = t;
	}
	explicit_bzero(line, sizeof(line));
	*out = h;
	return 0;
}

/* The headers git-lfs-authenticate gave: zeroed before they are freed. */
static void lfs_fetch_forget(cJSON *header)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, header)
	{
		if (cJSON_IsString(item))
			explicit_bzero(item->valuestring, strlen(item->valuestring));
	}
	cJSON_Delete(header);
}

/*
 * The batch request's headers: those git-lfs-authenticate gave (given),
 * else the token's, the only place it goes.
 */
static int lfs_fetch_batch_headers(const struct sync_job *job, const cJSON *given,
				   struct curl_slist **out)
{
	struct curl_slist *h = NULL, *t;
	char *auth = NULL;
	int rc;

	*out = NULL;
	if (given != NULL)
		rc = lfs_fetch_download_headers(given, &h);
	else
		rc = lfs_fetch_auth(job->plan->opts->token, &auth);
	if (rc < 0)
		return rc;
	if ((t = curl_slist_append(h, "Accept: " LFS_FETCH_MEDIA)) == NULL ||
	    (h = t, t = curl_slist_append(h, "Content-Type: " LFS_FETCH_MEDIA)) == NULL ||
	    (h = t, auth != NULL && (t = curl_slist_append(h, auth)) == NULL)) {
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
	} else {
		h = t;
		*out = h;
		h = NULL;
	}
	lfs_fetch_free_headers(h);
	if (auth != NULL)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	return rc;
}

static void lfs_fetch_progress(void *arg, uint64_t n)
{
	struct sync_job *job = arg;

	job->bytes += n;
	sync_queue_add_bytes(&job->plan->queue, n);
}

/* One object of the batch answer: downloaded, or named missing. */
static int lfs_fetch_object(struct sync_job *job, git_repository *repo,
			    const struct lfs_fetch_want *w, const cJSON *o)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
	const cJSON *dl = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(o, "actions"), "download");
	const cJSON *href = cJSON_GetObjectItemCaseSensitive(dl, "href");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
	struct curl_slist *h = NULL;
	int rc;

	if (e != NULL && cJSON_IsNumber(code) && code->valueint == 404) {
		if (job->lfs_missing[0] == '\0')
			snprintf(job->lfs_missing, sizeof(job->lfs_missing), "%s (%s)", w->p.oid,
				 w->path);
		return 0;
	}
	if (e != NULL || !cJSON_IsString(href) ||
	    (strncmp(href->valuestring, "https://", 8) != 0 &&
	     strncmp(href->valuestring, "http://", 7) != 0))
		return glm_error_set(GLM_EHTTP, "LFS object %s (%s): the server gave no download",
				     w->p.oid, w->path);
	if ((rc = lfs_fetch_download_headers(cJSON_GetObjectItemCaseSensitive(dl, "header"), &h)) <
	    0)
		return rc;
	rc = lfs_http_download(lfs_fetch_http, href->valuestring, h, repo, &w->p,
			       lfs_fetch_progress, job);
	lfs_fetch_free_headers(h);
	if (rc < 0)
		return rc;
	job->lfs_objects++;
	job->lfs_bytes += w->p.size;
	return 0;
}

/* One batch request for v[0..n) and their downloads. */
static int lfs_fetch_batch(struct sync_job *job, git_repository *repo, const char *url,
			   struct curl_slist *headers, const struct lfs_fetch_want *v, size_t n)
{
	cJSON *req = cJSON_CreateObject(), *objs, *ans = NULL;
	const cJSON *o;
	char *body = NULL;
	int rc = 0;

	if (req == NULL || cJSON_AddStringToObject(req, "operation", "download") == NULL ||
	    (objs = cJSON_AddArrayToObject(req, "objects")) == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		cJSON *it = cJSON_CreateObject();

		if (it == NULL || !cJSON_AddItemToArray(objs, it) ||
		    cJSON_AddStringToObject(it, "oid", v[i].p.oid) == NULL ||
		    cJSON_AddNumberToObject(it, "size", (double)v[i].p.size) == NULL)
			goto nomem;
	}
	if ((body = cJSON_PrintUnformatted(req)) == NULL)
		goto nomem;
	if ((rc = lfs_http_batch(lfs_fetch_http, url, headers, body, &ans)) < 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const cJSON *found = NULL;

		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(ans, "objects"))
		{
			const cJSON *oid = cJSON_GetObjectItemCaseSensitive(o, "oid");

			if (cJSON_IsString(oid) && strcmp(oid->valuestring, v[i].p.oid) == 0)
				found = o;
		}
		if (found == NULL)
			rc = glm_error_set(GLM_EPARSE, "LFS batch answer: object %s is not in it",
					   v[i].p.oid);
		else
			rc = lfs_fetch_object(job, repo, &v[i], found);
	}
	goto out;
nomem:
	rc = glm_error_set(GLM_ENOMEM, "out of memory");
out:
	cJSON_free(body);
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

static int lfs_fetch_client(const struct sync_job *job)
{
	const struct options *opts = job->plan->opts;
	struct http_config cfg;

	if (lfs_fetch_http != NULL)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.base_url = job->plan->base_url;
	cfg.cacert = opts->cacert;
	cfg.insecure = opts->insecure;
	/* No limit on a whole transfer: an object may be gigabytes (silence: lfs_http.c). */
	cfg.timeout_s = 0;
	cfg.idle_s = opts->git_timeout;
	cfg.retries = opts->api_retries;
	/*
	 * Which budget: GitLab counts Git LFS requests (<repo>.git/info/lfs/...
	 * and <repo>.git/gitlab-lfs/..., lib/gitlab/rack_attack/request.rb
	 * git_lfs_path?) not against the API limit but against the
	 * authenticated web request limit (GitLab.com: 1,000 a minute per
	 * user), or against the Git LFS limit when an administrator enabled
	 * it (docs: administration/settings/git_lfs_rate_limits, rate_limits/git).
	 * Both are Rack::Attack throttles: a 429 with Retry-After and
	 * RateLimit-* headers that stops every request of the user, not one
	 * endpoint.  So LFS takes its tokens from the sync's limiter, whose
	 * pause the git transfers obey too (the crawl's API bucket is gone by
	 * now, and its endpoint classes are the API's), with one shared pause.
	 */
	cfg.rl = job->plan->queue.rl;
	cfg.counts = job->plan->queue.counts;
	return lfs_http_new(&lfs_fetch_http, &cfg);
}

/*
 * The batch endpoint into url (SYNC_URL_MAX + 32 bytes) and, over SSH
 * without a token, the headers git-lfs-authenticate gave (*given, caller
 * owns); 1 when there is no way to it (said once for the project).
 */
static int lfs_fetch_endpoint(struct sync_job *job, const char *repo_url, const char *ssh_url,
			      char *url, cJSON **given)
{
	int rc;

	*given = NULL;
	if (job->plan->opts->method == METHOD_SSH && job->plan->opts->token == NULL) {
		/* As git-lfs over SSH; with a token, HTTP needs no second SSH login. */
		if ((rc = lfs_sshauth_get(job, ssh_url, url, SYNC_URL_MAX, given)) == GLM_ESTOPPED)
			return rc;
		if (rc < 0) {
			log_warn("%s: Git LFS: %s; its LFS files stay pointers",
				 job->project->full_path, glm_error_msg());
			sync_job_note(job, "LFS files stay pointers (git-lfs-authenticate failed)");
			return 1;
		}
		strcat(url, "/objects/batch");
		return 0;
	}
	/* GitLab serves LFS over HTTP only, on --url's origin with the token. */
	if (repo_url != NULL)
		snprintf(url, SYNC_URL_MAX, "%s", repo_url);
	else if (sync_url_for(job->project, job->plan->base_url, METHOD_HTTP, url, SYNC_URL_MAX) <
		 0)
		return GLM_EUNSAFE;
	strcat(url, "/info/lfs/objects/batch");
	return 0;
}

/*
 * Fetches what the list holds, LFS_FETCH_BATCH objects per request, from
 * the batch endpoint of repo_url (an HTTP clone URL on --url's origin;
 * NULL: the project's) or, over SSH without a token, the one GitLab Shell
 * names for ssh_url.
 */
static int lfs_fetch_list_run(struct sync_job *job, struct lfs_fetch_list *l, const char *repo_url,
			      const char *ssh_url)
{
	struct curl_slist *headers = NULL;
	char url[SYNC_URL_MAX + 32];
	cJSON *given = NULL;
	int rc;

	if (l->n == 0)
		return 0;
	if ((rc = lfs_fetch_endpoint(job, repo_url, ssh_url, url, &given)) != 0)
		return rc < 0 ? rc : 0;
	rc = lfs_fetch_batch_headers(job, given, &headers);
	lfs_fetch_forget(given);
	if (rc < 0 || (rc = lfs_fetch_client(job)) < 0) {
		lfs_fetch_free_headers(headers);
		return rc;
	}
	log_verbose("%s: %zu LFS objects to fetch", job->project->full_path, l->n);
	for (size_t i = 0; i < l->n && rc == 0; i += LFS_FETCH_BATCH)
		rc = lfs_fetch_batch(job, l->repo, url, headers, l->v + i,
				     l->n - i < LFS_FETCH_BATCH ? l->n - i : LFS_FETCH_BATCH);
	lfs_fetch_free_headers(headers);
	if (rc < 0)
		glm_error_prefix("Git LFS");
	return rc;
}

/* The objects of commit's tree, from the endpoint of repo_url and ssh_url (lfs_fetch_list_run). */
static int lfs_fetch_commit_from(struct sync_job *job, git_repository *repo, const git_oid *commit,
				 const char *repo_url, const char *ssh_url)
{
	struct lfs_fetch_list l = { .repo = repo };
	int rc;

	if (job->plan->opts->no_lfs)
		return 0;
	if ((rc = lfs_fetch_scan(&l, commit)) == 0)
		rc = lfs_fetch_list_run(job, &l, repo_url, ssh_url);
	free(l.v);
	return rc;
}

int lfs_fetch_commit(struct sync_job *job, git_repository *repo, const git_oid *commit)
{
	return lfs_fetch_commit_from(job, repo, commit, NULL, job->url);
}

int lfs_fetch_smudge(struct sync_job *job, git_repository *repo, const git_oid *commit)
{
	struct lfs_fetch_list l = { .repo = repo, .stale = 1 };
	git_checkout_options co;
	git_commit *c = NULL;
	char **paths = NULL;
	int rc;

	if (job->plan->opts->no_lfs || git_repository_is_bare(repo))
		return 0;
	if ((rc = lfs_fetch_scan(&l, commit)) < 0 || l.n == 0)
		goto out;
	if ((paths = calloc(l.n, sizeof(*paths))) == NULL) {
		rc = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * The index's stat data says these files are what the commit holds, so
	 * a checkout would leave them: removed first (they are exactly the
	 * committed pointer, nothing of the user's), the checkout writes them.
	 */
	for (size_t i = 0; i < l.n; i++) {
		char file[LFS_STORE_PATH_MAX];

		paths[i] = l.v[i].path;
		if (snprintf(file, sizeof(file), "%s%s", git_repository_workdir(repo), paths[i]) <
			    (int)sizeof(file) &&
		    unlink(file) < 0 && errno != ENOENT) {
			rc = glm_error_errno(GLM_EIO, errno, "LFS checkout of %s", paths[i]);
			goto out;
		}
	}
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	/* Only files that are byte for byte the pointer the commit holds. */
	co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
	co.paths.strings = paths;
	co.paths.count = l.n;
	if ((rc = git_commit_lookup(&c, repo, commit)) < 0 ||
	    (rc = git_checkout_tree(repo, (git_object *)c, &co)) < 0)
		rc = sync_remote_git_error(rc, "LFS checkout");
out:
	git_commit_free(c);
	free(paths);
	free(l.v);
	return rc;
}

/*
 * Every ref's commit into walk and tips.  A symbolic ref whose target is
 * gone (HEAD of a mirror whose default branch was deleted) and refs to
 * trees or blobs have no history to scan.
 */
static int lfs_fetch_push_refs(git_repository *repo, git_revwalk *walk, struct lfs_scanned *tips)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc;

	if ((rc = git_reference_iterator_new(&it, repo)) < 0)
		return sync_remote_git_error(rc, "LFS: listing the refs");
	while ((rc = git_reference_next(&ref, it)) == 0) {
		git_object *commit = NULL;

		if (git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) == 0 &&
		    (rc = git_revwalk_push(walk, git_object_id(commit))) == 0 &&
		    lfs_scanned_add(tips, git_object_id(commit)) < 0)
			rc = GIT_EUSER;
		git_object_free(commit);
		git_reference_free(ref);
		if (rc < 0)
			break;
	}
	git_reference_iterator_free(it);
	if (rc == GIT_EUSER)
		return GLM_ENOMEM;
	if (rc != GIT_ITEROVER)
		return sync_remote_git_error(rc, "LFS: listing the refs");
	return 0;
}

/*
 * The tips of the last complete scan are hidden: their history's objects
 * are all stored.  One no longer in the repository (a force push, then gc)
 * is simply not hidden.
 */
static size_t lfs_fetch_hide_scanned(git_repository *repo, git_revwalk *walk,
				     const struct lfs_scanned *done)
{
	size_t hidden = 0;

	for (size_t i = 0; i < done->n; i++) {
		git_commit *c = NULL;

		if (git_commit_lookup(&c, repo, &done->v[i]) == 0 &&
		    git_revwalk_hide(walk, &done->v[i]) == 0)
			hidden++;
		git_commit_free(c);
	}
	return hidden;
}

/* After the fetch: every object the scan found is stored (none missing, none left out). */
static int lfs_fetch_all_stored(const struct lfs_fetch_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!lfs_store_has(l->repo, &l->v[i].p))
			return 0;
	return 1;
}

int lfs_fetch_refs(struct sync_job *job, git_repository *repo)
{
	struct lfs_fetch_list l = { .repo = repo };
	struct lfs_scanned done, tips = { 0 };
	git_revwalk *walk = NULL;
	size_t hidden = 0, scanned = 0;
	git_oid id;
	int rc = 0, err;

	if (job->plan->opts->no_lfs)
		return 0;
	if (lfs_scanned_read(repo, &done) < 0)
		log_verbose("%s: %s; scanning the whole history", job->project->full_path,
			    glm_error_msg());
	if ((rc = git_revwalk_new(&walk, repo)) < 0) {
		lfs_scanned_release(&done);
		return sync_remote_git_error(rc, "LFS: listing the refs");
	}
	hidden = lfs_fetch_hide_scanned(repo, walk, &done);
	err = lfs_fetch_push_refs(repo, walk, &tips);
	while (err == 0 && (rc = git_revwalk_next(&id, walk)) == 0) {
		err = lfs_fetch_scan(&l, &id);
		scanned++;
	}
	git_revwalk_free(walk);
	if (err == 0 && rc != GIT_ITEROVER)
		err = sync_remote_git_error(rc, "LFS: walking the history");
	log_verbose("%s: LFS: %zu commits scanned, %zu known complete tips hidden",
		    job->project->full_path, scanned, hidden);
	if (err == 0)
		err = lfs_fetch_list_run(job, &l, NULL, job->url);
	/* A record that cannot be written only costs the next run a whole scan. */
	if (err == 0 && lfs_fetch_all_stored(&l) && !lfs_scanned_same(&done, &tips) &&
	    lfs_scanned_write(repo, &tips) < 0)
		log_warn("%s: %s", job->project->full_path, glm_error_msg());
	lfs_scanned_release(&done);
	lfs_scanned_release(&tips);
	free(l.v);
	return err;
}

int lfs_fetch_wanted(const struct sync_job *job)
{
	const struct sync_plan *plan = job->plan;

	return !plan->opts->no_lfs && !plan->opts->mirror && !plan->gitopts.no_checkout;
}

int lfs_fetch_checkout(struct sync_job *job, git_repository *repo)
{
	git_checkout_options co;
	int rc;

	git_oid head;

	if (!lfs_fetch_wanted(job) || git_reference_name_to_id(&head, repo, "HEAD") < 0)
		return 0; /* unborn: an empty repository */
	if ((rc = lfs_fetch_commit(job, repo, &head)) < 0)
		return rc;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	/* The clone's own temporary folder: nothing local to keep. */
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if ((rc = git_checkout_head(repo, &co)) < 0)
		return sync_remote_git_error(rc, "checkout");
	return lfs_fetch_smudge(job, repo, &head);
}

int lfs_fetch_submodule(struct sync_job *job, git_repository *sub, const char *url)
{
	char repo_url[SYNC_URL_MAX];
	git_oid head;
	int rc;

	if (job->plan->opts->no_lfs || git_reference_name_to_id(&head, sub, "HEAD") < 0)
		return 0;
	if ((rc = sync_url_http_of(url, job->plan->base_url, job->plan->opts->method, repo_url,
				   sizeof(repo_url))) < 0 ||
	    (rc = lfs_fetch_commit_from(job, sub, &head, repo_url, url)) < 0)
		return rc;
	return lfs_fetch_smudge(job, sub, &head);
}

void lfs_fetch_shutdown(void)
{
	lfs_http_free(lfs_fetch_http);
	lfs_fetch_http = NULL;
}
