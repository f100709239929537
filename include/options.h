/*
 * Everything the user chose, after option > environment > default has been
 * applied.  Filled once by options_parse() in the supervisor and read-only
 * afterwards; forked workers inherit it.
 */
#ifndef GLM_OPTIONS_H
#define GLM_OPTIONS_H

#include <stddef.h>

enum print_format { PRINT_TREE, PRINT_JSON, PRINT_YAML };
enum naming { NAMING_NAME, NAMING_PATH };
enum clone_method { METHOD_SSH, METHOD_HTTP };
enum archived_mode { ARCHIVED_INCLUDE, ARCHIVED_EXCLUDE, ARCHIVED_ONLY };
enum progress_mode { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };
/*
 * Which groups and projects the crawl takes (--scope): what GET /groups
 * lists for the token (gitlabber's tree; for an admin token GitLab lists
 * everything), everything the token can see (all_available=true), or only
 * where the token is a member (min_access_level=10).
 */
enum scope_mode { SCOPE_LISTED, SCOPE_ALL, SCOPE_MEMBER };
/*
 * Budgets of the endpoints GitLab limits on their own (ratelimit_class.h):
 * auto = GitLab.com's published ones when --url is gitlab.com, else
 * learned from their 429s.
 */
enum endpoint_limits { ENDPOINT_LIMITS_AUTO, ENDPOINT_LIMITS_GITLAB_COM, ENDPOINT_LIMITS_LEARN };

#define OPT_MAX_LIST 64

struct options {
	char *token;		    /* owned; never printed */
	char *url;		    /* owned; base URL without trailing slash */
	char *dest;		    /* owned; NULL when only printing */
	char *tree_file;	    /* -f: sync from this tree file instead of crawling */
	char *tree_out;		    /* --tree-out */
	char *report;		    /* --report */
	char *metrics;		    /* --metrics */
	char *cacert;		    /* --cacert */
	char *ssh_key;		    /* --ssh-key */
	char *group_search;	    /* -g */
	char *groups[OPT_MAX_LIST]; /* --group PATH|ID, repeatable */
	size_t ngroups;
	char *includes[OPT_MAX_LIST]; /* -i, split on commas and trimmed */
	size_t nincludes;
	char *excludes[OPT_MAX_LIST]; /* -x */
	size_t nexcludes;
	char *git_options[OPT_MAX_LIST]; /* -o, split like gitlabber does */
	size_t ngit_options;

	int print; /* -p */
	enum print_format print_format;
	enum naming naming;
	enum clone_method method;
	enum archived_mode archived;
	enum progress_mode progress;
	enum scope_mode scope;
	int include_shared;		/* -s; --exclude-shared turns it off (the default) */
	int user_projects;		/* -U */
	int include_deletion_scheduled; /* keep projects GitLab will delete */
	int recursive;			/* -r */
	int use_fetch;			/* -F */
	int mirror;			/* --mirror */
	int force_tags;			/* --force-tags: checkouts take tags that moved upstream */
	int fail_fast;
	int verbose;
	int quiet;
	int dry_run;
	int insecure;
	int ssh_accept_new;
	int store_token; /* --store-token: store the token in the keyring and exit */
	int prune;	 /* --prune: orphans without local work go to the trash */
	int prune_max;	 /* --prune-max: percent of the mirror a prune may move, 0..100 */
	int no_lfs;	 /* leave Git LFS pointers */

	int concurrency;      /* -c, sync workers, 1..128 */
	int api_concurrency;  /* 1..64 */
	double api_rate;      /* requests per second; 0 = adapt from the server's headers */
	int api_timeout;      /* seconds for one request */
	int git_timeout;      /* seconds a git connection may stay silent */
	int git_retries;      /* retries of a clone or fetch after a transient failure */
	int api_retries;      /* tries after the first */
	long long max_body;   /* bytes of one API response */
	int shard_k, shard_n; /* --shard K/N; n == 0 means no sharding */
	enum endpoint_limits endpoint_limits;
};

/*
 * Parses argv and the environment into out.  Returns 0, or a negative
 * GLM_E* with the message set.  Sets *exit_now to 1 (and returns 0) for
 * --help and --version, which have printed what they print.
 */
int options_parse(struct options *out, int argc, char **argv, int *exit_now);
void options_release(struct options *opts);

#endif
