/*
 * The supervisor: the one process that owns the run.  It checks what can be
 * checked before any API call (patterns, DEST), gets the tree from a crawl
 * or from -f, finishes and filters it, drops what may not touch the disk,
 * writes and prints it, then hands it to the sync.  Every failure on the
 * way ends up in the exit code (exitcodes.h).
 */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crawl.h"
#include "error.h"
#include "exitcodes.h"
#include "filter.h"
#include "gitopts.h"
#include "log.h"
#include "metrics.h"
#include "monoclock.h"
#include "print.h"
#include "safepath.h"
#include "signals.h"
#include "sync.h"
#include "tree.h"
#include "treefile.h"

/* Maps the error that ended a phase to the documented exit code. */
static int supervisor_exit_code(int err)
{
	switch (err) {
	case GLM_EUSAGE:
	case GLM_EPARSE:
		return EXIT_USAGE;
	case GLM_EAUTH:
	case GLM_ECONNECT:
		return EXIT_AUTH;
	case GLM_EINTR:
		return EXIT_INTERRUPT;
	default:
		return signals_stopping() ? EXIT_INTERRUPT : EXIT_PARTIAL;
	}
}

/*
 * DEST is checked before the crawl so that a typo does not cost a whole
 * crawl's API calls.  A missing DEST is created, as gitlabber does.
 */
static int supervisor_check_dest(const char *dest, int dry_run)
{
	struct stat st;

	/* A dry run writes nothing, not even DEST: a missing one means "clone all". */
	if (dry_run && stat(dest, &st) < 0 && errno == ENOENT)
		return 0;
	if (!dry_run && mkdir(dest, 0755) < 0 && errno != EEXIST)
		return glm_error_errno(GLM_EUSAGE, errno, "cannot create destination folder '%s'",
				       dest);
	if (stat(dest, &st) < 0)
		return glm_error_errno(GLM_EUSAGE, errno, "destination '%s'", dest);
	if (!S_ISDIR(st.st_mode))
		return glm_error_set(GLM_EUSAGE, "destination '%s' is not a folder", dest);
	if (access(dest, W_OK | X_OK) < 0)
		return glm_error_errno(GLM_EUSAGE, errno, "destination folder '%s' is not writable",
				       dest);
	return 0;
}

/*
 * -f: the tree and its GitLab come from the file.  A tree made from another
 * GitLab than --url is refused: the token would go to a host the user did
 * not name.  *out_base_url is the caller's.
 */
static int supervisor_read_tree(const struct options *opts, struct node **out_root,
				char **out_base_url)
{
	int err = treefile_read(opts->tree_file, out_root, out_base_url);

	if (err < 0)
		return err == GLM_EIO || err == GLM_EPARSE
			       ? glm_error_set(GLM_EUSAGE, "%s", glm_error_msg())
			       : err;
	if (opts->url != NULL && strcmp(opts->url, *out_base_url) != 0) {
		err = glm_error_set(GLM_EUSAGE,
				    "tree file '%s' was made from %s, not from --url %s; "
				    "crawl again or drop --url",
				    opts->tree_file, *out_base_url, opts->url);
		node_free(*out_root);
		free(*out_base_url);
		*out_root = NULL;
		*out_base_url = NULL;
	}
	return err;
}

/* m->crawl is filled even when the crawl fails, for the metrics. */
static int supervisor_crawl(const struct options *opts, struct node **out_root, char **out_base_url,
			    size_t *failures, struct metrics_run *m)
{
	struct crawl_result *res = &m->crawl;
	int64_t start = monoclock_ns();
	int err;

	m->crawled = 1;
	err = crawl_run(opts, out_root, res);
	if (err < 0)
		return err;
	*out_base_url = strdup(opts->url);
	if (*out_base_url == NULL)
		return glm_error_set(GLM_ENOMEM, "out of memory");
	*failures += res->failed_tasks;
	log_info("crawled %zu groups and %zu projects with %zu API requests in %.1f s%s",
		 tree_count(*out_root, NODE_GROUP) + tree_count(*out_root, NODE_SUBGROUP),
		 tree_count(*out_root, NODE_PROJECT), res->api_calls,
		 monoclock_seconds_since(start),
		 res->failed_tasks ? " (incomplete: see the errors above)" : "");
	if (res->outside > 0)
		log_verbose("left out %zu visible projects whose groups GitLab does not list for "
			    "this token (--scope all takes them)",
			    res->outside);
	return 0;
}

static void supervisor_report_unsafe(const struct node *node, const char *reason, void *ctx)
{
	char name[256];

	(void)ctx;
	log_error("skipping %s %s (id %lld): %s", node_type_name(node->type),
		  log_esc(node->full_path ? node->full_path : "", name, sizeof(name)), node->id,
		  reason);
}

/*
 * What safepath marked never reaches the tree file, the printout or the
 * disk: it moves below quarantine, whose projects the sync reports as failed.
 */
static int supervisor_prune_unsafe(struct node *node, struct node *quarantine)
{
	size_t i = 0;
	int err;

	while (i < node->nchildren) {
		if (node->children[i]->unsafe) {
			struct node *child = node_take_child(node, i);

			if ((err = node_add_child(quarantine, child)) < 0) {
				node_free(child);
				return err;
			}
		} else {
			if ((err = supervisor_prune_unsafe(node->children[i], quarantine)) < 0)
				return err;
			i++;
		}
	}
	return 0;
}

/* m->sync is filled even when the sync fails, for the metrics. */
static int supervisor_sync(const struct options *opts, struct node *root, struct node *unsafe,
			   const char *base_url, int complete, size_t *failures,
			   struct metrics_run *m)
{
	struct sync_summary *sum = &m->sync;
	int err;

	m->synced = 1;
	err = sync_run(opts, root, unsafe, base_url, complete, sum);
	if (err < 0)
		return err;
	*failures += sum->failed + (size_t)sum->guarded + sum->disk_full;
	return 0;
}

static double supervisor_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A metrics file that cannot be written is a failure of the run like any other. */
static int supervisor_metrics(const struct options *opts, struct metrics_run *m, int code)
{
	m->end = supervisor_now();
	m->exit_code = code;
	if (opts->metrics == NULL || metrics_write(opts->metrics, m) == 0)
		return code;
	log_error("%s", glm_error_msg());
	return code == EXIT_OK ? EXIT_PARTIAL : code;
}

int supervisor_run(const struct options *opts)
{
	struct metrics_run m;
	struct filter *filter = NULL;
	struct node *root = NULL, *unsafe = NULL;
	char *base_url = NULL;
	size_t failures = 0, crawl_failures = 0;
	int err, code = EXIT_OK;

	memset(&m, 0, sizeof(m));
	m.start = supervisor_now();
	if (opts->token != NULL)
		log_add_secret(opts->token);
	if ((err = signals_install()) < 0 || (err = filter_new(&filter, opts)) < 0 ||
	    (!opts->print && (err = gitopts_check(opts)) < 0))
		goto out;
	if (!opts->print && (err = supervisor_check_dest(opts->dest, opts->dry_run)) < 0)
		goto out;

	if (opts->tree_file != NULL)
		err = supervisor_read_tree(opts, &root, &base_url);
	else
		err = supervisor_crawl(opts, &root, &base_url, &crawl_failures, &m);
	failures += crawl_failures;
	if (err < 0)
		goto out;

	if ((err = tree_finish(root, opts->naming)) < 0 || (err = filter_apply(filter, root)) < 0)
		goto out;
	m.groups = tree_count(root, NODE_GROUP) + tree_count(root, NODE_SUBGROUP);
	m.projects = tree_count(root, NODE_PROJECT);
	failures += safepath_check_tree(root, supervisor_report_unsafe, NULL);
	if ((unsafe = node_new(NODE_ROOT)) == NULL) {
		err = glm_error_set(GLM_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = supervisor_prune_unsafe(root, unsafe)) < 0)
		goto out;

	if (opts->tree_out != NULL &&
	    (err = treefile_write(opts->tree_out, root, base_url, opts)) < 0)
		goto out;
	if (opts->print)
		err = print_tree(stdout, root, base_url, opts);
	else
		err = supervisor_sync(opts, root, unsafe, base_url, crawl_failures == 0, &failures,
				      &m);

out:
	if (err < 0) {
		log_error("%s", glm_error_msg());
		code = supervisor_exit_code(err);
	} else if (signals_stopping()) {
		code = EXIT_INTERRUPT;
	} else if (failures > 0) {
		code = EXIT_PARTIAL;
	}
	code = supervisor_metrics(opts, &m, code);
	filter_free(filter);
	node_free(root);
	node_free(unsafe);
	free(base_url);
	return code;
}
